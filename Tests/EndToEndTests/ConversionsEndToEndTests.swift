#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Conversions through the real pinadsd to a real pinads-sandbox.
@Suite("Conversions end to end", .serialized)
struct ConversionsEndToEndTests {
    static func events(_ range: Range<Int>) -> [ConversionEventInput] {
        range.map { ConversionEventInput(eventName: "checkout", eventId: "order-\($0)", email: "buyer\($0)@example.com", value: 19.99) }
    }

    @Test func killedDuringALoadEveryAcceptedEventArrivesAndOnlyInFlightBatchesTwice() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        var accepted = 0
        for chunk in 0..<10 {
            accepted += try daemon.call(SendConversionsRequest(events: Self.events(chunk * 10_000..<(chunk + 1) * 10_000))).accepted
        }
        #expect(accepted == 100_000)
        // Killed while batches are on their way.
        let before = try await sandbox.stats()["events_processed"]?.intValue ?? 0
        try await daemon.stop(signal: SIGKILL)
        #expect(before < 100_000, "the kill came while events were still leaving (\(before) delivered)")

        try await daemon.start()
        for chunk in 10..<20 {
            accepted += try daemon.call(SendConversionsRequest(events: Self.events(chunk * 10_000..<(chunk + 1) * 10_000))).accepted
        }
        #expect(accepted == 200_000)
        try await eventually("every accepted event reaches the sandbox", timeout: 120) {
            try await sandbox.stats()["events_processed"]?.intValue == 200_000
        }
        let stats = try await sandbox.stats()
        let twice = stats["events_deduplicated"]?.intValue ?? 0
        #expect(twice <= 8 * 1000, "only the batches in flight at the kill (8 × 1000 at most) went twice: \(twice)")
        try await eventually("the daemon has recorded every answer") { try daemon.call(ConversionStatsRequest()).sent == 200_000 }
        let local = try daemon.call(ConversionStatsRequest())
        #expect(local.queued == 0 && local.inFlight == 0 && local.failed == 0)
        // Repeats of accepted events are duplicates, not sent.
        let repeated = try daemon.call(SendConversionsRequest(events: Self.events(0..<1000)))
        #expect(repeated.duplicates == 1000 && repeated.accepted == 0)
        // No raw email on disk.
        try await daemon.stop()
        for suffix in ["", "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: daemon.stateDirectory + "/pinads.db" + suffix))) ?? Data()
            #expect(bytes.range(of: Data("buyer1@example.com".utf8)) == nil, "a raw email in pinads.db\(suffix)")
        }
        try await sandbox.stop()
    }

    private func connect(_ daemon: Daemon, _ sandbox: SandboxProcess) async throws {
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
    }

    private func runPinads(_ daemon: Daemon, _ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
        try await runCommand(Binaries.pinads, arguments + ["--socket", daemon.socketPath], environment: Daemon.baseEnvironment, stdin: stdin, timeout: 120)
    }

    /// Runs pinads with `input` written to its standard input through a pipe (not a file), as
    /// `export-orders | pinads conversions send --file -` does.
    private func runPinadsPiped(_ daemon: Daemon, _ arguments: [String], input: String) async throws -> CommandResult {
        let folder = try TemporaryFolder()
        let outPath = folder.path + "/out", errPath = folder.path + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.pinads)
        process.arguments = arguments + ["--socket", daemon.socketPath]
        process.environment = Daemon.baseEnvironment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        let writer = pipe.fileHandleForWriting
        let data = Data(input.utf8)
        Thread.detachNewThread {
            writer.write(data)
            try? writer.close()
        }
        do {
            try await eventually("pinads \(arguments.joined(separator: " ")) exits", timeout: 120) { !process.isRunning }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        return CommandResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// `rejected` of a `conversions send --file … --json` summary as (line, reason), checking `index` is the line.
    private func rejectedLines(_ summary: JSONValue) throws -> [(line: Int, reason: String)] {
        guard case .array(let items)? = summary["rejected"] else { throw TestFailure("no rejected in \(summary)") }
        return try items.map { item in
            guard let line = item["line"]?.intValue, let reason = item["reason"]?.stringValue else { throw TestFailure("bad rejection \(item)") }
            #expect(item["index"]?.intValue == line, "index is the line number too")
            return (Int(line), reason)
        }
    }

    /// 25,000 events (three requests) with bad lines at known places, from a file and then from standard input.
    @Test func aFileIsSentInChunksAndRejectionsCarryTheirFileLines() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        try await connect(daemon, sandbox)

        let special: [Int: String] = [
            3: "",
            7: #"{"event_name":"checkout","event_id":"#,
            10_004: #"["not", "an", "event"]"#,
            12_345: #"{"event_name":"purchase","event_id":"bad-1","email":"x@example.com"}"#,
            20_002: "  \t ",
            24_999: #"{"event_name":"checkout","email":"y@example.com"}"#,
            25_003: #"{"event_name":"purchase","event_id":"bad-2","email":"z@example.com"}"#,
        ]
        let good = 25_000
        var lines: [String] = []
        var next = 0
        while lines.count < good + special.count {
            if let line = special[lines.count + 1] {
                lines.append(line)
            } else {
                lines.append(#"{"event_name":"checkout","event_id":"file-\#(next)","email":"buyer\#(next)@example.com","value":19.99}"#)
                next += 1
            }
        }
        lines[0] = "\u{FEFF}" + lines[0]  // a byte-order mark
        lines[19] += "\r"  // a CRLF line end
        let text = lines.joined(separator: "\n")  // no newline after the last line
        let path = daemon.folder.path + "/events.jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let expectedLines = [7, 10_004, 12_345, 24_999, 25_003]

        let sent = try await runPinads(daemon, ["conversions", "send", "--file", path, "--json"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let summary = try JSONDecoder().decode(JSONValue.self, from: Data(sent.stdout.utf8))
        #expect(summary["accepted"]?.intValue == Int64(good))
        #expect(summary["duplicates"]?.intValue == 0)
        let rejected = try rejectedLines(summary)
        #expect(rejected.map(\.line) == expectedLines)
        if rejected.count == expectedLines.count {
            #expect(rejected[0].reason == "not valid JSON")
            #expect(rejected[1].reason == "not a JSON object")
            #expect(rejected[2].reason.hasPrefix("event_name: 'purchase'"), "\(rejected[2].reason)")
            #expect(rejected[3].reason.hasPrefix("event_id"), "\(rejected[3].reason)")
            #expect(rejected[4].reason.hasPrefix("event_name: 'purchase'"), "\(rejected[4].reason)")
        }
        try await eventually("every accepted event reaches the sandbox", timeout: 120) {
            try await sandbox.stats()["events_processed"]?.intValue == Int64(good)
        }
        let stats = try daemon.call(ConversionStatsRequest())
        #expect(stats.rejected == 2, "the daemon rejected the two purchases; the other bad lines never left pinads")

        // The same lines through a pipe on standard input: every event is now a duplicate, the same lines are refused.
        let again = try await runPinadsPiped(daemon, ["conversions", "send", "--file", "-", "--json"], input: text)
        #expect(again.status == 0, "\(again.stderr)")
        let repeated = try JSONDecoder().decode(JSONValue.self, from: Data(again.stdout.utf8))
        #expect(repeated["accepted"]?.intValue == 0)
        #expect(repeated["duplicates"]?.intValue == Int64(good))
        #expect(try rejectedLines(repeated).map(\.line) == expectedLines)
        #expect(try await sandbox.stats()["events_processed"]?.intValue == Int64(good))
        try await daemon.stop()
        try await sandbox.stop()
    }

    /// Standard input through a pipe, the text summary, the single-event form, and input without events.
    @Test func standardInputTextSummaryAndTheSingleEventForm() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        try await connect(daemon, sandbox)

        let input = [
            #"{"event_name":"checkout","event_id":"t-1","email":"a@example.com","value":5}"#,
            "",
            "not json",
            #"{"event_name":"purchase","event_id":"t-2","email":"b@example.com"}"#,
            #"{"event_name":"lead","event_id":"t-3","email":"c@example.com"}"#,
        ].joined(separator: "\n") + "\n"
        let sent = try await runPinadsPiped(daemon, ["conversions", "send", "--file", "-"], input: input)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr == "", "no progress bar when standard error is not a terminal")
        let out = sent.stdout.split(separator: "\n").map(String.init)
        #expect(out.first == "2 accepted, 0 duplicates, 2 rejected (1 unreadable line)", "\(sent.stdout)")
        #expect(out.dropFirst().first == "  line 3: not valid JSON", "\(sent.stdout)")
        #expect(out.dropFirst(2).first?.hasPrefix("  line 4: event_name: 'purchase'") == true, "\(sent.stdout)")
        try await eventually("both events reach the sandbox") { try await sandbox.stats()["events_processed"]?.intValue == 2 }

        let one = try await runPinads(daemon, ["conversions", "send", "--event", "checkout", "--event-id", "single-1", "--email", "jo@shop.com", "--value", "49.99"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.hasPrefix("accepted checkout 'single-1'"), "\(one.stdout)")
        let twice = try await runPinads(daemon, ["conversions", "send", "--event", "checkout", "--event-id", "single-1", "--email", "jo@shop.com"])
        #expect(twice.status == 0 && twice.stdout.hasPrefix("duplicate: checkout 'single-1'"), "\(twice.stdout)")
        let refused = try await runPinads(daemon, ["conversions", "send", "--event", "purchase", "--event-id", "single-2", "--email", "jo@shop.com"])
        #expect(refused.status == 1 && refused.stderr.hasPrefix("pinads: event rejected: event_name"), "\(refused.stderr)")
        try await eventually("the single event reaches the sandbox") { try await sandbox.stats()["events_processed"]?.intValue == 3 }

        // Nothing to send: fine for an empty file, a failure for a file of bad lines.
        let empty = try await runPinads(daemon, ["conversions", "send", "--file", "-"], stdin: "\n\n")
        #expect(empty.status == 0 && empty.stdout.hasPrefix("nothing to send: standard input holds no events"), "\(empty.stdout)")
        let bad = try await runPinads(daemon, ["conversions", "send", "--file", "-", "--json"], stdin: "{\n[]\n")
        #expect(bad.status == 1)
        let badSummary = try JSONDecoder().decode(JSONValue.self, from: Data(bad.stdout.utf8))
        #expect(try rejectedLines(badSummary).map(\.line) == [1, 2])
        #expect(badSummary["accepted"]?.intValue == 0)
        try await daemon.stop()
        try await sandbox.stop()
    }
}
