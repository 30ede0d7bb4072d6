import Foundation
import PinterestSandbox
import Testing

@Suite("PATCH of campaigns: merge, refusals, cascades")
struct UpdateTests {
    @Test("omitted fields stay, sent ones change, null clears; updated_time moves and summary_status follows status")
    func mergeSemantics() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let end = Int(Date().timeIntervalSince1970) + 30 * 86_400
            let created = try await f.campaign(["status": "ACTIVE", "daily_spend_cap": 5_000_000, "end_time": end])
            let id = try #require(created["id"] as? String)
            sandbox.advanceClock(by: 120)
            let response = try await f.patch(
                "campaigns",
                [["id": id, "ad_account_id": f.accountID, "name": "renamed", "status": "PAUSED", "end_time": NSNull()]])
            #expect(response.status == 200)
            let data = try #require(response.data(), "\(response.text)")
            #expect((response.items[0]["exceptions"] as? [Any])?.isEmpty == true)
            #expect(data["name"] as? String == "renamed")
            #expect(data["status"] as? String == "PAUSED")
            #expect(data["summary_status"] as? String == "PAUSED")
            #expect(data["end_time"] is NSNull)
            #expect(data["daily_spend_cap"] as? Int == 5_000_000, "omitted: unchanged")
            #expect(data["objective_type"] as? String == "AWARENESS")
            #expect(data["created_time"] as? Int == created["created_time"] as? Int)
            #expect((data["updated_time"] as? Int ?? 0) >= (created["updated_time"] as? Int ?? 0) + 120)
            let read = try await f.get("campaigns/\(id)")
            #expect(read.object["name"] as? String == "renamed")

            // Switching from a daily to a lifetime cap: the daily one must be cleared in the same item.
            let both = try await f.patch("campaigns", [["id": id, "ad_account_id": f.accountID, "lifetime_spend_cap": 90_000_000]])
            #expect(both.refused(0, "daily_spend_cap and lifetime_spend_cap cannot be set at the same time"))
            let switched = try await f.patch(
                "campaigns",
                [["id": id, "ad_account_id": f.accountID, "lifetime_spend_cap": 90_000_000, "daily_spend_cap": NSNull()]])
            #expect(switched.data()?["lifetime_spend_cap"] as? Int == 90_000_000)
            #expect(switched.data()?["daily_spend_cap"] is NSNull)
        }
    }

    @Test("each item is refused on its own: id and ad_account_id, unknown fields, drafts-only fields, merged rules")
    func refusals() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let other = AdAccountFixture(sandbox, client)
            let id = try #require(try await f.campaign()["id"] as? String)
            let draft = try #require(try await f.campaign(["status": "DRAFT"])["id"] as? String)
            let foreign = try #require(try await other.campaign()["id"] as? String)
            let response = try await f.patch(
                "campaigns",
                [
                    ["id": id, "name": "no account"],
                    ["id": id, "ad_account_id": other.accountID],
                    ["ad_account_id": f.accountID, "name": "no id"],
                    ["id": "999", "ad_account_id": f.accountID],
                    ["id": foreign, "ad_account_id": f.accountID, "name": "not mine"],
                    ["id": id, "ad_account_id": f.accountID, "budget": 5],
                    ["id": id, "ad_account_id": f.accountID, "objective_type": "CONSIDERATION"],
                    ["id": id, "ad_account_id": f.accountID, "is_performance_plus": true],
                    ["id": id, "ad_account_id": f.accountID, "start_time": 2_000_000_000, "end_time": 1_900_000_000],
                    ["id": id, "ad_account_id": f.accountID, "is_campaign_budget_optimization": true],
                    ["id": id, "ad_account_id": f.accountID, "daily_spend_cap": "5000000"],
                    ["id": id, "ad_account_id": f.accountID, "name": NSNull()],
                    ["id": id, "ad_account_id": f.accountID, "tracking_urls": ["click": ["a", "b", "c", "d"]]],
                    ["id": draft, "ad_account_id": f.accountID, "objective_type": "CONSIDERATION", "is_performance_plus": true],
                    ["id": id, "ad_account_id": f.accountID, "objective_type": "AWARENESS", "name": "same objective"],
                ])
            #expect(response.status == 200)
            #expect(response.items.count == 15)
            #expect(response.refused(0, "ad_account_id is required"))
            #expect(response.refused(1, "ad_account_id \(other.accountID) does not match"))
            #expect(response.refused(2, "id is required"))
            #expect(response.refused(3, "id 999 is not a campaign of ad account \(f.accountID)"))
            #expect(response.refused(4, "id \(foreign) is not a campaign"))
            #expect(response.refused(5, "budget is not a field of CampaignUpdateRequest"))
            #expect(response.refused(6, "objective_type can only be changed on DRAFT campaigns", "PAUSED"))
            #expect(response.refused(7, "is_performance_plus can only be changed on DRAFT campaigns"))
            #expect(response.refused(8, "end_time must be after start_time"))
            #expect(response.refused(9, "campaign budget optimization (CBO) campaign needs daily_spend_cap or lifetime_spend_cap"))
            #expect(response.refused(10, "daily_spend_cap must be an integer"))
            #expect(response.refused(11, "name must not be null"))
            #expect(response.refused(12, "tracking_urls.click takes at most 3 URLs"))
            #expect(response.data(13)?["objective_type"] as? String == "CONSIDERATION", "drafts may change objective")
            #expect(response.data(13)?["is_performance_plus"] as? Bool == true)
            #expect(response.data(14)?["name"] as? String == "same objective", "sending the unchanged value is no change")
            let codes = (response.items[3]["exceptions"] as? [[String: Any]])?.compactMap { $0["code"] as? Int }
            #expect(codes == [2], "an unknown id is code 2, like a 404")
            #expect(try await f.get("campaigns/\(foreign)").status == 404)

            #expect(try await f.patch("campaigns", [Any]()).status == 400)
            #expect(try await f.patch("campaigns", (0..<31).map { _ in ["id": id, "ad_account_id": f.accountID] }).status == 400)
            #expect(try await f.patch("campaigns", ["id": id, "ad_account_id": f.accountID]).status == 400, "an object, not an array")
            #expect(sandbox.stats().byOperation["campaigns/update"] == 4)
        }
    }

    @Test("bid_options needs update_mask, and only the parts it lists change")
    func bidOptions() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let id = try #require(try await f.campaign()["id"] as? String)
            let response = try await f.patch(
                "campaigns",
                [
                    ["id": id, "ad_account_id": f.accountID, "bid_options": ["placement_multipliers": ["SEARCH": 1.2]]],
                    ["id": id, "ad_account_id": f.accountID, "bid_options": ["update_mask": ["APP_TYPE"], "placement_multipliers": ["SEARCH": 1.2]]],
                    ["id": id, "ad_account_id": f.accountID, "bid_options": ["update_mask": ["GEO"]]],
                    ["id": id, "ad_account_id": f.accountID, "bid_options": ["update_mask": ["PLACEMENT"], "placement_multipliers": ["SEARCH": 1.2]]],
                ])
            #expect(response.refused(0, "bid_options.update_mask is required"))
            #expect(response.refused(1, "bid_options.placement_multipliers is given but update_mask does not list PLACEMENT"))
            #expect(response.refused(2, "bid_options.update_mask must hold only"))
            let options = try #require(response.data(3)?["bid_options"] as? [String: Any])
            #expect((options["placement_multipliers"] as? [String: Any])?["SEARCH"] as? Double == 1.2)
            #expect(options["update_mask"] == nil, "the mask says what to change; it is not stored")
        }
    }

    @Test("archiving a campaign archives its ad groups and ads; archived objects drop out of lists and refuse changes")
    func archiveCascade() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let kept = try await f.tree()
            let archived = try await f.patch("campaigns", [["id": tree.campaign, "ad_account_id": f.accountID, "status": "ARCHIVED"]])
            #expect(archived.data()?["summary_status"] as? String == "ARCHIVED")
            #expect(try await f.get("ad_groups/\(tree.adGroup)").object["status"] as? String == "ARCHIVED")
            let ad = try await f.get("ads/\(tree.ad)").object
            #expect(ad["status"] as? String == "ARCHIVED")
            #expect(ad["summary_status"] as? String == "ARCHIVED")
            #expect(try await f.get("ad_groups/\(kept.adGroup)").object["status"] as? String == "ACTIVE", "other campaigns untouched")

            #expect(try await f.get("campaigns").items.compactMap { $0["id"] as? String } == [kept.campaign])
            #expect(try await f.get("ad_groups").items.compactMap { $0["id"] as? String } == [kept.adGroup])
            #expect(try await f.get("ads").items.compactMap { $0["id"] as? String } == [kept.ad])
            let shown = try await f.get("campaigns", [("entity_statuses", "ARCHIVED")])
            #expect(shown.items.compactMap { $0["id"] as? String } == [tree.campaign])
            #expect(try await f.get("ad_groups", [("entity_statuses", "ARCHIVED"), ("campaign_ids", tree.campaign)]).items.count == 1)
            #expect(try await f.get("ads", [("entity_statuses", "ARCHIVED,ACTIVE")]).items.count == 2)

            let again = try await f.patch("campaigns", [["id": tree.campaign, "ad_account_id": f.accountID, "status": "ACTIVE"]])
            #expect(again.refused(0, "id \(tree.campaign) is an ARCHIVED campaign: archived campaigns cannot be changed"))
            #expect(try await f.patch("ad_groups", [["id": tree.adGroup, "name": "x"]]).refused(0, "archived ad groups cannot be changed"))
            #expect(try await f.patch("ads", [["id": tree.ad, "name": "x"]]).refused(0, "archived ads cannot be changed"))
            let child = try await f.post("ad_groups", [f.adGroupItem(tree.campaign)])
            #expect(child.refused(0, "campaign_id \(tree.campaign) is ARCHIVED"))
            let newAd = try await f.post("ads", [["ad_group_id": tree.adGroup, "creative_type": "REGULAR", "pin_id": "1"]])
            #expect(newAd.refused(0, "ad_group_id \(tree.adGroup) is ARCHIVED"))
        }
    }

    @Test("archiving an ad group archives its ads, not its campaign")
    func archiveAdGroup() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let sibling = try #require(try await f.adGroup(tree.campaign)["id"] as? String)
            let siblingAd = try #require(try await f.ad(sibling)["id"] as? String)
            let response = try await f.patch("ad_groups", [["id": tree.adGroup, "status": "ARCHIVED"]])
            #expect(response.data()?["summary_status"] as? String == "ARCHIVED")
            #expect(try await f.get("ads/\(tree.ad)").object["status"] as? String == "ARCHIVED")
            #expect(try await f.get("ads/\(siblingAd)").object["status"] as? String == "ACTIVE")
            #expect(try await f.get("campaigns/\(tree.campaign)").object["status"] as? String == "PAUSED")
        }
    }

    @Test("a campaign window that cuts into its ad groups wins silently; an ad group's own window change is checked")
    func campaignWindow() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let now = Int(Date().timeIntervalSince1970)
            let campaign = try #require(try await f.campaign(["end_time": now + 60 * 86_400])["id"] as? String)
            let group = try #require(try await f.adGroup(campaign, ["end_time": now + 50 * 86_400])["id"] as? String)
            let cut = try await f.patch("campaigns", [["id": campaign, "ad_account_id": f.accountID, "end_time": now + 10 * 86_400]])
            #expect(cut.data()?["end_time"] as? Int == now + 10 * 86_400)
            #expect(try await f.get("ad_groups/\(group)").object["end_time"] as? Int == now + 50 * 86_400, "the ad group keeps its own times")
            #expect(try await f.patch("ad_groups", [["id": group, "name": "renamed"]]).data()?["name"] as? String == "renamed")
            let moved = try await f.patch("ad_groups", [["id": group, "end_time": now + 40 * 86_400]])
            #expect(moved.refused(0, "end_time cannot be after the campaign's end_time"))
            #expect(try await f.patch("ad_groups", [["id": group, "end_time": now + 5 * 86_400]]).data() != nil)
        }
    }

    @Test("turning CBO on clears the ad groups' budgets; turning it off needs and copies the default budget")
    func budgetOptimization() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let on = try await f.patch(
                "campaigns",
                [["id": tree.campaign, "ad_account_id": f.accountID, "is_campaign_budget_optimization": true, "daily_spend_cap": 50_000_000]])
            #expect(on.data()?["is_campaign_budget_optimization"] as? Bool == true, "\(on.text)")
            var group = try await f.get("ad_groups/\(tree.adGroup)").object
            #expect(group["budget_in_micro_currency"] is NSNull)
            #expect(group["budget_type"] as? String == "CBO_ADGROUP")
            let accelerated = try await f.patch("ad_groups", [["id": tree.adGroup, "pacing_delivery_type": "ACCELERATED"]])
            #expect(accelerated.refused(0, "pacing_delivery_type ACCELERATED: ad groups of CBO campaigns only allow STANDARD"))

            let off = try await f.patch("campaigns", [["id": tree.campaign, "ad_account_id": f.accountID, "is_campaign_budget_optimization": false]])
            #expect(off.refused(0, "default_ad_group_budget_in_micro_currency is required to turn campaign budget optimization off"))
            let offWithDefault = try await f.patch(
                "campaigns",
                [
                    [
                        "id": tree.campaign, "ad_account_id": f.accountID, "is_campaign_budget_optimization": false,
                        "default_ad_group_budget_in_micro_currency": 7_000_000,
                    ]
                ])
            #expect(offWithDefault.data() != nil, "\(offWithDefault.text)")
            group = try await f.get("ad_groups/\(tree.adGroup)").object
            #expect(group["budget_in_micro_currency"] as? Int == 7_000_000)
            #expect(group["budget_type"] as? String == "DAILY")
        }
    }
}
