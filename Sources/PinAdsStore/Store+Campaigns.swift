import Foundation
import GRDB

/// A level of the campaign hierarchy.
public enum BuildLevel: String, Sendable, CaseIterable {
    case campaign, adGroup, ad

    /// Its name in messages and results: campaign, ad_group, ad.
    public var name: String {
        switch self {
        case .campaign: return "campaign"
        case .adGroup: return "ad_group"
        case .ad: return "ad"
        }
    }

    var table: String {
        switch self {
        case .campaign: return "campaigns"
        case .adGroup: return "ad_groups"
        case .ad: return "ads"
        }
    }

    var parentColumn: String? {
        switch self {
        case .campaign: return nil
        case .adGroup: return "campaign_id"
        case .ad: return "ad_group_id"
        }
    }
}

/// A campaign, ad group or ad as stored: its spec (the JSON of the daemon's plan) and how
/// far Pinterest has it.
public struct BuildRecord: Sendable, Equatable {
    public enum State: String, Sendable { case pending = "PENDING", created = "CREATED", error = "ERROR" }

    public var level: BuildLevel
    public var id: Int64
    /// The campaign of an ad group, the ad group of an ad; nil for a campaign.
    public var parentID: Int64?
    /// Campaigns only.
    public var adAccountID: String?
    public var spec: String?
    public var pinterestID: String?
    public var state: State
    public var errorMessage: String?
    public var errorCode: Int?
    /// A create was sent at this time and its answer not recorded.
    public var pendingSince: Date?
    /// Campaigns only.
    public var clientRequestID: String?
    public var request: String?
    public var pinterestStatus: String?
    public var tracked: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// What Pinterest said of it when last read (JSON), and when.
    public var pinterestState: String?
    public var readAt: Date?
    /// Ad groups and ads found under a tracked campaign, made outside pinads.
    public var madeElsewhere: Bool = false
    /// Ad groups whose keywords are still to be created at Pinterest.
    public var keywordsPending: Bool = false
}

/// One day of one campaign's, ad group's or ad's metrics.
public struct MetricsRecord: Sendable, Equatable {
    public var level: BuildLevel = .campaign
    /// The campaign of the row (its own, or its ad group's or ad's).
    public var campaignID: Int64
    /// Rows of ad groups and ads.
    public var adGroupID: Int64?
    /// Rows of ads.
    public var adID: Int64?
    public var date: String
    public var spendMicro: Int64
    public var impressions: Int64
    public var clicks: Int64
    public var saves: Int64
    public var conversions: Int64?
    public var conversionValueMicro: Int64?
    public var pulledAt: Date

    public init(
        campaignID: Int64, date: String, spendMicro: Int64, impressions: Int64, clicks: Int64, saves: Int64, conversions: Int64?,
        conversionValueMicro: Int64?, pulledAt: Date
    ) {
        self.campaignID = campaignID
        self.date = date
        self.spendMicro = spendMicro
        self.impressions = impressions
        self.clicks = clicks
        self.saves = saves
        self.conversions = conversions
        self.conversionValueMicro = conversionValueMicro
        self.pulledAt = pulledAt
    }
}

/// Why a launch cannot be recorded: its client request id names another launch.
public struct ClientRequestIDReused: Error, Sendable {
    public var campaignID: Int64
}

extension Store {
    // MARK: - Creating rows

    /// A campaign to create (state PENDING). With a client request id already used, returns the
    /// campaign made then instead (`existed` true).
    public func insertCampaign(
        adAccountID: String, spec: String, clientRequestID: String?, request: String?, now: Date
    ) async throws -> (record: BuildRecord, existed: Bool) {
        let ms = now.storeMillis
        return try await writer.write { db in
            if let clientRequestID,
                let row = try Row.fetchOne(db, sql: "SELECT * FROM campaigns WHERE client_request_id = ?", arguments: [clientRequestID])
            {
                let existing = Self.build(.campaign, row)
                // The same id for another campaign (or a launch) is a mistake, not a retry.
                guard existing.spec == spec, existing.request == request else { throw ClientRequestIDReused(campaignID: existing.id) }
                return (existing, true)
            }
            try db.execute(
                sql: """
                    INSERT INTO campaigns (ad_account_id, spec, request, client_request_id, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'PENDING', ?, ?)
                    """,
                arguments: [adAccountID, spec, request, clientRequestID, ms, ms])
            return (try Self.fetchBuild(db, .campaign, id: db.lastInsertedRowID), false)
        }
    }

    /// A child (ad group of a campaign, ad of an ad group) to create.
    /// - Parameter keywordsPending: an ad group with keywords to create after it.
    public func insertChild(_ level: BuildLevel, parentID: Int64, spec: String, keywordsPending: Bool = false, now: Date) async throws -> BuildRecord {
        guard let parentColumn = level.parentColumn else { throw StoreError.database(path: "", underlying: "a campaign has no parent") }
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO \(level.table) (\(parentColumn), spec, state, created_at, updated_at) VALUES (?, ?, 'PENDING', ?, ?)",
                arguments: [parentID, spec, ms, ms])
            let id = db.lastInsertedRowID
            if level == .adGroup, keywordsPending {
                try db.execute(sql: "UPDATE ad_groups SET keywords_pending = 1 WHERE id = ?", arguments: [id])
            }
            return try Self.fetchBuild(db, level, id: id)
        }
    }

    /// The three levels of a launch in one transaction; with its client request id already
    /// used, the rows of that launch instead (`existed` true), or `ClientRequestIDReused` when
    /// its request differed.
    public func insertLaunch(
        adAccountID: String, campaign: String, adGroup: String, ad: String, clientRequestID: String, request: String,
        keywordsPending: Bool = false, now: Date
    ) async throws -> (campaign: BuildRecord, adGroup: BuildRecord, ad: BuildRecord, existed: Bool) {
        let ms = now.storeMillis
        return try await writer.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM campaigns WHERE client_request_id = ?", arguments: [clientRequestID]) {
                let existing = Self.build(.campaign, row)
                guard existing.request == request,
                    let group = try Row.fetchOne(db, sql: "SELECT * FROM ad_groups WHERE campaign_id = ? ORDER BY id LIMIT 1", arguments: [existing.id]),
                    let adRow = try Row.fetchOne(db, sql: "SELECT * FROM ads WHERE ad_group_id = ? ORDER BY id LIMIT 1", arguments: [group["id"] as Int64])
                else { throw ClientRequestIDReused(campaignID: existing.id) }
                return (existing, Self.build(.adGroup, group), Self.build(.ad, adRow), true)
            }
            try db.execute(
                sql: """
                    INSERT INTO campaigns (ad_account_id, spec, request, client_request_id, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'PENDING', ?, ?)
                    """,
                arguments: [adAccountID, campaign, request, clientRequestID, ms, ms])
            let campaignID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO ad_groups (campaign_id, spec, state, keywords_pending, created_at, updated_at) VALUES (?, ?, 'PENDING', ?, ?, ?)",
                arguments: [campaignID, adGroup, keywordsPending, ms, ms])
            let adGroupID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO ads (ad_group_id, spec, state, created_at, updated_at) VALUES (?, ?, 'PENDING', ?, ?)",
                arguments: [adGroupID, ad, ms, ms])
            return (
                try Self.fetchBuild(db, .campaign, id: campaignID), try Self.fetchBuild(db, .adGroup, id: adGroupID),
                try Self.fetchBuild(db, .ad, id: db.lastInsertedRowID), false
            )
        }
    }

    /// A campaign made elsewhere whose metrics are wanted (created if new).
    public func trackCampaign(adAccountID: String, pinterestID: String, now: Date) async throws -> (record: BuildRecord, existed: Bool) {
        let ms = now.storeMillis
        return try await writer.write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM campaigns WHERE ad_account_id = ? AND pinterest_id = ?", arguments: [adAccountID, pinterestID])
            {
                try db.execute(sql: "UPDATE campaigns SET tracked = 1, updated_at = ? WHERE id = ?", arguments: [ms, row["id"] as Int64])
                return (try Self.fetchBuild(db, .campaign, id: row["id"]), true)
            }
            try db.execute(
                sql: """
                    INSERT INTO campaigns (ad_account_id, pinterest_id, state, tracked, created_at, updated_at)
                    VALUES (?, ?, 'CREATED', 1, ?, ?)
                    """,
                arguments: [adAccountID, pinterestID, ms, ms])
            return (try Self.fetchBuild(db, .campaign, id: db.lastInsertedRowID), false)
        }
    }

    // MARK: - Progress

    /// Records that a create is about to be sent.
    public func markBuildPending(_ level: BuildLevel, id: Int64, since: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE \(level.table) SET pending_since = ?, updated_at = ? WHERE id = ?", arguments: [since.storeMillis, since.storeMillis, id])
        }
    }

    /// Forgets a pending create that certainly did not happen.
    public func clearBuildPending(_ level: BuildLevel, id: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE \(level.table) SET pending_since = NULL, updated_at = ? WHERE id = ?", arguments: [now.storeMillis, id])
        }
    }

    /// Stores the Pinterest id the moment it is known.
    public func markBuildCreated(_ level: BuildLevel, id: Int64, pinterestID: String, status: String?, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE \(level.table) SET pinterest_id = ?, state = 'CREATED', pending_since = NULL, error_message = NULL,
                        error_code = NULL, updated_at = ? WHERE id = ?
                    """,
                arguments: [pinterestID, now.storeMillis, id])
            if level == .campaign, let status {
                try db.execute(sql: "UPDATE campaigns SET pinterest_status = ? WHERE id = ?", arguments: [status, id])
            }
        }
    }

    /// ERROR with Pinterest's words. `keepPending`: the create may have happened (a garbled
    /// answer), so the next attempt looks for it at Pinterest before creating again.
    public func markBuildError(_ level: BuildLevel, id: Int64, message: String, code: Int?, keepPending: Bool = false, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE \(level.table) SET state = 'ERROR', error_message = ?, error_code = ?,
                        pending_since = CASE WHEN ? THEN pending_since ELSE NULL END, updated_at = ? WHERE id = ?
                    """,
                arguments: [message, code, keepPending, now.storeMillis, id])
        }
    }

    /// Pinterest ids already held by rows of a level (so a lost create is never matched to one).
    public func knownPinterestIDs(_ level: BuildLevel) async throws -> Set<String> {
        try await writer.read { db in
            Set(try String.fetchAll(db, sql: "SELECT pinterest_id FROM \(level.table) WHERE pinterest_id IS NOT NULL"))
        }
    }

    /// Back to PENDING (a new build attempt after an ERROR).
    public func resetBuildError(_ level: BuildLevel, id: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE \(level.table) SET state = 'PENDING', error_message = NULL, error_code = NULL, updated_at = ? WHERE id = ? AND state = 'ERROR'",
                arguments: [now.storeMillis, id])
        }
    }

    // MARK: - Reading

    public func buildRecord(_ level: BuildLevel, id: Int64) async throws -> BuildRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM \(level.table) WHERE id = ?", arguments: [id]).map { Self.build(level, $0) }
        }
    }

    /// Rows of a level, of one parent (or ad account, for campaigns) or all, by id.
    public func buildRecords(_ level: BuildLevel, parentID: Int64? = nil, adAccountID: String? = nil) async throws -> [BuildRecord] {
        try await writer.read { db in
            var sql = "SELECT * FROM \(level.table)"
            var arguments: StatementArguments = []
            if let parentID, let column = level.parentColumn {
                sql += " WHERE \(column) = ?"
                arguments = [parentID]
            } else if let adAccountID, level == .campaign {
                sql += " WHERE ad_account_id = ?"
                arguments = [adAccountID]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map { Self.build(level, $0) }
        }
    }

    // MARK: - Metrics

    public func upsertMetrics(_ rows: [MetricsRecord]) async throws {
        try await writer.write { db in
            let levels = try db.cachedStatement(
                sql: """
                    INSERT INTO level_metrics (level, object_id, campaign_id, ad_group_id, date, spend_micro, impressions, clicks, saves,
                        conversions, conversion_value_micro, pulled_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (level, object_id, date) DO UPDATE SET spend_micro = excluded.spend_micro, impressions = excluded.impressions,
                        clicks = excluded.clicks, saves = excluded.saves, conversions = excluded.conversions,
                        conversion_value_micro = excluded.conversion_value_micro, pulled_at = excluded.pulled_at
                    """)
            for row in rows where row.level != .campaign {
                guard let group = row.adGroupID, let object = row.level == .ad ? row.adID : row.adGroupID else { continue }
                try levels.execute(arguments: [
                    row.level.rawValue, object, row.campaignID, group, row.date, row.spendMicro, row.impressions, row.clicks, row.saves,
                    row.conversions, row.conversionValueMicro, row.pulledAt.storeMillis,
                ])
            }
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO campaign_metrics (campaign_id, date, spend_micro, impressions, clicks, saves, conversions, conversion_value_micro, pulled_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (campaign_id, date) DO UPDATE SET spend_micro = excluded.spend_micro, impressions = excluded.impressions,
                        clicks = excluded.clicks, saves = excluded.saves, conversions = excluded.conversions,
                        conversion_value_micro = excluded.conversion_value_micro, pulled_at = excluded.pulled_at
                    """)
            for row in rows where row.level == .campaign {
                try statement.execute(arguments: [
                    row.campaignID, row.date, row.spendMicro, row.impressions, row.clicks, row.saves, row.conversions, row.conversionValueMicro,
                    row.pulledAt.storeMillis,
                ])
            }
        }
    }

    /// Ad group or ad rows from `from` to `to` (inclusive), of one campaign or ad group or all,
    /// by date and object.
    public func levelMetrics(_ level: BuildLevel, campaignID: Int64?, adGroupID: Int64?, from: String, to: String) async throws -> [MetricsRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM level_metrics WHERE level = ? AND (? IS NULL OR campaign_id = ?) AND (? IS NULL OR ad_group_id = ?)
                        AND date >= ? AND date <= ?
                    ORDER BY date, object_id
                    """,
                arguments: [level.rawValue, campaignID, campaignID, adGroupID, adGroupID, from, to]
            ).map { row in
                var record = MetricsRecord(
                    campaignID: row["campaign_id"], date: row["date"], spendMicro: row["spend_micro"], impressions: row["impressions"],
                    clicks: row["clicks"], saves: row["saves"], conversions: row["conversions"], conversionValueMicro: row["conversion_value_micro"],
                    pulledAt: Date(storeMillis: row["pulled_at"]))
                record.level = level
                record.adGroupID = row["ad_group_id"]
                if level == .ad { record.adID = row["object_id"] }
                return record
            }
        }
    }

    /// Rows from `from` to `to` (YYYY-MM-DD, inclusive), of one campaign or all, by date.
    public func metrics(campaignID: Int64?, from: String, to: String) async throws -> [MetricsRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM campaign_metrics WHERE (? IS NULL OR campaign_id = ?) AND date >= ? AND date <= ?
                    ORDER BY date, campaign_id
                    """,
                arguments: [campaignID, campaignID, from, to]
            ).map { row in
                MetricsRecord(
                    campaignID: row["campaign_id"], date: row["date"], spendMicro: row["spend_micro"], impressions: row["impressions"],
                    clicks: row["clicks"], saves: row["saves"], conversions: row["conversions"], conversionValueMicro: row["conversion_value_micro"],
                    pulledAt: Date(storeMillis: row["pulled_at"]))
            }
        }
    }

    // MARK: - Rows

    static func fetchBuild(_ db: Database, _ level: BuildLevel, id: Int64) throws -> BuildRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(level.table) WHERE id = ?", arguments: [id]) else {
            throw StoreError.database(path: "", underlying: "\(level.rawValue) \(id) vanished inside its transaction")
        }
        return build(level, row)
    }

    static func build(_ level: BuildLevel, _ row: Row) -> BuildRecord {
        let pending: Int64? = row["pending_since"]
        let read: Int64? = row["read_at"]
        let parent: Int64? = level.parentColumn.flatMap { row[$0] }
        let isCampaign = level == .campaign
        var record = BuildRecord(
            level: level, id: row["id"], parentID: parent, adAccountID: isCampaign ? row["ad_account_id"] : nil, spec: row["spec"],
            pinterestID: row["pinterest_id"], state: BuildRecord.State(rawValue: row["state"]) ?? .error, errorMessage: row["error_message"],
            errorCode: row["error_code"], pendingSince: pending.map(Date.init(storeMillis:)),
            clientRequestID: isCampaign ? row["client_request_id"] : nil, request: isCampaign ? row["request"] : nil,
            pinterestStatus: isCampaign ? row["pinterest_status"] : nil, tracked: isCampaign ? row["tracked"] : false,
            createdAt: Date(storeMillis: row["created_at"]), updatedAt: Date(storeMillis: row["updated_at"]),
            pinterestState: row["pinterest_state"], readAt: read.map(Date.init(storeMillis:)))
        if !isCampaign { record.madeElsewhere = row["made_elsewhere"] }
        if level == .adGroup { record.keywordsPending = row["keywords_pending"] }
        return record
    }
}
