import Foundation

// `campaigns.update`, `ad_groups.update`, `ads.update`: a change to an object Pinterest has,
// applied by a job. Only the fields given change; `null` clears a field that may be empty
// (an end time, a spend cap, a URL). A field pinads does not know is refused by name.

/// `campaigns.update`: status, name, spend caps and schedule of a campaign Pinterest has.
public struct UpdateCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.update"
    public typealias Result = CampaignJobResult
    /// The pinads campaign id.
    public var id: Int64
    public var name: String?
    /// ACTIVE, PAUSED or ARCHIVED (final: an archived campaign cannot be changed again).
    public var status: String?
    public var dailySpendCap: Patch<Int64>?
    public var lifetimeSpendCap: Patch<Int64>?
    public var startTime: Date?
    public var endTime: Patch<Date>?
    /// Pinterest changes it only on drafts: refused, with that reason.
    public var objectiveType: String?

    public init(
        id: Int64, name: String? = nil, status: String? = nil, dailySpendCap: Patch<Int64>? = nil, lifetimeSpendCap: Patch<Int64>? = nil,
        startTime: Date? = nil, endTime: Patch<Date>? = nil, objectiveType: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.dailySpendCap = dailySpendCap
        self.lifetimeSpendCap = lifetimeSpendCap
        self.startTime = startTime
        self.endTime = endTime
        self.objectiveType = objectiveType
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, status
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
        case objectiveType = "objective_type"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, hint: Self.method)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        name = try c.decodeUnlessNull(String.self, forKey: .name)
        status = try c.decodeUnlessNull(String.self, forKey: .status)
        dailySpendCap = try c.decodePatch(Int64.self, forKey: .dailySpendCap)
        lifetimeSpendCap = try c.decodePatch(Int64.self, forKey: .lifetimeSpendCap)
        startTime = try c.decodeUnlessNull(Date.self, forKey: .startTime)
        endTime = try c.decodePatch(Date.self, forKey: .endTime)
        objectiveType = try c.decodeUnlessNull(String.self, forKey: .objectiveType)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodePatch(dailySpendCap, forKey: .dailySpendCap)
        try c.encodePatch(lifetimeSpendCap, forKey: .lifetimeSpendCap)
        try c.encodeIfPresent(startTime, forKey: .startTime)
        try c.encodePatch(endTime, forKey: .endTime)
        try c.encodeIfPresent(objectiveType, forKey: .objectiveType)
    }
}

/// `ad_groups.update`: status, name, budget, bid and bid strategy, schedule, targeting
/// (replaced whole), the conversion goal and keywords (replaced whole) of an ad group.
public struct UpdateAdGroupRequest: PinAdsRequest {
    public static let method = "ad_groups.update"
    public typealias Result = AdGroupJobResult
    /// The pinads ad group id.
    public var id: Int64
    public var name: String?
    /// ACTIVE, PAUSED or ARCHIVED (final).
    public var status: String?
    public var budgetInMicroCurrency: Int64?
    /// `null` removes the bid (with bid_strategy_type AUTOMATIC_BID).
    public var bidInMicroCurrency: Patch<Int64>?
    /// AUTOMATIC_BID, MAX_BID or TARGET_AVG.
    public var bidStrategyType: String?
    public var startTime: Date?
    public var endTime: Patch<Date>?
    /// The whole targeting: it replaces the ad group's.
    public var targeting: TargetingSpec?
    public var autoTargetingEnabled: Bool?
    /// WEB_CONVERSION ad groups: the conversion tag, event and goal.
    public var optimizationGoal: ConversionGoalSpec?
    /// The whole keyword list: keywords not in it are archived at Pinterest, new ones created.
    public var keywords: [KeywordSpec]?
    /// Pinterest changes these only on drafts: refused, with that reason.
    public var billableEvent: String?
    public var budgetType: String?

    public init(
        id: Int64, name: String? = nil, status: String? = nil, budgetInMicroCurrency: Int64? = nil, bidInMicroCurrency: Patch<Int64>? = nil,
        bidStrategyType: String? = nil, startTime: Date? = nil, endTime: Patch<Date>? = nil, targeting: TargetingSpec? = nil,
        autoTargetingEnabled: Bool? = nil, optimizationGoal: ConversionGoalSpec? = nil, keywords: [KeywordSpec]? = nil,
        billableEvent: String? = nil, budgetType: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.budgetInMicroCurrency = budgetInMicroCurrency
        self.bidInMicroCurrency = bidInMicroCurrency
        self.bidStrategyType = bidStrategyType
        self.startTime = startTime
        self.endTime = endTime
        self.targeting = targeting
        self.autoTargetingEnabled = autoTargetingEnabled
        self.optimizationGoal = optimizationGoal
        self.keywords = keywords
        self.billableEvent = billableEvent
        self.budgetType = budgetType
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, status, targeting, keywords
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case bidStrategyType = "bid_strategy_type"
        case startTime = "start_time"
        case endTime = "end_time"
        case autoTargetingEnabled = "auto_targeting_enabled"
        case optimizationGoal = "optimization_goal"
        case billableEvent = "billable_event"
        case budgetType = "budget_type"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, hint: Self.method)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        name = try c.decodeUnlessNull(String.self, forKey: .name)
        status = try c.decodeUnlessNull(String.self, forKey: .status)
        budgetInMicroCurrency = try c.decodeUnlessNull(Int64.self, forKey: .budgetInMicroCurrency)
        bidInMicroCurrency = try c.decodePatch(Int64.self, forKey: .bidInMicroCurrency)
        bidStrategyType = try c.decodeUnlessNull(String.self, forKey: .bidStrategyType)
        startTime = try c.decodeUnlessNull(Date.self, forKey: .startTime)
        endTime = try c.decodePatch(Date.self, forKey: .endTime)
        targeting = try c.decodeUnlessNull(TargetingSpec.self, forKey: .targeting)
        autoTargetingEnabled = try c.decodeUnlessNull(Bool.self, forKey: .autoTargetingEnabled)
        optimizationGoal = try c.decodeUnlessNull(ConversionGoalSpec.self, forKey: .optimizationGoal)
        keywords = try c.decodeUnlessNull([KeywordSpec].self, forKey: .keywords)
        billableEvent = try c.decodeUnlessNull(String.self, forKey: .billableEvent)
        budgetType = try c.decodeUnlessNull(String.self, forKey: .budgetType)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(budgetInMicroCurrency, forKey: .budgetInMicroCurrency)
        try c.encodePatch(bidInMicroCurrency, forKey: .bidInMicroCurrency)
        try c.encodeIfPresent(bidStrategyType, forKey: .bidStrategyType)
        try c.encodeIfPresent(startTime, forKey: .startTime)
        try c.encodePatch(endTime, forKey: .endTime)
        try c.encodeIfPresent(targeting, forKey: .targeting)
        try c.encodeIfPresent(autoTargetingEnabled, forKey: .autoTargetingEnabled)
        try c.encodeIfPresent(optimizationGoal, forKey: .optimizationGoal)
        try c.encodeIfPresent(keywords, forKey: .keywords)
        try c.encodeIfPresent(billableEvent, forKey: .billableEvent)
        try c.encodeIfPresent(budgetType, forKey: .budgetType)
    }
}

/// `ads.update`: status, name and the URLs Pinterest lets you change of an ad.
public struct UpdateAdRequest: PinAdsRequest {
    public static let method = "ads.update"
    public typealias Result = AdJobResult
    /// The pinads ad id.
    public var id: Int64
    public var name: String?
    /// ACTIVE, PAUSED or ARCHIVED (final).
    public var status: String?
    public var destinationUrl: Patch<String>?
    public var clickTrackingUrl: Patch<String>?
    public var viewTrackingUrl: Patch<String>?
    /// Pinterest changes the Pin only on drafts, and the creative type not at all: refused.
    public var pinId: String?
    public var creativeType: String?

    public init(
        id: Int64, name: String? = nil, status: String? = nil, destinationUrl: Patch<String>? = nil, clickTrackingUrl: Patch<String>? = nil,
        viewTrackingUrl: Patch<String>? = nil, pinId: String? = nil, creativeType: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.destinationUrl = destinationUrl
        self.clickTrackingUrl = clickTrackingUrl
        self.viewTrackingUrl = viewTrackingUrl
        self.pinId = pinId
        self.creativeType = creativeType
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, status
        case destinationUrl = "destination_url"
        case clickTrackingUrl = "click_tracking_url"
        case viewTrackingUrl = "view_tracking_url"
        case pinId = "pin_id"
        case creativeType = "creative_type"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, hint: Self.method)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        name = try c.decodeUnlessNull(String.self, forKey: .name)
        status = try c.decodeUnlessNull(String.self, forKey: .status)
        destinationUrl = try c.decodePatch(String.self, forKey: .destinationUrl)
        clickTrackingUrl = try c.decodePatch(String.self, forKey: .clickTrackingUrl)
        viewTrackingUrl = try c.decodePatch(String.self, forKey: .viewTrackingUrl)
        pinId = try c.decodeUnlessNull(String.self, forKey: .pinId)
        creativeType = try c.decodeUnlessNull(String.self, forKey: .creativeType)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodePatch(destinationUrl, forKey: .destinationUrl)
        try c.encodePatch(clickTrackingUrl, forKey: .clickTrackingUrl)
        try c.encodePatch(viewTrackingUrl, forKey: .viewTrackingUrl)
        try c.encodeIfPresent(pinId, forKey: .pinId)
        try c.encodeIfPresent(creativeType, forKey: .creativeType)
    }
}

/// Where an update stands: QUEUED until Pinterest has it, APPLIED, or REFUSED (by pinads'
/// checks at the time it ran, or by Pinterest; `error` says why).
public enum UpdateState: String, Codable, Sendable, CaseIterable {
    case queued = "QUEUED", applied = "APPLIED", refused = "REFUSED"
}

/// The latest update of an object.
public struct UpdateInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var state: UpdateState
    /// The fields it changes, as the update request named them.
    public var changes: JSONValue
    public var error: BuildError?
    public var createdAt: Date
    public var appliedAt: Date?

    public init(id: Int64, state: UpdateState, changes: JSONValue, error: BuildError?, createdAt: Date, appliedAt: Date?) {
        self.id = id
        self.state = state
        self.changes = changes
        self.error = error
        self.createdAt = createdAt
        self.appliedAt = appliedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, state, changes, error
        case createdAt = "created_at"
        case appliedAt = "applied_at"
    }
}

/// What Pinterest said of an object when pinads last read it.
public struct PinterestReading: Codable, Sendable, Equatable {
    public var status: String?
    public var summaryStatus: String?
    /// Ads: Pinterest's review (PENDING, APPROVED, REJECTED, OTHER) and its reasons.
    public var reviewStatus: String?
    public var rejectedReasons: [String]?
    public var readAt: Date

    public init(status: String?, summaryStatus: String?, reviewStatus: String? = nil, rejectedReasons: [String]? = nil, readAt: Date) {
        self.status = status
        self.summaryStatus = summaryStatus
        self.reviewStatus = reviewStatus
        self.rejectedReasons = rejectedReasons
        self.readAt = readAt
    }

    enum CodingKeys: String, CodingKey {
        case status
        case summaryStatus = "summary_status"
        case reviewStatus = "review_status"
        case rejectedReasons = "rejected_reasons"
        case readAt = "read_at"
    }
}

/// A field where Pinterest's state differs from what pinads last set (changed in Ads Manager,
/// or by Pinterest itself).
public struct Drift: Codable, Sendable, Equatable {
    /// Pinterest's name of the field (status, daily_spend_cap, budget_in_micro_currency, …).
    public var field: String
    public var pinads: JSONValue
    public var pinterest: JSONValue

    public init(field: String, pinads: JSONValue, pinterest: JSONValue) {
        self.field = field
        self.pinads = pinads
        self.pinterest = pinterest
    }
}
