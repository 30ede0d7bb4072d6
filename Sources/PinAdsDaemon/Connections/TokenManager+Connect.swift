import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import PinterestAPI

extension TokenManager {
    // MARK: - Connect

    public func connect(_ request: ConnectionGrant) async throws -> Connected {
        if let seconds = request.expiresIn, seconds <= 0 {
            throw InvalidInput(field: "expires_in", reason: "must be a positive number of seconds, got \(seconds)")
        }
        if let seconds = request.refreshTokenExpiresIn, seconds <= 0 {
            throw InvalidInput(field: "refresh_token_expires_in", reason: "must be a positive number of seconds, got \(seconds)")
        }
        guard !request.accessToken.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw InvalidInput(field: "access_token", reason: "must not be empty")
        }
        if (request.clientID == nil) != (request.clientSecret == nil) {
            throw InvalidInput(field: request.clientID == nil ? "client_id" : "client_secret", reason: "client_id and client_secret go together")
        }
        let token = AccessToken(request.accessToken)
        let accounts: [AdAccount]
        do {
            accounts = try await client.listAdAccounts(token: token)
        } catch let error as PinterestError {
            if case .unauthorized(let status, _, let message, let rid) = error {
                throw ConnectionError.tokenRefused(forbidden: status == 403, message: message, pinterestRequestID: rid)
            }
            throw error
        }
        guard let first = accounts.first else {
            throw ConnectionError.noAdAccounts
        }
        let defaultAccount = request.defaultAdAccountID ?? first.id
        guard accounts.contains(where: { $0.id == defaultAccount }) else {
            throw InvalidInput(
                field: "default_ad_account_id", reason: "\(defaultAccount) is not among this token's ad accounts (\(accounts.map(\.id).joined(separator: ", ")))")
        }
        let now = clock.now()
        let accessExpiresAt = request.expiresAt ?? request.expiresIn.map { now.addingTimeInterval(TimeInterval($0)) }
        let refreshExpiresAt =
            request.refreshTokenExpiresAt ?? request.refreshTokenExpiresIn.map { now.addingTimeInterval(TimeInterval($0)) }
        let userKey = Self.userKey(accounts)
        let existing = try await store.connections().first { $0.userKey == userKey }
        // Secrets are sealed under a context naming their row; for a new row the id is not known
        // yet, so the context is the user key, which never changes.
        let upsert = ConnectionUpsert(
            userKey: userKey, name: request.name,
            accessTokenSealed: try vault.seal(request.accessToken, context: "\(userKey) access"),
            accessExpiresAt: accessExpiresAt,
            refreshTokenSealed: try request.refreshToken.map { try vault.seal($0, context: "\(userKey) refresh") },
            refreshExpiresAt: refreshExpiresAt, clientID: request.clientID,
            clientSecretSealed: try request.clientSecret.map { try vault.seal($0, context: "\(userKey) client_secret") },
            tokenFingerprint: TokenVault.fingerprint(request.accessToken), defaultAdAccountID: defaultAccount,
            adAccounts: accounts.map { AdAccountRecord(connectionID: 0, id: $0.id, name: $0.name, currency: $0.currency, country: $0.country) })
        let record = try await store.upsertConnection(upsert, now: now)
        connectionsChanged()
        cache[record.id] = nil
        refreshFailures[record.id] = nil
        await connectionUsable()
        // Its tokens just listed the ad accounts: Pinterest answers this connection.
        calls[record.id, default: PinterestCallRecord()].succeeded(at: clock.now())
        await limiter?.merge(key: RateLimiter.key(for: token), into: record.userKey)
        logger.notice(
            "connected to Pinterest",
            metadata: ["connection_id": "\(record.id)", "ad_accounts": "\(accounts.count)", "updated": "\(existing != nil)"])
        return Connected(detail: try await detail(connectionID: record.id), defaultAdAccountID: defaultAccount, updated: existing != nil)
    }

    /// What identifies a Pinterest user across reconnects: the owner of its ad accounts.
    static func userKey(_ accounts: [AdAccount]) -> String {
        if let owner = accounts.compactMap({ $0.owner?.id }).first { return "user:\(owner)" }
        return "accounts:" + accounts.map(\.id).sorted().joined(separator: ",")
    }
}
