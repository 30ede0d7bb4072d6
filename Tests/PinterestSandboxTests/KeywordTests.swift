import Foundation
import PinterestSandbox
import Testing

@Suite("Keywords")
struct KeywordTests {
    static func create(_ f: AdAccountFixture, parent: String, _ keywords: [[String: Any]]) async throws -> TestResponse {
        try await f.post("keywords", ["parent_id": parent, "keywords": keywords] as [String: Any])
    }

    static func created(_ response: TestResponse) -> [[String: Any]] { response.object["keywords"] as? [[String: Any]] ?? [] }
    static func errors(_ response: TestResponse) -> [[String: Any]] { response.object["errors"] as? [[String: Any]] ?? [] }

    @Test("ad groups take every match type; campaigns and the ad account only the negative ones")
    func parents() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let onGroup = try await Self.create(
                f, parent: "AG\(tree.adGroup)",
                [
                    ["value": "running shoes", "match_type": "BROAD"], ["value": "trail shoes", "match_type": "PHRASE"],
                    ["value": "shoes", "match_type": "EXACT", "bid": 1_000_000], ["value": "cheap", "match_type": "EXACT_NEGATIVE"],
                ])
            #expect(onGroup.status == 200)
            let keywords = Self.created(onGroup)
            #expect(keywords.count == 4 && Self.errors(onGroup).isEmpty)
            let first = try #require(keywords.first)
            #expect((first["id"] as? String)?.count == 18)
            #expect(first["value"] as? String == "running shoes")
            #expect(first["match_type"] as? String == "BROAD")
            #expect(first["parent_id"] as? String == tree.adGroup, "no AG prefix in answers")
            #expect(first["parent_type"] as? String == "ad_group")
            #expect(first["archived"] as? Bool == false)
            #expect(first["type"] as? String == "keyword")
            #expect(keywords[2]["bid"] is NSNull, "bid is deprecated: never set")

            for parent in ["C\(tree.campaign)", tree.campaign, f.accountID] {
                let response = try await Self.create(
                    f, parent: parent,
                    [["value": "free \(parent)", "match_type": "BROAD"], ["value": "gratis \(parent)", "match_type": "PHRASE_NEGATIVE"]])
                #expect(response.status == 200)
                #expect(Self.created(response).compactMap { $0["match_type"] as? String } == ["PHRASE_NEGATIVE"])
                let error = try #require(Self.errors(response).first)
                #expect(error["error_messages"] as? [String] == ["Advertisers and Campaigns only accept excluded targeting attributes."])
                let data = try #require(error["data"] as? [String: Any])
                #expect(data["value"] as? String == "free \(parent)")
                #expect(data["match_type"] as? String == "BROAD")
                #expect(data["id"] == nil && data["parent_id"] == nil)
            }
            let types = try await f.get("keywords").items.compactMap { $0["parent_type"] as? String }
            #expect(types == ["advertiser"])
            #expect(try await f.get("keywords", [("campaign_id", tree.campaign)]).items.allSatisfy { $0["parent_type"] as? String == "campaign" })
            #expect(sandbox.stats().keywords == 7)
        }
    }

    @Test("a keyword of 1 to 120 characters, not already there, on a live parent; the others are still created")
    func perKeywordRules() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let parent = "AG\(tree.adGroup)"
            #expect(Self.created(try await Self.create(f, parent: parent, [["value": "shoes", "match_type": "EXACT"]])).count == 1)
            let response = try await Self.create(
                f, parent: parent,
                [
                    ["value": String(repeating: "k", count: 121), "match_type": "EXACT"], ["value": "", "match_type": "EXACT"],
                    ["value": "Shoes", "match_type": "EXACT"], ["value": "shoes", "match_type": "PHRASE"],
                    ["value": "boots", "match_type": "EXACT"], ["value": "boots", "match_type": "EXACT"],
                    ["value": "sandals", "match_type": NSNull()], ["value": String(repeating: "k", count: 120), "match_type": "EXACT"],
                ])
            #expect(response.status == 200)
            #expect(Self.created(response).compactMap { $0["value"] as? String } == ["shoes", "boots", String(repeating: "k", count: 120)])
            let messages = Self.errors(response).map { ($0["error_messages"] as? [String] ?? []).joined() }
            #expect(messages.count == 5)
            #expect(messages[0].contains("value must be 1 to 120 characters; it has 121"))
            #expect(messages[1].contains("value must be 1 to 120 characters; it has 0"))
            #expect(messages[2].contains("value \"Shoes\" with match_type EXACT already exists on ad_group \(tree.adGroup)"))
            #expect(messages[3].contains("value \"boots\" with match_type EXACT already exists"))
            #expect(messages[4].contains("match_type must be one of"))
            #expect((Self.errors(response)[4]["data"] as? [String: Any])?["match_type"] is NSNull)

            _ = try await f.patch("ad_groups", [["id": tree.adGroup, "status": "ARCHIVED"]])
            let archived = try await Self.create(f, parent: parent, [["value": "new", "match_type": "EXACT"]])
            #expect((Self.errors(archived).first?["error_messages"] as? [String])?.first?.contains("is ARCHIVED") == true)
        }
    }

    @Test("a body that breaks the schema is a 400 naming the field")
    func schema() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let other = AdAccountFixture(sandbox, client)
            let foreign = try #require(try await other.campaign()["id"] as? String)
            let cases: [([String: Any], String)] = [
                (["keywords": [["value": "a", "match_type": "EXACT"]]], "parent_id is required"),
                (["parent_id": "X\(tree.adGroup)", "keywords": []], "parent_id must match ^((AG)|C)?\\d+$"),
                (["parent_id": tree.adGroup], "keywords is required"),
                (["parent_id": tree.adGroup, "keywords": "shoes"], "keywords must be an array"),
                (["parent_id": tree.adGroup, "keywords": [["value": "a", "match_type": "FUZZY"]]], "keywords[0].match_type must be one of"),
                (["parent_id": tree.adGroup, "keywords": [["value": "a"]]], "keywords[0].match_type is required"),
                (["parent_id": tree.adGroup, "keywords": [["match_type": "EXACT"]]], "keywords[0].value is required"),
                (["parent_id": tree.adGroup, "keywords": [["value": 5, "match_type": "EXACT"]]], "keywords[0].value must be a string"),
                (["parent_id": tree.adGroup, "keywords": [["value": "a", "match_type": "EXACT", "archived": false]]], "keywords[0].archived is not a field of KeywordsCommon"),
                (["parent_id": tree.adGroup, "keywords": [["value": "a", "match_type": "EXACT", "bid": "1"]]], "keywords[0].bid must be an integer"),
                (["parent_id": tree.adGroup, "keywords": ["shoes"]], "keywords[0] must be an object, not string"),
                (["parent_id": tree.adGroup, "keywords": [], "ad_group_id": tree.adGroup], "ad_group_id is not a field of KeywordsRequest"),
                (["parent_id": foreign, "keywords": []], "parent_id \(foreign) is neither ad account \(f.accountID) nor one of its campaigns or ad groups"),
                (["parent_id": "AG\(tree.campaign)", "keywords": []], "is neither ad account"),
            ]
            for (body, expected) in cases {
                let response = try await f.post("keywords", body)
                #expect(response.status == 400, "\(body)")
                #expect(response.message.contains(expected), "\(response.message)")
            }
            #expect(sandbox.stats().keywords == 0)
        }
    }

    @Test("get: the ad account's own keywords without a filter, else the parents named; archived ones never; pages")
    func list() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let one = try await f.tree()
            let two = try await f.tree()
            _ = try await Self.create(f, parent: f.accountID, [["value": "gratis", "match_type": "EXACT_NEGATIVE"]])
            _ = try await Self.create(
                f, parent: one.adGroup,
                (0..<5).map { ["value": "one \($0)", "match_type": $0 % 2 == 0 ? "EXACT" : "BROAD"] })
            _ = try await Self.create(f, parent: two.adGroup, [["value": "two", "match_type": "PHRASE"]])
            _ = try await Self.create(f, parent: one.campaign, [["value": "campaign", "match_type": "PHRASE_NEGATIVE"]])
            #expect(try await f.get("keywords").items.compactMap { $0["value"] as? String } == ["gratis"])
            #expect(try await f.get("keywords", [("ad_group_id", one.adGroup)]).items.count == 5)
            #expect(try await f.get("keywords", [("ad_group_ids", "\(one.adGroup),\(two.adGroup)")]).items.count == 6)
            #expect(try await f.get("keywords", [("campaign_id", one.campaign)]).items.compactMap { $0["value"] as? String } == ["campaign"])
            let exact = try await f.get("keywords", [("ad_group_id", one.adGroup), ("match_types", "EXACT")])
            #expect(exact.items.count == 3)
            let both = try await f.get("keywords", [("ad_group_id", one.adGroup), ("match_types", "EXACT"), ("match_types", "BROAD")])
            #expect(both.items.count == 5)

            let page = try await f.get("keywords", [("ad_group_id", one.adGroup), ("page_size", "2")])
            #expect(page.items.count == 2)
            let bookmark = try #require(page.object["bookmark"] as? String)
            let next = try await f.get("keywords", [("ad_group_id", one.adGroup), ("page_size", "2"), ("bookmark", bookmark)])
            #expect(next.items.compactMap { $0["value"] as? String } == ["one 2", "one 3"])
            let all = try await f.get("keywords", [("ad_group_id", one.adGroup), ("page_size", "250")])
            #expect(all.object["bookmark"] is NSNull)

            for bad in [
                [("match_types", "FUZZY")], [("page_size", "0")], [("page_size", "251")], [("ad_group_id", "AG1")],
                [("ad_group_ids", (1...251).map(String.init).joined(separator: ","))], [("bookmark", "nope")],
            ] {
                let response = try await f.get("keywords", bad)
                #expect(response.status == 400, "\(bad)")
                #expect(response.message.contains(bad[0].0), "\(response.message)")
            }
        }
    }

    @Test("update archives (which deletes: no way back); unknown ids and restores go to errors")
    func update() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let tree = try await f.tree()
            let made = Self.created(
                try await Self.create(f, parent: tree.adGroup, [["value": "a", "match_type": "EXACT"], ["value": "b", "match_type": "EXACT"]]))
            let ids = made.compactMap { $0["id"] as? String }
            #expect(ids.count == 2)
            let response = try await f.patch(
                "keywords", ["keywords": [["id": ids[0], "archived": true, "bid": NSNull()], ["id": ids[1]], ["id": "123", "archived": true]]])
            #expect(response.status == 200)
            let updated = Self.created(response)
            #expect(updated.count == 2)
            #expect(updated[0]["archived"] as? Bool == true)
            #expect(updated[1]["archived"] as? Bool == false)
            let missing = try #require(Self.errors(response).first)
            #expect((missing["error_messages"] as? [String])?.first?.contains("id 123 is not a keyword of ad account") == true)
            #expect(try await f.get("keywords", [("ad_group_id", tree.adGroup)]).items.compactMap { $0["id"] as? String } == [ids[1]])

            let restore = try await f.patch("keywords", ["keywords": [["id": ids[0], "archived": false]]])
            #expect(Self.created(restore).isEmpty)
            let refused = try #require(Self.errors(restore).first)
            #expect((refused["error_messages"] as? [String])?.first?.contains("cannot be restored") == true)
            #expect((refused["data"] as? [String: Any])?["id"] as? String == ids[0])
            let again = Self.created(try await Self.create(f, parent: tree.adGroup, [["value": "a", "match_type": "EXACT"]]))
            #expect(again.count == 1, "an archived keyword does not block re-creating it")

            for (body, expected) in [
                (["keywords": [["id": ids[1], "value": "c"]]], "keywords[0].value is not a field of KeywordUpdate"),
                (["keywords": [["archived": true]]], "keywords[0].id is required"),
                (["keywords": [["id": ids[1], "archived": "yes"]]], "keywords[0].archived must be a boolean"),
                ([String: Any](), "keywords is required"),
                (["keywords": [], "parent_id": tree.adGroup], "parent_id is not a field of KeywordUpdateBody"),
            ] as [([String: Any], String)] {
                let bad = try await f.patch("keywords", body)
                #expect(bad.status == 400)
                #expect(bad.message.contains(expected), "\(bad.message)")
            }
        }
    }
}
