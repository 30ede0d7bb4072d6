import Foundation
import PinterestSandbox
import Testing

/// The ads operations the sandbox added for issue 17, recorded and checked against Pinterest's
/// OpenAPI description by `contrib/contract/validate_traffic.py`: the PATCH of campaigns, ad
/// groups and ads (with per-item exceptions), the lists with their status and id filters,
/// conversion tags, keywords (with error items) and the ad group and ad analytics.
@Suite("Contract: updates, conversion tags, keywords and level analytics against Pinterest's OpenAPI description")
struct ContractAdsTrafficTests {
    static func drive(_ sandbox: PinterestSandbox, _ client: TestHTTPClient) async throws {
        let f = AdAccountFixture(sandbox, client)
        let tree = try await f.tree()

        // Conversion tags.
        let tag = try await f.post("conversion_tags", ["name": "checkout tag", "aem_enabled": true, "md_frequency": 0.6])
        #expect(tag.status == 200)
        let tagID = try #require(tag.object["id"] as? String)
        #expect(try await f.post("conversion_tags", ["name": "plain"]).status == 200)
        #expect(try await f.post("conversion_tags", ["name": "bad", "colour": "red"]).status == 400)
        #expect(try await f.get("conversion_tags").status == 200)
        #expect(try await f.get("conversion_tags", [("filter_deleted", "true")]).status == 200)
        #expect(try await f.get("conversion_tags/\(tagID)").status == 200)
        #expect(try await f.get("conversion_tags/999").status == 404)

        // A WEB_CONVERSION ad group whose goal names the tag.
        let web = try #require(try await f.campaign(["objective_type": "WEB_CONVERSION"])["id"] as? String)
        let goal: [String: Any] = [
            "conversion_tag_v3_goal_metadata": [
                "conversion_tag_id": tagID, "conversion_event": "CHECKOUT", "cpa_goal_value_in_micro_currency": "5000000",
                "attribution_windows": ["click_window_days": 30, "engagement_window_days": 30, "view_window_days": 1],
            ]
        ]
        let webGroups = try await f.post(
            "ad_groups",
            [
                f.adGroupItem(web, ["billable_event": "CLICKTHROUGH", "optimization_goal_metadata": goal]),
                f.adGroupItem(web, ["billable_event": "CLICKTHROUGH"]),
            ])
        #expect(webGroups.data(0) != nil && webGroups.data(1) == nil)

        // PATCH of each level, each with a refused item.
        let campaigns = try await f.patch(
            "campaigns",
            [
                ["id": tree.campaign, "ad_account_id": f.accountID, "name": "renamed", "end_time": NSNull(), "lifetime_spend_cap": 90_000_000],
                ["id": "999", "ad_account_id": f.accountID, "name": "nobody"],
            ])
        #expect(campaigns.status == 200 && campaigns.data(0) != nil && campaigns.data(1) == nil)
        let groups = try await f.patch(
            "ad_groups",
            [
                ["id": tree.adGroup, "name": "renamed", "targeting_spec": ["LOCATION": ["US", "CA"], "GENDER": ["female"]]],
                ["id": tree.adGroup, "billable_event": "CLICKTHROUGH"],
            ])
        #expect(groups.status == 200 && groups.data(0) != nil && groups.data(1) == nil)
        let ads = try await f.patch(
            "ads", [["id": tree.ad, "name": "renamed", "destination_url": "https://example.com/a"], ["id": tree.ad, "colour": "red"]])
        #expect(ads.status == 200 && ads.data(0) != nil && ads.data(1) == nil)
        try sandbox.reviewAd(tree.ad, status: "REJECTED", rejectedReasons: ["LANDING_PAGE_BROKEN"])
        #expect(try await f.get("ads/\(tree.ad)").object["review_status"] as? String == "REJECTED")
        #expect(try await f.patch("ads", [["id": tree.ad, "status": "ARCHIVED"]]).data() != nil)

        // Lists with status and id filters.
        #expect(try await f.get("campaigns", [("campaign_ids", tree.campaign), ("entity_statuses", "ACTIVE"), ("entity_statuses", "PAUSED")]).status == 200)
        #expect(try await f.get("ad_groups", [("ad_group_ids", tree.adGroup)]).status == 200)
        #expect(try await f.get("ads", [("ad_ids", tree.ad), ("entity_statuses", "ARCHIVED")]).items.count == 1)
        #expect(try await f.get("ads", [("campaign_ids", tree.campaign), ("ad_group_ids", tree.adGroup)]).status == 400)

        // Keywords, with error items.
        let created = try await f.post(
            "keywords",
            [
                "parent_id": "AG\(tree.adGroup)",
                "keywords": [["value": "running shoes", "match_type": "EXACT"], ["value": "Running Shoes", "match_type": "EXACT"]],
            ] as [String: Any])
        #expect(created.status == 200)
        let keywordID = try #require((created.object["keywords"] as? [[String: Any]])?.first?["id"] as? String)
        let negative = try await f.post(
            "keywords",
            ["parent_id": tree.campaign, "keywords": [["value": "free", "match_type": "BROAD"], ["value": "cheap", "match_type": "PHRASE_NEGATIVE", "bid": NSNull()]]]
                as [String: Any])
        #expect((negative.object["errors"] as? [Any])?.count == 1)
        #expect(try await f.post("keywords", ["parent_id": f.accountID, "keywords": [["value": "gratis", "match_type": "EXACT_NEGATIVE"]]]).status == 200)
        #expect(try await f.get("keywords").items.count == 1)
        #expect(try await f.get("keywords", [("ad_group_id", tree.adGroup), ("match_types", "EXACT"), ("match_types", "BROAD")]).items.count == 1)
        #expect(try await f.get("keywords", [("campaign_id", tree.campaign), ("page_size", "1")]).status == 200)
        let archived = try await f.patch("keywords", ["keywords": [["id": keywordID, "archived": true], ["id": "12345", "archived": true]]])
        #expect((archived.object["errors"] as? [Any])?.count == 1)
        let restored = try await f.patch("keywords", ["keywords": [["id": keywordID, "archived": false]]])
        #expect((restored.object["errors"] as? [Any])?.count == 1)

        // Ad group and ad analytics.
        let today = try await AnalyticsTests.date(client, days: 0)
        let start = try await AnalyticsTests.date(client, days: -3)
        let columns = ("columns", "SPEND_IN_MICRO_DOLLAR,SPEND_IN_DOLLAR,TOTAL_IMPRESSION,CTR,AD_GROUP_NAME,CAMPAIGN_ID")
        let window: [(String, String)] = [("start_date", start), ("end_date", today), columns]
        #expect(try await f.get("ad_groups/analytics", window + [("ad_group_ids", tree.adGroup), ("granularity", "DAY")]).array.count == 4)
        #expect(try await f.get("ad_groups/analytics", window + [("ad_group_ids", tree.adGroup), ("granularity", "TOTAL"), ("aggregate_report_rows", "true")]).status == 200)
        let tooOld = try await AnalyticsTests.date(client, days: -91)
        let old: [(String, String)] = [("start_date", tooOld), ("end_date", today), columns, ("granularity", "DAY")]
        #expect(try await f.get("ad_groups/analytics", old + [("ad_group_ids", tree.adGroup)]).status == 400)
        #expect(try await f.get("ads/analytics", window + [("ad_ids", tree.ad), ("granularity", "WEEK"), ("click_window_days", "7")]).status == 200)
        #expect(try await f.get("ads/analytics", window + [("campaign_ids", tree.campaign), ("pin_ids", "1234567890"), ("granularity", "TOTAL")]).array.count == 1)
        #expect(try await f.get("ads/analytics", window + [("campaign_ids", tree.campaign), ("granularity", "TOTAL")]).status == 400)

        // Archiving the campaign archives the rest; archived objects refuse changes.
        #expect(try await f.patch("campaigns", [["id": tree.campaign, "ad_account_id": f.accountID, "status": "ARCHIVED"]]).data() != nil)
        #expect(try await f.patch("ad_groups", [["id": tree.adGroup, "name": "again"]]).data() == nil)
    }

    @Test("the recorded exchanges of the new operations conform to the spec")
    func recordedTrafficConforms() async throws {
        let folder = NSTemporaryDirectory() + "pinads-sandbox-contract-ads-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let traffic = folder + "/traffic.jsonl"
        let base = try await withSandbox({ $0.recordPath = traffic }) { sandbox, client in
            try await Self.drive(sandbox, client)
            return sandbox.baseURL
        }
        let records = try String(contentsOfFile: traffic, encoding: .utf8).split(separator: "\n")
        guard FileManager.default.fileExists(atPath: ContractCoverageTests.spec),
            FileManager.default.isExecutableFile(atPath: ContractCoverageTests.python)
        else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("the contract virtualenv or the spec is missing: contrib/scripts/test.sh makes .build/contract-venv")
            }
            print("contract check of the sandbox's ads traffic skipped: no spec or no .build/contract-venv")
            return
        }
        let report = try await ContractCoverageTests.validate(traffic: traffic, base: base, folder: folder)
        #expect(report.status == 0, "contract violations:\n\(report.text.suffix(8000))")
        #expect(report.text.contains("contract: \(records.count) passed, 0 failed"), "\(report.text.suffix(2000))")
        for operation in [
            "campaigns/update PATCH", "ad_groups/update PATCH", "ads/update PATCH", "campaigns/list GET", "ad_groups/list GET",
            "ads/list GET", "ads/get GET", "conversion_tags/create POST", "conversion_tags/list GET", "conversion_tags/get GET",
            "keywords/create POST", "keywords/get GET", "keywords/update PATCH", "ad_groups/analytics GET",
            "ads/analytics GET", "ad_groups/create POST",
        ] {
            #expect(report.text.contains(operation), "\(operation) was not checked")
        }
    }
}
