#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import PinterestAPI

/// Why a measurement could not be made.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the binaries and the repository are.
enum BenchPaths {
    /// The directory of this program (symlinks resolved): where `swift build` puts its siblings.
    static var ownDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The repository root: `--repo`, else the first directory above this program (then above the
    /// current directory) that holds contrib/bench/sdk_conversions.py.
    static func repository(_ explicit: String?) throws -> String {
        let marker = "contrib/bench/sdk_conversions.py"
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit + "/" + marker) else {
                throw BenchFailure("--repo \(explicit): no \(marker) there")
            }
            return explicit
        }
        for start in [ownDirectory, FileManager.default.currentDirectoryPath] {
            var directory = URL(fileURLWithPath: start)
            while directory.path != "/" {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent(marker).path) { return directory.path }
                directory.deleteLastPathComponent()
            }
        }
        throw BenchFailure("cannot find the repository (no \(marker) above \(ownDirectory) or the current directory); pass --repo")
    }

    /// A fresh temporary directory; kept short because Unix socket paths are limited to 107 bytes.
    static func workDirectory(_ name: String) throws -> String {
        let work = "/tmp/pinads-bench-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        return work
    }
}

/// A sandbox and a daemon on temporary paths, connected.
struct BenchEnvironment {
    let work: String
    let sandbox: SandboxRun
    let daemon: Process
    let socket: String
    /// The ad account the daemon was connected with.
    let adAccountID: String

    /// `beforeConnect` sees the daemon's pid once it answers, before it is connected to Pinterest.
    static func start(
        binaries: String, name: String, daemonArguments: [String] = [], beforeConnect: (Int32) -> Void = { _ in }
    ) async throws -> BenchEnvironment {
        let work = try BenchPaths.workDirectory(name)
        let sandbox = try await SandboxRun.start(binary: binaries + "/pinads-sandbox", work: work)
        let socket = work + "/d.sock"
        let daemon: Process
        do {
            daemon = try Process.launch(
                binaries + "/pinadsd",
                ["--socket", socket, "--state-dir", work + "/state", "--api-base-url", sandbox.baseURL, "--log-level", "warning"] + daemonArguments,
                log: work + "/pinadsd.log")
        } catch {
            sandbox.stop()
            throw error
        }
        do {
            try await waitForHealth(socket: socket, timeout: 30)
            beforeConnect(daemon.processIdentifier)
            let token = try await sandbox.mintToken()
            _ = try PinAdsClient(socketPath: socket).value(
                ConnectRequest(
                    accessToken: token.access, refreshToken: token.refresh, clientId: "sandbox-app-id", clientSecret: "sandbox-app-secret"))
            return BenchEnvironment(work: work, sandbox: sandbox, daemon: daemon, socket: socket, adAccountID: token.adAccountID)
        } catch {
            daemon.stopGracefully()
            sandbox.stop()
            throw error
        }
    }

    func stop(keep: Bool) {
        daemon.stopGracefully()
        sandbox.stop()
        if keep {
            progress("  kept \(work)")
        } else {
            try? FileManager.default.removeItem(atPath: work)
        }
    }
}

/// Waits until a daemon on `socket` answers `system.health`.
func waitForHealth(socket: String, timeout: TimeInterval) async throws {
    try await waitFor("pinadsd answers", timeout: timeout) {
        guard let client = try? PinAdsClient(socketPath: socket) else { return false }
        if case .result = try client.call(HealthRequest()) { return true }
        return false
    }
}

func waitFor(_ what: String, timeout: TimeInterval, every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw BenchFailure("timed out after \(Int(timeout)) s waiting: \(what)")
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
    /// Starts a program with its output going to `log`.
    static func launch(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchFailure("\(executable) is not an executable: build it first (swift build -c release) or pass --binaries")
        }
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

    /// Runs a program to its end; stdout and stderr together.
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

    /// Runs a program to its end with extra environment variables and a working directory; its
    /// stdout is returned, its stderr appended to `log`.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String, log: String
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? errors.close() }
        try errors.seekToEnd()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds (a child may inherit a
    /// blocked SIGTERM: swift-corelibs-foundation #4772).
    func stopGracefully(grace: TimeInterval = 10) {
        guard isRunning else { return }
        kill(processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning, Date() < deadline { usleep(2_000) }
        if isRunning { kill(processIdentifier, SIGKILL) }
        waitUntilExit()
    }
}

/// A process's open file descriptors, by kind.
struct DescriptorCount: Codable, Sendable, Equatable {
    var total = 0
    /// The listening socket and client connections (and any other Unix socket).
    var unixSockets = 0
    /// Outbound HTTP connections (to Pinterest, here the sandbox), kept by libcurl for reuse.
    var tcpSockets = 0
    var otherSockets = 0
    /// Regular files: the database, its WAL and shared memory (one of each per SQLite connection), the log.
    var files = 0
    var pipes = 0
    /// eventfd, epoll, timerfd, signalfd: the event loops'.
    var anonymousInodes = 0
    var other = 0

    /// Everything but the outbound TCP connections: what the daemon holds for its clients and itself.
    var withoutOutboundTCP: Int { total - tcpSockets }

    var text: String {
        let parts = [
            (unixSockets, "Unix sockets"), (tcpSockets, "TCP"), (otherSockets, "other sockets"), (files, "files"), (pipes, "pipes"),
            (anonymousInodes, "eventfd/epoll/timerfd"), (other, "other"),
        ]
        return "\(total) fds (" + parts.filter { $0.0 > 0 || $0.1 == "Unix sockets" || $0.1 == "TCP" }.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
    }
}

/// What /proc says about a process.
struct ProcProbe {
    let pid: Int32

    /// The kB fields of /proc/<pid>/status, in bytes (VmRSS, VmHWM, RssAnon, Threads…).
    func status() -> [String: Int64] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
        var fields: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let parts = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = parts.first, let number = Int64(first) else { continue }
            fields[String(line[..<colon])] = parts.dropFirst().first == "kB" ? number * 1024 : number
        }
        return fields
    }

    /// Proportional set size in bytes (shared pages divided among the processes mapping them),
    /// from /proc/<pid>/smaps_rollup.
    func pss() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Pss:") }),
            let kilobytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Int64($0) })
        else { return nil }
        return kilobytes * 1024
    }

    /// VmHWM, the peak RSS, is reset by writing 5 to clear_refs.
    func resetPeak() {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Peak RSS in bytes since the last reset.
    func peak() throws -> Int64 {
        guard let peak = status()["VmHWM"], peak > 0 else { throw BenchFailure("cannot read VmHWM from /proc/\(pid)/status") }
        return peak
    }

    /// User plus system CPU time of all its threads, in clock ticks (/proc/<pid>/stat utime + stime).
    func cpuTicks() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        return user + system
    }

    /// Context switches (voluntary + involuntary: wake-ups and preemptions) of each of its threads
    /// now, by thread id. A thread that exits takes its count with it: sample often and keep the
    /// highest count seen per thread.
    func contextSwitchesByThread() -> [String: Int64] {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [:] }
        var counts: [String: Int64] = [:]
        for task in tasks {
            let fields = ProcProbe.fields(of: "/proc/\(pid)/task/\(task)/status")
            counts[task] = (fields["voluntary_ctxt_switches"] ?? 0) + (fields["nonvoluntary_ctxt_switches"] ?? 0)
        }
        return counts
    }

    /// Its open file descriptors (/proc/<pid>/fd), sockets told apart by their inodes in its
    /// network namespace's /proc/<pid>/net/unix, tcp and tcp6. Nil when the process is gone.
    func descriptors() -> DescriptorCount? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        let unix = Self.socketInodes("/proc/\(pid)/net/unix", column: 6)
        let tcp = Self.socketInodes("/proc/\(pid)/net/tcp", column: 9).union(Self.socketInodes("/proc/\(pid)/net/tcp6", column: 9))
        var count = DescriptorCount()
        for entry in entries {
            // A descriptor closed between the listing and the readlink is not counted.
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(entry)") else { continue }
            count.total += 1
            guard target.hasPrefix("socket:["), target.hasSuffix("]") else {
                if target.hasPrefix("/") {
                    count.files += 1
                } else if target.hasPrefix("pipe:") {
                    count.pipes += 1
                } else if target.hasPrefix("anon_inode:") {
                    count.anonymousInodes += 1
                } else {
                    count.other += 1
                }
                continue
            }
            let inode = String(target.dropFirst("socket:[".count).dropLast())
            if unix.contains(inode) {
                count.unixSockets += 1
            } else if tcp.contains(inode) {
                count.tcpSockets += 1
            } else {
                count.otherSockets += 1
            }
        }
        return count
    }

    /// The inode column of a /proc/net socket table (its first line is the header).
    private static func socketInodes(_ path: String, column: Int) -> Set<String> {
        guard let text = readToEnd(path) else { return [] }
        var inodes: Set<String> = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > column { inodes.insert(String(fields[column])) }
        }
        return inodes
    }

    /// A /proc file read with read(2) until its end. Foundation's String(contentsOfFile:) can
    /// stop at the first page of a seq_file such as /proc/net/tcp (hundreds of lines on a busy
    /// machine), which would leave most sockets unclassified.
    private static func readToEnd(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[0..<n]
        }
    }

    private static func fields(of path: String) -> [String: Int64] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var fields: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let number = Int64(parts[1].trimmingCharacters(in: .whitespaces)) else { continue }
            fields[String(parts[0])] = number
        }
        return fields
    }

    static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }
}

/// A `pinads-sandbox` process and its control API.
final class SandboxRun: Sendable {
    let process: Process
    /// Ends in /v5.
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
        do {
            try await waitFor("pinads-sandbox prints its URL", timeout: 30) {
                let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                url = text.split(separator: "\n").first { $0.hasPrefix("pinads-sandbox listening on ") }
                    .map { String($0.dropFirst("pinads-sandbox listening on ".count)) }
                return url != nil
            }
        } catch {
            process.stopGracefully()
            throw error
        }
        return SandboxRun(process: process, baseURL: url ?? "")
    }

    func stop() { process.stopGracefully() }

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

    /// A new sandbox user with one ad account, and its token pair.
    func mintToken() async throws -> (access: String, refresh: String?, adAccountID: String) {
        let token = try await control("POST", "/_sandbox/tokens", ["ad_accounts": 1])
        guard let access = token["access_token"]?.stringValue, case .array(let accounts)? = token["ad_account_ids"],
            let account = accounts.first?.stringValue
        else { throw BenchFailure("POST /_sandbox/tokens: no access token or ad account in \(token)") }
        return (access, token["refresh_token"]?.stringValue, account)
    }

    func stats() async throws -> JSONValue { try await control("GET", "/_sandbox/stats") }

    /// The first list's distinct record count.
    func list() async throws -> (count: Int, digest: String) {
        let answer = try await control("GET", "/_sandbox/customer_lists")
        guard case .array(let items)? = answer["items"], let first = items.first else { return (0, "") }
        return (Int(first["record_count"]?.intValue ?? 0), first["records_digest"]?.stringValue ?? "")
    }
}

/// The value at quantile `q` of sorted samples (the sample at index ⌊q·n⌋, as the README's figures were taken).
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
}

/// A progress line, flushed at once (stdout is block-buffered into a file or a pipe).
func progress(_ line: String) {
    print(line)
    fflush(nil)
}

func milliseconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}
