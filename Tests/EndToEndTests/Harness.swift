#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Where `swift test` put the binaries: beside the test bundle.
enum Binaries {
    static let directory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["PINADS_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }()
    static let pinadsd = directory.appendingPathComponent("pinadsd").path
    static let pinads = directory.appendingPathComponent("pinads").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits until `condition` holds, polling; throws after `timeout` seconds.
func eventually(_ what: String, timeout: TimeInterval = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("timed out after \(timeout) s waiting for: \(what)")
}

/// A short-lived folder under /tmp: socket paths must stay under 108 bytes.
final class TemporaryFolder {
    let path: String

    init() throws {
        var template = Array("/tmp/pe-XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        path = made
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// What a finished command printed and how it ended.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to its end (bounded by `timeout`), capturing its output through files.
func runCommand(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil,
    timeout: TimeInterval = 60
) async throws -> CommandResult {
    let folder = try TemporaryFolder()
    let outPath = folder.path + "/out", errPath = folder.path + "/err"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    if let stdin {
        let inPath = folder.path + "/in"
        _ = FileManager.default.createFile(atPath: inPath, contents: Data(stdin.utf8))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    do {
        try await eventually("\(executable) \(arguments.joined(separator: " ")) exits", timeout: timeout) { !process.isRunning }
    } catch {
        kill(process.processIdentifier, SIGKILL)
        throw error
    }
    return CommandResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// A real `pinadsd` process on a temporary socket and state directory.
final class Daemon {
    let folder: TemporaryFolder
    let socketPath: String
    let stateDirectory: String
    let extraArguments: [String]
    private(set) var process: Process?
    private var logCount = 0

    init(arguments: [String] = [], folder: TemporaryFolder? = nil) throws {
        self.folder = try folder ?? TemporaryFolder()
        socketPath = self.folder.path + "/d.sock"
        stateDirectory = self.folder.path + "/state"
        extraArguments = arguments
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var logPath: String { folder.path + "/daemon-\(logCount).log" }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    static var baseEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("PINADS_") || key.hasPrefix("LISTEN_") || key == "NOTIFY_SOCKET" {
            environment[key] = nil
        }
        return environment
    }

    /// Starts the daemon and waits until it answers `system.health`.
    @discardableResult
    func start(environment extra: [String: String] = [:]) async throws -> Daemon {
        logCount += 1
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.pinadsd)
        process.arguments = ["--socket", socketPath, "--state-dir", stateDirectory, "--log-level", "debug"] + extraArguments
        process.environment = Self.baseEnvironment.merging(extra) { _, new in new }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await waitUntilHealthy(process: process)
        return self
    }

    func waitUntilHealthy(process: Process) async throws {
        let socketPath = self.socketPath
        try await eventually("pinadsd answers on \(socketPath); log:\n\(log)") {
            guard process.isRunning else { throw TestFailure("pinadsd exited with \(process.terminationStatus); log:\n\(self.log)") }
            guard let client = try? PinAdsClient(socketPath: socketPath) else { return false }
            if case .result = try client.call(HealthRequest()) { return true }
            return false
        }
    }

    /// Sends a signal and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) async throws -> Int32 {
        guard let process else { throw TestFailure("daemon not started") }
        kill(process.processIdentifier, signal)
        try await eventually("pinadsd exits after signal \(signal)", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }

    func client() throws -> PinAdsClient { try PinAdsClient(socketPath: socketPath) }

    /// A raw connection whose reads give up after 30 s, so a missing answer fails the test instead of hanging it.
    func connection() throws -> UnixSocketConnection {
        let connection = try UnixSocketConnection(path: socketPath)
        connection.setReceiveTimeout(seconds: 30)
        return connection
    }

    /// Runs `pinads` against this daemon.
    func pinads(_ arguments: String..., timeout: TimeInterval = 60) async throws -> CommandResult {
        try await runCommand(Binaries.pinads, arguments + ["--socket", socketPath], environment: Self.baseEnvironment, timeout: timeout)
    }

    /// Calls a typed method, failing the test on an error answer.
    func call<R: PinAdsRequest>(_ request: R) throws -> R.Result {
        switch try client().call(request) {
        case .result(let result): return result
        case .error(let error): throw TestFailure("\(R.method) answered \(error)")
        }
    }
}

extension UnixSocketConnection {
    /// Sends a request frame built from raw JSON text.
    func send(json: String) throws { try writeFrame(Array(json.utf8)) }

    /// The next frame as JSON; nil when the daemon closed the connection.
    func nextJSON() throws -> JSONValue? {
        guard let payload = try readFrame() else { return nil }
        return try JSONDecoder().decode(JSONValue.self, from: Data(payload))
    }
}

/// A Unix socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to `path`; its descriptor.
func boundUnixSocket(_ path: String, type: Int32) throws -> Int32 {
    let fd = socket(AF_UNIX, type, 0)
    guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: Array(path.utf8))
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0 else {
        let code = errno
        close(fd)
        throw TestFailure("bind \(path) failed: errno \(code)")
    }
    return fd
}
