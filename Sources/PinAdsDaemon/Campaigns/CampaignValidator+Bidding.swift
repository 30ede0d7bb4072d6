import Foundation

// Bids, conversion goals and keywords of an ad group, as Pinterest's spec states their rules
// (NOTES §6.1, §6.4, §6.5): checked before anything is sent.

extension CampaignValidator {
    static let bidStrategies: Set<String> = ["AUTOMATIC_BID", "MAX_BID", "TARGET_AVG"]
    /// Objective/billable-event pairs for which Pinterest requires `bid_in_micro_currency`.
    static let bidRequired: Set<String> = ["AWARENESS/IMPRESSION", "CONSIDERATION/CLICKTHROUGH", "CATALOG_SALES/CLICKTHROUGH"]
    static let conversionEvents: Set<String> = [
        "PAGE_VISIT", "SIGNUP", "CHECKOUT", "CUSTOM", "VIEW_CATEGORY", "SEARCH", "ADD_TO_CART", "WATCH_VIDEO", "LEAD", "APP_INSTALL",
    ]
    static let attributionWindows: Set<Int> = [0, 1, 7, 14, 30, 60]
    static let matchTypes: Set<String> = ["BROAD", "PHRASE", "EXACT", "EXACT_NEGATIVE", "PHRASE_NEGATIVE"]

    /// "ad_group." for a create's fields, "" for an update's (which name fields bare).
    static func dotted(_ prefix: String) -> String { prefix.isEmpty ? "" : prefix + "." }

    /// The bid and bid strategy. With `fillDefaults` (a create) a missing strategy becomes
    /// MAX_BID with a bid and AUTOMATIC_BID without, and a pair that requires a bid gets the
    /// default one; an update keeps what it is given and only checks.
    func bidding(_ spec: inout AdGroupPlan, objective: String?, fillDefaults: Bool, prefix: String) throws {
        try positive(spec.bidInMicroCurrency, field: "\(Self.dotted(prefix))bid_in_micro_currency")
        if let strategy = spec.bidStrategyType {
            spec.bidStrategyType = try oneOf(strategy, Self.bidStrategies, field: "\(Self.dotted(prefix))bid_strategy_type")
        }
        let pair = "\(objective ?? "?")/\(spec.billableEvent)"
        if objective == "VIDEO_COMPLETION" {
            if let strategy = spec.bidStrategyType, strategy != "AUTOMATIC_BID" {
                throw invalid(
                    "\(Self.dotted(prefix))bid_strategy_type",
                    "VIDEO_COMPLETION campaigns allow only AUTOMATIC_BID (Pinterest Performance+ bidding), got \(strategy)")
            }
            if spec.bidInMicroCurrency != nil {
                throw invalid(
                    "\(Self.dotted(prefix))bid_in_micro_currency",
                    "VIDEO_COMPLETION campaigns allow only AUTOMATIC_BID: Pinterest sets the bids, a manual bid cannot be given")
            }
            if fillDefaults { spec.bidStrategyType = "AUTOMATIC_BID" }
            return
        }
        if fillDefaults, spec.bidStrategyType == nil {
            if spec.bidInMicroCurrency == nil, Self.bidRequired.contains(pair) { spec.bidInMicroCurrency = Self.defaultBid }
            spec.bidStrategyType = spec.bidInMicroCurrency == nil ? "AUTOMATIC_BID" : "MAX_BID"
        }
        switch spec.bidStrategyType {
        case "AUTOMATIC_BID":
            if spec.bidInMicroCurrency != nil {
                throw invalid(
                    "\(Self.dotted(prefix))bid_in_micro_currency", "is not taken with bid_strategy_type AUTOMATIC_BID (Pinterest sets the bids); leave it out")
            }
        case let strategy?:
            if spec.bidInMicroCurrency == nil {
                throw invalid("\(Self.dotted(prefix))bid_in_micro_currency", "is required with bid_strategy_type \(strategy)")
            }
        case nil:
            if spec.bidInMicroCurrency == nil, Self.bidRequired.contains(pair) {
                throw invalid(
                    "\(Self.dotted(prefix))bid_in_micro_currency",
                    "is required by Pinterest for \(objective ?? "?") campaigns billed on \(spec.billableEvent), unless bid_strategy_type is AUTOMATIC_BID")
            }
        }
        if let bid = spec.bidInMicroCurrency, let budget = spec.budgetInMicroCurrency, bid > budget {
            throw invalid("\(Self.dotted(prefix))bid_in_micro_currency", "is above the budget (\(bid) > \(budget) micro-currency)")
        }
    }

    /// A WEB_CONVERSION ad group's goal: required there, refused elsewhere. The tag's ad
    /// account is checked by the builder (it needs the store).
    func goal(_ goal: ConversionGoal?, spec: AdGroupPlan, objective: String?, prefix: String) throws -> ConversionGoal? {
        let field = "\(Self.dotted(prefix))optimization_goal"
        guard let goal else {
            if objective == "WEB_CONVERSION" {
                throw invalid(
                    field,
                    "is required for ad groups of WEB_CONVERSION campaigns: a conversion_tag_id of the campaign's ad account (`pinads tags list`) and a conversion_event")
            }
            return nil
        }
        if let objective, objective != "WEB_CONVERSION" {
            throw invalid(field, "is taken only by ad groups of WEB_CONVERSION campaigns; this campaign's objective is \(objective)")
        }
        var checked = goal
        checked.conversionTagID = goal.conversionTagID.trimmingCharacters(in: .whitespaces)
        guard !checked.conversionTagID.isEmpty, checked.conversionTagID.count <= 18, checked.conversionTagID.allSatisfy(\.isNumber) else {
            throw invalid("\(field).conversion_tag_id", "must be a Pinterest conversion tag id (digits; `pinads tags list`), got '\(goal.conversionTagID)'")
        }
        checked.conversionEvent = try oneOf(goal.conversionEvent.uppercased(), Self.conversionEvents, field: "\(field).conversion_event")
        try positive(goal.cpaGoalInMicroCurrency, field: "\(field).cpa_goal_in_micro_currency")
        for (name, days) in [
            ("click_window_days", goal.clickWindowDays), ("engagement_window_days", goal.engagementWindowDays), ("view_window_days", goal.viewWindowDays),
        ] {
            if let days, !Self.attributionWindows.contains(days) {
                throw invalid("\(field).\(name)", "must be one of 0, 1, 7, 14, 30, 60 days, got \(days)")
            }
        }
        if goal.roasOptimized == true {
            if spec.bidStrategyType != "AUTOMATIC_BID" {
                throw invalid("\(field).roas_optimized", "needs bid_strategy_type AUTOMATIC_BID (Pinterest's rule)")
            }
            if checked.conversionEvent != "CHECKOUT" {
                throw invalid("\(field).roas_optimized", "needs conversion_event CHECKOUT (Pinterest's rule)")
            }
        }
        return checked
    }

    /// Keywords: 1–120 characters each, a known match type, none twice (an empty list stays
    /// empty: an update that removes them all).
    func keywords(_ keywords: [KeywordPlan]?, prefix: String) throws -> [KeywordPlan]? {
        guard let keywords else { return nil }
        var seen: Set<KeywordPlan> = []
        var checked: [KeywordPlan] = []
        for (index, keyword) in keywords.enumerated() {
            let value = keyword.value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty, value.count <= 120 else {
                throw invalid("\(prefix)[\(index)].value", "must be 1 to 120 characters (Pinterest's limit)")
            }
            let type = try oneOf(keyword.matchType.uppercased(), Self.matchTypes, field: "\(prefix)[\(index)].match_type")
            let normalized = KeywordPlan(value: value, matchType: type)
            guard seen.insert(KeywordPlan(value: value.lowercased(), matchType: type)).inserted else {
                throw invalid("\(prefix)[\(index)]", "'\(value)' with match_type \(type) is given twice")
            }
            checked.append(normalized)
        }
        return checked
    }
}
