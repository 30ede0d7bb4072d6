import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import PinterestAPI

/// Why a connection cannot be used now. Jobs wait on `blockKey`; methods answer the mapped code.
public struct ConnectionUnavailable: Error, Sendable, CustomStringConvertible {
    public var connectionID: Int64
    public var reason: String
    /// Disconnected: no reconnect of this connection will come, so work for it stops.
    public var isPermanent = false
    public var blockKey: String { "connection:\(connectionID)" }
    public var description: String { "connection \(connectionID) needs a reconnect: \(reason)" }
}

/// A connection whose refresh was lost: an earlier refresh got no answer, and Pinterest then
/// refused the refresh token (it had most likely applied that refresh and rotated the pair). The
/// access token in hand is used until Pinterest refuses it; no refresh is tried until a reconnect.
public struct RefreshLost: Error, Sendable, CustomStringConvertible {
    public var connectionID: Int64
    /// What happened and when to reconnect by (no secret).
    public var reason: String
    public var description: String { "connection \(connectionID) cannot refresh its tokens: \(reason)" }
}

/// Whether a failed Pinterest write certainly had no effect: Pinterest refused it, or it was
/// never sent because the connection needs a reconnect. Otherwise the caller must look before
/// sending it again.
func certainlyNotApplied(_ error: any Error) -> Bool {
    if let error = error as? PinterestError { return error.certainlyNotApplied }
    return error is ConnectionUnavailable
}

/// Owns the Pinterest connections: validates and stores tokens (sealed), hands out valid access
/// tokens, refreshes them before they lapse (one refresh at a time per connection, shared by all
/// who need it), and turns a refused refresh into an `unauthorized` connection, unless it
/// followed a refresh whose answer was lost (see ``RefreshPolicy``): then the access token in
/// hand is used until Pinterest refuses it too.
public actor TokenManager {
    struct Tokens {
        var access: String
        var accessExpiresAt: Date?
        var refresh: String?
        var refreshExpiresAt: Date?
        var app: AppCredentials?
        /// The Pinterest user (`ConnectionRecord.rateLimitKey`): the rate limiter's key.
        var subject: String
        /// Set when its refresh was lost: it refreshes no more.
        var refreshLostAt: Date?

        var holdsRefreshToken: Bool { refresh != nil && app != nil }
    }

    let store: Store
    let vault: TokenVault
    let client: PinterestClient
    let clock: any WallClock
    let logger: Logger
    let policy: RefreshPolicy
    /// Told which user a newly connected token belongs to, so its calls share one limit.
    let limiter: RateLimiter?
    /// The daemon's own app credentials, for connections that brought none.
    let defaultApp: AppCredentials?
    /// Where a person approves the app (Pinterest's page, or the sandbox's); see `authorizationURL`.
    let authorizeBase: String
    var cache: [Int64: Tokens] = [:]
    /// Opened conversion tokens by ad account (nil: known to have none).
    var conversionTokens: [String: AccessToken?] = [:]
    var refreshes: [Int64: Task<Tokens, any Error>] = [:]
    /// Refreshes that failed without a refusal since the last outcome, so the next waits.
    var refreshFailures: [Int64: RefreshPolicy.Failures] = [:]
    /// Told when a connection became usable again, so the jobs that waited for it start now.
    var connectionUsable: @Sendable () async -> Void = {}
    /// Every connection's Pinterest calls since start, for `system.health`.
    var calls: [Int64: PinterestCallRecord] = [:]
    /// Sessions by the ad account asked for ("" for the default), until the connections change.
    var sessions: [String: PinterestSession] = [:]
    /// Connects run one at a time: a connect chooses its row, then waits on Pinterest, then
    /// writes; two at once for the same user could both choose to insert.
    var connectBusy = false
    var connectWaiters: [CheckedContinuation<Void, Never>] = []
    var connectionsGeneration = 0

    public init(
        store: Store, vault: TokenVault, client: PinterestClient, clock: any WallClock, logger: Logger,
        defaultApp: AppCredentials? = nil, policy: RefreshPolicy = RefreshPolicy(), limiter: RateLimiter? = nil,
        authorizeBase: String? = nil
    ) {
        self.authorizeBase =
            authorizeBase ?? PinterestAuthorization.authorizeBase(forAPIBaseURL: client.baseURL) ?? PinterestAuthorization.pinterestAuthorizeURL
        self.limiter = limiter
        self.store = store
        self.vault = vault
        self.client = client
        self.clock = clock
        self.logger = logger
        self.defaultApp = defaultApp
        self.policy = policy
    }

    /// `usable` runs after every connect and every stored refresh: the store has just made the
    /// jobs waiting on that connection due (the job queue wakes its workers).
    public func attach(connectionUsable usable: @escaping @Sendable () async -> Void) {
        connectionUsable = usable
    }

    // MARK: - Tokens

    private func refreshFacts(_ tokens: Tokens, connectionID: Int64) -> RefreshPolicy.Facts {
        RefreshPolicy.Facts(
            accessExpiresAt: tokens.accessExpiresAt, refreshExpiresAt: tokens.refreshExpiresAt, holdsRefreshToken: tokens.holdsRefreshToken,
            refreshLost: tokens.refreshLostAt != nil, failures: refreshFailures[connectionID])
    }

    /// A valid access token for the connection, refreshed first when it is due (unless a
    /// refresh failed a moment ago, or the connection cannot refresh: then the one in hand).
    public func token(connectionID: Int64) async throws -> AccessToken {
        let tokens = try await currentTokens(connectionID)
        let now = clock.now()
        if policy.decide(refreshFacts(tokens, connectionID: connectionID), now: now) == .refresh {
            do {
                return AccessToken(try await refresh(connectionID, reason: "due").access, subject: tokens.subject)
            } catch let error as ConnectionUnavailable {
                throw error
            } catch is RefreshLost {
                // Logged when it was found: the access token in hand works until Pinterest refuses it.
            } catch {
                // A transient refresh failure: the old token still works until it expires.
                if let expiry = tokens.accessExpiresAt, expiry <= now { throw error }
                logger.warning("token refresh failed; using the current token meanwhile", metadata: ["connection_id": "\(connectionID)", "error": "\(error)"])
            }
        }
        return AccessToken(tokens.access, subject: tokens.subject)
    }

    /// The session of the ad account a method acts on (see `resolve(adAccountID:)`): resolved
    /// once, then kept until the connections change.
    public func session(adAccountID: String?) async throws -> PinterestSession {
        let key = adAccountID ?? ""
        if let cached = sessions[key] { return cached }
        let generation = connectionsGeneration
        let (connectionID, account) = try await resolve(adAccountID: adAccountID)
        let currency = try await store.adAccounts(connectionID: connectionID).first { $0.id == account }?.currency
        let session = PinterestSession(connectionID: connectionID, adAccountID: account, currency: currency, tokens: self, client: client)
        // A change while resolving makes this resolution stale: answer it, do not keep it.
        if generation == connectionsGeneration { sessions[key] = session }
        return session
    }

    /// The connections or their ad accounts changed: sessions are resolved again.
    func connectionsChanged() {
        connectionsGeneration &+= 1
        sessions.removeAll()
    }

    /// Pinterest refused `token` (401): the token to retry with, once. Another caller's refresh
    /// may have replaced it already; otherwise one refresh. When the refresh is refused too,
    /// or there is none to make, the connection becomes `unauthorized` and this throws
    /// `ConnectionUnavailable`.
    func renew(refused token: AccessToken, connectionID: Int64, code: Int?, message: String) async throws -> AccessToken {
        let tokens = try await currentTokens(connectionID)
        if tokens.access != token.value {
            return AccessToken(tokens.access, subject: tokens.subject)
        }
        let refused = "Pinterest refused the access token (\(code.map { "code \($0): " } ?? "")\(message))"
        switch policy.afterAccessRefused(holdsRefreshToken: tokens.holdsRefreshToken, refreshLost: tokens.refreshLostAt != nil) {
        case .unauthorized:
            let why =
                tokens.refreshLostAt != nil
                ? "\(refused) too, after its refresh was lost (the refresh token had been spent by a refresh whose answer never came); reconnect needed"
                : "\(refused) and there is no refresh token to renew it"
            throw try await markUnauthorized(connectionID, reason: why)
        case .refreshAndRetry:
            logger.notice("Pinterest refused a token; refreshing once", metadata: ["connection_id": "\(connectionID)", "status": "401"])
            do {
                return AccessToken(try await refresh(connectionID, reason: "401", accessRefused: true).access, subject: tokens.subject)
            } catch let lost as RefreshLost {
                // A refresh under way when the access token was refused found the refresh
                // token spent: neither token works any more.
                throw try await markUnauthorized(connectionID, reason: "\(refused) too, after its refresh was lost (\(lost.reason)); reconnect needed")
            }
        }
    }

    /// Refreshes now, whatever the expiry and however recently a refresh failed. A connection
    /// whose refresh was lost answers `FAILED_PRECONDITION` without asking Pinterest: only a
    /// reconnect helps.
    public func forceRefresh(connectionID: Int64) async throws {
        _ = try await refresh(connectionID, reason: "requested")
    }

    /// The scheduled check: refreshes every active connection that is due, and marks those that
    /// are due but cannot refresh (no refresh token or app credentials), so `pinads connections`
    /// says to reconnect before they lapse. Returns counts.
    public func refreshDueConnections() async throws -> (checked: Int, refreshed: Int, failed: Int) {
        var checked = 0, refreshed = 0, failed = 0
        for record in try await store.connections() where record.state == .active {
            checked += 1
            let now = clock.now()
            let canRefresh = record.refreshTokenSealed != nil && (record.clientSecretSealed != nil || defaultApp != nil)
            let decision = policy.decide(
                RefreshPolicy.Facts(
                    accessExpiresAt: record.accessExpiresAt, refreshExpiresAt: record.refreshExpiresAt, holdsRefreshToken: canRefresh,
                    refreshLost: record.refreshLostAt != nil, failures: refreshFailures[record.id]),
                now: now)
            switch decision {
            case .notDue:
                continue
            case .wait:
                // A refresh failed a moment ago; the next use of the token tries again in time.
                failed += 1
                continue
            case .cannotRefresh where record.refreshLostAt != nil:
                // Its reason and `system.health` say to reconnect, and by when.
                failed += 1
                continue
            case .cannotRefresh, .refresh:
                break
            }
            guard canRefresh else {
                let expiry = [record.accessExpiresAt, record.refreshExpiresAt].compactMap { $0 }.min()
                try await store.recordRefreshError(
                    id: record.id,
                    error: "tokens expire \(expiry.map { Timestamp.format($0) } ?? "soon") and cannot be refreshed here (no refresh token or app credentials): reconnect before then",
                    now: now)
                failed += 1
                continue
            }
            do {
                _ = try await refresh(record.id, reason: "scheduled check")
                refreshed += 1
            } catch {
                failed += 1
            }
        }
        return (checked, refreshed, failed)
    }

    /// One refresh per connection at a time: concurrent callers await the same one.
    /// `accessRefused`: Pinterest has just refused the access token in hand.
    private func refresh(_ connectionID: Int64, reason: String, accessRefused: Bool = false) async throws -> Tokens {
        if let running = refreshes[connectionID] { return try await running.value }
        let task = Task { try await self.performRefresh(connectionID, reason: reason, accessRefused: accessRefused) }
        refreshes[connectionID] = task
        defer { refreshes[connectionID] = nil }
        return try await task.value
    }

    private func performRefresh(_ connectionID: Int64, reason: String, accessRefused: Bool) async throws -> Tokens {
        // An unauthorized connection may still hold a working refresh token (the refusal may
        // have been of the access token alone): a forced refresh tries it.
        let tokens = try await currentTokens(connectionID, allowUnauthorized: true)
        guard let refreshToken = tokens.refresh, let app = tokens.app else {
            throw ConnectionError.cannotRefresh(connectionID: connectionID)
        }
        if tokens.refreshLostAt != nil, let record = try await store.connection(id: connectionID) {
            // The refresh token in hand is spent: sending it again would only be refused again.
            let why = record.stateReason ?? "its refresh was lost; reconnect needed"
            if record.state == .active { throw RefreshLost(connectionID: connectionID, reason: why) }
            throw ConnectionUnavailable(connectionID: connectionID, reason: why, isPermanent: record.state == .disconnected)
        }
        // Recorded before it is sent: if no answer comes (or pinadsd dies meanwhile), a refusal
        // of the next refresh is known to follow a refresh Pinterest may have applied.
        // A record that cannot be written (a full disk) means no refresh is sent, and the next
        // try waits like after any failed refresh, instead of coming with every call.
        let unansweredSince: Date?
        do {
            unansweredSince = try await store.recordRefreshSent(id: connectionID, now: clock.now())
        } catch {
            noteRefreshFailure(connectionID)
            throw error
        }
        logger.info(
            "refreshing Pinterest tokens",
            metadata: ["connection_id": "\(connectionID)", "reason": "\(reason)", "earlier_unanswered": "\(unansweredSince != nil)"])
        let answer: OAuthTokenResponse
        do {
            answer = try await client.refreshAccessToken(refreshToken: refreshToken, app: app)
            recordCall(connectionID: connectionID, error: nil)
        } catch let error as PinterestError {
            recordCall(connectionID: connectionID, error: error)
            switch error {
            case .unauthorized(_, let code, let message, _), .rejected(_, let code, let message, _, _):
                refreshFailures[connectionID] = nil
                let refusal = "\(code.map { "code \($0): " } ?? "")\(message)"
                let now = clock.now()
                switch policy.afterRefusal(
                    unansweredSince: unansweredSince, accessExpiresAt: tokens.accessExpiresAt, accessRefused: accessRefused, now: now)
                {
                case .refreshLost(let reconnectBefore):
                    throw try await markRefreshLost(
                        connectionID, sentAt: unansweredSince ?? now, refusal: refusal, reconnectBefore: reconnectBefore)
                case .unauthorized:
                    let after = unansweredSince.map { ", after the refresh sent at \(Timestamp.format($0)) got no answer" } ?? ""
                    throw try await markUnauthorized(connectionID, reason: "Pinterest refused the refresh token (\(refusal))\(after); reconnect needed")
                }
            default:
                if error.certainlyNotApplied && unansweredSince == nil { try? await store.clearRefreshSent(id: connectionID) }
                noteRefreshFailure(connectionID)
                try? await store.recordRefreshError(id: connectionID, error: error.description, now: clock.now())
                throw error
            }
        } catch {
            // Not an answer (cancelled, say): whether Pinterest got it is not known, so its record stays.
            noteRefreshFailure(connectionID)
            throw error
        }
        refreshFailures[connectionID] = nil
        return try await adopt(answer, connectionID: connectionID, previous: tokens, refreshToken: refreshToken, app: app)
    }

    /// Stores a refresh's answer: both tokens and both expiry times in one transaction, before
    /// the new access token is used.
    private func adopt(
        _ answer: OAuthTokenResponse, connectionID: Int64, previous tokens: Tokens, refreshToken: String, app: AppCredentials
    ) async throws -> Tokens {
        let now = clock.now()
        guard let record = try await store.connection(id: connectionID) else { throw UnknownObject("connection", id: connectionID) }
        let newRefresh = answer.refreshToken ?? refreshToken
        let refreshExpiresAt =
            answer.refreshTokenExpiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            ?? answer.refreshTokenExpiresIn.map { now.addingTimeInterval(TimeInterval($0)) } ?? tokens.refreshExpiresAt
        let accessExpiresAt = now.addingTimeInterval(TimeInterval(answer.expiresIn))
        let stored = try await store.storeRefreshedTokens(
            connectionID: connectionID,
            accessTokenSealed: try vault.seal(answer.accessToken, context: "\(record.userKey) access"),
            accessExpiresAt: accessExpiresAt,
            refreshTokenSealed: try vault.seal(newRefresh, context: "\(record.userKey) refresh"),
            refreshExpiresAt: refreshExpiresAt, tokenFingerprint: TokenVault.fingerprint(answer.accessToken), now: now)
        guard stored.state != .disconnected else {
            // Disconnected while the refresh was out: its tokens stay erased.
            cache[connectionID] = nil
            throw ConnectionUnavailable(connectionID: connectionID, reason: "it was disconnected", isPermanent: true)
        }
        let fresh = Tokens(
            access: answer.accessToken, accessExpiresAt: accessExpiresAt, refresh: newRefresh, refreshExpiresAt: refreshExpiresAt,
            app: app, subject: record.rateLimitKey)
        cache[connectionID] = fresh
        await connectionUsable()
        logger.notice("Pinterest tokens refreshed", metadata: ["connection_id": "\(connectionID)", "rotated": "\(answer.refreshToken != nil)"])
        return fresh
    }

    private func noteRefreshFailure(_ connectionID: Int64) {
        let count = (refreshFailures[connectionID]?.count ?? 0) + 1
        refreshFailures[connectionID] = RefreshPolicy.Failures(count: count, lastAt: clock.now())
    }

    /// Pinterest refused the refresh token after the refresh sent at `sentAt` got no answer: the
    /// connection stays active on the access token in hand. Returns what to throw.
    private func markRefreshLost(_ connectionID: Int64, sentAt: Date, refusal: String, reconnectBefore: Date?) async throws -> any Error {
        let now = clock.now()
        let until =
            reconnectBefore.map { "reconnect before \(Timestamp.format($0)), when the access token expires" }
            ?? "reconnect soon (the access token's expiry is not known)"
        let reason =
            "refresh lost: no answer came to the token refresh sent at \(Timestamp.format(sentAt)), and Pinterest then refused the refresh token (\(refusal)), so that refresh most likely rotated the pair; the access token in hand is used while Pinterest accepts it: \(until)"
        guard try await store.markRefreshLost(id: connectionID, reason: reason, now: now) != nil else {
            // Reconnected, disconnected or refused meanwhile: the connection says which.
            cache[connectionID] = nil
            guard let record = try await store.connection(id: connectionID) else { return UnknownObject("connection", id: connectionID) }
            if record.state == .active { return ConnectionError.reconnectedDuringRefresh(connectionID: connectionID) }
            return ConnectionUnavailable(
                connectionID: connectionID, reason: record.stateReason ?? "it is \(record.state.rawValue)", isPermanent: record.state == .disconnected)
        }
        cache[connectionID]?.refreshLostAt = now
        logger.error(
            "a token refresh got no answer and Pinterest has refused the refresh token since; the access token in hand is used until Pinterest refuses it: reconnect before it expires",
            metadata: ["connection_id": "\(connectionID)", "reconnect_before": "\(reconnectBefore.map { Timestamp.format($0) } ?? "unknown")"])
        return RefreshLost(connectionID: connectionID, reason: reason)
    }

    private func markUnauthorized(_ connectionID: Int64, reason: String) async throws -> ConnectionUnavailable {
        cache[connectionID] = nil
        _ = try await store.markConnectionUnauthorized(id: connectionID, reason: reason, now: clock.now())
        connectionsChanged()
        logger.error("Pinterest connection needs a reconnect", metadata: ["connection_id": "\(connectionID)"])
        return ConnectionUnavailable(connectionID: connectionID, reason: reason)
    }

    private func currentTokens(_ connectionID: Int64, allowUnauthorized: Bool = false) async throws -> Tokens {
        if let cached = cache[connectionID] { return cached }
        guard let record = try await store.connection(id: connectionID) else {
            throw UnknownObject("connection", id: connectionID)
        }
        // Another caller may have filled the cache (say, with freshly rotated tokens) while
        // this one read the store: the cache wins over this older snapshot.
        if let cached = cache[connectionID] { return cached }
        let usable = record.state == .active || (allowUnauthorized && record.state == .unauthorized)
        guard usable, let sealedAccess = record.accessTokenSealed else {
            throw ConnectionUnavailable(
                connectionID: connectionID, reason: record.stateReason ?? "it is \(record.state.rawValue)",
                isPermanent: record.state == .disconnected)
        }
        var app = defaultApp
        if let clientID = record.clientID, let sealedSecret = record.clientSecretSealed {
            app = AppCredentials(clientID: clientID, clientSecret: try vault.open(sealedSecret, context: "\(record.userKey) client_secret"))
        }
        let tokens = Tokens(
            access: try vault.open(sealedAccess, context: "\(record.userKey) access"),
            accessExpiresAt: record.accessExpiresAt,
            refresh: try record.refreshTokenSealed.map { try vault.open($0, context: "\(record.userKey) refresh") },
            refreshExpiresAt: record.refreshExpiresAt, app: app, subject: record.rateLimitKey, refreshLostAt: record.refreshLostAt)
        // Only usable connections are cached, so `token()` never serves an unauthorized one.
        if record.state == .active { cache[connectionID] = tokens }
        return tokens
    }

    // MARK: - Health

    /// Records how a Pinterest call of the connection ended. A failure is a Pinterest error
    /// other than a bulk answer with failed items (Pinterest answered) or a call refused before
    /// it was sent; a call that was not made (the connection needs a reconnect, cancellation)
    /// is not recorded.
    /// How a call of a session ended, for health.
    func recordCall(connectionID: Int64, error: (any Error)?) {
        let now = clock.now()
        guard let error else {
            calls[connectionID, default: PinterestCallRecord()].succeeded(at: now)
            return
        }
        guard let error = error as? PinterestError else { return }
        switch error {
        case .invalidRequest: return
        case .itemsFailed: calls[connectionID, default: PinterestCallRecord()].succeeded(at: now)
        default: calls[connectionID, default: PinterestCallRecord()].failed(error.description, at: now)
        }
    }

    /// Every connection that is not disconnected, with its token expiry and its calls: read
    /// from the connections table (one row per Pinterest user) and memory.
    public func healthFacts() async throws -> [HealthFacts.Connection] {
        try await store.connections().filter { $0.state != .disconnected }.map { record in
            HealthFacts.Connection(
                id: record.id, name: record.name, state: record.state, stateReason: record.stateReason,
                accessExpiresAt: record.accessExpiresAt, refreshExpiresAt: record.refreshExpiresAt,
                canRefresh: record.refreshTokenSealed != nil && (record.clientSecretSealed != nil || defaultApp != nil),
                refreshLostAt: record.refreshLostAt, calls: calls[record.id] ?? PinterestCallRecord())
        }
    }

}
