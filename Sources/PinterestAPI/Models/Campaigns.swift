import PinAdsJSON

/// Body item of `campaigns/create` (1–30 per request).
public struct CampaignCreate: Encodable, Sendable, Equatable {
    public var adAccountID: String
    public var name: String
    /// AWARENESS, CONSIDERATION, WEB_CONVERSION, CATALOG_SALES, VIDEO_COMPLETION.
    public var objectiveType: String
    /// Pinterest defaults to ACTIVE; callers should say PAUSED unless they mean to spend.
    public var status: String?
    public var dailySpendCap: Int64?
    public var lifetimeSpendCap: Int64?
    public var startTime: Int64?
    public var endTime: Int64?

    public init(
        adAccountID: String, name: String, objectiveType: String, status: String? = nil, dailySpendCap: Int64? = nil,
        lifetimeSpendCap: Int64? = nil, startTime: Int64? = nil, endTime: Int64? = nil
    ) {
        self.adAccountID = adAccountID
        self.name = name
        self.objectiveType = objectiveType
        self.status = status
        self.dailySpendCap = dailySpendCap
        self.lifetimeSpendCap = lifetimeSpendCap
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

public struct Campaign: Decodable, Sendable, Equatable {
    public var id: String
    public var adAccountID: String?
    public var name: String?
    public var status: String?
    public var objectiveType: String?
    public var dailySpendCap: Int64?
    public var lifetimeSpendCap: Int64?
    public var startTime: Int64?
    public var endTime: Int64?
    public var summaryStatus: String?
    public var createdTime: Int64?
    public var updatedTime: Int64?
    public var trackingURLs: TrackingURLs?
    /// CBO: the campaign's budget drives its ad groups' budgets.
    public var isCampaignBudgetOptimization: Bool?
    public var isPerformancePlus: Bool?
    public var isFlexibleDailyBudgets: Bool?
    public var isAutomatedCampaign: Bool?
    public var orderLineID: String?

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case adAccountID = "ad_account_id"
        case objectiveType = "objective_type"
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
        case summaryStatus = "summary_status"
        case createdTime = "created_time"
        case updatedTime = "updated_time"
        case trackingURLs = "tracking_urls"
        case isCampaignBudgetOptimization = "is_campaign_budget_optimization"
        case isPerformancePlus = "is_performance_plus"
        case isFlexibleDailyBudgets = "is_flexible_daily_budgets"
        case isAutomatedCampaign = "is_automated_campaign"
        case orderLineID = "order_line_id"
    }
}

/// Body item of `ad_groups/create` (1–30 per request).
public struct AdGroupCreate: Encodable, Sendable, Equatable {
    public var campaignID: String
    public var name: String
    /// CLICKTHROUGH, IMPRESSION, VIDEO_V_50_MRC.
    public var billableEvent: String
    public var budgetInMicroCurrency: Int64?
    public var bidInMicroCurrency: Int64?
    public var budgetType: String?
    public var startTime: Int64?
    public var endTime: Int64?
    public var status: String?
    /// Pinterest defaults to true ("Performance+ targeting").
    public var autoTargetingEnabled: Bool?
    /// Keys in UPPERCASE (AGE_BUCKET, LOCATION, AUDIENCE_INCLUDE, …), values string arrays.
    public var targetingSpec: [String: [String]]?
    /// AUTOMATIC_BID, MAX_BID, TARGET_AVG (NOTES §6.5).
    public var bidStrategyType: String?
    /// Required when the campaign's objective is WEB_CONVERSION.
    public var optimizationGoalMetadata: OptimizationGoalMetadata?

    public init(
        campaignID: String, name: String, billableEvent: String, budgetInMicroCurrency: Int64? = nil,
        bidInMicroCurrency: Int64? = nil, budgetType: String? = nil, startTime: Int64? = nil, endTime: Int64? = nil,
        status: String? = nil, autoTargetingEnabled: Bool? = nil, targetingSpec: [String: [String]]? = nil,
        bidStrategyType: String? = nil, optimizationGoalMetadata: OptimizationGoalMetadata? = nil
    ) {
        self.campaignID = campaignID
        self.name = name
        self.billableEvent = billableEvent
        self.budgetInMicroCurrency = budgetInMicroCurrency
        self.bidInMicroCurrency = bidInMicroCurrency
        self.budgetType = budgetType
        self.startTime = startTime
        self.endTime = endTime
        self.status = status
        self.autoTargetingEnabled = autoTargetingEnabled
        self.targetingSpec = targetingSpec
        self.bidStrategyType = bidStrategyType
        self.optimizationGoalMetadata = optimizationGoalMetadata
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case campaignID = "campaign_id"
        case billableEvent = "billable_event"
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case budgetType = "budget_type"
        case startTime = "start_time"
        case endTime = "end_time"
        case autoTargetingEnabled = "auto_targeting_enabled"
        case targetingSpec = "targeting_spec"
        case bidStrategyType = "bid_strategy_type"
        case optimizationGoalMetadata = "optimization_goal_metadata"
    }
}

public struct AdGroup: Decodable, Sendable, Equatable {
    public var id: String
    public var campaignID: String?
    public var adAccountID: String?
    public var name: String?
    public var status: String?
    public var billableEvent: String?
    public var budgetInMicroCurrency: Int64?
    public var bidInMicroCurrency: Int64?
    public var summaryStatus: String?
    /// As Pinterest sends it: most keys hold string arrays, some (MINIMUM_AGE) single strings or objects.
    public var targetingSpec: JSONValue?
    /// DAILY, LIFETIME, CBO_ADGROUP.
    public var budgetType: String?
    public var bidStrategyType: String?
    /// Unix seconds.
    public var startTime: Int64?
    public var endTime: Int64?
    public var autoTargetingEnabled: Bool?
    public var optimizationGoalMetadata: OptimizationGoalMetadata?
    /// STANDARD, ACCELERATED.
    public var pacingDeliveryType: String?
    public var placementGroup: String?
    public var trackingURLs: TrackingURLs?
    /// oCPM learning mode: ACTIVE, NOT_ACTIVE.
    public var conversionLearningModeType: String?
    public var createdTime: Int64?
    public var updatedTime: Int64?

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case campaignID = "campaign_id"
        case adAccountID = "ad_account_id"
        case billableEvent = "billable_event"
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case summaryStatus = "summary_status"
        case targetingSpec = "targeting_spec"
        case budgetType = "budget_type"
        case bidStrategyType = "bid_strategy_type"
        case startTime = "start_time"
        case endTime = "end_time"
        case autoTargetingEnabled = "auto_targeting_enabled"
        case optimizationGoalMetadata = "optimization_goal_metadata"
        case pacingDeliveryType = "pacing_delivery_type"
        case placementGroup = "placement_group"
        case trackingURLs = "tracking_urls"
        case conversionLearningModeType = "conversion_learning_mode_type"
        case createdTime = "created_time"
        case updatedTime = "updated_time"
    }
}

/// Body item of `ads/create` (1–30 per request).
public struct AdCreate: Encodable, Sendable, Equatable {
    public var adGroupID: String
    public var pinID: String
    /// REGULAR, VIDEO, SHOPPING, CAROUSEL, MAX_VIDEO, SHOP_THE_PIN, COLLECTION, IDEA, SHOWCASE, QUIZ,
    /// COLLAGE, MAX_WIDTH_REGULAR_COLLECTION, MAX_WIDTH_VIDEO_COLLECTION.
    public var creativeType: String
    public var name: String?
    public var status: String?
    public var destinationURL: String?
    public var clickTrackingURL: String?
    public var viewTrackingURL: String?

    public init(
        adGroupID: String, pinID: String, creativeType: String, name: String? = nil, status: String? = nil,
        destinationURL: String? = nil, clickTrackingURL: String? = nil
    ) {
        self.adGroupID = adGroupID
        self.pinID = pinID
        self.creativeType = creativeType
        self.name = name
        self.status = status
        self.destinationURL = destinationURL
        self.clickTrackingURL = clickTrackingURL
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case adGroupID = "ad_group_id"
        case pinID = "pin_id"
        case creativeType = "creative_type"
        case destinationURL = "destination_url"
        case clickTrackingURL = "click_tracking_url"
        case viewTrackingURL = "view_tracking_url"
    }
}

public struct Ad: Decodable, Sendable, Equatable {
    public var id: String
    public var adGroupID: String?
    public var campaignID: String?
    public var adAccountID: String?
    public var pinID: String?
    public var creativeType: String?
    public var name: String?
    public var status: String?
    /// OTHER, PENDING, REJECTED, APPROVED.
    public var reviewStatus: String?
    public var summaryStatus: String?
    public var destinationURL: String?
    public var clickTrackingURL: String?
    public var viewTrackingURL: String?
    public var trackingURLs: TrackingURLs?
    /// Enum reasons, when `reviewStatus` is REJECTED.
    public var rejectedReasons: [String]?
    /// Text reasons, when `reviewStatus` is REJECTED.
    public var rejectionLabels: [String]?
    public var createdTime: Int64?
    public var updatedTime: Int64?

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case adGroupID = "ad_group_id"
        case campaignID = "campaign_id"
        case adAccountID = "ad_account_id"
        case pinID = "pin_id"
        case creativeType = "creative_type"
        case reviewStatus = "review_status"
        case summaryStatus = "summary_status"
        case destinationURL = "destination_url"
        case clickTrackingURL = "click_tracking_url"
        case viewTrackingURL = "view_tracking_url"
        case trackingURLs = "tracking_urls"
        case rejectedReasons = "rejected_reasons"
        case rejectionLabels = "rejection_labels"
        case createdTime = "created_time"
        case updatedTime = "updated_time"
    }
}

/// One Pinterest exception inside a 200 bulk answer.
public struct PinterestItemException: Decodable, Sendable, Equatable, CustomStringConvertible {
    public var code: Int?
    public var message: String?

    public var description: String { "code \(code.map(String.init) ?? "?"): \(message ?? "no message")" }
}

/// The outcome of one item of a bulk create or update, in request order.
public struct BulkItem<Created: Decodable & Sendable>: Sendable {
    /// The request item's index.
    public var index: Int
    /// What Pinterest answered for the item: the created object, or for an update the object as
    /// updated. Nil when the item failed.
    public var created: Created?
    public var exceptions: [PinterestItemException]
}

extension Array {
    /// Every item's created object, or `PinterestError.itemsFailed` naming each item that was
    /// not created (with Pinterest's codes and messages) when any failed.
    public func requireAll<Created>(_ operation: PinterestOperation) throws -> [Created] where Element == BulkItem<Created> {
        let failures = filter { $0.created == nil || !$0.exceptions.isEmpty }
            .map { PinterestError.ItemFailure(index: $0.index, exceptions: $0.exceptions) }
        guard failures.isEmpty else { throw PinterestError.itemsFailed(operation: operation.id, failures: failures) }
        return compactMap(\.created)
    }
}

/// A 200 answer of a bulk create or update: `{items: [{data, exceptions}]}`. `exceptions` is an array
/// for campaigns and ad groups and a single object for ads; both are read.
struct BulkResponse<Created: Decodable & Sendable>: Decodable {
    struct Item: Decodable {
        var data: Created?
        var exceptions: [PinterestItemException]

        enum CodingKeys: String, CodingKey { case data, exceptions }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            data = try c.decodeIfPresent(Created.self, forKey: .data)
            if let list = try? c.decodeIfPresent([PinterestItemException].self, forKey: .exceptions) {
                exceptions = list
            } else if let one = try? c.decodeIfPresent(PinterestItemException.self, forKey: .exceptions),
                one.code != nil || one.message != nil
            {
                exceptions = [one]
            } else {
                exceptions = []
            }
        }
    }

    var items: [Item]
}
