import Foundation
import PinAdsStore

/// The decisions of an activation's sync, without I/O: where a sync starts, what follows a
/// chunk, and whether a write whose answer was lost reached Pinterest.
struct ActivationSyncPlan: Sendable, Equatable {
    /// Pinterest needs at least this many people in a list; fewer are not sent.
    var minimumMembers = 100
    /// Records per customer-list request.
    var recordsPerRequest = 10_000
    /// How long after a write was sent its outcome is checked: a request cut off by a crash may
    /// still be processed by Pinterest for a moment, and a check before that would resend it.
    var settleTime: TimeInterval = 2

    enum Start: Equatable {
        /// An operation was under way (the daemon stopped, or an attempt failed): go on with it.
        case resume(SyncOperation)
        /// Nothing was ever sent and the audience is too small to create a list.
        case notEnoughMembers(has: Int)
        /// Pinterest has every change already.
        case upToDate
        case begin(SyncOperation)
    }

    func start(_ activation: ActivationRecord, audienceVersion: Int64, memberCount: Int) -> Start {
        if let operation = activation.operation { return .resume(operation) }
        if activation.customerListID == nil, memberCount < minimumMembers { return .notEnoughMembers(has: memberCount) }
        if activation.isUpToDate(audienceVersion: audienceVersion) { return .upToDate }
        return .begin(SyncOperation(targetVersion: audienceVersion))
    }

    /// The phase after `phase` ran out of members. Removals are skipped on the first sync: the
    /// list is new, so a member removed before it was ever sent needs no request.
    func phase(after phase: SyncOperation.Phase, firstSync: Bool) -> SyncOperation.Phase {
        switch phase {
        case .add: return firstSync ? .audience : .remove
        case .remove, .audience: return .audience
        }
    }

    /// Whether a list write whose outcome was not recorded reached Pinterest: Pinterest counts
    /// every record it receives (`num_uploaded_user_records` for ADD, `num_removed_user_records`
    /// for REMOVE, duplicates included), so the counter has grown by at least the request's
    /// records if, and only if, the request landed (the list is this activation's alone).
    static func landed(_ pending: PendingWrite, counterNow: Int) -> Bool {
        counterNow >= pending.counterBefore + pending.count
    }

    func checkTime(of pending: PendingWrite) -> Date {
        pending.startedAt.addingTimeInterval(settleTime)
    }

    // MARK: - Giving up

    enum AfterGivingUp: Equatable {
        /// Pinterest has every change: the sync had committed before its job was cut short (or
        /// the failures were only of reading statuses back). No other sync is needed.
        case nothingLeft
        /// Changes are left: another sync in `delay`, the `round`th in a row that gave up.
        case retry(round: Int, delay: TimeInterval)
    }

    /// What follows when a sync job gave up, its attempts all failed transiently or cut short
    /// by restarts. Rounds count such syncs in a row; a successful sync resets them.
    func afterGivingUp(_ activation: ActivationRecord, audienceVersion: Int64) -> AfterGivingUp {
        if activation.isUpToDate(audienceVersion: audienceVersion) { return .nothingLeft }
        let round = max(0, activation.retryRound) + 1
        return .retry(round: round, delay: Self.retryDelay(round: round))
    }

    /// The wait before the next sync after `round` syncs in a row gave up: 1 min, doubling, up
    /// to a day (the daily sync_all's pace).
    static func retryDelay(round: Int) -> TimeInterval {
        Backoff(base: 60, cap: 86_400).delay(afterFailures: max(1, round))
    }

    /// "in 8 min", "in 5 s", "now": when a sync due in `interval` starts, for an activation's error.
    static func startsIn(_ interval: TimeInterval) -> String {
        if interval < 0.5 { return "now" }
        if interval < 59.5 { return "in \(Int(interval.rounded())) s" }
        return "in \(Int((interval / 60).rounded())) min"
    }
}
