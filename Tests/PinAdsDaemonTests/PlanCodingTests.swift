import Foundation
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

/// The stored plans' JSON is the wire's, byte for byte: rows written before plans existed (as
/// the wire's specs) and a retried create or launch are matched by this text.
@Suite("Plan coding")
struct PlanCodingTests {
    @Test func plansEncodeAsTheWiresSpecs() throws {
        let start = Timestamp.parse("2027-03-01T09:00:00.123Z")
        let campaign = CampaignSpec(
            adAccountId: "549755885175", name: "Spring/Sale", objectiveType: "AWARENESS", dailySpendCap: 5, status: "PAUSED", startTime: start)
        let group = AdGroupSpec(
            name: "g", budgetInMicroCurrency: 5_000_000, billableEvent: "CLICKTHROUGH",
            targeting: TargetingSpec(audiencesInclude: [3], locations: ["US"]), endTime: start, autoTargetingEnabled: false)
        let ad = AdSpec(pinId: "42", creativeType: "REGULAR", destinationUrl: "https://shop.example/x")
        let wire = Wire.encoder()
        func text(_ value: some Encodable) throws -> String { String(decoding: try wire.encode(value), as: UTF8.self) }
        let coding = PlanCoding()
        #expect(try coding.encode(CampaignPlan(campaign)) == text(campaign))
        #expect(try coding.encode(AdGroupPlan(group)) == text(group))
        #expect(try coding.encode(AdPlan(ad)) == text(ad))
        let launch = LaunchCampaignRequest(campaign: campaign, adGroup: group, ad: ad, clientRequestId: "spring")
        let plan = LaunchPlan(campaign: CampaignPlan(campaign), adGroup: AdGroupPlan(group), ad: AdPlan(ad), clientRequestID: "spring")
        #expect(try coding.encode(plan) == text(launch))
        #expect(try coding.decode(CampaignPlan.self, from: try text(campaign)) == CampaignPlan(campaign))
    }
}

/// The build job's result keeps the keys the hand-built JSON had: a null Pinterest id is
/// written as null, and the flat `ad_group` / `ad` only when the payload named one.
@Suite("Build job result")
struct BuildJobResultTests {
    @Test func keysAndNullsAreTodays() throws {
        var result = CampaignBuildJob.Result(campaign: .init(id: 1, pinterestID: "c1"))
        result.adGroups = [.init(id: 2, pinterestID: nil)]
        let json = try JSONValue(encoding: result)
        #expect(json == ["campaign": ["id": 1, "pinterest_id": "c1"], "ad_groups": [["id": 2, "pinterest_id": .null]], "ads": []])
        result.ad = .init(id: 3, pinterestID: "a3")
        #expect(try JSONValue(encoding: result)["ad"] == ["id": 3, "pinterest_id": "a3"])
        #expect(try JSONValue(encoding: result).decoded(as: CampaignBuildJob.Result.self) == result)
    }
}
