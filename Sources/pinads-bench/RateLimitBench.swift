import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct RateLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Pinterest calls to make (default 400; at most 1,000: ads_read allows 1,000 a minute).", valueName: "n"))
    var calls: Int?

    mutating func validate() throws {
        if let calls, !(4...1000).contains(calls) { throw ValidationError("--calls: 4 to 1,000") }
    }
}

struct RateLimitBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratelimit",
        abstract: "The rate limiter saturated: Pinterest calls from 4 connections. Goals: ≥ 95 requests/s sustained, never > 100 in any 1-second window at the sandbox.",
        discussion: """
            Each call is ad_accounts.list with refresh (one GET /v5/ad_accounts each), 32 in flight per connection. \
            The busiest second and the 429s are the sandbox's own counts.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: RateLimitOptions

    func run() async throws {
        let options = self.options, common = self.common
        try await common.report([
            ("ratelimit", { await BenchReport.run("ratelimit") { try await options.measure(binaries: common.binaryDirectory, keep: common.keep) } })
        ])
    }
}

struct RateLimitResult: ScenarioResult {
    var calls: Int
    var seconds: Double
    var requestsPerSecond: Double
    var busiestSecond: Int64?
    var status429: Int64

    var metrics: [Metric] {
        [
            Metric(
                "busiest 1-second window at the sandbox (\(calls) calls, 4 connections)", busiestSecond.map(Double.init), unit: "requests",
                text: "\(busiestSecond.map(String.init) ?? "not reported") requests; 429s: \(status429)", goal: .atMost(100, "≤ 100")),
            Metric(
                "achieved rate", requestsPerSecond, unit: "requests/s",
                text: String(format: "%.1f requests/s (%.2f s)", requestsPerSecond, seconds), goal: .atLeast(95, "≥ 95 requests/s")),
        ]
    }
}

extension RateLimitOptions {
    func measure(binaries: String, keep: Bool) async throws -> RateLimitResult {
        let environment = try await BenchEnvironment.start(binaries: binaries, name: "ratelimit")
        defer { environment.stop(keep: keep) }
        let perLane = (calls ?? 400) / 4
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let client = try PinAdsClient(socketPath: environment.socket)
                    try client.pipeline(count: perLane, window: 32) { _ in ListAdAccountsRequest(refresh: true) } handle: { _, outcome in
                        if case .error(let error) = outcome { throw BenchFailure("ad_accounts.list: \(error)") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = Date().timeIntervalSince(started)
        let stats = try await environment.sandbox.stats()
        return RateLimitResult(
            calls: perLane * 4, seconds: elapsed, requestsPerSecond: Double(perLane * 4) / elapsed,
            busiestSecond: stats["max_requests_in_any_second"]?.intValue, status429: stats["by_status"]?["429"]?.intValue ?? 0)
    }
}
