import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import ServiceLifecycle

/// Takes conversion events into a durable outbox and sends them to Pinterest: per ad account
/// (and apart for `test` events), in batches of up to 1000 that leave when full or after a short
/// linger, several batches in flight at once, through the rate limiter. Pinterest's answer for
/// each event is stored in the same step as the batch's end, so after a crash only the batches
/// in flight can go twice (with the same event_id, which Pinterest drops).
public actor ConversionDispatcher: Service {
    public struct Configuration: Sendable {
        public var batchSize = 1000
        /// How long a batch that is not full waits for more events.
        public var linger: TimeInterval = 0.02
        /// Batches in flight at once per lane.
        public var maximumInFlight = 8
        public var dedupeWindow: TimeInterval = 48 * 3600
        public init() {}
    }

    static let maximumEventsPerRequest = 10_000

    private let store: Store
    private let tokens: TokenManager
    private let client: PinterestClient
    private let clock: any WallClock
    private let logger: Logger
    private let configuration: Configuration
    private var inFlight: [ConversionLane: Int] = [:]
    /// The events of the batches in flight, per lane. They stay `queued` in the database until
    /// Pinterest's answer is stored (so a crash sends them again): batches are taken around them.
    private var inFlightIDs: [ConversionLane: Set<Int64>] = [:]
    /// Lanes that may have queued events: added on acceptance, dropped when found empty.
    private var lanes: Set<ConversionLane> = []
    /// Rises whenever a lane may have gained work (acceptance, a batch's end), so a lane read as
    /// empty before an await is dropped only if nothing happened to it meanwhile.
    private var laneGeneration: [ConversionLane: Int] = [:]
    private var wake: AsyncStream<Void>.Continuation?
    private var timer: Task<Void, Never>?
    private var timerDue: Date?
    private var senders: [Int: Task<Void, Never>] = [:]
    private var nextSender = 0
    private var stopping = false
    /// Milliseconds from acceptance to Pinterest's answer, of the most recent events.
    private var latencies: [Double] = []
    private var latencyCursor = 0
    private var lastError: String?
    /// What each lane's batches met since start, for `system.health`.
    private var laneRecords: [ConversionLane: ConversionLaneRecord] = [:]
    /// Events answered per second over the last minute (ring of 60 one-second buckets).
    private var answeredPerSecond = [Int](repeating: 0, count: 60)
    private var answeredSecond: Int64 = 0
    private var lastPrune = Date.distantPast
    /// The requeue of batches in flight at the last stop could not be written at start (a full
    /// state directory): nothing is sent until it is.
    private var recoveryPending = false

    public init(
        store: Store, tokens: TokenManager, client: PinterestClient, clock: any WallClock, logger: Logger,
        configuration: Configuration = Configuration()
    ) {
        self.store = store
        self.tokens = tokens
        self.client = client
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
    }

    // MARK: - Acceptance

    /// Checks, hashes and stores the events off the actor (requests are worked on in parallel);
    /// only the lane's bookkeeping hops onto it.
    public nonisolated func send(_ request: SendConversionsRequest) async throws -> SendConversionsResult {
        guard (1...Self.maximumEventsPerRequest).contains(request.events.count) else {
            throw ResponseError.invalidArgument(
                field: "events", reason: "1 to \(Self.maximumEventsPerRequest) per request, got \(request.events.count); send more in chunks")
        }
        let adAccountID = try await tokens.resolve(adAccountID: request.adAccountId).adAccountID
        let normalizer = ConversionNormalizer(now: clock.now())
        var prepared: [NewConversion] = []
        prepared.reserveCapacity(request.events.count)
        var rejected: [RejectedEvent] = []
        for (index, event) in request.events.enumerated() {
            switch normalizer.prepare(event) {
            case .accepted(let event): prepared.append(NewConversion(eventName: event.eventName, eventID: event.eventID, body: event.body))
            case .rejected(let reason): rejected.append(RejectedEvent(index: index, reason: reason))
            }
        }
        let lane = ConversionLane(adAccountID: adAccountID, test: request.test ?? false)
        let (accepted, duplicates) = try await store.enqueueConversions(
            prepared, lane: lane, rejected: rejected.count, now: clock.now(), dedupeWindow: configuration.dedupeWindow)
        if accepted > 0 { await laneGained(lane) }
        return SendConversionsResult(accepted: accepted, duplicates: duplicates, rejected: rejected)
    }

    private func laneGained(_ lane: ConversionLane) {
        lanes.insert(lane)
        laneGeneration[lane, default: 0] += 1
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

    public func stats(_ request: ConversionStatsRequest) async throws -> ConversionStats {
        let now = clock.now()
        var counts = try await store.conversionCounts(adAccountID: request.adAccountId, now: now)
        // Batches in flight are `queued` in the database until their answer is stored.
        let flying = inFlightIDs.filter { request.adAccountId == nil || $0.key.adAccountID == request.adAccountId }.values.reduce(0) { $0 + $1.count }
        counts.inFlight += flying
        counts.queued = max(0, counts.queued - flying)
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        return ConversionStats(
            queued: counts.queued, inFlight: counts.inFlight, sent: counts.sent, failed: counts.failed, duplicates: counts.duplicates,
            rejected: counts.rejected, eventsPerSecond: Double(answeredLastMinute(now)) / 60, latencyP50Ms: percentile(0.5),
            latencyP99Ms: percentile(0.99), oldestQueuedAgeSeconds: counts.oldestQueuedAt.map { max(0, now.timeIntervalSince($0)) },
            lastError: lastError)
    }

    // MARK: - Health

    /// Every lane that has queued events or met trouble since start: what its batches met, and
    /// since when its oldest queued event waits: the acceptance of its queue's head (one index
    /// seek per lane), or of an event that went back to the queue after a failure, if earlier.
    public func healthFacts() async throws -> [HealthFacts.ConversionLaneFacts] {
        let known = Array(lanes.union(laneRecords.keys))
        let heads = try await store.conversionQueueHeads(lanes: known)
        return known.map { lane in
            let record = laneRecords[lane] ?? ConversionLaneRecord()
            // Nothing queued: nothing waits, whatever failed before.
            let oldest = heads[lane].map { head in min(head, record.oldestFailedAcceptedAt ?? head) }
            return HealthFacts.ConversionLaneFacts(adAccountID: lane.adAccountID, test: lane.test, record: record, oldestQueuedAt: oldest)
        }
    }

    // MARK: - Dispatch

    public func run() async throws {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        do {
            try await recoverInFlight()
        } catch let error where store.unavailability(error) != nil {
            // A full (or failing) state directory must not stop the daemon: tried again before
            // each pump until it is written.
            recoveryPending = true
            logger.warning(
                "could not queue again the conversion batches in flight at the last stop; trying again until the store can write",
                metadata: ["error": "\(error)"])
        }
        lanes.formUnion(try await store.conversionLanes())
        continuation.yield()
        await withGracefulShutdownHandler {
            for await _ in signals { await self.pump() }
        } onGracefulShutdown: {
            continuation.finish()
        }
        stopping = true
        timer?.cancel()
        // Batches in flight finish (or are cut off by the shutdown bound and queued again at the next start).
        for sender in senders.values { await sender.value }
    }

    private func recoverInFlight() async throws {
        let recovered = try await store.recoverInFlightConversions(now: clock.now())
        if recovered > 0 { logger.notice("conversion batches in flight at the last stop are queued again", metadata: ["events": "\(recovered)"]) }
    }

    /// Starts every batch that may leave now, and sets a timer for the next that will.
    private func pump() async {
        guard !stopping else { return }
        let now = clock.now()
        if recoveryPending {
            do {
                try await recoverInFlight()
                recoveryPending = false
            } catch {
                arm(at: now.addingTimeInterval(1))
                return
            }
        }
        await pruneIfDue(now)
        var next: Date?
        for lane in lanes {
            let generation = laneGeneration[lane, default: 0]
            let backlog: LaneBacklog
            do {
                backlog = try await store.conversionBacklog(
                    lane: lane, now: now, limit: configuration.batchSize, excluding: inFlightIDs[lane] ?? [])
            } catch {
                logger.error("could not read the conversions outbox; trying again in 1 s", metadata: ["error": "\(error)"])
                arm(at: now.addingTimeInterval(1))
                return
            }
            if let retry = backlog.nextRetryAt { next = min(next ?? retry, retry) }
            guard backlog.due > 0, let oldest = backlog.oldestDueAt else {
                if backlog.nextRetryAt == nil, (inFlight[lane] ?? 0) == 0, laneGeneration[lane, default: 0] == generation {
                    lanes.remove(lane)
                }
                continue
            }
            var due = backlog.due
            while due > 0, (inFlight[lane] ?? 0) < configuration.maximumInFlight {
                let leaveAt = oldest.addingTimeInterval(configuration.linger)
                guard due >= configuration.batchSize || leaveAt <= now else {
                    next = min(next ?? leaveAt, leaveAt)
                    break
                }
                do {
                    guard
                        let batch = try await store.claimConversions(
                            lane: lane, limit: configuration.batchSize, now: now, excluding: inFlightIDs[lane] ?? [])
                    else { break }
                    start(batch)
                    // More may be due behind this batch: look again when the loop ends.
                    due = batch.ids.count == configuration.batchSize ? configuration.batchSize : 0
                    if due > 0 { wake?.yield() }
                    break
                } catch {
                    logger.error("could not take a conversion batch", metadata: ["error": "\(error)"])
                    break
                }
            }
        }
        if let next { arm(at: next) }
    }

    private func arm(at date: Date) {
        if let due = timerDue, due <= date, timer != nil { return }
        timer?.cancel()
        timerDue = date
        let clock = self.clock
        let wake = self.wake
        timer = Task {
            do {
                try await clock.sleep(until: date)
                self.timerFired()
                wake?.yield()
            } catch {}
        }
    }

    private func timerFired() {
        timer = nil
        timerDue = nil
    }

    private func start(_ batch: ConversionBatch) {
        inFlight[batch.lane, default: 0] += 1
        inFlightIDs[batch.lane, default: []].formUnion(batch.ids)
        let id = nextSender
        nextSender += 1
        senders[id] = Task {
            await self.deliver(batch)
            self.finished(id, batch: batch)
        }
    }

    /// After the batch's outcome is stored (or it went back to the queue): its events may be
    /// taken again only from here on.
    private func finished(_ id: Int, batch: ConversionBatch) {
        let lane = batch.lane
        senders[id] = nil
        inFlight[lane, default: 1] -= 1
        inFlightIDs[lane]?.subtract(batch.ids)
        if inFlightIDs[lane]?.isEmpty == true { inFlightIDs[lane] = nil }
        lanes.insert(lane)
        laneGeneration[lane, default: 0] += 1
        wake?.yield()
    }

    /// Sends one batch and stores what became of each event.
    private func deliver(_ batch: ConversionBatch) async {
        let client = self.client
        let lane = batch.lane
        do {
            var answer: ConversionResponse?
            if let conversionToken = try await tokens.conversionToken(adAccountID: lane.adAccountID) {
                do {
                    answer = try await client.sendEncodedEvents(token: conversionToken, adAccountID: lane.adAccountID, events: batch.bodies, test: lane.test)
                } catch PinterestError.unauthorized(let status, _, let message, _) where status == 401 {
                    // Refused (revoked in Ads Manager, say): not retried with it again.
                    try await tokens.dropConversionToken(adAccountID: lane.adAccountID, reason: message)
                    lastError = "the conversion token of ad account \(lane.adAccountID) was refused (\(message)); using the OAuth token"
                }
            }
            if answer == nil {
                let connectionID = try await tokens.resolve(adAccountID: lane.adAccountID).connectionID
                answer = try await tokens.withToken(connectionID: connectionID) { token in
                    try await client.sendEncodedEvents(token: token, adAccountID: lane.adAccountID, events: batch.bodies, test: lane.test)
                }
            }
            guard let answer else { return }
            let now = clock.now()
            let outcomes = answer.events.map { status -> (sent: Bool, message: String?) in
                status.status == "failed" ? (false, status.errorMessage ?? "failed") : (true, status.warningMessage)
            }
            try await store.completeConversions(ids: batch.ids, outcomes: outcomes, now: now)
            record(latencies: batch.acceptedAt.map { now.timeIntervalSince($0) * 1000 })
            countAnswered(batch.ids.count, at: now)
            laneRecords[lane, default: ConversionLaneRecord()].delivered(at: now)
            let failures = outcomes.filter { !$0.sent }.count
            if failures > 0 {
                let message = outcomes.first { !$0.sent }?.message ?? ""
                lastError = "\(failures) of \(batch.ids.count) events refused by Pinterest: \(message)"
                laneRecords[lane, default: ConversionLaneRecord()].refused(failures, message: message, at: now)
            }
        } catch let error as PinterestError where Self.refusesTheRequest(error) {
            // The whole request was refused (its body, the account): not retried as is.
            lastError = error.description
            laneRecords[lane, default: ConversionLaneRecord()].refused(batch.ids.count, message: error.description, at: clock.now())
            logger.error("Pinterest refused a conversion batch", metadata: ["events": "\(batch.ids.count)", "error": "\(error)"])
            try? await store.completeConversions(
                ids: batch.ids, outcomes: Array(repeating: (false, error.description), count: batch.ids.count), now: clock.now())
        } catch is CancellationError {
            try? await store.requeueConversions(ids: batch.ids, retryAt: clock.now(), message: nil, countAttempt: false)
        } catch {
            // Transient (5xx, timeout, connection), or the connection needs a reconnect: the
            // events stay queued, retried with backoff; other batches go on meanwhile.
            let attempts = batch.attempts.max() ?? 0
            let delay = error is ConnectionUnavailable ? 5 : min(60, pow(2, Double(attempts)))
            lastError = "\(error)"
            laneRecords[lane, default: ConversionLaneRecord()].failed(
                "\(error)", blockedByConnection: (error as? ConnectionUnavailable)?.connectionID, oldestAccepted: batch.acceptedAt.min(),
                at: clock.now())
            logger.warning(
                "a conversion batch did not get through; retrying", metadata: ["events": "\(batch.ids.count)", "in": "\(delay)s", "error": "\(error)"])
            do {
                try await store.requeueConversions(
                    ids: batch.ids, retryAt: clock.now().addingTimeInterval(delay), message: "\(error)", countAttempt: !(error is ConnectionUnavailable))
            } catch {
                // The store cannot write (a full disk, say): the events are still queued in it,
                // so once this batch leaves the flight they would go again at once, and again.
                // It stays in flight for the delay instead, so Pinterest is not hammered.
                logger.error("could not store a conversion batch's outcome; holding it", metadata: ["in": "\(delay)s", "error": "\(error)"])
                try? await clock.sleep(until: clock.now().addingTimeInterval(delay))
            }
        }
    }

    /// A refusal of the request itself (4xx other than 401/429): sending it again cannot help.
    /// Anything else (a garbled answer, a 401 after the refresh) goes back to the queue.
    static func refusesTheRequest(_ error: PinterestError) -> Bool {
        switch error {
        case .rejected, .invalidRequest: return true
        case .unauthorized(let status, _, _, _): return status == 403
        default: return false
        }
    }

    private func countAnswered(_ count: Int, at now: Date) {
        let second = Int64(now.timeIntervalSince1970)
        if second != answeredSecond {
            // Clear the buckets of the seconds that passed without answers.
            for skipped in (answeredSecond + 1)...max(answeredSecond + 1, min(second, answeredSecond + 60)) {
                answeredPerSecond[Int(skipped % 60)] = 0
            }
            answeredSecond = second
        }
        answeredPerSecond[Int(second % 60)] += count
    }

    private func answeredLastMinute(_ now: Date) -> Int {
        Int64(now.timeIntervalSince1970) - answeredSecond >= 60 ? 0 : answeredPerSecond.reduce(0, +)
    }

    private func record(latencies values: [Double]) {
        let capacity = 100_000
        for value in values {
            if latencies.count < capacity {
                latencies.append(value)
            } else {
                latencies[latencyCursor] = value
                latencyCursor = (latencyCursor + 1) % capacity
            }
        }
    }

    private func pruneIfDue(_ now: Date) async {
        guard now.timeIntervalSince(lastPrune) > 600 else { return }
        lastPrune = now
        do {
            let pruned = try await store.pruneConversions(before: now.addingTimeInterval(-configuration.dedupeWindow))
            if pruned > 0 { logger.info("pruned answered conversion events past the dedup window", metadata: ["events": "\(pruned)"]) }
        } catch {
            logger.error("could not prune the conversions outbox", metadata: ["error": "\(error)"])
        }
    }
}
