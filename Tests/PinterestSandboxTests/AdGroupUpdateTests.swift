import Foundation
import PinterestSandbox
import Testing

@Suite("PATCH of ad groups and ads; the ad review")
struct AdGroupUpdateTests {
    @Test("ad groups: targeting_spec is replaced whole and checked as on create; null clears; create rules hold after the merge")
    func adGroupMerge() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let campaign = try #require(try await f.campaign()["id"] as? String)
            let group = try #require(
                try await f.adGroup(campaign, ["targeting_spec": ["LOCATION": ["US"], "GENDER": ["female"]]])["id"] as? String)
            let now = Int(Date().timeIntervalSince1970)
            let response = try await f.patch(
                "ad_groups",
                [
                    ["id": group, "name": "renamed", "targeting_spec": ["LOCATION": ["CA"]], "end_time": now + 86_400],
                    ["id": group, "targeting_spec": ["GENDER": ["male"]]],
                    ["id": group, "targeting_spec": ["gender": ["male"], "LOCATION": ["US"]]],
                    ["id": group, "end_time": NSNull(), "tracking_urls": [String: Any]()],
                    ["id": group, "lifetime_frequency_cap": 5],
                    ["id": group, "colour": "red"],
                    ["id": group, "campaign_id": "123"],
                    ["id": group, "campaign_id": "C\(campaign)", "name": "same campaign"],
                    ["id": group, "budget_in_micro_currency": NSNull()],
                    ["id": "999", "name": "nobody"],
                ])
            #expect(response.status == 200)
            let first = try #require(response.data(0), "\(response.text)")
            #expect(first["name"] as? String == "renamed")
            #expect((first["targeting_spec"] as? [String: Any])?["GENDER"] == nil, "replaced whole, not merged")
            #expect((first["targeting_spec"] as? [String: Any])?["LOCATION"] as? [String] == ["CA"])
            #expect(first["bid_in_micro_currency"] as? Int == 1_000_000, "omitted: unchanged")
            #expect(response.refused(1, "targeting_spec needs at least one of LOCATION or GEO"))
            #expect(response.refused(2, "targeting_spec.gender is not a targeting key of the spec"))
            #expect(response.data(3)?["end_time"] is NSNull)
            #expect(response.data(3)?["tracking_urls"] is NSNull, "{} removes the tracking URLs")
            #expect(response.refused(4, "lifetime_frequency_cap requires end_time"))
            #expect(response.refused(5, "colour is not a field of AdGroupUpdateRequest"))
            #expect(response.refused(6, "campaign_id cannot be changed: ad group \(group) belongs to campaign \(campaign)"))
            #expect(response.data(7)?["name"] as? String == "same campaign")
            #expect(response.refused(8, "budget_in_micro_currency is required for ad groups of non-CBO campaigns"))
            #expect(response.refused(9, "id 999 is not an ad group of ad account \(f.accountID)"))
        }
    }

    @Test("billable_event and budget_type change only on DRAFT ad groups; LIFETIME then needs end_time")
    func draftsOnly() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let campaign = try #require(try await f.campaign()["id"] as? String)
            let live = try #require(try await f.adGroup(campaign)["id"] as? String)
            let draft = try #require(try await f.adGroup(campaign, ["status": "DRAFT"])["id"] as? String)
            let end = Int(Date().timeIntervalSince1970) + 86_400
            let response = try await f.patch(
                "ad_groups",
                [
                    ["id": live, "billable_event": "CLICKTHROUGH"],
                    ["id": live, "budget_type": "LIFETIME", "end_time": end],
                    ["id": live, "billable_event": "IMPRESSION", "budget_type": "DAILY", "name": "same values"],
                    ["id": draft, "budget_type": "LIFETIME"],
                    ["id": draft, "budget_type": "LIFETIME", "end_time": end, "billable_event": "CLICKTHROUGH", "bid_in_micro_currency": 500_000],
                ])
            #expect(response.refused(0, "billable_event can only be changed on DRAFT ad groups", "ACTIVE"))
            #expect(response.refused(1, "budget_type can only be changed on DRAFT ad groups"))
            #expect(response.data(2)?["name"] as? String == "same values")
            #expect(response.refused(3, "budget_type LIFETIME requires end_time"))
            let changed = try #require(response.data(4), "\(response.text)")
            #expect(changed["budget_type"] as? String == "LIFETIME")
            #expect(changed["billable_event"] as? String == "CLICKTHROUGH")
        }
    }

    @Test("ads: name and URLs change; pin_id only on drafts; ad group and creative type stay; exceptions are one object")
    func adMerge() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let other = try #require(try await f.adGroup(tree.campaign)["id"] as? String)
            let draft = try #require(try await f.ad(tree.adGroup, ["status": "DRAFT"])["id"] as? String)
            let response = try await f.patch(
                "ads",
                [
                    ["id": tree.ad, "name": "renamed", "destination_url": "https://example.com/x", "grid_click_type": "CLOSEUP"],
                    ["id": tree.ad, "pin_id": "42"],
                    ["id": draft, "pin_id": "42"],
                    ["id": tree.ad, "ad_group_id": other],
                    ["id": tree.ad, "creative_type": "VIDEO"],
                    ["id": tree.ad, "name": String(repeating: "n", count: 256)],
                    ["id": tree.ad, "customizable_cta_type": "CLICK_HERE"],
                    ["id": tree.ad, "colour": "red"],
                    ["id": tree.ad, "destination_url": 5],
                    ["id": tree.ad, "pin_id": NSNull(), "name": NSNull()],
                ])
            #expect(response.status == 200)
            let first = try #require(response.data(0), "\(response.text)")
            #expect(first["name"] as? String == "renamed")
            #expect(first["destination_url"] as? String == "https://example.com/x")
            #expect(first["grid_click_type"] == nil, "read-only: ignored")
            #expect(first["pin_id"] as? String == "1234567890")
            #expect(first["review_status"] as? String == "APPROVED")
            #expect(response.refused(1, "pin_id can only be changed on DRAFT ads"))
            #expect(response.data(2)?["pin_id"] as? String == "42")
            #expect(response.refused(3, "ad_group_id cannot be changed"))
            #expect(response.refused(4, "creative_type cannot be changed"))
            #expect(response.refused(5, "name must be at most 255 characters"))
            #expect(response.refused(6, "customizable_cta_type must be one of"))
            #expect(response.refused(7, "colour is not a field of AdUpdateRequest"))
            #expect(response.refused(8, "destination_url must be a string"))
            #expect(response.data(9)?["pin_id"] as? String == "1234567890", "a null pin_id changes nothing")
            #expect(response.data(9)?["name"] is NSNull, "null clears the name")
            let exception = try #require(response.items[1]["exceptions"] as? [String: Any])
            #expect(exception["code"] as? Int == 1)
            #expect(try await f.get("ads/\(tree.ad)").object["name"] is NSNull)
        }
    }

    @Test("lists filter by their id parameters, one kind at a time")
    func listFilters() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let one = try await f.tree()
            let two = try await f.tree()
            #expect(try await f.get("campaigns", [("campaign_ids", one.campaign)]).items.count == 1)
            #expect(try await f.get("ad_groups", [("ad_group_ids", "\(one.adGroup),\(two.adGroup)")]).items.count == 2)
            #expect(try await f.get("ads", [("ad_ids", two.ad)]).items.compactMap { $0["id"] as? String } == [two.ad])
            #expect(try await f.get("ads", [("campaign_ids", one.campaign)]).items.compactMap { $0["id"] as? String } == [one.ad])
            let groupsBoth = try await f.get("ad_groups", [("campaign_ids", one.campaign), ("ad_group_ids", one.adGroup)])
            #expect(groupsBoth.status == 400)
            #expect(groupsBoth.message.contains("provide only one of campaign_ids, ad_group_ids"))
            let adsBoth = try await f.get("ads", [("ad_group_ids", one.adGroup), ("ad_ids", one.ad)])
            #expect(adsBoth.status == 400)
            #expect(adsBoth.message.hasPrefix("Invalid ad account ads parameters."))
            #expect(try await f.get("ads", [("ad_ids", (1...251).map(String.init).joined(separator: ","))]).status == 400)
        }
    }

    @Test("the review: approved at once by default, PENDING until the control API or the configured time decides")
    func review() async throws {
        try await withSandbox({ $0.adReviewSeconds = nil }) { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree(campaign: ["status": "ACTIVE"])
            var ad = try await f.get("ads/\(tree.ad)").object
            #expect(ad["review_status"] as? String == "PENDING")
            #expect(ad["summary_status"] as? String == "PENDING")
            let rejected = try await client.control(
                "POST", "/_sandbox/ads/review",
                json: ["ad_id": tree.ad, "review_status": "REJECTED", "rejected_reasons": ["LANDING_PAGE_BROKEN", "CLICKBAIT"]])
            #expect(rejected.status == 200)
            #expect(rejected.object["review_status"] as? String == "REJECTED")
            ad = try await f.get("ads/\(tree.ad)").object
            #expect(ad["review_status"] as? String == "REJECTED")
            #expect(ad["summary_status"] as? String == "REJECTED")
            #expect(ad["rejected_reasons"] as? [String] == ["LANDING_PAGE_BROKEN", "CLICKBAIT"])
            #expect(ad["rejection_labels"] as? [String] == ["Landing page broken", "Clickbait"])
            #expect(try await f.get("ads").items.first?["review_status"] as? String == "REJECTED")

            try sandbox.reviewAd(tree.ad, status: "APPROVED")
            ad = try await f.get("ads/\(tree.ad)").object
            #expect(ad["summary_status"] as? String == "APPROVED")
            #expect((ad["rejected_reasons"] as? [Any])?.isEmpty == true)

            func control(_ body: [String: Any]) async throws -> TestResponse {
                try await client.control("POST", "/_sandbox/ads/review", json: body)
            }
            #expect(try await control(["ad_id": "1", "review_status": "APPROVED"]).status == 404)
            let badReason = try await control(["ad_id": tree.ad, "review_status": "REJECTED", "rejected_reasons": ["UGLY"]])
            #expect(badReason.status == 400 && badReason.message.contains("rejected_reasons"))
            #expect(try await control(["ad_id": tree.ad, "review_status": "DONE"]).message.contains("review_status must be one of"))
            #expect(try await control(["ad_id": tree.ad, "review_status": "APPROVED", "rejected_reasons": ["OTHER"]]).status == 400)
            #expect(try await control(["ad_id": tree.ad, "status": "APPROVED"]).message.contains("status is not a field"))
            #expect(try await client.control("GET", "/_sandbox/ads/review").status == 405)
            #expect(throws: SandboxControlError.self) { try sandbox.reviewAd("1", status: "APPROVED") }
        }
        try await withSandbox({ $0.adReviewSeconds = 600 }) { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            #expect(try await f.get("ads/\(tree.ad)").object["review_status"] as? String == "PENDING")
            sandbox.advanceClock(by: 601)
            #expect(try await f.get("ads/\(tree.ad)").object["review_status"] as? String == "APPROVED")
        }
    }
}
