import Foundation

/// What a campaign should be. Money is in micro-currency of the ad account's currency
/// (1 unit = 1,000,000).
public struct CampaignSpec: Codable, Sendable, Equatable {
    /// The default ad account when omitted.
    public var adAccountId: String?
    public var name: String
    /// AWARENESS, CONSIDERATION, WEB_CONVERSION, CATALOG_SALES, VIDEO_COMPLETION (VIDEO_VIEW is
    /// taken as its deprecated alias).
    public var objectiveType: String
    public var dailySpendCap: Int64?
    public var lifetimeSpendCap: Int64?
    /// PAUSED (the default here; Pinterest's own default is ACTIVE) or ACTIVE.
    public var status: String?
    public var startTime: Date?
    public var endTime: Date?

    public init(
        adAccountId: String? = nil, name: String, objectiveType: String, dailySpendCap: Int64? = nil, lifetimeSpendCap: Int64? = nil,
        status: String? = nil, startTime: Date? = nil, endTime: Date? = nil
    ) {
        self.adAccountId = adAccountId
        self.name = name
        self.objectiveType = objectiveType
        self.dailySpendCap = dailySpendCap
        self.lifetimeSpendCap = lifetimeSpendCap
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case adAccountId = "ad_account_id"
        case objectiveType = "objective_type"
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
    }
}

/// Who an ad group reaches. Audiences are pinads audience ids: each is sent as the Pinterest
/// audience of its activation on the campaign's ad account.
public struct TargetingSpec: Codable, Sendable, Equatable {
    public var audiencesInclude: [Int64]?
    public var audiencesExclude: [Int64]?
    /// Pinterest interest ids.
    public var interests: [String]?
    /// Not part of Pinterest's targeting spec (keywords have their own endpoints): refused.
    public var keywords: [String]?
    /// 18-24, 25-34, 35-44, 45-49, 50-54, 55-64, 65+ (and 19+, 20+, 21+).
    public var ageBuckets: [String]?
    /// female, male, unknown.
    public var genders: [String]?
    /// ISO country codes or US DMA codes; at least one is required by Pinterest.
    public var locations: [String]?
    /// ISO 639-1 language codes.
    public var locales: [String]?
    /// android_mobile, android_tablet, ipad, iphone, web, web_mobile.
    public var devices: [String]?

    public init(
        audiencesInclude: [Int64]? = nil, audiencesExclude: [Int64]? = nil, interests: [String]? = nil, keywords: [String]? = nil,
        ageBuckets: [String]? = nil, genders: [String]? = nil, locations: [String]? = nil, locales: [String]? = nil,
        devices: [String]? = nil
    ) {
        self.audiencesInclude = audiencesInclude
        self.audiencesExclude = audiencesExclude
        self.interests = interests
        self.keywords = keywords
        self.ageBuckets = ageBuckets
        self.genders = genders
        self.locations = locations
        self.locales = locales
        self.devices = devices
    }

    enum CodingKeys: String, CodingKey {
        case interests, keywords, genders, locations, locales, devices
        case audiencesInclude = "audiences_include"
        case audiencesExclude = "audiences_exclude"
        case ageBuckets = "age_buckets"
    }
}

/// What an ad group should be.
public struct AdGroupSpec: Codable, Sendable, Equatable {
    public var name: String
    /// Default 5,000,000 (5 units of the account currency).
    public var budgetInMicroCurrency: Int64?
    /// Default 2,000,000.
    public var bidInMicroCurrency: Int64?
    /// DAILY (Pinterest's default), LIFETIME or CBO_ADGROUP.
    public var budgetType: String?
    /// IMPRESSION, CLICKTHROUGH or VIDEO_V_50_MRC.
    public var billableEvent: String
    public var targeting: TargetingSpec?
    public var startTime: Date?
    public var endTime: Date?
    /// Default false here (Pinterest's default is true: "Performance+" targeting beyond yours).
    public var autoTargetingEnabled: Bool?
    /// ACTIVE or PAUSED; Pinterest's default (ACTIVE) when omitted.
    public var status: String?

    public init(
        name: String, budgetInMicroCurrency: Int64? = nil, bidInMicroCurrency: Int64? = nil, budgetType: String? = nil,
        billableEvent: String, targeting: TargetingSpec? = nil, startTime: Date? = nil, endTime: Date? = nil,
        autoTargetingEnabled: Bool? = nil, status: String? = nil
    ) {
        self.name = name
        self.budgetInMicroCurrency = budgetInMicroCurrency
        self.bidInMicroCurrency = bidInMicroCurrency
        self.budgetType = budgetType
        self.billableEvent = billableEvent
        self.targeting = targeting
        self.startTime = startTime
        self.endTime = endTime
        self.autoTargetingEnabled = autoTargetingEnabled
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case name, targeting, status
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case budgetType = "budget_type"
        case billableEvent = "billable_event"
        case startTime = "start_time"
        case endTime = "end_time"
        case autoTargetingEnabled = "auto_targeting_enabled"
    }
}

/// What an ad should be: a promoted Pin.
public struct AdSpec: Codable, Sendable, Equatable {
    public var pinId: String
    /// REGULAR, VIDEO, SHOPPING, CAROUSEL, MAX_VIDEO, SHOP_THE_PIN, COLLECTION, IDEA, SHOWCASE,
    /// QUIZ, COLLAGE, MAX_WIDTH_REGULAR_COLLECTION, MAX_WIDTH_VIDEO_COLLECTION.
    public var creativeType: String
    public var name: String?
    public var clickTrackingUrl: String?
    public var destinationUrl: String?
    /// ACTIVE or PAUSED; Pinterest's default (ACTIVE) when omitted.
    public var status: String?

    public init(
        pinId: String, creativeType: String, name: String? = nil, clickTrackingUrl: String? = nil, destinationUrl: String? = nil,
        status: String? = nil
    ) {
        self.pinId = pinId
        self.creativeType = creativeType
        self.name = name
        self.clickTrackingUrl = clickTrackingUrl
        self.destinationUrl = destinationUrl
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case pinId = "pin_id"
        case creativeType = "creative_type"
        case clickTrackingUrl = "click_tracking_url"
        case destinationUrl = "destination_url"
    }
}

/// Where a campaign, ad group or ad stands: `PENDING` until Pinterest has it, `CREATED`
/// with its Pinterest id, `ERROR` when Pinterest refused it (`error` says why).
public enum BuildState: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING", created = "CREATED", error = "ERROR"
}

/// Pinterest's refusal of an object.
public struct BuildError: Codable, Sendable, Equatable {
    public var message: String
    public var pinterestCode: Int?
    public init(message: String, pinterestCode: Int?) {
        self.message = message
        self.pinterestCode = pinterestCode
    }
    enum CodingKeys: String, CodingKey {
        case message
        case pinterestCode = "pinterest_code"
    }
}

public struct CampaignInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var adAccountId: String
    public var spec: CampaignSpec?
    public var pinterestId: String?
    public var state: BuildState
    public var error: BuildError?
    /// Pinterest's status and summary status as last read.
    public var pinterestStatus: String?
    /// Metrics are pulled for it (every campaign created here, and those tracked).
    public var tracked: Bool
    public var clientRequestId: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, adAccountId: String, spec: CampaignSpec?, pinterestId: String?, state: BuildState, error: BuildError?,
        pinterestStatus: String?, tracked: Bool, clientRequestId: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.adAccountId = adAccountId
        self.spec = spec
        self.pinterestId = pinterestId
        self.state = state
        self.error = error
        self.pinterestStatus = pinterestStatus
        self.tracked = tracked
        self.clientRequestId = clientRequestId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, error, tracked
        case adAccountId = "ad_account_id"
        case pinterestId = "pinterest_id"
        case pinterestStatus = "pinterest_status"
        case clientRequestId = "client_request_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public struct AdGroupInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var campaignId: Int64
    public var spec: AdGroupSpec
    public var pinterestId: String?
    public var state: BuildState
    public var error: BuildError?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, campaignId: Int64, spec: AdGroupSpec, pinterestId: String?, state: BuildState, error: BuildError?, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.campaignId = campaignId
        self.spec = spec
        self.pinterestId = pinterestId
        self.state = state
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, error
        case campaignId = "campaign_id"
        case pinterestId = "pinterest_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public struct AdInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var adGroupId: Int64
    public var spec: AdSpec
    public var pinterestId: String?
    public var state: BuildState
    public var error: BuildError?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, adGroupId: Int64, spec: AdSpec, pinterestId: String?, state: BuildState, error: BuildError?, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.adGroupId = adGroupId
        self.spec = spec
        self.pinterestId = pinterestId
        self.state = state
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, error
        case adGroupId = "ad_group_id"
        case pinterestId = "pinterest_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `campaigns.create`: a campaign, created at Pinterest by a job.
public struct CreateCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.create"
    public typealias Result = CampaignJobResult
    public var campaign: CampaignSpec
    /// A second call with the same id returns the first campaign instead of making another.
    public var clientRequestId: String?

    public init(campaign: CampaignSpec, clientRequestId: String? = nil) {
        self.campaign = campaign
        self.clientRequestId = clientRequestId
    }

    enum CodingKeys: String, CodingKey {
        case campaign
        case clientRequestId = "client_request_id"
    }
}

public struct CampaignJobResult: Codable, Sendable, Equatable {
    public var campaign: CampaignInfo
    /// The job creating it at Pinterest (its result holds the Pinterest id).
    public var jobId: Int64?
    public init(campaign: CampaignInfo, jobId: Int64?) {
        self.campaign = campaign
        self.jobId = jobId
    }
    enum CodingKeys: String, CodingKey {
        case campaign
        case jobId = "job_id"
    }
}

/// `ad_groups.create`: an ad group in a campaign of this daemon (created first if it is not yet).
public struct CreateAdGroupRequest: PinAdsRequest {
    public static let method = "ad_groups.create"
    public typealias Result = AdGroupJobResult
    /// The pinads campaign id.
    public var campaignId: Int64
    public var adGroup: AdGroupSpec

    public init(campaignId: Int64, adGroup: AdGroupSpec) {
        self.campaignId = campaignId
        self.adGroup = adGroup
    }

    enum CodingKeys: String, CodingKey {
        case campaignId = "campaign_id"
        case adGroup = "ad_group"
    }
}

public struct AdGroupJobResult: Codable, Sendable, Equatable {
    public var adGroup: AdGroupInfo
    public var jobId: Int64?
    public init(adGroup: AdGroupInfo, jobId: Int64?) {
        self.adGroup = adGroup
        self.jobId = jobId
    }
    enum CodingKeys: String, CodingKey {
        case adGroup = "ad_group"
        case jobId = "job_id"
    }
}

/// `ads.create`: an ad in an ad group of this daemon.
public struct CreateAdRequest: PinAdsRequest {
    public static let method = "ads.create"
    public typealias Result = AdJobResult
    /// The pinads ad group id.
    public var adGroupId: Int64
    public var ad: AdSpec

    public init(adGroupId: Int64, ad: AdSpec) {
        self.adGroupId = adGroupId
        self.ad = ad
    }

    enum CodingKeys: String, CodingKey {
        case ad
        case adGroupId = "ad_group_id"
    }
}

public struct AdJobResult: Codable, Sendable, Equatable {
    public var ad: AdInfo
    public var jobId: Int64?
    public init(ad: AdInfo, jobId: Int64?) {
        self.ad = ad
        self.jobId = jobId
    }
    enum CodingKeys: String, CodingKey {
        case ad
        case jobId = "job_id"
    }
}

/// `campaigns.launch`: campaign, ad group and ad as one job. The same `client_request_id`
/// again resumes it from the first level Pinterest does not have; it never makes a second.
public struct LaunchCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.launch"
    public typealias Result = LaunchResult
    public var campaign: CampaignSpec
    public var adGroup: AdGroupSpec
    public var ad: AdSpec
    public var clientRequestId: String

    public init(campaign: CampaignSpec, adGroup: AdGroupSpec, ad: AdSpec, clientRequestId: String) {
        self.campaign = campaign
        self.adGroup = adGroup
        self.ad = ad
        self.clientRequestId = clientRequestId
    }

    enum CodingKeys: String, CodingKey {
        case campaign, ad
        case adGroup = "ad_group"
        case clientRequestId = "client_request_id"
    }
}

public struct LaunchResult: Codable, Sendable, Equatable {
    public var campaign: CampaignInfo
    public var adGroup: AdGroupInfo
    public var ad: AdInfo
    /// The job building what is missing; nil when everything exists already.
    public var jobId: Int64?
    /// True when this `client_request_id` was launched before.
    public var resumed: Bool

    public init(campaign: CampaignInfo, adGroup: AdGroupInfo, ad: AdInfo, jobId: Int64?, resumed: Bool) {
        self.campaign = campaign
        self.adGroup = adGroup
        self.ad = ad
        self.jobId = jobId
        self.resumed = resumed
    }

    enum CodingKeys: String, CodingKey {
        case campaign, ad, resumed
        case adGroup = "ad_group"
        case jobId = "job_id"
    }
}

/// `campaigns.list`: campaigns of this daemon (created or tracked).
public struct ListCampaignsRequest: PinAdsRequest {
    public static let method = "campaigns.list"
    public typealias Result = ListCampaignsResult
    public var adAccountId: String?
    public init(adAccountId: String? = nil) { self.adAccountId = adAccountId }
    enum CodingKeys: String, CodingKey { case adAccountId = "ad_account_id" }
}

public struct ListCampaignsResult: Codable, Sendable, Equatable {
    public var campaigns: [CampaignInfo]
    public init(campaigns: [CampaignInfo]) { self.campaigns = campaigns }
}

/// `campaigns.get`: one campaign with its ad groups and ads; `refresh` re-reads Pinterest.
public struct GetCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.get"
    public typealias Result = CampaignDetail
    public var campaignId: Int64
    public var refresh: Bool?
    public init(campaignId: Int64, refresh: Bool? = nil) {
        self.campaignId = campaignId
        self.refresh = refresh
    }
    enum CodingKeys: String, CodingKey {
        case refresh
        case campaignId = "campaign_id"
    }
}

public struct CampaignDetail: Codable, Sendable, Equatable {
    public var campaign: CampaignInfo
    public var adGroups: [AdGroupInfo]
    public var ads: [AdInfo]
    public init(campaign: CampaignInfo, adGroups: [AdGroupInfo], ads: [AdInfo]) {
        self.campaign = campaign
        self.adGroups = adGroups
        self.ads = ads
    }
    enum CodingKeys: String, CodingKey {
        case campaign, ads
        case adGroups = "ad_groups"
    }
}

/// `ad_groups.list`: ad groups of one campaign, or all.
public struct ListAdGroupsRequest: PinAdsRequest {
    public static let method = "ad_groups.list"
    public typealias Result = ListAdGroupsResult
    public var campaignId: Int64?
    public init(campaignId: Int64? = nil) { self.campaignId = campaignId }
    enum CodingKeys: String, CodingKey { case campaignId = "campaign_id" }
}

public struct ListAdGroupsResult: Codable, Sendable, Equatable {
    public var adGroups: [AdGroupInfo]
    public init(adGroups: [AdGroupInfo]) { self.adGroups = adGroups }
    enum CodingKeys: String, CodingKey { case adGroups = "ad_groups" }
}

/// `ads.list`: ads of one ad group, or all.
public struct ListAdsRequest: PinAdsRequest {
    public static let method = "ads.list"
    public typealias Result = ListAdsResult
    public var adGroupId: Int64?
    public init(adGroupId: Int64? = nil) { self.adGroupId = adGroupId }
    enum CodingKeys: String, CodingKey { case adGroupId = "ad_group_id" }
}

public struct ListAdsResult: Codable, Sendable, Equatable {
    public var ads: [AdInfo]
    public init(ads: [AdInfo]) { self.ads = ads }
}

/// `campaigns.track`: pull metrics for a campaign made elsewhere (its Pinterest id).
public struct TrackCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.track"
    public typealias Result = CampaignJobResult
    /// Pinterest's campaign id.
    public var campaignId: String
    public var adAccountId: String?
    public init(campaignId: String, adAccountId: String? = nil) {
        self.campaignId = campaignId
        self.adAccountId = adAccountId
    }
    enum CodingKeys: String, CodingKey {
        case campaignId = "campaign_id"
        case adAccountId = "ad_account_id"
    }
}

/// `campaigns.metrics`: daily metrics from the store, with totals.
public struct CampaignMetricsRequest: PinAdsRequest {
    public static let method = "campaigns.metrics"
    public typealias Result = CampaignMetricsResult
    /// The pinads campaign id; every tracked campaign when omitted.
    public var campaignId: Int64?
    /// YYYY-MM-DD (UTC), inclusive.
    public var from: String
    public var to: String
    public init(campaignId: Int64? = nil, from: String, to: String) {
        self.campaignId = campaignId
        self.from = from
        self.to = to
    }
    enum CodingKeys: String, CodingKey {
        case from, to
        case campaignId = "campaign_id"
    }
}

public struct MetricsRow: Codable, Sendable, Equatable {
    public var campaignId: Int64
    public var date: String
    public var spendMicro: Int64
    public var impressions: Int64
    public var clicks: Int64
    public var saves: Int64
    public var conversions: Int64?
    public var conversionValueMicro: Int64?

    public init(
        campaignId: Int64, date: String, spendMicro: Int64, impressions: Int64, clicks: Int64, saves: Int64, conversions: Int64?,
        conversionValueMicro: Int64?
    ) {
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
    public var rows: [MetricsRow]
    public var totals: MetricsTotals
    /// When the newest of these rows was pulled from Pinterest.
    public var pulledAt: Date?
    public init(rows: [MetricsRow], totals: MetricsTotals, pulledAt: Date?) {
        self.rows = rows
        self.totals = totals
        self.pulledAt = pulledAt
    }
    enum CodingKeys: String, CodingKey {
        case rows, totals
        case pulledAt = "pulled_at"
    }
}
