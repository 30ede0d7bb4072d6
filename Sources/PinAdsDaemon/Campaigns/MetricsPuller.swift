import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import PinterestAPI

/// Pulls daily analytics of every tracked campaign, its ad groups and its ads into the store
/// (the scheduled `campaign_metrics` task), after reading the three levels back from Pinterest
/// (status, budgets, review; ad groups and ads made elsewhere), and answers
/// `campaigns.metrics` from the store.
public struct MetricsPuller: Sendable {
    static let kind = "campaigns.pull_metrics"
    /// What is asked of Pinterest, and where each lands.
    static let columns = [
        "SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", "CLICKTHROUGH_1", "REPIN_1", "TOTAL_CONVERSIONS", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
    ]
    /// Pinterest keeps daily analytics 90 days back.
    static let maximumDays = 90

    let store: Store
    let tokens: TokenManager
    let clock: any WallClock
    let logger: Logger
    /// Days pulled, ending today (UTC).
    let days: Int
    let reader: HierarchyReader

    public init(store: Store, tokens: TokenManager, clock: any WallClock, logger: Logger, days: Int = 7) {
        reader = HierarchyReader(store: store, clock: clock, logger: logger)
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
        self.days = min(max(1, days), Self.maximumDays)
    }

    /// The dates to pull, YYYY-MM-DD in UTC: `days` days ending today.
    static func window(now: Date, days: Int) -> (start: String, end: String) {
        (day(now.addingTimeInterval(-Double(days - 1) * 86_400)), day(now))
    }

    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// Campaign ids in batches Pinterest takes (at most 250 per call).
    static func batches<T>(_ items: [T], size: Int = 250) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    /// One pull of every tracked campaign; returns how many campaigns and rows.
    func pull() async throws -> (campaigns: Int, rows: Int, calls: Int) {
        let now = clock.now()
        let (start, end) = Self.window(now: now, days: days)
        let tracked = try await store.buildRecords(.campaign).filter { $0.tracked && $0.pinterestID != nil && $0.adAccountID != nil }
        var rows = 0, calls = 0
        var firstFailure: (any Error)?
        // One account's failure (unreachable, refused) does not keep the others from their pull;
        // the job fails at the end, so it is retried, and says which account failed.
        for (account, campaigns) in Dictionary(grouping: tracked, by: { $0.adAccountID ?? "" }).sorted(by: { $0.key < $1.key }) {
            do {
                let pulled = try await pull(account: account, campaigns: campaigns, start: start, end: end, now: now)
                rows += pulled.rows
                calls += pulled.calls
            } catch {
                logger.error("campaign metrics of an ad account could not be pulled", metadata: ["ad_account_id": "\(account)", "error": "\(error)"])
                if firstFailure == nil { firstFailure = JobFailure("ad account \(account): \(error)", retryable: true) }
            }
        }
        if let firstFailure { throw firstFailure }
        logger.info("campaign metrics pulled", metadata: ["campaigns": "\(tracked.count)", "rows": "\(rows)", "from": "\(start)", "to": "\(end)"])
        return (tracked.count, rows, calls)
    }

    /// One ad account's campaigns, at most 250 per call, through one session.
    private func pull(account: String, campaigns: [BuildRecord], start: String, end: String, now: Date) async throws -> (rows: Int, calls: Int) {
        let session = try await tokens.session(adAccountID: account)
        var calls = try await reader.refresh(campaigns, session: session).calls
        var rows = 0
        for batch in Self.batches(campaigns) {
            let local = Dictionary(batch.compactMap { c in c.pinterestID.map { ($0, c.id) } }, uniquingKeysWith: { a, _ in a })
            let answer = try await session.campaignAnalytics(
                startDate: start, endDate: end, campaignIDs: Array(local.keys).sorted(), columns: Self.columns, granularity: .day)
            calls += 1
            let records = answer.compactMap { Self.record($0, key: "CAMPAIGN_ID", local: local, pulledAt: now) }
            try await store.upsertMetrics(records)
            rows += records.count
        }
        // Ad groups and ads of these campaigns (made here or found under them).
        var groups: [BuildRecord] = []
        for campaign in campaigns { groups += try await store.buildRecords(.adGroup, parentID: campaign.id).filter { $0.pinterestID != nil } }
        let campaignOf = Dictionary(groups.map { ($0.id, $0.parentID ?? 0) }, uniquingKeysWith: { a, _ in a })
        for batch in Self.batches(groups) {
            let local = Dictionary(batch.compactMap { g in g.pinterestID.map { ($0, g.id) } }, uniquingKeysWith: { a, _ in a })
            let answer = try await session.adGroupAnalytics(
                startDate: start, endDate: end, adGroupIDs: Array(local.keys).sorted(), columns: Self.columns, granularity: .day)
            calls += 1
            let records = answer.compactMap { row -> MetricsRecord? in
                guard var record = Self.record(row, key: "AD_GROUP_ID", local: local, pulledAt: now) else { return nil }
                record.level = .adGroup
                record.adGroupID = record.campaignID
                record.campaignID = campaignOf[record.campaignID] ?? 0
                return record
            }
            try await store.upsertMetrics(records)
            rows += records.count
        }
        var ads: [BuildRecord] = []
        for group in groups { ads += try await store.buildRecords(.ad, parentID: group.id).filter { $0.pinterestID != nil } }
        let groupOf = Dictionary(ads.map { ($0.id, $0.parentID ?? 0) }, uniquingKeysWith: { a, _ in a })
        for batch in Self.batches(ads) {
            let local = Dictionary(batch.compactMap { a in a.pinterestID.map { ($0, a.id) } }, uniquingKeysWith: { a, _ in a })
            let answer = try await session.adAnalytics(
                startDate: start, endDate: end, adIDs: Array(local.keys).sorted(), columns: Self.columns, granularity: .day)
            calls += 1
            let records = answer.compactMap { row -> MetricsRecord? in
                guard var record = Self.record(row, key: "AD_ID", local: local, pulledAt: now) else { return nil }
                let group = groupOf[record.campaignID] ?? 0
                record.level = .ad
                record.adID = record.campaignID
                record.adGroupID = group
                record.campaignID = campaignOf[group] ?? 0
                return record
            }
            try await store.upsertMetrics(records)
            rows += records.count
        }
        return (rows, calls)
    }

    /// One analytics row as stored, its object (named by `key`: CAMPAIGN_ID, AD_GROUP_ID,
    /// AD_ID) in `campaignID` until the caller places it; nil when it names no known object or day.
    static func record(_ row: [String: JSONValue], key: String = "CAMPAIGN_ID", local: [String: Int64], pulledAt: Date) -> MetricsRecord? {
        guard let pinterestID = row[key].flatMap(text), let id = local[pinterestID], let date = row["DATE"]?.stringValue else {
            return nil
        }
        func number(_ key: String) -> Int64? {
            switch row[key] {
            case .int(let value)?: return value
            case .double(let value)?: return Int64(value.rounded())
            case .string(let text)?: return Int64(text) ?? Double(text).map { Int64($0.rounded()) }
            default: return nil
            }
        }
        return MetricsRecord(
            campaignID: id, date: String(date.prefix(10)), spendMicro: number("SPEND_IN_MICRO_DOLLAR") ?? 0, impressions: number("IMPRESSION_1") ?? 0,
            clicks: number("CLICKTHROUGH_1") ?? 0, saves: number("REPIN_1") ?? 0, conversions: number("TOTAL_CONVERSIONS"),
            conversionValueMicro: number("TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"), pulledAt: pulledAt)
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        default: return nil
        }
    }

    /// `campaigns.metrics`: the stored days from `from` to `to` (YYYY-MM-DD, UTC, inclusive), of
    /// one campaign or every one, with totals.
    /// - Parameter level: campaign, ad group or ad rows; `adGroupID` narrows the last two.
    func metrics(campaignID: Int64?, from: String, to: String, level: BuildLevel = .campaign, adGroupID: Int64? = nil) async throws
        -> MetricsReport
    {
        for (field, value) in [("from", from), ("to", to)] where !Self.isDay(value) {
            throw InvalidInput(field: field, reason: "must be a date as YYYY-MM-DD (UTC), got '\(value)'")
        }
        guard from <= to else { throw InvalidInput(field: "to", reason: "must not be before from (\(from))") }
        if let campaignID, try await store.buildRecord(.campaign, id: campaignID) == nil {
            throw CampaignError.unknown(level: .campaign, id: campaignID, field: "campaign_id")
        }
        if let adGroupID {
            guard level != .campaign else { throw InvalidInput(field: "ad_group_id", reason: "narrows level ad_group or ad, not campaign") }
            guard try await store.buildRecord(.adGroup, id: adGroupID) != nil else {
                throw CampaignError.unknown(level: .adGroup, id: adGroupID, field: "ad_group_id")
            }
        }
        let records =
            level == .campaign
            ? try await store.metrics(campaignID: campaignID, from: from, to: to)
            : try await store.levelMetrics(level, campaignID: campaignID, adGroupID: adGroupID, from: from, to: to)
        return MetricsReport(rows: records, totals: Self.totals(records), pulledAt: records.map(\.pulledAt).max())
    }

    static func totals(_ rows: [MetricsRecord]) -> CampaignTotals {
        let spend = rows.reduce(0) { $0 + $1.spendMicro }
        let impressions = rows.reduce(0) { $0 + $1.impressions }
        let clicks = rows.reduce(0) { $0 + $1.clicks }
        let value = rows.reduce(0) { $0 + ($1.conversionValueMicro ?? 0) }
        func ratio(_ a: Int64, _ b: Int64, times: Double = 1) -> Double? { b == 0 ? nil : Double(a) * times / Double(b) }
        return CampaignTotals(
            spendMicro: spend, impressions: impressions, clicks: clicks, saves: rows.reduce(0) { $0 + $1.saves },
            conversions: rows.reduce(0) { $0 + ($1.conversions ?? 0) }, conversionValueMicro: value, ctr: ratio(clicks, impressions),
            cpcMicro: ratio(spend, clicks), cpmMicro: ratio(spend, impressions, times: 1000), roas: ratio(value, spend))
    }

    static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let month = Int(parts[1]), let day = Int(parts[2]), Int(parts[0]) != nil
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }
}

/// Stored daily metrics of a span, with their totals.
struct MetricsReport: Sendable {
    var rows: [MetricsRecord]
    var totals: CampaignTotals
    /// When the newest of these rows was pulled from Pinterest.
    var pulledAt: Date?
}

/// The sums of a span of days, and the rates derived from them (nil with nothing to divide by).
struct CampaignTotals: Sendable, Equatable {
    var spendMicro: Int64
    var impressions: Int64
    var clicks: Int64
    var saves: Int64
    var conversions: Int64
    var conversionValueMicro: Int64
    /// clicks / impressions.
    var ctr: Double?
    /// spend / clicks, in micro-currency.
    var cpcMicro: Double?
    /// spend per 1,000 impressions, in micro-currency.
    var cpmMicro: Double?
    /// conversion value / spend.
    var roas: Double?
}

/// `campaigns.pull_metrics`: the scheduled pull.
struct PullMetricsJob: JobHandler {
    static var kind: String { MetricsPuller.kind }
    let retryPolicy = RetryPolicy.default
    let puller: MetricsPuller

    struct Result: Codable, Sendable, Equatable {
        var campaigns: Int64
        var rows: Int64
        var calls: Int64
    }

    func run(_ payload: NoPayload, job: JobRecord, context: JobContext) async throws -> Result {
        let (campaigns, rows, calls) = try await puller.pull()
        await context.reportProgress(done: Int64(campaigns), total: Int64(campaigns), message: "\(rows) daily rows")
        return Result(campaigns: Int64(campaigns), rows: Int64(rows), calls: Int64(calls))
    }
}
