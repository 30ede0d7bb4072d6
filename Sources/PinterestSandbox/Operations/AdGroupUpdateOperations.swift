extension SandboxState {
    /// The properties of `AdGroupUpdateRequest` (AdGroupCommon + `bid_multiplier` + `id`).
    static let adGroupUpdateFields: Set<String> = [
        "id", "auto_targeting_enabled", "bid_in_micro_currency", "bid_strategy_type", "billable_event",
        "budget_in_micro_currency", "budget_type", "campaign_id", "end_time", "is_creative_optimization",
        "lifetime_frequency_cap", "name", "optimization_goal_metadata", "pacing_delivery_type", "placement_group",
        "promotion_application_level", "promotion_id", "start_time", "status", "targeting_spec",
        "targeting_template_ids", "tracking_urls", "bid_multiplier",
    ]
    static let adGroupResponseOnlyFields: Set<String> = [
        "id", "ad_account_id", "created_time", "updated_time", "type", "summary_status", "conversion_learning_mode_type",
    ]

    /// `PATCH /v5/ad_accounts/{id}/ad_groups`: 1–30 `AdGroupUpdateRequest`s (NOTES §13.4); the
    /// answer has the create's shape.
    mutating func adGroupsUpdate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        var results: [Result<JSONValue, BulkItemFailure>] = []
        for value in items {
            results.append(bulkItemObject(value).flatMap { updateAdGroup($0, account: account) })
        }
        return bulkResponse(results)
    }

    mutating func updateAdGroup(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        check.onlyKeys(SandboxState.adGroupUpdateFields, schema: "AdGroupUpdateRequest")
        guard let id = check.identifier("id", required: true) else { return .failure(BulkItemFailure(check.problems)) }
        guard let stored = adGroups[id], stored.adAccountID == account.id else {
            return .failure(SandboxState.unknownID(id, "an ad group", account: account.id))
        }
        guard stored.status != "ARCHIVED" else { return .failure(SandboxState.archived("an ad group", id)) }
        if let campaignID = check.identifier("campaign_id", prefix: "C"), campaignID != stored.campaignID {
            check.problem("campaign_id cannot be changed: ad group \(id) belongs to campaign \(stored.campaignID).")
        }
        if stored.status != "DRAFT" {
            for key in ["billable_event", "budget_type"] {
                if let value = item[key], value != stored.json[key] {
                    check.problem("\(key) can only be changed on DRAFT ad groups; ad group \(id) is \(stored.status).")
                }
            }
        }

        var merged = SandboxState.requestView(stored.json, dropping: SandboxState.adGroupResponseOnlyFields)
        if merged["targeting_spec"]?.objectValue?.isEmpty == true { merged["targeting_spec"] = nil }
        for entry in item.pairs where entry.key != "id" {
            switch (entry.key, entry.value) {
            case ("tracking_urls", .object(let urls)) where urls.isEmpty:
                merged["tracking_urls"] = nil  // "Pass in an empty object - {} - to remove tracking URLs"
            case ("targeting_template_ids", .array(let ids)) where ids == ["0"]:
                merged["targeting_template_ids"] = nil  // "To clear all targeting template IDs, set this field to ['0']"
            default:
                merged[entry.key] = entry.value  // targeting_spec too: it is replaced whole
            }
        }
        var mergedCheck = ItemValidator(merged)
        let checks = AdGroupChecks(
            windowInsideCampaign: item["start_time"] != nil || item["end_time"] != nil, joinsCampaign: false)
        let checked = checkAdGroup(&mergedCheck, account: account, checks)
        let problems = check.problems + mergedCheck.problems
        guard problems.isEmpty, let checked else { return .failure(BulkItemFailure(problems)) }

        let time = now
        let json = adGroupBody(
            checked, id: id, account: account, created: stored.json["created_time"]?.intValue ?? time, updated: time)
        let adGroup = AdGroupRecord(
            id: id, adAccountID: account.id, campaignID: stored.campaignID, status: checked.fields.status,
            startTime: checked.fields.startTime, endTime: checked.fields.endTime, json: json)
        adGroups[id] = adGroup
        if adGroup.status == "ARCHIVED" { archiveAds(ofAdGroup: id, account: account.id, at: time) }
        return .success(adGroupJSON(adGroup))
    }
}
