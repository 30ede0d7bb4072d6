import Foundation
import NIOCore

/// Everything the simulated Pinterest knows. It lives behind one lock in ``SandboxEngine``;
/// every method here runs with that lock held, so none of them may block or do I/O.
struct SandboxState: Sendable {
    let configuration: SandboxConfiguration

    /// Seconds added to the wall clock by ``PinterestSandbox/advanceClock(by:)``.
    var clockOffset: Int64 = 0
    var idCounters: [IDKind: UInt64] = [:]

    var users: [String: UserRecord] = [:]
    var accessTokens: [String: AccessTokenRecord] = [:]
    var refreshTokens: [String: RefreshTokenRecord] = [:]
    var conversionTokens: [String: ConversionTokenRecord] = [:]
    var authorizationCodes: [String: AuthorizationCodeRecord] = [:]
    var usedAuthorizationCodes: Set<String> = []
    var adAccounts: [String: AdAccountRecord] = [:]
    /// Who approves the next `GET /oauth/` requests.
    var authorizer = SandboxAuthorizer.default

    var customerLists: [String: CustomerListRecord] = [:]
    var audiences: [String: AudienceRecord] = [:]
    var campaigns: [String: CampaignRecord] = [:]
    var adGroups: [String: AdGroupRecord] = [:]
    var ads: [String: AdRecord] = [:]
    var conversionTags: [String: ConversionTagRecord] = [:]
    var keywords: [String: KeywordRecord] = [:]
    /// Ids per ad account in creation (= ascending id) order, per object family.
    var idsByAccount: [IDKind: [String: [String]]] = [:]

    /// First sighting (sandbox seconds) per ad account, event_name and event_id.
    var eventSightings: [String: Int64] = [:]

    var faults: [SandboxFault] = []
    /// The next real events Pinterest would refuse for a reason no client can check (an
    /// expired click id, an account-level rule): `POST /_sandbox/events/refuse`.
    var eventRefusals: (remaining: Int, message: String)?
    var stats = SandboxStats()
    var recentRequests = SlidingWindow(lengthNanoseconds: 1_000_000_000)
    var rateLimiter: RateLimiter

    init(configuration: SandboxConfiguration) {
        self.configuration = configuration
        rateLimiter = RateLimiter(
            requestsPerSecond: configuration.requestsPerSecondPerToken,
            categoryLimitsPerMinute: configuration.categoryLimitsPerMinute)
    }

    /// Forgets everything but the configuration and the connection counters.
    mutating func reset() {
        var fresh = SandboxState(configuration: configuration)
        fresh.stats.tcpConnectionsTotal = stats.tcpConnectionsTotal
        fresh.stats.tcpConnectionsOpen = stats.tcpConnectionsOpen
        self = fresh
    }

    // MARK: Time and ids

    /// Sandbox time in Unix seconds: the wall clock plus every ``clockOffset`` advance.
    var now: Int64 { Int64(Date().timeIntervalSince1970) + clockOffset }

    mutating func mintID(_ kind: IDKind) -> String {
        let counter = idCounters[kind, default: 0] + 1
        idCounters[kind] = counter
        return String(kind.base + counter * kind.stride)
    }

    mutating func index(_ id: String, kind: IDKind, account: String) {
        idsByAccount[kind, default: [:]][account, default: []].append(id)
    }

    func ids(_ kind: IDKind, account: String) -> [String] {
        idsByAccount[kind]?[account] ?? []
    }

    static func randomToken(prefix: String, length: Int = 48) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Users and tokens

    struct TokenPair {
        var accessToken: String
        var refreshToken: String
        var expiresIn: Int
        var refreshExpiresIn: Int
        var refreshExpiresAt: Int64
        var scopes: [String]
    }

    /// A new token pair for `userID`. The access token carries `accessScopes` (default: the
    /// grant's `scopes`), the refresh token the grant's `scopes`.
    mutating func mintTokens(
        userID: String, scopes: [String] = PinterestScope.pinadsGrant, accessScopes: [String]? = nil,
        accessLifetime: Int? = nil, refreshLifetime: Int? = nil
    ) -> TokenPair {
        let accessLifetime = accessLifetime ?? configuration.accessTokenLifetime
        let refreshLifetime = refreshLifetime ?? configuration.refreshTokenLifetime
        let access = SandboxState.randomToken(prefix: "pina_")
        let refresh = SandboxState.randomToken(prefix: "pinr_")
        let issued = now
        let accessScopes = accessScopes ?? scopes
        accessTokens[access] = AccessTokenRecord(
            userID: userID, expiresAt: issued + Int64(accessLifetime), scopes: accessScopes)
        refreshTokens[refresh] = RefreshTokenRecord(
            userID: userID, expiresAt: issued + Int64(refreshLifetime), scopes: scopes)
        return TokenPair(
            accessToken: access, refreshToken: refresh, expiresIn: accessLifetime, refreshExpiresIn: refreshLifetime,
            refreshExpiresAt: issued + Int64(refreshLifetime), scopes: accessScopes)
    }

    /// Mints a conversion token for `userID`: no expiry, independent of the access token it was
    /// minted with (revoking or refreshing that one leaves it valid).
    mutating func mintConversionToken(userID: String) -> String {
        let token = SandboxState.randomToken(prefix: "pinc_")
        conversionTokens[token] = ConversionTokenRecord(userID: userID)
        return token
    }

    /// The user of a valid (known, unrevoked, unexpired) access token, else nil.
    func userOfValidAccessToken(_ token: String) -> String? {
        guard let record = accessTokens[token], !record.revoked, now < record.expiresAt else { return nil }
        return record.userID
    }

    /// Revokes an access, refresh or conversion token; returns whether it existed.
    mutating func revoke(token: String) -> Bool {
        if accessTokens[token] != nil {
            accessTokens[token]?.revoked = true
            return true
        }
        if refreshTokens[token] != nil {
            refreshTokens[token]?.revoked = true
            return true
        }
        if conversionTokens[token] != nil {
            conversionTokens[token]?.revoked = true
            return true
        }
        return false
    }

    /// Who a valid `Authorization: Bearer` token speaks for.
    struct Bearer {
        var userID: String
        /// The access token's scopes; nil for a conversion token (its own security scheme).
        var scopes: [String]?
    }

    /// The user of a valid `Authorization: Bearer` token for `operation`: an access token, or for
    /// `events/create` also a conversion token. A conversion token sent to any other operation is
    /// refused exactly like an unknown token.
    func authenticate(_ authorization: String?, operation: Operation) throws(APIError) -> Bearer {
        guard let authorization, !authorization.isEmpty else {
            throw .authenticationFailed("missing Authorization header.")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .authenticationFailed("expected a Bearer token.")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        if operation.acceptsConversionToken, let conversion = conversionTokens[token] {
            guard !conversion.revoked else { throw .authenticationFailed("conversion token revoked.") }
            return Bearer(userID: conversion.userID, scopes: nil)
        }
        guard let record = accessTokens[token] else { throw .authenticationFailed("invalid access token.") }
        guard !record.revoked else { throw .authenticationFailed("access token revoked.") }
        guard now < record.expiresAt else { throw .authenticationFailed("access token expired.") }
        return Bearer(userID: record.userID, scopes: record.scopes)
    }

    /// The ad account in the path, if the user may use it (owner or Business Access): 404 when it
    /// does not exist, 403 when the user has no access to it.
    func account(_ id: String?, for userID: String) throws(APIError) -> AdAccountRecord {
        guard let id, let account = adAccounts[id] else { throw .notFound("Ad account") }
        guard account.permissions(of: userID) != nil else { throw .notPermitted }
        return account
    }

    // MARK: Statistics

    mutating func countRequest(operation: Operation?, at monotonicNow: UInt64) {
        stats.requestsTotal += 1
        if let operation { stats.byOperation[operation.rawValue, default: 0] += 1 }
        recentRequests.add(monotonicNow)
        stats.maxRequestsInAnySecond = max(stats.maxRequestsInAnySecond, recentRequests.count(at: monotonicNow))
    }

    mutating func countStatus(_ status: Int) {
        stats.byStatus[status, default: 0] += 1
    }

    var currentStats: SandboxStats {
        var snapshot = stats
        snapshot.customerLists = customerLists.count
        snapshot.audiences = audiences.count
        snapshot.campaigns = campaigns.count
        snapshot.adGroups = adGroups.count
        snapshot.ads = ads.count
        snapshot.conversionTags = conversionTags.count
        snapshot.keywords = keywords.count
        return snapshot
    }

    // MARK: Faults

    /// Takes one use of the first injected fault that matches `path`.
    mutating func takeFault(path: String) -> SandboxFault? {
        for index in faults.indices {
            let fault = faults[index]
            guard fault.count > 0, fault.pathContains.map({ path.contains($0) }) ?? true else { continue }
            if fault.probability < 1, Double.random(in: 0..<1) >= fault.probability { continue }
            faults[index].count -= 1
            if faults[index].count <= 0 { faults.remove(at: index) }
            return fault
        }
        return nil
    }
}
