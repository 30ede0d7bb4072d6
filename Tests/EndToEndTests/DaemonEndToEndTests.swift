#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// The real `pinadsd` and `pinads` binaries over real sockets and real SQLite files.
@Suite("pinadsd end to end", .serialized)
struct DaemonEndToEndTests {
    @Test func aSecretInTheEnvironmentNeverReachesTheDebugLog() async throws {
        let secret = "app-secret-\(UUID().uuidString)"
        let daemon = try await Daemon().start(environment: ["PINADS_CLIENT_ID": "1234", "PINADS_CLIENT_SECRET": secret])
        #expect(try await daemon.pinads("health").status == 0)
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("debug"), "the daemon ran at debug level")
        #expect(!daemon.log.contains(secret), "the app secret was logged")
    }

    @Test func healthAndStatusThroughTheClient() async throws {
        let daemon = try await Daemon().start()
        let health = try await daemon.pinads("health")
        #expect(health.status == 0, "\(health.stderr)")
        #expect(health.stdout.contains("pinadsd \(PinAdsVersion.current) is healthy (protocol 1"))

        let json = try await daemon.pinads("health", "--json")
        let parsed = try Wire.decoder().decode(HealthResult.self, from: Data(json.stdout.utf8))
        #expect(parsed.protocolVersion == ProtocolVersion.current)
        #expect(parsed.store.status == "ok")
        #expect(parsed.store.path == daemon.stateDirectory + "/pinads.db")

        let status = try await daemon.pinads("status", "--json")
        #expect(status.status == 0)
        let result = try Wire.decoder().decode(StatusResult.self, from: Data(status.stdout.utf8))
        #expect(result.pid == daemon.pid)
        #expect(Set(result.jobs.keys) == Set(JobState.allCases.map(\.rawValue)))
        #expect(result.services.map(\.name).sorted() == ["control_server", "job_workers", "scheduler"])
        #expect(result.services.allSatisfy { $0.state == "running" })
        #expect(result.connections.open >= 1)

        let human = try await daemon.pinads("status")
        #expect(human.stdout.contains("control_server"))

        // Socket and state are private to the user.
        #expect(try mode(daemon.socketPath) == 0o600)
        #expect(try mode(daemon.stateDirectory) == 0o700)
        #expect(try mode(daemon.stateDirectory + "/pinads.db") == 0o600)
        #expect(try await daemon.stop() == 0)
    }

    @Test func defaultSocketFolderIsCreatedOwnerOnly() async throws {
        let folder = try TemporaryFolder()
        let runtime = folder.path + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        var environment = Daemon.baseEnvironment
        environment["XDG_RUNTIME_DIR"] = runtime
        environment["PINADS_STATE_DIR"] = folder.path + "/state"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.pinadsd)
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let socket = runtime + "/pinads/pinadsd.sock"
        try await eventually("default socket exists") { FileManager.default.fileExists(atPath: socket) }
        #expect(try mode(runtime + "/pinads") == 0o700)
        #expect(try mode(socket) == 0o600)
        // The client finds it the same way.
        let health = try await runCommand(Binaries.pinads, ["health"], environment: environment)
        #expect(health.status == 0, "\(health.stderr)")
        kill(process.processIdentifier, SIGTERM)
        try await eventually("daemon exits") { !process.isRunning }
        #expect(process.terminationStatus == 0)
    }

    @Test func noDaemonIsOneClearLine() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/nothing.sock"
        let result = try await runCommand(Binaries.pinads, ["health", "--socket", path], environment: Daemon.baseEnvironment)
        #expect(result.status == 69)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains(path))
        #expect(result.stderr.contains("start it with `pinadsd`"))
    }

    @Test func pipelinedRequestsAreAnsweredAsTheyFinish() async throws {
        let daemon = try await Daemon().start()
        let job = try daemon.call(SelfTestRequest(steps: 4, stepMs: 250)).job
        let connection = try daemon.connection()
        // A slow streaming request first, then fifty quick ones on the same connection.
        try connection.send(json: #"{"id": "slow", "method": "jobs.watch", "params": {"ids": [\#(job.id)]}}"#)
        for i in 1...50 { try connection.send(json: #"{"id": \#(i), "method": "system.health"}"#) }
        var answered: [JSONValue] = []
        var slowFinishedAt: Int?
        var frames = 0
        while slowFinishedAt == nil {
            guard let frame = try connection.nextJSON() else { throw TestFailure("connection closed") }
            frames += 1
            if frame["id"] == "slow" {
                if frame["result"] != nil { slowFinishedAt = answered.count }
            } else {
                #expect(frame["result"]?["status"] == "ok")
                answered.append(frame["id"] ?? .null)
            }
        }
        #expect(answered.count == 50, "all quick answers came before the slow one finished")
        #expect(Set(answered) == Set((1...50).map { JSONValue.int(Int64($0)) }))
        #expect(try await daemon.stop() == 0)
    }

    @Test func badInputGetsClearAnswersAndTheDaemonStaysUp() async throws {
        let daemon = try await Daemon().start()
        let connection = try daemon.connection()

        try connection.writeFrame(Array("this is not json".utf8))
        let notJSON = try #require(try connection.nextJSON())
        #expect(notJSON["id"] == .null)
        #expect(notJSON["error"]?["code"] == "INVALID_ARGUMENT")

        try connection.send(json: "[1, 2, 3]")
        #expect(try connection.nextJSON()?["error"]?["code"] == "INVALID_ARGUMENT")

        try connection.send(json: #"{"id": 5}"#)
        let noMethod = try #require(try connection.nextJSON())
        #expect(noMethod["id"] == 5)
        #expect(noMethod["error"]?["details"]?["field"] == "method")

        try connection.send(json: #"{"id": 6, "method": "audiences.explode"}"#)
        let unknown = try #require(try connection.nextJSON())
        #expect(unknown["id"] == 6)
        #expect(unknown["error"]?["code"] == "UNIMPLEMENTED")
        #expect(unknown["error"]?["message"]?.stringValue?.contains("audiences.explode") == true)

        try connection.send(json: #"{"id": 7, "method": "jobs.get", "params": {"id": "seven"}}"#)
        let wrongType = try #require(try connection.nextJSON())
        #expect(wrongType["error"]?["code"] == "INVALID_ARGUMENT")
        #expect(wrongType["error"]?["details"]?["field"] == "id")

        try connection.send(json: #"{"id": 8, "method": "jobs.list", "params": {"limit": 100000}}"#)
        let outOfRange = try #require(try connection.nextJSON())
        #expect(outOfRange["error"]?["details"]?["field"] == "limit")

        try connection.send(json: #"{"id": 9, "method": "jobs.get", "params": {"id": 424242}}"#)
        #expect(try connection.nextJSON()?["error"]?["code"] == "NOT_FOUND")

        // The connection survived all of that.
        try connection.send(json: #"{"id": 10, "method": "system.health"}"#)
        #expect(try connection.nextJSON()?["result"]?["status"] == "ok")

        // A zero length is fatal to the connection: an error frame, then close.
        try connection.writeRaw([0, 0, 0, 0])
        let empty = try #require(try connection.nextJSON())
        #expect(empty["id"] == .null)
        #expect(empty["error"]?["code"] == "INVALID_ARGUMENT")
        #expect(try connection.nextJSON() == nil)

        // So is a length above the maximum, answered before any payload is sent.
        let big = try daemon.connection()
        let length = UInt32(Frame.defaultMaximumLength + 1)
        try big.writeRaw([UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)])
        let oversize = try #require(try big.nextJSON())
        #expect(oversize["id"] == .null)
        #expect(oversize["error"]?["code"] == "RESOURCE_EXHAUSTED")
        #expect(try big.nextJSON() == nil)

        // A client that leaves mid-frame or mid-request leaves nothing behind.
        let quitter = try daemon.connection()
        try quitter.writeRaw(Array(Frame.encode(Array(#"{"id":1,"method":"system.health"}"#.utf8)).prefix(10)))
        quitter.closeNow()
        let job = try daemon.call(SelfTestRequest(steps: 100, stepMs: 100)).job
        let leaver = try daemon.connection()
        try leaver.send(json: #"{"id": 1, "method": "jobs.watch", "params": {"ids": [\#(job.id)]}}"#)
        _ = try leaver.nextJSON()
        leaver.closeNow()
        try await eventually("only the status caller is connected") {
            let status = try daemon.call(StatusRequest())
            return status.connections.open == 1 && status.connections.requestsInFlight == 1
        }
        #expect(try daemon.call(HealthRequest()).status == "ok")
        #expect(try await daemon.stop() == 0)
    }

    @Test func requestsInFlightPerConnectionAreBounded() async throws {
        let daemon = try await Daemon(arguments: ["--max-requests-per-connection", "2"]).start()
        let job = try daemon.call(SelfTestRequest(steps: 100, stepMs: 100)).job
        let connection = try daemon.connection()
        for id in 1...2 {
            try connection.send(json: #"{"id": \#(id), "method": "jobs.watch", "params": {"ids": [\#(job.id)]}}"#)
        }
        try connection.send(json: #"{"id": 3, "method": "system.health"}"#)
        var rejected: JSONValue?
        while rejected == nil {
            guard let frame = try connection.nextJSON() else { throw TestFailure("closed") }
            if frame["id"] == 3 { rejected = frame }
        }
        #expect(rejected?["error"]?["code"] == "RESOURCE_EXHAUSTED")
        #expect(rejected?["error"]?["details"]?["limit"] == 2)
        #expect(try await daemon.stop() == 0)
    }

    @Test func deadlineStopsASlowRequest() async throws {
        let daemon = try await Daemon().start()
        let job = try daemon.call(SelfTestRequest(steps: 100, stepMs: 100)).job
        let connection = try daemon.connection()
        try connection.send(json: #"{"id": 1, "method": "jobs.watch", "params": {"ids": [\#(job.id)]}, "deadline_ms": 300}"#)
        var final: JSONValue?
        while final == nil {
            guard let frame = try connection.nextJSON() else { throw TestFailure("closed") }
            if frame["event"] == nil { final = frame }
        }
        #expect(final?["error"]?["code"] == "DEADLINE_EXCEEDED")
        #expect(try await daemon.stop() == 0)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run a client as another user (setpriv)"))
    func aPeerOfAnotherUserIsRefused() async throws {
        let daemon = try await Daemon().start()
        // Open the file modes wide, so that only the SO_PEERCRED check stands in the way.
        chmod(daemon.folder.path, 0o755)
        chmod(daemon.socketPath, 0o777)
        let script = daemon.folder.path + "/pinads_client.py"
        try FileManager.default.copyItem(
            atPath: Binaries.repository.appendingPathComponent("contrib/python/pinads_client.py").path, toPath: script)
        chmod(script, 0o644)
        let result = try await runCommand(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", script, "--socket", daemon.socketPath, "system.health"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
        #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stderr.contains("PERMISSION_DENIED"))
        let status = try daemon.call(StatusRequest())
        #expect(status.connections.refusedTotal == 1)
        #expect(try await daemon.stop() == 0)
    }

    @Test func pythonClientSpeaksTheProtocol() async throws {
        let daemon = try await Daemon().start()
        let script = Binaries.repository.appendingPathComponent("contrib/python/pinads_client.py").path
        let health = try await runCommand("/usr/bin/env", ["python3", script, "--socket", daemon.socketPath, "system.health"])
        #expect(health.status == 0, "\(health.stderr)")
        let result = try JSONDecoder().decode(JSONValue.self, from: Data(health.stdout.utf8))
        #expect(result["status"] == "ok")
        #expect(result["protocol_version"] == .int(Int64(ProtocolVersion.current)))

        let pipelined = try await runCommand("/usr/bin/env", ["python3", script, "--socket", daemon.socketPath, "--pipeline", "200"])
        #expect(pipelined.status == 0, "\(pipelined.stderr)")
        let counts = try JSONDecoder().decode(JSONValue.self, from: Data(pipelined.stdout.utf8))
        #expect(counts["answered"] == 200)

        let unknown = try await runCommand("/usr/bin/env", ["python3", script, "--socket", daemon.socketPath, "no.such"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("UNIMPLEMENTED"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func jobsThroughTheClient() async throws {
        let daemon = try await Daemon().start()
        let selftest = try await daemon.pinads("selftest", "--steps", "3", "--step-ms", "20", "--fail-attempts", "1")
        #expect(selftest.status == 0, "\(selftest.stderr)")
        #expect(selftest.stdout.contains("waiting, retry at"))
        #expect(selftest.stdout.contains("succeeded"))

        let list = try await daemon.pinads("jobs", "list", "--state", "succeeded")
        #expect(list.status == 0)
        #expect(list.stdout.contains("system.selftest"))
        #expect(list.stdout.contains("2/4"))

        let slow = try daemon.call(SelfTestRequest(steps: 1000, stepMs: 100)).job
        try await eventually("slow job runs") { try daemon.call(GetJobRequest(id: slow.id)).job.state == .running }
        let cancel = try await daemon.pinads("jobs", "cancel", String(slow.id))
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let watch = try await daemon.pinads("jobs", "watch", String(slow.id))
        #expect(watch.status == 1, "a cancelled job makes watch exit 1")
        #expect(watch.stdout.contains("cancelled"))

        let again = try await daemon.pinads("jobs", "cancel", String(slow.id))
        #expect(again.status == 1)
        #expect(again.stderr.contains("FAILED_PRECONDITION"))

        let retry = try await daemon.pinads("jobs", "retry", String(slow.id), "--json")
        #expect(retry.status == 0)
        #expect(try Wire.decoder().decode(JobResult.self, from: Data(retry.stdout.utf8)).job.state == .queued)

        let get = try await daemon.pinads("jobs", "get", "999999")
        #expect(get.status == 1)
        #expect(get.stderr == "pinads: NOT_FOUND: job 999999 not found\n")

        let call = try await daemon.pinads("call", "jobs.list", #"{"limit": 1}"#)
        #expect(call.status == 0)
        let page = try Wire.decoder().decode(ListJobsResult.self, from: Data(call.stdout.utf8))
        #expect(page.jobs.count == 1)
        #expect(page.nextBeforeId != nil)

        let badParams = try await daemon.pinads("call", "jobs.list", "[1]")
        #expect(badParams.status == 64)
        #expect(try await daemon.stop() == 0)
    }

    @Test func sigtermDrainsAndExitsZero() async throws {
        let daemon = try await Daemon().start()
        let job = try daemon.call(SelfTestRequest(steps: 1000, stepMs: 100)).job
        try await eventually("job runs") { try daemon.call(GetJobRequest(id: job.id)).job.state == .running }
        let watcher = try daemon.connection()
        try watcher.send(json: #"{"id": 1, "method": "jobs.watch", "params": {"ids": [\#(job.id)]}}"#)
        _ = try watcher.nextJSON()

        #expect(try await daemon.stop(signal: SIGTERM) == 0)
        // The watch in flight got a final answer, not a dropped connection.
        var final: JSONValue?
        while let frame = try watcher.nextJSON() {
            if frame["event"] == nil { final = frame }
        }
        #expect(final?["error"]?["code"] == "UNAVAILABLE")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed")
        #expect(daemon.log.contains("pinadsd stopped"))

        // The interrupted job went back to the queue, its attempt not counted, and runs again.
        try await daemon.start()
        let back = try daemon.call(GetJobRequest(id: job.id)).job
        #expect(back.state == .queued || back.state == .running)
        #expect(back.attempts <= 1)
        #expect(try await daemon.stop(signal: SIGINT) == 0)
    }

    @Test func jobsSurviveKill9AndRestart() async throws {
        let daemon = try await Daemon().start()
        let running = try daemon.call(SelfTestRequest(steps: 20, stepMs: 50)).job
        try await eventually("job runs") { try daemon.call(GetJobRequest(id: running.id)).job.state == .running }
        var queued: [Int64] = []
        for _ in 0..<5 { queued.append(try daemon.call(SelfTestRequest(steps: 1, stepMs: 0)).job.id) }

        #expect(try await daemon.stop(signal: SIGKILL) == SIGKILL)
        #expect(FileManager.default.fileExists(atPath: daemon.socketPath), "kill -9 leaves a stale socket file")

        // The restart clears the stale socket, requeues the interrupted job, and finishes everything.
        try await daemon.start()
        #expect(daemon.log.contains("requeued jobs interrupted by the last stop"))
        let watch = try await daemon.pinads("jobs", "watch", String(running.id), timeout: 60)
        #expect(watch.status == 0, "\(watch.stdout) \(watch.stderr)")
        for id in queued {
            try await eventually("job \(id) succeeds") { try daemon.call(GetJobRequest(id: id)).job.state == .succeeded }
        }
        let job = try daemon.call(GetJobRequest(id: running.id)).job
        #expect(job.state == .succeeded)
        #expect(job.attempts == 2, "the attempt cut by kill -9 counts")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aSecondDaemonOnTheSameSocketRefusesToStart() async throws {
        let first = try await Daemon().start()
        let second = try await runCommand(
            Binaries.pinadsd, ["--socket", first.socketPath, "--state-dir", first.folder.path + "/other-state"],
            environment: Daemon.baseEnvironment, timeout: 30)
        #expect(second.status == 1)
        #expect(second.stderr.contains("already serving \(first.socketPath)"))

        let sameState = try await runCommand(
            Binaries.pinadsd, ["--socket", first.folder.path + "/other.sock", "--state-dir", first.stateDirectory],
            environment: Daemon.baseEnvironment, timeout: 30)
        #expect(sameState.status == 1)
        #expect(sameState.stderr.contains("is using the state directory"))

        // The first is untouched.
        #expect(try first.call(HealthRequest()).status == "ok")
        #expect(try await first.stop() == 0)
    }

    @Test func badFlagsAreExplained() async throws {
        let result = try await runCommand(Binaries.pinadsd, ["--job-concurrency", "0"], environment: Daemon.baseEnvironment)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--job-concurrency must be between 1 and 256"))
        let help = try await runCommand(Binaries.pinadsd, ["--help"], environment: Daemon.baseEnvironment)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--state-dir"))
        #expect(help.stdout.contains("PINADS_SOCKET"))
    }

    @Test func systemdReadinessAndSocketActivation() async throws {
        let folder = try TemporaryFolder()
        let notifyPath = folder.path + "/notify"
        let notify = try DatagramListener(path: notifyPath)
        let socketPath = folder.path + "/activated.sock"
        // Python binds and listens, puts the socket at fd 3 and execs pinadsd in the same
        // process, as systemd does.
        let launcher = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(16)
            # (dup2 onto itself would leave it close-on-exec, as Python makes sockets.)
            if s.fileno() != 3: os.dup2(s.fileno(), 3)
            os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[2], [sys.argv[2], "--state-dir", sys.argv[3], "--socket", sys.argv[1]])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", launcher, socketPath, Binaries.pinadsd, folder.path + "/state"]
        var environment = Daemon.baseEnvironment
        environment["NOTIFY_SOCKET"] = notifyPath
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let ready = try await notify.receive(timeout: 20)
        #expect(ready.contains("READY=1"))
        // Then STATUS= follows health: ok, nothing being wrong.
        #expect(try await notify.receive(timeout: 20) == "STATUS=ok")
        let health = try await runCommand(Binaries.pinads, ["health", "--socket", socketPath], environment: Daemon.baseEnvironment)
        #expect(health.status == 0, "\(health.stderr)")
        let status = try await runCommand(Binaries.pinads, ["status", "--json", "--socket", socketPath], environment: Daemon.baseEnvironment)
        let result = try Wire.decoder().decode(StatusResult.self, from: Data(status.stdout.utf8))
        #expect(result.pid == process.processIdentifier, "the activated socket is served by the exec'd daemon")

        kill(process.processIdentifier, SIGTERM)
        var stopping = try await notify.receive(timeout: 20)
        while stopping.hasPrefix("STATUS=") { stopping = try await notify.receive(timeout: 20) }
        #expect(stopping.contains("STOPPING=1"))
        try await eventually("daemon exits") { !process.isRunning }
        #expect(process.terminationStatus == 0)
    }
}

private func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
}

/// A Unix datagram socket standing in for systemd's NOTIFY_SOCKET.
final class DatagramListener {
    private let fd: Int32

    init(path: String) throws {
        fd = try boundUnixSocket(path, type: Int32(SOCK_DGRAM.rawValue))
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next datagram, waiting at most `timeout` seconds.
    func receive(timeout: TimeInterval) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { return String(decoding: buffer[0..<n], as: UTF8.self) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("no notification within \(timeout) s")
    }
}

/// Audiences through the real daemon: members are hashed on arrival and never stored raw.
@Suite("Audiences end to end")
struct AudienceMembersEndToEndTests {
    @Test func membersAreHashedValidatedAndNeverStoredRaw() async throws {
        let daemon = try await Daemon().start()
        let created = try daemon.call(CreateAudienceRequest(name: "buyers"))
        #expect(created.audience.listType == "EMAIL")
        let hashedAlready = String(repeating: "ab", count: 32)
        let change = try daemon.call(
            AddMembersRequest(audienceId: created.audience.id, members: [" Jane.Doe@Example.com ", "not-an-email", hashedAlready, "jane.doe@example.com", ""]))
        #expect(change.added == 2)
        #expect(change.unchanged == 1, "the same email twice, once normalized")
        #expect(change.rejected == [RejectedMember(index: 1, reason: "not an email address"), RejectedMember(index: 4, reason: "empty")])
        let removal = try daemon.call(RemoveMembersRequest(audienceId: created.audience.id, members: ["JANE.DOE@example.com"]))
        #expect(removal.removed == 1)
        #expect(try daemon.call(GetAudienceRequest(audienceId: created.audience.id)).audience.memberCount == 1)

        let duplicate = try daemon.client().call(CreateAudienceRequest(name: "buyers"))
        guard case .error(let error) = duplicate else { throw TestFailure("a second audience of the same name was created") }
        #expect(error.code == .alreadyExists)
        let tooMany = try daemon.client().call(AddMembersRequest(audienceId: created.audience.id, members: Array(repeating: "a@b.co", count: 100_001)))
        guard case .error(let limit) = tooMany else { throw TestFailure("100,001 members were accepted") }
        #expect(limit.details?["field"] == "members")

        // No raw email anywhere in the database files.
        for file in try FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory) where file.hasPrefix("pinads.db") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: daemon.stateDirectory + "/" + file))
            #expect(bytes.range(of: Data("jane.doe@example.com".utf8)) == nil, "raw email in \(file)")
            #expect(bytes.range(of: Data("Jane.Doe".utf8)) == nil, "raw email in \(file)")
        }
        // The client reads a CSV column and names rejected rows by their line in the file.
        let csv = daemon.folder.path + "/members.csv"
        _ = FileManager.default.createFile(atPath: csv, contents: Data("email,name\nada@example.com,Ada\nbad,Bob\n".utf8))
        let added = try await daemon.pinads("audience", "add", String(created.audience.id), "--file", csv, "--column", "email")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("1 added, 0 removed, 0 unchanged, 1 rejected"))
        #expect(added.stdout.contains("line 3: not an email address"))

        // Lines are the file's own, across blank lines; quoted fields keep their commas; a row
        // without the column is reported, not skipped silently.
        _ = FileManager.default.createFile(
            atPath: csv,
            contents: Data("name,email\n\n\"Smith, John\",john@example.com\n   \nshortrow\n\"Bob \"\"B\"\"\",not-an-email\r\n".utf8))
        let quoted = try await daemon.pinads("audience", "add", String(created.audience.id), "--file", csv, "--column", "email")
        #expect(quoted.stdout.contains("1 added, 0 removed, 0 unchanged, 2 rejected"), "\(quoted.stdout)")
        #expect(quoted.stdout.contains("line 5: no column 2 in this row"), "\(quoted.stdout)")
        #expect(quoted.stdout.contains("line 6: not an email address"), "\(quoted.stdout)")
        let plain = daemon.folder.path + "/plain.txt"
        _ = FileManager.default.createFile(atPath: plain, contents: Data("a@example.com\n\nnope\n \nb@example.com\nalso bad\n".utf8))
        let lines = try await daemon.pinads("audience", "add", String(created.audience.id), "--file", plain)
        #expect(lines.stdout.contains("line 3: not an email address") && lines.stdout.contains("line 6: not an email address"), "\(lines.stdout)")

        let deleted = try daemon.call(DeleteAudienceRequest(audienceId: created.audience.id))
        #expect(deleted.note.contains("left as they are"))
        #expect(try daemon.call(ListAudiencesRequest()).audiences.isEmpty)
        #expect(try await daemon.stop() == 0)
    }
}
