#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct StartupOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Starts of each kind, fresh and existing state directory (default 10).", valueName: "n"))
    var starts: Int?

    mutating func validate() throws {
        if let starts, !(1...1000).contains(starts) { throw ValidationError("--starts: 1 to 1,000") }
    }
}

struct StartupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Start-up: launching pinadsd to its first system.health answer on the socket. Goal: median < 200 ms, with a fresh and with an existing state directory.",
        discussion: """
            The clock starts just before the process is spawned; the bench then tries to connect and call \
            system.health every 0.5 ms. Each start is stopped with SIGTERM before the next. "fresh" gets a new state \
            directory every time; "existing" reuses one state directory that a first (unmeasured) start created and \
            that holds a database from then on. No Pinterest connection is made, so no network is involved.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: StartupOptions

    func run() async throws {
        let options = self.options, common = self.common
        try await common.report([
            ("startup", { await BenchReport.run("startup") { try await options.measure(binaries: common.binaryDirectory, keep: common.keep) } })
        ])
    }
}

struct StartupResult: ScenarioResult {
    var freshMs: [Double]
    var existingMs: [Double]

    var metrics: [Metric] {
        let fresh = freshMs.sorted(), existing = existingMs.sorted()
        return [
            Metric(
                "start → first health answer, fresh state directory (median of \(fresh.count))", quantile(fresh, 0.5), unit: "ms",
                text: String(format: "median %.1f ms (min %.1f, max %.1f)", quantile(fresh, 0.5), fresh.first ?? .nan, fresh.last ?? .nan),
                goal: .below(200, "< 200 ms")),
            Metric(
                "start → first health answer, existing state directory (median of \(existing.count))", quantile(existing, 0.5), unit: "ms",
                text: String(format: "median %.1f ms (min %.1f, max %.1f)", quantile(existing, 0.5), existing.first ?? .nan, existing.last ?? .nan),
                goal: .below(200, "< 200 ms")),
        ]
    }

    var notes: [String] { ["The median of an even count is the upper of the two middle starts."] }
}

extension StartupOptions {
    func measure(binaries: String, keep: Bool) async throws -> StartupResult {
        let starts = self.starts ?? 10
        let work = try BenchPaths.workDirectory("startup")
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }
        var fresh: [Double] = [], existing: [Double] = []
        for n in 0..<starts {
            fresh.append(try Self.start(binaries: binaries, state: work + "/fresh\(n)", socket: work + "/f\(n).sock", log: work + "/fresh\(n).log"))
        }
        // The first start creates the directory and its database; it is not counted.
        _ = try Self.start(binaries: binaries, state: work + "/existing", socket: work + "/e.sock", log: work + "/existing.log")
        for _ in 0..<starts {
            existing.append(try Self.start(binaries: binaries, state: work + "/existing", socket: work + "/e.sock", log: work + "/existing.log"))
        }
        return StartupResult(freshMs: fresh, existingMs: existing)
    }

    /// Milliseconds from spawning pinadsd to its first answered system.health; then stops it.
    static func start(binaries: String, state: String, socket: String, log: String) throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        let daemon = try Process.launch(binaries + "/pinadsd", ["--socket", socket, "--state-dir", state, "--log-level", "warning"], log: log)
        defer { daemon.stopGracefully() }
        let deadline = started + 30_000_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if let client = try? PinAdsClient(socketPath: socket), case .result? = try? client.call(HealthRequest()) {
                return milliseconds(since: started)
            }
            guard daemon.isRunning else { throw BenchFailure("pinadsd exited \(daemon.terminationStatus) before answering; see \(log)") }
            usleep(500)
        }
        throw BenchFailure("pinadsd did not answer system.health within 30 s; see \(log)")
    }
}
