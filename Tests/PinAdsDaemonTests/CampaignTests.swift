import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import PinterestSandbox
import Testing

@testable import PinAdsDaemon

@Suite("Campaign validation")
struct CampaignValidatorTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var validator: CampaignValidator { CampaignValidator(now: now) }

    func field(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as InvalidInput {
            return ResponseError(translating: error, method: "test")?.details?["field"]?.stringValue
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func campaignDefaultsAndRules() throws {
        let spec = try validator.campaign(CampaignPlan(name: " Spring ", objectiveType: "VIDEO_VIEW"))
        #expect(spec.name == "Spring" && spec.objectiveType == "VIDEO_COMPLETION" && spec.status == "PAUSED", "paused unless told")
        #expect(field { _ = try validator.campaign(CampaignPlan(name: "x", objectiveType: "SALES")) } == "campaign.objective_type")
        #expect(field { _ = try validator.campaign(CampaignPlan(name: "", objectiveType: "AWARENESS")) } == "campaign.name")
        #expect(field { _ = try validator.campaign(CampaignPlan(name: "x", objectiveType: "AWARENESS", dailySpendCap: 0)) } == "campaign.daily_spend_cap")
        #expect(field { _ = try validator.campaign(CampaignPlan(name: "x", objectiveType: "AWARENESS", dailySpendCap: 5, lifetimeSpendCap: 9)) } == "campaign.lifetime_spend_cap")
        #expect(field { _ = try validator.campaign(CampaignPlan(name: "x", objectiveType: "AWARENESS", status: "DRAFT")) } == "campaign.status")
        #expect(field { _ = try validator.campaign(CampaignPlan(name: "x", objectiveType: "AWARENESS", endTime: now.addingTimeInterval(-60))) } == "campaign.end_time")
        #expect(field {
            _ = try validator.campaign(CampaignPlan(name: "x", objectiveType: "AWARENESS", startTime: now.addingTimeInterval(7200), endTime: now.addingTimeInterval(3600)))
        } == "campaign.end_time")
    }

    @Test func adGroupDefaultsAndRules() throws {
        let campaign = try validator.campaign(CampaignPlan(name: "c", objectiveType: "CONSIDERATION"))
        let us = Targeting(locations: ["US"])
        let group = try validator.adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us), campaign: campaign)
        #expect(group.budgetInMicroCurrency == 5_000_000 && group.bidInMicroCurrency == 2_000_000 && group.autoTargetingEnabled == false)
        func adGroup(_ spec: AdGroupPlan, _ campaign: CampaignPlan? = nil) -> String? {
            field { _ = try validator.adGroup(spec, campaign: campaign ?? (try? validator.campaign(CampaignPlan(name: "c", objectiveType: "AWARENESS")))) }
        }
        #expect(adGroup(AdGroupPlan(name: "g", bidInMicroCurrency: 6_000_000, billableEvent: "CLICKTHROUGH", targeting: us)) == "ad_group.bid_in_micro_currency")
        #expect(adGroup(AdGroupPlan(name: "g", budgetInMicroCurrency: -5, billableEvent: "CLICKTHROUGH", targeting: us)) == "ad_group.budget_in_micro_currency")
        #expect(adGroup(AdGroupPlan(name: "g", billableEvent: "CPC", targeting: us)) == "ad_group.billable_event")
        #expect(adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH")) == "ad_group.targeting.locations")
        #expect(adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: Targeting(keywords: ["shoes"], locations: ["US"]))) == "ad_group.targeting.keywords")
        #expect(adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: Targeting(genders: ["female", "other"], locations: ["US"]))) == "ad_group.targeting.genders[1]")
        #expect(adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: Targeting(audiencesInclude: [1], audiencesExclude: [1], locations: ["US"]))) == "ad_group.targeting.audiences_exclude")
        #expect(adGroup(AdGroupPlan(name: "g", budgetType: "LIFETIME", billableEvent: "CLICKTHROUGH", targeting: us)) == "ad_group.end_time")
        let web = try validator.campaign(CampaignPlan(name: "w", objectiveType: "WEB_CONVERSION"))
        // WEB_CONVERSION ad groups need their conversion goal (CampaignRulesTests has the rest).
        #expect(adGroup(AdGroupPlan(name: "g", billableEvent: "CLICKTHROUGH", targeting: us), web) == "ad_group.optimization_goal")
    }

    @Test func adRules() throws {
        #expect(try validator.ad(AdPlan(pinID: "1234", creativeType: "REGULAR", destinationURL: "https://shop.example/x")).pinID == "1234")
        #expect(field { _ = try validator.ad(AdPlan(pinID: "pin-1", creativeType: "REGULAR")) } == "ad.pin_id")
        #expect(field { _ = try validator.ad(AdPlan(pinID: "1", creativeType: "BANNER")) } == "ad.creative_type")
        #expect(field { _ = try validator.ad(AdPlan(pinID: "1", creativeType: "REGULAR", destinationURL: "ftp://x")) } == "ad.destination_url")
        #expect(field { _ = try validator.ad(AdPlan(pinID: "1", creativeType: "REGULAR", clickTrackingURL: "https:// bad")) } == "ad.click_tracking_url")
    }
}

@Suite("Metrics arithmetic")
struct MetricsArithmeticTests {
    @Test func windowsBatchesRowsAndTotals() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00 UTC
        #expect(MetricsPuller.window(now: now, days: 7) == ("2027-01-09", "2027-01-15"))
        #expect(MetricsPuller.batches(Array(0..<501)).map(\.count) == [250, 250, 1])
        let row: [String: JSONValue] = [
            "CAMPAIGN_ID": "777", "DATE": "2027-01-14", "SPEND_IN_MICRO_DOLLAR": .double(2_500_000.4), "IMPRESSION_1": 1000, "CLICKTHROUGH_1": 20,
            "REPIN_1": 3, "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": 10_000_000,
        ]
        let record = MetricsPuller.record(row, local: ["777": 4], pulledAt: now)
        #expect(record?.campaignID == 4 && record?.spendMicro == 2_500_000 && record?.conversions == nil && record?.conversionValueMicro == 10_000_000)
        #expect(MetricsPuller.record(["CAMPAIGN_ID": "9", "DATE": "2027-01-14"], local: ["777": 4], pulledAt: now) == nil)
        let totals = MetricsPuller.totals([
            MetricsRecord(campaignID: 4, date: "a", spendMicro: 2_000_000, impressions: 1000, clicks: 10, saves: 1, conversions: 2, conversionValueMicro: 8_000_000, pulledAt: now),
            MetricsRecord(campaignID: 4, date: "b", spendMicro: 2_000_000, impressions: 1000, clicks: 30, saves: 0, conversions: nil, conversionValueMicro: nil, pulledAt: now),
        ])
        #expect(totals.ctr == 0.02 && totals.cpcMicro == 100_000 && totals.cpmMicro == 2_000_000 && totals.roas == 2)
        #expect(MetricsPuller.totals([]).ctr == nil && MetricsPuller.totals([]).roas == nil)
    }
}

/// The builder and the metrics pull against a live in-process sandbox.
@Suite("Campaigns against the sandbox")
struct CampaignSandboxTests {
    typealias Harness = AudienceSyncTests.Harness

    static let targeting = TargetingSpec(locations: ["US"])

    func launch(_ h: Harness, id: String = "launch-1", name: String = "Spring", targeting: TargetingSpec = targeting, account: String? = nil) -> LaunchCampaignRequest {
        LaunchCampaignRequest(
            campaign: CampaignSpec(adAccountId: account, name: name, objectiveType: "CONSIDERATION", dailySpendCap: 20_000_000),
            adGroup: AdGroupSpec(name: "\(name) group", billableEvent: "CLICKTHROUGH", targeting: targeting),
            ad: AdSpec(pinId: "987654321", creativeType: "REGULAR", name: "\(name) ad", destinationUrl: "https://shop.example/spring"),
            clientRequestId: id)
    }

    func build(_ h: Harness, _ payload: JSONValue, attempt: Int = 1) async throws -> JSONValue {
        return try JSONValue(encoding: try await h.builder.runBuild(try payload.decoded(as: CampaignBuildJob.Payload.self)))
    }

    /// The methods as the dispatcher calls them (wire in, wire out).
    func methods(_ h: Harness, metrics: MetricsPuller? = nil) -> CampaignMethods {
        CampaignMethods(
            builder: h.builder, metrics: metrics ?? MetricsPuller(store: h.store, tokens: h.tokens, clock: SystemWallClock(), logger: Logger(label: "test")))
    }

    /// What a client is answered: domain errors translated as the dispatcher does.
    func asClient<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw ResponseError(translating: error, method: "test") ?? error
        }
    }

    @Test func aLaunchCreatesThePausedHierarchyOnceAndResumes() async throws {
        let h = try await Harness()
        let first = try await methods(h).launch(launch(h))
        #expect(!first.resumed && first.campaign.state == .pending && first.campaign.spec?.status == "PAUSED")
        let result = try await build(h, ["ad_id": .int(first.ad.id)])
        let detail = try await methods(h).get(GetCampaignRequest(campaignId: first.campaign.id))
        #expect(detail.campaign.state == .created && detail.adGroups.first?.state == .created && detail.ads.first?.state == .created)
        #expect(result["ad"]?["pinterest_id"]?.stringValue == detail.ads.first?.pinterestId)
        let campaigns = try await h.client.listCampaigns(token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0])
        #expect(campaigns.map(\.status) == ["PAUSED"], "no accidental live spend")
        let groups = try await h.client.listAdGroups(token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0])
        #expect(groups.first?.targetingSpec?["LOCATION"] == ["US"])
        // The same client request id: nothing new, nothing to do.
        let again = try await methods(h).launch(launch(h))
        #expect(again.resumed && again.jobId == nil && again.campaign.id == first.campaign.id)
        // The same id with another body is refused.
        let other = await #expect(throws: ResponseError.self) { try await asClient { try await methods(h).launch(launch(h, name: "Summer")) } }
        #expect(other?.code == .failedPrecondition)
        #expect(h.calls("campaigns/create") == 1 && h.calls("ad_groups/create") == 1 && h.calls("ads/create") == 1)
        try await h.shutdown()
    }

    @Test func oneBuildMakesEveryPendingLevelOfItsCampaign() async throws {
        // Creates queued back to back coalesce into one job (one build per campaign at a time),
        // so the job that runs builds whatever of the campaign is pending, not only what it named.
        let h = try await Harness()
        let campaign = try await methods(h).create(CreateCampaignRequest(campaign: CampaignSpec(name: "c", objectiveType: "CONSIDERATION"))).campaign
        let spec = AdGroupSpec(name: "g1", billableEvent: "CLICKTHROUGH", targeting: Self.targeting)
        let first = try await methods(h).createAdGroup(CreateAdGroupRequest(campaignId: campaign.id, adGroup: spec)).adGroup
        var second = spec
        second.name = "g2"
        let other = try await methods(h).createAdGroup(CreateAdGroupRequest(campaignId: campaign.id, adGroup: second)).adGroup
        let ad = try await methods(h).createAd(CreateAdRequest(adGroupId: other.id, ad: AdSpec(pinId: "42", creativeType: "REGULAR"))).ad
        let result = try await build(h, ["campaign_id": .int(campaign.id)])
        let detail = try await methods(h).get(GetCampaignRequest(campaignId: campaign.id))
        #expect(detail.campaign.state == .created && detail.adGroups.map(\.state) == [.created, .created] && detail.ads.map(\.state) == [.created])
        guard case .array(let groups)? = result["ad_groups"], case .array(let ads)? = result["ads"] else { throw TestFailure("no lists in \(result)") }
        #expect(groups.count == 2 && ads.count == 1)
        #expect(Set(detail.adGroups.map(\.id)) == [first.id, other.id] && detail.ads.first?.id == ad.id)
        #expect(h.calls("campaigns/create") == 1 && h.calls("ad_groups/create") == 2 && h.calls("ads/create") == 1)
        try await h.shutdown()
    }

    @Test func aLostCreateIsNeverMatchedToAnotherRowsObject() async throws {
        let h = try await Harness()
        let campaign = try await methods(h).create(CreateCampaignRequest(campaign: CampaignSpec(name: "c", objectiveType: "CONSIDERATION"))).campaign
        let us = try await methods(h).createAdGroup(
            CreateAdGroupRequest(campaignId: campaign.id, adGroup: AdGroupSpec(name: "G", billableEvent: "CLICKTHROUGH", targeting: Self.targeting)))
        _ = try await build(h, ["ad_group_id": .int(us.adGroup.id)])
        let ca = try await methods(h).createAdGroup(
            CreateAdGroupRequest(
                campaignId: campaign.id, adGroup: AdGroupSpec(name: "G", billableEvent: "CLICKTHROUGH", targeting: TargetingSpec(locations: ["CA"]))))
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 1, pathContains: "/ad_groups"))
        await #expect(throws: JobFailure.self) { try await build(h, ["ad_group_id": .int(ca.adGroup.id)]) }
        _ = try await build(h, ["ad_group_id": .int(ca.adGroup.id)], attempt: 2)
        let groups = try await methods(h).listAdGroups(ListAdGroupsRequest(campaignId: campaign.id)).adGroups
        #expect(Set(groups.compactMap(\.pinterestId)).count == 2, "two ad groups, two Pinterest objects")
        #expect(try await h.client.listAdGroups(token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0]).count == 2)
        try await h.shutdown()
    }

    @Test func childrenOfARefusedParentAndReusedRequestIDsAreRefused() async throws {
        let h = try await Harness()
        let made = try await methods(h).launch(launch(h))
        try await h.store.markBuildError(.campaign, id: made.campaign.id, message: "refused", code: 1, now: Date())
        let child = await #expect(throws: ResponseError.self) {
            try await asClient { try await methods(h).createAdGroup(
                CreateAdGroupRequest(campaignId: made.campaign.id, adGroup: AdGroupSpec(name: "g", billableEvent: "CLICKTHROUGH", targeting: Self.targeting))) }
        }
        #expect(child?.code == .failedPrecondition)
        let spring = CreateCampaignRequest(campaign: CampaignSpec(name: "Spring", objectiveType: "AWARENESS"), clientRequestId: "c-1")
        let first = try await methods(h).create(spring)
        #expect(try await methods(h).create(spring).campaign.id == first.campaign.id, "the same request again is the same campaign")
        let other = await #expect(throws: ResponseError.self) {
            try await asClient { try await methods(h).create(CreateCampaignRequest(campaign: CampaignSpec(name: "Autumn", objectiveType: "AWARENESS"), clientRequestId: "c-1")) }
        }
        #expect(other?.code == .failedPrecondition)
        let launchID = await #expect(throws: ResponseError.self) {
            try await asClient { try await methods(h).create(CreateCampaignRequest(campaign: CampaignSpec(name: "x", objectiveType: "AWARENESS"), clientRequestId: "launch-1")) }
        }
        #expect(launchID?.code == .failedPrecondition, "a launch's id is not a campaign create's")
        try await h.shutdown()
    }

    @Test func invalidRequestsNeverReachPinterest() async throws {
        let h = try await Harness()
        let before = h.sandbox.stats().requestsTotal
        var bad = launch(h)
        bad.adGroup.bidInMicroCurrency = 9_000_000
        let refused = await #expect(throws: ResponseError.self) { try await asClient { try await methods(h).launch(bad) } }
        #expect(refused?.details?["field"] == "ad_group.bid_in_micro_currency")
        let unknown = await #expect(throws: ResponseError.self) {
            try await asClient { try await methods(h).createAdGroup(CreateAdGroupRequest(campaignId: 99, adGroup: AdGroupSpec(name: "g", billableEvent: "CLICKTHROUGH", targeting: Self.targeting))) }
        }
        #expect(unknown?.code == .notFound)
        let notSynced = await #expect(throws: ResponseError.self) {
            let audience = try await h.audience(members: 0..<120)
            _ = try await asClient { try await methods(h).launch(launch(h, targeting: TargetingSpec(audiencesInclude: [audience], locations: ["US"]))) }
        }
        #expect(notSynced?.details?["field"] == "ad_group.targeting.audiences_include[0]")
        #expect(h.sandbox.stats().requestsTotal == before, "no call reached the sandbox")
        try await h.shutdown()
    }

    @Test func aRefusedItemFailsTheJobWithPinterestsWordsAndKeepsWhatWasCreated() async throws {
        let h = try await Harness()
        let made = try await methods(h).launch(launch(h))
        // A spec Pinterest refuses, written past validation (as an older daemon might have).
        let broken = #"{"billable_event":"CLICKTHROUGH","budget_in_micro_currency":5000000,"bid_in_micro_currency":2000000,"budget_type":"LIFETIME","name":"g","auto_targeting_enabled":false,"targeting":{"locations":["US"]}}"#
        let group = try await h.store.insertChild(.adGroup, parentID: made.campaign.id, spec: broken, now: Date())
        let failure = await #expect(throws: JobFailure.self) { try await build(h, ["ad_group_id": .int(group.id)]) }
        #expect(failure?.retryable == false)
        #expect(failure?.message.contains("LIFETIME requires end_time") == true, "\(failure?.message ?? "")")
        #expect(failure?.message.contains("already created at Pinterest: campaign") == true)
        let detail = try await methods(h).get(GetCampaignRequest(campaignId: made.campaign.id))
        #expect(detail.campaign.state == .created)
        #expect(detail.adGroups.first { $0.id == group.id }?.state == .error)
        try await h.shutdown()
    }

    @Test func aCreateWhoseAnswerWasLostIsFoundNotRepeated() async throws {
        let h = try await Harness()
        let made = try await methods(h).launch(launch(h))
        h.sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/campaigns"))
        await #expect(throws: JobFailure.self) { try await build(h, ["ad_id": .int(made.ad.id)]) }
        h.sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/ad_groups"))
        await #expect(throws: JobFailure.self) { try await build(h, ["ad_id": .int(made.ad.id)], attempt: 2) }
        _ = try await build(h, ["ad_id": .int(made.ad.id)], attempt: 3)
        #expect(h.calls("campaigns/create") == 1 && h.calls("ad_groups/create") == 1 && h.calls("ads/create") == 1)
        let token = try await h.tokens.token(connectionID: 1)
        #expect(try await h.client.listCampaigns(token: token, adAccountID: h.adAccounts[0]).count == 1)
        #expect(try await h.client.listAdGroups(token: token, adAccountID: h.adAccounts[0]).count == 1)
        try await h.shutdown()
    }

    @Test func audienceTargetingUsesEachAdAccountsOwnPinterestAudience() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<150)
        for account in h.adAccounts { try await h.sync(try await h.activate(audience, on: account)) }
        let second = try #require(try await h.store.activation(audienceID: audience, adAccountID: h.adAccounts[1])?.pinterestAudienceID)
        let first = try #require(try await h.store.activation(audienceID: audience, adAccountID: h.adAccounts[0])?.pinterestAudienceID)
        #expect(first != second)
        let made = try await methods(h).launch(
            launch(h, targeting: TargetingSpec(audiencesInclude: [audience], locations: ["US"]), account: h.adAccounts[1]))
        _ = try await build(h, ["ad_id": .int(made.ad.id)])
        let groups = try await h.client.listAdGroups(token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[1])
        #expect(groups.first?.targetingSpec?["AUDIENCE_INCLUDE"] == [.string(second)])
        try await h.shutdown()
    }

    @Test func metricsArePulledInBatchesWithinPinterestsLimits() async throws {
        let h = try await Harness()
        let made = try await methods(h).launch(launch(h))
        _ = try await build(h, ["ad_id": .int(made.ad.id)])
        // 300 more campaigns tracked (made elsewhere): two analytics calls, 250 + 51 ids.
        for n in 0..<300 { _ = try await h.store.trackCampaign(adAccountID: h.adAccounts[0], pinterestID: String(900_000_000 + n), now: Date()) }
        let clock = ManualClock(Date())
        let puller = MetricsPuller(store: h.store, tokens: h.tokens, clock: clock, logger: Logger(label: "test"), days: 400)
        #expect(puller.days == 90, "never beyond Pinterest's 90 days")
        let before = h.sandbox.stats().requestsTotal
        let (campaigns, rows, calls) = try await puller.pull()
        // Read back first (campaigns, ad groups, ads: 3 lists per 250 campaigns), then the
        // analytics of each level: campaigns in two calls, the one ad group and the one ad.
        #expect(campaigns == 301 && calls == 6 + 2 + 1 + 1 && h.sandbox.stats().requestsTotal - before == calls)
        #expect(h.calls("campaigns/analytics") == 2 && h.calls("ad_groups/analytics") == 1 && h.calls("ads/analytics") == 1)
        #expect(rows > 0, "the created campaign has daily rows")
        let (from, to) = MetricsPuller.window(now: clock.now(), days: 90)
        func stored() async throws -> [CampaignMetricsResult] {
            var answers: [CampaignMetricsResult] = []
            for level in MetricsLevel.allCases {
                answers.append(try await methods(h, metrics: puller).metrics(CampaignMetricsRequest(campaignId: made.campaign.id, from: from, to: to, level: level)))
            }
            return answers
        }
        let answers = try await stored()
        // Every row pulled is stored once, at its level: the campaign's days, its ad group's, its ad's.
        #expect(answers.map(\.rows.count).reduce(0, +) == rows && answers.allSatisfy { $0.rows.allSatisfy { $0.campaignId == made.campaign.id } })
        #expect(answers.allSatisfy { !$0.rows.isEmpty })
        let answer = answers[0]
        #expect(answer.totals.spendMicro == answer.rows.reduce(0) { $0 + $1.spendMicro })
        // A second pull upserts: same rows, no duplicates.
        _ = try await puller.pull()
        #expect(try await stored().map(\.rows.count) == answers.map(\.rows.count))
        let bad = await #expect(throws: ResponseError.self) { try await asClient { try await methods(h, metrics: puller).metrics(CampaignMetricsRequest(from: "2027-13-01", to: to)) } }
        #expect(bad?.details?["field"] == "from")
        try await h.shutdown()
    }
}
