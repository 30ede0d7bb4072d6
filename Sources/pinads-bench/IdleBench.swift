#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct IdleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to watch the idle daemon (default 60).", valueName: "s"))
    var idleSeconds: Int?

    mutating func validate() throws {
        if let idleSeconds, idleSeconds < 2 { throw ValidationError("--idle-seconds: at least 2") }
    }
}

struct IdleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "The daemon at rest after start and connect: RSS and CPU over --idle-seconds. Goals: RSS < 30 MB; CPU < 1 % (no busy loop).",
        discussion: """
            Starts a sandbox and a daemon, connects the daemon to a sandbox user with one ad account, then samples \
            /proc/<pid>/status (VmRSS, RssAnon) every second and reads /proc/<pid>/stat utime + stime at both ends. \
            Context switches of all the daemon's threads (/proc/<pid>/task/*/status) show how often it wakes up. \
            The Pinterest calls the daemon made meanwhile are the sandbox's count.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: IdleOptions

    func run() async throws {
        let options = self.options, common = self.common
        try await common.report([
            ("idle", { await BenchReport.run("idle") { try await options.measure(binaries: common.binaryDirectory, keep: common.keep) } })
        ])
    }
}

struct IdleResult: ScenarioResult {
    var seconds: Double
    /// Once it answered, before it was connected to Pinterest (no libcurl or TLS in use yet).
    var rssBeforeConnectBytes: Int64
    var rssAfterConnectBytes: Int64
    var rssEndBytes: Int64
    var rssMaxBytes: Int64
    var rssAnonEndBytes: Int64
    /// Mapped files (the binary and shared libraries) resident at the end.
    var rssFileEndBytes: Int64
    /// Proportional set size at the end: shared library pages divided among their users.
    var pssEndBytes: Int64?
    var threads: Int64
    var cpuTicks: Int64
    var cpuPercent: Double
    var contextSwitchesPerSecond: Double
    var pinterestCalls: Int64

    var metrics: [Metric] {
        [
            Metric(
                "idle RSS (highest of the per-second samples)", Double(rssMaxBytes), unit: "bytes",
                text: "\(megabytes(rssMaxBytes)); at the end \(megabytes(rssAnonEndBytes)) anonymous + \(megabytes(rssFileEndBytes)) files; PSS \(pssEndBytes.map(megabytes) ?? "?"); before connect \(megabytes(rssBeforeConnectBytes))", goal: .below(30e6, "< 30 MB")),
            Metric(
                "idle CPU over \(Int(seconds)) s after connect", cpuPercent, unit: "%",
                text: String(format: "%.2f %% (%lld ticks of 1/%.0f s); %.1f wake-ups/s over %lld threads; %lld Pinterest calls",
                             cpuPercent, cpuTicks, ProcProbe.ticksPerSecond, contextSwitchesPerSecond, threads, pinterestCalls),
                goal: .below(1, "< 1 % (~0, no busy loop)")),
        ]
    }
}

extension IdleOptions {
    func measure(binaries: String, keep: Bool) async throws -> IdleResult {
        let seconds = idleSeconds ?? 60
        var beforeConnect: [String: Int64] = [:]
        let environment = try await BenchEnvironment.start(binaries: binaries, name: "idle") { beforeConnect = ProcProbe(pid: $0).status() }
        defer { environment.stop(keep: keep) }
        let probe = ProcProbe(pid: environment.daemon.processIdentifier)
        let callsBefore = try await environment.sandbox.stats()["requests_total"]?.intValue ?? 0
        let startStatus = probe.status()
        guard let ticksBefore = probe.cpuTicks() else { throw BenchFailure("cannot read /proc/\(probe.pid)/stat") }
        let switchesBefore = probe.contextSwitchesByThread()
        var switchesSeen = switchesBefore
        let started = Date()
        var rssMax = startStatus["VmRSS"] ?? 0
        progress("  watching pinadsd (pid \(probe.pid)) for \(seconds) s…")
        for second in 1...seconds {
            // Sleeps to the next whole second of the run, so the sampling itself does not drift.
            let due = started.addingTimeInterval(Double(second))
            try await Task.sleep(for: .milliseconds(max(0, Int(due.timeIntervalSinceNow * 1000))))
            rssMax = max(rssMax, probe.status()["VmRSS"] ?? 0)
            switchesSeen.merge(probe.contextSwitchesByThread(), uniquingKeysWith: max)
        }
        let elapsed = Date().timeIntervalSince(started)
        guard let ticksAfter = probe.cpuTicks() else { throw BenchFailure("pinadsd (pid \(probe.pid)) exited while idle") }
        switchesSeen.merge(probe.contextSwitchesByThread(), uniquingKeysWith: max)
        let switches = switchesSeen.values.reduce(0, +) - switchesBefore.values.reduce(0, +)
        let endStatus = probe.status()
        guard let rssEnd = endStatus["VmRSS"], rssMax > 0 else { throw BenchFailure("cannot read VmRSS from /proc/\(probe.pid)/status") }
        let calls = (try await environment.sandbox.stats()["requests_total"]?.intValue ?? 0) - callsBefore
        let ticks = ticksAfter - ticksBefore
        return IdleResult(
            seconds: elapsed, rssBeforeConnectBytes: beforeConnect["VmRSS"] ?? 0, rssAfterConnectBytes: startStatus["VmRSS"] ?? 0, rssEndBytes: rssEnd, rssMaxBytes: rssMax,
            rssAnonEndBytes: endStatus["RssAnon"] ?? 0, rssFileEndBytes: endStatus["RssFile"] ?? 0, pssEndBytes: probe.pss(), threads: endStatus["Threads"] ?? 0, cpuTicks: ticks,
            cpuPercent: 100 * Double(ticks) / ProcProbe.ticksPerSecond / elapsed, contextSwitchesPerSecond: Double(switches) / elapsed,
            pinterestCalls: calls)
    }
}
