#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct SoakOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Requests over the one long connection (default 1,000,000; --quick 100,000).", valueName: "n"))
    var soakRequests: Int?

    @Option(help: ArgumentHelp("Connections opened, used once and closed (default 20,000; --quick 2,000).", valueName: "n"))
    var soakConnections: Int?

    @Option(help: ArgumentHelp("jobs.watch streams started and abandoned (default 500; --quick 50).", valueName: "n"))
    var soakStreams: Int?

    @Option(help: ArgumentHelp("Requests in flight on the long connection.", valueName: "n"))
    var soakDepth = 16

    @Option(help: ArgumentHelp("One request in this many is a one-event conversions.send, the others system.health.", valueName: "n"))
    var soakConversionEvery = 4

    @Option(help: ArgumentHelp("Requests between RSS checkpoints; the first is the goal's baseline (default: a tenth of the requests).", valueName: "n"))
    var soakCheckpointEvery: Int?

    @Option(help: ArgumentHelp("Longest wait for the descriptors to come back at the end (closes are asynchronous).", valueName: "s"))
    var soakSettleSeconds = 10.0

    @Option(help: ArgumentHelp("Stop sending on the long connection once the daemon's RSS passes this (a leak must not take the machine).", valueName: "MB"))
    var soakMaxRssMb = 4000

    mutating func validate() throws {
        if let soakRequests, soakRequests < 1000 { throw ValidationError("--soak-requests: at least 1000") }
        if let soakConnections, soakConnections < 0 { throw ValidationError("--soak-connections: 0 or more") }
        if let soakStreams, !(0...10_000).contains(soakStreams) { throw ValidationError("--soak-streams: 0 to 10,000") }
        if !(1...128).contains(soakDepth) { throw ValidationError("--soak-depth: 1 to 128 (the daemon allows 128 in flight per connection)") }
        if soakConversionEvery < 1 { throw ValidationError("--soak-conversion-every: at least 1") }
        if let soakCheckpointEvery, soakCheckpointEvery < 100 { throw ValidationError("--soak-checkpoint-every: at least 100") }
        if !(soakSettleSeconds > 0) { throw ValidationError("--soak-settle-seconds: more than 0") }
        if soakMaxRssMb < 100 { throw ValidationError("--soak-max-rss-mb: at least 100") }
    }

    /// The sizes of `--quick` where none was given.
    mutating func shrinkForQuickRun() {
        soakRequests = soakRequests ?? 100_000
        soakConnections = soakConnections ?? 2000
        soakStreams = soakStreams ?? 50
    }
}

struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Soak: 1,000,000 requests on one connection, 20,000 short connections, 500 abandoned jobs.watch streams. Goals: RSS at the end ≤ 10 MB above RSS after the first 100,000 requests; descriptors back to the start.",
        discussion: """
            The daemon is connected to the sandbox. Then, in turn: (1) --soak-requests requests over one connection, \
            --soak-depth in flight, one in --soak-conversion-every a conversions.send of one valid event (its own \
            event_id), the others system.health; (2) --soak-connections connections, one after another, each opened, \
            asked system.health once and closed; (3) --soak-streams connections, each sending jobs.watch for a selftest \
            job that will not finish during the run, reading its first event and closing without waiting for more.

            The daemon's RSS (VmRSS in /proc/<pid>/status) and open descriptors (/proc/<pid>/fd) are read at the start, \
            every --soak-checkpoint-every requests of (1), after each phase, and at the end, once the conversions are \
            delivered and the descriptors are back where they started or --soak-settle-seconds have passed. \
            --quick: 100,000 requests (a checkpoint every 10,000, the first the baseline), 2,000 connections, 50 streams.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: SoakOptions

    @Flag(help: "Smaller default sizes for a quick run (see above).")
    var quick = false

    func run() async throws {
        var options = self.options
        if quick { options.shrinkForQuickRun() }
        let common = self.common, quick = self.quick, soak = options
        try await common.report([
            (
                "soak",
                { await BenchReport.run(SoakResult.scenarioName(quick: quick)) { try await soak.measure(binaries: common.binaryDirectory, keep: common.keep, quick: quick) } }
            )
        ])
    }
}

/// The daemon's memory and descriptors at one moment of the soak.
struct SoakCheckpoint: Codable, Sendable {
    var label: String
    /// Answered on the long connection so far.
    var requests: Int
    /// Since the first request of the long connection.
    var seconds: Double
    var rssBytes: Int64
    var rssAnonBytes: Int64
    var descriptors: DescriptorCount
    var threads: Int64
    /// Requests per second since the previous checkpoint of the long connection.
    var requestsPerSecond: Double?
}

struct SoakResult: ScenarioResult {
    var quick: Bool
    var requests: Int
    /// Fewer than `requests` when the RSS ceiling stopped the long connection.
    var requestsAnswered: Int
    var conversionsAccepted: Int
    var depth: Int
    var conversionEvery: Int
    var requestSeconds: Double
    var requestsPerSecond: Double
    var stoppedEarly: String?
    var connections: Int
    var connectionSeconds: Double
    var streams: Int
    var streamSeconds: Double
    var checkpointEvery: Int
    /// Start, the long connection's checkpoints, after each phase, end.
    var checkpoints: [SoakCheckpoint]
    /// The index in `checkpoints` of the goal's baseline: after the first `checkpointEvery` requests.
    var baselineIndex: Int
    /// From the last stream's close to the end reading.
    var settleSeconds: Double
    var settled: Bool
    /// --soak-settle-seconds.
    var settleLimit: Double

    static func scenarioName(quick: Bool) -> String { quick ? "soak (quick)" : "soak" }

    var start: SoakCheckpoint? { checkpoints.first }
    var end: SoakCheckpoint? { checkpoints.last }
    var baseline: SoakCheckpoint? { checkpoints.indices.contains(baselineIndex) ? checkpoints[baselineIndex] : nil }

    var metrics: [Metric] {
        let mix = "system.health and 1 in \(conversionEvery) a one-event conversions.send, \(depth) in flight"
        var rows = [
            Metric(
                "requests over one connection (\(grouped(Double(requests))): \(mix))", requestsPerSecond, unit: "requests/s",
                text: "\(grouped(requestsPerSecond)) requests/s (\(grouped(Double(requestsAnswered))) in \(String(format: "%.2f", requestSeconds)) s; "
                    + "\(grouped(Double(conversionsAccepted))) events accepted)" + (stoppedEarly.map { "; **stopped early**: \($0)" } ?? "")),
            Metric(
                "\(grouped(Double(connections))) connections opened, used once (system.health) and closed, one at a time",
                connectionSeconds > 0 ? Double(connections) / connectionSeconds : nil, unit: "connections/s",
                text: connections == 0
                    ? "none" : "\(grouped(Double(connections) / connectionSeconds)) connections/s (\(String(format: "%.2f", connectionSeconds)) s)"),
            Metric(
                "\(grouped(Double(streams))) jobs.watch streams started and abandoned (first event read, connection closed)", streamSeconds, unit: "s",
                text: String(format: "%.2f s", streamSeconds)),
        ]
        for checkpoint in checkpoints {
            rows.append(
                Metric(
                    "RSS and open descriptors \(checkpoint.label)", Double(checkpoint.rssBytes), unit: "bytes",
                    text: "\(megabytes(checkpoint.rssBytes)); \(checkpoint.descriptors.text)"))
        }
        if let baseline, let end {
            rows.append(
                Metric(
                    "RSS growth: at the end − \(baseline.label)", Double(end.rssBytes - baseline.rssBytes), unit: "bytes",
                    text: String(format: "%+.1f MB (%@ → %@)", Double(end.rssBytes - baseline.rssBytes) / 1e6, megabytes(baseline.rssBytes), megabytes(end.rssBytes)),
                    goal: .atMost(10e6, "≤ 10 MB")))
        } else {
            rows.append(
                Metric(
                    "RSS growth: at the end − after the first \(grouped(Double(checkpointEvery))) requests", nil, unit: "bytes",
                    text: "no baseline: the long connection stopped before its first checkpoint", goal: .atMost(10e6, "≤ 10 MB")))
        }
        let settleName = "open descriptors at the end − at the start, libcurl's outbound TCP connections aside (after up to \(String(format: "%g", settleLimit)) s to settle)"
        if let start, let end {
            let (from, to) = (start.descriptors, end.descriptors)
            let difference = to.withoutOutboundTCP - from.withoutOutboundTCP
            rows.append(
                Metric(
                    settleName, Double(difference), unit: "fds",
                    text: "\(difference > 0 ? "+" : "")\(difference) (\(from.withoutOutboundTCP) → \(to.withoutOutboundTCP); Unix sockets \(from.unixSockets) → \(to.unixSockets); "
                        + "all descriptors \(from.total) → \(to.total), TCP \(from.tcpSockets) → \(to.tcpSockets)); "
                        + (settled ? "settled in \(String(format: "%.2f", settleSeconds)) s" : "not settled after \(String(format: "%.1f", settleSeconds)) s"),
                    goal: .equal(0, "0 (back to the start)")))
        } else {
            rows.append(Metric(settleName, nil, unit: "fds", text: "not measured", goal: .equal(0, "0 (back to the start)")))
        }
        return rows
    }

    var notes: [String] {
        var notes = [
            "RSS is VmRSS of /proc/<pid>/status; descriptors are the entries of /proc/<pid>/fd, sockets told apart by /proc/<pid>/net. "
                + "The start is read once the daemon is connected and warmed up: \(grouped(Double(SoakOptions.warmUpRequests))) requests of the same mix at the same depth on a connection of their own, closed, their conversions delivered, "
                + "so that the SQLite reader connections the soak's concurrency opens (each a database and a WAL descriptor, kept in the pool) are open before it. "
                + "The end is read once every conversion is delivered and the descriptors are back at the start, or after \(String(format: "%g", settleLimit)) s.",
            "The descriptor goal leaves out the daemon's outbound TCP connections to Pinterest (here the sandbox): libcurl keeps up to 64 open for reuse, "
                + "and how many the soak's deliveries open (up to 8 batches in flight per ad account) depends on timing, not on the clients; their count is shown in the row.",
            "The long connection is closed before the short connections start; the selftest job the streams watch runs all along (1,000 steps of 60 s) and is cancelled after the end reading.",
            "system.health frames are written from a template and conversions.send frames with the wire encoder, both while sending: this program shares the two cores with the daemon and the sandbox.",
        ]
        if quick {
            notes.append(
                "Quick form (--quick): \(grouped(Double(requests))) requests, \(grouped(Double(connections))) connections, \(grouped(Double(streams))) streams, "
                    + "a checkpoint every \(grouped(Double(checkpointEvery))) requests; the soak itself is 1,000,000 / 20,000 / 500 with a checkpoint every 100,000.")
        }
        if let stoppedEarly { notes.append("The long connection stopped early: \(stoppedEarly).") }
        return notes
    }
}

extension SoakOptions {
    /// Steps of the selftest job the abandoned streams watch: it must not finish during the run.
    static let longJob = SelfTestRequest(steps: 1000, stepMs: 60_000)
    static let warmUpRequests = 5000

    func measure(binaries: String, keep: Bool, quick: Bool) async throws -> SoakResult {
        let requests = soakRequests ?? 1_000_000
        let connections = soakConnections ?? 20_000
        let streams = soakStreams ?? 500
        let checkpointEvery = soakCheckpointEvery ?? max(100, requests / 10)
        let environment = try await BenchEnvironment.start(binaries: binaries, name: "soak")
        defer { environment.stop(keep: keep) }
        let socket = environment.socket
        let daemon = ProcProbe(pid: environment.daemon.processIdentifier)
        progress("  \(requests) requests (\(soakDepth) in flight, 1 in \(soakConversionEvery) conversions.send), \(connections) connections, \(streams) streams; work in \(environment.work)")

        // Warm-up: the same mix at the same depth on a connection of its own, so the SQLite
        // reader pool the soak's concurrency fills is full before the start reading and what
        // grows after it is the soak's.
        let warm = try MixedPipeline(depth: soakDepth, conversionEvery: soakConversionEvery, eventPrefix: "soak-warm")
            .run(socket: socket, count: Self.warmUpRequests)
        progress(String(format: "  warm-up: %d requests in %.2f s", warm.answered, warm.seconds))
        let job: Int64
        do {
            let client = try PinAdsClient(socketPath: socket)
            job = try client.value(Self.longJob).job.id
            try await Self.waitForDelivery(socket: socket, timeout: 60)
            try await waitFor("the selftest job runs", timeout: 30) { try client.value(GetJobRequest(id: job)).job.state == .running }
            client.connection.closeNow()
        }
        try await Self.settle(daemon, timeout: 5)
        var checkpoints = [try Self.checkpoint(daemon, "at the start (connected; warmed up by \(grouped(Double(Self.warmUpRequests))) requests of the same mix)", requests: 0, seconds: 0)]
        progress("  start: \(megabytes(checkpoints[0].rssBytes)); \(checkpoints[0].descriptors.text)")

        // 1. The long connection.
        let long = try longConnection(
            socket: socket, daemon: daemon, requests: requests, checkpointEvery: checkpointEvery, checkpoints: &checkpoints)
        let baselineIndex = long.answered >= checkpointEvery ? 1 : -1
        try await Self.settle(daemon, towards: checkpoints[0].descriptors.withoutOutboundTCP, timeout: soakSettleSeconds)
        checkpoints.append(try Self.checkpoint(daemon, "after closing the long connection", requests: long.answered, seconds: long.seconds))

        // 2. Short connections, one request each.
        let connectionSeconds = try Self.shortConnections(socket: socket, count: connections)
        try await Self.settle(daemon, towards: checkpoints[0].descriptors.withoutOutboundTCP, timeout: soakSettleSeconds)
        checkpoints.append(
            try Self.checkpoint(daemon, "after \(grouped(Double(connections))) short connections", requests: long.answered, seconds: long.seconds))

        // 3. Abandoned jobs.watch streams.
        let streamsStart = Date()
        for n in 0..<streams { try Self.abandonWatch(socket: socket, job: job, stream: n + 1) }
        let streamSeconds = Date().timeIntervalSince(streamsStart)
        let watchersClosed = Date()
        progress(String(format: "  %d jobs.watch streams abandoned in %.2f s", streams, streamSeconds))
        do {
            let client = try PinAdsClient(socketPath: socket)
            let state = try client.value(GetJobRequest(id: job)).job.state
            client.connection.closeNow()
            guard !state.isFinished else { throw BenchFailure("the watched selftest job \(job) ended \(state.rawValue) during the run: the streams were not abandoned") }
        }

        // The end: conversions delivered, then descriptors back where they started (or the deadline).
        try await Self.waitForDelivery(socket: socket, timeout: 120)
        let settled = try await Self.settle(daemon, towards: checkpoints[0].descriptors.withoutOutboundTCP, timeout: soakSettleSeconds)
        let settleSeconds = Date().timeIntervalSince(watchersClosed)
        checkpoints.append(
            try Self.checkpoint(daemon, "at the end (after \(grouped(Double(streams))) abandoned streams)", requests: long.answered, seconds: long.seconds))
        if let client = try? PinAdsClient(socketPath: socket) { _ = try? client.call(CancelJobRequest(id: job)) }
        if let end = checkpoints.last { progress("  end: \(megabytes(end.rssBytes)); \(end.descriptors.text)") }

        return SoakResult(
            quick: quick, requests: requests, requestsAnswered: long.answered, conversionsAccepted: long.accepted, depth: soakDepth,
            conversionEvery: soakConversionEvery, requestSeconds: long.seconds, requestsPerSecond: Double(long.answered) / long.seconds,
            stoppedEarly: long.stoppedEarly, connections: connections, connectionSeconds: connectionSeconds, streams: streams,
            streamSeconds: streamSeconds, checkpointEvery: checkpointEvery, checkpoints: checkpoints, baselineIndex: baselineIndex,
            settleSeconds: settleSeconds, settled: settled, settleLimit: soakSettleSeconds)
    }

    /// Phase 2: `count` connections of one `system.health` each; the seconds they took.
    private static func shortConnections(socket: String, count connections: Int) throws -> Double {
        let connectionsStart = Date()
        for n in 0..<connections {
            let client = try PinAdsClient(socketPath: socket)
            client.connection.setReceiveTimeout(seconds: 30)
            guard case .result(let health) = try client.call(HealthRequest()), health.status == "ok" else {
                throw BenchFailure("system.health on short connection \(n + 1) did not answer ok")
            }
            client.connection.closeNow()
            if (n + 1) % max(1, connections / 4) == 0 { progress("  \(n + 1) of \(connections) short connections") }
        }
        return Date().timeIntervalSince(connectionsStart)
    }

    /// Phase 1: `requests` requests over one connection, a checkpoint every `checkpointEvery`
    /// answers (the caller reads one more once it is closed). Stops early (and says why) when
    /// the daemon's RSS passes the ceiling.
    private func longConnection(
        socket: String, daemon: ProcProbe, requests: Int, checkpointEvery: Int, checkpoints: inout [SoakCheckpoint]
    ) throws -> (answered: Int, accepted: Int, seconds: Double, stoppedEarly: String?) {
        let ceiling = Int64(soakMaxRssMb) * 1_000_000
        var stoppedEarly: String?
        var recorded: [SoakCheckpoint] = []
        var lastCheckpoint = (answered: 0, seconds: 0.0)
        let mix = MixedPipeline(depth: soakDepth, conversionEvery: soakConversionEvery, eventPrefix: "soak")
        let run = try mix.run(socket: socket, count: requests) { answered, seconds in
            if answered % checkpointEvery == 0 {
                var checkpoint = try Self.checkpoint(
                    daemon, "after \(answered == checkpointEvery ? "the first " : "")\(grouped(Double(answered))) requests", requests: answered, seconds: seconds)
                checkpoint.requestsPerSecond = Double(answered - lastCheckpoint.answered) / (seconds - lastCheckpoint.seconds)
                lastCheckpoint = (answered, seconds)
                recorded.append(checkpoint)
                progress(
                    String(
                        format: "  %@ requests: %@; %@; %.0f requests/s", grouped(Double(answered)), megabytes(checkpoint.rssBytes), checkpoint.descriptors.text,
                        checkpoint.requestsPerSecond ?? 0))
            }
            if stoppedEarly == nil, answered % 10_000 == 0, let rss = daemon.status()["VmRSS"], rss > ceiling {
                stoppedEarly = "after \(grouped(Double(answered))) requests the daemon's RSS was \(megabytes(rss)), past --soak-max-rss-mb \(soakMaxRssMb)"
                progress("  stopping: \(stoppedEarly ?? "")")
                return false
            }
            return true
        }
        checkpoints += recorded
        progress(String(format: "  %d requests in %.2f s: %.0f requests/s", run.answered, run.seconds, Double(run.answered) / run.seconds))
        return (run.answered, run.accepted, run.seconds, stoppedEarly)
    }

    /// One jobs.watch stream: sent on a fresh connection, its first event read, then the
    /// connection is closed with the stream still open.
    private static func abandonWatch(socket: String, job: Int64, stream: Int) throws {
        let connection = try UnixSocketConnection(path: socket)
        defer { connection.closeNow() }
        connection.setReceiveTimeout(seconds: 30)
        let envelope = RequestEnvelope(id: .int(1), method: WatchJobsRequest.method, params: WatchJobsRequest(ids: [job]))
        try connection.writeFrame(Array(try Wire.encoder().encode(envelope)))
        guard let payload = try connection.readFrame() else { throw BenchFailure("jobs.watch stream \(stream): pinadsd closed the connection") }
        let frame = try Wire.decoder().decode(ResponseFrame<WatchJobsResult, JobEvent>.self, from: Data(payload))
        if let error = frame.error { throw BenchFailure("jobs.watch stream \(stream): \(error)") }
        guard let event = frame.event, event.job.id == job, !event.job.state.isFinished else {
            throw BenchFailure("jobs.watch stream \(stream): the first frame is not an event of the running job: \(String(decoding: payload.prefix(300), as: UTF8.self))")
        }
    }

    static func checkpoint(_ daemon: ProcProbe, _ label: String, requests: Int, seconds: Double) throws -> SoakCheckpoint {
        let status = daemon.status()
        guard let rss = status["VmRSS"], let descriptors = daemon.descriptors() else {
            throw BenchFailure("pinadsd (pid \(daemon.pid)) is gone: nothing in /proc (see pinadsd.log)")
        }
        return SoakCheckpoint(
            label: label, requests: requests, seconds: seconds, rssBytes: rss, rssAnonBytes: status["RssAnon"] ?? 0, descriptors: descriptors,
            threads: status["Threads"] ?? 0)
    }

    /// Waits until the daemon holds `total` descriptors or fewer, outbound TCP aside (closes
    /// are asynchronous), at most `timeout` seconds; true when it got there.
    @discardableResult
    static func settle(_ daemon: ProcProbe, towards total: Int, timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard let now = daemon.descriptors() else { throw BenchFailure("pinadsd (pid \(daemon.pid)) is gone") }
            if now.withoutOutboundTCP <= total { return true }
            if Date() >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Before the start reading: waits until the descriptor count has not changed for 300 ms.
    static func settle(_ daemon: ProcProbe, timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = daemon.descriptors()?.total, steadySince = Date()
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            let now = daemon.descriptors()?.total
            if now != last {
                last = now
                steadySince = Date()
            } else if Date().timeIntervalSince(steadySince) >= 0.3 {
                return
            }
        }
    }

    /// Until the daemon has sent every accepted conversion (each poll on its own connection,
    /// closed at once, so none is left open for the readings).
    static func waitForDelivery(socket: String, timeout: TimeInterval) async throws {
        try await waitFor("the conversions are delivered", timeout: timeout, every: .milliseconds(100)) {
            let client = try PinAdsClient(socketPath: socket)
            defer { client.connection.closeNow() }
            let stats = try client.value(ConversionStatsRequest())
            return stats.queued == 0 && stats.inFlight == 0
        }
    }
}

/// system.health and one-event conversions.send requests over one connection, `depth` in
/// flight, one in `conversionEvery` a conversion (each event its own event_id).
struct MixedPipeline {
    var depth: Int
    var conversionEvery: Int
    var eventPrefix: String

    /// Sends `count` requests; after each answer `after(answered, seconds)` may stop the run
    /// (false: no more are sent, those in flight are still answered). Any error answer fails it.
    func run(
        socket: String, count: Int, after: (Int, Double) throws -> Bool = { _, _ in true }
    ) throws -> (answered: Int, accepted: Int, seconds: Double) {
        let connection = try UnixSocketConnection(path: socket)
        defer { connection.closeNow() }
        connection.setReceiveTimeout(seconds: 60)
        let encoder = Wire.encoder(), decoder = Wire.decoder()
        var inFlight: [Int64: Bool] = [:]  // id → is a conversions.send
        var sent = 0, answered = 0, accepted = 0, target = count
        let started = DispatchTime.now().uptimeNanoseconds
        while answered < target {
            while sent < target, sent - answered < depth {
                let id = Int64(sent + 1)
                let isConversion = sent % conversionEvery == conversionEvery - 1
                let payload: [UInt8]
                if isConversion {
                    let request = SendConversionsRequest(events: [ConversionsOptions.event(sent, prefix: eventPrefix)])
                    payload = Array(try encoder.encode(RequestEnvelope(id: .int(id), method: SendConversionsRequest.method, params: request)))
                } else {
                    // The envelope as the wire encoder writes it for HealthRequest (sorted keys, no deadline).
                    payload = Array(#"{"id":\#(id),"method":"system.health","params":{}}"#.utf8)
                }
                try connection.writeFrame(payload)
                inFlight[id] = isConversion
                sent += 1
            }
            guard let payload = try connection.readFrame() else {
                throw BenchFailure("pinadsd closed the connection after \(answered) answers")
            }
            let frame = try decoder.decode(ResponseFrame<SoakAnswer, JSONValue>.self, from: Data(payload))
            guard case .int(let id)? = frame.id, let isConversion = inFlight.removeValue(forKey: id) else {
                throw BenchFailure("an answer for id \(frame.id?.description ?? "null"), which is not in flight: \(frame.error.map(String.init(describing:)) ?? "")")
            }
            let method = isConversion ? SendConversionsRequest.method : HealthRequest.method
            if let error = frame.error { throw BenchFailure("request \(id) (\(method)): \(error)") }
            guard let answer = frame.result, isConversion ? answer.accepted == 1 : answer.status == "ok" else {
                throw BenchFailure("request \(id) (\(method)): \(String(decoding: payload.prefix(300), as: UTF8.self))")
            }
            accepted += answer.accepted ?? 0
            answered += 1
            if try !after(answered, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9) { target = sent }
        }
        return (answered, accepted, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}

/// What the soak checks in an answer on the long connection: `status` of system.health,
/// `accepted` of conversions.send; the rest is not decoded.
struct SoakAnswer: Codable, Sendable {
    var status: String?
    var accepted: Int?
}
