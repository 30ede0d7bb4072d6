import Foundation

/// When a connection's tokens are renewed: the access token within `accessMargin` of its
/// expiry, or the refresh token within `refreshMargin` of its (continuous refresh tokens last
/// 60 days and are renewed by each refresh). Pure.
public struct RefreshPolicy: Sendable, Equatable {
    public var accessMargin: TimeInterval = 24 * 3600
    public var refreshMargin: TimeInterval = 7 * 24 * 3600

    public init() {}

    public func isDue(accessExpiresAt: Date?, refreshExpiresAt: Date?, now: Date) -> Bool {
        if let accessExpiresAt, accessExpiresAt.timeIntervalSince(now) <= accessMargin { return true }
        if let refreshExpiresAt, refreshExpiresAt.timeIntervalSince(now) <= refreshMargin { return true }
        return false
    }
}
