import Foundation
import Logging
import PinAdsJSON
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import PinterestSandbox
import Testing

@testable import PinAdsDaemon

/// Running campaigns after their launch, against the in-process sandbox: updates applied once,
/// a lost answer read rather than resent, ARCHIVED final, drift, conversion tags and goals,
/// keywords, objects made elsewhere, metrics per level.
extension CampaignSandboxTests {
    /// A launched hierarchy, built.
    func launched(_ h: Harness, _ request: LaunchCampaignRequest? = nil) async throws -> LaunchResult {
        let made = try await methods(h).launch(request ?? launch(h))
        _ = try await build(h, ["ad_id": .int(made.ad.id)])
        return made
    }

    func pinterestCampaign(_ h: Harness, _ id: String, account: Int = 0) async throws -> Campaign? {
        try await h.client.listCampaigns(
            token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[account], campaignIDs: [id],
            entityStatuses: ["ACTIVE", "PAUSED", "ARCHIVED"]
        ).first
    }

    @Test func updatesAreAppliedOnceInOrder() async throws {
        let h = try await Harness()
        let made = try await launched(h)
        let m = methods(h)
        let resumed = try await m.update(UpdateCampaignRequest(id: made.campaign.id, status: "ACTIVE"))
        #expect(resumed.campaign.latestUpdate?.state == .queued && resumed.campaign.latestUpdate?.changes["status"] == "ACTIVE")
        _ = try await m.update(UpdateCampaignRequest(id: made.campaign.id, dailySpendCap: .set(80_000_000)))
        let result = try await h.builder.runUpdates(campaignID: made.campaign.id)
        #expect(result.applied.count == 2 && result.refused.isEmpty)
        let fresh = try await m.get(GetCampaignRequest(campaignId: made.campaign.id))
        let pid = try #require(fresh.campaign.pinterestId)
        let now = try #require(try await pinterestCampaign(h, pid))
        #expect(now.status == "ACTIVE" && now.dailySpendCap == 80_000_000)
        #expect(h.calls("campaigns/update") == 2, "each change sent once")
        let detail = try await m.get(GetCampaignRequest(campaignId: made.campaign.id))
        #expect(detail.campaign.spec?.status == "ACTIVE" && detail.campaign.spec?.dailySpendCap == 80_000_000)
        #expect(detail.campaign.latestUpdate?.state == .applied && detail.campaign.drift == [])
        // Nothing queued: another run sends nothing.
        #expect(try await h.builder.runUpdates(campaignID: made.campaign.id).applied.isEmpty && h.calls("campaigns/update") == 2)
        // An ad group and an ad are changed the same way.
        let group = try #require(detail.adGroups.first)
        _ = try await m.updateAdGroup(UpdateAdGroupRequest(id: group.id, budgetInMicroCurrency: 30_000_000, bidInMicroCurrency: .set(1_500_000)))
        let ad = try #require(detail.ads.first)
        _ = try await m.updateAd(UpdateAdRequest(id: ad.id, status: "PAUSED", destinationUrl: .set("https://shop.example/winter")))
        #expect(try await h.builder.runUpdates(campaignID: made.campaign.id).applied.count == 2)
        let token = try await h.tokens.token(connectionID: 1)
        let groupAt = try #require(try await h.client.listAdGroups(token: token, adAccountID: h.adAccounts[0], adGroupIDs: [group.pinterestId ?? ""]).first)
        #expect(groupAt.budgetInMicroCurrency == 30_000_000 && groupAt.bidInMicroCurrency == 1_500_000)
        let adAt = try #require(try await h.client.listAds(token: token, adAccountID: h.adAccounts[0], adIDs: [ad.pinterestId ?? ""], entityStatuses: ["PAUSED"]).first)
        #expect(adAt.status == "PAUSED" && adAt.destinationURL == "https://shop.example/winter")
        try await h.shutdown()
    }

    @Test func anUpdateWhoseAnswerWasLostIsReadNotResent() async throws {
        let h = try await Harness()
        let made = try await launched(h)
        _ = try await methods(h).update(UpdateCampaignRequest(id: made.campaign.id, status: "ACTIVE", endTime: .set(Date().addingTimeInterval(30 * 86_400))))
        // Pinterest applies the PATCH, and the answer never arrives.
        h.sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/campaigns"))
        let failure = await #expect(throws: JobFailure.self) { try await h.builder.runUpdates(campaignID: made.campaign.id) }
        #expect(failure?.retryable == true)
        let pending = try #require(try await h.store.queuedUpdates(campaignID: made.campaign.id).first)
        #expect(pending.sentAt != nil, "the write-ahead mark stays: the change may have landed")
        // The retry reads Pinterest's state, finds the change there, and does not send it again.
        #expect(try await h.builder.runUpdates(campaignID: made.campaign.id).applied == [pending.id])
        #expect(h.calls("campaigns/update") == 1)
        // A change whose send certainly failed (503) is sent again.
        _ = try await methods(h).update(UpdateCampaignRequest(id: made.campaign.id, name: "Spring, renamed"))
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 1, pathContains: "/campaigns"))
        await #expect(throws: JobFailure.self) { try await h.builder.runUpdates(campaignID: made.campaign.id) }
        _ = try await h.builder.runUpdates(campaignID: made.campaign.id)
        let pid = try #require(try await h.store.buildRecord(.campaign, id: made.campaign.id)?.pinterestID)
        #expect(try await pinterestCampaign(h, pid)?.name == "Spring, renamed")
        try await h.shutdown()
    }

    @Test func archivedIsFinalAndChangesAreCheckedBeforeAnyCall() async throws {
        let h = try await Harness()
        let made = try await launched(h)
        let m = methods(h)
        let before = h.sandbox.stats().requestsTotal
        let refused: [(UpdateCampaignRequest, String)] = [
            (UpdateCampaignRequest(id: made.campaign.id), "params"),
            (UpdateCampaignRequest(id: made.campaign.id, status: "DRAFT"), "status"),
            (UpdateCampaignRequest(id: made.campaign.id, objectiveType: "AWARENESS"), "objective_type"),
            (UpdateCampaignRequest(id: made.campaign.id, dailySpendCap: .set(-1)), "daily_spend_cap"),
        ]
        for (request, field) in refused {
            let error = await #expect(throws: ResponseError.self) { try await asClient { try await m.update(request) } }
            #expect(error?.details?["field"]?.stringValue == field, "\(request)")
        }
        let unknown = await #expect(throws: ResponseError.self) { try await asClient { try await m.update(UpdateCampaignRequest(id: 999, status: "PAUSED")) } }
        #expect(unknown?.code == .notFound)
        #expect(h.sandbox.stats().requestsTotal == before, "refusals reach no one")
        _ = try await m.update(UpdateCampaignRequest(id: made.campaign.id, status: "ARCHIVED"))
        // Once an archive is queued, nothing more is taken for it or what it holds.
        let queuedArchive = await #expect(throws: ResponseError.self) { try await asClient { try await m.update(UpdateCampaignRequest(id: made.campaign.id, status: "ACTIVE")) } }
        #expect(queuedArchive?.message.contains("being archived") == true)
        _ = try await h.builder.runUpdates(campaignID: made.campaign.id)
        let again = await #expect(throws: ResponseError.self) { try await asClient { try await m.update(UpdateCampaignRequest(id: made.campaign.id, status: "ACTIVE")) } }
        #expect(again?.message.contains("ARCHIVED") == true && again?.details?["field"] == "id")
        let child = await #expect(throws: ResponseError.self) {
            try await asClient { try await m.updateAdGroup(UpdateAdGroupRequest(id: made.adGroup.id, status: "ACTIVE")) }
        }
        #expect(child?.message.contains("is ARCHIVED") == true && child?.details?["field"] == "id", "\(child?.message ?? "")")
        // Pinterest archived the children with it; a refresh shows them archived.
        let detail = try await m.get(GetCampaignRequest(campaignId: made.campaign.id, refresh: true))
        #expect(detail.adGroups.first?.pinterest?.status == "ARCHIVED" && detail.ads.first?.pinterest?.status == "ARCHIVED")
        #expect(detail.adGroups.first?.drift == [] && detail.ads.first?.drift == [], "archived with their campaign: no drift")
        try await h.shutdown()
    }

    @Test func aChangeMadeInAdsManagerShowsAsDriftAfterARefresh() async throws {
        let h = try await Harness()
        let made = try await launched(h)
        let m = methods(h)
        var detail = try await m.get(GetCampaignRequest(campaignId: made.campaign.id, refresh: true))
        #expect(detail.campaign.drift == [] && detail.adGroups.first?.drift == [] && detail.campaign.pinterest?.status == "PAUSED")
        let pid = try #require(detail.campaign.pinterestId)
        // Behind pinads' back, as Ads Manager would.
        _ = try await h.client.updateCampaigns(
            token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0],
            [CampaignUpdate(id: pid, adAccountID: h.adAccounts[0], status: "ACTIVE", dailySpendCap: .set(99_000_000))])
        detail = try await m.get(GetCampaignRequest(campaignId: made.campaign.id, refresh: true))
        #expect(
            detail.campaign.drift == [
                Drift(field: "daily_spend_cap", pinads: 20_000_000, pinterest: 99_000_000), Drift(field: "status", pinads: "PAUSED", pinterest: "ACTIVE"),
            ])
        #expect(detail.campaign.pinterestStatus == "RUNNING" || detail.campaign.pinterestStatus == "ACTIVE")
        // Pinterest's review rejects the ad: its state and reasons come with the next read.
        let adID = try #require(detail.ads.first?.pinterestId)
        #expect(detail.ads.first?.pinterest?.reviewStatus == "APPROVED")
        try h.sandbox.reviewAd(adID, status: "REJECTED", rejectedReasons: ["LANDING_PAGE_BROKEN"])
        let ad = try #require(try await m.get(GetCampaignRequest(campaignId: made.campaign.id, refresh: true)).ads.first)
        #expect(ad.pinterest?.reviewStatus == "REJECTED" && ad.pinterest?.rejectedReasons == ["LANDING_PAGE_BROKEN"])
        #expect(ad.pinterest?.summaryStatus == "REJECTED")
        try await h.shutdown()
    }

    @Test func conversionCampaignsTakeATagOfTheirOwnAdAccount() async throws {
        let h = try await Harness()
        let m = methods(h)
        let tag = try await m.createConversionTag(CreateConversionTagRequest(name: "Shop tag", enhancedMatch: ["email"]))
        #expect(tag.created && tag.tag.adAccountId == h.adAccounts[0] && tag.tag.codeSnippet != nil)
        #expect(try await m.createConversionTag(CreateConversionTagRequest(name: "Shop tag")).created == false, "a retried create makes no second tag")
        #expect(try await m.conversionTags(ListConversionTagsRequest()).tags.map(\.id) == [tag.tag.id])
        let other = try await m.createConversionTag(CreateConversionTagRequest(adAccountId: h.adAccounts[1], name: "Other shop"))
        func web(_ goal: ConversionGoalSpec?, strategy: String? = nil, bid: Int64? = nil) -> LaunchCampaignRequest {
            var request = launch(h, id: "web-\(goal?.conversionTagId ?? "none")-\(goal?.conversionEvent ?? "")-\(strategy ?? "")")
            request.campaign.objectiveType = "WEB_CONVERSION"
            request.adGroup.optimizationGoal = goal
            request.adGroup.bidStrategyType = strategy
            request.adGroup.bidInMicroCurrency = bid
            return request
        }
        let before = h.sandbox.stats().byOperation["ad_groups/create"] ?? 0
        for (request, field) in [
            (web(ConversionGoalSpec(conversionTagId: other.tag.id, conversionEvent: "CHECKOUT")), "ad_group.optimization_goal.conversion_tag_id"),
            (web(nil), "ad_group.optimization_goal"),
            (web(ConversionGoalSpec(conversionTagId: tag.tag.id, conversionEvent: "BUY")), "ad_group.optimization_goal.conversion_event"),
        ] {
            let error = await #expect(throws: ResponseError.self) { try await asClient { try await m.launch(request) } }
            #expect(error?.details?["field"]?.stringValue == field)
            if field.hasSuffix("conversion_tag_id") { #expect(error?.message.contains("belongs to ad account \(h.adAccounts[1])") == true, "\(error?.message ?? "")") }
        }
        let made = try await launched(h, web(ConversionGoalSpec(conversionTagId: tag.tag.id, conversionEvent: "CHECKOUT", cpaGoalInMicroCurrency: 12_500_000, clickWindowDays: 30)))
        #expect(h.calls("ad_groups/create") == before + 1)
        let group = try #require(try await h.client.listAdGroups(token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0]).first {
            $0.name == made.adGroup.spec.name
        })
        let goal = try #require(group.optimizationGoalMetadata?.conversionTagV3GoalMetadata)
        #expect(goal.conversionTagID == tag.tag.id && goal.conversionEvent == "CHECKOUT" && goal.cpaGoalValueInMicroCurrency == "12500000")
        #expect(group.bidStrategyType == "AUTOMATIC_BID" && group.bidInMicroCurrency == nil)
        try await h.shutdown()
    }

    @Test func videoCompletionSendsNoManualBid() async throws {
        let h = try await Harness()
        var request = launch(h, id: "video")
        request.campaign.objectiveType = "VIDEO_COMPLETION"
        request.adGroup.billableEvent = "VIDEO_V_50_MRC"
        request.ad.creativeType = "VIDEO"
        let made = try await launched(h, request)
        let group = try #require(try await h.client.listAdGroups(token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0]).first)
        #expect(group.bidInMicroCurrency == nil && group.bidStrategyType == "AUTOMATIC_BID")
        #expect(try await methods(h).get(GetCampaignRequest(campaignId: made.campaign.id)).adGroups.first?.state == .created)
        request.clientRequestId = "video-bid"
        request.adGroup.bidInMicroCurrency = 1_000_000
        let refused = await #expect(throws: ResponseError.self) { try await asClient { try await methods(h).launch(request) } }
        #expect(refused?.details?["field"] == "ad_group.bid_in_micro_currency")
        try await h.shutdown()
    }

    @Test func keywordsAreCreatedOnceAcrossACrashAndReplacedByAnUpdate() async throws {
        let h = try await Harness()
        var request = launch(h, id: "keywords")
        request.adGroup.keywords = [KeywordSpec(value: "winter boots", matchType: "PHRASE"), KeywordSpec(value: "cheap", matchType: "EXACT_NEGATIVE")]
        let made = try await methods(h).launch(request)
        // The ad group is made, and the daemon stops before its keywords are.
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 20, pathContains: "/keywords"))
        let unavailable = await #expect(throws: PinterestError.self) { try await build(h, ["ad_id": .int(made.ad.id)]) }
        #expect(unavailable?.isRetryable == true)
        h.sandbox.clearFaults()
        #expect(try await h.store.buildRecord(.adGroup, id: made.adGroup.id)?.keywordsPending == true)
        #expect(try await h.store.buildRecord(.adGroup, id: made.adGroup.id)?.state == .created)
        #expect(h.calls("ad_groups/create") == 1)
        let groupID = try #require(try await h.store.buildRecord(.adGroup, id: made.adGroup.id)?.pinterestID)
        // Then an attempt creates them at Pinterest and dies before recording it.
        let session = try await h.tokens.session(adAccountID: h.adAccounts[0])
        _ = try await h.builder.syncKeywords(
            [KeywordPlan(value: "winter boots", matchType: "PHRASE"), KeywordPlan(value: "cheap", matchType: "EXACT_NEGATIVE")],
            adGroupPinterestID: groupID, session: session)
        #expect(try await h.store.buildRecord(.adGroup, id: made.adGroup.id)?.keywordsPending == true)
        let created = h.calls("keywords/create")
        // The next attempt finds them made.
        _ = try await build(h, ["ad_id": .int(made.ad.id)], attempt: 2)
        #expect(try await h.store.buildRecord(.adGroup, id: made.adGroup.id)?.keywordsPending == false)
        let token = try await h.tokens.token(connectionID: 1)
        var atPinterest = try await h.client.listKeywords(token: token, adAccountID: h.adAccounts[0], adGroupID: groupID)
        #expect(Set(atPinterest.compactMap(\.value)) == ["winter boots", "cheap"] && atPinterest.count == 2, "each created once")
        #expect(h.calls("keywords/create") == created && created == 1, "the second attempt found them made")
        #expect(h.calls("ad_groups/create") == 1)
        var group = try #require(try await methods(h).get(GetCampaignRequest(campaignId: made.campaign.id)).adGroups.first)
        #expect(group.keywords?.count == 2 && group.keywords?.allSatisfy { $0.pinterestId != nil } == true)
        // Replaced whole: one stays, one goes, one comes.
        _ = try await methods(h).updateAdGroup(
            UpdateAdGroupRequest(id: made.adGroup.id, keywords: [KeywordSpec(value: "winter boots", matchType: "PHRASE"), KeywordSpec(value: "snow boots", matchType: "BROAD")]))
        let before = h.calls("ad_groups/update")
        _ = try await h.builder.runUpdates(campaignID: made.campaign.id)
        #expect(h.calls("ad_groups/update") == before, "a keyword-only change sends no PATCH of the ad group")
        atPinterest = try await h.client.listKeywords(token: token, adAccountID: h.adAccounts[0], adGroupID: groupID)
        #expect(Set(atPinterest.compactMap(\.value)) == ["winter boots", "snow boots"])
        group = try #require(try await methods(h).get(GetCampaignRequest(campaignId: made.campaign.id)).adGroups.first)
        #expect(Set(group.keywords?.map(\.value) ?? []) == ["winter boots", "snow boots"] && group.spec.keywords?.count == 2)
        try await h.shutdown()
    }

    @Test func aTrackedCampaignBringsItsAdGroupsAndAdsAndMetricsByLevel() async throws {
        let h = try await Harness()
        let token = try await h.tokens.token(connectionID: 1)
        let account = h.adAccounts[0]
        // Made in Ads Manager.
        let campaign = try #require(try await h.client.createCampaigns(token: token, adAccountID: account, [
            CampaignCreate(adAccountID: account, name: "Elsewhere", objectiveType: "CONSIDERATION", status: "ACTIVE", dailySpendCap: 40_000_000)
        ]).first?.created)
        let group = try #require(try await h.client.createAdGroups(token: token, adAccountID: account, [
            AdGroupCreate(campaignID: campaign.id, name: "Made there", billableEvent: "CLICKTHROUGH", budgetInMicroCurrency: 10_000_000,
                bidInMicroCurrency: 1_000_000, targetingSpec: ["LOCATION": ["US"]], bidStrategyType: "MAX_BID")
        ]).first?.created)
        _ = try await h.client.createAds(token: token, adAccountID: account, [AdCreate(adGroupID: group.id, pinID: "5551212", creativeType: "REGULAR")])
        let tracked = try await methods(h).track(TrackCampaignRequest(campaignId: campaign.id))
        let detail = try await methods(h).get(GetCampaignRequest(campaignId: tracked.campaign.id))
        #expect(detail.adGroups.count == 1 && detail.adGroups.first?.madeElsewhere == true && detail.adGroups.first?.spec.name == "Made there")
        #expect(detail.ads.count == 1 && detail.ads.first?.madeElsewhere == true && detail.ads.first?.pinterest?.reviewStatus != nil)
        // Metrics of every level.
        let clock = ManualClock(Date())
        let puller = MetricsPuller(store: h.store, tokens: h.tokens, clock: clock, logger: Logger(label: "test"), days: 7)
        _ = try await puller.pull()
        let (from, to) = MetricsPuller.window(now: clock.now(), days: 7)
        let m = methods(h, metrics: puller)
        let groups = try await m.metrics(CampaignMetricsRequest(campaignId: tracked.campaign.id, from: from, to: to, level: .adGroup))
        #expect(!groups.rows.isEmpty && groups.rows.allSatisfy { $0.adGroupId == detail.adGroups.first?.id && $0.campaignId == tracked.campaign.id })
        #expect(groups.level == .adGroup && groups.totals.spendMicro == groups.rows.reduce(0) { $0 + $1.spendMicro })
        if groups.totals.impressions > 0 { #expect(groups.totals.ctr == Double(groups.totals.clicks) / Double(groups.totals.impressions)) }
        let ads = try await m.metrics(CampaignMetricsRequest(from: from, to: to, level: .ad, adGroupId: detail.adGroups.first?.id))
        #expect(!ads.rows.isEmpty && ads.rows.allSatisfy { $0.adId == detail.ads.first?.id && $0.adGroupId == detail.adGroups.first?.id })
        let wrong = await #expect(throws: ResponseError.self) {
            try await asClient { try await m.metrics(CampaignMetricsRequest(from: from, to: to, adGroupId: detail.adGroups.first?.id)) }
        }
        #expect(wrong?.details?["field"] == "ad_group_id")
        try await h.shutdown()
    }

    @Test func anUpdateRecordedWithoutItsJobGetsOneAtStart() async throws {
        let h = try await Harness()
        let made = try await launched(h)
        // A stop between the write-ahead record and its job: the record alone.
        _ = try await h.store.insertUpdate(.campaign, objectID: made.campaign.id, campaignID: made.campaign.id, changes: #"{"status":"ACTIVE"}"#, now: Date())
        let queue = JobQueue(store: h.store, clock: SystemWallClock(), registry: JobRegistry(h.builder.jobHandlers), logger: Logger(label: "test"))
        await h.builder.attach(queue: queue)
        try await h.builder.resumeQueuedUpdates()
        let jobs = try await h.store.listJobs(state: .queued, kind: CampaignBuilder.updateKind, limit: 10, beforeID: nil)
        #expect(jobs.count == 1)
        try await h.builder.resumeQueuedUpdates()
        #expect(try await h.store.listJobs(state: .queued, kind: CampaignBuilder.updateKind, limit: 10, beforeID: nil).count == 1, "joins the queued job")
        try await h.shutdown()
    }

    @Test func objectsFoundUnderACampaignWithACreateInProgressAreNotTakenAsMadeElsewhere() async throws {
        let h = try await Harness()
        let m = methods(h)
        let campaign = try await m.create(CreateCampaignRequest(campaign: CampaignSpec(name: "c", objectiveType: "CONSIDERATION"))).campaign
        _ = try await build(h, ["campaign_id": .int(campaign.id)])
        let pid = try #require(try await h.store.buildRecord(.campaign, id: campaign.id)?.pinterestID)
        // Ours is recorded, not created yet; one is made in Ads Manager meanwhile.
        let ours = try await m.createAdGroup(
            CreateAdGroupRequest(campaignId: campaign.id, adGroup: AdGroupSpec(name: "ours", billableEvent: "CLICKTHROUGH", targeting: Self.targeting)))
        _ = try await h.client.createAdGroups(
            token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0],
            [AdGroupCreate(campaignID: pid, name: "theirs", billableEvent: "CLICKTHROUGH", budgetInMicroCurrency: 5_000_000, bidInMicroCurrency: 1_000_000,
                targetingSpec: ["LOCATION": ["US"]])])
        var detail = try await m.get(GetCampaignRequest(campaignId: campaign.id, refresh: true))
        #expect(detail.adGroups.map(\.id) == [ours.adGroup.id], "it may be our create's: not taken while ours is pending")
        _ = try await build(h, ["ad_group_id": .int(ours.adGroup.id)])
        detail = try await m.get(GetCampaignRequest(campaignId: campaign.id, refresh: true))
        #expect(detail.adGroups.count == 2 && detail.adGroups.filter { $0.madeElsewhere == true }.map(\.spec.name) == ["theirs"])
        #expect(Set(detail.adGroups.compactMap(\.pinterestId)).count == 2)
        try await h.shutdown()
    }

    @Test func aLostUpdateWhoseEndHasPassedSinceIsAppliedNotRefused() async throws {
        let h = try await Harness()
        var request = launch(h, id: "started-earlier")
        request.campaign.startTime = Date().addingTimeInterval(-7200)
        let made = try await launched(h, request)
        let pid = try #require(try await h.store.buildRecord(.campaign, id: made.campaign.id)?.pinterestID)
        // An end an hour ago: sent, its answer lost; Pinterest has it.
        let end = Date().addingTimeInterval(-3600)
        let update = try await h.store.insertUpdate(
            .campaign, objectID: made.campaign.id, campaignID: made.campaign.id,
            changes: try PlanCoding().encode(CampaignChange(endTime: .set(end))), now: Date())
        try await h.store.markUpdateSent(id: update.id, at: Date().addingTimeInterval(-10))
        let behind = try await h.client.updateCampaigns(
            token: try await h.tokens.token(connectionID: 1), adAccountID: h.adAccounts[0],
            [CampaignUpdate(id: pid, adAccountID: h.adAccounts[0], endTime: .set(Int64(end.timeIntervalSince1970)))])
        #expect(behind.first?.exceptions == [], "Pinterest took it")
        let sent = h.calls("campaigns/update")
        #expect(try await h.builder.runUpdates(campaignID: made.campaign.id).applied == [update.id])
        #expect(h.calls("campaigns/update") == sent, "read, found, not sent again")
        #expect(try await h.store.update(id: update.id)?.state == .applied)
        try await h.shutdown()
    }

    @Test func changesOfATrackedCampaignAreCheckedAgainstWhatPinterestSaid() async throws {
        let h = try await Harness()
        let token = try await h.tokens.token(connectionID: 1)
        let account = h.adAccounts[0]
        let campaign = try #require(try await h.client.createCampaigns(token: token, adAccountID: account, [
            CampaignCreate(adAccountID: account, name: "Videos", objectiveType: "VIDEO_COMPLETION", status: "PAUSED", dailySpendCap: 30_000_000)
        ]).first?.created)
        _ = try #require(try await h.client.createAdGroups(token: token, adAccountID: account, [
            AdGroupCreate(campaignID: campaign.id, name: "Viewers", billableEvent: "VIDEO_V_50_MRC", budgetInMicroCurrency: 10_000_000,
                targetingSpec: ["LOCATION": ["US"]], bidStrategyType: "AUTOMATIC_BID")
        ]).first?.created)
        let tracked = try await methods(h).track(TrackCampaignRequest(campaignId: campaign.id))
        let group = try #require(try await methods(h).get(GetCampaignRequest(campaignId: tracked.campaign.id)).adGroups.first)
        let before = h.sandbox.stats().requestsTotal
        let refused = await #expect(throws: ResponseError.self) {
            try await asClient { try await methods(h).updateAdGroup(UpdateAdGroupRequest(id: group.id, bidInMicroCurrency: .set(1_000_000))) }
        }
        #expect(refused?.details?["field"] == "bid_in_micro_currency", "VIDEO_COMPLETION, as Pinterest said: no manual bid")
        #expect(h.sandbox.stats().requestsTotal == before)
        // Its own changes switch caps as a made one's do.
        _ = try await methods(h).update(UpdateCampaignRequest(id: tracked.campaign.id, lifetimeSpendCap: .set(500_000_000), endTime: .set(Date().addingTimeInterval(30 * 86_400))))
        #expect(try await h.builder.runUpdates(campaignID: tracked.campaign.id).applied.count == 1)
        let now = try #require(try await pinterestCampaign(h, campaign.id))
        #expect(now.lifetimeSpendCap == 500_000_000 && now.dailySpendCap == nil)
        try await h.shutdown()
    }
}
