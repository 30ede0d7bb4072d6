import Foundation
import PinAdsJSON
import Testing

@testable import PinterestAPI

@Suite("Pinterest client: filtered lists and ad group / ad analytics (scripted transport)")
struct PinterestClientListTests {
    let token = AccessToken("pina_SECRET_ACCESS_TOKEN")
    let account = "549755885175"
    let base = "http://sandbox.test/v5/ad_accounts/549755885175"

    @Test func listFiltersRepeatTheirKeysBeforeThePageParameters() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":[{"id":"1"},{"id":"2"}],"bookmark":null}"#),
            scripted(#"{"items":[{"id":"5","campaign_id":"1"}],"bookmark":"b1"}"#),
            scripted(#"{"items":[{"id":"6","campaign_id":"2"}],"bookmark":null}"#),
            scripted(#"{"items":[{"id":"9"}]}"#),
            scripted(#"{"items":[],"bookmark":""}"#),
        ])
        let client = scriptedClient(transport)
        let campaigns = try await client.listCampaigns(
            token: token, adAccountID: account, campaignIDs: ["1", "2"], entityStatuses: ["ACTIVE", "ARCHIVED"])
        #expect(campaigns.map(\.id) == ["1", "2"])
        let groups = try await client.listAdGroups(token: token, adAccountID: account, adGroupIDs: ["5", "6"], entityStatuses: ["PAUSED"])
        #expect(groups.map(\.id) == ["5", "6"])
        let ads = try await client.listAds(token: token, adAccountID: account, adIDs: ["9"])
        #expect(ads.map(\.id) == ["9"])
        // No filter at all: nothing but the page size (Pinterest's default statuses apply).
        #expect(try await client.listAds(token: token, adAccountID: account).isEmpty)
        #expect(
            transport.requests.map(\.url) == [
                "\(base)/campaigns?campaign_ids=1&campaign_ids=2&entity_statuses=ACTIVE&entity_statuses=ARCHIVED&page_size=250",
                "\(base)/ad_groups?ad_group_ids=5&ad_group_ids=6&entity_statuses=PAUSED&page_size=250",
                "\(base)/ad_groups?ad_group_ids=5&ad_group_ids=6&entity_statuses=PAUSED&page_size=250&bookmark=b1",
                "\(base)/ads?ad_ids=9&page_size=250",
                "\(base)/ads?page_size=250",
            ])
        #expect(transport.requests.allSatisfy { $0.method == "GET" && $0.mayReplay })
    }

    @Test func theDaemonsCallShapesStillCompileAndSendWhatTheyDid() async throws {
        let transport = ScriptedTransport([
            scripted(#"{"items":[],"bookmark":null}"#), scripted(#"{"items":[],"bookmark":null}"#), scripted(#"{"items":[],"bookmark":null}"#),
        ])
        let client = scriptedClient(transport)
        _ = try await client.listCampaigns(token: token, adAccountID: account, campaignIDs: ["1"])
        _ = try await client.listAdGroups(token: token, adAccountID: account, campaignIDs: ["1"])
        _ = try await client.listAds(token: token, adAccountID: account, adGroupIDs: ["2"])
        #expect(
            transport.requests.map(\.url) == [
                "\(base)/campaigns?campaign_ids=1&page_size=250", "\(base)/ad_groups?campaign_ids=1&page_size=250",
                "\(base)/ads?ad_group_ids=2&page_size=250",
            ])
    }

    @Test func moreThan250IDsAreAskedInSeveralCallsAndConcatenated() async throws {
        let ids = (1...600).map { String(100_000 + $0) }
        // Chunk 1 has two pages; chunks 2 and 3 one each.
        let transport = ScriptedTransport([
            scripted(#"{"items":[{"id":"a"}],"bookmark":"next"}"#), scripted(#"{"items":[{"id":"b"}],"bookmark":null}"#),
            scripted(#"{"items":[{"id":"c"}],"bookmark":null}"#), scripted(#"{"items":[{"id":"d"}],"bookmark":null}"#),
        ])
        let campaigns = try await scriptedClient(transport).listCampaigns(
            token: token, adAccountID: account, campaignIDs: ids + ids.prefix(3), entityStatuses: ["ACTIVE"])
        #expect(campaigns.map(\.id) == ["a", "b", "c", "d"])
        let queries = try transport.requests.map { request in
            try #require(URLComponents(string: request.url)?.queryItems)
        }
        #expect(queries.count == 4)
        func campaignIDs(_ items: [URLQueryItem]) -> [String] { items.filter { $0.name == "campaign_ids" }.compactMap(\.value) }
        #expect(campaignIDs(queries[0]) == Array(ids[0..<250]))
        #expect(campaignIDs(queries[1]) == Array(ids[0..<250]), "the second page repeats the chunk's filter")
        #expect(queries[1].last == URLQueryItem(name: "bookmark", value: "next"))
        #expect(campaignIDs(queries[2]) == Array(ids[250..<500]))
        #expect(campaignIDs(queries[3]) == Array(ids[500..<600]), "repeated ids are asked once")
        #expect(queries.allSatisfy { $0.contains(URLQueryItem(name: "entity_statuses", value: "ACTIVE")) })
    }

    @Test func twoKindsOfIDFiltersAreRefusedBeforeSending() async throws {
        let transport = ScriptedTransport([])
        await #expect(throws: PinterestError.invalidRequest("ads/list takes one kind of id filter at a time, got campaign_ids and ad_ids")) {
            try await scriptedClient(transport).listAds(token: token, adAccountID: account, campaignIDs: ["1"], adIDs: ["2"])
        }
        await #expect(throws: PinterestError.self) {
            try await scriptedClient(transport).listAdGroups(token: token, adAccountID: account, campaignIDs: ["1"], adGroupIDs: ["2"])
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func adGroupAndAdAnalyticsRepeatTheirIDsAndJoinColumns() async throws {
        let transport = ScriptedTransport([
            scripted(#"[{"DATE":"2021-04-01","AD_GROUP_ID":"547602124502","SPEND_IN_DOLLAR":30,"TOTAL_CLICKTHROUGH":216}]"#),
            scripted(#"[{"DATE":"2021-04-01","AD_ID":"547602124502","SPEND_IN_DOLLAR":30,"TOTAL_CLICKTHROUGH":216}]"#),
        ])
        let client = scriptedClient(transport)
        let groupRows = try await client.adGroupAnalytics(
            token: token, adAccountID: account, startDate: "2021-04-01", endDate: "2021-04-02", adGroupIDs: ["547602124502", "2"],
            columns: ["SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH"], granularity: .day)
        #expect(groupRows.first?["AD_GROUP_ID"] == "547602124502")
        #expect(groupRows.first?["TOTAL_CLICKTHROUGH"] == 216)
        let adRows = try await client.adAnalytics(
            token: token, adAccountID: account, startDate: "2021-04-01", endDate: "2021-04-02", adIDs: ["547602124502"],
            columns: ["SPEND_IN_MICRO_DOLLAR"], granularity: .total)
        #expect(adRows.first?["AD_ID"] == "547602124502")
        #expect(
            transport.requests.map(\.url) == [
                "\(base)/ad_groups/analytics?start_date=2021-04-01&end_date=2021-04-02&ad_group_ids=547602124502&ad_group_ids=2"
                    + "&columns=SPEND_IN_DOLLAR%2CTOTAL_CLICKTHROUGH&granularity=DAY",
                "\(base)/ads/analytics?start_date=2021-04-01&end_date=2021-04-02&ad_ids=547602124502&columns=SPEND_IN_MICRO_DOLLAR&granularity=TOTAL",
            ])
        #expect(transport.requests.allSatisfy { $0.method == "GET" })
    }

    @Test func analyticsLimitsAreCheckedBeforeSending() async throws {
        let transport = ScriptedTransport([])
        let client = scriptedClient(transport)
        let tooMany = (0..<251).map(String.init)
        await #expect(throws: PinterestError.invalidRequest("ad_groups/analytics takes 1 to 250 ad_group_ids, got 251")) {
            try await client.adGroupAnalytics(
                token: token, adAccountID: account, startDate: "2021-04-01", endDate: "2021-04-02", adGroupIDs: tooMany,
                columns: ["SPEND_IN_DOLLAR"], granularity: .day)
        }
        await #expect(throws: PinterestError.self) {
            try await client.adAnalytics(
                token: token, adAccountID: account, startDate: "2021-04-01", endDate: "2021-04-02", adIDs: [], columns: ["SPEND_IN_DOLLAR"],
                granularity: .day)
        }
        await #expect(throws: PinterestError.self) {
            try await client.adAnalytics(
                token: token, adAccountID: account, startDate: "2021-04-01", endDate: "2021-04-02", adIDs: ["1"], columns: [], granularity: .day)
        }
        #expect(transport.requests.isEmpty)
    }
}
