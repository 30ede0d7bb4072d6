import Foundation
import PinAdsJSON
import Testing

@testable import PinterestAPI

/// A scripted 200 (or other) answer.
func scripted(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> Result<HTTPResponse, TransportError> {
    .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
}

func scriptedClient(_ transport: ScriptedTransport) -> PinterestClient {
    PinterestClient(baseURL: "http://sandbox.test/v5/", transport: transport, logger: CapturedLog().logger)
}

@Suite("Pinterest client: PATCH updates of campaigns, ad groups and ads (scripted transport)")
struct PinterestClientUpdateTests {
    let token = AccessToken("pina_SECRET_ACCESS_TOKEN")
    let account = "549755885175"

    @Test func campaignUpdatesSendOnlyGivenFieldsAndNullForClear() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":[{"data":{"id":"626736533507","ad_account_id":"549755885175","name":"B","status":"ACTIVE","tracking_urls":null},"exceptions":[]},{"data":{"id":"626736533506","ad_account_id":"549755885175","name":"ACME Tools","status":"PAUSED","daily_spend_cap":5000000,"end_time":null,"tracking_urls":{"impression":["URL1","URL2"],"click":["URL1"]},"is_campaign_budget_optimization":false,"is_performance_plus":true,"is_flexible_daily_budgets":false,"is_automated_campaign":false,"order_line_id":null,"objective_type":"AWARENESS","summary_status":"PAUSED","type":"campaign","created_time":1432744744,"updated_time":1432744745},"exceptions":[]}]}"#)
        ])
        let result = try await scriptedClient(transport).updateCampaigns(
            token: token, adAccountID: account,
            [
                CampaignUpdate(id: "626736533506", adAccountID: account, status: "PAUSED", dailySpendCap: .set(5_000_000), endTime: .clear),
                CampaignUpdate(id: "626736533507", adAccountID: account, name: "B", lifetimeSpendCap: .clear, trackingURLs: TrackingURLs()),
            ])
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.url == "http://sandbox.test/v5/ad_accounts/549755885175/campaigns")
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        #expect(!request.mayReplay, "an update is never replayed by the transport")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"[{"ad_account_id":"549755885175","daily_spend_cap":5000000,"end_time":null,"id":"626736533506","status":"PAUSED"},"#
                + #"{"ad_account_id":"549755885175","id":"626736533507","lifetime_spend_cap":null,"name":"B","tracking_urls":{}}]"#)
        // The answer came in the other order: matched by data.id.
        #expect(result.map(\.index) == [0, 1])
        #expect(result.map { $0.created?.id } == ["626736533506", "626736533507"])
        let first = try #require(result[0].created)
        #expect(first.dailySpendCap == 5_000_000)
        #expect(first.endTime == nil)
        #expect(first.trackingURLs == TrackingURLs(impression: ["URL1", "URL2"], click: ["URL1"]))
        #expect(first.isCampaignBudgetOptimization == false)
        #expect(first.isPerformancePlus == true)
        #expect(first.updatedTime == 1_432_744_745)
        #expect(result[1].created?.trackingURLs == nil)
        #expect(try result.requireAll(.campaignsUpdate).count == 2)
    }

    @Test func adGroupUpdatesCarryNoAdAccountAndDecodeTheFullResponse() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":[{"data":{"id":"2680060704746","ad_account_id":"549755885175","campaign_id":"626736533506","name":"Ad Group For Pin: 687195905986","status":"ACTIVE","billable_event":"CLICKTHROUGH","budget_in_micro_currency":5000000,"bid_in_micro_currency":null,"budget_type":"DAILY","bid_strategy_type":"AUTOMATIC_BID","start_time":5686848000,"end_time":5705424000,"auto_targeting_enabled":false,"pacing_delivery_type":"STANDARD","placement_group":"ALL","targeting_spec":{"LOCATION":["US"],"MINIMUM_AGE":"25"},"tracking_urls":null,"optimization_goal_metadata":{"conversion_tag_v3_goal_metadata":{"attribution_windows":{"click_window_days":30,"engagement_window_days":30,"view_window_days":1},"conversion_event":"CHECKOUT","conversion_tag_id":"2617998078212","cpa_goal_value_in_micro_currency":"15000000","is_roas_optimized":null,"learning_mode_type":"ACTIVE"},"frequency_goal_metadata":null,"scrollup_goal_metadata":null},"conversion_learning_mode_type":null,"summary_status":"RUNNING","type":"adgroup","created_time":1476477189,"updated_time":1476477190},"exceptions":[]}]}"#)
        ])
        let goal = OptimizationGoalMetadata(
            conversionTagV3GoalMetadata: .init(
                conversionTagID: "2617998078212", conversionEvent: "CHECKOUT", cpaGoalValueInMicroCurrency: "15000000",
                attributionWindows: .init(clickWindowDays: 30, viewWindowDays: 1)))
        let result = try await scriptedClient(transport).updateAdGroups(
            token: token, adAccountID: account,
            [
                AdGroupUpdate(
                    id: "2680060704746", budgetInMicroCurrency: 5_000_000, bidInMicroCurrency: .clear, bidStrategyType: .set("AUTOMATIC_BID"),
                    startTime: .set(5_686_848_000), targetingSpec: ["LOCATION": ["US"]], autoTargetingEnabled: false,
                    optimizationGoalMetadata: goal)
            ])
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.url == "http://sandbox.test/v5/ad_accounts/549755885175/ad_groups")
        #expect(!request.mayReplay)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"[{"auto_targeting_enabled":false,"bid_in_micro_currency":null,"bid_strategy_type":"AUTOMATIC_BID","#
                + #""budget_in_micro_currency":5000000,"id":"2680060704746","#
                + #""optimization_goal_metadata":{"conversion_tag_v3_goal_metadata":{"attribution_windows":{"click_window_days":30,"view_window_days":1},"#
                + #""conversion_event":"CHECKOUT","conversion_tag_id":"2617998078212","cpa_goal_value_in_micro_currency":"15000000"}},"#
                + #""start_time":5686848000,"targeting_spec":{"LOCATION":["US"]}}]"#)
        let group = try #require(result.first?.created)
        #expect(group.budgetType == "DAILY")
        #expect(group.bidStrategyType == "AUTOMATIC_BID")
        #expect(group.bidInMicroCurrency == nil)
        #expect(group.startTime == 5_686_848_000)
        #expect(group.endTime == 5_705_424_000)
        #expect(group.autoTargetingEnabled == false)
        #expect(group.pacingDeliveryType == "STANDARD")
        #expect(group.createdTime == 1_476_477_189)
        #expect(group.updatedTime == 1_476_477_190)
        #expect(group.targetingSpec?["MINIMUM_AGE"] == "25", "targeting_spec stays free-form: single strings too")
        let metadata = try #require(group.optimizationGoalMetadata?.conversionTagV3GoalMetadata)
        #expect(metadata.conversionTagID == "2617998078212")
        #expect(metadata.cpaGoalValueInMicroCurrency == "15000000")
        #expect(metadata.attributionWindows == .init(clickWindowDays: 30, engagementWindowDays: 30, viewWindowDays: 1))
        #expect(metadata.isRoasOptimized == nil)
        #expect(metadata.learningModeType == "ACTIVE")
    }

    @Test func adUpdatesReadTheSingleExceptionObjectAndMatchTheFailedItemByElimination() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":[{"exceptions":{"code":2729,"message":"Ad not found."}},{"data":{"id":"687195134316","ad_group_id":"2680059592705","campaign_id":"626735565838","ad_account_id":"549755885175","pin_id":"394205773611545468","creative_type":"REGULAR","name":"Summer","status":"PAUSED","destination_url":"https://shop.example/p","click_tracking_url":null,"view_tracking_url":null,"tracking_urls":null,"review_status":"REJECTED","rejected_reasons":["LANDING_PAGE"],"rejection_labels":["Landing page does not work"],"summary_status":"PAUSED","type":"pinpromotion","created_time":1451431341,"updated_time":1451431342},"exceptions":{}}]}"#)
        ])
        let result = try await scriptedClient(transport).updateAds(
            token: token, adAccountID: account,
            [
                AdUpdate(id: "687195134316", status: "PAUSED", destinationURL: .set("https://shop.example/p"), clickTrackingURL: .clear),
                AdUpdate(id: "687195134399", name: "gone"),
            ])
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.url == "http://sandbox.test/v5/ad_accounts/549755885175/ads")
        #expect(!request.mayReplay)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"[{"click_tracking_url":null,"destination_url":"https://shop.example/p","id":"687195134316","status":"PAUSED"},"#
                + #"{"id":"687195134399","name":"gone"}]"#)
        let ad = try #require(result[0].created)
        #expect(result[0].exceptions.isEmpty, "an empty exceptions object is no exception")
        #expect(ad.destinationURL == "https://shop.example/p")
        #expect(ad.clickTrackingURL == nil)
        #expect(ad.reviewStatus == "REJECTED")
        #expect(ad.rejectedReasons == ["LANDING_PAGE"])
        #expect(ad.rejectionLabels == ["Landing page does not work"])
        #expect(ad.createdTime == 1_451_431_341)
        #expect(ad.updatedTime == 1_451_431_342)
        #expect(result[1].index == 1)
        #expect(result[1].created == nil)
        #expect(result[1].exceptions == [PinterestItemException(code: 2729, message: "Ad not found.")])
        #expect(throws: PinterestError.itemsFailed(
            operation: "ads/update", failures: [.init(index: 1, exceptions: [PinterestItemException(code: 2729, message: "Ad not found.")])])) {
            try result.requireAll(.adsUpdate)
        }
    }

    @Test func updateLimitsAreCheckedBeforeSending() async throws {
        let transport = ScriptedTransport([])
        let client = scriptedClient(transport)
        await #expect(throws: PinterestError.self) { try await client.updateCampaigns(token: token, adAccountID: account, []) }
        let tooMany = (0..<31).map { AdUpdate(id: "\(1000 + $0)", status: "PAUSED") }
        await #expect(throws: PinterestError.self) { try await client.updateAds(token: token, adAccountID: account, tooMany) }
        await #expect(throws: PinterestError.invalidRequest("ad_groups/update: id 1 is given twice; one item per id")) {
            try await client.updateAdGroups(token: token, adAccountID: account, [AdGroupUpdate(id: "1", name: "a"), AdGroupUpdate(id: "1", status: "PAUSED")])
        }
        await #expect(throws: PinterestError.self) {
            try await client.updateAdGroups(token: token, adAccountID: "1/../x", [AdGroupUpdate(id: "1", name: "a")])
        }
        #expect(transport.requests.isEmpty, "nothing was sent")
    }

    @Test func patchIsNeverReplaySafe() {
        for operation in [PinterestOperation.campaignsUpdate, .adGroupsUpdate, .adsUpdate, .keywordsUpdate, .customerListsUpdate] {
            #expect(!operation.isReplaySafe(method: "PATCH"), "\(operation)")
        }
        for operation in [PinterestOperation.conversionTagsCreate, .keywordsCreate] {
            #expect(!operation.isReplaySafe(method: "POST"), "\(operation)")
        }
        for operation in [PinterestOperation.conversionTagsList, .conversionTagsGet, .keywordsGet, .adGroupsAnalytics, .adsAnalytics] {
            #expect(operation.isReplaySafe(method: "GET"), "\(operation)")
        }
    }
}

/// `matchUpdateResults`, the rules of which result goes with which request item.
@Suite("Bulk update results matched to the request")
struct UpdateMatchingTests {
    typealias Item = BulkResponse<Campaign>.Item

    func items(_ json: String) throws -> [Item] {
        try JSONDecoder().decode(BulkResponse<Campaign>.self, from: Data(json.utf8)).items
    }

    func match(_ json: String, _ ids: [String]) throws -> [BulkItem<Campaign>] {
        try PinterestClient.matchUpdateResults(try items(json), requestIDs: ids, id: \.id, operation: .campaignsUpdate, requestID: "rid")
    }

    @Test func resultsWithDataGoToTheirIDWhateverTheOrder() throws {
        let result = try match(#"{"items":[{"data":{"id":"3"}},{"data":{"id":"1"}},{"data":{"id":"2"}}]}"#, ["1", "2", "3"])
        #expect(result.map(\.index) == [0, 1, 2])
        #expect(result.map { $0.created?.id } == ["1", "2", "3"])
    }

    @Test func exceptionsOnlyGoByPositionWhenTheAnswerKeptOrder() throws {
        let result = try match(
            #"{"items":[{"data":{"id":"1"},"exceptions":[]},{"exceptions":[{"code":1,"message":"one"}]},{"exceptions":[{"code":2,"message":"two"}]}]}"#,
            ["1", "2", "3"])
        #expect(result[0].created?.id == "1")
        #expect(result[1].exceptions.map(\.code) == [1])
        #expect(result[2].exceptions.map(\.code) == [2])
        // Nothing identified at all: by position too.
        let failed = try match(#"{"items":[{"exceptions":[{"code":1}]},{"exceptions":[{"code":2}]}]}"#, ["1", "2"])
        #expect(failed.map { $0.exceptions.map(\.code) } == [[1], [2]])
    }

    @Test func exceptionsOnlyOfAReorderedAnswerAreGivenToEveryItemLeft() throws {
        let result = try match(
            #"{"items":[{"data":{"id":"2"}},{"exceptions":[{"code":7}]},{"exceptions":[{"code":8}]},{"data":{"id":"1"}}]}"#,
            ["1", "2", "3", "4"])
        #expect(result.map { $0.created?.id } == ["1", "2", nil, nil])
        #expect(result[2].exceptions.map(\.code) == [7, 8])
        #expect(result[3].exceptions.map(\.code) == [7, 8])
        // One left: elimination is certain, whatever the order.
        let one = try match(#"{"items":[{"data":{"id":"3"}},{"exceptions":[{"code":7}]},{"data":{"id":"1"}}]}"#, ["1", "2", "3"])
        #expect(one.map { $0.exceptions.map(\.code) } == [[], [7], []])
    }

    @Test func answersThatCannotBeMatchedAreMalformed() throws {
        let cases = [
            (#"{"items":[{"data":{"id":"1"}}]}"#, ["1", "2"], "1 results for 2 items"),
            (#"{"items":[{"data":{"id":"1"}},{"data":{"id":"9"}}]}"#, ["1", "2"], "a result for id 9, which was not in the request"),
            (#"{"items":[{"data":{"id":"1"}},{"data":{"id":"1"}}]}"#, ["1", "2"], "two results for id 1"),
        ]
        for (json, ids, reason) in cases {
            #expect(throws: PinterestError.malformedResponse(operation: "campaigns/update", reason: reason, requestID: "rid")) {
                try match(json, ids)
            }
        }
    }
}
