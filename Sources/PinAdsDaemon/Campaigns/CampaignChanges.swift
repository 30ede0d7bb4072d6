import Foundation
import PinAdsJSON

// A change to an object Pinterest has, in the daemon's words: only the fields given change;
// `Patch.clear` empties a field that may be empty. The store keeps each change as this JSON
// (Pinterest's field names, `null` for a clear) in its update's write-ahead record.

/// What `campaigns.update` changes.
struct CampaignChange: Codable, Sendable, Equatable {
    var name: String?
    var status: String?
    var dailySpendCap: Patch<Int64>?
    var lifetimeSpendCap: Patch<Int64>?
    var startTime: Date?
    var endTime: Patch<Date>?

    init(
        name: String? = nil, status: String? = nil, dailySpendCap: Patch<Int64>? = nil, lifetimeSpendCap: Patch<Int64>? = nil,
        startTime: Date? = nil, endTime: Patch<Date>? = nil
    ) {
        self.name = name
        self.status = status
        self.dailySpendCap = dailySpendCap
        self.lifetimeSpendCap = lifetimeSpendCap
        self.startTime = startTime
        self.endTime = endTime
    }

    var isEmpty: Bool { self == CampaignChange() }

    /// The plan as it is once Pinterest has the change.
    func applied(to plan: CampaignPlan) -> CampaignPlan {
        var plan = plan
        if let name { plan.name = name }
        if let status { plan.status = status }
        if let dailySpendCap { plan.dailySpendCap = dailySpendCap.value }
        if let lifetimeSpendCap { plan.lifetimeSpendCap = lifetimeSpendCap.value }
        if let startTime { plan.startTime = startTime }
        if let endTime { plan.endTime = endTime.value }
        return plan
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        dailySpendCap = try c.decodePatch(Int64.self, forKey: .dailySpendCap)
        lifetimeSpendCap = try c.decodePatch(Int64.self, forKey: .lifetimeSpendCap)
        startTime = try c.decodeIfPresent(Date.self, forKey: .startTime)
        endTime = try c.decodePatch(Date.self, forKey: .endTime)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodePatch(dailySpendCap, forKey: .dailySpendCap)
        try c.encodePatch(lifetimeSpendCap, forKey: .lifetimeSpendCap)
        try c.encodeIfPresent(startTime, forKey: .startTime)
        try c.encodePatch(endTime, forKey: .endTime)
    }
}

/// What `ad_groups.update` changes. Targeting and keywords are replaced whole.
struct AdGroupChange: Codable, Sendable, Equatable {
    var name: String?
    var status: String?
    var budgetInMicroCurrency: Int64?
    var bidInMicroCurrency: Patch<Int64>?
    var bidStrategyType: String?
    var startTime: Date?
    var endTime: Patch<Date>?
    var targeting: Targeting?
    var autoTargetingEnabled: Bool?
    var optimizationGoal: ConversionGoal?
    var keywords: [KeywordPlan]?

    init(
        name: String? = nil, status: String? = nil, budgetInMicroCurrency: Int64? = nil, bidInMicroCurrency: Patch<Int64>? = nil,
        bidStrategyType: String? = nil, startTime: Date? = nil, endTime: Patch<Date>? = nil, targeting: Targeting? = nil,
        autoTargetingEnabled: Bool? = nil, optimizationGoal: ConversionGoal? = nil, keywords: [KeywordPlan]? = nil
    ) {
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
    }

    var isEmpty: Bool { self == AdGroupChange() }

    /// Whether anything but the keywords changes (keywords have their own endpoints).
    var patchesAdGroup: Bool {
        var rest = self
        rest.keywords = nil
        return !rest.isEmpty
    }

    func applied(to plan: AdGroupPlan) -> AdGroupPlan {
        var plan = plan
        if let name { plan.name = name }
        if let status { plan.status = status }
        if let budgetInMicroCurrency { plan.budgetInMicroCurrency = budgetInMicroCurrency }
        if let bidInMicroCurrency { plan.bidInMicroCurrency = bidInMicroCurrency.value }
        if let bidStrategyType { plan.bidStrategyType = bidStrategyType }
        if let startTime { plan.startTime = startTime }
        if let endTime { plan.endTime = endTime.value }
        if let targeting { plan.targeting = targeting }
        if let autoTargetingEnabled { plan.autoTargetingEnabled = autoTargetingEnabled }
        if let optimizationGoal { plan.optimizationGoal = optimizationGoal }
        if let keywords { plan.keywords = keywords }
        return plan
    }

    enum CodingKeys: String, CodingKey {
        case name, status, targeting, keywords
        case budgetInMicroCurrency = "budget_in_micro_currency"
        case bidInMicroCurrency = "bid_in_micro_currency"
        case bidStrategyType = "bid_strategy_type"
        case startTime = "start_time"
        case endTime = "end_time"
        case autoTargetingEnabled = "auto_targeting_enabled"
        case optimizationGoal = "optimization_goal"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        budgetInMicroCurrency = try c.decodeIfPresent(Int64.self, forKey: .budgetInMicroCurrency)
        bidInMicroCurrency = try c.decodePatch(Int64.self, forKey: .bidInMicroCurrency)
        bidStrategyType = try c.decodeIfPresent(String.self, forKey: .bidStrategyType)
        startTime = try c.decodeIfPresent(Date.self, forKey: .startTime)
        endTime = try c.decodePatch(Date.self, forKey: .endTime)
        targeting = try c.decodeIfPresent(Targeting.self, forKey: .targeting)
        autoTargetingEnabled = try c.decodeIfPresent(Bool.self, forKey: .autoTargetingEnabled)
        optimizationGoal = try c.decodeIfPresent(ConversionGoal.self, forKey: .optimizationGoal)
        keywords = try c.decodeIfPresent([KeywordPlan].self, forKey: .keywords)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
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
    }
}

/// What `ads.update` changes.
struct AdChange: Codable, Sendable, Equatable {
    var name: String?
    var status: String?
    var destinationURL: Patch<String>?
    var clickTrackingURL: Patch<String>?
    var viewTrackingURL: Patch<String>?

    init(
        name: String? = nil, status: String? = nil, destinationURL: Patch<String>? = nil, clickTrackingURL: Patch<String>? = nil,
        viewTrackingURL: Patch<String>? = nil
    ) {
        self.name = name
        self.status = status
        self.destinationURL = destinationURL
        self.clickTrackingURL = clickTrackingURL
        self.viewTrackingURL = viewTrackingURL
    }

    var isEmpty: Bool { self == AdChange() }

    func applied(to plan: AdPlan) -> AdPlan {
        var plan = plan
        if let name { plan.name = name }
        if let status { plan.status = status }
        if let destinationURL { plan.destinationURL = destinationURL.value }
        if let clickTrackingURL { plan.clickTrackingURL = clickTrackingURL.value }
        if let viewTrackingURL { plan.viewTrackingURL = viewTrackingURL.value }
        return plan
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case destinationURL = "destination_url"
        case clickTrackingURL = "click_tracking_url"
        case viewTrackingURL = "view_tracking_url"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        destinationURL = try c.decodePatch(String.self, forKey: .destinationURL)
        clickTrackingURL = try c.decodePatch(String.self, forKey: .clickTrackingURL)
        viewTrackingURL = try c.decodePatch(String.self, forKey: .viewTrackingURL)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodePatch(destinationURL, forKey: .destinationURL)
        try c.encodePatch(clickTrackingURL, forKey: .clickTrackingURL)
        try c.encodePatch(viewTrackingURL, forKey: .viewTrackingURL)
    }
}

/// The status an update's stored change sets, whatever its level (each level's change has
/// `status`): read by decoding, so it does not hang on how the JSON was written.
enum ChangeStatus {
    private struct Status: Decodable { var status: String? }

    static func of(_ changes: String) -> String? {
        (try? JSONDecoder().decode(Status.self, from: Data(changes.utf8)))?.status
    }
}
