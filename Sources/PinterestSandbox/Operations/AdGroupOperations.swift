extension SandboxState {
    static let adGroupListDocumented = "Invalid ad account group parameters."

    func adGroupJSON(_ adGroup: AdGroupRecord) -> JSONValue {
        var object = adGroup.json
        object["summary_status"] = .string(
            summaryStatus(status: adGroup.status, start: adGroup.startTime, end: adGroup.endTime))
        return .object(object)
    }

    /// `POST /v5/ad_accounts/{id}/ad_groups`: 1–30 `AdGroupCreateRequest`s.
    mutating func adGroupsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        var results: [Result<JSONValue, BulkItemFailure>] = []
        for value in items {
            results.append(bulkItemObject(value).flatMap { createAdGroup($0, account: account) })
        }
        return bulkResponse(results)
    }

    /// The fields of an ad group to create (or of one merged with an update), each checked
    /// against the spec on its own.
    struct AdGroupFields {
        var campaignID: String?, name: String?, billableEvent: String?, status: String
        var budget: Int64?, bid: Int64?, bidStrategy: String?, budgetType: String?
        var startTime: Int64?, endTime: Int64?, lifetimeFrequencyCap: Int64?
        var placement: String, pacing: String, autoTargeting: Bool, creativeOptimization: Bool?, bidMultiplier: Double?
        var goal: JSONObject?, tracking: JSONObject?, templates: [String]?, promotionID: String?, promotionLevel: String?
        var targeting: JSONObject?
    }

    /// An ad group that passed every rule, with what its answer is built from.
    struct CheckedAdGroup {
        var fields: AdGroupFields
        var campaign: CampaignRecord
        var name: String
        var billableEvent: String
    }

    /// Which rules tying an ad group to its campaign apply.
    struct AdGroupChecks {
        /// Whether the ad group's window must lie inside the campaign's: on create, and on an
        /// update that sends `start_time` or `end_time` (a campaign window cut short by a
        /// campaign update wins silently over the ad groups it cuts into, NOTES §13.3).
        var windowInsideCampaign = true
        /// Whether the ad group is new to its campaign (the 70 ad groups of a CBO campaign, an
        /// ARCHIVED campaign taking none).
        var joinsCampaign = true
    }

    mutating func createAdGroup(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        guard let checked = checkAdGroup(&check, account: account, AdGroupChecks()) else {
            return .failure(BulkItemFailure(check.problems))
        }
        let id = mintID(.adGroup)
        let created = now
        let json = adGroupBody(checked, id: id, account: account, created: created, updated: created)
        let adGroup = AdGroupRecord(
            id: id, adAccountID: account.id, campaignID: checked.campaign.id, status: checked.fields.status,
            startTime: checked.fields.startTime, endTime: checked.fields.endTime, json: json)
        adGroups[id] = adGroup
        index(id, kind: .adGroup, account: account.id)
        return .success(adGroupJSON(adGroup))
    }

    /// Every create-time rule of an ad group: its fields, its campaign, its bids and its schedule.
    /// Nil (with the problems in `check`) when any fails.
    func checkAdGroup(_ check: inout ItemValidator, account: AdAccountRecord, _ checks: AdGroupChecks) -> CheckedAdGroup? {
        let fields = readAdGroup(&check, account: account)
        let campaign = fields.campaignID.flatMap { campaigns[$0] }
        if let campaignID = fields.campaignID {
            if campaign == nil || campaign?.adAccountID != account.id {
                check.problem("campaign_id \(campaignID) is not a campaign of ad account \(account.id).")
            }
        }
        if let campaign {
            checkAgainstCampaign(fields, campaign, checks, into: &check)
            checkBids(fields, campaign: campaign, account: account, into: &check)
        }
        checkSchedule(fields, into: &check)
        guard check.problems.isEmpty, let campaign, let name = fields.name, let billableEvent = fields.billableEvent else {
            return nil
        }
        return CheckedAdGroup(fields: fields, campaign: campaign, name: name, billableEvent: billableEvent)
    }

    private func readAdGroup(_ check: inout ItemValidator, account: AdAccountRecord) -> AdGroupFields {
        let campaignID = check.identifier("campaign_id", required: true, prefix: "C")
        let name = check.string("name", required: true)
        let billableEvent = check.enumeration("billable_event", SandboxState.billableEvents, required: true)
        let status = check.enumeration("status", SandboxState.entityStatuses) ?? "ACTIVE"
        let budget = check.integer("budget_in_micro_currency", nullable: true, range: 0...Int64.max)
        let bid = check.integer("bid_in_micro_currency", nullable: true, range: 0...Int64.max)
        let bidStrategy = check.enumeration("bid_strategy_type", SandboxState.bidStrategyTypes, nullable: true)
        let budgetType = check.enumeration("budget_type", SandboxState.budgetTypes)
        let startTime = check.integer("start_time", nullable: true, range: 0...Int64.max)
        let endTime = check.integer("end_time", nullable: true, range: 0...Int64.max)
        let lifetimeFrequencyCap = check.integer("lifetime_frequency_cap", range: 1...Int64.max)
        let placement = check.enumeration("placement_group", ["ALL", "SEARCH", "BROWSE", "OTHER"]) ?? "ALL"
        let pacing = check.enumeration("pacing_delivery_type", ["STANDARD", "ACCELERATED"]) ?? "STANDARD"
        let autoTargeting = check.boolean("auto_targeting_enabled", nullable: true) ?? true
        let creativeOptimization = check.boolean("is_creative_optimization", nullable: true)
        var bidMultiplier = check.number("bid_multiplier", range: 0...10)
        if let multiplier = bidMultiplier, multiplier > 0, multiplier < 0.1 {
            check.problem("bid_multiplier must be 0 (no multiplier) or 0.1...10; got \(multiplier).")
        }
        if bidMultiplier == 0 { bidMultiplier = nil }  // "Enter 0 to remove the bid multiplier."
        let goal = check.object("optimization_goal_metadata", nullable: true)
        let tracking = check.trackingURLs()
        let templates = check.stringArray("targeting_template_ids", nullable: true, maxItems: 1)
        let promotionID = check.identifier("promotion_id", nullable: true)
        let promotionLevel = check.enumeration(
            "promotion_application_level", ["NONE", "ITEM", "AD_GROUP"], nullable: true)
        var targeting: JSONObject? = nil
        if let spec = check.object("targeting_spec") {
            validateTargetingSpec(spec, account: account, into: &check)
            targeting = spec
        }
        return AdGroupFields(
            campaignID: campaignID, name: name, billableEvent: billableEvent, status: status, budget: budget, bid: bid,
            bidStrategy: bidStrategy, budgetType: budgetType, startTime: startTime, endTime: endTime,
            lifetimeFrequencyCap: lifetimeFrequencyCap, placement: placement, pacing: pacing, autoTargeting: autoTargeting,
            creativeOptimization: creativeOptimization, bidMultiplier: bidMultiplier, goal: goal, tracking: tracking,
            templates: templates, promotionID: promotionID, promotionLevel: promotionLevel, targeting: targeting)
    }

    /// The rules that depend on the ad group's campaign: its status, budget (CBO or not) and
    /// schedule. The bids for the objective are ``checkBids(_:campaign:account:into:)``.
    private func checkAgainstCampaign(
        _ fields: AdGroupFields, _ campaign: CampaignRecord, _ checks: AdGroupChecks, into check: inout ItemValidator
    ) {
        if checks.joinsCampaign, campaign.status == "ARCHIVED" {
            check.problem("campaign_id \(campaign.id) is ARCHIVED: archived campaigns cannot be changed or get new ad groups.")
        }
        if !campaign.isBudgetOptimized, fields.budget == nil {
            check.problem("budget_in_micro_currency is required for ad groups of non-CBO campaigns.")
        }
        if campaign.isBudgetOptimized {
            if let budgetType = fields.budgetType, budgetType != "CBO_ADGROUP" {
                check.problem("ad groups of CBO campaigns only allow budget_type CBO_ADGROUP.")
            }
            if fields.pacing != "STANDARD" {
                check.problem("pacing_delivery_type \(fields.pacing): ad groups of CBO campaigns only allow STANDARD.")
            }
            let held = liveAdGroups(of: campaign.id, account: campaign.adAccountID).count
            if checks.joinsCampaign, held >= SandboxState.cboAdGroupLimit {
                check.problem(
                    "campaign_id \(campaign.id): a CBO campaign can hold at most \(SandboxState.cboAdGroupLimit) ad groups; it has \(held).")
            }
        }
        guard checks.windowInsideCampaign else { return }
        if let startTime = fields.startTime, let campaignStart = campaign.startTime, startTime < campaignStart {
            check.problem("start_time cannot precede the campaign's start_time.")
        }
        if let endTime = fields.endTime, let campaignEnd = campaign.endTime, endTime > campaignEnd {
            check.problem("end_time cannot be after the campaign's end_time.")
        }
    }

    /// The rules of the ad group's own schedule: its order, a lifetime budget's and a lifetime
    /// frequency cap's end.
    private func checkSchedule(_ fields: AdGroupFields, into check: inout ItemValidator) {
        if let startTime = fields.startTime, let endTime = fields.endTime, endTime <= startTime {
            check.problem("end_time must be after start_time.")
        }
        if fields.budgetType == "LIFETIME", fields.endTime == nil {
            check.problem("budget_type LIFETIME requires end_time.")
        }
        if fields.lifetimeFrequencyCap != nil {
            if fields.endTime == nil { check.problem("lifetime_frequency_cap requires end_time.") }
            if let billableEvent = fields.billableEvent, billableEvent != "IMPRESSION" {
                check.problem("lifetime_frequency_cap is only available for IMPRESSION (CPM) ad groups.")
            }
        }
    }

    /// The ad group as Pinterest returns it (without `summary_status`), defaults filled.
    func adGroupBody(
        _ checked: CheckedAdGroup, id: String, account: AdAccountRecord, created: Int64, updated: Int64
    ) -> JSONObject {
        let fields = checked.fields
        let campaign = checked.campaign
        var json = JSONObject()
        json["id"] = .string(id)
        json["ad_account_id"] = .string(account.id)
        json["campaign_id"] = .string(campaign.id)
        json["name"] = .string(checked.name)
        json["status"] = .string(fields.status)
        json["billable_event"] = .string(checked.billableEvent)
        json["budget_in_micro_currency"] = JSONValue(fields.budget)
        json["bid_in_micro_currency"] = JSONValue(fields.bid)
        json["bid_strategy_type"] = JSONValue(fields.bidStrategy)
        json["budget_type"] = .string(fields.budgetType ?? (campaign.isBudgetOptimized ? "CBO_ADGROUP" : "DAILY"))
        json["start_time"] = JSONValue(fields.startTime)
        json["end_time"] = JSONValue(fields.endTime)
        if let cap = fields.lifetimeFrequencyCap { json["lifetime_frequency_cap"] = .int(cap) }
        json["targeting_spec"] = .object(fields.targeting ?? JSONObject())
        json["targeting_template_ids"] = fields.templates.map { JSONValue(strings: $0) } ?? .null
        json["placement_group"] = .string(fields.placement)
        json["pacing_delivery_type"] = .string(fields.pacing)
        json["auto_targeting_enabled"] = .bool(fields.autoTargeting)
        json["is_creative_optimization"] = .bool(fields.creativeOptimization ?? false)
        json["bid_multiplier"] = fields.bidMultiplier.map { .double($0) } ?? .null
        // Left out when unset: null fails the spec's schema (a nullable allOf of a non-nullable object).
        if let goal = fields.goal { json["optimization_goal_metadata"] = .object(goal) }
        json["tracking_urls"] = fields.tracking.map { .object($0) } ?? .null
        json["promotion_id"] = JSONValue(fields.promotionID)
        json["promotion_application_level"] = JSONValue(fields.promotionLevel)
        json["conversion_learning_mode_type"] = .null
        json["created_time"] = .int(created)
        json["updated_time"] = .int(updated)
        json["type"] = "adgroup"
        return json
    }

    func adGroupsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let filter: EntityFilter
        do {
            filter = try EntityFilter(call.query, adGroups: true)
            _ = try call.query.boolean("translate_interests_to_names")
        } catch {
            throw .invalid(SandboxState.adGroupListDocumented, error.detail)
        }
        let matching = ids(.adGroup, account: account.id).filter { id in
            guard let adGroup = adGroups[id] else { return false }
            return filter.statuses.contains(adGroup.status)
                && (filter.campaignIDs?.contains(adGroup.campaignID) ?? true)
                && (filter.adGroupIDs?.contains(id) ?? true)
        }
        let (page, bookmark) = filter.page.page(of: matching)
        return listResponse(page.compactMap { adGroups[$0].map(adGroupJSON) }, bookmark: bookmark)
    }

    func adGroupsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        guard let id = call.route.resourceID, let adGroup = adGroups[id], adGroup.adAccountID == account.id else {
            throw .notFound("Ad group")
        }
        return .json(200, adGroupJSON(adGroup))
    }
}
