import Foundation
import Logging
import PinAdsStore
import PinterestAPI

// A connection's Pinterest user is the token's user, as `GET /v5/user_account` (without
// `ad_account_id`) names it: two users who share an ad account are two connections, each with
// its own tokens, and each its own rate limit.

/// The Pinterest user a token belongs to.
struct TokenUser: Sendable, Equatable {
    var id: String
    var username: String?
}

extension ConnectionRecord {
    /// The rate limiter's key of this connection's calls: its Pinterest user. A row made before
    /// v16 whose user has not been asked yet keeps its old guess (`user:<owner>`), which is the
    /// same key whenever the guess was right.
    var rateLimitKey: String { pinterestUserID.map { "user:\($0)" } ?? userKey }
}

extension TokenManager {
    /// Whose token this is. Throws `ConnectionError.userAccountRefused` or `.noPinterestUserID`.
    func tokenUser(_ token: AccessToken) async throws -> TokenUser {
        let account: UserAccount
        do {
            account = try await client.userAccount(token: token)
        } catch let error as PinterestError {
            if case .unauthorized(let status, _, let message, let rid) = error {
                throw ConnectionError.userAccountRefused(forbidden: status == 403, message: message, pinterestRequestID: rid)
            }
            throw error
        }
        return try Self.user(of: account)
    }

    /// NOTES §2.2: key on `id`; fail when it is missing, never fall back to the username.
    static func user(of account: UserAccount) throws -> TokenUser {
        guard let id = account.id?.trimmingCharacters(in: .whitespaces), !id.isEmpty else { throw ConnectionError.noPinterestUserID }
        return TokenUser(id: id, username: account.username)
    }

    /// The connection a connect of `pinterestUserID` updates: the one that user has, else a row
    /// made before v16 under the guess `user:<that id>` unless its own token names another user
    /// (a token that may not say, or no longer works, leaves the guess standing: it is what that
    /// row was made under), else none (a new connection). A row whose token turns out to be
    /// another user's learns that user and is left alone.
    func connectionToReconnect(pinterestUserID: String) async throws -> ConnectionRecord? {
        if let known = try await store.connection(pinterestUserID: pinterestUserID) { return known }
        guard let legacy = try await store.connection(userKey: "user:\(pinterestUserID)"), legacy.pinterestUserID == nil else {
            return nil
        }
        guard legacy.state == .active else { return legacy }
        do {
            guard let actual = try await learnUser(of: legacy) else { return legacy }
            return actual == pinterestUserID ? legacy : nil
        } catch is ConnectionUnavailable {
            // Its tokens were refused meanwhile: a reconnect is what it needs.
            return legacy
        }
    }

    /// Asks Pinterest whose the connection's token is (with one refresh on a 401) and records it.
    /// Returns the user id; nil when Pinterest will not say (403: a token granted without
    /// `user_accounts:read`), which is logged: the connection keeps its old key. Not recorded
    /// as one of the connection's calls for health: it is the daemon's own question.
    @discardableResult
    func learnUser(of record: ConnectionRecord) async throws -> String? {
        var token = try await token(connectionID: record.id)
        let account: UserAccount
        do {
            do {
                account = try await client.userAccount(token: token)
            } catch PinterestError.unauthorized(let status, let code, let message, _) where status == 401 {
                token = try await renew(refused: token, connectionID: record.id, code: code, message: message)
                account = try await client.userAccount(token: token)
            }
        } catch PinterestError.unauthorized(let status, _, _, _) where status == 403 {
            logger.warning(
                "a connection made before user ids were kept may not read its Pinterest user (user_accounts:read); it keeps its old key: reconnect it with `pinads connect --oauth`",
                metadata: ["connection_id": "\(record.id)"])
            return nil
        }
        let user = try Self.user(of: account)
        if try await store.setPinterestUser(connectionID: record.id, userID: user.id, username: user.username) {
            cache[record.id] = nil
            connectionsChanged()
            await limiter?.merge(key: record.rateLimitKey, into: "user:\(user.id)")
            logger.notice(
                "learned the Pinterest user of a connection made before user ids were kept",
                metadata: ["connection_id": "\(record.id)", "pinterest_user_id": "\(user.id)", "key_was_right": "\(record.userKey == "user:\(user.id)")"])
        } else {
            logger.warning(
                "a connection's token belongs to a Pinterest user another connection holds; disconnect one of them",
                metadata: ["connection_id": "\(record.id)", "pinterest_user_id": "\(user.id)"])
        }
        return user.id
    }

    /// At start: every active connection made before its user was kept learns its user, and
    /// every one whose access token's expiry is unknown refreshes (when it can) to learn it, so
    /// none lapses unseen. Failures are logged; the daily token check and the next use try again.
    public func reviewConnections() async {
        let records: [ConnectionRecord]
        do {
            records = try await store.connections().filter { $0.state == .active }
        } catch {
            logger.warning("cannot read the connections to review them", metadata: ["error": "\(error)"])
            return
        }
        for record in records {
            if Task.isCancelled { return }
            do {
                if record.pinterestUserID == nil {
                    // It takes a token first, refreshed when its expiry is unknown.
                    try await learnUser(of: record)
                } else if RefreshPolicy.expiryUnknown(accessExpiresAt: record.accessExpiresAt) {
                    // Refreshed (when it can) by the policy; tokens merely due wait for their use.
                    _ = try await token(connectionID: record.id)
                }
            } catch {
                logger.warning("reviewing a connection failed", metadata: ["connection_id": "\(record.id)", "error": "\(error)"])
            }
        }
    }
}
