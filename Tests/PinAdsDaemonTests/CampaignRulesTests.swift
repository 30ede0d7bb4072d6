import Foundation
import PinAdsJSON
import PinAdsProtocol
import PinterestAPI
import Testing

@testable import PinAdsDaemon

/// Bids per objective, conversion goals, keywords, updates and drift: the pure rules, without
/// Pinterest.
@Suite("Campaign rules: bids, goals, keywords, updates, drift")
struct CampaignRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var validator: CampaignValidator { CampaignValidator(now: now) }
    let us = Targeting(locations: ["US"])

    /// The refusal's field, nil when accepted.
    func field(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as InvalidInput {
            return error.field
        } catch {
            return "unexpected \(error)"
        }
    }

    func campaign(_ objective: String) throws -> CampaignPlan { try validator.campaign(CampaignPlan(name: "c", objectiveType: objective)) }

    func goal(_ event: String = "CHECKOUT", roas: Bool? = nil, click: Int? = nil) -> ConversionGoal {
        ConversionGoal(conversionTagID: "2614000000001", conversionEvent: event, clickWindowDays: click, roasOptimized: roas)
    }

    @Test func bidsFollowTheObjective() throws {
        // A pair Pinterest requires a bid for gets the default one, as a maximum bid.
        let consideration = try validator.adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us), campaign: try campaign("CONSIDERATION"))
        #expect(consideration.bidInMicroCurrency == 2_000_000 && consideration.bidStrategyType == "MAX_BID")
        // VIDEO_COMPLETION: automatic bidding only, and no bid is sent.
        let video = try validator.adGroup(AdGroupPlan(name: "v", billableEvent: "VIDEO_V_50_MRC", targeting: us), campaign: try campaign("VIDEO_COMPLETION"))
        #expect(video.bidInMicroCurrency == nil && video.bidStrategyType == "AUTOMATIC_BID")
        #expect(field {
            _ = try validator.adGroup(
                AdGroupPlan(name: "v", bidInMicroCurrency: 1_000_000, billableEvent: "VIDEO_V_50_MRC", targeting: us), campaign: try campaign("VIDEO_COMPLETION"))
        } == "ad_group.bid_in_micro_currency")
        #expect(field {
            _ = try validator.adGroup(
                AdGroupPlan(name: "v", billableEvent: "VIDEO_V_50_MRC", targeting: us, bidStrategyType: "MAX_BID"), campaign: try campaign("VIDEO_COMPLETION"))
        } == "ad_group.bid_strategy_type")
        // AUTOMATIC_BID takes no bid; MAX_BID and TARGET_AVG need one.
        #expect(field {
            _ = try validator.adGroup(
                AdGroupPlan(name: "g", bidInMicroCurrency: 1_000_000, billableEvent: "CLICKTHROUGH", targeting: us, bidStrategyType: "AUTOMATIC_BID"),
                campaign: try campaign("CONSIDERATION"))
        } == "ad_group.bid_in_micro_currency")
        let automatic = try validator.adGroup(
            AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us, bidStrategyType: "AUTOMATIC_BID"), campaign: try campaign("CONSIDERATION"))
        #expect(automatic.bidInMicroCurrency == nil)
        #expect(field {
            _ = try validator.adGroup(
                AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us, bidStrategyType: "TARGET_AVG",
                    optimizationGoal: goal()), campaign: try campaign("WEB_CONVERSION"))
        } == "ad_group.bid_in_micro_currency")
        #expect(field {
            _ = try validator.adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us, bidStrategyType: "LOWEST"), campaign: try campaign("AWARENESS"))
        } == "ad_group.bid_strategy_type")
        // A pair that needs no bid is left to Pinterest's automatic bidding.
        let awarenessClicks = try validator.adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us), campaign: try campaign("AWARENESS"))
        #expect(awarenessClicks.bidInMicroCurrency == nil && awarenessClicks.bidStrategyType == "AUTOMATIC_BID")
    }

    @Test func conversionGoalsBelongToWebConversion() throws {
        let web = try campaign("WEB_CONVERSION")
        let group = try validator.adGroup(
            AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us, optimizationGoal: goal("checkout", click: 30)), campaign: web)
        #expect(group.optimizationGoal?.conversionEvent == "CHECKOUT" && group.bidStrategyType == "AUTOMATIC_BID")
        func refused(_ goal: ConversionGoal, strategy: String? = nil, objective: String = "WEB_CONVERSION") throws -> String? {
            let campaign = try campaign(objective)
            return field {
                _ = try validator.adGroup(
                    AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us, bidStrategyType: strategy, optimizationGoal: goal), campaign: campaign)
            }
        }
        #expect(try refused(goal("PURCHASE")) == "ad_group.optimization_goal.conversion_event")
        #expect(try refused(goal(click: 3)) == "ad_group.optimization_goal.click_window_days")
        #expect(try refused(ConversionGoal(conversionTagID: "tag-1", conversionEvent: "CHECKOUT")) == "ad_group.optimization_goal.conversion_tag_id")
        #expect(try refused(goal("SIGNUP", roas: true)) == "ad_group.optimization_goal.roas_optimized", "ROAS needs CHECKOUT")
        #expect(try refused(goal(roas: true), strategy: "MAX_BID") != nil)
        #expect(try refused(goal(), objective: "AWARENESS") == "ad_group.optimization_goal", "only WEB_CONVERSION takes a goal")
    }

    @Test func keywordsAreCheckedAndKeptOnce() throws {
        let campaign = try campaign("CONSIDERATION")
        let group = try validator.adGroup(
            AdGroupPlan(
                name: "g", billableEvent: "CLICKTHROUGH", targeting: us,
                keywords: [KeywordPlan(value: " winter boots ", matchType: "phrase"), KeywordPlan(value: "sandals", matchType: "EXACT_NEGATIVE")]),
            campaign: campaign)
        #expect(group.keywords == [KeywordPlan(value: "winter boots", matchType: "PHRASE"), KeywordPlan(value: "sandals", matchType: "EXACT_NEGATIVE")])
        func refused(_ keywords: [KeywordPlan]) -> String? {
            field { _ = try validator.adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us, keywords: keywords), campaign: campaign) }
        }
        #expect(refused([KeywordPlan(value: "a", matchType: "FUZZY")]) == "ad_group.keywords[0].match_type")
        #expect(refused([KeywordPlan(value: String(repeating: "x", count: 121), matchType: "BROAD")]) == "ad_group.keywords[0].value")
        #expect(refused([KeywordPlan(value: "Boots", matchType: "BROAD"), KeywordPlan(value: "boots", matchType: "BROAD")]) == "ad_group.keywords[1]")
    }

    @Test func campaignChangesAreCheckedAndMerged() throws {
        let current = try validator.campaign(CampaignPlan(name: "c", objectiveType: "CONSIDERATION", dailySpendCap: 50_000_000))
        #expect(field { _ = try validator.campaignChange(CampaignChange(), current: current) } == "params")
        #expect(field { _ = try validator.campaignChange(CampaignChange(status: "DRAFT"), current: current) } == "status")
        #expect(field { _ = try validator.campaignChange(CampaignChange(endTime: .set(now.addingTimeInterval(-1))), current: current) } == "end_time")
        #expect(field {
            _ = try validator.campaignChange(CampaignChange(dailySpendCap: .set(1), lifetimeSpendCap: .set(2)), current: current)
        } == "lifetime_spend_cap")
        let raised = try validator.campaignChange(CampaignChange(status: "active", dailySpendCap: .set(80_000_000)), current: current)
        #expect(raised.change.status == "ACTIVE" && raised.merged?.dailySpendCap == 80_000_000 && raised.merged?.status == "ACTIVE")
        // Switching to a lifetime cap clears the daily one.
        let lifetime = try validator.campaignChange(CampaignChange(lifetimeSpendCap: .set(900_000_000)), current: current)
        #expect(lifetime.change.dailySpendCap == .clear && lifetime.merged?.dailySpendCap == nil && lifetime.merged?.lifetimeSpendCap == 900_000_000)
        // A campaign tracked, not made, here: the change alone is checked.
        #expect(try validator.campaignChange(CampaignChange(status: "PAUSED"), current: nil).merged == nil)
    }

    @Test func adGroupChangesKeepTheBidRules() throws {
        let consideration = try campaign("CONSIDERATION")
        let current = try validator.adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us), campaign: consideration)
        // To automatic bidding: the bid goes with it.
        let automatic = try validator.adGroupChange(AdGroupChange(bidStrategyType: "AUTOMATIC_BID"), current: current, campaign: consideration)
        #expect(automatic.change.bidInMicroCurrency == .clear && automatic.merged.bidInMicroCurrency == nil)
        // Removing the bid of a pair that needs one, without automatic bidding, is refused.
        #expect(field {
            _ = try validator.adGroupChange(AdGroupChange(bidInMicroCurrency: .clear), current: current, campaign: consideration)
        } == "bid_in_micro_currency")
        #expect(field {
            _ = try validator.adGroupChange(AdGroupChange(budgetInMicroCurrency: 1_000_000), current: current, campaign: consideration)
        } == "bid_in_micro_currency", "the bid may not exceed the budget")
        #expect(field {
            _ = try validator.adGroupChange(AdGroupChange(keywords: [KeywordPlan(value: "x", matchType: "NONE")]), current: current, campaign: consideration)
        } == "keywords[0].match_type")
        // An empty keyword list is a change: every keyword goes.
        #expect(try validator.adGroupChange(AdGroupChange(keywords: []), current: current, campaign: consideration).change.keywords == [])
        let video = try campaign("VIDEO_COMPLETION")
        let videoGroup = try validator.adGroup(AdGroupPlan(name: "v", billableEvent: "VIDEO_V_50_MRC", targeting: us), campaign: video)
        #expect(field {
            _ = try validator.adGroupChange(AdGroupChange(bidInMicroCurrency: .set(1_000_000)), current: videoGroup, campaign: video)
        } == "bid_in_micro_currency")
    }

    @Test func wireUpdatesRefuseDraftOnlyAndUnknownFields() throws {
        #expect(field { _ = try CampaignChange(UpdateCampaignRequest(id: 1, objectiveType: "AWARENESS")) } == "objective_type")
        #expect(field { _ = try AdGroupChange(UpdateAdGroupRequest(id: 1, billableEvent: "IMPRESSION")) } == "billable_event")
        #expect(field { _ = try AdChange(UpdateAdRequest(id: 1, pinId: "123")) } == "pin_id")
        let misspelt = Data(#"{"id": 3, "daily_budjet": 80000000}"#.utf8)
        #expect(throws: DecodingError.self) { try Wire.decoder().decode(UpdateCampaignRequest.self, from: misspelt) }
        do {
            _ = try Wire.decoder().decode(UpdateCampaignRequest.self, from: misspelt)
        } catch let error as DecodingError {
            #expect(error.fieldPath == "daily_budjet" && error.reason.contains("unknown field"))
        }
        // Inside targeting, the goal and keywords too: a misspelt dimension is refused by name.
        do {
            _ = try Wire.decoder().decode(UpdateAdGroupRequest.self, from: Data(#"{"id": 3, "targeting": {"locations": ["US"], "age_bucket": ["25-34"]}}"#.utf8))
            Issue.record("a misspelt targeting field was taken")
        } catch let error as DecodingError {
            #expect(error.fieldPath == "targeting.age_bucket" && error.reason.contains("unknown field"), "\(error.fieldPath)")
        }
        #expect(throws: DecodingError.self) {
            try Wire.decoder().decode(UpdateAdGroupRequest.self, from: Data(#"{"id": 3, "keywords": [{"value": "x", "match": "BROAD"}]}"#.utf8))
        }
        // Absent leaves a field alone; null clears it.
        let cleared = try Wire.decoder().decode(UpdateCampaignRequest.self, from: Data(#"{"id": 3, "end_time": null}"#.utf8))
        #expect(cleared.endTime == .clear && cleared.dailySpendCap == nil)
        #expect(String(decoding: try Wire.encoder().encode(cleared), as: UTF8.self) == #"{"end_time":null,"id":3}"#)
    }

    @Test func aGoalWithoutItsEventIsRefusedByName() throws {
        let request = #"{"campaign":{"name":"c","objective_type":"WEB_CONVERSION"},"ad_group":{"name":"g","billable_event":"CLICKTHROUGH","optimization_goal":{"conversion_tag_id":"1"}},"ad":{"pin_id":"1","creative_type":"REGULAR"},"client_request_id":"x"}"#
        do {
            _ = try Wire.decoder().decode(LaunchCampaignRequest.self, from: Data(request.utf8))
            Issue.record("a goal without conversion_event was taken")
        } catch let error as DecodingError {
            #expect(error.fieldPath == "ad_group.optimization_goal.conversion_event" && error.reason == "missing required field")
        }
    }

    @Test func changesStoredRoundTripWithTheirClears() throws {
        let coding = PlanCoding()
        let change = AdGroupChange(status: "PAUSED", bidInMicroCurrency: .clear, bidStrategyType: "AUTOMATIC_BID", endTime: .set(now))
        let text = try coding.encode(change)
        #expect(text.contains(#""bid_in_micro_currency":null"#) && !text.contains("budget"))
        #expect(try coding.decode(AdGroupChange.self, from: text) == change)
    }

    @Test func aLostUpdateIsRecognisedInPinterestsState() throws {
        let change = CampaignChange(status: "ACTIVE", dailySpendCap: .set(80_000_000), endTime: .clear)
        func campaign(_ json: String) throws -> Campaign { try JSONDecoder().decode(Campaign.self, from: Data(json.utf8)) }
        #expect(change.isReflected(in: try campaign(#"{"id":"1","status":"ACTIVE","daily_spend_cap":80000000,"end_time":null}"#)))
        #expect(!change.isReflected(in: try campaign(#"{"id":"1","status":"PAUSED","daily_spend_cap":80000000}"#)))
        #expect(!change.isReflected(in: try campaign(#"{"id":"1","status":"ACTIVE","daily_spend_cap":80000000,"end_time":1900000000}"#)))
    }

    @Test func driftNamesWhatPinterestChanged() throws {
        let plan = try validator.campaign(CampaignPlan(name: "c", objectiveType: "CONSIDERATION", dailySpendCap: 50_000_000))
        let same = ObjectReading(status: "PAUSED", fields: ["name": "c", "status": "PAUSED", "daily_spend_cap": 50_000_000])
        #expect(DriftCheck.between(DriftCheck.expected(plan), same).isEmpty)
        let changed = ObjectReading(status: "ACTIVE", fields: ["name": "c", "status": "ACTIVE", "daily_spend_cap": 80_000_000])
        #expect(
            DriftCheck.between(DriftCheck.expected(plan), changed) == [
                FieldDrift(field: "daily_spend_cap", pinads: 50_000_000, pinterest: 80_000_000),
                FieldDrift(field: "status", pinads: "PAUSED", pinterest: "ACTIVE"),
            ])
        // Fields pinads left to Pinterest are not drift when Pinterest fills them.
        let ad = AdPlan(pinID: "1", creativeType: "REGULAR")
        #expect(DriftCheck.between(DriftCheck.expected(ad), ObjectReading(status: "ACTIVE", fields: ["status": "ACTIVE", "destination_url": "https://x"])).isEmpty)
        #expect(DriftCheck.between(DriftCheck.expected(plan), nil).isEmpty, "nothing read, nothing to compare")
    }
}
