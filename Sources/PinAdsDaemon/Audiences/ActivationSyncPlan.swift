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
        if audienceVersion <= activation.syncedVersion, activation.customerListID != nil, activation.pinterestAudienceID != nil {
            return .upToDate
        }
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
}
