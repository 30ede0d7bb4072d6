import Foundation
import PinAdsStore

/// The dispatcher's decisions, apart from its I/O: which lanes to look at and in what order,
/// whether a lane's batch may leave now (full, or its linger over) or when to look again, how
/// many batches fly at once, when a failed batch is due again, and when the one timer rings.
/// Pure: it is told what the store holds and what the senders did, and answers with steps;
/// the actor reads and writes the store and runs the senders. Tested on a manual clock.
struct ConversionLanes: Sendable {
    struct Limits: Sendable, Equatable {
        var batchSize: Int
        /// How long a batch that is not full waits for more events.
        var linger: TimeInterval
        /// Batches in flight at once per lane.
        var maximumInFlight: Int
        /// Batches in flight at once over every lane; nil for no limit beyond the lanes'.
        var maximumInFlightOverall: Int?
        /// Waits after failed sends: exponential in the batch's attempts.
        var retry = Backoff(base: 1, cap: 60)
        /// The wait of a batch whose connection needs a reconnect (a reconnect wakes it earlier).
        var reconnectWait: TimeInterval = 5
    }

    /// A lane to look at, as it stood when the pass began.
    struct Look: Sendable, Equatable {
        var lane: ConversionLane
        /// Compared when the lane's backlog is read: a lane read as empty is dropped only if
        /// nothing happened to it meanwhile.
        var generation: Int
    }

    /// What to do for a lane after reading its backlog.
    enum Step: Sendable, Equatable {
        /// Take a batch of up to `batchSize` due events, leaving out those in flight.
        case take
        /// Nothing leaves now.
        case wait
    }

    /// A batch in flight, to hand back when it lands.
    struct Flight: Sendable, Hashable {
        var lane: ConversionLane
        var number: Int
    }

    /// Why a batch failed, as far as its next attempt goes.
    enum Failure: Sendable, Equatable {
        /// Pinterest or the network failed (a 5xx, a timeout): retried with backoff.
        case transient
        /// The connection needs a reconnect: retried after a short wait, or at the reconnect.
        case connectionUnavailable
    }

    let limits: Limits
    private var known: Set<ConversionLane> = []
    private var generations: [ConversionLane: Int] = [:]
    /// The events of each batch in flight, per lane. They stay `queued` in the store until the
    /// batch's answer is stored, so batches are taken around them.
    private var flights: [ConversionLane: [Int: Set<Int64>]] = [:]
    private var nextFlight = 0
    /// When each lane last took a batch (a flight's number): the one served longest ago goes first.
    private var served: [ConversionLane: Int] = [:]
    private var alarm: Date?

    init(limits: Limits) { self.limits = limits }

    // MARK: - What happens to lanes

    /// A lane may have gained work (events accepted, a reconnect, found at start): the caller
    /// wakes the pump.
    mutating func gained(_ lane: ConversionLane) {
        known.insert(lane)
        generations[lane, default: 0] += 1
    }

    /// The lanes to look at in one pass: those with the fewest batches in flight first, then
    /// the one served longest ago, so that when the overall limit binds every lane gets its turn.
    func looks() -> [Look] {
        known.map { Look(lane: $0, generation: generations[$0, default: 0]) }.sorted { a, b in
            let (x, y) = (inFlight(a.lane), inFlight(b.lane))
            if x != y { return x < y }
            let (p, q) = (served[a.lane] ?? -1, served[b.lane] ?? -1)
            if p != q { return p < q }
            if a.lane.adAccountID != b.lane.adAccountID { return a.lane.adAccountID < b.lane.adAccountID }
            return !a.lane.test && b.lane.test
        }
    }

    /// Decides for a lane from what is due in it, and says when to look again if nothing can
    /// leave now and something will (a linger's end, a retry coming due).
    mutating func read(_ backlog: LaneBacklog, look: Look, now: Date) -> (step: Step, lookAgainAt: Date?) {
        let lane = look.lane
        var again = backlog.nextRetryAt
        guard backlog.due > 0, let oldest = backlog.oldestDueAt else {
            if backlog.nextRetryAt == nil, inFlight(lane) == 0, generations[lane, default: 0] == look.generation {
                known.remove(lane)
                generations[lane] = nil
                served[lane] = nil
            }
            return (.wait, again)
        }
        // A landing wakes the pump: no time to look again at for a full flight.
        guard inFlight(lane) < limits.maximumInFlight, !overallLimitReached else { return (.wait, again) }
        let leaveAt = oldest.addingTimeInterval(limits.linger)
        guard backlog.due >= limits.batchSize || leaveAt <= now else {
            again = min(again ?? leaveAt, leaveAt)
            return (.wait, again)
        }
        return (.take, again)
    }

    /// The events left out of a lane's next batch: those of its batches in flight.
    func excluded(from lane: ConversionLane) -> Set<Int64> {
        guard let batches = flights[lane] else { return [] }
        if batches.count == 1, let only = batches.first { return only.value }
        return batches.values.reduce(into: Set<Int64>()) { $0.formUnion($1) }
    }

    /// A batch was taken: it flies until `landed`. `lookAgain` when it was full (more may be due
    /// behind it).
    mutating func took(_ batch: ConversionBatch) -> (flight: Flight, lookAgain: Bool) {
        let flight = Flight(lane: batch.lane, number: nextFlight)
        nextFlight += 1
        flights[batch.lane, default: [:]][flight.number] = Set(batch.ids)
        served[batch.lane] = flight.number
        return (flight, batch.ids.count >= limits.batchSize)
    }

    /// A batch's outcome is stored (or it went back to the queue): its events may be taken
    /// again from here on, and its lane (and any waiting for a free flight) may send: the
    /// caller wakes the pump.
    mutating func landed(_ flight: Flight) {
        flights[flight.lane]?[flight.number] = nil
        if flights[flight.lane]?.isEmpty == true { flights[flight.lane] = nil }
        gained(flight.lane)
    }

    // MARK: - Counts

    func inFlight(_ lane: ConversionLane) -> Int { flights[lane]?.count ?? 0 }

    var inFlightOverall: Int { flights.values.reduce(0) { $0 + $1.count } }

    private var overallLimitReached: Bool {
        guard let overall = limits.maximumInFlightOverall else { return false }
        return inFlightOverall >= overall
    }

    /// Events in flight, of one ad account or of all.
    func eventsInFlight(adAccountID: String?) -> Int {
        flights.reduce(0) { sum, entry in
            guard adAccountID == nil || entry.key.adAccountID == adAccountID else { return sum }
            return sum + entry.value.values.reduce(0) { $0 + $1.count }
        }
    }

    /// The outbox ids of the events in flight, of one ad account or of all.
    func idsInFlight(adAccountID: String?) -> Set<Int64> {
        var ids = Set<Int64>()
        for (lane, batches) in flights where adAccountID == nil || lane.adAccountID == adAccountID {
            for batch in batches.values { ids.formUnion(batch) }
        }
        return ids
    }

    var lanes: Set<ConversionLane> { known }

    // MARK: - Time

    /// When a failed batch is due again: `attempts` is the most any of its events was tried.
    func retryDelay(after failure: Failure, attempts: Int, random: Double = 0) -> TimeInterval {
        switch failure {
        case .connectionUnavailable: return limits.reconnectWait
        case .transient: return limits.retry.delay(afterFailures: attempts + 1, random: random)
        }
    }

    /// The pump should run again at `date`: the time to set the timer for, or nil when it is
    /// already set for then or earlier.
    mutating func wake(at date: Date) -> Date? {
        if let alarm, alarm <= date { return nil }
        alarm = date
        return date
    }

    /// The timer rang (or was dropped): the next `wake(at:)` sets it whatever its time.
    mutating func alarmRang() { alarm = nil }
}
