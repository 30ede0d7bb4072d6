import Foundation
import GRDB

/// A conversion tag of an ad account as last read from Pinterest (`body` is Pinterest's JSON).
public struct ConversionTagRecord: Sendable, Equatable {
    public var pinterestID: String
    public var adAccountID: String
    public var name: String
    public var status: String?
    public var body: String
    public var readAt: Date

    public init(pinterestID: String, adAccountID: String, name: String, status: String?, body: String, readAt: Date) {
        self.pinterestID = pinterestID
        self.adAccountID = adAccountID
        self.name = name
        self.status = status
        self.body = body
        self.readAt = readAt
    }
}

extension Store {
    /// The ad account's tags as Pinterest listed them: these replace what was known of it.
    public func replaceConversionTags(adAccountID: String, _ tags: [ConversionTagRecord]) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM conversion_tags WHERE ad_account_id = ?", arguments: [adAccountID])
            for tag in tags { try Self.upsert(db, tag) }
        }
    }

    public func upsertConversionTag(_ tag: ConversionTagRecord) async throws {
        try await writer.write { db in try Self.upsert(db, tag) }
    }

    public func conversionTag(pinterestID: String) async throws -> ConversionTagRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM conversion_tags WHERE pinterest_id = ?", arguments: [pinterestID]).map(Self.tag)
        }
    }

    public func conversionTags(adAccountID: String) async throws -> [ConversionTagRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM conversion_tags WHERE ad_account_id = ? ORDER BY name, pinterest_id", arguments: [adAccountID])
                .map(Self.tag)
        }
    }

    private static func upsert(_ db: Database, _ tag: ConversionTagRecord) throws {
        try db.execute(
            sql: """
                INSERT INTO conversion_tags (pinterest_id, ad_account_id, name, status, body, read_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (pinterest_id) DO UPDATE SET ad_account_id = excluded.ad_account_id, name = excluded.name,
                    status = excluded.status, body = excluded.body, read_at = excluded.read_at
                """,
            arguments: [tag.pinterestID, tag.adAccountID, tag.name, tag.status, tag.body, tag.readAt.storeMillis])
    }

    private static func tag(_ row: Row) -> ConversionTagRecord {
        ConversionTagRecord(
            pinterestID: row["pinterest_id"], adAccountID: row["ad_account_id"], name: row["name"], status: row["status"], body: row["body"],
            readAt: Date(storeMillis: row["read_at"]))
    }
}
