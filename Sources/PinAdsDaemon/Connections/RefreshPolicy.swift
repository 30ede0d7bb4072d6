import Foundation

/// When a connection's tokens are renewed, how failed refreshes are retried, and what a refusal
/// means. Pure: facts and a time in, a decision out.
///
/// Tokens are due when the access token is within `accessMargin` of its expiry, or the refresh
/// token within `refreshMargin` of its (continuous refresh tokens last 60 days and are renewed
/// by each refresh). A connection that does not know its access token's expiry (connected with
/// tokens and no `expires_in`) refreshes at once when it can: only Pinterest's answer tells the
/// expiry times, and without them nothing would renew the tokens before a 401, so an idle
/// connection would lose its 60-day refresh token unseen. (When only the refresh token's expiry
/// is unknown, the refresh due a day before the access token expires, at most 30 days away, well
/// inside the refresh token's 60, learns it.)
///
/// A refresh is recorded (durably) before it is sent, and the record is cleared when its outcome
/// is stored. A record that is still there at the next refresh means an earlier refresh got no
/// answer (a reset, a timeout, pinadsd killed meanwhile): Pinterest may have applied it and
/// rotated the pair, in which case the refresh token in hand is spent. If Pinterest then refuses
/// that refresh token, the refresh was lost, not revoked: the access token in hand (which the
/// rotation does not revoke) stays in use until Pinterest refuses it too.
public struct RefreshPolicy: Sendable, Equatable {
    public var accessMargin: TimeInterval = 24 * 3600
    public var refreshMargin: TimeInterval = 7 * 24 * 3600
    /// After a refresh that failed without a refusal (Pinterest unavailable, the answer lost), the
    /// next waits this long, doubling with each further failure up to `retryCap`, while the
    /// access token in hand is still valid.
    public var retryBase: TimeInterval = 5
    public var retryCap: TimeInterval = 3600

    public init() {}

    /// Whether the access token's expiry is unknown: then only a refresh can tell it.
    public static func expiryUnknown(accessExpiresAt: Date?) -> Bool { accessExpiresAt == nil }

    public func isDue(accessExpiresAt: Date?, refreshExpiresAt: Date?, now: Date) -> Bool {
        if let accessExpiresAt, accessExpiresAt.timeIntervalSince(now) <= accessMargin { return true }
        if let refreshExpiresAt, refreshExpiresAt.timeIntervalSince(now) <= refreshMargin { return true }
        return false
    }

    // MARK: - Before a token is handed out

    /// Failed refreshes of a connection since its last outcome (kept in memory).
    public struct Failures: Sendable, Equatable {
        public var count: Int
        public var lastAt: Date

        public init(count: Int, lastAt: Date) {
            self.count = count
            self.lastAt = lastAt
        }
    }

    /// What the daemon knows of a connection's tokens when it needs one.
    public struct Facts: Sendable, Equatable {
        public var accessExpiresAt: Date?
        public var refreshExpiresAt: Date?
        /// It holds a refresh token and app credentials.
        public var holdsRefreshToken: Bool
        /// Pinterest refused its refresh token after a lost answer: it cannot refresh any more.
        public var refreshLost: Bool
        public var failures: Failures?

        public init(
            accessExpiresAt: Date?, refreshExpiresAt: Date?, holdsRefreshToken: Bool = true, refreshLost: Bool = false,
            failures: Failures? = nil
        ) {
            self.accessExpiresAt = accessExpiresAt
            self.refreshExpiresAt = refreshExpiresAt
            self.holdsRefreshToken = holdsRefreshToken
            self.refreshLost = refreshLost
            self.failures = failures
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Use the access token in hand: nothing is due.
        case notDue
        /// Refresh now, then use the new token: it is due, or its expiry is unknown.
        case refresh
        /// Due, but the last refresh failed a moment ago: use the access token in hand; the next
        /// refresh is tried from `until`.
        case wait(until: Date)
        /// Due, but this connection cannot refresh (no refresh token or app credentials, or its
        /// refresh was lost): use the access token in hand until Pinterest refuses it.
        case cannotRefresh
    }

    public func decide(_ facts: Facts, now: Date) -> Decision {
        let canRefresh = facts.holdsRefreshToken && !facts.refreshLost
        // Unknown expiries are learned by a refresh; a connection that cannot refresh has nothing
        // due (it is refreshed by nobody, and said to be so where it is listed).
        let learnExpiries = canRefresh && Self.expiryUnknown(accessExpiresAt: facts.accessExpiresAt)
        guard learnExpiries || isDue(accessExpiresAt: facts.accessExpiresAt, refreshExpiresAt: facts.refreshExpiresAt, now: now) else {
            return .notDue
        }
        guard canRefresh else { return .cannotRefresh }
        // An expired access token is of no use: only a refresh can help, and each caller backs
        // off by itself.
        if let expiry = facts.accessExpiresAt, expiry <= now { return .refresh }
        if let failures = facts.failures {
            let next = failures.lastAt.addingTimeInterval(retryDelay(afterFailures: failures.count))
            if now < next { return .wait(until: next) }
        }
        return .refresh
    }

    /// The wait before the next refresh after `failures` failed ones: `retryBase`, doubling, at
    /// most `retryCap`.
    public func retryDelay(afterFailures failures: Int) -> TimeInterval {
        Backoff(base: retryBase, cap: retryCap).delay(afterFailures: failures)
    }

    // MARK: - After Pinterest refused

    /// What a refusal of the refresh token (a 4xx from `oauth/token`) means.
    public enum Refusal: Sendable, Equatable {
        /// The refresh token is spent by an earlier refresh whose answer was lost; the access
        /// token in hand stays in use. A person must reconnect before it expires (`reconnectBefore`,
        /// nil when its expiry is not known).
        case refreshLost(reconnectBefore: Date?)
        /// The tokens are refused: the connection needs a reconnect before it is used again.
        case unauthorized
    }

    /// - Parameters:
    ///   - unansweredSince: the record of an earlier refresh with no stored outcome, as it was
    ///     before this refresh was sent (nil: every earlier refresh got its answer).
    ///   - accessRefused: Pinterest has just refused the access token in hand (the refresh was
    ///     tried because of a 401).
    public func afterRefusal(unansweredSince: Date?, accessExpiresAt: Date?, accessRefused: Bool, now: Date) -> Refusal {
        guard unansweredSince != nil, !accessRefused else { return .unauthorized }
        if let accessExpiresAt, accessExpiresAt <= now { return .unauthorized }
        return .refreshLost(reconnectBefore: accessExpiresAt)
    }

    /// What a 401 on a call with the access token leads to.
    public enum AccessRefusal: Sendable, Equatable {
        /// Refresh once and retry the call once.
        case refreshAndRetry
        /// Nothing can renew the token: the connection needs a reconnect.
        case unauthorized
    }

    public func afterAccessRefused(holdsRefreshToken: Bool, refreshLost: Bool) -> AccessRefusal {
        holdsRefreshToken && !refreshLost ? .refreshAndRetry : .unauthorized
    }
}
