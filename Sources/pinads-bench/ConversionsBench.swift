#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct ConversionsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Events for the throughput run, and for the SDK's run (default 1,000,000).", valueName: "n"))
    var events: Int?

    @Option(help: ArgumentHelp("Sequential single-event sends for the round-trip percentiles.", valueName: "n"))
    var singleSends = 2000

    @Option(help: ArgumentHelp("Seconds of the steady run at 1,000 events/s (one event per ms).", valueName: "s"))
    var steadySeconds = 10

    @Flag(inversion: .prefixedNo, help: "Send the same events through Pinterest's Python SDK and report the ratio.")
    var sdk = true

    @Option(help: ArgumentHelp("Events for the SDK's runs (default: as many as --events; a rate, so comparable, but say so when they differ).", valueName: "n"))
    var sdkEvents: Int?

    @Option(help: ArgumentHelp("Also run the SDK from this many threads at once, after the sequential run (0: not).", valueName: "n"))
    var sdkThreads = 0

    @Option(help: ArgumentHelp("The repository (for contrib/bench and .build/bench-venv; default: found above this program).", valueName: "dir"))
    var repo: String?

    @Option(help: ArgumentHelp("The Python used to create .build/bench-venv.", valueName: "python"))
    var python = "python3"

    mutating func validate() throws {
        if let events, events < 1000 { throw ValidationError("--events: at least 1000 (requests carry 1000 events)") }
        if singleSends < 100 { throw ValidationError("--single-sends: at least 100") }
        if steadySeconds < 1 { throw ValidationError("--steady-seconds: at least 1") }
        if let sdkEvents, sdkEvents < 1000 { throw ValidationError("--sdk-events: at least 1000") }
        if sdkThreads < 0 { throw ValidationError("--sdk-threads: 0 or more") }
    }
}

struct ConversionsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversions",
        abstract: "Conversions: round trip, latency at 1,000 events/s, acceptance and delivered throughput, and Pinterest's Python SDK on the same workload.",
        discussion: """
            Goals: single-event conversions.send round trip p99 < 2 ms; acceptance → Pinterest's answer p99 < 100 ms at \
            1,000 events/s; acceptance over the socket ≥ 150,000 events/s (1000-event requests, 4 in flight); delivered \
            to the sandbox ≥ 95,000 events/s (its ceiling is 100 requests/s × 1000 events).

            Then the same number of the same events (checkout, hashed email as em, 19.99 USD) go through Pinterest's \
            official Python SDK (contrib/bench/sdk_conversions.py, in a venv at .build/bench-venv made from \
            contrib/bench/requirements.txt) to the same sandbox, one request of 1000 events at a time, and (with \
            --sdk-threads) from several threads; the ratio is pinads' delivered events/s over the sequential SDK's.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: ConversionsOptions

    func run() async throws {
        let options = self.options, common = self.common
        try await common.report([
            ("conversions", { await BenchReport.run("conversions") { try await options.measure(binaries: common.binaryDirectory, keep: common.keep) } })
        ])
    }
}

struct SDKRun: Codable, Sendable {
    var events: Int
    var requests: Int
    var seconds: Double
    var eventsPerSecond: Double
    var eventsProcessed: Int
    var retries429: Int
    var threads: Int
    var sdkVersion: String

    enum CodingKeys: String, CodingKey {
        case events, requests, seconds, threads
        case eventsPerSecond = "events_per_second"
        case eventsProcessed = "events_processed"
        case retries429 = "retries_429"
        case sdkVersion = "sdk_version"
    }
}

struct ConversionsResult: ScenarioResult {
    var singleSends: Int
    var roundTripP50Ms: Double
    var roundTripP99Ms: Double
    var steadySeconds: Int
    var steadyLatencyP50Ms: Double?
    var steadyLatencyP99Ms: Double?
    var events: Int
    var accepted: Int
    var acceptSeconds: Double
    var acceptedPerSecond: Double
    var deliverSeconds: Double
    var deliveredPerSecond: Double
    /// Events accepted but not yet at the sandbox when acceptance ended, and how fast the
    /// dispatcher then delivered them: the sustained rate with a backlog, acceptance no longer
    /// sharing the cores.
    var backlogAtAcceptanceEnd: Int
    var drainSeconds: Double
    var drainedPerSecond: Double?
    var busiestSecondAtSandbox: Int64?
    var sandboxStatus429: Int64
    var sdkSequential: SDKRun?
    var sdkThreaded: SDKRun?
    /// Why the SDK comparison did not run or failed.
    var sdkError: String?

    var ratio: Double? { sdkSequential.map { deliveredPerSecond / $0.eventsPerSecond } }

    var metrics: [Metric] {
        var rows = [
            Metric(
                "single-event conversions.send round trip p99 (\(grouped(Double(singleSends))) sequential)", roundTripP99Ms, unit: "ms",
                text: String(format: "p50 %.2f ms, p99 %.2f ms", roundTripP50Ms, roundTripP99Ms), goal: .below(2, "p99 < 2 ms")),
            Metric(
                "acceptance → Pinterest's answer p99 at 1,000 events/s (\(steadySeconds) s)", steadyLatencyP99Ms, unit: "ms",
                text: steadyLatencyP99Ms.map { String(format: "p50 %.1f ms, p99 %.1f ms", steadyLatencyP50Ms ?? .nan, $0) } ?? "not reported by the daemon",
                goal: .below(100, "p99 < 100 ms")),
            Metric(
                "acceptance over the socket (1000-event requests, 4 in flight)", acceptedPerSecond, unit: "events/s",
                text: "\(grouped(acceptedPerSecond)) events/s (\(grouped(Double(accepted))) in \(String(format: "%.2f", acceptSeconds)) s)",
                goal: .atLeast(150_000, "≥ 150,000 events/s")),
            Metric(
                "delivered from a backlog (the events still queued when acceptance ended; ceiling 100 req/s × 1000 events)", drainedPerSecond,
                unit: "events/s",
                text: drainedPerSecond.map {
                    "\(grouped($0)) events/s (\(grouped(Double(backlogAtAcceptanceEnd))) in \(String(format: "%.2f", drainSeconds)) s; busiest second \(busiestSecondAtSandbox.map(String.init) ?? "?") requests, 429s \(sandboxStatus429))"
                } ?? "no backlog: every event was delivered during acceptance",
                goal: .atLeast(95_000, "≥ 95,000 events/s")),
            Metric(
                "delivered, from the first request to the last event at the sandbox (acceptance included)", deliveredPerSecond, unit: "events/s",
                text: "\(grouped(deliveredPerSecond)) events/s (\(grouped(Double(accepted))) in \(String(format: "%.2f", deliverSeconds)) s)"),
        ]
        if let sdk = sdkSequential {
            rows.append(
                Metric(
                    "Python SDK \(sdk.sdkVersion), sequential, \(sdk.events == accepted ? "same events" : "\(grouped(Double(sdk.events))) events (pinads: \(grouped(Double(accepted))))")", sdk.eventsPerSecond, unit: "events/s",
                    text: "\(grouped(sdk.eventsPerSecond)) events/s (\(grouped(Double(sdk.events))) in \(String(format: "%.2f", sdk.seconds)) s, 429 retries \(sdk.retries429))"))
        }
        if let sdk = sdkThreaded {
            rows.append(
                Metric(
                    "Python SDK, \(sdk.threads) threads", sdk.eventsPerSecond, unit: "events/s",
                    text: "\(grouped(sdk.eventsPerSecond)) events/s (\(String(format: "%.2f", sdk.seconds)) s, 429 retries \(sdk.retries429)); pinads ÷ this: \(String(format: "%.2f", deliveredPerSecond / sdk.eventsPerSecond))×"))
        }
        rows.append(
            Metric(
                "pinads delivered ÷ Python SDK sequential", ratio, unit: "×",
                text: ratio.map { String(format: "%.2f×", $0) } ?? "not measured: \(sdkError ?? "--no-sdk")",
                goal: .above(1, "reported; > 1 (pinads faster)")))
        return rows
    }

    var notes: [String] {
        var notes = [
            "The bulk requests are encoded before timing starts: acceptance measures the daemon (a shop encodes its events on its own cores), not this program's JSON encoder.",
            "Delivered from a backlog: the events accepted but not yet at the sandbox when acceptance ended, divided by the time until the last reached it; the end-to-end rate (acceptance included, the daemon's dispatch sharing the cores with acceptance and the sandbox) is the next row.",
            "The SDK runs after pinads' throughput run has finished (same sandbox, its own user and ad account, so its own 100 requests/s), timed from building the first event (email normalized and SHA-256-hashed in Python) to the last answer.",
        ]
        if let error = sdkError { notes.append("SDK comparison: \(error).") }
        return notes
    }
}

extension ConversionsOptions {
    static func event(_ n: Int, prefix: String) -> ConversionEventInput {
        ConversionEventInput(eventName: "checkout", eventId: "\(prefix)-\(n)", email: "buyer\(n)@example.com", value: 19.99, currency: "USD")
    }

    func measure(binaries: String, keep: Bool) async throws -> ConversionsResult {
        let events = (self.events ?? 1_000_000) / 1000 * 1000
        // Found (and the venv prepared) before anything is measured, so a missing Python fails fast.
        var sdkError: String?
        var python: String?
        var script = ""
        if sdk {
            do {
                let repository = try BenchPaths.repository(repo)
                script = repository + "/contrib/bench/sdk_conversions.py"
                python = try PythonVenv.prepare(repository: repository, python: self.python)
            } catch {
                sdkError = String(describing: error)
            }
        }

        let environment = try await BenchEnvironment.start(binaries: binaries, name: "conversions")
        defer { environment.stop(keep: keep) }
        let client = try PinAdsClient(socketPath: environment.socket)
        progress("  work in \(environment.work)")

        let trips = try singleEventTrips(client)
        let steadyStats = try await steadyLatency(environment, client: client)
        let bulk = try await bulkThroughput(environment, events: events)
        let (accepted, acceptSeconds, deliverSeconds) = (bulk.accepted, bulk.acceptSeconds, bulk.deliverSeconds)
        let (backlog, drainSeconds, sandboxStats) = (bulk.backlog, bulk.drainSeconds, bulk.sandboxStats)

        var result = ConversionsResult(
            singleSends: singleSends, roundTripP50Ms: quantile(trips, 0.5), roundTripP99Ms: quantile(trips, 0.99), steadySeconds: steadySeconds,
            steadyLatencyP50Ms: steadyStats.latencyP50Ms, steadyLatencyP99Ms: steadyStats.latencyP99Ms, events: events, accepted: accepted,
            acceptSeconds: acceptSeconds, acceptedPerSecond: Double(accepted) / acceptSeconds, deliverSeconds: deliverSeconds,
            deliveredPerSecond: Double(accepted) / deliverSeconds, backlogAtAcceptanceEnd: backlog, drainSeconds: drainSeconds,
            drainedPerSecond: backlog > 0 ? Double(backlog) / drainSeconds : nil, busiestSecondAtSandbox: sandboxStats["max_requests_in_any_second"]?.intValue,
            sandboxStatus429: sandboxStats["by_status"]?["429"]?.intValue ?? 0, sdkSequential: nil, sdkThreaded: nil, sdkError: sdkError)

        // 4. The same workload through Pinterest's Python SDK, to the same sandbox.
        if let python {
            do {
                let sdkEvents = self.sdkEvents ?? events
                result.sdkSequential = try await runSDK(python: python, script: script, environment: environment, events: sdkEvents, threads: 1)
                if sdkThreads > 1 {
                    result.sdkThreaded = try await runSDK(python: python, script: script, environment: environment, events: sdkEvents, threads: sdkThreads)
                }
            } catch {
                result.sdkError = String(describing: error)
            }
        }
        return result
    }

    /// 1. Single events, one at a time: the round trips of acknowledged (committed) sends, sorted.
    private func singleEventTrips(_ client: PinAdsClient) throws -> [Double] {
        var trips: [Double] = []
        trips.reserveCapacity(singleSends)
        for n in 0..<singleSends {
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try client.value(SendConversionsRequest(events: [Self.event(n, prefix: "single")]))
            trips.append(milliseconds(since: started))
        }
        trips.sort()
        progress(String(format: "  single-event round trip: p50 %.2f ms, p99 %.2f ms", quantile(trips, 0.5), quantile(trips, 0.99)))
        return trips
    }

    /// 2. Acceptance to Pinterest's answer at 1,000 events/s (one event per ms).
    private func steadyLatency(_ environment: BenchEnvironment, client: PinAdsClient) async throws -> ConversionStats {
        try await waitFor("the single events are delivered", timeout: 120) { try client.value(ConversionStatsRequest()).queued == 0 }
        let steady = try PinAdsClient(socketPath: environment.socket)
        let start = DispatchTime.now().uptimeNanoseconds
        for n in 0..<(steadySeconds * 1000) {
            let due = start + UInt64(n) * 1_000_000
            while DispatchTime.now().uptimeNanoseconds < due { usleep(100) }
            _ = try steady.value(SendConversionsRequest(events: [Self.event(n, prefix: "steady")]))
        }
        try await waitFor("the steady events are delivered", timeout: 120) {
            let stats = try client.value(ConversionStatsRequest())
            return stats.queued == 0 && stats.inFlight == 0
        }
        let steadyStats = try client.value(ConversionStatsRequest())
        progress(String(format: "  acceptance → answer at 1,000 events/s: p50 %.1f ms, p99 %.1f ms", steadyStats.latencyP50Ms ?? -1, steadyStats.latencyP99Ms ?? -1))
        return steadyStats
    }

    struct BulkRun {
        var accepted: Int
        var acceptSeconds: Double
        var deliverSeconds: Double
        var backlog: Int
        var drainSeconds: Double
        var sandboxStats: JSONValue
    }

    // 3. Throughput. The request frames are encoded before the clock starts, so the
    // acceptance rate is the daemon's, not this process's JSON encoder's (a shop encodes
    // its events on its own cores). Requests of 1000 events, 4 in flight on one connection.
    // What was still to deliver when acceptance ended: the backlog the dispatcher drains.
    private func bulkThroughput(_ environment: BenchEnvironment, events: Int) async throws -> BulkRun {
        let before = try await environment.sandbox.stats()["events_processed"]?.intValue ?? 0
        let requests = events / 1000
        let encoder = Wire.encoder()
        var frames: [[UInt8]] = []
        frames.reserveCapacity(requests)
        for i in 0..<requests {
            let request = SendConversionsRequest(events: (i * 1000..<(i + 1) * 1000).map { Self.event($0, prefix: "bulk") })
            frames.append(Array(try encoder.encode(RequestEnvelope(id: .int(Int64(i)), method: SendConversionsRequest.method, params: request))))
        }
        let decoder = Wire.decoder()
        let connection = try UnixSocketConnection(path: environment.socket)
        let acceptStart = Date()
        var accepted = 0, sent = 0, answered = 0
        while answered < requests {
            while sent < requests, sent - answered < 4 {
                try connection.writeFrame(frames[sent])
                sent += 1
            }
            guard let payload = try connection.readFrame() else { throw BenchFailure("pinadsd closed the connection") }
            let frame = try decoder.decode(ResponseFrame<SendConversionsResult, JSONValue>.self, from: Data(payload))
            if let error = frame.error { throw BenchFailure("conversions.send: \(error)") }
            accepted += frame.result?.accepted ?? 0
            answered += 1
        }
        let acceptEnd = Date()
        let acceptSeconds = acceptEnd.timeIntervalSince(acceptStart)
        frames = []
        // What was still to deliver when acceptance ended: the backlog the dispatcher drains.
        let processedAtAcceptEnd = try await environment.sandbox.stats()["events_processed"]?.intValue ?? 0
        let drainStart = Date()
        progress(String(format: "  accepted %d events in %.2f s", accepted, acceptSeconds))
        try await waitFor("every bulk event is delivered", timeout: 3600) {
            let processed = try await environment.sandbox.stats()["events_processed"]?.intValue ?? 0
            return processed - before >= Int64(accepted)
        }
        let deliverEnd = Date()
        let deliverSeconds = deliverEnd.timeIntervalSince(acceptStart)
        let backlog = Int(before) + accepted - Int(processedAtAcceptEnd)
        let drainSeconds = deliverEnd.timeIntervalSince(drainStart)
        let sandboxStats = try await environment.sandbox.stats()
        progress(String(format: "  delivered in %.2f s = %.0f events/s; the backlog of %d at the end of acceptance drained at %.0f events/s",
                        deliverSeconds, Double(accepted) / deliverSeconds, backlog, Double(backlog) / drainSeconds))
        return BulkRun(
            accepted: accepted, acceptSeconds: acceptSeconds, deliverSeconds: deliverSeconds, backlog: backlog, drainSeconds: drainSeconds,
            sandboxStats: sandboxStats)
    }

    /// Runs the SDK script with a fresh sandbox user (its own rate-limit windows) and checks the
    /// sandbox processed every event it sent.
    private func runSDK(python: String, script: String, environment: BenchEnvironment, events: Int, threads: Int) async throws -> SDKRun {
        let token = try await environment.sandbox.mintToken()
        let before = try await environment.sandbox.stats()["events_processed"]?.intValue ?? 0
        progress("  Python SDK, \(threads == 1 ? "sequential" : "\(threads) threads"): \(events) events…")
        let run = try Process.run(
            python, [script, "--ad-account-id", token.adAccountID, "--events", String(events), "--threads", String(threads), "--prefix", "sdk\(threads)"],
            environment: ["PINTEREST_API_URI": environment.sandbox.baseURL, "PINTEREST_ACCESS_TOKEN": token.access],
            directory: environment.work, log: environment.work + "/sdk.log")
        guard run.status == 0 else {
            let log = (try? String(contentsOfFile: environment.work + "/sdk.log", encoding: .utf8)) ?? ""
            throw BenchFailure("sdk_conversions.py exited \(run.status): \(log.split(separator: "\n").suffix(3).joined(separator: " / "))")
        }
        let result: SDKRun
        do {
            result = try JSONDecoder().decode(SDKRun.self, from: Data(run.output.utf8))
        } catch {
            throw BenchFailure("sdk_conversions.py printed no result: \(run.output.prefix(300))")
        }
        let processed = (try await environment.sandbox.stats()["events_processed"]?.intValue ?? 0) - before
        guard processed == Int64(events), result.eventsProcessed == events else {
            throw BenchFailure("the sandbox processed \(processed) of the SDK's \(events) events (the SDK counted \(result.eventsProcessed))")
        }
        progress(String(format: "  Python SDK: %.0f events/s (%.2f s)", result.eventsPerSecond, result.seconds))
        return result
    }
}

/// The venv at .build/bench-venv holding contrib/bench/requirements.txt.
enum PythonVenv {
    /// The venv's python, after creating the venv or reinstalling when the requirements changed.
    static func prepare(repository: String, python: String) throws -> String {
        let venv = repository + "/.build/bench-venv"
        let requirements = repository + "/contrib/bench/requirements.txt"
        let stamp = venv + "/pinads-bench-requirements.txt"
        let wanted = try String(contentsOfFile: requirements, encoding: .utf8)
        let venvPython = venv + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: venvPython), (try? String(contentsOfFile: stamp, encoding: .utf8)) == wanted {
            return venvPython
        }
        progress("  preparing \(venv) from contrib/bench/requirements.txt…")
        try FileManager.default.createDirectory(atPath: repository + "/.build", withIntermediateDirectories: true)
        let create = try Process.run("/usr/bin/env", [python, "-m", "venv", "--clear", venv])
        guard create.status == 0 else { throw BenchFailure("\(python) -m venv \(venv) failed: \(create.output)") }
        let install = try Process.run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", requirements])
        guard install.status == 0 else { throw BenchFailure("pip install -r \(requirements) failed: \(install.output.suffix(500))") }
        try wanted.write(toFile: stamp, atomically: true, encoding: .utf8)
        return venvPython
    }
}
