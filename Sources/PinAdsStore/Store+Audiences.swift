import Foundation
import GRDB

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
            try db.execute(
                sql: "UPDATE audience_activations SET active = 0, updated_at = ? WHERE audience_id = ?", arguments: [now.storeMillis, id])
            try db.execute(
                sql: "UPDATE audiences SET deleted_at = ?, member_count = 0, updated_at = ? WHERE id = ?",
                arguments: [now.storeMillis, now.storeMillis, id])
            return record
        }
    }

    /// Adds (`present: true`) or removes members, given as hashes, in one transaction. Members
    /// already in that state are counted as unchanged. The audience's version rises once when
    /// anything changed.
    public func changeMembers(audienceID: Int64, hashes: [String], present: Bool, now: Date) async throws -> MembershipChange? {
        try await writer.write { db in
            guard let record = try Self.fetchAudienceIfExists(db, id: audienceID) else { return nil }
            let version = record.version + 1
            var change = MembershipChange()
            let select = try db.cachedStatement(sql: "SELECT present FROM audience_members WHERE audience_id = ? AND member_hash = ?")
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO audience_members (audience_id, member_hash, present, version) VALUES (?, ?, ?, ?)
                    ON CONFLICT (audience_id, member_hash) DO UPDATE SET present = excluded.present, version = excluded.version
                    """)
            let wanted = present ? 1 : 0
            for hash in Set(hashes) {
                let current = try Int.fetchOne(select, arguments: [audienceID, hash])
                if current == wanted || (current == nil && !present) {
                    change.unchanged += 1
                    continue
                }
                try upsert.execute(arguments: [audienceID, hash, wanted, version])
                if present { change.added += 1 } else { change.removed += 1 }
            }
            // Values repeated inside the request count once as changed, the rest as unchanged.
            change.unchanged += hashes.count - Set(hashes).count
            if change.added + change.removed > 0 {
                try db.execute(
                    sql: "UPDATE audiences SET version = ?, member_count = member_count + ?, updated_at = ? WHERE id = ?",
                    arguments: [version, change.added - change.removed, now.storeMillis, audienceID])
            }
            return change
        }
    }

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
