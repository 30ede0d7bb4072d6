import Foundation
import Logging
import PinAdsStore
import PinterestAPI
import ServiceLifecycle

/// Takes conversion events into a durable outbox and sends them to Pinterest: per ad account
/// (and apart for `test` events), in batches of up to 1000 that leave when full or after a short
/// linger, several batches in flight at once, through the rate limiter. Pinterest's answer for
/// each event is stored in the same step as the batch's end, so after a crash only the batches
/// in flight can go twice (with the same event_id, which Pinterest drops).
///
/// The decisions (which lane, how many in flight, lingers, retries) are `ConversionLanes`'s;
/// this actor reads and writes the store, runs the senders (`+Run`) and records what they met.
public actor ConversionDispatcher: Service {
    public struct Configuration: Sendable {
        public var batchSize = 1000
        /// How long a batch that is not full waits for more events.
        public var linger: TimeInterval = 0.02
        /// Batches in flight at once per lane.
        public var maximumInFlight = 8
        /// Batches in flight at once over every lane; nil: only the per-lane limit.
        public var maximumInFlightOverall: Int?
        public var dedupeWindow: TimeInterval = 48 * 3600
        public init() {}

        var limits: ConversionLanes.Limits {
            ConversionLanes.Limits(
                batchSize: batchSize, linger: linger, maximumInFlight: maximumInFlight, maximumInFlightOverall: maximumInFlightOverall)
        }
    }

    static let maximumEventsPerRequest = 10_000

    let store: Store
    let tokens: TokenManager
    let clock: any WallClock
    let logger: Logger
    let configuration: Configuration
    var lanes: ConversionLanes
    var wake: AsyncStream<Void>.Continuation?
    var timer: Task<Void, Never>?
    var stopping = false
    var throughput = ConversionThroughput()
    var lastError: String?
    /// What each lane's batches met since start, for `system.health`.
    var laneRecords: [ConversionLane: ConversionLaneRecord] = [:]
    var lastPrune = Date.distantPast

    public init(store: Store, tokens: TokenManager, clock: any WallClock, logger: Logger, configuration: Configuration = Configuration()) {
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        lanes = ConversionLanes(limits: configuration.limits)
    }

    // MARK: - Acceptance

    /// Checks, hashes and stores the events off the actor (requests are worked on in parallel);
    /// only the lane's bookkeeping hops onto it.
    public nonisolated func send(_ submission: ConversionSubmission) async throws -> AcceptedConversions {
        guard (1...Self.maximumEventsPerRequest).contains(submission.events.count) else {
            throw InvalidInput(
                field: "events", reason: "1 to \(Self.maximumEventsPerRequest) per request, got \(submission.events.count); send more in chunks")
        }
        let session = try await tokens.session(adAccountID: submission.adAccountID)
        let adAccountID = session.adAccountID
        let normalizer = ConversionNormalizer(now: clock.now(), defaultCurrency: session.currency)
        var prepared: [NewConversion] = []
        prepared.reserveCapacity(submission.events.count)
        var rejected: [AcceptedConversions.Rejection] = []
        for (index, event) in submission.events.enumerated() {
            switch normalizer.prepare(event) {
            case .accepted(let event): prepared.append(NewConversion(eventName: event.eventName, eventID: event.eventID, body: event.body))
            case .rejected(let reason): rejected.append(AcceptedConversions.Rejection(index: index, reason: reason))
            }
        }
        let lane = ConversionLane(adAccountID: adAccountID, test: submission.test)
        let (accepted, duplicates) = try await store.enqueueConversions(
            prepared, lane: lane, rejected: rejected.count, now: clock.now(), dedupeWindow: configuration.dedupeWindow)
        if accepted > 0 { await laneGained(lane) }
        return AcceptedConversions(accepted: accepted, duplicates: duplicates, rejected: rejected)
    }

    func laneGained(_ lane: ConversionLane) {
        lanes.gained(lane)
        wake?.yield()
    }

    /// A connection was made or made again: events its ad accounts held back (waiting for a
    /// reconnect, or backing off) leave now.
    public func connectionRestored(adAccountIDs: [String]) async {
        do {
            for lane in try await store.conversionsDueNow(adAccountIDs: adAccountIDs, now: clock.now()) { laneGained(lane) }
        } catch {
            logger.error("could not wake the conversions of a reconnected account", metadata: ["error": "\(error)"])
        }
    }

    /// The outbox of one ad account (every one when nil) and how delivery goes.
    public func stats(adAccountID: String?) async throws -> ConversionQueueStats {
        let now = clock.now()
        let counts = try await store.conversionCounts(adAccountID: adAccountID, now: now)
        // Batches in flight are `queued` in the store until their answer is stored.
        let flying = lanes.eventsInFlight(adAccountID: adAccountID)
        let percentiles = throughput.latencyPercentiles([0.5, 0.99])
        return ConversionQueueStats(
            queued: max(0, counts.queued - flying), inFlight: flying, sent: counts.sent, failed: counts.failed,
            duplicates: counts.duplicates, rejected: counts.rejected, eventsPerSecond: throughput.eventsPerSecond(at: now),
            latencyP50Milliseconds: percentiles[0], latencyP99Milliseconds: percentiles[1],
            oldestQueuedAge: counts.oldestQueuedAt.map { max(0, now.timeIntervalSince($0)) }, lastError: lastError)
    }

    // MARK: - Health

    /// Every lane that has queued events or met trouble since start: what its batches met, and
    /// since when its oldest queued event waits: the acceptance of its queue's head (one index
    /// seek per lane), or of an event that went back to the queue after a failure, if earlier.
    public func healthFacts() async throws -> [HealthFacts.ConversionLaneFacts] {
        let known = Array(lanes.lanes.union(laneRecords.keys))
        let heads = try await store.conversionQueueHeads(lanes: known)
        return known.map { lane in
            let record = laneRecords[lane] ?? ConversionLaneRecord()
            // Nothing queued: nothing waits, whatever failed before.
            let oldest = heads[lane].map { head in min(head, record.oldestFailedAcceptedAt ?? head) }
            return HealthFacts.ConversionLaneFacts(adAccountID: lane.adAccountID, test: lane.test, record: record, oldestQueuedAt: oldest)
        }
    }
}
