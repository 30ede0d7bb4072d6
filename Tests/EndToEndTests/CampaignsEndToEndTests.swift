#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Campaign launches by the real pinadsd against a real pinads-sandbox.
@Suite("Campaigns end to end", .serialized)
struct CampaignsEndToEndTests {
    static func plan(_ id: String) -> LaunchCampaignRequest {
        LaunchCampaignRequest(
            campaign: CampaignSpec(name: "Spring sale", objectiveType: "CONSIDERATION", dailySpendCap: 25_000_000),
            adGroup: AdGroupSpec(name: "Spring buyers", billableEvent: "CLICKTHROUGH", targeting: TargetingSpec(locations: ["US"])),
            ad: AdSpec(pinId: "1122334455", creativeType: "REGULAR", name: "Spring pin"),
            clientRequestId: id)
    }

    private func connect(_ daemon: Daemon, _ sandbox: SandboxProcess) async throws {
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(
                accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
    }

    @Test func killedBetweenLevelsThenRelaunchedMakesExactlyOneOfEach() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        try await connect(daemon, sandbox)
        // The ad group's create is slow: the kill lands after the campaign exists.
        try await sandbox.control("POST", "/_sandbox/faults", ["kind": "latency", "count": 1, "path_contains": "/ad_groups", "latency_ms": 3000])
        let launched = try daemon.call(Self.plan("spring-2027"))
        #expect(!launched.resumed && launched.jobId != nil)
        try await eventually("the campaign exists at Pinterest") {
            try daemon.call(GetCampaignRequest(campaignId: launched.campaign.id)).campaign.state == .created
        }
        try await eventually("the ad group's create reached Pinterest (its answer is 3 s late)") {
            try await sandbox.count("ad_groups/create") == 1
        }
        try await daemon.stop(signal: SIGKILL)

        try await daemon.start()
        let again = try daemon.call(Self.plan("spring-2027"))
        #expect(again.resumed && again.campaign.id == launched.campaign.id)
        try await eventually("the whole hierarchy exists", timeout: 60) {
            try daemon.call(GetCampaignRequest(campaignId: launched.campaign.id)).ads.first?.state == .created
        }
        #expect(try await sandbox.count("campaigns/create") == 1)
        #expect(try await sandbox.count("ad_groups/create") == 1, "the interrupted create was found, not repeated")
        #expect(try await sandbox.count("ads/create") == 1)
        let stats = try await sandbox.stats()
        #expect(stats["campaigns"] == 1 && stats["ad_groups"] == 1 && stats["ads"] == 1, "\(stats)")
        #expect(daemon.log.contains("found the object an interrupted create made"))
        let detail = try daemon.call(GetCampaignRequest(campaignId: launched.campaign.id, refresh: true))
        #expect(detail.adGroups.count == 1 && detail.ads.count == 1)
        #expect(detail.campaign.pinterestStatus != nil)
        let campaigns = try daemon.call(ListCampaignsRequest()).campaigns
        #expect(campaigns.count == 1 && campaigns[0].spec?.status == "PAUSED")

        // Metrics: the scheduled task's job, run now.
        _ = try daemon.call(RunScheduledTaskRequest(task: "campaign_metrics"))
        try await eventually("metrics arrive") {
            let today = String(Timestamp.format(Date()).prefix(10))
            return !(try daemon.call(CampaignMetricsRequest(from: "2000-01-01", to: today)).rows.isEmpty)
        }
        try await daemon.stop()
        try await sandbox.stop()
    }
}
