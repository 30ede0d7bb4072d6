import Foundation
import GRDB
import PinAdsJSON

/// A stored connection to a Pinterest user. Secrets are kept sealed (see the daemon's
/// TokenVault): this type never holds a token in the clear.
public struct ConnectionRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        case active, unauthorized, disconnected
    }

    public var id: Int64
    /// The row's own key, fixed when it is made: its sealed secrets are bound to it. For rows made
    /// since v16 it is `pinterest:<user id>`; older rows keep the guess they were made with
    /// (`user:<owner of the first ad account>`), so their secrets still open.
    public var userKey: String
    /// The token's Pinterest user (`GET /v5/user_account`'s `id`): what identifies the user across
    /// reconnects. Nil for a row made before v16 whose user has not been asked yet.
    public var pinterestUserID: String?
    public var pinterestUsername: String?
    public var name: String?
    public var state: State
    public var stateReason: String?
    public var isDefault: Bool
    public var defaultAdAccountID: String?
    public var accessTokenSealed: String?
    public var accessExpiresAt: Date?
    public var refreshTokenSealed: String?
    public var refreshExpiresAt: Date?
    public var clientID: String?
    public var clientSecretSealed: String?
    public var tokenFingerprint: String?
    public var lastRefreshAt: Date?
    public var lastRefreshError: String?
    /// A refresh was sent at this time and its outcome is not stored: it is under way, or its
    /// answer was lost (Pinterest may have applied it and rotated the pair).
    public var refreshSentAt: Date?
    /// When Pinterest refused the refresh token after a refresh whose answer was lost: the
    /// connection runs on the access token in hand until Pinterest refuses it or a reconnect.
    public var refreshLostAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
}

/// An ad account as stored for a connection.
public struct AdAccountRecord: Sendable, Equatable {
    public var connectionID: Int64
    public var id: String
    public var name: String?
    public var currency: String?
    public var country: String?
    /// The Pinterest user who owns it (`owner.id`); nil when Pinterest did not say, or stored
    /// before v16.
    public var ownerID: String?

    public init(connectionID: Int64, id: String, name: String?, currency: String?, country: String?, ownerID: String? = nil) {
        self.connectionID = connectionID
        self.id = id
        self.name = name
        self.currency = currency
        self.country = country
        self.ownerID = ownerID
    }
}

/// What `connections.connect` stores: new tokens (sealed) for a user, and their ad accounts.
public struct ConnectionUpsert: Sendable {
    /// The row to update: the Pinterest user's connection when there is one (see
    /// `connectionToReconnect`); nil makes a new row under `userKey`.
    public var existingID: Int64?
    public var userKey: String
    public var pinterestUserID: String
    public var pinterestUsername: String?
    public var name: String?
    public var accessTokenSealed: String
    public var accessExpiresAt: Date?
    public var refreshTokenSealed: String?
    public var refreshExpiresAt: Date?
    public var clientID: String?
    public var clientSecretSealed: String?
    public var tokenFingerprint: String
    public var defaultAdAccountID: String
    public var adAccounts: [AdAccountRecord]

    public init(
        existingID: Int64?, userKey: String, pinterestUserID: String, pinterestUsername: String?, name: String?,
        accessTokenSealed: String, accessExpiresAt: Date?, refreshTokenSealed: String?, refreshExpiresAt: Date?, clientID: String?,
        clientSecretSealed: String?, tokenFingerprint: String, defaultAdAccountID: String, adAccounts: [AdAccountRecord]
    ) {
        self.existingID = existingID
        self.userKey = userKey
        self.pinterestUserID = pinterestUserID
        self.pinterestUsername = pinterestUsername
        self.name = name
        self.accessTokenSealed = accessTokenSealed
        self.accessExpiresAt = accessExpiresAt
        self.refreshTokenSealed = refreshTokenSealed
        self.refreshExpiresAt = refreshExpiresAt
        self.clientID = clientID
        self.clientSecretSealed = clientSecretSealed
        self.tokenFingerprint = tokenFingerprint
        self.defaultAdAccountID = defaultAdAccountID
        self.adAccounts = adAccounts
    }
}

extension Store {
    static let connectionColumns = """
        id, user_key, name, state, state_reason, is_default, default_ad_account_id, access_token_sealed, access_expires_at,
        refresh_token_sealed, refresh_expires_at, client_id, client_secret_sealed, token_fingerprint, last_refresh_at,
        last_refresh_error, refresh_sent_at, refresh_lost_at, created_at, updated_at, pinterest_user_id, pinterest_username
        """

    /// Stores a connection (a new one, or the same user's existing one with fresh tokens) and
    /// replaces its ad accounts, in one transaction. The first connection becomes the default.
    /// Jobs that waited for this connection are released. Without `existingID`, a row under the
    /// same `userKey` made meanwhile (a concurrent connect of the same new user) is updated rather
    /// than doubled. Returns the row and whether it existed before.
    public func upsertConnection(_ upsert: ConnectionUpsert, now: Date) async throws -> (record: ConnectionRecord, updated: Bool) {
        let ms = now.storeMillis
        return try await writer.write { db in
            let anyDefault = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM connections WHERE is_default = 1 AND state != 'disconnected')") ?? false
            let existingID =
                try upsert.existingID
                ?? Int64.fetchOne(db, sql: "SELECT id FROM connections WHERE user_key = ?", arguments: [upsert.userKey])
            let id: Int64
            if let existing = existingID {
                id = existing
                try db.execute(
                    sql: """
                        UPDATE connections SET name = COALESCE(?, name), state = 'active', state_reason = NULL,
                            pinterest_user_id = ?, pinterest_username = COALESCE(?, pinterest_username),
                            default_ad_account_id = ?, access_token_sealed = ?, access_expires_at = ?, refresh_token_sealed = ?,
                            refresh_expires_at = ?, client_id = COALESCE(?, client_id),
                            client_secret_sealed = COALESCE(?, client_secret_sealed), token_fingerprint = ?,
                            last_refresh_error = NULL, refresh_sent_at = NULL, refresh_lost_at = NULL, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        upsert.name, upsert.pinterestUserID, upsert.pinterestUsername, upsert.defaultAdAccountID,
                        upsert.accessTokenSealed, upsert.accessExpiresAt?.storeMillis,
                        upsert.refreshTokenSealed, upsert.refreshExpiresAt?.storeMillis, upsert.clientID, upsert.clientSecretSealed,
                        upsert.tokenFingerprint, ms, id,
                    ])
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO connections (user_key, pinterest_user_id, pinterest_username, name, state, is_default,
                            default_ad_account_id, access_token_sealed, access_expires_at, refresh_token_sealed, refresh_expires_at,
                            client_id, client_secret_sealed, token_fingerprint, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 'active', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        upsert.userKey, upsert.pinterestUserID, upsert.pinterestUsername, upsert.name, upsert.defaultAdAccountID, upsert.accessTokenSealed,
                        upsert.accessExpiresAt?.storeMillis, upsert.refreshTokenSealed, upsert.refreshExpiresAt?.storeMillis,
                        upsert.clientID, upsert.clientSecretSealed, upsert.tokenFingerprint, ms, ms,
                    ])
                id = db.lastInsertedRowID
            }
            if !anyDefault {
                try db.execute(sql: "UPDATE connections SET is_default = (id = ?)", arguments: [id])
            }
            try Self.replaceAdAccounts(db, connectionID: id, accounts: upsert.adAccounts, ms: ms)
            try Self.releaseJobs(db, blockedOn: "connection:\(id)", ms: ms)
            return (try Self.fetchConnection(db, id: id), existingID != nil)
        }
    }

    /// Stores a refresh's rotated tokens and both expiry times together: the old refresh token
    /// is gone the moment the new one is on disk. The refresh's record is cleared with them.
    public func storeRefreshedTokens(
        connectionID: Int64, accessTokenSealed: String, accessExpiresAt: Date?, refreshTokenSealed: String?,
        refreshExpiresAt: Date?, tokenFingerprint: String, now: Date
    ) async throws -> ConnectionRecord {
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE connections SET access_token_sealed = ?, access_expires_at = ?,
                        refresh_token_sealed = COALESCE(?, refresh_token_sealed),
                        refresh_expires_at = CASE WHEN ? IS NULL THEN refresh_expires_at ELSE ? END,
                        token_fingerprint = ?, state = 'active', state_reason = NULL, last_refresh_at = ?,
                        last_refresh_error = NULL, refresh_sent_at = NULL, refresh_lost_at = NULL, updated_at = ?
                    WHERE id = ? AND state != 'disconnected'
                    """,
                arguments: [
                    accessTokenSealed, accessExpiresAt?.storeMillis, refreshTokenSealed, refreshTokenSealed,
                    refreshExpiresAt?.storeMillis, tokenFingerprint, ms, ms, connectionID,
                ])
            if db.changesCount > 0 { try Self.releaseJobs(db, blockedOn: "connection:\(connectionID)", ms: ms) }
            return try Self.fetchConnection(db, id: connectionID)
        }
    }

    /// Marks a connection unusable until a person reconnects it. A refresh recorded as sent has
    /// its outcome now: the record is cleared.
    public func markConnectionUnauthorized(id: Int64, reason: String, now: Date) async throws -> ConnectionRecord? {
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE connections SET state = 'unauthorized', state_reason = ?, last_refresh_error = ?, updated_at = ?
                    WHERE id = ? AND state = 'active'
                    """,
                arguments: [reason, reason, ms, id])
            try db.execute(sql: "UPDATE connections SET refresh_sent_at = NULL WHERE id = ?", arguments: [id])
            return try Self.fetchConnectionIfExists(db, id: id)
        }
    }

    /// Records, before it is sent, that a refresh of the connection goes out now. An earlier
    /// record with no outcome is kept (its refresh may still have been applied). Returns that
    /// earlier record's time: nil when every earlier refresh got its answer. Durable when it
    /// returns, so a refresh whose answer is lost is known as such after a restart too.
    public func recordRefreshSent(id: Int64, now: Date) async throws -> Date? {
        try await writer.write { db in
            let earlier = try Int64.fetchOne(db, sql: "SELECT refresh_sent_at FROM connections WHERE id = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE connections SET refresh_sent_at = COALESCE(refresh_sent_at, ?) WHERE id = ? AND state != 'disconnected'",
                arguments: [now.storeMillis, id])
            return earlier.map(Date.init(storeMillis:))
        }
    }

    /// A refresh that certainly had no effect at Pinterest (refused before it was applied, never
    /// sent) and followed no unanswered one: its record goes.
    public func clearRefreshSent(id: Int64) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE connections SET refresh_sent_at = NULL WHERE id = ?", arguments: [id])
        }
    }

    /// Pinterest refused the refresh token after a refresh whose answer was lost: the connection
    /// stays `active` on the access token in hand, saying why and until when (`reason`), and
    /// refreshes no more until it is reconnected. Nil when it is no longer active, or a reconnect
    /// has cleared the refresh's record meanwhile (its new tokens are not the refused ones).
    public func markRefreshLost(id: Int64, reason: String, now: Date) async throws -> ConnectionRecord? {
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE connections SET refresh_sent_at = NULL, refresh_lost_at = ?, state_reason = ?, last_refresh_error = ?,
                        updated_at = ?
                    WHERE id = ? AND state = 'active' AND refresh_sent_at IS NOT NULL
                    """,
                arguments: [ms, reason, reason, ms, id])
            guard db.changesCount > 0 else { return nil }
            return try Self.fetchConnectionIfExists(db, id: id)
        }
    }

    public func recordRefreshError(id: Int64, error: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE connections SET last_refresh_error = ?, updated_at = ? WHERE id = ?",
                arguments: [error, now.storeMillis, id])
        }
    }

    /// Disconnects: the tokens are erased, the connection kept (inactive) for its history, and
    /// jobs waiting for it are cancelled with the reason.
    public func disconnectConnection(id: Int64, now: Date) async throws -> ConnectionRecord? {
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE connections SET state = 'disconnected', state_reason = 'disconnected by request', is_default = 0,
                        access_token_sealed = NULL, refresh_token_sealed = NULL, client_secret_sealed = NULL,
                        access_expires_at = NULL, refresh_expires_at = NULL, refresh_sent_at = NULL, refresh_lost_at = NULL,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [ms, id])
            guard db.changesCount > 0 else { return nil }
            // Its conversion tokens go with it.
            try db.execute(sql: "DELETE FROM conversion_tokens WHERE connection_id = ?", arguments: [id])
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'cancelled', last_error = ?, blocked_on = NULL, updated_at = ?, finished_at = ?
                    WHERE blocked_on = ? AND state IN ('queued', 'waiting')
                    """,
                arguments: ["connection \(id) was disconnected", ms, ms, "connection:\(id)"])
            // Another active connection, if any, becomes the default.
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM connections WHERE is_default = 1") == 0 {
                try db.execute(
                    sql: """
                        UPDATE connections SET is_default = 1
                        WHERE id = (SELECT id FROM connections WHERE state != 'disconnected' ORDER BY id LIMIT 1)
                        """)
            }
            return try Self.fetchConnectionIfExists(db, id: id)
        }
    }

    /// Makes `adAccountID` the default ad account of its connection, and that connection the default.
    public func setDefaultAdAccount(connectionID: Int64, adAccountID: String, now: Date) async throws -> ConnectionRecord {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE connections SET default_ad_account_id = ?, updated_at = ? WHERE id = ?",
                arguments: [adAccountID, now.storeMillis, connectionID])
            try db.execute(sql: "UPDATE connections SET is_default = (id = ?)", arguments: [connectionID])
            return try Self.fetchConnection(db, id: connectionID)
        }
    }

    public func replaceAdAccounts(connectionID: Int64, accounts: [AdAccountRecord], now: Date) async throws {
        try await writer.write { db in
            try Self.replaceAdAccounts(db, connectionID: connectionID, accounts: accounts, ms: now.storeMillis)
        }
    }

    public func connections() async throws -> [ConnectionRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.connectionColumns) FROM connections ORDER BY id").map(Self.connection(from:))
        }
    }

    public func connection(id: Int64) async throws -> ConnectionRecord? {
        try await writer.read { db in try Self.fetchConnectionIfExists(db, id: id) }
    }

    public func adAccounts(connectionID: Int64? = nil) async throws -> [AdAccountRecord] {
        try await writer.read { db in
            let rows: [Row]
            if let connectionID {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM ad_accounts WHERE connection_id = ? ORDER BY id", arguments: [connectionID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM ad_accounts ORDER BY connection_id, id")
            }
            return rows.map {
                AdAccountRecord(
                    connectionID: $0["connection_id"], id: $0["id"], name: $0["name"], currency: $0["currency"], country: $0["country"],
                    ownerID: $0["owner_id"])
            }
        }
    }

    // MARK: - Jobs blocked on something

    /// 9999-12-31: the `next_run_at` of a job that waits for a release, not for a time.
    static let neverMillis: Int64 = 253_402_300_799_000

    /// Jobs waiting on `key`, ready to run again now.
    static func releaseJobs(_ db: Database, blockedOn key: String, ms: Int64) throws {
        try db.execute(
            sql: """
                UPDATE jobs SET next_run_at = ?, blocked_on = NULL, updated_at = ?
                WHERE blocked_on = ? AND state = 'waiting'
                """,
            arguments: [ms, ms, key])
    }

    // MARK: - Rows

    private static func replaceAdAccounts(_ db: Database, connectionID: Int64, accounts: [AdAccountRecord], ms: Int64) throws {
        try db.execute(sql: "DELETE FROM ad_accounts WHERE connection_id = ?", arguments: [connectionID])
        for account in accounts {
            try db.execute(
                sql: "INSERT INTO ad_accounts (connection_id, id, name, currency, country, owner_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [connectionID, account.id, account.name, account.currency, account.country, account.ownerID, ms])
        }
    }

    private static func fetchConnection(_ db: Database, id: Int64) throws -> ConnectionRecord {
        guard let record = try fetchConnectionIfExists(db, id: id) else {
            throw StoreError.database(path: "", underlying: "connection \(id) vanished inside its transaction")
        }
        return record
    }

    private static func fetchConnectionIfExists(_ db: Database, id: Int64) throws -> ConnectionRecord? {
        try Row.fetchOne(db, sql: "SELECT \(connectionColumns) FROM connections WHERE id = ?", arguments: [id]).map(connection(from:))
    }

    static func connection(from row: Row) -> ConnectionRecord {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(storeMillis:)) }
        return ConnectionRecord(
            id: row["id"], userKey: row["user_key"], pinterestUserID: row["pinterest_user_id"],
            pinterestUsername: row["pinterest_username"], name: row["name"],
            state: ConnectionRecord.State(rawValue: row["state"]) ?? .unauthorized, stateReason: row["state_reason"],
            isDefault: row["is_default"], defaultAdAccountID: row["default_ad_account_id"],
            accessTokenSealed: row["access_token_sealed"], accessExpiresAt: date("access_expires_at"),
            refreshTokenSealed: row["refresh_token_sealed"], refreshExpiresAt: date("refresh_expires_at"),
            clientID: row["client_id"], clientSecretSealed: row["client_secret_sealed"], tokenFingerprint: row["token_fingerprint"],
            lastRefreshAt: date("last_refresh_at"), lastRefreshError: row["last_refresh_error"],
            refreshSentAt: date("refresh_sent_at"), refreshLostAt: date("refresh_lost_at"),
            createdAt: date("created_at") ?? Date(timeIntervalSince1970: 0), updatedAt: date("updated_at") ?? Date(timeIntervalSince1970: 0))
    }
}

/// A conversion token as stored (sealed).
public struct ConversionTokenRecord: Sendable, Equatable {
    public var adAccountID: String
    public var connectionID: Int64
    public var tokenSealed: String
    public var fingerprint: String
    /// `given` or `minted`.
    public var source: String
    public var updatedAt: Date

    public init(adAccountID: String, connectionID: Int64, tokenSealed: String, fingerprint: String, source: String, updatedAt: Date) {
        self.adAccountID = adAccountID
        self.connectionID = connectionID
        self.tokenSealed = tokenSealed
        self.fingerprint = fingerprint
        self.source = source
        self.updatedAt = updatedAt
    }
}

extension Store {
    public func setConversionToken(_ record: ConversionTokenRecord) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversion_tokens (ad_account_id, connection_id, token_sealed, fingerprint, source, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (ad_account_id) DO UPDATE SET connection_id = excluded.connection_id, token_sealed = excluded.token_sealed,
                        fingerprint = excluded.fingerprint, source = excluded.source, updated_at = excluded.updated_at
                    """,
                arguments: [record.adAccountID, record.connectionID, record.tokenSealed, record.fingerprint, record.source, record.updatedAt.storeMillis])
        }
    }

    public func conversionToken(adAccountID: String) async throws -> ConversionTokenRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM conversion_tokens WHERE ad_account_id = ?", arguments: [adAccountID]).map {
                ConversionTokenRecord(
                    adAccountID: $0["ad_account_id"], connectionID: $0["connection_id"], tokenSealed: $0["token_sealed"],
                    fingerprint: $0["fingerprint"], source: $0["source"], updatedAt: Date(storeMillis: $0["updated_at"]))
            }
        }
    }

    /// Erases an ad account's conversion token (or every one of a connection).
    @discardableResult
    public func deleteConversionTokens(adAccountID: String? = nil, connectionID: Int64? = nil) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM conversion_tokens WHERE (? IS NOT NULL AND ad_account_id = ?) OR (? IS NOT NULL AND connection_id = ?)",
                arguments: [adAccountID, adAccountID, connectionID, connectionID])
            return db.changesCount
        }
    }
}
