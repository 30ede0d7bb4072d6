import Foundation

/// Who an ad group reaches. Audiences are pinads audience ids: each is sent as the Pinterest
/// audience of its activation on the campaign's ad account.
public struct TargetingSpec: Codable, Sendable, Equatable {
    public var audiencesInclude: [Int64]?
    public var audiencesExclude: [Int64]?
    /// Pinterest interest ids.
    public var interests: [String]?
    /// Not part of Pinterest's targeting spec: refused here; keywords go in the ad group's
    /// `keywords` (each a value and a match type).
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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case interests, keywords, genders, locations, locales, devices
        case audiencesInclude = "audiences_include"
        case audiencesExclude = "audiences_exclude"
        case ageBuckets = "age_buckets"
    }

    /// A field it does not know is refused by name: a misspelt dimension would otherwise be
    /// targeting silently not set (or, in an update, silently dropped).
    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, hint: "targeting")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        audiencesInclude = try c.decodeIfPresent([Int64].self, forKey: .audiencesInclude)
        audiencesExclude = try c.decodeIfPresent([Int64].self, forKey: .audiencesExclude)
        interests = try c.decodeIfPresent([String].self, forKey: .interests)
        keywords = try c.decodeIfPresent([String].self, forKey: .keywords)
        ageBuckets = try c.decodeIfPresent([String].self, forKey: .ageBuckets)
        genders = try c.decodeIfPresent([String].self, forKey: .genders)
        locations = try c.decodeIfPresent([String].self, forKey: .locations)
        locales = try c.decodeIfPresent([String].self, forKey: .locales)
        devices = try c.decodeIfPresent([String].self, forKey: .devices)
    }
}

/// What an ad group should be.
public struct AdGroupSpec: Codable, Sendable, Equatable {
    public var name: String
    /// Default 5,000,000 (5 units of the account currency).
    public var budgetInMicroCurrency: Int64?
    /// Where Pinterest requires a bid (AWARENESS billed on IMPRESSION, CONSIDERATION and
    /// CATALOG_SALES on CLICKTHROUGH) the default is 2,000,000 with MAX_BID; elsewhere none.
    public var bidInMicroCurrency: Int64?
    /// AUTOMATIC_BID (Pinterest sets bids; the only one VIDEO_COMPLETION allows), MAX_BID or
    /// TARGET_AVG (both need a bid). Default: MAX_BID with a bid, AUTOMATIC_BID without.
    public var bidStrategyType: String?
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
    /// Required for WEB_CONVERSION campaigns, refused for others.
    public var optimizationGoal: ConversionGoalSpec?
    /// Created at Pinterest right after the ad group.
    public var keywords: [KeywordSpec]?

    public init(
        name: String, budgetInMicroCurrency: Int64? = nil, bidInMicroCurrency: Int64? = nil, budgetType: String? = nil,
        billableEvent: String, targeting: TargetingSpec? = nil, startTime: Date? = nil, endTime: Date? = nil,
        autoTargetingEnabled: Bool? = nil, status: String? = nil, bidStrategyType: String? = nil,
        optimizationGoal: ConversionGoalSpec? = nil, keywords: [KeywordSpec]? = nil
    ) {
        self.bidStrategyType = bidStrategyType
        self.optimizationGoal = optimizationGoal
        self.keywords = keywords
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
        case name, targeting, status, keywords
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case bidStrategyType = "bid_strategy_type"
        case optimizationGoal = "optimization_goal"
        case budgetType = "budget_type"
        case billableEvent = "billable_event"
        case startTime = "start_time"
        case endTime = "end_time"
        case autoTargetingEnabled = "auto_targeting_enabled"
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
    /// Its keywords and their Pinterest ids, as last created or read.
    public var keywords: [KeywordInfo]?
    /// True for an ad group made outside pinads (found under a tracked campaign); its spec is
    /// what Pinterest said when it was found.
    public var madeElsewhere: Bool?
    public var pinterest: PinterestReading?
    /// Where Pinterest's state differs from what pinads last set.
    public var drift: [Drift]?
    public var latestUpdate: UpdateInfo?

    public init(
        id: Int64, campaignId: Int64, spec: AdGroupSpec, pinterestId: String?, state: BuildState, error: BuildError?, createdAt: Date,
        updatedAt: Date, keywords: [KeywordInfo]? = nil, madeElsewhere: Bool? = nil, pinterest: PinterestReading? = nil,
        drift: [Drift]? = nil, latestUpdate: UpdateInfo? = nil
    ) {
        self.keywords = keywords
        self.madeElsewhere = madeElsewhere
        self.pinterest = pinterest
        self.drift = drift
        self.latestUpdate = latestUpdate
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
        case id, spec, state, error, keywords, pinterest, drift
        case madeElsewhere = "made_elsewhere"
        case latestUpdate = "latest_update"
        case campaignId = "campaign_id"
        case pinterestId = "pinterest_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
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
