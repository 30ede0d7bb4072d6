import Foundation
import PinterestSandbox
import Testing

@Suite("Conversion tags")
struct ConversionTagTests {
    @Test("create answers a ConversionTag: AEM flags under configs, a code snippet, ACTIVE, version 3, never fired")
    func create() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let response = try await f.post(
                "conversion_tags", ["name": "Checkout", "aem_enabled": true, "aem_ph_enabled": NSNull(), "md_frequency": 0.6])
            #expect(response.status == 200)
            let tag = response.object
            let id = try #require(tag["id"] as? String)
            #expect(!id.isEmpty && id.allSatisfy(\.isNumber))
            #expect(tag["ad_account_id"] as? String == f.accountID)
            #expect(tag["name"] as? String == "Checkout")
            #expect(tag["status"] as? String == "ACTIVE")
            #expect(tag["version"] as? String == "3")
            #expect(tag["last_fired_time_ms"] is NSNull)
            #expect(tag["enhanced_match_status"] as? String == "NOT_VALIDATED")
            #expect((tag["code_snippet"] as? String)?.contains("pintrk('load', '\(id)'") == true)
            #expect(tag["aem_enabled"] == nil, "the flags are nested under configs in answers")
            let configs = try #require(tag["configs"] as? [String: Any])
            #expect(configs["aem_enabled"] as? Bool == true)
            #expect(configs["aem_ph_enabled"] as? Bool == false, "null means the default, false")
            #expect(configs["aem_external_id_enabled"] as? Bool == false)
            #expect(configs["md_frequency"] as? Double == 0.6)
            #expect((configs["no_code_capi_domains"] as? [Any])?.isEmpty == true)

            let plain = try await f.post("conversion_tags", ["name": "Plain"]).object
            #expect(plain["enhanced_match_status"] as? String == "UNKNOWN")
            #expect((plain["configs"] as? [String: Any])?["md_frequency"] as? Int == 1)
            #expect(sandbox.stats().conversionTags == 2)
            #expect(sandbox.stats().byOperation["conversion_tags/create"] == 2)
        }
    }

    @Test("unknown fields, a missing name and wrong types are 400s naming the field")
    func refusals() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let cases: [([String: Any], String)] = [
                (["name": "t", "colour": "red"], "colour is not a field of ConversionTagCreate"),
                ([:], "name is required"),
                (["name": ""], "name must not be empty"),
                (["name": 5], "name must be a string"),
                (["name": "t", "aem_enabled": "yes"], "aem_enabled must be a boolean"),
                (["name": "t", "md_frequency": "1"], "md_frequency must be a number"),
                (["name": "t", "configs": ["aem_enabled": true]], "configs is not a field of ConversionTagCreate"),
            ]
            for (body, expected) in cases {
                let response = try await f.post("conversion_tags", body)
                #expect(response.status == 400, "\(body)")
                #expect(response.code == 1)
                #expect(response.message.contains(expected), "\(response.message)")
            }
            #expect(try await f.post("conversion_tags", [["name": "t"]]).status == 400, "one object, not an array")
            #expect(sandbox.stats().conversionTags == 0)
        }
    }

    @Test("list and get see only the ad account's tags; list has no bookmark")
    func listAndGet() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let other = AdAccountFixture(sandbox, client)
            let first = try await f.conversionTag("a")
            let second = try await f.conversionTag("b")
            let foreign = try await other.conversionTag("c")
            let list = try await f.get("conversion_tags")
            #expect(list.status == 200)
            #expect(list.items.compactMap { $0["id"] as? String } == [first, second])
            #expect(list.object.keys.sorted() == ["items"], "no bookmark")
            #expect(try await f.get("conversion_tags", [("filter_deleted", "true")]).items.count == 2)
            #expect(try await f.get("conversion_tags", [("filter_deleted", "maybe")]).status == 400)
            let got = try await f.get("conversion_tags/\(second)")
            #expect(got.object["name"] as? String == "b")
            #expect((got.object["configs"] as? [String: Any]) != nil)
            #expect(try await f.get("conversion_tags/\(foreign)").status == 404)
            #expect(try await f.get("conversion_tags/1").status == 404)
            #expect(try await client.send("DELETE", "\(f.path)/conversion_tags/\(first)", auth: .bearer(f.token)).status == 405)
        }
    }

    @Test("tests can make a tag without a /v5 call, in Swift or over the control API")
    func seeding() async throws {
        try await withSandbox { sandbox, client in
            let f = AdAccountFixture(sandbox, client)
            let swift = try sandbox.seedConversionTag(adAccountID: f.accountID)
            let http = try await client.control("POST", "/_sandbox/conversion_tags", json: ["ad_account_id": f.accountID, "name": "seeded"])
            #expect(http.status == 200)
            let id = try #require(http.object["id"] as? String)
            #expect(try await f.get("conversion_tags").items.compactMap { $0["id"] as? String } == [swift, id])
            #expect(try await f.get("conversion_tags/\(id)").object["name"] as? String == "seeded")
            #expect(try await client.control("POST", "/_sandbox/conversion_tags", json: ["ad_account_id": "1"]).status == 404)
            #expect(try await client.control("POST", "/_sandbox/conversion_tags", json: ["ad_account_id": f.accountID, "nom": "x"]).status == 400)
            #expect(throws: SandboxControlError.self) { try sandbox.seedConversionTag(adAccountID: "1") }
            #expect(sandbox.stats().byOperation["conversion_tags/create"] == nil, "no /v5 request was made")
        }
    }

    @Test("creating needs ads:write, reading ads:read")
    func scopes() async throws {
        try await withSandbox { sandbox, client in
            let code = try AuthorizeTests.code(sandbox, scope: "ads:read")
            let exchanged = try await AuthorizeTests.exchange(client, code)
            let readOnly = try #require(exchanged.object["access_token"] as? String)
            let account = try #require(try await client.get("/v5/ad_accounts", token: readOnly).items.first?["id"] as? String)
            let path = PinterestSandbox.account(account) + "/conversion_tags"
            let refused = try await client.post(path, json: ["name": "t"], token: readOnly)
            #expect(refused.status == 401)
            #expect(refused.code == 3)
            #expect(try await client.get(path, token: readOnly).status == 200)
        }
    }
}
