#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsDaemon
import PinAdsProtocol
import PinterestSandbox

/// `pinadsd --sandbox`: a Pinterest sandbox inside the daemon's process, on loopback, with one
/// user already connected, and paths of its own so that a demo never meets real accounts' data.
struct SandboxMode {
    /// Written into a state directory used by `--sandbox`; a daemon without `--sandbox` refuses
    /// such a directory, and `--sandbox` refuses a directory made without it.
    static let markerName = StateFile.sandboxMarker.name
    static let socketName = "pinadsd-sandbox.sock"
    /// The sandbox user's ad accounts (the first is the default).
    static let adAccounts = 2

    let sandbox: PinterestSandbox
    let connect: ConnectionGrant
    let adAccountIDs: [String]
    let stateDirectory: String
    /// Made for this run (no --state-dir): removed when the daemon stops.
    let temporaryStateDirectory: Bool

    /// The socket when --socket is not given: beside the real daemon's, under another name.
    /// `PINADS_SOCKET` is not read: it names the real daemon's socket.
    static func defaultSocketPath(environment: [String: String]) -> String {
        DefaultPaths.runtimeDirectory(environment: environment) + "/" + socketName
    }

    /// Prepares the state directory, starts the sandbox and mints the user's tokens.
    static func start(stateDirectory explicit: String?, logger: Logger) async throws -> SandboxMode {
        let stateDirectory: String
        let temporary: Bool
        if let explicit {
            try claim(explicit, logger: logger)
            stateDirectory = explicit
            temporary = false
        } else {
            stateDirectory = try makeTemporaryStateDirectory()
            temporary = true
            try writeMarker(in: try StateDirectory.prepare(stateDirectory, logger: logger), logger: logger)
        }
        // The faithful defaults: 100 requests/s per user, Pinterest's per-minute category
        // limits, 30-day access and 60-day rotating refresh tokens, no faults.
        let sandbox: PinterestSandbox
        do {
            sandbox = try await PinterestSandbox.start(SandboxConfiguration(), logger: Logger(label: "pinads-sandbox"))
        } catch {
            if temporary { try? FileManager.default.removeItem(atPath: stateDirectory) }
            throw SandboxModeError("cannot start the sandbox on 127.0.0.1: \(error)")
        }
        let token = sandbox.seedToken(adAccounts: adAccounts)
        let configuration = sandbox.configuration
        let connect = ConnectionGrant(
            accessToken: token.accessToken, refreshToken: token.refreshToken, expiresIn: Int64(token.expiresIn),
            refreshTokenExpiresIn: Int64(token.refreshTokenExpiresIn), clientID: configuration.appID,
            clientSecret: configuration.appSecret, name: "sandbox")
        return SandboxMode(
            sandbox: sandbox, connect: connect, adAccountIDs: token.adAccountIDs, stateDirectory: stateDirectory,
            temporaryStateDirectory: temporary)
    }

    /// What the daemon says first, whatever the log level: this is not Pinterest.
    func banner(socketPath: String) -> String {
        var lines = [
            "pinadsd: sandbox mode: talking to a local Pinterest sandbox at \(sandbox.rootURL), not Pinterest.",
            "pinadsd: sandbox mode: nothing reaches Pinterest; the sandbox forgets everything when pinadsd stops.",
            "pinadsd: sandbox mode: connecting its user at start: ad accounts \(adAccountIDs.joined(separator: ", ")) (the first is the default).",
            "pinadsd: sandbox mode: socket \(socketPath); use it with: export PINADS_SOCKET=\(socketPath)",
        ]
        if temporaryStateDirectory {
            lines.append("pinadsd: sandbox mode: state in \(stateDirectory) (made for this run, removed at exit; --state-dir keeps one)")
        } else {
            lines.append("pinadsd: sandbox mode: state in \(stateDirectory)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stops the sandbox and removes a state directory made for this run.
    func finish() async {
        try? await sandbox.shutdown()
        if temporaryStateDirectory { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }

    /// The environment the daemon gets: without the credentials folder systemd hands a real
    /// daemon (with its secrets key), which a sandbox must not take. A socket passed by socket
    /// activation is kept: the sandbox serves it (`socketPath(passed:)` checked it first).
    static func daemonEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { key, _ in key != "CREDENTIALS_DIRECTORY" }
    }

    /// The socket a socket-activated sandbox serves: the one it was given, unless that is the
    /// real daemon's socket, which a sandbox must never answer on (its clients would send real
    /// work to a fake Pinterest): then every passed descriptor is closed and this throws.
    static func socketPath(passed: String, environment: [String: String]) throws -> String {
        let real = DefaultPaths.socketPath(environment: environment)
        guard passed != real else {
            Systemd.closePassedDescriptors(environment: environment)
            throw SandboxModeError(
                "socket activation passed \(passed), the real daemon's socket; pinadsd --sandbox never serves it "
                    + "(closed it). Give the sandbox its own .socket unit, e.g. ListenStream=%t/pinads/\(socketName)")
        }
        return passed
    }

    // MARK: - The state directory

    /// An explicit --state-dir in sandbox mode: new, empty, or used by --sandbox before. Held to
    /// the state directory's rules (`StateDirectory`) before anything is written in it.
    static func claim(_ directory: String, logger: Logger) throws {
        let state = try StateDirectory.prepare(directory, logger: logger)
        let fileManager = FileManager.default
        var info = stat()
        // prepare() checked it: when present it is a regular file of ours.
        let hasMarker = lstat(state.path(of: .sandboxMarker), &info) == 0
        if !hasMarker, lstat(state.path(of: .database), &info) == 0 {
            throw SandboxModeError(
                "--state-dir \(directory) holds a pinads state made without --sandbox (real Pinterest connections?); "
                    + "--sandbox never uses one: choose a new or empty folder, or leave --state-dir out for a temporary one")
        }
        if !hasMarker, let entries = try? fileManager.contentsOfDirectory(atPath: directory), !entries.isEmpty {
            throw SandboxModeError(
                "--state-dir \(directory) is not empty and was not used by --sandbox before; "
                    + "choose a new or empty folder, or leave --state-dir out for a temporary one")
        }
        if !hasMarker { try writeMarker(in: state, logger: logger) }
    }

    /// Without --sandbox: refuses a state directory a sandbox run used, whose connection
    /// belongs to a sandbox that no longer exists.
    static func refuseSandboxState(_ directory: String) throws {
        var info = stat()
        // lstat: a marker in any form (a symlink too) is refused.
        if lstat(directory + "/" + markerName, &info) == 0 {
            throw SandboxModeError(
                "the state directory \(directory) was made by `pinadsd --sandbox` (it holds \(markerName)): "
                    + "its connection and objects belong to a sandbox, not to Pinterest; choose another --state-dir, "
                    + "or run with --sandbox")
        }
    }

    private static func writeMarker(in directory: StateDirectory, logger: Logger) throws {
        let text = """
            This state directory belongs to `pinadsd --sandbox`: its connection, audiences and campaigns
            live in a local Pinterest sandbox, not at Pinterest. pinadsd without --sandbox refuses it.

            """
        let path = directory.path(of: .sandboxMarker)
        // O_EXCL, O_NOFOLLOW, 0600: never through a symlink.
        guard let fd = try directory.open(.sandboxMarker, access: O_WRONLY, create: true, logger: logger) else {
            throw SandboxModeError("cannot write \(path)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw SandboxModeError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    private static func makeTemporaryStateDirectory() throws -> String {
        var base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array("\(base)/pinadsd-sandbox-XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let pointer = buffer.baseAddress, mkdtemp(pointer) != nil else { return nil }
            return String(cString: pointer)
        }
        guard let made else {
            throw SandboxModeError("cannot make a temporary state directory under \(base): \(String(cString: strerror(errno)))")
        }
        return made
    }
}

struct SandboxModeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
