import Foundation
import PinAdsJSON
import PinterestAPI

/// What Pinterest said of a campaign, ad group or ad when pinads last read it, kept with the
/// object (the store's `pinterest_state`): its status and review, and its values of the fields
/// pinads sets, by Pinterest's names, to show where they differ from pinads' plan (drift).
struct ObjectReading: Codable, Sendable, Equatable {
    var status: String?
    var summaryStatus: String?
    var reviewStatus: String?
    var rejectedReasons: [String]?
    var fields: [String: JSONValue]
    /// Ad groups: their keywords at Pinterest, when read.
    var keywords: [KeywordReading]?

    enum CodingKeys: String, CodingKey {
        case status, fields, keywords
        case summaryStatus = "summary_status"
        case reviewStatus = "review_status"
        case rejectedReasons = "rejected_reasons"
    }
}

/// A keyword as Pinterest has it.
struct KeywordReading: Codable, Sendable, Equatable {
    var id: String
    var value: String
    var matchType: String

    var plan: KeywordPlan { KeywordPlan(value: value, matchType: matchType) }

    enum CodingKeys: String, CodingKey {
        case id, value
        case matchType = "match_type"
    }
}

/// A field where Pinterest's value differs from pinads' plan.
struct FieldDrift: Sendable, Equatable {
    var field: String
    var pinads: JSONValue
    var pinterest: JSONValue
}

extension ObjectReading {
    init(_ campaign: Campaign) {
        self.init(
            status: campaign.status, summaryStatus: campaign.summaryStatus,
            fields: Self.compact([
                "name": campaign.name.map(JSONValue.string), "status": campaign.status.map(JSONValue.string),
                "daily_spend_cap": JSONValue(campaign.dailySpendCap), "lifetime_spend_cap": JSONValue(campaign.lifetimeSpendCap),
                "start_time": JSONValue(campaign.startTime), "end_time": JSONValue(campaign.endTime),
                "objective_type": campaign.objectiveType.map(JSONValue.string),
            ]))
    }

    init(_ group: AdGroup, keywords: [KeywordReading]? = nil) {
        self.init(
            status: group.status, summaryStatus: group.summaryStatus,
            fields: Self.compact([
                "name": group.name.map(JSONValue.string), "status": group.status.map(JSONValue.string),
                "budget_in_micro_currency": JSONValue(group.budgetInMicroCurrency), "bid_in_micro_currency": JSONValue(group.bidInMicroCurrency),
                "bid_strategy_type": JSONValue(group.bidStrategyType), "start_time": JSONValue(group.startTime), "end_time": JSONValue(group.endTime),
                "auto_targeting_enabled": group.autoTargetingEnabled.map(JSONValue.bool),
            ]),
            keywords: keywords)
    }

    init(_ ad: Ad) {
        self.init(
            status: ad.status, summaryStatus: ad.summaryStatus, reviewStatus: ad.reviewStatus, rejectedReasons: ad.rejectedReasons,
            fields: Self.compact([
                "name": ad.name.map(JSONValue.string), "status": ad.status.map(JSONValue.string), "destination_url": JSONValue(ad.destinationURL),
                "click_tracking_url": JSONValue(ad.clickTrackingURL), "view_tracking_url": JSONValue(ad.viewTrackingURL),
            ]))
    }

    private static func compact(_ fields: [String: JSONValue?]) -> [String: JSONValue] { fields.compactMapValues { $0 } }
}

extension JSONValue {
    /// A value, or JSON null for none.
    init(_ value: Int64?) { self = value.map(JSONValue.int) ?? .null }
    init(_ value: String?) { self = value.map(JSONValue.string) ?? .null }
    init(_ date: Date?) { self = date.map { .int(Int64($0.timeIntervalSince1970.rounded(.down))) } ?? .null }
}

/// Where Pinterest's state differs from what pinads last set: only fields pinads sets are
/// compared (a field pinads left to Pinterest's default is not drift when Pinterest fills it).
enum DriftCheck {
    /// The plan's values by Pinterest's names; a field absent here is not compared.
    static func expected(_ plan: CampaignPlan) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "name": .string(plan.name), "status": .string(plan.status ?? "PAUSED"), "daily_spend_cap": JSONValue(plan.dailySpendCap),
            "lifetime_spend_cap": JSONValue(plan.lifetimeSpendCap), "end_time": JSONValue(plan.endTime),
        ]
        if let start = plan.startTime { fields["start_time"] = JSONValue(start) }
        return fields
    }

    static func expected(_ plan: AdGroupPlan) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["name": .string(plan.name), "status": .string(plan.status ?? "ACTIVE"), "end_time": JSONValue(plan.endTime)]
        if let budget = plan.budgetInMicroCurrency { fields["budget_in_micro_currency"] = .int(budget) }
        // Plans from before bid strategies were set compare their bid only when they have one.
        if let strategy = plan.bidStrategyType {
            fields["bid_strategy_type"] = .string(strategy)
            fields["bid_in_micro_currency"] = JSONValue(plan.bidInMicroCurrency)
        } else if let bid = plan.bidInMicroCurrency {
            fields["bid_in_micro_currency"] = .int(bid)
        }
        if let start = plan.startTime { fields["start_time"] = JSONValue(start) }
        if let auto = plan.autoTargetingEnabled { fields["auto_targeting_enabled"] = .bool(auto) }
        return fields
    }

    static func expected(_ plan: AdPlan) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["status": .string(plan.status ?? "ACTIVE")]
        if let name = plan.name { fields["name"] = .string(name) }
        if let url = plan.destinationURL { fields["destination_url"] = .string(url) }
        if let url = plan.clickTrackingURL { fields["click_tracking_url"] = .string(url) }
        if let url = plan.viewTrackingURL { fields["view_tracking_url"] = .string(url) }
        return fields
    }

    /// The fields whose values differ, by name; Pinterest's missing value counts as null.
    static func between(_ expected: [String: JSONValue], _ reading: ObjectReading?) -> [FieldDrift] {
        guard let reading else { return [] }
        return expected.keys.sorted().compactMap { field in
            guard let want = expected[field] else { return nil }
            let got = reading.fields[field] ?? .null
            return want == got ? nil : FieldDrift(field: field, pinads: want, pinterest: got)
        }
    }
}

extension CampaignPlan {
    /// A campaign tracked, not made, here as Pinterest last described it: what its changes and
    /// its ad groups' are checked against (nil before it was read).
    init?(reading: ObjectReading) {
        guard let objective = reading.fields["objective_type"]?.stringValue else { return nil }
        func date(_ key: String) -> Date? { reading.fields[key]?.intValue.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        self.init(
            name: reading.fields["name"]?.stringValue ?? "", objectiveType: objective, dailySpendCap: reading.fields["daily_spend_cap"]?.intValue,
            lifetimeSpendCap: reading.fields["lifetime_spend_cap"]?.intValue, status: reading.status, startTime: date("start_time"),
            endTime: date("end_time"))
    }
}

extension Build where Plan == CampaignPlan? {
    /// What the campaign's rules are checked against: its plan, or for a campaign tracked, not
    /// made, here what Pinterest last said of it.
    var context: CampaignPlan? { plan ?? reading.flatMap(CampaignPlan.init(reading:)) }
}

extension AdGroupPlan {
    /// The plan of an ad group made elsewhere: what Pinterest said when it was found.
    init(found group: AdGroup) {
        self.init(
            name: group.name ?? "", budgetInMicroCurrency: group.budgetInMicroCurrency, bidInMicroCurrency: group.bidInMicroCurrency,
            budgetType: group.budgetType, billableEvent: group.billableEvent ?? "", targeting: nil,
            startTime: group.startTime.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            endTime: group.endTime.map { Date(timeIntervalSince1970: TimeInterval($0)) }, autoTargetingEnabled: group.autoTargetingEnabled,
            status: group.status, bidStrategyType: group.bidStrategyType)
    }
}

extension AdPlan {
    /// The plan of an ad made elsewhere.
    init(found ad: Ad) {
        self.init(
            pinID: ad.pinID ?? "", creativeType: ad.creativeType ?? "", name: ad.name, clickTrackingURL: ad.clickTrackingURL,
            destinationURL: ad.destinationURL, status: ad.status, viewTrackingURL: ad.viewTrackingURL)
    }
}
