import Foundation
import GRDB
import GRDBSQLite

/// A stored audience (cohort): its members are kept as SHA-256 hashes only.
public struct AudienceRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// EMAIL, MAID or IDFA.
    public var listType: String
    public var description: String?
    /// Rises with every call that changed the members.
    public var version: Int64
    public var memberCount: Int
    public var createdAt: Date
    public var updatedAt: Date
}

/// What a change of members did.
public struct MembershipChange: Sendable, Equatable {
    public var added = 0
    public var removed = 0
    public var unchanged = 0

    public init(added: Int = 0, removed: Int = 0, unchanged: Int = 0) {
        self.added = added
        self.removed = removed
        self.unchanged = unchanged
    }
}

/// Why an audience could not be created.
public struct AudienceNameTaken: Error, Sendable {
    public var name: String
}

extension Store {
    public func createAudience(name: String, listType: String, description: String?, now: Date) async throws -> AudienceRecord {
        let ms = now.storeMillis
        return try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audiences WHERE name = ? AND deleted_at IS NULL)", arguments: [name]) == true {
                throw AudienceNameTaken(name: name)
            }
            try db.execute(
                sql: "INSERT INTO audiences (name, list_type, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, listType, description, ms, ms])
            return try Self.fetchAudience(db, id: db.lastInsertedRowID)
        }
    }

    public func audience(id: Int64) async throws -> AudienceRecord? {
        try await writer.read { db in try Self.fetchAudienceIfExists(db, id: id) }
    }

    public func audiences() async throws -> [AudienceRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audiences WHERE deleted_at IS NULL ORDER BY id").map(Self.audience(from:))
        }
    }

    /// Deletes the audience here (its members too); nothing at Pinterest changes.
    public func deleteAudience(id: Int64, now: Date) async throws -> AudienceRecord? {
        try await writer.write { db in
            guard let record = try Self.fetchAudienceIfExists(db, id: id) else { return nil }
            try db.execute(sql: "DELETE FROM audience_members WHERE audience_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM audience_changes WHERE audience_id = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE audience_activations SET active = 0, updated_at = ? WHERE audience_id = ?", arguments: [now.storeMillis, id])
            try db.execute(
                sql: "UPDATE audiences SET deleted_at = ?, member_count = 0, updated_at = ? WHERE id = ?",
                arguments: [now.storeMillis, now.storeMillis, id])
            return record
        }
    }

    /// Adds (`present: true`) or removes members, given as hashes, in one transaction. Members
    /// already in that state (or repeated in the request) are counted as unchanged. The
    /// audience's version rises once when anything changed.
    public func changeMembers(audienceID: Int64, hashes: [MemberHash], present: Bool, now: Date) async throws -> MembershipChange? {
        // In index order, so the writes walk the member index instead of jumping around it;
        // sorted before the transaction, which other writers would otherwise wait for.
        let hashes = hashes.sorted()
        return try await writer.write { db in
            guard let record = try Self.fetchAudienceIfExists(db, id: audienceID) else { return nil }
            let version = record.version + 1
            var change = MembershipChange()
            // One statement per member, which changes a row only when the member's state changes,
            // so the change count says whether it did. Bound through SQLite's C API: this is the
            // hot path of a million-member import.
            let statement =
                present
                ? try db.cachedStatement(
                    sql: """
                        INSERT INTO audience_members (audience_id, member_hash, present, version) VALUES (?1, ?2, 1, ?3)
                        ON CONFLICT (audience_id, member_hash) DO UPDATE SET present = 1, version = excluded.version WHERE present = 0
                        """)
                : try db.cachedStatement(
                    sql: "UPDATE audience_members SET present = 0, version = ?3 WHERE audience_id = ?1 AND member_hash = ?2 AND present = 1")
            let handle = statement.sqliteStatement
            for hash in hashes {
                sqlite3_reset(handle)
                sqlite3_bind_int64(handle, 1, audienceID)
                sqlite3_bind_int64(handle, 3, version)
                let code = hash.withBytes { bytes in
                    sqlite3_bind_blob(handle, 2, bytes.baseAddress, 32, Self.transient)
                    return sqlite3_step(handle)
                }
                guard code == SQLITE_DONE else {
                    sqlite3_reset(handle)
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                if sqlite3_changes(db.sqliteConnection) == 0 {
                    change.unchanged += 1
                } else if present {
                    change.added += 1
                } else {
                    change.removed += 1
                }
            }
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            if change.added + change.removed > 0 {
                try db.execute(
                    sql: "UPDATE audiences SET version = ?, member_count = member_count + ?, updated_at = ? WHERE id = ?",
                    arguments: [version, change.added - change.removed, now.storeMillis, audienceID])
                try db.execute(
                    sql: "INSERT INTO audience_changes (audience_id, version, changed) VALUES (?, ?, ?)",
                    arguments: [audienceID, version, change.added + change.removed])
            }
            return change
        }
    }

    /// SQLite copies the bound bytes (they live on the stack only for the call).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func fetchAudience(_ db: Database, id: Int64) throws -> AudienceRecord {
        guard let record = try fetchAudienceIfExists(db, id: id) else {
            throw StoreError.database(path: "", underlying: "audience \(id) vanished inside its transaction")
        }
        return record
    }

    private static func fetchAudienceIfExists(_ db: Database, id: Int64) throws -> AudienceRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM audiences WHERE id = ? AND deleted_at IS NULL", arguments: [id]).map(audience(from:))
    }

    private static func audience(from row: Row) -> AudienceRecord {
        AudienceRecord(
            id: row["id"], name: row["name"], listType: row["list_type"], description: row["description"], version: row["version"],
            memberCount: row["member_count"], createdAt: Date(storeMillis: row["created_at"]), updatedAt: Date(storeMillis: row["updated_at"]))
    }
}
