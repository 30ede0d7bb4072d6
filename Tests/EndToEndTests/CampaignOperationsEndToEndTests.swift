#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Campaigns run after their launch by the real pinadsd against a real pinads-sandbox, driven
/// by the real pinads: a day's changes, each applied once; a kill between the write-ahead
/// record and Pinterest's answer; drift after a change in Ads Manager; conversion tags.
@Suite("Campaign operations end to end", .serialized)
struct CampaignOperationsEndToEndTests {
    /// Starts both, connects a seeded user and launches a campaign (PAUSED), built.
    private func launched(_ id: String = "day-1") async throws -> (SandboxProcess, Daemon, SandboxProcess.Token, LaunchResult) {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        let launched = try daemon.call(CampaignsEndToEndTests.plan(id))
        try await eventually("the hierarchy exists at Pinterest", timeout: 60) {
            try daemon.call(GetCampaignRequest(campaignId: launched.campaign.id)).ads.first?.state == .created
        }
        return (sandbox, daemon, token, launched)
    }

    /// Waits for the object's newest update to be APPLIED (failing on REFUSED).
    private func applied(_ daemon: Daemon, campaign: Int64, _ pick: (CampaignDetail) -> UpdateInfo?) async throws {
        try await eventually("the update is applied", timeout: 60) {
            let update = pick(try daemon.call(GetCampaignRequest(campaignId: campaign)))
            if update?.state == .refused { throw TestFailure("refused: \(update?.error?.message ?? "?")") }
            return update?.state == .applied
        }
    }

    /// Pinterest's campaign, read as another tool would (a second token of the same user).
    private func pinterestCampaign(_ sandbox: SandboxProcess, _ token: SandboxProcess.Token, _ id: String) async throws -> JSONValue? {
        let other = try await sandbox.seedToken(userID: token.userID)
        let page = try await sandbox.api(
            "GET", "/ad_accounts/\(token.adAccountIDs[0])/campaigns?campaign_ids=\(id)&entity_statuses=ACTIVE&entity_statuses=PAUSED&entity_statuses=ARCHIVED",
            token: other.access)
        return page["items"]?.arrayValue?.first
    }

    @Test func killedBetweenTheWriteAheadRecordAndPinterestsAnswerTheChangeIsAppliedOnce() async throws {
        let (sandbox, daemon, token, launch) = try await launched()
        let pid = try #require(try daemon.call(GetCampaignRequest(campaignId: launch.campaign.id)).campaign.pinterestId)
        // Pinterest takes the PATCH and answers 3 s late: the kill lands before the answer.
        try await sandbox.control("POST", "/_sandbox/faults", ["kind": "latency", "count": 1, "path_contains": "/campaigns", "latency_ms": 3000])
        let queued = try daemon.call(UpdateCampaignRequest(id: launch.campaign.id, status: "ACTIVE", dailySpendCap: .set(80_000_000)))
        #expect(queued.campaign.latestUpdate?.state == .queued && queued.jobId != nil)
        try await eventually("the PATCH reached Pinterest") { try await sandbox.count("campaigns/update") == 1 }
        try await eventually("Pinterest applied it") { try await pinterestCampaign(sandbox, token, pid)?["status"] == "ACTIVE" }
        try await daemon.stop(signal: SIGKILL)

        try await daemon.start()
        try await applied(daemon, campaign: launch.campaign.id) { $0.campaign.latestUpdate }
        #expect(try await sandbox.count("campaigns/update") == 1, "read, not sent again")
        #expect(daemon.log.contains("an update whose answer was lost had reached Pinterest"))
        let detail = try daemon.call(GetCampaignRequest(campaignId: launch.campaign.id, refresh: true))
        #expect(detail.campaign.spec?.status == "ACTIVE" && detail.campaign.spec?.dailySpendCap == 80_000_000 && detail.campaign.drift == [])
        try await daemon.stop()
        try await sandbox.stop()
    }

    @Test func aChangeInAdsManagerShowsAsDrift() async throws {
        let (sandbox, daemon, token, launch) = try await launched("drift-1")
        let pid = try #require(try daemon.call(GetCampaignRequest(campaignId: launch.campaign.id)).campaign.pinterestId)
        let other = try await sandbox.seedToken(userID: token.userID)
        try await sandbox.api(
            "PATCH", "/ad_accounts/\(token.adAccountIDs[0])/campaigns", token: other.access,
            [["id": .string(pid), "ad_account_id": .string(token.adAccountIDs[0]), "daily_spend_cap": 60_000_000]])
        let shown = try await daemon.pinads("campaign", "show", String(launch.campaign.id), "--refresh")
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("daily_spend_cap"), "\(shown.stdout)")
        let drift = try daemon.call(GetCampaignRequest(campaignId: launch.campaign.id)).campaign.drift
        #expect(drift == [Drift(field: "daily_spend_cap", pinads: 25_000_000, pinterest: 60_000_000)])
        try await daemon.stop()
        try await sandbox.stop()
    }

    /// Runs pinads, failing on a non-zero exit.
    @discardableResult
    private func pinads(_ daemon: Daemon, _ arguments: String...) async throws -> String {
        let result = try await runCommand(
            Binaries.pinads, arguments + ["--socket", daemon.socketPath], environment: Daemon.baseEnvironment, timeout: 90)
        guard result.status == 0 else { throw TestFailure("pinads \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)") }
        return result.stdout
    }

    @Test func aDaysWorkThroughTheCommandLine() async throws {
        let (sandbox, daemon, token, launch) = try await launched("cli-day")
        let id = String(launch.campaign.id)
        let pid = try #require(try daemon.call(GetCampaignRequest(campaignId: launch.campaign.id)).campaign.pinterestId)
        // Launched PAUSED; resumed, its budget raised, paused again: each visible at Pinterest once.
        try await pinads(daemon, "campaign", "resume", id, "--wait")
        #expect(try await pinterestCampaign(sandbox, token, pid)?["status"] == "ACTIVE")
        try await pinads(daemon, "campaign", "update", id, "--daily-budget", "80", "--end", "2099-01-31", "--wait")
        let raised = try await pinterestCampaign(sandbox, token, pid)
        #expect(raised?["daily_spend_cap"] == 80_000_000 && raised?["end_time"]?.intValue == 4_073_500_800)
        try await pinads(daemon, "campaign", "pause", id, "--wait")
        #expect(try await pinterestCampaign(sandbox, token, pid)?["status"] == "PAUSED")
        #expect(try await sandbox.count("campaigns/update") == 3)
        // The ad group's budget and its keywords.
        let group = String(launch.adGroup.id)
        try await pinads(daemon, "ad-group", "update", group, "--budget", "30", "--keyword", "winter boots:PHRASE", "--wait")
        let detail = try daemon.call(GetCampaignRequest(campaignId: launch.campaign.id))
        #expect(detail.adGroups.first?.spec.budgetInMicroCurrency == 30_000_000 && detail.adGroups.first?.keywords?.first?.pinterestId != nil)
        #expect(try await sandbox.count("ad_groups/update") == 1)
        #expect(try await sandbox.count("keywords/create") == 1)
        // Metrics per ad group, as a table and as CSV.
        _ = try daemon.call(RunScheduledTaskRequest(task: "campaign_metrics"))
        let today = String(Timestamp.format(Date()).prefix(10))
        try await eventually("ad group metrics arrive", timeout: 60) {
            !(try daemon.call(CampaignMetricsRequest(from: "2000-01-01", to: today, level: .adGroup)).rows.isEmpty)
        }
        let table = try await pinads(daemon, "campaign", "metrics", id, "--level", "ad-group")
        #expect(table.contains("AD GROUP"), "\(table)")
        let csv = try await pinads(daemon, "campaign", "metrics", id, "--level", "ad-group", "--csv")
        let lines = csv.split(separator: "\n")
        #expect(lines.count >= 2 && lines[0].contains("ad_group_id"), "\(csv)")
        // Archived: final.
        try await pinads(daemon, "campaign", "archive", id, "--wait")
        #expect(try await pinterestCampaign(sandbox, token, pid)?["status"] == "ARCHIVED")
        let again = try await runCommand(
            Binaries.pinads, ["campaign", "resume", id, "--socket", daemon.socketPath], environment: Daemon.baseEnvironment, timeout: 60)
        #expect(again.status != 0 && again.stderr.contains("ARCHIVED"), "\(again.stderr)")
        #expect(try await sandbox.count("campaigns/update") == 4, "the refused resume reached no one")
        try await daemon.stop()
        try await sandbox.stop()
    }

    @Test func aConversionCampaignWithATagMadeThroughPinads() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        let created = try await pinads(daemon, "tags", "create", "shop.example.com", "--enhanced-match", "email")
        #expect(created.contains("<script") || created.contains("pintrk"), "\(created)")
        let tag = try #require(try daemon.call(ListConversionTagsRequest()).tags.first)
        var plan = CampaignsEndToEndTests.plan("web-1")
        plan.campaign.objectiveType = "WEB_CONVERSION"
        plan.adGroup.optimizationGoal = ConversionGoalSpec(conversionTagId: tag.id, conversionEvent: "CHECKOUT", clickWindowDays: 30)
        plan.status = "ACTIVE"
        let launched = try daemon.call(plan)
        try await eventually("the hierarchy exists at Pinterest", timeout: 60) {
            try daemon.call(GetCampaignRequest(campaignId: launched.campaign.id)).ads.first?.state == .created
        }
        let detail = try daemon.call(GetCampaignRequest(campaignId: launched.campaign.id, refresh: true))
        #expect(detail.campaign.pinterest?.status == "ACTIVE", "a launch with status ACTIVE runs at once")
        #expect(detail.adGroups.first?.spec.bidStrategyType == "AUTOMATIC_BID" && detail.adGroups.first?.spec.optimizationGoal?.conversionTagId == tag.id)
        // A tag that is not the ad account's is refused before any call.
        var wrong = CampaignsEndToEndTests.plan("web-2")
        wrong.campaign.objectiveType = "WEB_CONVERSION"
        wrong.adGroup.optimizationGoal = ConversionGoalSpec(conversionTagId: "999999999", conversionEvent: "CHECKOUT")
        let before = try await sandbox.count("campaigns/create")
        switch try daemon.client().call(wrong) {
        case .result: Issue.record("a launch with another account's tag was accepted")
        case .error(let error): #expect(error.details?["field"] == "ad_group.optimization_goal.conversion_tag_id", "\(error)")
        }
        #expect(try await sandbox.count("campaigns/create") == before)
        try await daemon.stop()
        try await sandbox.stop()
    }
}
