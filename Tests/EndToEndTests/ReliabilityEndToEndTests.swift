#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// The real `pinadsd` under bad input, many clients, disk trouble and foreign users.
@Suite("Reliability end to end", .serialized)
struct ReliabilityEndToEndTests {
    // MARK: Bad input and load

    /// 200 clients at once, each going through several kinds of bad and good traffic, while a
    /// separate client keeps asking `system.health`. Every answer is a documented one, health
    /// answers each time within 2 s, and the same daemon process is still serving at the end.
    @Test func twoHundredMisbehavingClientsAtOnce() async throws {
        let daemon = try await Daemon().start()
        let socketPath = daemon.socketPath
        let problems = Findings()
        let probe = HealthProbe(socketPath: socketPath, problems: problems)
        let probeDone = probe.start()
        let clients = 200
        let rounds = 6
        let started = Date()
        await onThreads(clients) { index in
            for round in 0..<rounds {
                let kind = ClientKind.allCases[(index * rounds + round) % ClientKind.allCases.count]
                do {
                    try kind.run(socketPath: socketPath, index: index, problems: problems)
                } catch {
                    problems.add("client \(index) round \(round) (\(kind)): \(error)")
                }
            }
        }
        let clientsTook = -started.timeIntervalSinceNow
        probe.stop()
        await probeDone.value

        let latencies = probe.latencies.sorted()
        print(
            "stress: \(clients) clients × \(rounds) rounds in \(String(format: "%.1f", clientsTook)) s; health probe: \(latencies.count) answers, "
                + "median \(ms(latencies[latencies.count / 2])), max \(ms(latencies.last ?? 0))")
        let found = problems.all
        for problem in found.prefix(15) { Issue.record(Comment(rawValue: problem)) }
        #expect(found.count == 0, "\(found.count) problems, the first 15 recorded above")
        #expect(latencies.count >= 10, "health was asked throughout the run")
        // A bound on the slowest of many probes, on 2 cores shared with 200 client threads:
        // generous, since a stuck daemon never answers at all.
        #expect((latencies.last ?? 99) < 5.0, "every health answer came within 5 s; slowest \(ms(latencies.last ?? 99))")

        // Still the same process, still serving, and every connection of the storm is gone.
        let status = try daemon.call(StatusRequest())
        #expect(status.pid == daemon.pid)
        #expect(daemon.process?.isRunning == true)
        try await eventually("every client connection is closed") {
            let status = try daemon.call(StatusRequest())
            return status.connections.open == 1 && status.connections.requestsInFlight == 1
        }
        #expect(try daemon.call(HealthRequest()).status == "ok")
        #expect(!daemon.log.contains("Fatal error"))
        #expect(try await daemon.stop() == 0)
    }

    /// Nesting is a classic stack overflow of recursive JSON parsers. A 1 MiB frame of `[`,
    /// and valid envelopes whose params nest 100,000 deep, get INVALID_ARGUMENT; the
    /// connection and the daemon carry on.
    @Test func deeplyNestedFramesAreRefusedNotFatal() async throws {
        let daemon = try await Daemon().start()
        let connection = try daemon.connection()
        try connection.writeFrame([UInt8](repeating: UInt8(ascii: "["), count: 1 << 20))
        let brackets = try #require(try connection.nextJSON())
        #expect(brackets["id"] == .null)
        #expect(brackets["error"]?["code"] == "INVALID_ARGUMENT")

        for (open, close) in [("[", "]"), (#"{"a":"#, "}")] {
            let nested = String(repeating: open, count: 100_000) + "1" + String(repeating: close, count: 100_000)
            try connection.send(json: #"{"id": 2, "method": "audiences.create", "params": {"name": "n", "description": "# + nested + "}}")
            let answer = try #require(try connection.nextJSON())
            #expect(answer["error"]?["code"] == "INVALID_ARGUMENT", "\(answer)")
            // Deep but within JSONDecoder's limit (512): a type mismatch naming the field.
            let shallow = String(repeating: open, count: 500) + "1" + String(repeating: close, count: 500)
            try connection.send(json: #"{"id": 3, "method": "audiences.create", "params": {"name": "n", "description": "# + shallow + "}}")
            let typed = try #require(try connection.nextJSON())
            #expect(typed["id"] == 3)
            #expect(typed["error"]?["details"]?["field"] == "description", "\(typed)")
        }
        try connection.send(json: #"{"id": 4, "method": "system.health"}"#)
        #expect(try connection.nextJSON()?["result"]?["status"] == "ok")
        #expect(try daemon.call(StatusRequest()).pid == daemon.pid)
        #expect(try await daemon.stop() == 0)
    }

    /// The daemon has no connection limit of its own: the ceiling is its open-file limit. Past
    /// it, new clients wait in the listen backlog (nothing is refused or crashes); those
    /// already connected keep being served, and each connection that closes lets a waiting
    /// one in.
    @Test func pastTheOpenFileLimitClientsWaitAndAreServedLater() async throws {
        let folder = try TemporaryFolder()
        let socketPath = folder.path + "/d.sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--nofile=64:64", Binaries.pinadsd, "--socket", socketPath, "--state-dir", folder.path + "/state"]
        process.environment = Daemon.baseEnvironment
        let logPath = folder.path + "/log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = process.standardOutput
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await eventually("pinadsd answers") {
            guard process.isRunning else { throw TestFailure("pinadsd exited: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")") }
            return (try? RawSocket(path: socketPath).call(#"{"id":1,"method":"system.health"}"#)) != nil
        }
        // A first client, connected before the crowd, holds its connection throughout.
        let early = try RawSocket(path: socketPath)
        #expect(try early.call(#"{"id":1,"method":"system.health"}"#)["result"] != nil)

        // 100 clients: more than 64 file descriptors' worth.
        var crowd: [RawSocket] = []
        for i in 0..<100 {
            let socket = try RawSocket(path: socketPath)
            try socket.send(#"{"id":\#(i),"method":"system.health"}"#)
            crowd.append(socket)
        }
        var answered = Set<Int>()
        try await eventually("some of the crowd are answered") {
            for (i, socket) in crowd.enumerated() where !answered.contains(i) {
                if try socket.poll() != nil { answered.insert(i) }
            }
            return answered.count > 10
        }
        // The rest are waiting, not refused.
        // The early client is still served.
        #expect(try early.call(#"{"id":2,"method":"system.health"}"#)["result"] != nil)
        // Each client served hangs up; the waiting ones get in, until all were answered.
        try await eventually("every client of the crowd is answered", timeout: 60) {
            for i in answered { crowd[i].close() }
            for (i, socket) in crowd.enumerated() where !answered.contains(i) {
                if try socket.poll() != nil { answered.insert(i) }
            }
            return answered.count == 100
        }
        for socket in crowd { socket.close() }
        #expect(process.isRunning, "the daemon survived")
        #expect(try early.call(#"{"id":3,"method":"system.health"}"#)["result"]?["status"] == "ok")
        kill(process.processIdentifier, SIGTERM)
        try await eventually("pinadsd exits") { !process.isRunning }
        #expect(process.terminationStatus == 0)
    }

    // MARK: Disk trouble

    /// A full state directory (a small tmpfs filled by a filler file): writes are answered
    /// UNAVAILABLE naming the problem, reads and health keep working, the daemon keeps running,
    /// and writes work again once the filler is gone.
    @Test(.enabled(if: TmpfsMount.available, "needs root and the right to mount a tmpfs (CAP_SYS_ADMIN)"))
    func aFullStateDirectoryIsUnavailableThenRecovers() async throws {
        let folder = try TemporaryFolder()
        let daemon = try Daemon(folder: folder)
        let mount = try TmpfsMount(at: daemon.stateDirectory, size: "48m")
        defer {
            if let process = daemon.process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
            mount.unmount()
        }
        try await daemon.start()
        let audience = try daemon.call(CreateAudienceRequest(name: "before")).audience
        // 100,000 members need far more pages than any write so far, so SQLite cannot reuse
        // space it already holds in the WAL file: the write must grow a file.
        let members = (0..<100_000).map { "member\($0)@example.com" }

        let filler = try mount.fill()
        let full = try daemon.client().call(AddMembersRequest(audienceId: audience.id, members: members))
        guard case .error(let refused) = full else { throw TestFailure("100,000 members were added to a full disk") }
        #expect(refused.code == .unavailable, "\(refused)")
        #expect(refused.message.contains("the state directory \(daemon.stateDirectory) is full"), "\(refused.message)")
        // The client says the same.
        let file = folder.path + "/members.txt"
        try members.joined(separator: "\n").write(toFile: file, atomically: false, encoding: .utf8)
        let cli = try await daemon.pinads("audience", "add", String(audience.id), "--file", file)
        #expect(cli.status != 0)
        #expect(cli.stderr.contains("UNAVAILABLE") && cli.stderr.contains("is full"), "\(cli.stderr)")
        // Reads still work; the daemon is the same process.
        #expect(try daemon.call(GetAudienceRequest(audienceId: audience.id)).audience.memberCount == 0)
        // Health answers, and says the store cannot write and why (degraded: reads still work).
        let health = try daemon.call(HealthRequest())
        #expect(health.status == "degraded", "\(health)")
        #expect(health.problems.map(\.code) == ["store_full"], "\(health.problems)")
        #expect(health.problems.first?.object == HealthObject(kind: "store", id: daemon.stateDirectory + "/pinads.db"))
        #expect(try await daemon.pinads("health").status == 1)
        #expect(try await daemon.pinads("health", "--json").status == 1)
        #expect(try daemon.call(StatusRequest()).pid == daemon.pid)

        // Space returns: the same calls work.
        try FileManager.default.removeItem(atPath: filler)
        let after = try await daemon.pinads("audience", "create", "after")
        #expect(after.status == 0, "\(after.stderr)")
        let added = try daemon.call(AddMembersRequest(audienceId: audience.id, members: members))
        #expect(added.added == 100_000)
        #expect(try daemon.call(ListAudiencesRequest()).audiences.count == 2)
        try await eventually("health is ok again once space returns") { try daemon.call(HealthRequest()).status == "ok" }
        #expect(daemon.log.contains("the store cannot write"))
        #expect(try await daemon.stop() == 0)
    }

    /// A read-only state directory. Linux refuses to make a mounted file system read-only while
    /// a process has a file open for writing on it (EBUSY), so a running daemon cannot see its
    /// directory turn read-only under it; what a user meets is a daemon started on a read-only
    /// directory. That start fails with a message naming the database and the read-only file
    /// system, and the next start after `remount,rw` has everything.
    @Test(.enabled(if: TmpfsMount.available, "needs root and the right to mount a tmpfs (CAP_SYS_ADMIN)"))
    func aReadOnlyStateDirectoryIsExplainedAndRecovers() async throws {
        let folder = try TemporaryFolder()
        let daemon = try Daemon(folder: folder)
        let mount = try TmpfsMount(at: daemon.stateDirectory, size: "16m")
        defer {
            if let process = daemon.process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
            mount.unmount()
        }
        try await daemon.start()
        _ = try daemon.call(CreateAudienceRequest(name: "kept"))
        let busy = mount.remount(readOnly: true)
        if busy == 0 {
            // A kernel that allows it: then writes must be refused as read-only, not crash.
            let refused = try daemon.client().call(CreateAudienceRequest(name: "refused"))
            guard case .error(let error) = refused else { throw TestFailure("a write to a read-only directory succeeded") }
            #expect(error.code == .unavailable && error.message.contains("read-only"), "\(error)")
            #expect(mount.remount(readOnly: false) == 0)
            _ = try daemon.call(CreateAudienceRequest(name: "after"))
        } else {
            #expect(busy == EBUSY, "remount,ro under a running daemon: errno \(busy)")
        }
        #expect(try await daemon.stop() == 0)

        #expect(mount.remount(readOnly: true) == 0)
        let start = try await runCommand(
            Binaries.pinadsd, ["--socket", daemon.socketPath, "--state-dir", daemon.stateDirectory],
            environment: Daemon.baseEnvironment, timeout: 30)
        #expect(start.status != 0, "pinadsd started on a read-only state directory: \(start.stdout)")
        #expect(start.stderr.contains(daemon.stateDirectory), "\(start.stderr)")
        #expect(start.stderr.lowercased().contains("read-only"), "\(start.stderr)")
        #expect(!start.stderr.contains("Fatal error"), "\(start.stderr)")

        #expect(mount.remount(readOnly: false) == 0)
        try await daemon.start()
        #expect(try daemon.call(ListAudiencesRequest()).audiences.map(\.name).contains("kept"))
        #expect(try await daemon.stop() == 0)
    }

    // MARK: Security

    /// protocol/README.md §1 and README: the socket's folder 0700, the socket 0600; the state
    /// folder 0700 and its files 0600 (pinads.db, its -wal and -shm, the secrets key), whatever
    /// the umask the daemon was started with.
    @Test func socketAndStateFilesArePrivateEvenWithAnOpenUmask() async throws {
        let folder = try TemporaryFolder()
        let runtime = folder.path + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        var environment = Daemon.baseEnvironment
        environment["XDG_RUNTIME_DIR"] = runtime
        let state = folder.path + "/state"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask 000 && exec \"$0\" --state-dir \"$1\"", Binaries.pinadsd, state]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let socket = runtime + "/pinads/pinadsd.sock"
        try await eventually("pinadsd answers on \(socket)") {
            guard process.isRunning else { throw TestFailure("pinadsd exited with \(process.terminationStatus)") }
            return (try? RawSocket(path: socket).call(#"{"id":1,"method":"system.health"}"#)) != nil
        }
        // A write, so the WAL holds something.
        let created = try RawSocket(path: socket).call(#"{"id":2,"method":"audiences.create","params":{"name":"modes"}}"#)
        #expect(created["result"] != nil, "\(created)")

        let expected: [(String, mode_t, String)] = [
            (runtime + "/pinads", 0o700, "socket folder"),
            (socket, 0o600, "socket"),
            (state, 0o700, "state folder"),
            (state + "/pinads.db", 0o600, "database"),
            (state + "/pinads.db-wal", 0o600, "write-ahead log"),
            (state + "/pinads.db-shm", 0o600, "shared-memory index"),
            (state + "/pinads.key", 0o600, "secrets key"),
        ]
        for (path, mode, what) in expected {
            var info = stat()
            guard stat(path, &info) == 0 else {
                Issue.record("the \(what) \(path) does not exist (errno \(errno))")
                continue
            }
            #expect(info.st_mode & 0o7777 == mode, "\(what) \(path): mode \(String(info.st_mode & 0o7777, radix: 8)), documented \(String(mode, radix: 8))")
            #expect(info.st_uid == getuid(), "\(what) is owned by the daemon's user")
        }
        // Nothing else in the state folder is readable by others.
        for name in try FileManager.default.contentsOfDirectory(atPath: state) {
            var info = stat()
            if stat(state + "/" + name, &info) == 0 {
                #expect(info.st_mode & 0o077 == 0, "\(name) in the state folder has mode \(String(info.st_mode & 0o7777, radix: 8))")
            }
        }
        kill(process.processIdentifier, SIGTERM)
        try await eventually("pinadsd exits") { !process.isRunning }
        #expect(process.terminationStatus == 0)
    }

    /// A client of another uid. With the documented modes the file system already keeps it out
    /// (connect is refused: EACCES). With the folder and socket opened wide, the daemon's own
    /// SO_PEERCRED check answers: exactly one PERMISSION_DENIED frame with id null and the
    /// documented message, then the connection closes, and what the client sent first was
    /// never read (its `system.selftest` queued no job).
    @Test(.enabled(if: getuid() == 0, "needs root to run a client as uid 65534 (setpriv)"))
    func aClientOfAnotherUserIsRefusedByTheDaemonItself() async throws {
        let daemon = try await Daemon().start()
        // The script where uid 65534 can read it (the daemon's folder is 0700).
        let scripts = try TemporaryFolder()
        chmod(scripts.path, 0o755)
        let script = scripts.path + "/foreign.py"
        try Self.foreignClient.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)
        func runAsNobody() async throws -> CommandResult {
            try await runCommand(
                "/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", script, daemon.socketPath],
                environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
        }
        // 1. The documented modes: the kernel refuses the connection.
        let blocked = try await runAsNobody()
        #expect(blocked.stdout.contains("connect failed: EACCES"), "stdout: \(blocked.stdout) stderr: \(blocked.stderr)")

        // 2. Folder and socket opened wide: the daemon refuses.
        chmod(daemon.folder.path, 0o755)
        chmod(daemon.socketPath, 0o777)
        let refused = try await runAsNobody()
        let frames = refused.stdout.split(separator: "\n").filter { $0.hasPrefix("frame ") }
        #expect(frames.count == 1, "exactly one frame: \(refused.stdout) \(refused.stderr)")
        let frame = try JSONDecoder().decode(JSONValue.self, from: Data((frames.first?.dropFirst("frame ".count) ?? "").utf8))
        #expect(frame["id"] == .null)
        #expect(frame["error"]?["code"] == "PERMISSION_DENIED")
        #expect(
            frame["error"]?["message"]
                == .string("pinadsd serves only its own user (uid \(getuid())); connect as that user, or start it with --allow-uid or --allow-group"))
        #expect(refused.stdout.contains("closed"), "the daemon closed the connection: \(refused.stdout)")

        let status = try daemon.call(StatusRequest())
        #expect(status.connections.refusedTotal == 1)
        #expect(try daemon.call(ListJobsRequest()).jobs.isEmpty, "the refused client's request was not run")
        #expect(status.pid == daemon.pid)
        #expect(try await daemon.stop() == 0)
    }

    /// Connects, sends a `system.selftest` request at once, then prints every frame it gets
    /// until the daemon closes the connection.
    static let foreignClient = """
        import errno, json, socket, struct, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print("connect failed: " + errno.errorcode.get(e.errno, str(e.errno)))
            sys.exit(0)
        payload = json.dumps({"id": 1, "method": "system.selftest", "params": {"steps": 1}}).encode()
        try:
            s.sendall(struct.pack(">I", len(payload)) + payload)
        except OSError as e:
            print("send failed: " + str(e))
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                print("reset")
                break
            if not chunk:
                print("closed")
                break
            data += chunk
        while len(data) >= 4:
            (n,) = struct.unpack(">I", data[:4])
            print("frame " + data[4:4 + n].decode())
            data = data[4 + n:]
        """
}

// MARK: - Helpers

private func ms(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }

/// Problems found on any thread.
final class Findings: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [String] = []

    func add(_ problem: String) {
        lock.lock()
        problems.append(problem)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return problems
    }
}

/// Runs `body(i)` for i in 0..<count, each on its own thread (blocking socket calls must not
/// occupy Swift's small cooperative pool), and returns when all have finished.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.notify(queue: .global()) { continuation.resume() }
    }
}

/// A blocking Unix-socket client with full control over what it sends (half-closes included)
/// and a bound on every read.
final class RawSocket: @unchecked Sendable {
    let fd: Int32
    private var decoder = FrameDecoder()
    private var isClosed = false

    init(path: String, receiveTimeout: Double = 10) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw TestFailure("connect \(path): errno \(code)")
        }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    func close() {
        if !isClosed {
            isClosed = true
            Glibc.close(fd)
        }
    }

    /// Shuts down the write side only: the daemon sees end of stream.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestFailure("send: errno \(errno)")
            }
            offset += n
        }
    }

    func send(_ json: String) throws { try write(Frame.encode(Array(json.utf8))) }

    /// The next frame as JSON; nil at end of stream (or a reset). Throws on a timeout.
    func next() throws -> JSONValue? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let frame = try decoder.next() { return try JSONDecoder().decode(JSONValue.self, from: Data(frame)) }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw TestFailure(errno == EAGAIN ? "no answer within the read timeout" : "recv: errno \(errno)")
            }
            if n == 0 { return nil }
            decoder.append(chunk[0..<n])
        }
    }

    /// A frame if one has fully arrived, without waiting.
    func poll() throws -> JSONValue? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let frame = try decoder.next() { return try JSONDecoder().decode(JSONValue.self, from: Data(frame)) }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { return nil }
            decoder.append(chunk[0..<n])
        }
    }

    /// Sends one request and returns its answer.
    func call(_ json: String) throws -> JSONValue {
        try send(json)
        guard let answer = try next() else { throw TestFailure("the daemon closed the connection") }
        return answer
    }
}

/// Asks `system.health` over and over, on one long connection and on fresh ones, timing each.
final class HealthProbe: @unchecked Sendable {
    let socketPath: String
    let problems: Findings
    private let lock = NSLock()
    private var stopped = false
    private var measured: [Double] = []

    init(socketPath: String, problems: Findings) {
        self.socketPath = socketPath
        self.problems = problems
    }

    var latencies: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return measured
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    func start() -> Task<Void, Never> {
        let done = Task {
            await onThreads(1) { _ in self.loop() }
        }
        return done
    }

    private func loop() {
        var long: RawSocket?
        var id = 0
        while !isStopped {
            id += 1
            let began = Date()
            do {
                // Every fifth probe on a new connection: accepting must keep working too.
                if long == nil || id % 5 == 0 { long = try RawSocket(path: socketPath, receiveTimeout: 5) }
                let answer = try long!.call(#"{"id":\#(id),"method":"system.health"}"#)
                let took = -began.timeIntervalSinceNow
                if took > 1 { print("health probe \(id)\(id % 5 == 0 ? " (new connection)" : ""): \(ms(took))") }
                lock.lock()
                measured.append(took)
                lock.unlock()
                if answer["id"] != .int(Int64(id)) || answer["result"]?["status"] != "ok" {
                    problems.add("health probe \(id) answered \(answer)")
                }
            } catch {
                problems.add("health probe \(id) failed after \(ms(-began.timeIntervalSinceNow)): \(error)")
                long = nil
            }
            usleep(20_000)  // a pace, not a wait for anything
        }
    }
}

/// What one client does in one round of the storm. Each checks the answers it gets against
/// protocol/README.md (§2 framing, §4 bad input, §5 limits).
enum ClientKind: CaseIterable {
    case pipelinedHealth, garbagePayload, oversizedLength, zeroLength, truncatedThenClose, unknownMethod
    case halfOpen, badEnvelopes, byteByByte, flood, idleThenHealth, deepNesting

    func run(socketPath: String, index: Int, problems: Findings) throws {
        let socket = try RawSocket(path: socketPath)
        defer { socket.close() }
        func expect(_ condition: Bool, _ what: @autoclosure () -> String) {
            if !condition { problems.add("client \(index) (\(self)): \(what())") }
        }
        func healthStillWorks(_ id: Int) throws {
            let answer = try socket.call(#"{"id":\#(id),"method":"system.health"}"#)
            expect(answer["id"] == .int(Int64(id)) && answer["result"]?["status"] == "ok", "health after bad input: \(answer)")
        }
        var rng = SystemRandomNumberGenerator()
        switch self {
        case .pipelinedHealth:
            for id in 1...5 { try socket.send(#"{"id":\#(id),"method":"system.health"}"#) }
            var ids = Set<JSONValue>()
            for _ in 1...5 {
                guard let answer = try socket.next() else { return expect(false, "closed before 5 answers") }
                expect(answer["result"]?["status"] == "ok", "\(answer)")
                ids.insert(answer["id"] ?? .null)
            }
            expect(ids == Set((1...5).map { JSONValue.int(Int64($0)) }), "ids \(ids)")
        case .garbagePayload:
            var garbage = (0..<(1 + index % 200)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            garbage[0] = 0xFF  // never the start of a JSON object
            try socket.write(Frame.encode(garbage))
            let answer = try socket.next()
            expect(answer?["id"] == .null && answer?["error"]?["code"] == "INVALID_ARGUMENT", "garbage answered \(String(describing: answer))")
            try healthStillWorks(2)
        case .oversizedLength:
            let length = UInt32(Frame.defaultMaximumLength + 1) + UInt32(index) * 1000
            try socket.write(frameHeader(length))
            let answer = try socket.next()
            expect(answer?["id"] == .null && answer?["error"]?["code"] == "RESOURCE_EXHAUSTED", "oversize answered \(String(describing: answer))")
            expect(answer?["error"]?["details"]?["maximum"] == .int(Int64(Frame.defaultMaximumLength)), "details \(String(describing: answer))")
            expect(try socket.next() == nil, "the connection closes after a bad length")
        case .zeroLength:
            try socket.write([0, 0, 0, 0])
            let answer = try socket.next()
            expect(answer?["id"] == .null && answer?["error"]?["code"] == "INVALID_ARGUMENT", "zero length answered \(String(describing: answer))")
            expect(try socket.next() == nil, "the connection closes after a zero length")
        case .truncatedThenClose:
            let frame = Frame.encode(Array(#"{"id":1,"method":"system.health"}"#.utf8))
            try socket.write(Array(frame.prefix(1 + index % (frame.count - 1))))
        case .unknownMethod:
            let answer = try socket.call(#"{"id":"u\#(index)","method":"no.such_method"}"#)
            expect(answer["id"] == .string("u\(index)") && answer["error"]?["code"] == "UNIMPLEMENTED", "\(answer)")
            expect(answer["error"]?["details"]?["method"] == "no.such_method", "\(answer)")
        case .halfOpen:
            // A request, then the write side shut: the daemon treats it as a close (§1). An
            // answer may or may not come first; then the connection must end, not hang.
            try socket.send(#"{"id":1,"method":"system.health"}"#)
            socket.shutdownWrite()
            while let answer = try socket.next() {
                expect(answer["id"] == 1 && answer["result"] != nil, "after a half-close: \(answer)")
            }
        case .badEnvelopes:
            let cases: [(String, String, JSONValue, String?)] = [
                (#"{"method":"system.health"}"#, "INVALID_ARGUMENT", .null, "id"),
                (#"{"id":1.5,"method":"system.health"}"#, "INVALID_ARGUMENT", .null, "id"),
                (#"{"id":3,"method":5}"#, "INVALID_ARGUMENT", 3, "method"),
                (#"{"id":4,"method":"jobs.list","params":[]}"#, "INVALID_ARGUMENT", 4, "params"),
                (#"{"id":5,"method":"system.health","deadline_ms":-1}"#, "INVALID_ARGUMENT", 5, "deadline_ms"),
                (#"{"id":6,"method":"jobs.get","params":{"id":"six"}}"#, "INVALID_ARGUMENT", 6, "id"),
                // Foundation's JSONDecoder reports a number that does not fit its Swift type
                // without the field's path, so the answer names "params" here, not "limit".
                (#"{"id":7,"method":"jobs.list","params":{"limit":1e999}}"#, "INVALID_ARGUMENT", 7, nil),
                ("[1,2,3]", "INVALID_ARGUMENT", .null, nil),
                ("{\"id\":9,\"method\":\"system.health\"\u{FF}}", "INVALID_ARGUMENT", .null, nil),
            ]
            for (json, code, id, field) in cases {
                try socket.write(Frame.encode(Array(json.utf8)))
                guard let answer = try socket.next() else { return expect(false, "closed after \(json)") }
                expect(answer["error"]?["code"] == .string(code) && answer["id"] == id, "\(json) answered \(answer)")
                if let field { expect(answer["error"]?["details"]?["field"] == .string(field), "\(json) answered \(answer)") }
            }
            try healthStillWorks(10)
        case .byteByByte:
            for byte in Frame.encode(Array(#"{"id":1,"method":"system.health"}"#.utf8)) {
                try socket.write([byte])
                usleep(200)
            }
            let answer = try socket.next()
            expect(answer?["result"]?["status"] == "ok", "split frame answered \(String(describing: answer))")
        case .flood:
            // 300 requests at once: beyond the 128 in flight, RESOURCE_EXHAUSTED with the limit.
            // Only two clients: fifty of them (15,000 requests) keep a debug daemon busy for
            // seconds, and everyone else waits that long (every request, health included,
            // queues for the same store readers; nothing is fair between connections beyond
            // the per-connection limit).
            guard index % 100 == 3 else { return try healthStillWorks(1) }
            var bytes: [UInt8] = []
            for id in 1...300 { bytes += Frame.encode(Array(#"{"id":\#(id),"method":"system.health"}"#.utf8)) }
            try socket.write(bytes)
            var answered = Set<JSONValue>()
            for _ in 1...300 {
                guard let answer = try socket.next() else { return expect(false, "closed after \(answered.count) answers") }
                let ok = answer["result"]?["status"] == "ok"
                let limited = answer["error"]?["code"] == "RESOURCE_EXHAUSTED" && answer["error"]?["details"]?["limit"] == 128
                expect(ok || limited, "flood answered \(answer)")
                answered.insert(answer["id"] ?? .null)
            }
            expect(answered.count == 300, "every request answered once: \(answered.count)")
        case .idleThenHealth:
            // Connected and silent while others work, then served like anyone.
            usleep(UInt32(200_000 + (index % 10) * 50_000))
            try healthStillWorks(1)
        case .deepNesting:
            // A 1 MiB frame of `[` costs a few ms to parse: only some clients send it.
            guard index % 5 == 3 else { return try healthStillWorks(1) }
            try socket.write(Frame.encode([UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)))
            let answer = try socket.next()
            expect(answer?["id"] == .null && answer?["error"]?["code"] == "INVALID_ARGUMENT", "nesting answered \(String(describing: answer))")
            try healthStillWorks(2)
        }
    }
}

/// A frame header announcing `length` bytes.
private func frameHeader(_ length: UInt32) -> [UInt8] {
    [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
}

/// A small tmpfs mounted over a folder (root only), to fill up or make read-only.
final class TmpfsMount {
    let path: String
    private var mounted = false

    /// Whether this process may mount a tmpfs: root, and not a container without CAP_SYS_ADMIN.
    static let available: Bool = {
        guard getuid() == 0, let folder = try? TemporaryFolder() else { return false }
        guard mount("tmpfs", folder.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(folder.path, Int32(MNT_DETACH))
        return true
    }()

    init(at path: String, size: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0700") == 0 else {
            throw TestFailure("mount tmpfs on \(path): errno \(errno)")
        }
        mounted = true
    }

    deinit { unmount() }

    func unmount() {
        if mounted {
            mounted = false
            umount2(path, Int32(MNT_DETACH))
        }
    }

    /// Remounts read-only or read-write; 0 or the errno.
    func remount(readOnly: Bool) -> Int32 {
        let flags = UInt(MS_REMOUNT) | (readOnly ? UInt(MS_RDONLY) : 0)
        return mount(nil, path, nil, flags, nil) == 0 ? 0 : errno
    }

    /// Writes a filler file until the file system is full; returns its path.
    func fill() throws -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TestFailure("open \(filler): errno \(errno)") }
        defer { close(fd) }
        let block = [UInt8](repeating: 0xAB, count: 4096)
        while true {
            let n = block.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == ENOSPC { break }
                throw TestFailure("write \(filler): errno \(errno)")
            }
            if n < block.count { break }
        }
        var info = statvfs()
        statvfs(path, &info)
        guard info.f_bavail == 0 else { throw TestFailure("\(path) still has \(info.f_bavail) blocks free") }
        return filler
    }
}
