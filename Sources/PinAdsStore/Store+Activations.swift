import Foundation
import GRDB

/// The sync of one activation in progress, committed after every chunk Pinterest accepted.
public struct SyncOperation: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// Sending members added since the last sync (the first chunk creates the list).
        case add = "ADD"
        /// Sending members removed since the last sync.
        case remove = "REMOVE"
        /// Creating the Pinterest audience if needed and reading statuses back.
        case audience = "AUDIENCE"
    }

    /// The audience version this operation brings Pinterest up to.
    public var targetVersion: Int64
    public var phase: Phase
    /// The last member hash of the phase that Pinterest has (members go in hash order).
    public var cursor: String
    public var added: Int
    public var removed: Int

    public init(targetVersion: Int64, phase: Phase = .add, cursor: String = "", added: Int = 0, removed: Int = 0) {
        self.targetVersion = targetVersion
        self.phase = phase
        self.cursor = cursor
        self.added = added
        self.removed = removed
    }
}

/// A write to Pinterest recorded before it is sent. If the daemon stops (or the answer is lost)
/// before its outcome is stored, the next attempt asks Pinterest whether it landed instead of
/// sending it again.
public struct PendingWrite: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case createList = "CREATE_LIST"
        case add = "ADD"
        case remove = "REMOVE"
        case createAudience = "CREATE_AUDIENCE"
    }

    public var kind: Kind
    /// The last member hash in the request (for list writes).
    public var lastHash: String?
    /// Records in the request.
    public var count: Int
    /// The list's `num_uploaded_user_records` (ADD) or `num_removed_user_records` (REMOVE)
    /// before the request: Pinterest counts every record it receives, so a count at least
    /// `count` higher means the request landed.
    public var counterBefore: Int
    public var startedAt: Date

    public init(kind: Kind, lastHash: String?, count: Int, counterBefore: Int, startedAt: Date) {
        self.kind = kind
        self.lastHash = lastHash
        self.count = count
        self.counterBefore = counterBefore
        self.startedAt = startedAt
    }
}

/// An audience kept in sync on one ad account.
public struct ActivationRecord: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case notSynced = "NOT_SYNCED", syncing = "SYNCING", synced = "SYNCED", error = "ERROR"
    }

    public var id: Int64
    public var audienceID: Int64
    public var adAccountID: String
    public var connectionID: Int64
    public var active: Bool
    public var state: State
    public var errorMessage: String?
    public var errorCode: Int?
    public var errorAt: Date?
    public var customerListName: String
    public var customerListID: String?
    public var pinterestAudienceID: String?
    public var listStatus: String?
    public var audienceStatus: String?
    /// The list's counters as Pinterest last reported them.
    public var listUploaded: Int
    public var listRemoved: Int
    public var syncedVersion: Int64
    public var recordsAdded: Int
    public var recordsRemoved: Int
    public var operation: SyncOperation?
    public var pending: PendingWrite?
    /// Syncs in a row that gave up (every attempt failed transiently, or was cut short by a
    /// restart) with changes left: the next one waits longer for each. 0 after a sync succeeds.
    public var retryRound: Int = 0
    public var lastSyncedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, audienceID: Int64, adAccountID: String, connectionID: Int64, active: Bool = true, state: State = .notSynced,
        customerListName: String, customerListID: String? = nil, pinterestAudienceID: String? = nil, syncedVersion: Int64 = 0,
        operation: SyncOperation? = nil, pending: PendingWrite? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.audienceID = audienceID
        self.adAccountID = adAccountID
        self.connectionID = connectionID
        self.active = active
        self.state = state
        self.customerListName = customerListName
        self.customerListID = customerListID
        self.pinterestAudienceID = pinterestAudienceID
        self.listUploaded = 0
        self.listRemoved = 0
        self.syncedVersion = syncedVersion
        self.recordsAdded = 0
        self.recordsRemoved = 0
        self.operation = operation
        self.pending = pending
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Sets ERROR with a message (and Pinterest's code, if any).
    public mutating func fail(_ message: String, code: Int? = nil, at now: Date) {
        state = .error
        errorMessage = message
        errorCode = code
        errorAt = now
    }

    public mutating func clearError() {
        errorMessage = nil
        errorCode = nil
        errorAt = nil
    }

    /// Whether Pinterest has every change of the audience at `audienceVersion`: no sync under
    /// way or interrupted, no write whose outcome is unknown, the list and its audience made,
    /// and the synced version the audience's.
    public func isUpToDate(audienceVersion: Int64) -> Bool {
        operation == nil && pending == nil && customerListID != nil && pinterestAudienceID != nil && syncedVersion >= audienceVersion
    }

    /// An activation Pinterest is up to date with is SYNCED, without an error, its retry rounds
    /// over, whatever the last attempt said (a restart may have cut short a job whose sync had
    /// committed; a status read may have failed with nothing left to send). ERROR always means
    /// changes Pinterest does not have.
    public mutating func settle(audienceVersion: Int64) {
        guard isUpToDate(audienceVersion: audienceVersion) else { return }
        state = .synced
        clearError()
        retryRound = 0
    }
}

/// A lookalike audience created at Pinterest from an activation's audience.
public struct ActalikeRecord: Sendable, Equatable {
    public var id: Int64
    public var audienceID: Int64
    public var activationID: Int64
    public var adAccountID: String
    public var name: String
    public var country: String
    public var percentage: Int
    public var pinterestAudienceID: String?
    public var status: String?
    public var createdAt: Date
    public var updatedAt: Date
}

extension Store {
    // MARK: - Activations

    /// Activates the audience on the ad account: a new activation, or the existing one made
    /// active again (it keeps its Pinterest list, so no second list is ever made for it).
    public func activate(
        audienceID: Int64, adAccountID: String, connectionID: Int64, listName: String, now: Date
    ) async throws -> (activation: ActivationRecord, created: Bool)? {
        let ms = now.storeMillis
        return try await writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audiences WHERE id = ? AND deleted_at IS NULL)", arguments: [audienceID]) == true
            else { return nil }
            if let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM audience_activations WHERE audience_id = ? AND ad_account_id = ?", arguments: [audienceID, adAccountID])
            {
                try db.execute(
                    sql: "UPDATE audience_activations SET active = 1, connection_id = ?, updated_at = ? WHERE id = ?",
                    arguments: [connectionID, ms, existing["id"] as Int64])
                return (try Self.fetchActivation(db, id: existing["id"]), false)
            }
            try db.execute(
                sql: """
                    INSERT INTO audience_activations (audience_id, ad_account_id, connection_id, state, customer_list_name, created_at, updated_at)
                    VALUES (?, ?, ?, 'NOT_SYNCED', ?, ?, ?)
                    """,
                arguments: [audienceID, adAccountID, connectionID, listName, ms, ms])
            return (try Self.fetchActivation(db, id: db.lastInsertedRowID), true)
        }
    }

    /// Marks the activation inactive; nothing else changes (its list stays for a reactivation).
    public func deactivate(activationID: Int64, now: Date) async throws -> ActivationRecord? {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE audience_activations SET active = 0, updated_at = ? WHERE id = ?", arguments: [now.storeMillis, activationID])
            return try Self.fetchActivationIfExists(db, id: activationID)
        }
    }

    public func activation(id: Int64) async throws -> ActivationRecord? {
        try await writer.read { db in try Self.fetchActivationIfExists(db, id: id) }
    }

    public func activation(audienceID: Int64, adAccountID: String) async throws -> ActivationRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM audience_activations WHERE audience_id = ? AND ad_account_id = ?", arguments: [audienceID, adAccountID]
            ).map(Self.activation(from:))
        }
    }

    /// Activations of one audience, or of every live audience, by id.
    public func activations(audienceID: Int64? = nil) async throws -> [ActivationRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM audience_activations a JOIN audiences au ON au.id = a.audience_id
                    WHERE au.deleted_at IS NULL AND (? IS NULL OR a.audience_id = ?) ORDER BY a.id
                    """,
                arguments: [audienceID, audienceID]
            ).map(Self.activation(from:))
        }
    }

    /// Reads, changes and writes back one activation in a transaction. Returns nil (and writes
    /// nothing) when it does not exist. The state written is settled against the audience's
    /// version in the same transaction (`ActivationRecord.settle`): whatever `change` says, an
    /// activation Pinterest is up to date with is stored SYNCED.
    @discardableResult
    public func updateActivation(
        id: Int64, now: Date, _ change: @escaping @Sendable (inout ActivationRecord) throws -> Void
    ) async throws -> ActivationRecord? {
        try await writer.write { db in
            guard var record = try Self.fetchActivationIfExists(db, id: id) else { return nil }
            try change(&record)
            if let version = try Int64.fetchOne(db, sql: "SELECT version FROM audiences WHERE id = ?", arguments: [record.audienceID]) {
                record.settle(audienceVersion: version)
            }
            record.updatedAt = now
            try Self.save(record, db)
            return record
        }
    }

    /// Member changes since `syncedVersion` that Pinterest does not have yet (a member changed
    /// in two versions counts twice). Before the first sync: the members.
    public func pendingChangeCount(audienceID: Int64, syncedVersion: Int64) async throws -> Int {
        try await writer.read { db in
            if syncedVersion == 0 {
                return try Int.fetchOne(db, sql: "SELECT member_count FROM audiences WHERE id = ?", arguments: [audienceID]) ?? 0
            }
            return try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(changed), 0) FROM audience_changes WHERE audience_id = ? AND version > ?",
                arguments: [audienceID, syncedVersion]) ?? 0
        }
    }

    /// The next member hashes to send, as lowercase hex: present (or removed) members whose last
    /// change lies in (afterVersion, upToVersion], after `afterHash` (hex; "" for the start) in
    /// hash order.
    public func memberChunk(
        audienceID: Int64, present: Bool, afterVersion: Int64, upToVersion: Int64, afterHash: String, limit: Int
    ) async throws -> [String] {
        let after = MemberHash(hex: afterHash)?.data ?? Data()
        return try await writer.read { db in
            try Data.fetchAll(
                db,
                sql: """
                    SELECT member_hash FROM audience_members
                    WHERE audience_id = ? AND member_hash > ? AND present = ? AND version > ? AND version <= ?
                    ORDER BY member_hash LIMIT ?
                    """,
                arguments: [audienceID, after, present ? 1 : 0, afterVersion, upToVersion, limit]
            ).compactMap { MemberHash(data: $0)?.hex }
        }
    }

    /// Present members of an audience, as lowercase hex in hash order (e.g. to compare with what
    /// Pinterest has).
    public func presentMemberHashes(audienceID: Int64) async throws -> [String] {
        try await writer.read { db in
            try Data.fetchAll(
                db, sql: "SELECT member_hash FROM audience_members WHERE audience_id = ? AND present = 1 ORDER BY member_hash",
                arguments: [audienceID]
            ).compactMap { MemberHash(data: $0)?.hex }
        }
    }

    // MARK: - Actalikes

    /// Records an actalike about to be created (so a lost answer can be recovered by name), or
    /// returns the one that exists for this activation, country and percentage.
    public func reserveActalike(
        audienceID: Int64, activationID: Int64, adAccountID: String, name: String, country: String, percentage: Int, now: Date
    ) async throws -> (actalike: ActalikeRecord, existed: Bool) {
        let ms = now.storeMillis
        return try await writer.write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM audience_actalikes WHERE activation_id = ? AND country = ? AND percentage = ?",
                arguments: [activationID, country, percentage])
            {
                return (Self.actalike(from: row), true)
            }
            try db.execute(
                sql: """
                    INSERT INTO audience_actalikes (audience_id, activation_id, ad_account_id, name, country, percentage, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [audienceID, activationID, adAccountID, name, country, percentage, ms, ms])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM audience_actalikes WHERE id = ?", arguments: [db.lastInsertedRowID]) else {
                throw StoreError.database(path: "", underlying: "actalike vanished inside its transaction")
            }
            return (Self.actalike(from: row), false)
        }
    }

    public func completeActalike(id: Int64, pinterestAudienceID: String, status: String?, now: Date) async throws -> ActalikeRecord? {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE audience_actalikes SET pinterest_audience_id = ?, status = ?, updated_at = ? WHERE id = ?",
                arguments: [pinterestAudienceID, status, now.storeMillis, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM audience_actalikes WHERE id = ?", arguments: [id]).map(Self.actalike(from:))
        }
    }

    /// Forgets an actalike whose creation Pinterest refused.
    public func dropActalike(id: Int64) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM audience_actalikes WHERE id = ? AND pinterest_audience_id IS NULL", arguments: [id])
        }
    }

    public func actalikes(audienceID: Int64? = nil) async throws -> [ActalikeRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audience_actalikes WHERE (? IS NULL OR audience_id = ?) ORDER BY id", arguments: [audienceID, audienceID]
            ).map(Self.actalike(from:))
        }
    }

    // MARK: - Rows

    private static func fetchActivation(_ db: Database, id: Int64) throws -> ActivationRecord {
        guard let record = try fetchActivationIfExists(db, id: id) else {
            throw StoreError.database(path: "", underlying: "activation \(id) vanished inside its transaction")
        }
        return record
    }

    private static func fetchActivationIfExists(_ db: Database, id: Int64) throws -> ActivationRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM audience_activations WHERE id = ?", arguments: [id]).map(activation(from:))
    }

    private static func activation(from row: Row) -> ActivationRecord {
        var operation: SyncOperation?
        if let target: Int64 = row["op_target_version"] {
            operation = SyncOperation(
                targetVersion: target, phase: SyncOperation.Phase(rawValue: row["op_phase"] ?? "") ?? .add, cursor: row["op_cursor"] ?? "",
                added: row["op_added"], removed: row["op_removed"])
        }
        var pending: PendingWrite?
        if let kindText: String = row["pending_kind"], let kind = PendingWrite.Kind(rawValue: kindText) {
            pending = PendingWrite(
                kind: kind, lastHash: row["pending_last_hash"], count: row["pending_count"] ?? 0, counterBefore: row["pending_counter_before"] ?? 0,
                startedAt: Date(storeMillis: row["pending_started_at"] ?? 0))
        }
        let errorAt: Int64? = row["error_at"]
        let lastSyncedAt: Int64? = row["last_synced_at"]
        var record = ActivationRecord(
            id: row["id"], audienceID: row["audience_id"], adAccountID: row["ad_account_id"], connectionID: row["connection_id"],
            active: row["active"], state: ActivationRecord.State(rawValue: row["state"]) ?? .error, customerListName: row["customer_list_name"],
            customerListID: row["customer_list_id"], pinterestAudienceID: row["pinterest_audience_id"], syncedVersion: row["synced_version"],
            operation: operation, pending: pending, createdAt: Date(storeMillis: row["created_at"]), updatedAt: Date(storeMillis: row["updated_at"]))
        record.errorMessage = row["error_message"]
        record.errorCode = row["error_code"]
        record.errorAt = errorAt.map(Date.init(storeMillis:))
        record.listStatus = row["list_status"]
        record.audienceStatus = row["audience_status"]
        record.listUploaded = row["list_uploaded"]
        record.listRemoved = row["list_removed"]
        record.recordsAdded = row["records_added"]
        record.recordsRemoved = row["records_removed"]
        record.retryRound = row["retry_round"]
        record.lastSyncedAt = lastSyncedAt.map(Date.init(storeMillis:))
        return record
    }

    private static func save(_ record: ActivationRecord, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE audience_activations SET
                    connection_id = ?, active = ?, state = ?, error_message = ?, error_code = ?, error_at = ?,
                    customer_list_id = ?, pinterest_audience_id = ?, list_status = ?, audience_status = ?,
                    list_uploaded = ?, list_removed = ?, synced_version = ?, records_added = ?, records_removed = ?,
                    op_target_version = ?, op_phase = ?, op_cursor = ?, op_added = ?, op_removed = ?,
                    pending_kind = ?, pending_last_hash = ?, pending_count = ?, pending_counter_before = ?, pending_started_at = ?,
                    retry_round = ?, last_synced_at = ?, updated_at = ?
                WHERE id = ?
                """,
            arguments: [
                record.connectionID, record.active, record.state.rawValue, record.errorMessage, record.errorCode, record.errorAt?.storeMillis,
                record.customerListID, record.pinterestAudienceID, record.listStatus, record.audienceStatus,
                record.listUploaded, record.listRemoved, record.syncedVersion, record.recordsAdded, record.recordsRemoved,
                record.operation?.targetVersion, record.operation?.phase.rawValue, record.operation?.cursor,
                record.operation?.added ?? 0, record.operation?.removed ?? 0,
                record.pending?.kind.rawValue, record.pending?.lastHash, record.pending?.count, record.pending?.counterBefore,
                record.pending?.startedAt.storeMillis, record.retryRound, record.lastSyncedAt?.storeMillis, record.updatedAt.storeMillis,
                record.id,
            ])
    }

    private static func actalike(from row: Row) -> ActalikeRecord {
        ActalikeRecord(
            id: row["id"], audienceID: row["audience_id"], activationID: row["activation_id"], adAccountID: row["ad_account_id"],
            name: row["name"], country: row["country"], percentage: row["percentage"], pinterestAudienceID: row["pinterest_audience_id"],
            status: row["status"], createdAt: Date(storeMillis: row["created_at"]), updatedAt: Date(storeMillis: row["updated_at"]))
    }
}
