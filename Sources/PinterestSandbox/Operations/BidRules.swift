/// Bids by campaign objective and billable event (NOTES §6.1, §6.5), on ad-group create and on
/// the merged object of an update.
///
/// - `bid_in_micro_currency` is REQUIRED for AWARENESS/IMPRESSION, CONSIDERATION/CLICKTHROUGH and
///   CATALOG_SALES/CLICKTHROUGH unless `bid_strategy_type` is AUTOMATIC_BID.
/// - VIDEO_COMPLETION allows only AUTOMATIC_BID ("Pinterest Performance+ bidding"): no other
///   `bid_strategy_type` and no manual bid.
/// - AUTOMATIC_BID takes no `bid_in_micro_currency` (NOTES recommends omitting it; the sandbox
///   refuses it); MAX_BID and TARGET_AVG need one.
/// - `bid_multiplier` only with AUTOMATIC_BID, and not in Performance+ campaigns.
/// - WEB_CONVERSION needs `optimization_goal_metadata.conversion_tag_v3_goal_metadata` naming a
///   conversion tag of the ad account; the metadata's shape is checked for every objective.
extension SandboxState {
    static let billableEvents = ["CLICKTHROUGH", "IMPRESSION", "VIDEO_V_50_MRC"]
    static let budgetTypes = ["DAILY", "LIFETIME", "CBO_ADGROUP"]
    static let bidStrategyTypes = ["AUTOMATIC_BID", "MAX_BID", "TARGET_AVG"]
    /// Objective/billable-event pairs for which the spec makes `bid_in_micro_currency` REQUIRED.
    static let bidRequiredPairs: Set<String> = ["AWARENESS/IMPRESSION", "CONSIDERATION/CLICKTHROUGH", "CATALOG_SALES/CLICKTHROUGH"]
    /// `conversion_tag_v3_goal_metadata.conversion_event`.
    static let goalConversionEvents = [
        "PAGE_VISIT", "SIGNUP", "CHECKOUT", "CUSTOM", "VIEW_CATEGORY", "SEARCH", "ADD_TO_CART", "WATCH_VIDEO", "LEAD",
        "APP_INSTALL",
    ]
    static let goalAttributionWindowDays: Set<Int64> = [0, 1, 7, 14, 30, 60]
    static let frequencyTimeranges = ["THIRTY_DAY", "DAY", "SEVEN_DAY", "TWENTY_MINUTE", "TEN_MINUTE", "TWENTY_FOUR_HOUR"]

    func checkBids(
        _ fields: AdGroupFields, campaign: CampaignRecord, account: AdAccountRecord, into check: inout ItemValidator
    ) {
        let objective = campaign.objectiveType
        let strategy = fields.bidStrategy
        if objective == "VIDEO_COMPLETION" {
            if let strategy, strategy != "AUTOMATIC_BID" {
                check.problem(
                    "bid_strategy_type \(strategy) is not allowed: VIDEO_COMPLETION campaigns allow only AUTOMATIC_BID (Pinterest Performance+ bidding).")
            }
            if fields.bid != nil {
                check.problem(
                    "VIDEO_COMPLETION campaigns allow only AUTOMATIC_BID (Pinterest Performance+ bidding); bid_in_micro_currency cannot be set.")
            }
        } else if strategy == "AUTOMATIC_BID" {
            if fields.bid != nil {
                check.problem(
                    "bid_in_micro_currency cannot be set with bid_strategy_type AUTOMATIC_BID (Pinterest sets the bid); leave it out.")
            }
        } else if let strategy, fields.bid == nil {
            check.problem("bid_in_micro_currency is required with bid_strategy_type \(strategy).")
        } else if let billableEvent = fields.billableEvent, fields.bid == nil,
            SandboxState.bidRequiredPairs.contains("\(objective)/\(billableEvent)")
        {
            check.problem(
                "bid_in_micro_currency is required for \(objective) campaigns billed on \(billableEvent) "
                    + "(unless bid_strategy_type is AUTOMATIC_BID).")
        }
        if fields.bidMultiplier != nil {
            if strategy != "AUTOMATIC_BID" {
                check.problem("bid_multiplier needs bid_strategy_type AUTOMATIC_BID (got \(strategy ?? "none")).")
            }
            if campaign.json["is_performance_plus"]?.boolValue == true {
                check.problem("bid_multiplier is not supported in Performance+ campaigns (is_performance_plus).")
            }
        }
        checkGoalMetadata(fields.goal, objective: objective, bidStrategy: strategy, account: account, into: &check)
    }

    /// `optimization_goal_metadata` (`OptimizationGoalMetadata`): only the spec's keys, each part
    /// typed as the spec types it; REQUIRED with a conversion tag for WEB_CONVERSION.
    private func checkGoalMetadata(
        _ goal: JSONObject?, objective: String, bidStrategy: String?, account: AdAccountRecord,
        into check: inout ItemValidator
    ) {
        let prefix = "optimization_goal_metadata"
        guard let goal else {
            if objective == "WEB_CONVERSION" {
                check.problem("\(prefix) is required when the campaign objective is WEB_CONVERSION.")
            }
            return
        }
        var metadata = ItemValidator(goal)
        metadata.onlyKeys(
            ["conversion_tag_v3_goal_metadata", "frequency_goal_metadata", "scrollup_goal_metadata"],
            schema: "OptimizationGoalMetadata")
        if let tagGoal = metadata.object("conversion_tag_v3_goal_metadata") {
            var nested = ItemValidator(tagGoal)
            checkConversionTagGoal(
                &nested, required: objective == "WEB_CONVERSION", bidStrategy: bidStrategy, account: account)
            metadata.absorb(nested, prefix: "conversion_tag_v3_goal_metadata")
        } else if objective == "WEB_CONVERSION", goal["conversion_tag_v3_goal_metadata"] == nil {
            metadata.problem(
                "conversion_tag_v3_goal_metadata is required when the campaign objective is WEB_CONVERSION (the conversion tag and event to optimize for).")
        }
        if let frequency = metadata.object("frequency_goal_metadata") {
            var nested = ItemValidator(frequency)
            nested.onlyKeys(["frequency", "timerange"], schema: "frequency_goal_metadata")
            _ = nested.integer("frequency", range: 2...20)
            _ = nested.enumeration("timerange", SandboxState.frequencyTimeranges)
            metadata.absorb(nested, prefix: "frequency_goal_metadata")
        }
        if let scrollup = metadata.object("scrollup_goal_metadata") {
            var nested = ItemValidator(scrollup)
            nested.onlyKeys(["scrollup_goal_value_in_micro_currency"], schema: "scrollup_goal_metadata")
            _ = nested.digitString("scrollup_goal_value_in_micro_currency", nullable: true)
            metadata.absorb(nested, prefix: "scrollup_goal_metadata")
        }
        check.absorb(metadata, prefix: prefix)
    }

    /// `conversion_tag_v3_goal_metadata`; `required` (WEB_CONVERSION) makes the tag and the event
    /// mandatory.
    private func checkConversionTagGoal(
        _ check: inout ItemValidator, required: Bool, bidStrategy: String?, account: AdAccountRecord
    ) {
        check.onlyKeys(
            [
                "attribution_windows", "conversion_event", "conversion_tag_id", "cpa_goal_value_in_micro_currency",
                "is_roas_optimized", "learning_mode_type", "reporting_event",
            ], schema: "conversion_tag_v3_goal_metadata")
        if let tagID = check.digitString("conversion_tag_id", required: required),
            conversionTags[tagID]?.adAccountID != account.id
        {
            check.problem("conversion_tag_id \(tagID) is not a conversion tag of ad account \(account.id).")
        }
        let event = check.enumeration("conversion_event", SandboxState.goalConversionEvents, required: required)
        _ = check.digitString("cpa_goal_value_in_micro_currency")
        if let windows = check.object("attribution_windows") {
            var nested = ItemValidator(windows)
            let keys = ["click_window_days", "engagement_window_days", "view_window_days"]
            nested.onlyKeys(Set(keys), schema: "attribution_windows")
            for key in keys {
                if let days = nested.integer(key), !SandboxState.goalAttributionWindowDays.contains(days) {
                    nested.problem("\(key) must be one of 0, 1, 7, 14, 30, 60; got \(days).")
                }
            }
            check.absorb(nested, prefix: "attribution_windows")
        }
        if check.boolean("is_roas_optimized", nullable: true) == true {
            if bidStrategy != "AUTOMATIC_BID" {
                check.problem("is_roas_optimized needs bid_strategy_type AUTOMATIC_BID (got \(bidStrategy ?? "none")).")
            }
            if event != "CHECKOUT" {
                check.problem("is_roas_optimized needs conversion_event CHECKOUT (got \(event ?? "none")).")
            }
        }
        _ = check.enumeration("learning_mode_type", ["NOT_ACTIVE", "ACTIVE"], nullable: true)
        _ = check.string("reporting_event")
    }
}
