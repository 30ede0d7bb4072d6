import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import PinterestAPI

extension TokenManager {
    // MARK: - Connect

    /// Tokens a connect will store, with their expiry times (absolute).
    struct ObtainedTokens {
        var access: String
        var refresh: String?
        var accessExpiresAt: Date?
        var refreshExpiresAt: Date?
    }

    /// Connects the Pinterest user of the grant: obtains its tokens (``ConnectPlan``), asks
    /// Pinterest whose they are (`user_account`) and which ad accounts they reach, and stores
    /// them as that user's connection: the one it had (updated), else a new one.
    public func connect(_ request: ConnectionGrant) async throws -> Connected {
        while connectBusy { await withCheckedContinuation { connectWaiters.append($0) } }
        connectBusy = true
        defer {
            connectBusy = false
            if !connectWaiters.isEmpty { connectWaiters.removeFirst().resume() }
        }
        return try await connectAlone(request)
    }

    private func connectAlone(_ request: ConnectionGrant) async throws -> Connected {
        if let seconds = request.expiresIn, seconds <= 0 {
            throw InvalidInput(field: "expires_in", reason: "must be a positive number of seconds, got \(seconds)")
        }
        if let seconds = request.refreshTokenExpiresIn, seconds <= 0 {
            throw InvalidInput(field: "refresh_token_expires_in", reason: "must be a positive number of seconds, got \(seconds)")
        }
        if (request.clientID == nil) != (request.clientSecret == nil) {
            throw InvalidInput(field: request.clientID == nil ? "client_id" : "client_secret", reason: "client_id and client_secret go together")
        }
        var app = defaultApp
        if let clientID = request.clientID, let clientSecret = request.clientSecret {
            app = AppCredentials(clientID: clientID, clientSecret: clientSecret)
        }
        let plan = try ConnectPlan.decide(request, hasApp: app != nil)
        let obtained = try await obtainTokens(plan, request, app: app)
        let token = AccessToken(obtained.access)
        let user = try await tokenUser(token)
        let accounts = try await adAccountsToConnect(token)
        let defaultAccount = request.defaultAdAccountID ?? accounts[0].id
        guard accounts.contains(where: { $0.id == defaultAccount }) else {
            throw InvalidInput(
                field: "default_ad_account_id", reason: "\(defaultAccount) is not among this token's ad accounts (\(accounts.map(\.id).joined(separator: ", ")))")
        }
        let existing = try await connectionToReconnect(pinterestUserID: user.id)
        // Secrets are sealed under a context naming their row, which never changes: the row's
        // key. A new row's is the Pinterest user's id.
        let userKey = existing?.userKey ?? "pinterest:\(user.id)"
        let upsert = ConnectionUpsert(
            existingID: existing?.id, userKey: userKey, pinterestUserID: user.id, pinterestUsername: user.username, name: request.name,
            accessTokenSealed: try vault.seal(obtained.access, context: "\(userKey) access"),
            accessExpiresAt: obtained.accessExpiresAt,
            refreshTokenSealed: try obtained.refresh.map { try vault.seal($0, context: "\(userKey) refresh") },
            refreshExpiresAt: obtained.refreshExpiresAt, clientID: request.clientID,
            clientSecretSealed: try request.clientSecret.map { try vault.seal($0, context: "\(userKey) client_secret") },
            tokenFingerprint: TokenVault.fingerprint(obtained.access), defaultAdAccountID: defaultAccount,
            adAccounts: accounts.map { AdAccountRecord(connectionID: 0, id: $0.id, name: $0.name, currency: $0.currency, country: $0.country, ownerID: $0.owner?.id) })
        let (record, updated) = try await store.upsertConnection(upsert, now: clock.now())
        connectionsChanged()
        cache[record.id] = nil
        refreshFailures[record.id] = nil
        await connectionUsable()
        // Its tokens just listed the ad accounts: Pinterest answers this connection.
        calls[record.id, default: PinterestCallRecord()].succeeded(at: clock.now())
        await limiter?.merge(key: RateLimiter.key(for: token), into: record.rateLimitKey)
        if let existing, existing.rateLimitKey != record.rateLimitKey {
            await limiter?.merge(key: existing.rateLimitKey, into: record.rateLimitKey)
        }
        logger.notice(
            "connected to Pinterest",
            metadata: [
                "connection_id": "\(record.id)", "pinterest_user_id": "\(user.id)", "ad_accounts": "\(accounts.count)", "updated": "\(updated)",
                "tokens": "\(plan.logName)",
            ])
        return Connected(detail: try await detail(connectionID: record.id), defaultAdAccountID: defaultAccount, updated: updated)
    }

    /// The tokens of the plan: as given, or Pinterest's answer to the code or the refresh token.
    private func obtainTokens(_ plan: ConnectPlan, _ request: ConnectionGrant, app: AppCredentials?) async throws -> ObtainedTokens {
        let now = clock.now()
        switch plan {
        case .useGiven(let access):
            return ObtainedTokens(
                access: access, refresh: request.refreshToken,
                accessExpiresAt: request.expiresAt ?? request.expiresIn.map { now.addingTimeInterval(TimeInterval($0)) },
                refreshExpiresAt: request.refreshTokenExpiresAt ?? request.refreshTokenExpiresIn.map { now.addingTimeInterval(TimeInterval($0)) })
        case .exchangeCode(let code, let redirectURI):
            guard let app else { throw ConnectionError.noAppCredentials(purpose: "exchanging an authorization code") }
            let answer = try await grant("authorization code") {
                try await client.exchangeAuthorizationCode(code, redirectURI: redirectURI, app: app)
            }
            // NOTES §1.4: without a refresh token the daemon cannot keep the connection alive.
            guard answer.refreshToken?.isEmpty == false else { throw ConnectionError.noRefreshTokenGranted }
            return Self.obtained(answer, refreshToken: nil, now: clock.now())
        case .refreshFirst(let refreshToken, let reason):
            guard let app else { throw ConnectionError.noAppCredentials(purpose: "connecting with a refresh token alone") }
            logger.info("exchanging the refresh token given to connect", metadata: ["reason": "\(reason)"])
            let answer = try await grant("refresh token") { try await client.refreshAccessToken(refreshToken: refreshToken, app: app) }
            return Self.obtained(answer, refreshToken: refreshToken, now: clock.now())
        }
    }

    /// One `oauth/token` call of a connect; a refusal (4xx) says nothing was connected.
    private func grant(_ what: String, _ call: () async throws -> OAuthTokenResponse) async throws -> OAuthTokenResponse {
        do {
            return try await call()
        } catch let error as PinterestError {
            switch error {
            case .unauthorized(_, _, let message, let rid), .rejected(_, _, let message, let rid, _):
                throw ConnectionError.grantRefused(grant: what, message: message, pinterestRequestID: rid)
            default:
                throw error
            }
        }
    }

    /// Expiry times from `oauth/token`'s answer, taken at receipt. A refresh answer without a
    /// new refresh token keeps `refreshToken` (older apps' tokens do not rotate).
    static func obtained(_ answer: OAuthTokenResponse, refreshToken: String?, now: Date) -> ObtainedTokens {
        ObtainedTokens(
            access: answer.accessToken, refresh: answer.refreshToken ?? refreshToken,
            accessExpiresAt: now.addingTimeInterval(TimeInterval(answer.expiresIn)),
            refreshExpiresAt: answer.refreshTokenExpiresIn.map { now.addingTimeInterval(TimeInterval($0)) }
                ?? answer.refreshTokenExpiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)) })
    }

    /// Every ad account the new token reaches; at least one.
    private func adAccountsToConnect(_ token: AccessToken) async throws -> [AdAccount] {
        let accounts: [AdAccount]
        do {
            accounts = try await client.listAdAccounts(token: token)
        } catch let error as PinterestError {
            if case .unauthorized(let status, _, let message, let rid) = error {
                throw ConnectionError.tokenRefused(forbidden: status == 403, message: message, pinterestRequestID: rid)
            }
            throw error
        }
        guard !accounts.isEmpty else { throw ConnectionError.noAdAccounts }
        return accounts
    }
}

extension ConnectPlan {
    /// How the tokens came, for the log (never a token).
    var logName: String {
        switch self {
        case .useGiven: return "given"
        case .exchangeCode: return "authorization_code"
        case .refreshFirst(_, .noAccessToken): return "refresh_token"
        case .refreshFirst(_, .expiryUnknown): return "refreshed to learn their expiry"
        }
    }
}
