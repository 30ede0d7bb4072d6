extension SandboxState {
    /// The properties of `CampaignUpdateRequest` (CampaignId + CampaignCreateCommon + its own).
    static let campaignUpdateFields: Set<String> = [
        "id", "ad_account_id", "name", "status", "daily_spend_cap", "lifetime_spend_cap", "start_time", "end_time",
        "is_campaign_budget_optimization", "default_ad_group_budget_in_micro_currency", "is_flexible_daily_budgets",
        "is_automated_campaign", "is_performance_plus", "objective_type", "order_line_id", "tracking_urls",
        "bid_options",
    ]
    static let campaignResponseOnlyFields: Set<String> = ["id", "created_time", "updated_time", "type", "summary_status"]
    /// "A CBO campaign is limited to 70 or less ad groups" (AdGroupCommon.budget_in_micro_currency).
    static let cboAdGroupLimit = 70
    /// `CampaignBidOptionsUpdate.update_mask` and the `CampaignBidOptions` part each name changes.
    static let bidOptionMasks: [(mask: String, key: String?)] = [
        ("AUDIENCE", "audience_multipliers"), ("APP_TYPE", "app_type_multipliers"),
        ("PLACEMENT", "placement_multipliers"), ("GENDER", nil), ("AGE_BUCKET", nil),
    ]

    /// `PATCH /v5/ad_accounts/{id}/campaigns`: 1–30 `CampaignUpdateRequest`s, each applied alone
    /// (NOTES §13.1, §13.3); the answer has the create's shape.
    mutating func campaignsUpdate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        var results: [Result<JSONValue, BulkItemFailure>] = []
        for value in items {
            results.append(bulkItemObject(value).flatMap { updateCampaign($0, account: account) })
        }
        return bulkResponse(results)
    }

    mutating func updateCampaign(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        check.onlyKeys(SandboxState.campaignUpdateFields, schema: "CampaignUpdateRequest")
        let id = check.identifier("id", required: true)
        if let bodyAccount = check.identifier("ad_account_id", required: true), bodyAccount != account.id {
            check.problem("ad_account_id \(bodyAccount) does not match the ad account in the path (\(account.id)).")
        }
        guard let id else { return .failure(BulkItemFailure(check.problems)) }
        guard let stored = campaigns[id], stored.adAccountID == account.id else {
            return .failure(SandboxState.unknownID(id, "a campaign", account: account.id))
        }
        guard stored.status != "ARCHIVED" else { return .failure(SandboxState.archived("a campaign", id)) }
        if stored.status != "DRAFT" {
            for key in ["objective_type", "is_performance_plus"] {
                if let value = item[key], !value.isNull, value != stored.json[key] {
                    check.problem("\(key) can only be changed on DRAFT campaigns; campaign \(id) is \(stored.status).")
                }
            }
        }

        var merged = SandboxState.requestView(stored.json, dropping: SandboxState.campaignResponseOnlyFields)
        for entry in item.pairs where entry.key != "id" && entry.key != "ad_account_id" {
            switch (entry.key, entry.value) {
            case ("objective_type", .null):
                continue  // nullable in CampaignUpdateRequest only: nothing to change
            case ("is_flexible_daily_budgets", .null), ("is_automated_campaign", .null):
                merged[entry.key] = false  // nullable in the update schema; false is the default
            case ("tracking_urls", .object(let urls)) where urls.isEmpty:
                merged["tracking_urls"] = nil  // "Pass in an empty object - {} - to remove tracking URLs"
            case ("bid_options", let value):
                merged["bid_options"] = mergedBidOptions(value, stored: stored.json["bid_options"], into: &check)
            default:
                merged[entry.key] = entry.value
            }
        }
        var mergedCheck = ItemValidator(merged)
        let fields = readCampaign(&mergedCheck, account: account)
        var problems = check.problems + mergedCheck.problems
        let children = liveAdGroups(of: id, account: account.id)
        if let fields, fields.isCBO, !stored.isBudgetOptimized, children.count > SandboxState.cboAdGroupLimit {
            problems.append(
                "is_campaign_budget_optimization: a CBO campaign can hold at most \(SandboxState.cboAdGroupLimit) ad groups; campaign \(id) has \(children.count).")
        }
        if let fields, !fields.isCBO, stored.isBudgetOptimized, fields.defaultAdGroupBudget == nil {
            problems.append(
                "default_ad_group_budget_in_micro_currency is required to turn campaign budget optimization off: it becomes the daily budget of each ad group.")
        }
        guard problems.isEmpty, let fields else { return .failure(BulkItemFailure(problems)) }

        let time = now
        let campaign = campaignRecord(
            fields, id: id, account: account, created: stored.json["created_time"]?.intValue ?? time, updated: time)
        campaigns[id] = campaign
        if fields.isCBO, !stored.isBudgetOptimized {
            // non-CBO → CBO clears the children's budgets (NOTES §13.3); CBO allows only STANDARD pacing.
            for child in children {
                changeAdGroup(
                    child, at: time,
                    [("budget_in_micro_currency", .null), ("budget_type", "CBO_ADGROUP"), ("pacing_delivery_type", "STANDARD")])
            }
        } else if !fields.isCBO, stored.isBudgetOptimized, let budget = fields.defaultAdGroupBudget {
            // CBO → non-CBO copies the default budget into each child's daily budget.
            for child in children {
                changeAdGroup(child, at: time, [("budget_in_micro_currency", .int(budget)), ("budget_type", "DAILY")])
            }
        }
        if fields.status == "ARCHIVED" { archiveChildren(ofCampaign: id, account: account.id, at: time) }
        return .success(campaignJSON(campaign))
    }

    /// `bid_options` of an update (`CampaignBidOptionsUpdate`): `update_mask` is required and only
    /// the parts it lists change (a listed part left out is removed); null clears them all.
    private func mergedBidOptions(_ value: JSONValue, stored: JSONValue?, into check: inout ItemValidator) -> JSONValue {
        if value.isNull { return .null }
        guard let patch = value.objectValue else {
            check.problem("bid_options must be an object, not \(value.typeName).")
            return stored ?? .null
        }
        let known = Set(SandboxState.bidOptionMasks.compactMap(\.key) + ["update_mask"])
        for key in patch.keys where !known.contains(key) {
            check.problem("bid_options.\(key) is not a field of CampaignBidOptionsUpdate.")
        }
        let masks = SandboxState.bidOptionMasks.map(\.mask)
        guard let maskValues = patch["update_mask"]?.arrayValue else {
            check.problem("bid_options.update_mask is required (\(masks.joined(separator: ", "))): only the parts it lists change.")
            return stored ?? .null
        }
        let mask = maskValues.compactMap(\.stringValue)
        if mask.count != maskValues.count || mask.contains(where: { !masks.contains($0) }) {
            check.problem("bid_options.update_mask must hold only \(masks.joined(separator: ", ")).")
        }
        var result = stored?.objectValue ?? JSONObject()
        for entry in SandboxState.bidOptionMasks {
            guard let key = entry.key else { continue }
            let given = patch[key]
            if let given, !given.isNull, given.objectValue == nil {
                check.problem("bid_options.\(key) must be an object, not \(given.typeName).")
            }
            guard mask.contains(entry.mask) else {
                if given != nil { check.problem("bid_options.\(key) is given but update_mask does not list \(entry.mask).") }
                continue
            }
            result[key] = given.flatMap { $0.isNull ? nil : $0 }
        }
        return result.isEmpty ? .null : .object(result)
    }
}
