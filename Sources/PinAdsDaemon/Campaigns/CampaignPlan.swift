import Foundation

// What a campaign, ad group or ad should be, in the daemon's words. The store keeps each as
// JSON in its row's `spec` column with exactly these keys (the wire's, since rows were first
// written as the wire's specs): `PlanCoding` reads and writes that text. Money is in
// micro-currency of the ad account's currency (1 unit = 1,000,000).

/// What a campaign should be.
struct CampaignPlan: Codable, Sendable, Equatable {
    /// The default ad account's until the builder resolves it; stored resolved.
    var adAccountID: String?
    var name: String
    /// AWARENESS, CONSIDERATION, WEB_CONVERSION, CATALOG_SALES or VIDEO_COMPLETION once validated.
    var objectiveType: String
    var dailySpendCap: Int64?
    var lifetimeSpendCap: Int64?
    /// PAUSED (the default here; Pinterest's own is ACTIVE) or ACTIVE.
    var status: String?
    var startTime: Date?
    var endTime: Date?

    init(
        adAccountID: String? = nil, name: String, objectiveType: String, dailySpendCap: Int64? = nil, lifetimeSpendCap: Int64? = nil,
        status: String? = nil, startTime: Date? = nil, endTime: Date? = nil
    ) {
        self.adAccountID = adAccountID
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
        case adAccountID = "ad_account_id"
        case objectiveType = "objective_type"
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
    }
}

/// Who an ad group reaches. Audiences are pinads audience ids, sent as the Pinterest audience
/// of each one's activation on the campaign's ad account.
struct Targeting: Codable, Sendable, Equatable {
    var audiencesInclude: [Int64]?
    var audiencesExclude: [Int64]?
    var interests: [String]?
    /// Refused by the validator (keywords are the ad group's, with match types); kept so the refusal can name it.
    var keywords: [String]?
    var ageBuckets: [String]?
    var genders: [String]?
    var locations: [String]?
    var locales: [String]?
    var devices: [String]?

    init(
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
struct AdGroupPlan: Codable, Sendable, Equatable {
    var name: String
    var budgetInMicroCurrency: Int64?
    var bidInMicroCurrency: Int64?
    /// DAILY, LIFETIME or CBO_ADGROUP; Pinterest's default (DAILY) when nil.
    var budgetType: String?
    var billableEvent: String
    var targeting: Targeting?
    var startTime: Date?
    var endTime: Date?
    var autoTargetingEnabled: Bool?
    /// ACTIVE, PAUSED or ARCHIVED; Pinterest's default (ACTIVE) when nil.
    var status: String?
    /// AUTOMATIC_BID, MAX_BID or TARGET_AVG once validated.
    var bidStrategyType: String?
    /// WEB_CONVERSION ad groups: what they optimize for.
    var optimizationGoal: ConversionGoal?
    var keywords: [KeywordPlan]?

    init(
        name: String, budgetInMicroCurrency: Int64? = nil, bidInMicroCurrency: Int64? = nil, budgetType: String? = nil,
        billableEvent: String, targeting: Targeting? = nil, startTime: Date? = nil, endTime: Date? = nil,
        autoTargetingEnabled: Bool? = nil, status: String? = nil, bidStrategyType: String? = nil, optimizationGoal: ConversionGoal? = nil,
        keywords: [KeywordPlan]? = nil
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

/// What an ad should be: a promoted Pin.
struct AdPlan: Codable, Sendable, Equatable {
    var pinID: String
    var creativeType: String
    var name: String?
    var clickTrackingURL: String?
    var destinationURL: String?
    var viewTrackingURL: String?
    /// ACTIVE, PAUSED or ARCHIVED; Pinterest's default (ACTIVE) when nil.
    var status: String?

    init(
        pinID: String, creativeType: String, name: String? = nil, clickTrackingURL: String? = nil, destinationURL: String? = nil,
        status: String? = nil, viewTrackingURL: String? = nil
    ) {
        self.viewTrackingURL = viewTrackingURL
        self.pinID = pinID
        self.creativeType = creativeType
        self.name = name
        self.clickTrackingURL = clickTrackingURL
        self.destinationURL = destinationURL
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case pinID = "pin_id"
        case creativeType = "creative_type"
        case clickTrackingURL = "click_tracking_url"
        case destinationURL = "destination_url"
        case viewTrackingURL = "view_tracking_url"
    }
}

/// A WEB_CONVERSION ad group's goal: a conversion tag of the campaign's ad account and the
/// event it optimizes for.
struct ConversionGoal: Codable, Sendable, Equatable {
    var conversionTagID: String
    var conversionEvent: String
    var cpaGoalInMicroCurrency: Int64?
    var clickWindowDays: Int?
    var engagementWindowDays: Int?
    var viewWindowDays: Int?
    var roasOptimized: Bool?

    enum CodingKeys: String, CodingKey {
        case conversionTagID = "conversion_tag_id"
        case conversionEvent = "conversion_event"
        case cpaGoalInMicroCurrency = "cpa_goal_in_micro_currency"
        case clickWindowDays = "click_window_days"
        case engagementWindowDays = "engagement_window_days"
        case viewWindowDays = "view_window_days"
        case roasOptimized = "roas_optimized"
    }
}

/// A keyword of an ad group: Pinterest tells keywords apart by value and match type.
struct KeywordPlan: Codable, Sendable, Equatable, Hashable {
    var value: String
    var matchType: String

    enum CodingKeys: String, CodingKey {
        case value
        case matchType = "match_type"
    }
}

/// The three levels of a launch and the id that names it. Its JSON (validated, account
/// resolved) is kept with the campaign: the same id with another body is another launch.
struct LaunchPlan: Codable, Sendable, Equatable {
    var campaign: CampaignPlan
    var adGroup: AdGroupPlan
    var ad: AdPlan
    var clientRequestID: String

    enum CodingKeys: String, CodingKey {
        case campaign, ad
        case adGroup = "ad_group"
        case clientRequestID = "client_request_id"
    }
}
