extension SandboxState {
    static let billableEvents = ["CLICKTHROUGH", "IMPRESSION", "VIDEO_V_50_MRC"]
    static let budgetTypes = ["DAILY", "LIFETIME", "CBO_ADGROUP"]
    static let bidStrategyTypes = ["AUTOMATIC_BID", "MAX_BID", "TARGET_AVG"]
    static let adGroupListDocumented = "Invalid ad account group parameters."
    /// Objective/billable-event pairs for which the spec makes `bid_in_micro_currency` REQUIRED.
    static let bidRequiredPairs: Set<String> = ["AWARENESS/IMPRESSION", "CONSIDERATION/CLICKTHROUGH", "CATALOG_SALES/CLICKTHROUGH"]

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
            switch bulkItemObject(value) {
            case .success(let object): results.append(createAdGroup(object, account: account))
            case .failure(let failure): results.append(.failure(failure))
            }
        }
        return bulkResponse(results)
    }

    /// The fields of an ad group to create, each checked against the spec on its own.
    private struct AdGroupFields {
        var campaignID: String?, name: String?, billableEvent: String?, status: String
        var budget: Int64?, bid: Int64?, bidStrategy: String?, budgetType: String?
        var startTime: Int64?, endTime: Int64?, lifetimeFrequencyCap: Int64?
        var placement: String, pacing: String, autoTargeting: Bool, creativeOptimization: Bool?, bidMultiplier: Double?
        var goal: JSONObject?, tracking: JSONObject?, templates: [String]?, promotionID: String?, promotionLevel: String?
        var targeting: JSONObject?
    }

    mutating func createAdGroup(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        let fields = readAdGroup(&check, account: account)
        let campaign = fields.campaignID.flatMap { campaigns[$0] }
        if let campaignID = fields.campaignID {
            if campaign == nil || campaign?.adAccountID != account.id {
                check.problem("campaign_id \(campaignID) is not a campaign of ad account \(account.id).")
            }
        }
        if let campaign { checkAgainstCampaign(fields, campaign, into: &check) }
        checkSchedule(fields, into: &check)
        guard check.problems.isEmpty, let campaign, let name = fields.name, let billableEvent = fields.billableEvent else {
            return .failure(BulkItemFailure(check.problems))
        }
        let id = mintID(.adGroup)
        let json = adGroupBody(fields, id: id, name: name, billableEvent: billableEvent, account: account, campaign: campaign)
        let adGroup = AdGroupRecord(
            id: id, adAccountID: account.id, campaignID: campaign.id, status: fields.status, startTime: fields.startTime,
            endTime: fields.endTime, json: json)
        adGroups[id] = adGroup
        index(id, kind: .adGroup, account: account.id)
        return .success(adGroupJSON(adGroup))
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
        let bidMultiplier = check.number("bid_multiplier", range: 0...10)
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

    /// The rules that depend on the ad group's campaign: budget (CBO or not), bids for the
    /// objective, the objective's goal, and the campaign's schedule.
    private func checkAgainstCampaign(_ fields: AdGroupFields, _ campaign: CampaignRecord, into check: inout ItemValidator) {
        if !campaign.isBudgetOptimized, fields.budget == nil {
            check.problem("budget_in_micro_currency is required for ad groups of non-CBO campaigns.")
        }
        if campaign.isBudgetOptimized, let budgetType = fields.budgetType, budgetType != "CBO_ADGROUP" {
            check.problem("ad groups of CBO campaigns only allow budget_type CBO_ADGROUP.")
        }
        if let billableEvent = fields.billableEvent, fields.bid == nil, fields.bidStrategy != "AUTOMATIC_BID",
            SandboxState.bidRequiredPairs.contains("\(campaign.objectiveType)/\(billableEvent)")
        {
            check.problem(
                "bid_in_micro_currency is required for \(campaign.objectiveType) campaigns billed on \(billableEvent) "
                    + "(unless bid_strategy_type is AUTOMATIC_BID).")
        }
        if campaign.objectiveType == "VIDEO_COMPLETION", let bidStrategy = fields.bidStrategy, bidStrategy != "AUTOMATIC_BID" {
            check.problem("VIDEO_COMPLETION campaigns only support bid_strategy_type AUTOMATIC_BID.")
        }
        if campaign.objectiveType == "WEB_CONVERSION", fields.goal == nil {
            check.problem("optimization_goal_metadata is required when the campaign objective is WEB_CONVERSION.")
        }
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

    /// The ad group as Pinterest returns it, defaults filled.
    private func adGroupBody(
        _ fields: AdGroupFields, id: String, name: String, billableEvent: String, account: AdAccountRecord, campaign: CampaignRecord
    ) -> JSONObject {
        let created = now
        var json = JSONObject()
        json["id"] = .string(id)
        json["ad_account_id"] = .string(account.id)
        json["campaign_id"] = .string(campaign.id)
        json["name"] = .string(name)
        json["status"] = .string(fields.status)
        json["billable_event"] = .string(billableEvent)
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
        // Left out when unset: the spec's schema for it is an object that is not nullable.
        if let goal = fields.goal { json["optimization_goal_metadata"] = .object(goal) }
        json["tracking_urls"] = fields.tracking.map { .object($0) } ?? .null
        json["promotion_id"] = JSONValue(fields.promotionID)
        json["promotion_application_level"] = JSONValue(fields.promotionLevel)
        json["conversion_learning_mode_type"] = .null
        json["created_time"] = .int(created)
        json["updated_time"] = .int(created)
        json["type"] = "adgroup"
        return json
    }

    /// `targeting_spec`: UPPERCASE keys of the spec only, typed values, enum members, audience ids
    /// that exist in the ad account, and at least one of LOCATION or GEO.
    func validateTargetingSpec(_ spec: JSONObject, account: AdAccountRecord, into check: inout ItemValidator) {
        let stringArrayKeys: [String: [String]?] = [
            "AGE_BUCKET": ["18-24", "19+", "20+", "21+", "25-34", "35-44", "45-49", "50-54", "55-64", "65+"],
            "APPTYPE": ["android_mobile", "android_tablet", "ipad", "iphone", "web", "web_mobile"],
            "GENDER": ["unknown", "male", "female"],
            "TARGETING_STRATEGY": ["CHOOSE_YOUR_OWN", "FIND_NEW_CUSTOMERS", "RECONNECT_WITH_USERS"],
            "AUDIENCE_INCLUDE": nil, "AUDIENCE_EXCLUDE": nil, "GEO": nil, "INTEREST": nil, "LOCALE": nil,
            "LOCATION": nil,
        ]
        var hasLocation = false
        for entry in spec.pairs {
            let (key, value) = (entry.key, entry.value)
            if let allowed = stringArrayKeys[key] {
                if value.isNull, key != "INTEREST" { continue }
                guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                    check.problem("targeting_spec.\(key) must be an array of strings.")
                    continue
                }
                let strings = array.compactMap(\.stringValue)
                if let allowed, let bad = strings.first(where: { !allowed.contains($0) }) {
                    check.problem("targeting_spec.\(key) value \"\(bad)\" is not one of \(allowed.joined(separator: ", ")).")
                }
                if key == "LOCATION" || key == "GEO", !strings.isEmpty { hasLocation = true }
                if key == "AUDIENCE_INCLUDE" || key == "AUDIENCE_EXCLUDE" {
                    for id in strings {
                        guard Router.isPathID(id) else {
                            check.problem("targeting_spec.\(key) ids must be digit strings.")
                            break
                        }
                        if audiences[id]?.adAccountID != account.id {
                            let hint = customerLists[id] != nil ? " (that is a customer list id; use its audience's id)" : ""
                            check.problem("targeting_spec.\(key): audience \(id) not found in ad account \(account.id)\(hint).")
                        }
                    }
                }
            } else if key == "MINIMUM_AGE" || key == "MAXIMUM_AGE" {
                guard let text = value.stringValue, !text.isEmpty else {
                    check.problem("targeting_spec.\(key) must be a single string such as \"18\" or \"65+\".")
                    continue
                }
                let digits = key == "MAXIMUM_AGE" && text.hasSuffix("+") ? String(text.dropLast()) : text
                guard let age = Int(digits), (18...65).contains(age) else {
                    check.problem("targeting_spec.\(key) must be \"18\"...\"65\"\(key == "MAXIMUM_AGE" ? " or \"65+\"" : "").")
                    continue
                }
            } else if key == "SHOPPING_RETARGETING" {
                if value.isNull { continue }
                guard let array = value.arrayValue, array.allSatisfy({ $0.objectValue != nil }) else {
                    check.problem("targeting_spec.SHOPPING_RETARGETING must be an array of objects.")
                    continue
                }
            } else {
                check.problem("targeting_spec.\(key) is not a targeting key of the spec (keys are UPPERCASE).")
            }
        }
        if (spec["MINIMUM_AGE"] != nil) != (spec["MAXIMUM_AGE"] != nil) {
            check.problem("targeting_spec.MINIMUM_AGE and MAXIMUM_AGE must be used together.")
        }
        if spec["AGE_BUCKET"] != nil, spec["MINIMUM_AGE"] != nil {
            check.problem("targeting_spec.AGE_BUCKET cannot be combined with MINIMUM_AGE/MAXIMUM_AGE.")
        }
        if !hasLocation {
            check.problem("targeting_spec needs at least one of LOCATION or GEO.")
        }
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
