/// A PATCH field: absent (a nil Optional of this type) leaves it unchanged and is left out of
/// the JSON; `.set` sends the value; `.clear` sends JSON `null`.
///
/// - Note: NOTES §13.1: the spec itself promises neither that an omitted field stays unchanged
///   nor that `null` clears a field in general; it names `null` only for some fields. `.clear`
///   is offered where the field is `nullable` in Pinterest's update schema.
public enum FieldUpdate<Value: Encodable & Sendable & Equatable>: Encodable, Sendable, Equatable {
    case set(Value)
    case clear

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .set(let value): try container.encode(value)
        case .clear: try container.encodeNil()
        }
    }
}

/// Item of `campaigns/update` (schema `CampaignUpdateRequest`; 1–30 per request). Only `id` and
/// `ad_account_id` are required; every nil field is left out of the JSON.
public struct CampaignUpdate: Encodable, Sendable, Equatable {
    public var id: String
    /// Must be the ad account of the path.
    public var adAccountID: String
    public var name: String?
    /// ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT. Treat ARCHIVED as final (NOTES §13.2).
    public var status: String?
    /// Micro-currency. Never set together with `lifetimeSpendCap`.
    public var dailySpendCap: FieldUpdate<Int64>?
    public var lifetimeSpendCap: FieldUpdate<Int64>?
    /// Unix seconds.
    public var startTime: FieldUpdate<Int64>?
    public var endTime: FieldUpdate<Int64>?
    /// `TrackingURLs()` (an empty object) is Pinterest's documented way to clear them.
    public var trackingURLs: TrackingURLs?

    public init(
        id: String, adAccountID: String, name: String? = nil, status: String? = nil, dailySpendCap: FieldUpdate<Int64>? = nil,
        lifetimeSpendCap: FieldUpdate<Int64>? = nil, startTime: FieldUpdate<Int64>? = nil, endTime: FieldUpdate<Int64>? = nil,
        trackingURLs: TrackingURLs? = nil
    ) {
        self.id = id
        self.adAccountID = adAccountID
        self.name = name
        self.status = status
        self.dailySpendCap = dailySpendCap
        self.lifetimeSpendCap = lifetimeSpendCap
        self.startTime = startTime
        self.endTime = endTime
        self.trackingURLs = trackingURLs
    }

    enum CodingKeys: String, CodingKey {
        case id
        case adAccountID = "ad_account_id"
        case name, status
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
        case trackingURLs = "tracking_urls"
    }
}

/// Item of `ad_groups/update` (schema `AdGroupUpdateRequest`; 1–30 per request). Only `id` is
/// required; the item carries no `ad_account_id` (the path does). Nil fields are left out.
public struct AdGroupUpdate: Encodable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var status: String?
    /// Micro-currency.
    public var budgetInMicroCurrency: Int64?
    /// Micro-currency.
    public var bidInMicroCurrency: FieldUpdate<Int64>?
    /// AUTOMATIC_BID, MAX_BID, TARGET_AVG (or `.clear`).
    public var bidStrategyType: FieldUpdate<String>?
    /// Unix seconds.
    public var startTime: FieldUpdate<Int64>?
    public var endTime: FieldUpdate<Int64>?
    /// Whether a PATCH replaces or merges it is not stated (NOTES §13.4): send the whole spec.
    public var targetingSpec: [String: [String]]?
    public var autoTargetingEnabled: Bool?
    public var optimizationGoalMetadata: OptimizationGoalMetadata?
    /// `TrackingURLs()` (an empty object) clears them.
    public var trackingURLs: TrackingURLs?

    public init(
        id: String, name: String? = nil, status: String? = nil, budgetInMicroCurrency: Int64? = nil,
        bidInMicroCurrency: FieldUpdate<Int64>? = nil, bidStrategyType: FieldUpdate<String>? = nil, startTime: FieldUpdate<Int64>? = nil,
        endTime: FieldUpdate<Int64>? = nil, targetingSpec: [String: [String]]? = nil, autoTargetingEnabled: Bool? = nil,
        optimizationGoalMetadata: OptimizationGoalMetadata? = nil, trackingURLs: TrackingURLs? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.budgetInMicroCurrency = budgetInMicroCurrency
        self.bidInMicroCurrency = bidInMicroCurrency
        self.bidStrategyType = bidStrategyType
        self.startTime = startTime
        self.endTime = endTime
        self.targetingSpec = targetingSpec
        self.autoTargetingEnabled = autoTargetingEnabled
        self.optimizationGoalMetadata = optimizationGoalMetadata
        self.trackingURLs = trackingURLs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case bidStrategyType = "bid_strategy_type"
        case startTime = "start_time"
        case endTime = "end_time"
        case targetingSpec = "targeting_spec"
        case autoTargetingEnabled = "auto_targeting_enabled"
        case optimizationGoalMetadata = "optimization_goal_metadata"
        case trackingURLs = "tracking_urls"
    }
}

/// Item of `ads/update` (schema `AdUpdateRequest`; 1–30 per request). Only `id` is required;
/// nil fields are left out.
public struct AdUpdate: Encodable, Sendable, Equatable {
    public var id: String
    /// 255 characters at most.
    public var name: String?
    public var status: String?
    public var destinationURL: FieldUpdate<String>?
    public var clickTrackingURL: FieldUpdate<String>?
    public var viewTrackingURL: FieldUpdate<String>?
    /// `TrackingURLs()` (an empty object) clears them.
    public var trackingURLs: TrackingURLs?

    public init(
        id: String, name: String? = nil, status: String? = nil, destinationURL: FieldUpdate<String>? = nil,
        clickTrackingURL: FieldUpdate<String>? = nil, viewTrackingURL: FieldUpdate<String>? = nil, trackingURLs: TrackingURLs? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.destinationURL = destinationURL
        self.clickTrackingURL = clickTrackingURL
        self.viewTrackingURL = viewTrackingURL
        self.trackingURLs = trackingURLs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case destinationURL = "destination_url"
        case clickTrackingURL = "click_tracking_url"
        case viewTrackingURL = "view_tracking_url"
        case trackingURLs = "tracking_urls"
    }
}
