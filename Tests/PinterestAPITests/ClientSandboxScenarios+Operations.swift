import Foundation
import PinAdsJSON
import PinterestAPI
import PinterestSandbox
import Testing

/// The calls of running campaigns (issue 17) against a live sandbox, recorded for the contract
/// check: PATCH of every level (with a per-item exception), reads of every status, conversion
/// tags, a WEB_CONVERSION ad group, keywords (with an error item), and ad group and ad analytics.
extension ClientScenarios {
    static func campaignOperations(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken), account = seeded.adAccountIDs[0]
        let campaign = try #require(try await h.client.createCampaigns(
            token: token, adAccountID: account,
            [CampaignCreate(adAccountID: account, name: "Running", objectiveType: "CONSIDERATION", status: "PAUSED", dailySpendCap: 20_000_000,
                endTime: Int64(Date().timeIntervalSince1970) + 30 * 86_400)]
        ).first?.created)
        let group = try #require(try await h.client.createAdGroups(
            token: token, adAccountID: account,
            [AdGroupCreate(campaignID: campaign.id, name: "Clicks", billableEvent: "CLICKTHROUGH", budgetInMicroCurrency: 5_000_000,
                bidInMicroCurrency: 1_000_000, status: "PAUSED", autoTargetingEnabled: false, targetingSpec: ["LOCATION": ["US"]],
                bidStrategyType: "MAX_BID")]
        ).first?.created)
        let ad = try #require(try await h.client.createAds(
            token: token, adAccountID: account, [AdCreate(adGroupID: group.id, pinID: "813744226420795884", creativeType: "REGULAR")]
        ).first?.created)

        let resumed = try await h.client.updateCampaigns(
            token: token, adAccountID: account,
            [CampaignUpdate(id: campaign.id, adAccountID: account, status: "ACTIVE", dailySpendCap: .set(80_000_000), endTime: .clear)])
        #expect(resumed.first?.created?.status == "ACTIVE" && resumed.first?.created?.dailySpendCap == 80_000_000)
        #expect(resumed.first?.created?.endTime == nil, "null clears the end")
        let regrouped = try await h.client.updateAdGroups(
            token: token, adAccountID: account,
            [AdGroupUpdate(id: group.id, budgetInMicroCurrency: 9_000_000, bidInMicroCurrency: .clear, bidStrategyType: .set("AUTOMATIC_BID"),
                targetingSpec: ["LOCATION": ["US", "CA"]])])
        #expect(regrouped.first?.created?.bidStrategyType == "AUTOMATIC_BID" && regrouped.first?.exceptions.isEmpty == true)
        let paused = try await h.client.updateAds(
            token: token, adAccountID: account, [AdUpdate(id: ad.id, status: "PAUSED", destinationURL: .set("https://shop.example/w"))])
        #expect(paused.first?.created?.status == "PAUSED")
        // Archived is final: a later change is refused item by item, in a 200 answer.
        _ = try await h.client.updateAds(token: token, adAccountID: account, [AdUpdate(id: ad.id, status: "ARCHIVED")])
        let refused = try await h.client.updateAds(token: token, adAccountID: account, [AdUpdate(id: ad.id, status: "ACTIVE")])
        #expect(refused.first?.created == nil && refused.first?.exceptions.isEmpty == false)
        let all = ["ACTIVE", "PAUSED", "ARCHIVED"]
        #expect(try await h.client.listAds(token: token, adAccountID: account, adIDs: [ad.id], entityStatuses: all).first?.status == "ARCHIVED")
        #expect(try await h.client.listAds(token: token, adAccountID: account, adIDs: [ad.id]).isEmpty, "archived ones are left out by default")
        #expect(try await h.client.listAdGroups(token: token, adAccountID: account, adGroupIDs: [group.id], entityStatuses: all).count == 1)
        #expect(try await h.client.listCampaigns(token: token, adAccountID: account, campaignIDs: [campaign.id], entityStatuses: all).count == 1)

        let tag = try await h.client.createConversionTag(token: token, adAccountID: account, ConversionTagCreate(name: "Shop tag", aemEnabled: true))
        let tagID = try #require(tag.id)
        #expect(try await h.client.listConversionTags(token: token, adAccountID: account).contains { $0.id == tagID })
        #expect(try await h.client.conversionTag(token: token, adAccountID: account, id: tagID).name == "Shop tag")
        let web = try #require(try await h.client.createCampaigns(
            token: token, adAccountID: account, [CampaignCreate(adAccountID: account, name: "Sales", objectiveType: "WEB_CONVERSION", status: "PAUSED")]
        ).first?.created)
        let goal = OptimizationGoalMetadata(
            conversionTagV3GoalMetadata: .init(
                conversionTagID: tagID, conversionEvent: "CHECKOUT", cpaGoalValueInMicroCurrency: "12500000",
                attributionWindows: .init(clickWindowDays: 30, engagementWindowDays: 30, viewWindowDays: 1)))
        let sales = try await h.client.createAdGroups(
            token: token, adAccountID: account,
            [AdGroupCreate(campaignID: web.id, name: "Buyers", billableEvent: "CLICKTHROUGH", budgetInMicroCurrency: 5_000_000, status: "PAUSED",
                targetingSpec: ["LOCATION": ["US"]], bidStrategyType: "AUTOMATIC_BID", optimizationGoalMetadata: goal)])
        #expect(sales.first?.created?.optimizationGoalMetadata?.conversionTagV3GoalMetadata?.conversionTagID == tagID, "\(sales.first?.exceptions ?? [])")

        let keywords = try await h.client.createKeywords(
            token: token, adAccountID: account, parentID: group.id,
            [KeywordSpec(value: "winter boots", matchType: "PHRASE"), KeywordSpec(value: "cheap", matchType: "EXACT_NEGATIVE")])
        #expect(keywords.keywords.count == 2 && keywords.errors.isEmpty)
        let onCampaign = try await h.client.createKeywords(
            token: token, adAccountID: account, parentID: campaign.id, [KeywordSpec(value: "boots", matchType: "BROAD")])
        #expect(onCampaign.keywords.isEmpty && onCampaign.errors.count == 1, "campaigns take only negative keywords")
        let listed = try await h.client.listKeywords(token: token, adAccountID: account, adGroupID: group.id)
        #expect(listed.count == 2)
        let archived = try await h.client.updateKeywords(token: token, adAccountID: account, listed.prefix(1).map { KeywordUpdate(id: $0.id, archived: true) })
        #expect(archived.keywords.first?.archived == true)

        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let start = String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-6 * 86_400)).prefix(10))
        let groupRows = try await h.client.adGroupAnalytics(
            token: token, adAccountID: account, startDate: start, endDate: today, adGroupIDs: [group.id],
            columns: ["SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", "CLICKTHROUGH_1"], granularity: .day)
        #expect(!groupRows.isEmpty && groupRows.allSatisfy { $0["AD_GROUP_ID"]?.stringValue == group.id })
        let adRows = try await h.client.adAnalytics(
            token: token, adAccountID: account, startDate: start, endDate: today, adIDs: [ad.id], columns: ["SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1"],
            granularity: .day)
        #expect(!adRows.isEmpty && adRows.allSatisfy { $0["AD_ID"]?.stringValue == ad.id })
    }
}
