#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// Why the daemon would not start.
public enum StartupError: Error, CustomStringConvertible {
    case alreadyServing(socket: String)
    case stateDirectoryInUse(path: String, pid: String?)
    case cannotPrepare(path: String, errno: Int32)
    case socketPathTooLong(path: String)
    case notASocket(path: String)
    case unsafeDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyServing(let socket):
            return "another pinadsd is already serving \(socket); stop it first (`systemctl --user stop pinadsd`) or choose another --socket"
        case .stateDirectoryInUse(let path, let pid):
            let owner = pid.map { " (pid \($0))" } ?? ""
            return "another pinadsd\(owner) is using the state directory \(path); stop it or choose another --state-dir"
        case .cannotPrepare(let path, let code):
            return "cannot prepare \(path): \(String(cString: strerror(code)))"
        case .notASocket(let path):
            return "\(path) exists and is not a socket; remove it or choose another --socket"
        case .unsafeDirectory(let path, let reason):
            return "refusing the socket folder \(path): \(reason); remove it, or choose another --socket"
        case .socketPathTooLong(let path):
            return "socket path is \(path.utf8.count) bytes, above the 107 a Unix socket allows: \(path); choose a shorter --socket"
        }
    }
}

/// Makes sure one daemon owns a state directory and a socket path.
enum InstanceGuard {
    /// Takes an exclusive lock on `<state-dir>/pinadsd.lock` for the life of the process and
    /// writes the pid into it. The returned descriptor must stay open. The file is opened
    /// without following a symlink (a planted one is refused, its target untouched).
    static func lockStateDirectory(_ directory: StateDirectory, logger: Logger) throws -> Int32 {
        guard let fd = try directory.open(.lock, access: O_RDWR, create: true, logger: logger) else {
            throw StartupError.cannotPrepare(path: directory.path(of: .lock), errno: ENOENT)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            let pid = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw StartupError.stateDirectoryInUse(path: directory.path, pid: pid.isEmpty ? nil : pid)
        }
        // Written over the old pid, then cut to length: no block is freed and taken again, so on
        // a full disk the pid of a file that had one still fits. The pid is for people only: a
        // write that fails (a new file on a full disk) is not a reason to stop.
        let text = Array("\(getpid())\n".utf8)
        let written = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written == text.count {
            _ = ftruncate(fd, off_t(text.count))
        } else {
            logger.warning(
                "could not write the pid into the lock file (the lock holds all the same)",
                metadata: ["path": "\(directory.path(of: .lock))", "error": "\(String(cString: strerror(errno)))"])
        }
        return fd
    }

    /// Creates the socket's directory (0700; 0750 and of `group` when a group is allowed to
    /// connect, so its members can reach the socket) and clears a stale socket file. Refuses
    /// when a daemon answers at the path.
    static func prepareSocketPath(_ path: String, ownsDirectory: Bool, group: UInt32? = nil) throws {
        guard path.utf8.count <= 107 else { throw StartupError.socketPathTooLong(path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        // Only a folder we create gets our mode; an existing one (say /tmp) is left as it is.
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: group == nil ? 0o700 : 0o750])
                if let group { chown(directory, uid_t.max, group) }
            } catch {
                throw StartupError.cannotPrepare(path: directory, errno: EACCES)
            }
        }
        // The default folder (e.g. /tmp/pinads-$UID) must be ours: another user could have made
        // it first to serve an impostor socket.
        if ownsDirectory {
            var info = stat()
            guard lstat(directory, &info) == 0 else { throw StartupError.cannotPrepare(path: directory, errno: errno) }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw StartupError.unsafeDirectory(path: directory, reason: "it is not a directory (a symlink?)")
            }
            guard info.st_uid == getuid() else {
                throw StartupError.unsafeDirectory(path: directory, reason: "it belongs to uid \(info.st_uid), not to this user")
            }
            if let group {
                if info.st_gid != group { chown(directory, uid_t.max, group) }
                if info.st_mode & 0o777 != 0o750 { chmod(directory, 0o750) }
            } else if info.st_mode & 0o077 != 0 {
                chmod(directory, 0o700)
            }
        }
        try clearStaleSocket(path)
    }

    private static func clearStaleSocket(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw StartupError.notASocket(path: path) }
        if isServing(path) { throw StartupError.alreadyServing(socket: path) }
        guard unlink(path) == 0 else { throw StartupError.cannotPrepare(path: path, errno: errno) }
    }

    /// True when something accepts connections at the path.
    static func isServing(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
