import Foundation
import PinAdsJSON
import Testing

@testable import PinterestAPI

@Suite("Pinterest client: conversion tags and keywords (scripted transport)")
struct PinterestClientTagTests {
    let token = AccessToken("pina_SECRET_ACCESS_TOKEN")
    let account = "549755885175"
    let base = "http://sandbox.test/v5/ad_accounts/549755885175"

    /// The `ConversionTag` of openapi.yaml, from its field examples.
    static let tagJSON = #"""
        {"ad_account_id":"549755885175","code_snippet":"<script type=text/javascript> [...]","configs":{"aem_enabled":true,"aem_fnln_enabled":false,"aem_ph_enabled":null,"aem_ge_enabled":false,"aem_db_enabled":false,"aem_loc_enabled":false,"aem_external_id_enabled":false,"md_frequency":0.6,"no_code_capi_domains":["https://sub.exampledomain.com"]},"enhanced_match_status":"VALIDATION_COMPLETE","id":"2617998078212","last_fired_time_ms":1599030000000,"name":"ACME Checkout Test Tag","status":"ACTIVE","version":"3"}
        """#

    static let tag = ConversionTag(
        id: "2617998078212", adAccountID: "549755885175", name: "ACME Checkout Test Tag", status: "ACTIVE",
        codeSnippet: "<script type=text/javascript> [...]", enhancedMatchStatus: "VALIDATION_COMPLETE", lastFiredTimeMs: 1_599_030_000_000,
        version: "3",
        configs: .init(
            aemEnabled: true, aemFnlnEnabled: false, aemPhEnabled: nil, aemGeEnabled: false, aemDbEnabled: false, aemLocEnabled: false,
            aemExternalIDEnabled: false, mdFrequency: 0.6, noCodeCapiDomains: ["https://sub.exampledomain.com"]))

    @Test func conversionTagsListGetAndCreateWith201() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":["# + Self.tagJSON + #",{"ad_account_id":"549755885175","name":"bare"}]}"#),
            scripted(#"{"items":[]}"#),
            scripted(Self.tagJSON),
            scripted(Self.tagJSON, status: 201),
        ])
        let client = scriptedClient(transport)
        let tags = try await client.listConversionTags(token: token, adAccountID: account)
        #expect(tags.first == Self.tag, "configs nest the AEM flags")
        #expect(tags.last?.id == nil && tags.last?.configs == nil)
        #expect(try await client.listConversionTags(token: token, adAccountID: account, filterDeleted: false).isEmpty)
        #expect(try await client.conversionTag(token: token, adAccountID: account, id: "2617998078212") == Self.tag)
        let created = try await client.createConversionTag(
            token: token, adAccountID: account, ConversionTagCreate(name: "ACME Checkout Test Tag", aemEnabled: true, mdFrequency: 0.6))
        #expect(created == Self.tag)
        let requests = transport.requests
        #expect(requests.map(\.method) == ["GET", "GET", "GET", "POST"])
        #expect(
            requests.map(\.url) == [
                "\(base)/conversion_tags?filter_deleted=true", "\(base)/conversion_tags?filter_deleted=false",
                "\(base)/conversion_tags/2617998078212", "\(base)/conversion_tags",
            ])
        #expect(String(decoding: requests[3].body, as: UTF8.self) == #"{"aem_enabled":true,"md_frequency":0.6,"name":"ACME Checkout Test Tag"}"#)
        #expect(!requests[3].mayReplay, "a create is not replayed")
        await #expect(throws: PinterestError.self) { try await client.conversionTag(token: token, adAccountID: account, id: "../x") }
        #expect(transport.requests.count == 4)
    }

    /// The spec's `KeywordsResponse` example: the refused keyword's data has nulled fields.
    static let refusedJSON = #"""
        {"data":{"archived":null,"match_type":"EXACT","parent_type":null,"value":"foobar","parent_id":null,"type":"keyword","id":null},"error_messages":["Advertisers and Campaigns only accept excluded targeting attributes."]}
        """#

    @Test func keywordsCreateSendsOneObjectAndReadsKeywordsAndErrors() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"keywords":[{"archived":false,"id":"383791336903426391","parent_id":"383791336903426390","parent_type":"campaign","type":"keyword","bid":null,"match_type":"PHRASE_NEGATIVE","value":"free"}],"errors":["# + Self.refusedJSON + "]}"),
            scripted(#"{"keywords":[],"errors":["# + Self.refusedJSON + "]}"),
        ])
        let client = scriptedClient(transport)
        let result = try await client.createKeywords(
            token: token, adAccountID: account, parentID: "C383791336903426390",
            [KeywordSpec(value: "free", matchType: "PHRASE_NEGATIVE"), KeywordSpec(value: "foobar", matchType: "EXACT")])
        #expect(
            result.keywords == [
                Keyword(
                    id: "383791336903426391", value: "free", matchType: "PHRASE_NEGATIVE", archived: false, parentID: "383791336903426390",
                    parentType: "campaign")
            ])
        let refused = KeywordError(value: "foobar", matchType: "EXACT", messages: ["Advertisers and Campaigns only accept excluded targeting attributes."])
        #expect(result.errors == [refused])
        let all = try await client.createKeywords(token: token, adAccountID: account, parentID: "AG2680060704746", [KeywordSpec(value: "foobar", matchType: "EXACT")])
        #expect(all == KeywordsResult(keywords: [], errors: [refused]))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "\(base)/keywords")
        #expect(!request.mayReplay)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"keywords":[{"match_type":"PHRASE_NEGATIVE","value":"free"},{"match_type":"EXACT","value":"foobar"}],"parent_id":"C383791336903426390"}"#)
    }

    @Test func keywordsOfAnAdGroupFollowEveryPage() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":[{"id":"1","value":"linen tote","match_type":"BROAD","archived":false,"parent_id":"2680060704746","parent_type":"ad_group"}],"bookmark":"b1"}"#),
            scripted(#"{"items":[{"id":"2","value":"tote","match_type":"EXACT"}],"bookmark":null}"#),
        ])
        let keywords = try await scriptedClient(transport).listKeywords(token: token, adAccountID: account, adGroupID: "2680060704746")
        #expect(keywords.map(\.id) == ["1", "2"])
        #expect(keywords.first?.parentType == "ad_group")
        #expect(
            transport.requests.map(\.url) == [
                "\(base)/keywords?ad_group_id=2680060704746&page_size=250", "\(base)/keywords?ad_group_id=2680060704746&page_size=250&bookmark=b1",
            ])
    }

    @Test func keywordsUpdateIsAPatchOfIDAndArchived() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"keywords":[{"id":"383791336903426391","value":"free","match_type":"PHRASE_NEGATIVE","archived":true}],"errors":[{"data":{"id":"5","archived":null},"error_messages":["Keyword not found."]},{"error_messages":null}]}"#)
        ])
        let result = try await scriptedClient(transport).updateKeywords(
            token: token, adAccountID: account, [KeywordUpdate(id: "383791336903426391", archived: true), KeywordUpdate(id: "5", archived: true)])
        #expect(result.keywords.map(\.archived) == [true])
        #expect(result.errors == [KeywordError(id: "5", messages: ["Keyword not found."]), KeywordError(messages: [])])
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.url == "\(base)/keywords")
        #expect(!request.mayReplay)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"keywords":[{"archived":true,"id":"383791336903426391"},{"archived":true,"id":"5"}]}"#)
    }

    @Test func keywordRequestsAreCheckedBeforeSending() async throws {
        let transport = ScriptedTransport([])
        let client = scriptedClient(transport)
        for parent in ["", "AG", "X123", "AG12a", "C", "12/34", String(repeating: "1", count: 19)] {
            await #expect(throws: PinterestError.self, "\(parent)") {
                try await client.createKeywords(token: token, adAccountID: account, parentID: parent, [KeywordSpec(value: "v", matchType: "BROAD")])
            }
        }
        await #expect(throws: PinterestError.self) { try await client.createKeywords(token: token, adAccountID: account, parentID: "1", []) }
        await #expect(throws: PinterestError.self) { try await client.updateKeywords(token: token, adAccountID: account, []) }
        await #expect(throws: PinterestError.self) { try await client.listKeywords(token: token, adAccountID: account, adGroupID: "1&x=2") }
        #expect(transport.requests.isEmpty)
        #expect(PinterestClient.isKeywordParent("549755885175") && PinterestClient.isKeywordParent("C1") && PinterestClient.isKeywordParent("AG1"))
    }

    @Test func adGroupCreateSendsBidStrategyAndGoalOnlyWhenGiven() throws {
        let goal = OptimizationGoalMetadata(conversionTagV3GoalMetadata: .init(conversionTagID: "2617998078212", conversionEvent: "CHECKOUT"))
        let with = AdGroupCreate(campaignID: "1", name: "n", billableEvent: "CLICKTHROUGH", bidStrategyType: "MAX_BID", optimizationGoalMetadata: goal)
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(PinterestClient.encode(with)))
        #expect(body["bid_strategy_type"] == "MAX_BID")
        #expect(body["optimization_goal_metadata"] == ["conversion_tag_v3_goal_metadata": ["conversion_tag_id": "2617998078212", "conversion_event": "CHECKOUT"]])
        let without = try JSONDecoder().decode(
            JSONValue.self, from: Data(PinterestClient.encode(AdGroupCreate(campaignID: "1", name: "n", billableEvent: "CLICKTHROUGH"))))
        #expect(without["bid_strategy_type"] == nil && without["optimization_goal_metadata"] == nil)
    }

    @Test func aGoalWithoutTagOrEventReadsAsNoGoalRatherThanFailingTheAdGroup() throws {
        let group = try JSONDecoder().decode(
            AdGroup.self, from: Data(#"{"id":"1","optimization_goal_metadata":{"conversion_tag_v3_goal_metadata":{"learning_mode_type":null}}}"#.utf8))
        #expect(group.optimizationGoalMetadata == OptimizationGoalMetadata(conversionTagV3GoalMetadata: nil))
        let null = try JSONDecoder().decode(AdGroup.self, from: Data(#"{"id":"1","optimization_goal_metadata":null}"#.utf8))
        #expect(null.optimizationGoalMetadata == nil)
        // A wrong type is still an error.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                AdGroup.self, from: Data(#"{"id":"1","optimization_goal_metadata":{"conversion_tag_v3_goal_metadata":{"conversion_tag_id":1,"conversion_event":"CHECKOUT"}}}"#.utf8))
        }
    }
}
