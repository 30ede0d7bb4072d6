#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol
import PinterestAPI

/// Measures pinads against its performance goals with the real binaries: a `pinads-sandbox`,
/// a `pinadsd` on temporary paths, and `pinads` as a user would run it.
@main
struct PinadsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinads-bench",
        abstract: "Measure pinads against its performance goals (real pinadsd, pinads and pinads-sandbox on temporary paths).",
        discussion: """
            Build with `swift build -c release` first; the binaries are taken from the directory of pinads-bench itself.
            `audiences` imports members through `pinads audience add`, syncs them to a fresh sandbox, then syncs a delta,
            and reports rates, times and the daemon's peak RSS per phase (from /proc, reset between phases).
            """,
        subcommands: [AudiencesBench.self, ConversionsBench.self, RateLimitBench.self],
        defaultSubcommand: AudiencesBench.self)
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct AudiencesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audiences",
        abstract: "Import members, sync them to Pinterest (the sandbox), then sync a delta. Goals: import ≥ 200,000 members/s; peak RSS < 200 MB.")

    @Option(help: "Members to import and sync.") var members = 1_000_000
    @Option(help: "Fraction of members changed for the delta sync (half removed, half new).") var delta = 0.01
    @Option(help: "Records per customer-list request (the daemon's --audience-records-per-request).") var recordsPerRequest = 10_000
    @Option(help: "Directory holding pinadsd, pinads and pinads-sandbox (default: next to this program).") var binaries: String?
    @Flag(help: "Keep the temporary directory (logs, database) afterwards.") var keep = false

    func run() async throws {
        let bin = binaries ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("pinads-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }
        print("pinads-bench audiences: \(members) members, \(Int(delta * 100 * 10) / 10)% delta, \(recordsPerRequest) records per request; work in \(work)")

        let sandbox = try await SandboxRun.start(binary: bin + "/pinads-sandbox", work: work)
        defer { sandbox.stop() }
        let socket = work + "/d.sock"
        let daemon = try Process.launch(
            bin + "/pinadsd",
            ["--socket", socket, "--state-dir", work + "/state", "--api-base-url", sandbox.baseURL, "--log-level", "warning",
             "--audience-records-per-request", String(recordsPerRequest)],
            log: work + "/pinadsd.log")
        defer { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() }
        try await waitFor("pinadsd answers", timeout: 30) {
            guard let client = try? PinAdsClient(socketPath: socket) else { return false }
            if case .result = try client.call(HealthRequest()) { return true }
            return false
        }
        let client = try PinAdsClient(socketPath: socket)
        let token = try await sandbox.control("POST", "/_sandbox/tokens", ["ad_accounts": 1])
        _ = try client.value(
            ConnectRequest(
                accessToken: token["access_token"]?.stringValue ?? "", refreshToken: token["refresh_token"]?.stringValue,
                clientId: "sandbox-app-id", clientSecret: "sandbox-app-secret"))
        let audience = try client.value(CreateAudienceRequest(name: "bench")).audience.id

        // 1. Import through the client.
        let file = work + "/members.txt"
        try Self.writeMembers(0..<members, to: file)
        let rss = RSSProbe(pid: daemon.processIdentifier)
        rss.resetPeak()
        var started = Date()
        let add = try Process.run(bin + "/pinads", ["audience", "add", String(audience), "--file", file, "--socket", socket])
        let importSeconds = Date().timeIntervalSince(started)
        guard add.status == 0 else { throw BenchFailure("pinads audience add failed: \(add.output)") }
        let importPeak = rss.peak()
        print(String(format: "import: %d members in %.2f s = %.0f members/s (%@); daemon peak RSS %@", members, importSeconds,
                     Double(members) / importSeconds, add.output.trimmingCharacters(in: .whitespacesAndNewlines), RSSProbe.text(importPeak)))

        // 2. Initial sync.
        rss.resetPeak()
        started = Date()
        _ = try client.value(ActivateAudienceRequest(audienceId: audience))
        try await waitForSynced(client, audience, timeout: 3600)
        let syncSeconds = Date().timeIntervalSince(started)
        let syncPeak = rss.peak()
        let afterSync = try await sandbox.list()
        guard afterSync.count == members else { throw BenchFailure("the sandbox's list has \(afterSync.count) records, expected \(members)") }
        print(String(format: "initial sync: %d members in %.2f s = %.0f records/s; daemon peak RSS %@", members, syncSeconds,
                     Double(members) / syncSeconds, RSSProbe.text(syncPeak)))

        // 3. Delta: half removed, half new.
        let half = max(1, Int(Double(members) * delta / 2))
        let removed = Self.emails(0..<half), added = Self.emails(members..<(members + half))
        rss.resetPeak()
        for chunk in stride(from: 0, to: half, by: 100_000) {
            _ = try client.value(RemoveMembersRequest(audienceId: audience, members: Array(removed[chunk..<min(chunk + 100_000, half)])))
            _ = try client.value(AddMembersRequest(audienceId: audience, members: Array(added[chunk..<min(chunk + 100_000, half)])))
        }
        started = Date()
        _ = try client.value(SyncAudienceRequest(audienceId: audience))
        try await waitForSynced(client, audience, timeout: 600)
        let deltaSeconds = Date().timeIntervalSince(started)
        let deltaPeak = rss.peak()
        let afterDelta = try await sandbox.list()
        guard afterDelta.count == members else { throw BenchFailure("after the delta the list has \(afterDelta.count) records, expected \(members)") }
        print(String(format: "delta sync: %d removed + %d added in %.2f s; daemon peak RSS %@", half, half, deltaSeconds, RSSProbe.text(deltaPeak)))
        print("")
        print("| measurement | result | goal |")
        print("|---|---|---|")
        print(String(format: "| import of %d emails through `pinads audience add` | %.0f members/s (%.2f s) | ≥ 200,000/s |", members, Double(members) / importSeconds, importSeconds))
        print(String(format: "| initial sync of %d members (%d per request) | %.2f s | — |", members, recordsPerRequest, syncSeconds))
        print(String(format: "| delta sync of %d changes | %.2f s | — |", 2 * half, deltaSeconds))
        print("| daemon peak RSS: import / initial sync / delta | \(RSSProbe.text(importPeak)) / \(RSSProbe.text(syncPeak)) / \(RSSProbe.text(deltaPeak)) | < 200 MB (syncs) |")
    }

    static func emails(_ range: Range<Int>) -> [String] { range.map { "Member.\($0)@Example.com" } }

    static func writeMembers(_ range: Range<Int>, to path: String) throws {
        var text = ""
        text.reserveCapacity(range.count * 26)
        for i in range { text += "Member.\(i)@Example.com\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func waitForSynced(_ client: PinAdsClient, _ audience: Int64, timeout: TimeInterval) async throws {
        try await waitFor("the activation is SYNCED", timeout: timeout) {
            guard let activation = try client.value(ListActivationsRequest(audienceId: audience)).activations.first else { return false }
            if activation.state == .error { throw BenchFailure("sync failed: \(activation.error?.message ?? "?")") }
            return activation.state == .synced && activation.pendingChanges == 0
        }
    }
}

/// A sandbox and a daemon on temporary paths, connected.
struct BenchEnvironment {
    let work: String
    let sandbox: SandboxRun
    let daemon: Process
    let socket: String

    static func start(binaries: String?, name: String, daemonArguments: [String] = []) async throws -> BenchEnvironment {
        let bin = binaries ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("pinads-bench-\(name)-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let sandbox = try await SandboxRun.start(binary: bin + "/pinads-sandbox", work: work)
        let socket = work + "/d.sock"
        let daemon = try Process.launch(
            bin + "/pinadsd",
            ["--socket", socket, "--state-dir", work + "/state", "--api-base-url", sandbox.baseURL, "--log-level", "warning"] + daemonArguments,
            log: work + "/pinadsd.log")
        try await waitFor("pinadsd answers", timeout: 30) {
            guard let client = try? PinAdsClient(socketPath: socket) else { return false }
            if case .result = try client.call(HealthRequest()) { return true }
            return false
        }
        let token = try await sandbox.control("POST", "/_sandbox/tokens", ["ad_accounts": 1])
        _ = try PinAdsClient(socketPath: socket).value(
            ConnectRequest(
                accessToken: token["access_token"]?.stringValue ?? "", refreshToken: token["refresh_token"]?.stringValue,
                clientId: "sandbox-app-id", clientSecret: "sandbox-app-secret"))
        return BenchEnvironment(work: work, sandbox: sandbox, daemon: daemon, socket: socket)
    }

    func stop(keep: Bool) {
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        sandbox.stop()
        if !keep { try? FileManager.default.removeItem(atPath: work) }
    }
}

struct RateLimitBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratelimit",
        abstract: "The rate limiter saturated: 400 Pinterest calls from 4 connections; sustained rate, busiest second at the sandbox, 429s. Goal: ≥ 95/s, never > 100 in a second.")

    @Option(help: "Pinterest calls to make (at most 1,000: ads_read allows 1,000 a minute).") var calls = 400
    @Option(help: "Directory holding pinadsd and pinads-sandbox (default: next to this program).") var binaries: String?

    func run() async throws {
        let environment = try await BenchEnvironment.start(binaries: binaries, name: "ratelimit")
        defer { environment.stop(keep: false) }
        let started = Date()
        let perLane = calls / 4
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
        let stats = try await environment.sandbox.control("GET", "/_sandbox/stats")
        let rate = Double(perLane * 4) / elapsed
        print(String(format: "| rate limiter saturated (%d calls, 4 connections) | %.1f requests/s; busiest second %lld; 429s %lld | ≥ 95/s, ≤ 100 in any second |",
                     perLane * 4, rate, stats["max_requests_in_any_second"]?.intValue ?? -1, stats["by_status"]?["429"]?.intValue ?? 0))
    }
}

struct ConversionsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversions",
        abstract: "Conversions: single-event round trip, latency at 1,000 events/s, acceptance and delivered throughput against the sandbox's 100 requests/s × 1000 events.")

    @Option(help: "Events for the throughput run.") var events = 300_000
    @Option(help: "Directory holding pinadsd and pinads-sandbox (default: next to this program).") var binaries: String?
    @Flag(help: "Keep the temporary directory afterwards.") var keep = false

    static func event(_ n: Int, prefix: String) -> ConversionEventInput {
        ConversionEventInput(eventName: "checkout", eventId: "\(prefix)-\(n)", email: "buyer\(n)@example.com", value: 19.99, currency: "USD")
    }

    func run() async throws {
        let environment = try await BenchEnvironment.start(binaries: binaries, name: "conversions")
        defer { environment.stop(keep: keep) }
        let client = try PinAdsClient(socketPath: environment.socket)
        print("pinads-bench conversions: work in \(environment.work)")

        // 1. Single events, one at a time: the round trip of an acknowledged (committed) send.
        var trips: [Double] = []
        for n in 0..<2000 {
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try client.value(SendConversionsRequest(events: [Self.event(n, prefix: "single")]))
            trips.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        trips.sort()
        let tripP50 = trips[trips.count / 2], tripP99 = trips[Int(Double(trips.count) * 0.99)]
        print(String(format: "single-event conversions.send round trip: p50 %.2f ms, p99 %.2f ms (2,000 sends)", tripP50, tripP99))

        // 2. Acceptance to Pinterest's answer at 1,000 events/s for 10 s (one event per ms).
        try await waitFor("the single events are delivered", timeout: 60) { try client.value(ConversionStatsRequest()).queued == 0 }
        let steady = try PinAdsClient(socketPath: environment.socket)
        let start = DispatchTime.now().uptimeNanoseconds
        for n in 0..<10_000 {
            let due = start + UInt64(n) * 1_000_000
            while DispatchTime.now().uptimeNanoseconds < due { usleep(100) }
            _ = try steady.value(SendConversionsRequest(events: [Self.event(n, prefix: "steady")]))
        }
        try await waitFor("the steady events are delivered", timeout: 60) {
            let stats = try client.value(ConversionStatsRequest())
            return stats.queued == 0 && stats.inFlight == 0
        }
        let steadyStats = try client.value(ConversionStatsRequest())
        print(String(format: "acceptance → Pinterest answer at 1,000 events/s: p50 %.1f ms, p99 %.1f ms", steadyStats.latencyP50Ms ?? -1, steadyStats.latencyP99Ms ?? -1))

        // 3. Throughput: requests of 1000 events, 4 in flight; then until all are delivered.
        let before = try await environment.sandbox.control("GET", "/_sandbox/stats")["events_processed"]?.intValue ?? 0
        let requests = events / 1000
        let acceptStart = Date()
        var accepted = 0
        try client.pipeline(count: requests, window: 4) { i in
            SendConversionsRequest(events: (i * 1000..<(i + 1) * 1000).map { Self.event($0, prefix: "bulk") })
        } handle: { _, outcome in
            if case .result(let result) = outcome { accepted += result.accepted }
        }
        let acceptSeconds = Date().timeIntervalSince(acceptStart)
        try await waitFor("every bulk event is delivered", timeout: 600) {
            let processed = try await environment.sandbox.control("GET", "/_sandbox/stats")["events_processed"]?.intValue ?? 0
            return processed - before >= Int64(accepted)
        }
        let deliverSeconds = Date().timeIntervalSince(acceptStart)
        let sandboxStats = try await environment.sandbox.control("GET", "/_sandbox/stats")
        print(String(format: "acceptance: %d events in %.2f s = %.0f events/s (1000 per request, 4 in flight)", accepted, acceptSeconds, Double(accepted) / acceptSeconds))
        print(String(format: "delivered: %d events in %.2f s = %.0f events/s; busiest second at the sandbox: %lld requests; 429s: %lld", accepted, deliverSeconds,
                     Double(accepted) / deliverSeconds, sandboxStats["max_requests_in_any_second"]?.intValue ?? -1, sandboxStats["by_status"]?["429"]?.intValue ?? 0))
        print("")
        print("| measurement | result | goal |")
        print("|---|---|---|")
        print(String(format: "| single-event `conversions.send` round trip | p50 %.2f ms, p99 %.2f ms | p99 < 2 ms |", tripP50, tripP99))
        print(String(format: "| acceptance → Pinterest's answer at 1,000 events/s | p50 %.1f ms, p99 %.1f ms | p99 < 100 ms |", steadyStats.latencyP50Ms ?? -1, steadyStats.latencyP99Ms ?? -1))
        print(String(format: "| acceptance over the socket (1000-event requests) | %.0f events/s | ≥ 150,000/s |", Double(accepted) / acceptSeconds))
        print(String(format: "| delivered to the sandbox (100 req/s × 1000 events ceiling) | %.0f events/s | ≥ 95,000/s |", Double(accepted) / deliverSeconds))
    }
}

func waitFor(_ what: String, timeout: TimeInterval, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw BenchFailure("timed out waiting: \(what)")
}

extension PinAdsClient {
    func value<R: PinAdsRequest>(_ request: R) throws -> R.Result {
        switch try call(request) {
        case .result(let result): return result
        case .error(let error): throw BenchFailure("\(R.method): \(error)")
        }
    }
}

extension Process {
    static func launch(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A process's resident memory from /proc: VmHWM is the peak, reset by writing 5 to clear_refs.
struct RSSProbe {
    let pid: Int32

    func resetPeak() {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Peak RSS in bytes since the last reset.
    func peak() -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int64(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    static func text(_ bytes: Int64) -> String { String(format: "%.0f MiB", Double(bytes) / 1024 / 1024) }
}

/// A `pinads-sandbox` process and its control API.
final class SandboxRun: Sendable {
    let process: Process
    let baseURL: String
    private let transport = CurlTransport()

    private init(process: Process, baseURL: String) {
        self.process = process
        self.baseURL = baseURL
    }

    static func start(binary: String, work: String) async throws -> SandboxRun {
        let out = work + "/sandbox.out"
        let process = try Process.launch(binary, ["--port", "0", "--log-level", "warning"], log: out)
        var url: String?
        try await waitFor("pinads-sandbox prints its URL", timeout: 30) {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            url = text.split(separator: "\n").first { $0.hasPrefix("pinads-sandbox listening on ") }
                .map { String($0.dropFirst("pinads-sandbox listening on ".count)) }
            return url != nil
        }
        return SandboxRun(process: process, baseURL: url ?? "")
    }

    func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    func control(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let bytes = try body.map { Array(try JSONEncoder().encode($0)) } ?? []
        let response = try await transport.send(
            HTTPRequest(
                method: method, url: String(baseURL.dropLast("/v5".count)) + path,
                headers: [(name: "Content-Type", value: "application/json")], body: bytes))
        guard (200..<300).contains(response.status) else {
            throw BenchFailure("\(method) \(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    /// The first list's distinct record count.
    func list() async throws -> (count: Int, digest: String) {
        let answer = try await control("GET", "/_sandbox/customer_lists")
        guard case .array(let items)? = answer["items"], let first = items.first else { return (0, "") }
        return (Int(first["record_count"]?.intValue ?? 0), first["records_digest"]?.stringValue ?? "")
    }
}
