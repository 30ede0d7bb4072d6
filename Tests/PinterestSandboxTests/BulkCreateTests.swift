import Foundation
import PinterestSandbox
import Testing

@Suite("Campaigns, ad groups and ads")
struct BulkCreateTests {
    struct Fixture {
        var token: String
        var accountID: String
        var path: String
    }

    static func fixture(_ sandbox: PinterestSandbox) -> Fixture {
        let seeded = sandbox.seedToken(adAccounts: 1)
        return Fixture(
            token: seeded.accessToken, accountID: seeded.adAccountIDs[0],
            path: PinterestSandbox.account(seeded.adAccountIDs[0]))
    }

    static func campaign(_ account: String, _ name: String, extra: [String: Any] = [:]) -> [String: Any] {
        var item: [String: Any] = ["ad_account_id": account, "name": name, "objective_type": "AWARENESS"]
        item.merge(extra) { $1 }
        return item
    }

    @Test("campaigns default to ACTIVE; invalid items get an exceptions array without failing the call")
    func campaigns() async throws {
        try await withSandbox { sandbox, client in
            let f = Self.fixture(sandbox)
            let response = try await client.post(
                "\(f.path)/campaigns",
                json: [
                    Self.campaign(f.accountID, "plain"),
                    Self.campaign(f.accountID, "paused", extra: ["status": "PAUSED", "daily_spend_cap": 5_000_000]),
                    Self.campaign(f.accountID, "bad objective", extra: ["objective_type": "SALES"]),
                    ["name": "no account or objective"],
                    Self.campaign(f.accountID, "string money", extra: ["daily_spend_cap": "5000000"]),
                    Self.campaign(f.accountID, "two caps", extra: ["daily_spend_cap": 1, "lifetime_spend_cap": 2]),
                    Self.campaign("123", "other account"),
                ], token: f.token)
            #expect(response.status == 200)
            let items = response.items
            #expect(items.count == 7)
            let created = items[0]["data"] as? [String: Any]
            let id = try #require(created?["id"] as? String)
            #expect(id.count == 18)
            #expect(UInt64(id).map { $0 > 1 << 53 } == true)
            #expect(created?["status"] as? String == "ACTIVE")
            #expect(created?["summary_status"] as? String == "RUNNING")
            #expect(created?["type"] as? String == "campaign")
            #expect((items[0]["exceptions"] as? [Any])?.isEmpty == true)
            #expect((items[1]["data"] as? [String: Any])?["status"] as? String == "PAUSED")
            #expect((items[1]["data"] as? [String: Any])?["daily_spend_cap"] as? Int == 5_000_000)
            for failed in items[2...] {
                #expect(failed["data"] == nil)
                let exceptions = try #require(failed["exceptions"] as? [[String: Any]])
                #expect(!exceptions.isEmpty)
                #expect(exceptions.allSatisfy { $0["code"] is Int && $0["message"] is String })
            }
            let messages = (items[3]["exceptions"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(messages.contains { $0.contains("ad_account_id") })
            #expect(messages.contains { $0.contains("objective_type") })
            #expect(sandbox.stats().campaigns == 2)
        }
    }

    @Test("bulk bodies take 1 to 30 items: 0 and 31 are 400")
    func bulkSizeLimits() async throws {
        try await withSandbox { sandbox, client in
            let f = Self.fixture(sandbox)
            let thirtyOne = (0..<31).map { Self.campaign(f.accountID, "c\($0)") }
            let tooMany = try await client.post("\(f.path)/campaigns", json: thirtyOne, token: f.token)
            #expect(tooMany.status == 400)
            #expect(tooMany.code != nil)
            #expect(try await client.post("\(f.path)/campaigns", json: [Any](), token: f.token).status == 400)
            #expect(try await client.post("\(f.path)/ads", json: [Any](), token: f.token).status == 400)
            let notArray = try await client.post("\(f.path)/campaigns", json: Self.campaign(f.accountID, "x"), token: f.token)
            #expect(notArray.status == 400)
            let thirty = (0..<30).map { Self.campaign(f.accountID, "c\($0)") }
            let ok = try await client.post("\(f.path)/campaigns", json: thirty, token: f.token)
            #expect(ok.status == 200)
            #expect(ok.items.count == 30)
            #expect(sandbox.stats().campaigns == 30)
        }
    }

    @Test("ad groups need a campaign of the account and a budget; ads answer exceptions as one object")
    func adGroupsAndAds() async throws {
        try await withSandbox { sandbox, client in
            let f = Self.fixture(sandbox)
            let campaigns = try await client.post(
                "\(f.path)/campaigns", json: [Self.campaign(f.accountID, "c", extra: ["status": "PAUSED"])],
                token: f.token)
            let campaignID = try #require((campaigns.items.first?["data"] as? [String: Any])?["id"] as? String)

            let groups = try await client.post(
                "\(f.path)/ad_groups",
                json: [
                    [
                        "campaign_id": campaignID, "name": "g", "billable_event": "IMPRESSION",
                        "budget_in_micro_currency": 10_000_000, "bid_in_micro_currency": 1_000_000,
                        "targeting_spec": ["LOCATION": ["US"], "GENDER": ["female"]], "auto_targeting_enabled": false,
                    ],
                    ["campaign_id": "999", "name": "g2", "billable_event": "IMPRESSION", "budget_in_micro_currency": 1],
                    ["campaign_id": campaignID, "name": "no budget", "billable_event": "IMPRESSION", "bid_in_micro_currency": 1],
                    [
                        "campaign_id": campaignID, "name": "bad targeting", "billable_event": "CLICKTHROUGH",
                        "budget_in_micro_currency": 1, "targeting_spec": ["GENDER": ["women"]],
                    ],
                ], token: f.token)
            #expect(groups.status == 200)
            let group = try #require(groups.items[0]["data"] as? [String: Any])
            let groupID = try #require(group["id"] as? String)
            #expect(group["campaign_id"] as? String == campaignID)
            #expect(group["status"] as? String == "ACTIVE")
            #expect(group["auto_targeting_enabled"] as? Bool == false)
            #expect(group["budget_type"] as? String == "DAILY")
            for failed in groups.items[1...] {
                #expect(failed["data"] == nil)
                #expect((failed["exceptions"] as? [[String: Any]])?.isEmpty == false)
            }

            let ads = try await client.post(
                "\(f.path)/ads",
                json: [
                    ["ad_group_id": groupID, "creative_type": "REGULAR", "pin_id": "1234567890"],
                    ["ad_group_id": "1", "creative_type": "REGULAR", "pin_id": "1"],
                    ["ad_group_id": groupID, "creative_type": "BANNER", "pin_id": "1"],
                ], token: f.token)
            #expect(ads.status == 200)
            let ad = try #require(ads.items[0]["data"] as? [String: Any])
            #expect(ad["ad_group_id"] as? String == groupID)
            #expect(ad["campaign_id"] as? String == campaignID)
            #expect(ad["status"] as? String == "ACTIVE")
            for failed in ads.items[1...] {
                #expect(failed["data"] == nil)
                let exception = try #require(failed["exceptions"] as? [String: Any])
                #expect(exception["code"] is Int)
                #expect(exception["message"] is String)
            }

            // Lists filter by status (default ACTIVE and PAUSED) and ids.
            let listed = try await client.get("\(f.path)/campaigns", token: f.token)
            #expect(listed.items.count == 1)
            let active = try await client.get(
                "\(f.path)/campaigns", query: [("entity_statuses", "ACTIVE")], token: f.token)
            #expect(active.items.isEmpty)
            let groupList = try await client.get(
                "\(f.path)/ad_groups", query: [("campaign_ids", campaignID)], token: f.token)
            #expect(groupList.items.count == 1)
            let adList = try await client.get("\(f.path)/ads", query: [("ad_group_ids", groupID)], token: f.token)
            #expect(adList.items.count == 1)
            let badStatus = try await client.get(
                "\(f.path)/campaigns", query: [("entity_statuses", "RUNNING")], token: f.token)
            #expect(badStatus.status == 400)
            #expect(badStatus.code == 400)
            #expect(try await client.get("\(f.path)/campaigns/\(campaignID)", token: f.token).status == 200)
            #expect(try await client.get("\(f.path)/ad_groups/\(groupID)", token: f.token).status == 200)
            let stats = sandbox.stats()
            #expect(stats.adGroups == 1)
            #expect(stats.ads == 1)
        }
    }

    @Test("targeting must use audience ids, not customer list ids")
    func targetingAudiences() async throws {
        try await withSandbox { sandbox, client in
            let f = Self.fixture(sandbox)
            let list = try await client.post(
                "\(f.path)/customer_lists", json: ["name": "l", "records": "a@example.com"], token: f.token)
            let listID = try #require(list.object["id"] as? String)
            let audience = try await client.post(
                "\(f.path)/audiences",
                json: ["name": "a", "audience_type": "CUSTOMER_LIST", "rule": ["customer_list_id": listID]],
                token: f.token)
            let audienceID = try #require(audience.object["id"] as? String)
            let campaign = try await client.post(
                "\(f.path)/campaigns", json: [Self.campaign(f.accountID, "c")], token: f.token)
            let campaignID = try #require((campaign.items.first?["data"] as? [String: Any])?["id"] as? String)
            func group(_ audience: String) -> [String: Any] {
                [
                    "campaign_id": campaignID, "name": "g", "billable_event": "IMPRESSION",
                    "budget_in_micro_currency": 1_000_000, "bid_in_micro_currency": 1_000,
                    "targeting_spec": ["LOCATION": ["US"], "AUDIENCE_INCLUDE": [audience]],
                ]
            }
            let groups = try await client.post("\(f.path)/ad_groups", json: [group(audienceID), group(listID)], token: f.token)
            #expect(groups.items[0]["data"] != nil)
            let message = (groups.items[1]["exceptions"] as? [[String: Any]])?.first?["message"] as? String ?? ""
            #expect(message.contains("customer list"))
        }
    }
}
