import Foundation

/// A connection's Pinterest calls as the daemon saw them since it started: kept in memory by
/// the TokenManager, through which every call made with the connection's token goes.
public struct PinterestCallRecord: Sendable, Equatable {
    public var lastAttemptAt: Date?
    public var lastSuccessAt: Date?
    /// The first failure after the last success: every call since has failed.
    public var failingSince: Date?
    public var failuresSinceSuccess = 0
    /// What the last failure was (Pinterest's error description; never a token).
    public var lastFailure: String?

    public init() {}

    /// Pinterest answered the call.
    public mutating func succeeded(at now: Date) {
        lastAttemptAt = now
        lastSuccessAt = now
        failingSince = nil
        failuresSinceSuccess = 0
        lastFailure = nil
    }

    /// The call did not get an answer Pinterest meant as a success.
    public mutating func failed(_ description: String, at now: Date) {
        lastAttemptAt = now
        if failingSince == nil { failingSince = now }
        failuresSinceSuccess += 1
        lastFailure = description
    }
}

/// What the batches of one conversions lane met since the daemon started: kept in memory by
/// the ConversionDispatcher.
public struct ConversionLaneRecord: Sendable, Equatable {
    /// Events Pinterest refused (per event in its answer, or the whole request) in one minute.
    public struct Refusal: Sendable, Equatable {
        /// The latest refusal of the minute.
        public var at: Date
        public var count: Int
        public var message: String

        public init(at: Date, count: Int, message: String) {
            self.at = at
            self.count = count
            self.message = message
        }
    }

    /// The minutes of refusals kept: an hour and more, enough for any window health looks at.
    static let refusalsKept = 64

    public var lastDeliveryAt: Date?
    /// The first failed batch after the last delivered one: every batch since has failed.
    public var failingSince: Date?
    public var lastFailureAt: Date?
    public var failuresSinceDelivery = 0
    public var lastFailure: String?
    /// The connection that needs a reconnect, when that is why the last batch failed.
    public var blockedByConnection: Int64?
    /// The earliest acceptance among the events of the batches that failed since the last
    /// delivery: they went back to the queue behind events due earlier, where the queue's
    /// head does not show them.
    public var oldestFailedAcceptedAt: Date?
    /// The most recent refusals, oldest first.
    public var refusals: [Refusal] = []

    public init() {}

    /// Pinterest answered a batch (some of its events may still have been refused).
    public mutating func delivered(at now: Date) {
        lastDeliveryAt = now
        failingSince = nil
        failuresSinceDelivery = 0
        lastFailure = nil
        blockedByConnection = nil
        oldestFailedAcceptedAt = nil
    }

    /// A batch did not get through and went back to the queue.
    public mutating func failed(
        _ description: String, blockedByConnection connection: Int64? = nil, oldestAccepted: Date? = nil, at now: Date
    ) {
        if failingSince == nil { failingSince = now }
        if let oldestAccepted { oldestFailedAcceptedAt = min(oldestFailedAcceptedAt ?? oldestAccepted, oldestAccepted) }
        lastFailureAt = now
        failuresSinceDelivery += 1
        lastFailure = description
        blockedByConnection = connection
    }

    /// Pinterest refused `count` events.
    public mutating func refused(_ count: Int, message: String, at now: Date) {
        guard count > 0 else { return }
        let minute = (now.timeIntervalSince1970 / 60).rounded(.down)
        if var last = refusals.last, (last.at.timeIntervalSince1970 / 60).rounded(.down) == minute {
            last.at = max(last.at, now)
            last.count += count
            last.message = message
            refusals[refusals.count - 1] = last
            return
        }
        refusals.append(Refusal(at: now, count: count, message: message))
        if refusals.count > Self.refusalsKept { refusals.removeFirst(refusals.count - Self.refusalsKept) }
    }
}
