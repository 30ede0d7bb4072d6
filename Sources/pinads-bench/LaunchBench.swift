import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct LaunchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Campaign launches, one after another (default 20; ads_write allows 400 calls a minute, 3 per launch).", valueName: "n"))
    var launches: Int?

    mutating func validate() throws {
        if let launches, !(1...120).contains(launches) { throw ValidationError("--launches: 1 to 120") }
    }
}

struct LaunchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Campaign launch latency: campaigns.launch (campaign → ad group → ad) to the job's success, against the sandbox. Goal: p99 < 1 s.",
        discussion: """
            Each launch sends campaigns.launch with a new client_request_id on the socket (as `pinads campaign launch --file` \
            does), then follows its job with jobs.watch until the job has finished; the time is from sending the launch to \
            the watch's final answer. The job must succeed with all three levels created at Pinterest. Launches run one at \
            a time. The daemon's own view (the job's created_at → finished_at) is reported alongside.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: LaunchOptions

    func run() async throws {
        let options = self.options, common = self.common
        try await common.report([
            ("launch", { await BenchReport.run("launch") { try await options.measure(binaries: common.binaryDirectory, keep: common.keep) } })
        ])
    }
}

struct LaunchBenchResult: ScenarioResult {
    var launches: Int
    var p50Ms: Double
    var p99Ms: Double
    var maxMs: Double
    /// The job's created_at → finished_at as the daemon stored them (second or millisecond precision, as the daemon keeps them).
    var jobP50Ms: Double
    var sandboxRequestsPerLaunch: Double

    var metrics: [Metric] {
        [
            Metric(
                "campaigns.launch → job succeeded p99 (\(launches) launches)", p99Ms, unit: "ms",
                text: String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms; job created → finished p50 %.1f ms; %.1f Pinterest calls per launch",
                             p50Ms, p99Ms, maxMs, jobP50Ms, sandboxRequestsPerLaunch),
                goal: .below(1000, "p99 < 1 s")),
        ]
    }
}

extension LaunchOptions {
    static func plan(_ id: String) -> LaunchCampaignRequest {
        LaunchCampaignRequest(
            campaign: CampaignSpec(name: "Bench \(id)", objectiveType: "CONSIDERATION", dailySpendCap: 25_000_000),
            adGroup: AdGroupSpec(name: "Bench buyers \(id)", billableEvent: "CLICKTHROUGH", targeting: TargetingSpec(locations: ["US"])),
            ad: AdSpec(pinId: "1122334455", creativeType: "REGULAR", name: "Bench pin \(id)"),
            clientRequestId: id)
    }

    func measure(binaries: String, keep: Bool) async throws -> LaunchBenchResult {
        let launches = self.launches ?? 20
        let environment = try await BenchEnvironment.start(binaries: binaries, name: "launch")
        defer { environment.stop(keep: keep) }
        let client = try PinAdsClient(socketPath: environment.socket)
        let requestsBefore = try await environment.sandbox.stats()["requests_total"]?.intValue ?? 0
        var times: [Double] = [], jobTimes: [Double] = []
        for n in 0..<launches {
            let started = DispatchTime.now().uptimeNanoseconds
            let launched = try client.value(Self.plan("bench-\(getpid())-\(n)"))
            guard let job = launched.jobId else { throw BenchFailure("campaigns.launch \(n): no job (everything existed already?)") }
            let watched = try client.stream(WatchJobsRequest(ids: [job])) { _ in }
            let elapsed = milliseconds(since: started)
            guard case .result(let final) = watched, let state = final.jobs.first else {
                throw BenchFailure("jobs.watch \(job): \(watched)")
            }
            guard state.state == .succeeded else {
                throw BenchFailure("launch \(n): job \(job) ended \(state.state.rawValue): \(state.lastError ?? "?")")
            }
            let detail = try client.value(GetCampaignRequest(campaignId: launched.campaign.id))
            guard detail.campaign.state == .created, detail.adGroups.allSatisfy({ $0.state == .created }), detail.ads.allSatisfy({ $0.state == .created }),
                !detail.adGroups.isEmpty, !detail.ads.isEmpty
            else { throw BenchFailure("launch \(n): the job succeeded but not every level is CREATED") }
            times.append(elapsed)
            if let finished = state.finishedAt { jobTimes.append(finished.timeIntervalSince(state.createdAt) * 1000) }
        }
        let requests = (try await environment.sandbox.stats()["requests_total"]?.intValue ?? 0) - requestsBefore
        times.sort()
        jobTimes.sort()
        return LaunchBenchResult(
            launches: launches, p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), maxMs: times.last ?? .nan, jobP50Ms: quantile(jobTimes, 0.5),
            sandboxRequestsPerLaunch: Double(requests) / Double(launches))
    }
}
