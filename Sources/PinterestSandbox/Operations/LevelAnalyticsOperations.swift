/// `ad_groups/analytics` and `ads/analytics` (NOTES §9.6): the campaign report's parameters,
/// limits and numbers, one level down.
extension SandboxState {
    static let adGroupAnalyticsDocumented = "Invalid ad account group analytics parameters."
    static let adAnalyticsDocumented = "Invalid ad account ads analytics parameters."

    /// `GET /v5/ad_accounts/{id}/ad_groups/analytics`: required `ad_group_ids` (1–250); rows keyed
    /// `AD_GROUP_ID` (none when `aggregate_report_rows=true`). Ids not of the ad account get no rows.
    func adGroupsAnalytics(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let documented = SandboxState.adGroupAnalyticsDocumented
        let report = try analyticsReport(call.query, documented: documented, offersAggregate: true)
        let ids = try SandboxState.analyticsIDs(call.query, "ad_group_ids", documented: documented, required: true) ?? []
        let entities = Array(Set(ids)).compactMap { id -> AnalyticsEntity? in
            guard let adGroup = adGroups[id], adGroup.adAccountID == account.id else { return nil }
            return adGroupEntity(adGroup)
        }
        return .json(200, .array(analyticsRows(report, entities: entities)))
    }

    /// `GET /v5/ad_accounts/{id}/ads/analytics`: either `ad_ids` (1–250), or both `campaign_ids`
    /// (1–250) and `pin_ids` (1–100), which then select the ads of those campaigns promoting
    /// those Pins (given together with `ad_ids`, they narrow it). Every row has `AD_ID`; there is
    /// no `aggregate_report_rows`.
    func adsAnalytics(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let documented = SandboxState.adAnalyticsDocumented
        let report = try analyticsReport(call.query, documented: documented, offersAggregate: false)
        let adIDs = try SandboxState.analyticsIDs(call.query, "ad_ids", documented: documented).map(Set.init)
        let campaignIDs = try SandboxState.analyticsIDs(call.query, "campaign_ids", documented: documented).map(Set.init)
        let pinIDs = try SandboxState.analyticsIDs(call.query, "pin_ids", documented: documented, maximum: 100).map(Set.init)
        guard adIDs != nil || (campaignIDs != nil && pinIDs != nil) else {
            throw .invalid(documented, "the request must contain either ad_ids, or both campaign_ids and pin_ids.")
        }
        let entities = ids(.ad, account: account.id).compactMap { id -> AnalyticsEntity? in
            guard let ad = ads[id], adIDs?.contains(id) ?? true, campaignIDs?.contains(ad.campaignID) ?? true,
                pinIDs?.contains(ad.json["pin_id"]?.stringValue ?? "") ?? true
            else { return nil }
            return adEntity(ad)
        }
        return .json(200, .array(analyticsRows(report, entities: entities)))
    }
}
