import Foundation
import GRDB

/// A change to a campaign, ad group or ad that Pinterest has, kept before it is sent: the
/// write-ahead record of `campaigns.update`, `ad_groups.update` and `ads.update`.
public struct UpdateRecord: Sendable, Equatable {
    public enum State: String, Sendable { case queued = "QUEUED", applied = "APPLIED", refused = "REFUSED" }

    public var id: Int64
    public var level: BuildLevel
    public var objectID: Int64
    /// The campaign the object is in (its updates run one at a time, in order).
    public var campaignID: Int64
    /// The JSON of the daemon's change.
    public var changes: String
    public var state: State
    /// The change was sent at this time and Pinterest's answer not recorded: before sending it
    /// again, Pinterest's state is read.
    public var sentAt: Date?
    public var errorMessage: String?
    public var errorCode: Int?
    public var createdAt: Date
    public var updatedAt: Date
    public var appliedAt: Date?
}

extension Store {
    static func registerCampaignOperationsMigration(_ migrator: inout DatabaseMigrator) {
        // Updates as write-ahead records; Pinterest's state as last read on each level (and
        // the objects found under a tracked campaign, made elsewhere); keywords still to create
        // after their ad group; the ad accounts' conversion tags; metrics of ad groups and ads.
        migrator.registerMigration("v17_campaign_operations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE build_updates (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        level TEXT NOT NULL CHECK (level IN ('campaign', 'adGroup', 'ad')),
                        object_id INTEGER NOT NULL,
                        campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
                        changes TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('QUEUED', 'APPLIED', 'REFUSED')),
                        sent_at INTEGER,
                        error_message TEXT,
                        error_code INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        applied_at INTEGER
                    );
                    CREATE INDEX build_updates_queued ON build_updates (campaign_id, id) WHERE state = 'QUEUED';
                    CREATE INDEX build_updates_object ON build_updates (level, object_id, id);
                    ALTER TABLE campaigns ADD COLUMN pinterest_state TEXT;
                    ALTER TABLE campaigns ADD COLUMN read_at INTEGER;
                    ALTER TABLE ad_groups ADD COLUMN pinterest_state TEXT;
                    ALTER TABLE ad_groups ADD COLUMN read_at INTEGER;
                    ALTER TABLE ad_groups ADD COLUMN made_elsewhere INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE ad_groups ADD COLUMN keywords_pending INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE ads ADD COLUMN pinterest_state TEXT;
                    ALTER TABLE ads ADD COLUMN read_at INTEGER;
                    ALTER TABLE ads ADD COLUMN made_elsewhere INTEGER NOT NULL DEFAULT 0;
                    CREATE UNIQUE INDEX ad_groups_pinterest ON ad_groups (pinterest_id) WHERE pinterest_id IS NOT NULL;
                    CREATE UNIQUE INDEX ads_pinterest ON ads (pinterest_id) WHERE pinterest_id IS NOT NULL;
                    CREATE TABLE conversion_tags (
                        pinterest_id TEXT PRIMARY KEY,
                        ad_account_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        status TEXT,
                        body TEXT NOT NULL,
                        read_at INTEGER NOT NULL
                    );
                    CREATE INDEX conversion_tags_account ON conversion_tags (ad_account_id, name);
                    CREATE TABLE level_metrics (
                        level TEXT NOT NULL CHECK (level IN ('adGroup', 'ad')),
                        object_id INTEGER NOT NULL,
                        campaign_id INTEGER NOT NULL,
                        ad_group_id INTEGER NOT NULL,
                        date TEXT NOT NULL,
                        spend_micro INTEGER NOT NULL,
                        impressions INTEGER NOT NULL,
                        clicks INTEGER NOT NULL,
                        saves INTEGER NOT NULL,
                        conversions INTEGER,
                        conversion_value_micro INTEGER,
                        pulled_at INTEGER NOT NULL,
                        PRIMARY KEY (level, object_id, date)
                    ) WITHOUT ROWID;
                    CREATE INDEX level_metrics_campaign ON level_metrics (level, campaign_id, date);
                    """)
        }
    }

    // MARK: - Updates

    /// Records a change to send (QUEUED), durable before the caller is answered.
    public func insertUpdate(_ level: BuildLevel, objectID: Int64, campaignID: Int64, changes: String, now: Date) async throws -> UpdateRecord {
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO build_updates (level, object_id, campaign_id, changes, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'QUEUED', ?, ?)
                    """,
                arguments: [level.rawValue, objectID, campaignID, changes, ms, ms])
            return try Self.fetchUpdate(db, id: db.lastInsertedRowID)
        }
    }

    /// The queued changes of a campaign's objects, oldest first.
    public func queuedUpdates(campaignID: Int64) async throws -> [UpdateRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM build_updates WHERE campaign_id = ? AND state = 'QUEUED' ORDER BY id", arguments: [campaignID]
            ).map(Self.update)
        }
    }

    /// Campaigns with updates still queued.
    public func campaignsWithQueuedUpdates() async throws -> [Int64] {
        try await writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT campaign_id FROM build_updates WHERE state = 'QUEUED' ORDER BY campaign_id")
        }
    }

    public func update(id: Int64) async throws -> UpdateRecord? {
        try await writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM build_updates WHERE id = ?", arguments: [id]).map(Self.update) }
    }

    /// The newest update of each of these objects.
    public func latestUpdates(_ level: BuildLevel, objectIDs: [Int64]) async throws -> [Int64: UpdateRecord] {
        guard !objectIDs.isEmpty else { return [:] }
        return try await writer.read { db in
            var latest: [Int64: UpdateRecord] = [:]
            for chunk in stride(from: 0, to: objectIDs.count, by: 500).map({ Array(objectIDs[$0..<min($0 + 500, objectIDs.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM build_updates WHERE id IN (
                            SELECT MAX(id) FROM build_updates WHERE level = ? AND object_id IN (\(marks)) GROUP BY object_id)
                        """,
                    arguments: StatementArguments([level.rawValue] + chunk.map { $0 as any DatabaseValueConvertible }))
                for row in rows {
                    let record = Self.update(row)
                    latest[record.objectID] = record
                }
            }
            return latest
        }
    }

    /// The change is about to be sent.
    public func markUpdateSent(id: Int64, at: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE build_updates SET sent_at = ?, updated_at = ? WHERE id = ?", arguments: [at.storeMillis, at.storeMillis, id])
        }
    }

    /// The send certainly did not reach Pinterest.
    public func clearUpdateSent(id: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE build_updates SET sent_at = NULL, updated_at = ? WHERE id = ?", arguments: [now.storeMillis, id])
        }
    }

    /// Pinterest has the change: the object's plan becomes `spec` (what pinads last set) and its
    /// reading Pinterest's answer, in one transaction with the update's APPLIED.
    public func markUpdateApplied(id: Int64, spec: String?, reading: String?, status: String?, now: Date) async throws {
        let ms = now.storeMillis
        try await writer.write { db in
            let update = try Self.fetchUpdate(db, id: id)
            let table = update.level.table
            if let spec {
                try db.execute(sql: "UPDATE \(table) SET spec = ?, updated_at = ? WHERE id = ?", arguments: [spec, ms, update.objectID])
            }
            if let reading {
                try db.execute(
                    sql: "UPDATE \(table) SET pinterest_state = ?, read_at = ?, updated_at = ? WHERE id = ?",
                    arguments: [reading, ms, ms, update.objectID])
            }
            if update.level == .campaign, let status {
                try db.execute(sql: "UPDATE campaigns SET pinterest_status = ? WHERE id = ?", arguments: [status, update.objectID])
            }
            try db.execute(
                sql: "UPDATE build_updates SET state = 'APPLIED', applied_at = ?, updated_at = ?, error_message = NULL, error_code = NULL WHERE id = ?",
                arguments: [ms, ms, id])
        }
    }

    /// Refused (by pinads' checks when it ran, or by Pinterest): the object is left as it was,
    /// or, when part of the update was applied, gets that part's `spec` and `reading`.
    public func markUpdateRefused(id: Int64, message: String, code: Int?, spec: String? = nil, reading: String? = nil, now: Date) async throws {
        let ms = now.storeMillis
        try await writer.write { db in
            let update = try Self.fetchUpdate(db, id: id)
            if let spec {
                try db.execute(sql: "UPDATE \(update.level.table) SET spec = ?, updated_at = ? WHERE id = ?", arguments: [spec, ms, update.objectID])
            }
            if let reading {
                try db.execute(
                    sql: "UPDATE \(update.level.table) SET pinterest_state = ?, read_at = ? WHERE id = ?", arguments: [reading, ms, update.objectID])
            }
            try db.execute(
                sql: "UPDATE build_updates SET state = 'REFUSED', error_message = ?, error_code = ?, sent_at = NULL, updated_at = ? WHERE id = ?",
                arguments: [message, code, ms, id])
        }
    }

    /// A plan changed by Pinterest's doing (an ad group archived with its campaign).
    public func setSpec(_ level: BuildLevel, id: Int64, spec: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE \(level.table) SET spec = ?, updated_at = ? WHERE id = ?", arguments: [spec, now.storeMillis, id])
        }
    }

    // MARK: - Pinterest's state

    /// What Pinterest said of an object (JSON), as read at `now`.
    public func setReading(_ level: BuildLevel, id: Int64, reading: String, status: String?, now: Date) async throws {
        let ms = now.storeMillis
        try await writer.write { db in
            // A read taken before a later one (an update's answer) does not overwrite it.
            try db.execute(
                sql: "UPDATE \(level.table) SET pinterest_state = ?, read_at = ?, updated_at = ? WHERE id = ? AND (read_at IS NULL OR read_at <= ?)",
                arguments: [reading, ms, ms, id, ms])
            if level == .campaign, let status, db.changesCount > 0 {
                try db.execute(sql: "UPDATE campaigns SET pinterest_status = ? WHERE id = ?", arguments: [status, id])
            }
        }
    }

    /// An ad group or ad found at Pinterest under a campaign here, made elsewhere (CREATED,
    /// its spec what Pinterest said). Returns the existing row when its Pinterest id is known,
    /// and nil, adding nothing, while a create under the same campaign is in progress (the
    /// object may be that create's, its id not stored yet).
    public func insertFoundChild(
        _ level: BuildLevel, parentID: Int64, pinterestID: String, spec: String, reading: String, now: Date
    ) async throws -> (record: BuildRecord, existed: Bool)? {
        guard let parentColumn = level.parentColumn else { throw StoreError.database(path: "", underlying: "a campaign has no parent") }
        let ms = now.storeMillis
        return try await writer.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM \(level.table) WHERE pinterest_id = ?", arguments: [pinterestID]) {
                return (Self.build(level, row), true)
            }
            let campaignID: Int64? =
                level == .adGroup ? parentID : try Int64.fetchOne(db, sql: "SELECT campaign_id FROM ad_groups WHERE id = ?", arguments: [parentID])
            let building = try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM ad_groups WHERE campaign_id = ? AND (state = 'PENDING' OR pending_since IS NOT NULL))
                        OR EXISTS (SELECT 1 FROM ads AS a JOIN ad_groups AS g ON g.id = a.ad_group_id
                            WHERE g.campaign_id = ? AND (a.state = 'PENDING' OR a.pending_since IS NOT NULL))
                    """,
                arguments: [campaignID, campaignID]) ?? true
            guard !building else { return nil }
            try db.execute(
                sql: """
                    INSERT INTO \(level.table) (\(parentColumn), spec, pinterest_id, state, pinterest_state, read_at, made_elsewhere, created_at, updated_at)
                    VALUES (?, ?, ?, 'CREATED', ?, ?, 1, ?, ?)
                    """,
                arguments: [parentID, spec, pinterestID, reading, ms, ms, ms])
            return (try Self.fetchBuild(db, level, id: db.lastInsertedRowID), false)
        }
    }

    /// The rows of a level holding these Pinterest ids, by Pinterest id.
    public func buildRecords(_ level: BuildLevel, pinterestIDs: [String]) async throws -> [String: BuildRecord] {
        guard !pinterestIDs.isEmpty else { return [:] }
        return try await writer.read { db in
            var found: [String: BuildRecord] = [:]
            for start in stride(from: 0, to: pinterestIDs.count, by: 500) {
                let chunk = Array(pinterestIDs[start..<min(start + 500, pinterestIDs.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT * FROM \(level.table) WHERE pinterest_id IN (\(marks))", arguments: StatementArguments(chunk))
                {
                    let record = Self.build(level, row)
                    if let id = record.pinterestID { found[id] = record }
                }
            }
            return found
        }
    }

    /// Whether an ad group's keywords are still to be created at Pinterest.
    public func setKeywordsPending(adGroupID: Int64, _ pending: Bool, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE ad_groups SET keywords_pending = ?, updated_at = ? WHERE id = ?", arguments: [pending, now.storeMillis, adGroupID])
        }
    }

    // MARK: - Rows

    private static func fetchUpdate(_ db: Database, id: Int64) throws -> UpdateRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM build_updates WHERE id = ?", arguments: [id]) else {
            throw StoreError.database(path: "", underlying: "update \(id) vanished inside its transaction")
        }
        return update(row)
    }

    private static func update(_ row: Row) -> UpdateRecord {
        let sent: Int64? = row["sent_at"]
        let applied: Int64? = row["applied_at"]
        return UpdateRecord(
            id: row["id"], level: BuildLevel(rawValue: row["level"]) ?? .campaign, objectID: row["object_id"], campaignID: row["campaign_id"],
            changes: row["changes"], state: UpdateRecord.State(rawValue: row["state"]) ?? .refused, sentAt: sent.map(Date.init(storeMillis:)),
            errorMessage: row["error_message"], errorCode: row["error_code"], createdAt: Date(storeMillis: row["created_at"]),
            updatedAt: Date(storeMillis: row["updated_at"]), appliedAt: applied.map(Date.init(storeMillis:)))
    }
}
