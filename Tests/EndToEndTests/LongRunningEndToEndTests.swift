#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsClient
import PinAdsProtocol
import PinterestAPI
import Testing

/// What a daemon that runs for months must hold: a connection may carry any number of requests
/// and connections come and go without the daemon growing; jobs that waited for a reconnect
/// start at once; a client never waits forever; errors stay machine-readable under --json; a
/// socket handed over by systemd is the one reported and served.
@Suite("A daemon that runs for months", .serialized)
struct LongRunningEndToEndTests {
    // MARK: - Memory and descriptors

    @Test func oneConnectionCarriesAnyNumberOfRequestsInFlatMemory() async throws {
        let daemon = try await Daemon().start()
        let client = try daemon.client()
        func send(_ count: Int) throws {
            var answered = 0
            try client.pipeline(count: count, window: 16) { _ in HealthRequest() } handle: { _, outcome in
                guard case .result = outcome else { throw TestFailure("system.health answered \(outcome)") }
                answered += 1
            }
            #expect(answered == count)
        }
        // The first 20,000 warm the allocator and the caches; after them nothing may grow.
        try send(20_000)
        let warm = try ProcessFacts(pid: daemon.pid)
        for _ in 0..<9 { try send(20_000) }
        let after = try ProcessFacts(pid: daemon.pid)
        let growth = after.rssKiB - warm.rssKiB
        #expect(growth < 10 * 1024, "RSS grew by \(growth) KiB over 180,000 requests on one connection (from \(warm.rssKiB) KiB)")
        #expect(after.descriptors == warm.descriptors)
        #expect(try await daemon.stop() == 0)
    }

    @Test func connectionsAndAbandonedStreamsLeaveNothingBehind() async throws {
        let daemon = try await Daemon().start()
        // Concurrent reads open the store's pool of reader connections (bounded, kept open):
        // they are open before the baseline.
        try daemon.client().pipeline(count: 400, window: 64) { _ in ListJobsRequest(limit: 1000) } handle: { _, _ in }
        let before = try ProcessFacts(pid: daemon.pid)
        for _ in 0..<5_000 {
            let client = try daemon.client()
            guard case .result = try client.call(HealthRequest()) else { throw TestFailure("system.health failed") }
            client.connection.closeNow()
        }
        // A job that runs long enough to be watched, and streams of it that their clients abandon.
        let job = try daemon.call(SelfTestRequest(steps: 1000, stepMs: 60_000)).job.id
        for _ in 0..<200 {
            let connection = try daemon.connection()
            try connection.send(json: #"{"id": 1, "method": "jobs.watch", "params": {"ids": [\#(job)]}}"#)
            guard let first = try connection.nextJSON(), first["event"] != nil else { throw TestFailure("jobs.watch sent no event") }
            connection.closeNow()
        }
        // Clients that pipeline requests and never read an answer, then go away.
        for _ in 0..<20 {
            let connection = try daemon.connection()
            connection.timeout = .seconds(1)
            var sent = 0
            do {
                while sent < 2_000 {
                    try connection.send(json: #"{"id": \#(sent), "method": "jobs.list", "params": {"limit": 1000}}"#)
                    sent += 1
                }
            } catch ClientError.timedOut {
                // The daemon stopped reading: it does not queue answers for a client that reads none.
            }
            connection.closeNow()
        }
        var seen = "nothing yet"
        do {
            try await eventually("every client connection is closed and its descriptor released") {
                let status = try daemon.call(StatusRequest())
                let descriptors = try ProcessFacts(pid: daemon.pid).descriptors
                seen = "\(status.connections.open) open, \(status.connections.requestsInFlight) in flight, \(descriptors) descriptors (\(before.descriptors) at the start)"
                return status.connections.open == 1 && status.connections.requestsInFlight == 1 && descriptors <= before.descriptors + 1
            }
        } catch {
            Issue.record("\(error): last seen \(seen)")
        }
        let after = try ProcessFacts(pid: daemon.pid)
        #expect(after.descriptors <= before.descriptors + 1, "descriptors \(before.descriptors) → \(after.descriptors) (+1: the status call's)")
        _ = try daemon.call(CancelJobRequest(id: job))
        #expect(try await daemon.stop() == 0)
    }

    // MARK: - Jobs wake

    @Test func aJobWaitingForAReconnectStartsWithinASecondOfIt() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL, "--audience-sync-delay", "0"]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        // A second token pair of the same user, to reconnect with later.
        let pinterest = PinterestClient(baseURL: sandbox.baseURL, transport: CurlTransport(), logger: Logger(label: "test"))
        let later = try await pinterest.refreshAccessToken(
            refreshToken: token.refresh, app: AppCredentials(clientID: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        // Connected without a refresh token, so a refused token needs a person.
        let connected = try await runCommand(
            Binaries.pinads, ["connect", "--socket", daemon.socketPath],
            environment: Daemon.baseEnvironment.merging(["PINADS_ACCESS_TOKEN": token.access]) { _, new in new })
        #expect(connected.status == 0, "\(connected.stderr)")
        let audience = try daemon.call(CreateAudienceRequest(name: "buyers")).audience.id
        _ = try daemon.call(AddMembersRequest(audienceId: audience, members: (0..<120).map { "buyer\($0)@example.com" }))
        _ = try daemon.call(ActivateAudienceRequest(audienceId: audience))
        try await eventually("the first sync is done") {
            try daemon.call(ListActivationsRequest(audienceId: audience)).activations.first?.state == .synced
        }

        // Pinterest revokes the token; the next sync waits for a reconnect.
        try await sandbox.control("POST", "/_sandbox/tokens/revoke", ["token": .string(token.access)])
        _ = try daemon.call(AddMembersRequest(audienceId: audience, members: ["late@example.com"]))
        var waiting: Job?
        try await eventually("a sync waits for the connection") {
            waiting = try daemon.call(ListJobsRequest(state: .waiting)).jobs.first { $0.kind == "audiences.sync" }
            return waiting != nil
        }
        guard let waiting else { return }
        #expect(waiting.nextRunAt.map { $0.timeIntervalSinceNow > 3600 } ?? true, "it waits for a release, not for a time")

        // Nothing else is queued: only the reconnect can start it.
        let reconnected = try await runCommand(
            Binaries.pinads, ["connect", "--socket", daemon.socketPath],
            environment: Daemon.baseEnvironment.merging(["PINADS_ACCESS_TOKEN": later.accessToken]) { _, new in new })
        #expect(reconnected.status == 0, "\(reconnected.stderr)")
        let reconnectedAt = Date()
        var started: Date?
        try await eventually("the waiting sync starts", timeout: 10) {
            let job = try daemon.call(GetJobRequest(id: waiting.id)).job
            if job.state != .waiting, let at = job.startedAt, at > waiting.updatedAt { started = at }
            return started != nil
        }
        let delay = (started ?? .distantFuture).timeIntervalSince(reconnectedAt)
        #expect(delay < 1, "the sync started \(delay) s after `pinads connect` returned")
        try await daemon.stop()
        try await sandbox.stop()
    }

    // MARK: - Deadlines

    @Test func aClientNeverWaitsPastItsTimeout() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/silent.sock"
        let listener = try SilentListener(path: path)
        defer { listener.close() }

        for arguments in [["health"], ["jobs", "list"], ["jobs", "watch", "1"]] {
            let started = Date()
            let result = try await runCommand(
                Binaries.pinads, arguments + ["--socket", path, "--timeout", "1"], environment: Daemon.baseEnvironment, timeout: 20)
            let took = Date().timeIntervalSince(started)
            #expect(result.status == 75, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(path) && result.stderr.contains("within 1 s"), "\(result.stderr)")
            // A stream asks whether the daemon lives after 1 s of silence, and waits 1 s for that.
            #expect(took < (arguments.contains("watch") ? 3 : 2), "\(arguments) took \(took) s")
        }

        let json = try await runCommand(
            Binaries.pinads, ["health", "--json", "--socket", path, "--timeout", "1"], environment: Daemon.baseEnvironment, timeout: 20)
        #expect(json.status == 75)
        let error = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))["error"]
        #expect(error?["code"] == "DEADLINE_EXCEEDED" && error?["details"]?["socket"] == .string(path), "\(json.stdout)")

        let started = Date()
        let script = Binaries.repository.appendingPathComponent("contrib/python/pinads_client.py").path
        let python = try await runCommand(
            "/usr/bin/env", ["python3", script, "--socket", path, "--timeout", "1", "system.health"], environment: Daemon.baseEnvironment,
            timeout: 20)
        #expect(python.status == 75, "\(python.stderr)")
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(python.stderr.contains(path))
    }

    @Test func theDeadlineIsSentAndAStreamGoesOnWhileTheDaemonAnswers() async throws {
        let daemon = try await Daemon().start()
        // A job that says nothing for 3 s: the watch goes on through 1 s timeouts, since the
        // daemon answers the client's liveness probes.
        let job = try daemon.call(SelfTestRequest(steps: 1, stepMs: 3_000)).job.id
        let watch = try await daemon.pinads("jobs", "watch", String(job), "--timeout", "1", timeout: 30)
        #expect(watch.status == 0, "\(watch.stdout)\(watch.stderr)")
        #expect(watch.stdout.contains("succeeded"))
        #expect(try await daemon.stop() == 0)
    }

    // MARK: - Errors as JSON

    @Test func jsonErrorsAreJSON() async throws {
        let daemon = try await Daemon().start()
        let missing = try await daemon.pinads("--json", "jobs", "get", "99999")
        #expect(missing.status == 1)
        let frame = try JSONDecoder().decode(JSONValue.self, from: Data(missing.stdout.utf8))
        #expect(frame["error"]?["code"] == "NOT_FOUND", "\(missing.stdout)")
        #expect(frame["error"]?["message"]?.stringValue?.contains("99999") == true)
        let text = try await daemon.pinads("jobs", "get", "99999")
        #expect(text.status == missing.status && text.stdout.isEmpty && text.stderr.hasPrefix("pinads: NOT_FOUND: "))
        try await daemon.stop()

        let none = try await daemon.pinads("health", "--json")
        #expect(none.status == 69)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(none.stdout.utf8))["error"]?["code"] == "UNAVAILABLE", "\(none.stdout)")
    }

    // MARK: - Socket activation

    @Test func anActivatedSocketIsTheOneReportedAndServedInSandboxModeToo() async throws {
        let folder = try TemporaryFolder()
        var environment = Daemon.baseEnvironment
        environment["XDG_RUNTIME_DIR"] = folder.path
        environment["XDG_STATE_HOME"] = folder.path + "/xdg-state"

        // No --socket: the default would be $XDG_RUNTIME_DIR/pinads/pinadsd.sock.
        let activated = folder.path + "/activated.sock"
        let daemon = try ActivatedProcess(socket: activated, arguments: ["--state-dir", folder.path + "/state"], environment: environment)
        let status = try await runCommand(Binaries.pinads, ["status", "--json", "--socket", activated], environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(try Wire.decoder().decode(StatusResult.self, from: Data(status.stdout.utf8)).socketPath == activated)
        try await daemon.stop()

        // --sandbox serves the socket it was given.
        let sandboxSocket = folder.path + "/sandbox.sock"
        let sandbox = try ActivatedProcess(socket: sandboxSocket, arguments: ["--sandbox"], environment: environment)
        let health = try await runCommand(Binaries.pinads, ["status", "--json", "--socket", sandboxSocket], environment: environment)
        #expect(health.status == 0, "\(health.stderr)")
        let sandboxStatus = try Wire.decoder().decode(StatusResult.self, from: Data(health.stdout.utf8))
        #expect(sandboxStatus.socketPath == sandboxSocket && sandboxStatus.pinterestAPIBaseURL.hasPrefix("http://127.0.0.1:"))
        try await sandbox.stop()

        // ... but never the real daemon's: it refuses, and the passed socket is closed.
        let real = folder.path + "/pinads/pinadsd.sock"
        try FileManager.default.createDirectory(atPath: folder.path + "/pinads", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let refused = try ActivatedProcess(socket: real, arguments: ["--sandbox"], environment: environment, waitUntilServing: false)
        try await eventually("pinadsd --sandbox refuses the real daemon's socket") { !refused.process.isRunning }
        #expect(refused.process.terminationStatus == 1)
        #expect(refused.log.contains("the real daemon's socket"), "\(refused.log)")
    }
}

// MARK: - Helpers

/// VmRSS and open descriptors of a process, from /proc.
struct ProcessFacts {
    var rssKiB: Int
    var descriptors: Int

    init(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw TestFailure("no VmRSS in /proc/\(pid)/status") }
        rssKiB = kib
        descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }
}

/// A Unix socket that listens and never answers: its backlog completes the clients' connects
/// and takes what they write, and nothing ever comes back.
final class SilentListener {
    private let fd: Int32

    init(path: String) throws {
        fd = try boundUnixSocket(path, type: Int32(SOCK_STREAM.rawValue))
        guard listen(fd, 64) == 0 else { throw TestFailure("cannot listen on \(path): errno \(errno)") }
    }

    func close() { _ = Glibc.close(fd) }
}

/// pinadsd started the way systemd's socket activation starts it: the listening socket at fd 3,
/// LISTEN_FDS=1 and LISTEN_PID of the exec'd process (Python binds, then execs in place).
final class ActivatedProcess {
    let process = Process()
    let logPath: String
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    init(socket: String, arguments: [String], environment: [String: String], waitUntilServing: Bool = true) throws {
        logPath = socket + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let launcher = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(16)
            if s.fileno() != 3: os.dup2(s.fileno(), 3)
            os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[2], [sys.argv[2]] + sys.argv[3:])
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", launcher, socket, Binaries.pinadsd] + arguments
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard waitUntilServing else { return }
        let started = Date()
        while Date().timeIntervalSince(started) < 30 {
            guard process.isRunning else { throw TestFailure("pinadsd exited with \(process.terminationStatus):\n\(self.log)") }
            if let client = try? PinAdsClient(socketPath: socket, timeout: .seconds(5)), case .result? = try? client.call(HealthRequest()) { return }
            usleep(20_000)
        }
        throw TestFailure("pinadsd did not serve \(socket):\n\(self.log)")
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    func stop() async throws {
        kill(process.processIdentifier, SIGTERM)
        try await eventually("pinadsd exits") { !self.process.isRunning }
        #expect(process.terminationStatus == 0, "\(log)")
    }
}
