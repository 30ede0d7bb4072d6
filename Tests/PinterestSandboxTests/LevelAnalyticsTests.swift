import Foundation
import PinterestSandbox
import Testing

@Suite("Ad group and ad analytics")
struct LevelAnalyticsTests {
    static let columns = "SPEND_IN_MICRO_DOLLAR,SPEND_IN_DOLLAR,TOTAL_IMPRESSION,CTR,AD_GROUP_NAME,CAMPAIGN_ID,AD_ID,PIN_ID"

    @Test("ad group rows are keyed AD_GROUP_ID, deterministic per id and day; TOTAL sums the days; aggregated rows have no key")
    func adGroups() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let second = try #require(try await f.adGroup(tree.campaign, ["name": "second"])["id"] as? String)
            let start = try await AnalyticsTests.date(client, days: -6)
            let end = try await AnalyticsTests.date(client, days: 0)
            let base: [(String, String)] = [("start_date", start), ("end_date", end), ("columns", Self.columns)]
            let ids: [(String, String)] = [("ad_group_ids", tree.adGroup), ("ad_group_ids", second), ("ad_group_ids", "999")]
            let daily = try await f.get("ad_groups/analytics", base + ids + [("granularity", "DAY")])
            #expect(daily.status == 200)
            let rows = daily.array.compactMap { $0 as? [String: Any] }
            #expect(rows.count == 14)
            #expect(Set(rows.compactMap { $0["AD_GROUP_ID"] as? String }) == [tree.adGroup, second])
            #expect(rows.allSatisfy { $0["CAMPAIGN_ID"] as? String == tree.campaign && $0["DATE"] is String })
            #expect(rows.last?["AD_GROUP_NAME"] as? String == "second")
            #expect(rows.allSatisfy { $0["AD_ID"] == nil && $0["PIN_ID"] == nil }, "ad-level columns have no value here")
            let again = try await f.get("ad_groups/analytics", base + ids + [("granularity", "DAY")])
            #expect(again.body == daily.body)

            let total = try await f.get("ad_groups/analytics", base + ids + [("granularity", "TOTAL")])
            let totals = total.array.compactMap { $0 as? [String: Any] }
            #expect(totals.count == 2)
            for id in [tree.adGroup, second] {
                let days = rows.filter { $0["AD_GROUP_ID"] as? String == id }.compactMap { $0["TOTAL_IMPRESSION"] as? Int }
                #expect(totals.first { $0["AD_GROUP_ID"] as? String == id }?["TOTAL_IMPRESSION"] as? Int == days.reduce(0, +))
            }
            // Numbers come from the id as a campaign's do, so the two levels differ but are alike.
            let campaign = try await f.get(
                "campaigns/analytics", base + [("campaign_ids", tree.campaign), ("granularity", "TOTAL")])
            let campaignSpend = try #require((campaign.array.first as? [String: Any])?["SPEND_IN_MICRO_DOLLAR"] as? Int)
            let groupSpend = try #require(totals.first?["SPEND_IN_MICRO_DOLLAR"] as? Int)
            #expect(campaignSpend != groupSpend)
            #expect((7_000_000...350_000_000).contains(groupSpend))

            let aggregated = try await f.get(
                "ad_groups/analytics", base + ids + [("granularity", "TOTAL"), ("aggregate_report_rows", "true")])
            let sum = try #require(aggregated.array.first as? [String: Any])
            #expect(aggregated.array.count == 1)
            #expect(sum["AD_GROUP_ID"] == nil && sum["AD_GROUP_NAME"] == nil)
            #expect(sum["TOTAL_IMPRESSION"] as? Int == totals.compactMap { $0["TOTAL_IMPRESSION"] as? Int }.reduce(0, +))
            #expect(sandbox.stats().byOperation["ad_groups/analytics"] == 4)
        }
    }

    @Test("ad group analytics: ad_group_ids required (1 to 250) and the campaign report's limits, with its own message")
    func adGroupLimits() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let today = try await AnalyticsTests.date(client, days: 0)
            let old = try await AnalyticsTests.date(client, days: -91)
            let base: [(String, String)] = [("start_date", today), ("end_date", today), ("columns", "TOTAL_CLICKTHROUGH"), ("granularity", "DAY")]
            let cases: [([(String, String)], String)] = [
                (base, "ad_group_ids is required"),
                (base + [("ad_group_ids", (1...251).map(String.init).joined(separator: ","))], "ad_group_ids takes 1 to 250 ids; got 251"),
                (base + [("ad_group_ids", "AG1")], "ad_group_ids must be digit strings"),
                ([("start_date", old), ("end_date", today), ("columns", "TOTAL_CLICKTHROUGH"), ("granularity", "DAY"), ("ad_group_ids", "1")],
                    "start_date must be within 90 days"),
                (base.map { $0.0 == "columns" ? ("columns", "CLICKS") : $0 } + [("ad_group_ids", "1")], "columns: \"CLICKS\""),
                (base + [("ad_group_ids", "1"), ("view_window_days", "3")], "view_window_days must be one of"),
                (base + [("ad_group_ids", "1"), ("aggregate_report_rows", "yes")], "aggregate_report_rows must be true or false"),
            ]
            for (query, expected) in cases {
                let response = try await f.get("ad_groups/analytics", query)
                #expect(response.status == 400)
                #expect(response.code == 400)
                #expect(response.message.hasPrefix("Invalid ad account group analytics parameters."))
                #expect(response.message.contains(expected), "\(response.message)")
            }
            #expect(try await f.get("ad_groups/analytics", base + [("ad_group_ids", (1...250).map(String.init).joined(separator: ","))]).status == 200)
        }
    }

    @Test("ad rows are keyed AD_ID; ads are chosen by ad_ids, or by campaign_ids with pin_ids")
    func ads() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let other = try #require(try await f.ad(tree.adGroup, ["pin_id": "777", "name": "other"])["id"] as? String)
            let today = try await AnalyticsTests.date(client, days: 0)
            let start = try await AnalyticsTests.date(client, days: -2)
            let base: [(String, String)] = [("start_date", start), ("end_date", today), ("columns", Self.columns), ("granularity", "DAY")]
            let byID = try await f.get("ads/analytics", base + [("ad_ids", "\(tree.ad),\(other)")])
            #expect(byID.status == 200)
            let rows = byID.array.compactMap { $0 as? [String: Any] }
            #expect(rows.count == 6)
            #expect(rows.allSatisfy { $0["AD_ID"] is String && $0["CAMPAIGN_ID"] as? String == tree.campaign })
            #expect(rows.first?["PIN_ID"] as? String == "1234567890")
            #expect(rows.last?["PIN_ID"] as? String == "777")
            #expect(rows.first?["AD_GROUP_NAME"] as? String == "g")

            let byPin = try await f.get("ads/analytics", base + [("campaign_ids", tree.campaign), ("pin_ids", "777")])
            #expect(Set(byPin.array.compactMap { ($0 as? [String: Any])?["AD_ID"] as? String }) == [other])
            let narrowed = try await f.get("ads/analytics", base + [("ad_ids", tree.ad), ("pin_ids", "777")])
            #expect(narrowed.array.isEmpty)

            let cases: [([(String, String)], String)] = [
                (base, "the request must contain either ad_ids, or both campaign_ids and pin_ids"),
                (base + [("campaign_ids", tree.campaign)], "either ad_ids, or both campaign_ids and pin_ids"),
                (base + [("pin_ids", "777")], "either ad_ids, or both campaign_ids and pin_ids"),
                (base + [("ad_ids", tree.ad), ("aggregate_report_rows", "true")], "aggregate_report_rows is not a parameter"),
                (base + [("campaign_ids", tree.campaign), ("pin_ids", (1...101).map(String.init).joined(separator: ","))], "pin_ids takes 1 to 100 ids; got 101"),
                (base.map { $0.0 == "granularity" ? ("granularity", "HOUR") : $0 } + [("ad_ids", tree.ad)], ""),
            ]
            for (query, expected) in cases.dropLast() {
                let response = try await f.get("ads/analytics", query)
                #expect(response.status == 400)
                #expect(response.message.hasPrefix("Invalid ad account ads analytics parameters."))
                #expect(response.message.contains(expected), "\(response.message)")
            }
            #expect(try await f.get("ads/analytics", cases[5].0).status == 200, "3 days of HOUR is within the limit")
            let fourDays = try await AnalyticsTests.date(client, days: -4)
            let hourly: [(String, String)] = [
                ("start_date", fourDays), ("end_date", today), ("columns", "TOTAL_IMPRESSION"), ("granularity", "HOUR"), ("ad_ids", tree.ad),
            ]
            #expect(try await f.get("ads/analytics", hourly).message.contains("at most 3 days after start_date"))
        }
    }

    @Test("Business Access: analytics need Admin, Analyst or Campaign Manager")
    func roles() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let today = try await AnalyticsTests.date(client, days: 0)
            let query: [(String, String)] = [("start_date", today), ("end_date", today), ("columns", "TOTAL_IMPRESSION"), ("granularity", "DAY")]
            for (roles, allowed) in [(["AUDIENCE_MANAGER"], false), (["ANALYST"], true)] {
                let agency = try sandbox.seedToken(adAccounts: 0, shareAdAccounts: [f.accountID], permissions: roles)
                let groups = try await client.get("\(f.path)/ad_groups/analytics", query: query + [("ad_group_ids", tree.adGroup)], token: agency.accessToken)
                let ads = try await client.get("\(f.path)/ads/analytics", query: query + [("ad_ids", tree.ad)], token: agency.accessToken)
                #expect(groups.status == (allowed ? 200 : 403), "\(roles)")
                #expect(ads.status == (allowed ? 200 : 403), "\(roles)")
            }
        }
    }
}
