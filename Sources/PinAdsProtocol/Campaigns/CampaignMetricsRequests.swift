import Foundation

/// The level metrics are read at.
public enum MetricsLevel: String, Codable, Sendable, CaseIterable {
    case campaign, adGroup = "ad_group", ad
}

/// `campaigns.metrics`: daily metrics from the store, with totals, per campaign (the default),
/// ad group or ad.
public struct CampaignMetricsRequest: PinAdsRequest {
    public static let method = "campaigns.metrics"
    public static let role = MethodRole.client
    public typealias Result = CampaignMetricsResult
    /// The pinads campaign id; every tracked campaign when omitted.
    public var campaignId: Int64?
    /// YYYY-MM-DD (UTC), inclusive.
    public var from: String
    public var to: String
    /// campaign (default), ad_group or ad: one row per day and object of that level.
    public var level: MetricsLevel?
    /// Only this ad group (level ad_group or ad).
    public var adGroupId: Int64?
    public init(campaignId: Int64? = nil, from: String, to: String, level: MetricsLevel? = nil, adGroupId: Int64? = nil) {
        self.campaignId = campaignId
        self.from = from
        self.to = to
        self.level = level
        self.adGroupId = adGroupId
    }
    enum CodingKeys: String, CodingKey {
        case from, to, level
        case campaignId = "campaign_id"
        case adGroupId = "ad_group_id"
    }
}

public struct MetricsRow: Codable, Sendable, Equatable {
    /// The campaign of the row (its own, or the one its ad group or ad is in).
    public var campaignId: Int64
    /// Rows of level ad_group and ad.
    public var adGroupId: Int64?
    /// Rows of level ad.
    public var adId: Int64?
    public var date: String
    public var spendMicro: Int64
    public var impressions: Int64
    public var clicks: Int64
    public var saves: Int64
    public var conversions: Int64?
    public var conversionValueMicro: Int64?

    public init(
        campaignId: Int64, date: String, spendMicro: Int64, impressions: Int64, clicks: Int64, saves: Int64, conversions: Int64?,
        conversionValueMicro: Int64?, adGroupId: Int64? = nil, adId: Int64? = nil
    ) {
        self.adGroupId = adGroupId
        self.adId = adId
        self.campaignId = campaignId
        self.date = date
        self.spendMicro = spendMicro
        self.impressions = impressions
        self.clicks = clicks
        self.saves = saves
        self.conversions = conversions
        self.conversionValueMicro = conversionValueMicro
    }

    enum CodingKeys: String, CodingKey {
        case date, impressions, clicks, saves, conversions
        case campaignId = "campaign_id"
        case adGroupId = "ad_group_id"
        case adId = "ad_id"
        case spendMicro = "spend_micro"
        case conversionValueMicro = "conversion_value_micro"
    }
}

public struct MetricsTotals: Codable, Sendable, Equatable {
    public var spendMicro: Int64
    public var impressions: Int64
    public var clicks: Int64
    public var saves: Int64
    public var conversions: Int64
    public var conversionValueMicro: Int64
    /// clicks / impressions; nil without impressions.
    public var ctr: Double?
    /// spend / clicks, in micro-currency.
    public var cpcMicro: Double?
    /// spend per 1,000 impressions, in micro-currency.
    public var cpmMicro: Double?
    /// conversion value / spend.
    public var roas: Double?

    public init(
        spendMicro: Int64, impressions: Int64, clicks: Int64, saves: Int64, conversions: Int64, conversionValueMicro: Int64, ctr: Double?,
        cpcMicro: Double?, cpmMicro: Double?, roas: Double?
    ) {
        self.spendMicro = spendMicro
        self.impressions = impressions
        self.clicks = clicks
        self.saves = saves
        self.conversions = conversions
        self.conversionValueMicro = conversionValueMicro
        self.ctr = ctr
        self.cpcMicro = cpcMicro
        self.cpmMicro = cpmMicro
        self.roas = roas
    }

    enum CodingKeys: String, CodingKey {
        case impressions, clicks, saves, conversions, ctr, roas
        case spendMicro = "spend_micro"
        case conversionValueMicro = "conversion_value_micro"
        case cpcMicro = "cpc_micro"
        case cpmMicro = "cpm_micro"
    }
}

public struct CampaignMetricsResult: Codable, Sendable, Equatable {
    public var level: MetricsLevel?
    public var rows: [MetricsRow]
    public var totals: MetricsTotals
    /// When the newest of these rows was pulled from Pinterest.
    public var pulledAt: Date?
    public init(rows: [MetricsRow], totals: MetricsTotals, pulledAt: Date?, level: MetricsLevel? = nil) {
        self.level = level
        self.rows = rows
        self.totals = totals
        self.pulledAt = pulledAt
    }
    enum CodingKeys: String, CodingKey {
        case rows, totals, level
        case pulledAt = "pulled_at"
    }
}
