import Foundation
import PinterestSandbox
import Testing

@Suite("Bid rules by objective and billable event; optimization goals")
struct BidRuleTests {
    /// Creates ad groups in a new campaign of `objective`: one item per extra, over the base
    /// (budget, US target, no bid).
    static func groups(
        _ f: AdAccountFixture, objective: String, campaign extra: [String: Any] = [:], _ items: [[String: Any]]
    ) async throws -> TestResponse {
        let campaign = try #require(try await f.campaign(extra.merging(["objective_type": objective]) { $1 })["id"] as? String)
        let bodies = items.map { item -> [String: Any] in
            var body = f.adGroupItem(campaign, item)
            if item["bid_in_micro_currency"] == nil { body["bid_in_micro_currency"] = nil }
            return body
        }
        let response = try await f.post("ad_groups", bodies)
        #expect(response.status == 200)
        return response
    }

    @Test("VIDEO_COMPLETION allows only AUTOMATIC_BID and no manual bid")
    func videoCompletion() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let response = try await Self.groups(
                f, objective: "VIDEO_COMPLETION",
                [
                    ["billable_event": "VIDEO_V_50_MRC", "bid_strategy_type": "MAX_BID", "bid_in_micro_currency": 1_000],
                    ["billable_event": "VIDEO_V_50_MRC", "bid_in_micro_currency": 1_000],
                    ["billable_event": "VIDEO_V_50_MRC", "bid_strategy_type": "TARGET_AVG"],
                    ["billable_event": "VIDEO_V_50_MRC", "bid_strategy_type": "AUTOMATIC_BID"],
                    ["billable_event": "VIDEO_V_50_MRC"],
                ])
            #expect(response.refused(0, "bid_strategy_type MAX_BID is not allowed: VIDEO_COMPLETION campaigns allow only AUTOMATIC_BID"))
            #expect(
                response.refused(
                    1, "VIDEO_COMPLETION campaigns allow only AUTOMATIC_BID (Pinterest Performance+ bidding); bid_in_micro_currency cannot be set"))
            #expect(response.refused(2, "bid_strategy_type TARGET_AVG"))
            #expect(response.data(3)?["bid_strategy_type"] as? String == "AUTOMATIC_BID")
            #expect(response.data(4) != nil, "no strategy and no bid: Pinterest bids")
            let group = try #require(response.data(3)?["id"] as? String)
            let update = try await f.patch("ad_groups", [["id": group, "bid_in_micro_currency": 2_000]])
            #expect(update.refused(0, "bid_in_micro_currency cannot be set"), "re-checked on update")
        }
    }

    @Test("AUTOMATIC_BID takes no bid; MAX_BID and TARGET_AVG need one; the spec's required pairs need one")
    func strategies() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let response = try await Self.groups(
                f, objective: "AWARENESS",
                [
                    ["bid_strategy_type": "AUTOMATIC_BID", "bid_in_micro_currency": 1_000],
                    ["bid_strategy_type": "AUTOMATIC_BID"],
                    ["bid_strategy_type": "MAX_BID"],
                    ["bid_strategy_type": "TARGET_AVG", "bid_in_micro_currency": 1_000],
                    [:],
                    ["billable_event": "CLICKTHROUGH"],
                    ["bid_strategy_type": NSNull(), "bid_in_micro_currency": 1_000],
                ])
            #expect(response.refused(0, "bid_in_micro_currency cannot be set with bid_strategy_type AUTOMATIC_BID"))
            #expect(response.data(1) != nil)
            #expect(response.refused(2, "bid_in_micro_currency is required with bid_strategy_type MAX_BID"))
            #expect(response.data(3)?["bid_in_micro_currency"] as? Int == 1_000)
            #expect(response.refused(4, "bid_in_micro_currency is required for AWARENESS campaigns billed on IMPRESSION"))
            #expect(response.data(5) != nil, "AWARENESS/CLICKTHROUGH is not a required pair")
            #expect(response.data(6) != nil)
            for objective in ["CONSIDERATION", "CATALOG_SALES"] {
                let pair = try await Self.groups(f, objective: objective, [["billable_event": "CLICKTHROUGH"]])
                #expect(pair.refused(0, "bid_in_micro_currency is required for \(objective) campaigns billed on CLICKTHROUGH"))
            }
            let auto = try #require(response.data(1)?["id"] as? String)
            let switched = try await f.patch("ad_groups", [["id": auto, "bid_strategy_type": "MAX_BID"]])
            #expect(switched.refused(0, "bid_in_micro_currency is required with bid_strategy_type MAX_BID"))
            let manual = try await f.patch("ad_groups", [["id": auto, "bid_strategy_type": "MAX_BID", "bid_in_micro_currency": 3_000]])
            #expect(manual.data()?["bid_in_micro_currency"] as? Int == 3_000)
            let back = try await f.patch("ad_groups", [["id": auto, "bid_strategy_type": "AUTOMATIC_BID", "bid_in_micro_currency": NSNull()]])
            #expect(back.data()?["bid_in_micro_currency"] is NSNull)
        }
    }

    @Test("bid_multiplier: AUTOMATIC_BID only, 0 or 0.1 to 10, not in Performance+ campaigns; lifetime_frequency_cap only for IMPRESSION")
    func multipliersAndCaps() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let end = Int(Date().timeIntervalSince1970) + 86_400
            let response = try await Self.groups(
                f, objective: "CONSIDERATION",
                [
                    ["billable_event": "CLICKTHROUGH", "bid_in_micro_currency": 1_000, "bid_multiplier": 1.5],
                    ["billable_event": "CLICKTHROUGH", "bid_strategy_type": "AUTOMATIC_BID", "bid_multiplier": 0.05],
                    ["billable_event": "CLICKTHROUGH", "bid_strategy_type": "AUTOMATIC_BID", "bid_multiplier": 11],
                    ["billable_event": "CLICKTHROUGH", "bid_strategy_type": "AUTOMATIC_BID", "bid_multiplier": 1.5],
                    ["billable_event": "CLICKTHROUGH", "bid_in_micro_currency": 1_000, "bid_multiplier": 0],
                    ["billable_event": "CLICKTHROUGH", "bid_in_micro_currency": 1_000, "lifetime_frequency_cap": 3, "end_time": end],
                ])
            #expect(response.refused(0, "bid_multiplier needs bid_strategy_type AUTOMATIC_BID"))
            #expect(response.refused(1, "bid_multiplier must be 0 (no multiplier) or 0.1...10"))
            #expect(response.refused(2, "bid_multiplier must be in 0.0...10.0"))
            #expect(response.data(3)?["bid_multiplier"] as? Double == 1.5)
            #expect(response.data(4)?["bid_multiplier"] is NSNull, "0 removes the multiplier")
            #expect(response.refused(5, "lifetime_frequency_cap is only available for IMPRESSION (CPM) ad groups"))
            let plus = try await Self.groups(
                f, objective: "CONSIDERATION", campaign: ["is_performance_plus": true],
                [["billable_event": "CLICKTHROUGH", "bid_strategy_type": "AUTOMATIC_BID", "bid_multiplier": 1.5]])
            #expect(plus.refused(0, "bid_multiplier is not supported in Performance+ campaigns"))
        }
    }

    @Test("WEB_CONVERSION needs conversion_tag_v3_goal_metadata naming a tag of the ad account, shaped as the spec says")
    func webConversion() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let other = AdAccountFixture(sandbox, client)
            let tag = try await f.conversionTag()
            let foreignTag = try await other.conversionTag()
            func goal(_ metadata: [String: Any], _ extra: [String: Any] = [:]) -> [String: Any] {
                var base: [String: Any] = ["conversion_tag_id": tag, "conversion_event": "CHECKOUT"]
                base.merge(metadata) { $1 }
                return ["billable_event": "CLICKTHROUGH", "optimization_goal_metadata": ["conversion_tag_v3_goal_metadata": base].merging(extra) { $1 }]
            }
            let prefix = "optimization_goal_metadata.conversion_tag_v3_goal_metadata."
            let response = try await Self.groups(
                f, objective: "WEB_CONVERSION",
                [
                    ["billable_event": "CLICKTHROUGH"],
                    ["billable_event": "CLICKTHROUGH", "optimization_goal_metadata": ["frequency_goal_metadata": ["frequency": 3]]],
                    goal(["conversion_tag_id": foreignTag]),
                    goal(["conversion_tag_id": "999"]),
                    goal(["conversion_event": "PURCHASE"]),
                    goal(["cpa_goal_value_in_micro_currency": 5_000_000]),
                    goal(["attribution_windows": ["click_window_days": 3, "lookback_days": 7]]),
                    goal(["is_roas_optimized": true, "conversion_event": "SIGNUP"]),
                    goal(["colour": "red"]),
                    goal([:], ["colour": "red"]),
                    goal([:], ["frequency_goal_metadata": ["frequency": 1, "timerange": "WEEK"]]),
                    goal([:], ["scrollup_goal_metadata": ["scrollup_goal_value_in_micro_currency": "12a"]]),
                    goal(["conversion_tag_id": NSNull(), "conversion_event": NSNull()]),
                    goal(
                        [
                            "cpa_goal_value_in_micro_currency": "5000000", "learning_mode_type": "ACTIVE", "reporting_event": "checkout",
                            "attribution_windows": ["click_window_days": 30, "engagement_window_days": 7, "view_window_days": 1],
                        ], ["frequency_goal_metadata": ["frequency": 2, "timerange": "SEVEN_DAY"]]),
                    goal(["is_roas_optimized": true]).merging(["bid_strategy_type": "AUTOMATIC_BID"]) { $1 },
                ])
            #expect(response.refused(0, "optimization_goal_metadata is required when the campaign objective is WEB_CONVERSION"))
            #expect(response.refused(1, "optimization_goal_metadata.conversion_tag_v3_goal_metadata is required when the campaign objective is WEB_CONVERSION"))
            #expect(response.refused(2, prefix + "conversion_tag_id \(foreignTag) is not a conversion tag of ad account \(f.accountID)"))
            #expect(response.refused(3, prefix + "conversion_tag_id 999 is not a conversion tag"))
            #expect(response.refused(4, prefix + "conversion_event must be one of"))
            #expect(response.refused(5, prefix + "cpa_goal_value_in_micro_currency must be a string, not integer"))
            #expect(response.refused(6, prefix + "attribution_windows.click_window_days must be one of 0, 1, 7, 14, 30, 60"))
            #expect(response.refused(6, prefix + "attribution_windows.lookback_days is not a field"))
            #expect(response.refused(7, prefix + "is_roas_optimized needs bid_strategy_type AUTOMATIC_BID"))
            #expect(response.refused(7, prefix + "is_roas_optimized needs conversion_event CHECKOUT"))
            #expect(response.refused(8, prefix + "colour is not a field of conversion_tag_v3_goal_metadata"))
            #expect(response.refused(9, "optimization_goal_metadata.colour is not a field of OptimizationGoalMetadata"))
            #expect(response.refused(10, "optimization_goal_metadata.frequency_goal_metadata.frequency must be in 2...20"))
            #expect(response.refused(10, "optimization_goal_metadata.frequency_goal_metadata.timerange must be one of"))
            #expect(response.refused(11, "optimization_goal_metadata.scrollup_goal_metadata.scrollup_goal_value_in_micro_currency must be a string of digits"))
            #expect(response.refused(12, prefix + "conversion_tag_id must not be null"))
            let full = try #require(response.data(13), "\(response.exceptionMessages(13))")
            let stored = (full["optimization_goal_metadata"] as? [String: Any])?["conversion_tag_v3_goal_metadata"] as? [String: Any]
            #expect(stored?["conversion_tag_id"] as? String == tag)
            #expect(response.data(14) != nil, "ROAS with AUTOMATIC_BID and CHECKOUT: \(response.exceptionMessages(14))")

            // Other objectives need no goal, and one given is checked but accepted.
            let awareness = try await Self.groups(
                f, objective: "AWARENESS",
                [
                    goal([:]).merging(["billable_event": "IMPRESSION", "bid_in_micro_currency": 1_000]) { $1 },
                    goal(["conversion_tag_id": foreignTag]).merging(["billable_event": "IMPRESSION", "bid_in_micro_currency": 1_000]) { $1 },
                ])
            #expect(awareness.data(0) != nil, "\(awareness.exceptionMessages(0))")
            #expect(awareness.refused(1, "is not a conversion tag of ad account"))

            // Updates re-check the goal; a PATCH without it keeps it.
            let group = try #require(full["id"] as? String)
            #expect(try await f.patch("ad_groups", [["id": group, "name": "renamed"]]).data() != nil)
            let dropped = try await f.patch("ad_groups", [["id": group, "optimization_goal_metadata": NSNull()]])
            #expect(dropped.refused(0, "optimization_goal_metadata is required when the campaign objective is WEB_CONVERSION"))
        }
    }
}
