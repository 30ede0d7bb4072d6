#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// A file pinads keeps in its state directory.
public enum StateFile: Sendable, CaseIterable {
    case database
    case writeAheadLog
    case sharedMemoryIndex
    case key
    case lock
    case sandboxMarker

    public var name: String {
        switch self {
        case .database: return "pinads.db"
        case .writeAheadLog: return "pinads.db-wal"
        case .sharedMemoryIndex: return "pinads.db-shm"
        case .key: return "pinads.key"
        case .lock: return "pinadsd.lock"
        case .sandboxMarker: return "SANDBOX"
        }
    }

    /// What a person calls it, in errors.
    public var what: String {
        switch self {
        case .database: return "database"
        case .writeAheadLog: return "database's write-ahead log"
        case .sharedMemoryIndex: return "database's shared-memory index"
        case .key: return "secrets key"
        case .lock: return "lock file"
        case .sandboxMarker: return "sandbox marker"
        }
    }

    /// A file others may only read is made 0600; the key is refused instead: it is a secret
    /// someone may already have copied, which a person should know about.
    var tightensWhenOnlyReadable: Bool { self != .key }
}

/// Why a state directory, or a file in it, is refused. Each names the path, what was found and
/// the fix.
public enum StateDirectoryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A symbolic link where the folder or a file should be: pinadsd never follows one there.
    case symlink(path: String, what: String)
    /// Something else than a folder (or a regular file) at the path.
    case wrongKind(path: String, what: String, expected: String)
    case wrongOwner(path: String, what: String, owner: UInt32, expected: UInt32)
    /// Group or others may write to it (`mode` holds the permission bits).
    case writableByOthers(path: String, what: String, mode: UInt32)
    /// Group or others may read it: refused for the secrets key only.
    case readableByOthers(path: String, what: String, mode: UInt32)
    case cannotInspect(path: String, errno: Int32)
    case cannotOpen(path: String, errno: Int32)
    case cannotCreate(path: String, errno: Int32)
    case cannotTighten(path: String, errno: Int32)
    /// A folder above the state directory that someone else could change (as OpenSSH's
    /// `secure_path`): whoever may write there may put another folder in the state
    /// directory's place.
    case unsafeAncestor(path: String, stateDirectory: String, owner: UInt32, mode: UInt32)

    public var path: String {
        switch self {
        case .symlink(let path, _), .wrongKind(let path, _, _), .wrongOwner(let path, _, _, _), .writableByOthers(let path, _, _),
            .readableByOthers(let path, _, _), .cannotInspect(let path, _), .cannotOpen(let path, _), .cannotCreate(let path, _), .cannotTighten(let path, _),
            .unsafeAncestor(let path, _, _, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .symlink(let path, let what):
            if what == StateDirectory.what {
                return "refusing the \(what) \(path): it is a symbolic link, which pinadsd does not follow there; "
                    + "give --state-dir the real folder (`readlink -f \(path)`), or remove the symlink"
            }
            return "refusing the \(what) \(path): it is a symbolic link, which pinadsd never opens or writes through; "
                + "remove the symlink (`rm \(path)`; its target is left alone), then start again"
        case .wrongKind(let path, let what, let expected):
            return "refusing the \(what) \(path): it is not \(expected); move it away or choose another --state-dir"
        case .wrongOwner(let path, let what, let owner, let expected):
            let yours =
                what == StateDirectory.what
                ? "if it is yours, `chown \(expected) \(path)`; else choose another --state-dir"
                : "another user may have put it there: remove it (`rm \(path)`), or if it is yours, `chown \(expected) \(path)`"
            return "refusing the \(what) \(path): it belongs to uid \(owner), not to uid \(expected) that pinadsd runs as; \(yours)"
        case .writableByOthers(let path, let what, let mode):
            let octal = String(mode & 0o7777, radix: 8)
            if what == StateDirectory.what {
                return "refusing the \(what) \(path): its mode \(octal) lets group or others write in it (another user could put files there); "
                    + "`chmod 700 \(path)` and check what it holds, then start again"
            }
            return "refusing the \(what) \(path): its mode \(octal) lets group or others write to it; "
                + "check that it was not altered, `chmod 600 \(path)`, then start again"
        case .readableByOthers(let path, let what, let mode):
            return "refusing the \(what) \(path): its mode \(String(mode & 0o7777, radix: 8)) lets group or others read it; "
                + "`chmod 600 \(path)` (and treat the secrets it sealed as seen: connect again with new tokens), then start again"
        case .cannotInspect(let path, let code):
            return "cannot inspect \(path): \(String(cString: strerror(code))); check the state directory, or choose another --state-dir"
        case .cannotOpen(let path, let code):
            return "cannot open \(path): \(String(cString: strerror(code))); check the state directory and its file system, or choose another --state-dir"
        case .cannotCreate(let path, let code):
            return "cannot create \(path): \(String(cString: strerror(code))); check the state directory, or choose another with --state-dir or PINADS_STATE_DIR"
        case .unsafeAncestor(let path, let stateDirectory, let owner, let mode):
            return "refusing the state directory \(stateDirectory): the folder \(path) above it "
                + "(owner uid \(owner), mode \(String(mode & 0o7777, radix: 8))) may be changed by another user, who could put another folder "
                + "in its place; choose a --state-dir whose parent folders belong to you or to root and are not writable by others "
                + "(or have the sticky bit, as /tmp does)"
        case .cannotTighten(let path, let code):
            return "cannot change the mode of \(path): \(String(cString: strerror(code))); `chmod 700` it yourself, then start again"
        }
    }
}

/// What lstat or fstat said about a path: all the rules look at.
public struct StateEntryStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case directory
        case regularFile
        case symlink
        case other
    }

    public var kind: Kind
    public var owner: UInt32
    /// The permission bits (`st_mode & 0o7777`).
    public var mode: UInt32

    public init(kind: Kind, owner: UInt32, mode: UInt32) {
        self.kind = kind
        self.owner = owner
        self.mode = mode
    }

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regularFile
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        owner = UInt32(info.st_uid)
        mode = UInt32(info.st_mode & 0o7777)
    }
}

/// The pure decision on the state directory, as OpenSSH's StrictModes: the folder and each file
/// pinads keeps in it must belong to the daemon's uid (0 when it runs as root), must not be a
/// symbolic link, and must not be writable by group or others. What is only too open for reading
/// is tightened (folder 0700, files 0600), except the secrets key, which is refused.
public enum StateDirectoryRules {
    public enum Verdict: Sendable, Equatable {
        case accept
        /// Change the mode to `to` (and log it): it is safe but more open than it should be.
        case tighten(from: UInt32, to: UInt32)
    }

    public static func folder(_ status: StateEntryStatus, path: String, uid: UInt32) throws(StateDirectoryError) -> Verdict {
        let what = StateDirectory.what
        switch status.kind {
        case .directory: break
        case .symlink: throw .symlink(path: path, what: what)
        case .regularFile, .other: throw .wrongKind(path: path, what: what, expected: "a folder")
        }
        guard status.owner == uid else { throw .wrongOwner(path: path, what: what, owner: status.owner, expected: uid) }
        guard status.mode & 0o022 == 0 else { throw .writableByOthers(path: path, what: what, mode: status.mode) }
        return status.mode & 0o7077 == 0 ? .accept : .tighten(from: status.mode, to: status.mode & 0o700)
    }

    /// A folder above the state directory (symlinks resolved): owned by root or the daemon's
    /// uid, and not writable by group or others unless it has the sticky bit (then nobody else
    /// may rename or remove what is ours in it).
    public static func ancestor(_ status: StateEntryStatus, path: String, stateDirectory: String, uid: UInt32) throws(StateDirectoryError) {
        let sticky: UInt32 = 0o1000
        guard status.owner == 0 || status.owner == uid, status.mode & 0o022 == 0 || status.mode & sticky != 0 else {
            throw .unsafeAncestor(path: path, stateDirectory: stateDirectory, owner: status.owner, mode: status.mode)
        }
    }

    public static func file(_ status: StateEntryStatus, _ file: StateFile, path: String, uid: UInt32) throws(StateDirectoryError) -> Verdict {
        switch status.kind {
        case .regularFile: break
        case .symlink: throw .symlink(path: path, what: file.what)
        case .directory, .other: throw .wrongKind(path: path, what: file.what, expected: "a regular file")
        }
        guard status.owner == uid else { throw .wrongOwner(path: path, what: file.what, owner: status.owner, expected: uid) }
        guard status.mode & 0o022 == 0 else { throw .writableByOthers(path: path, what: file.what, mode: status.mode) }
        guard status.mode & 0o7077 != 0 else { return .accept }
        guard file.tightensWhenOnlyReadable else { throw .readableByOthers(path: path, what: file.what, mode: status.mode) }
        return .tighten(from: status.mode, to: status.mode & 0o700 | 0o600)
    }
}

/// The daemon's state directory, checked (see `StateDirectoryRules`) before anything in it is
/// opened. Once the folder is known to be ours and closed to others, nobody else can put a file
/// or a symlink in it, so the checks of its files cannot be raced; files are opened with
/// `O_NOFOLLOW` all the same, made with `O_EXCL` at 0600, and checked again through their
/// descriptors.
///
/// The secrets key systemd hands over in `$CREDENTIALS_DIRECTORY` is not in here: systemd owns
/// that folder and its modes.
public struct StateDirectory: Sendable {
    static let what = "state directory"

    public let path: String
    /// The uid everything must belong to: the daemon's effective uid.
    public let uid: UInt32

    init(path: String, uid: UInt32) {
        self.path = path
        self.uid = uid
    }

    public func path(of file: StateFile) -> String { path + "/" + file.name }

    /// Creates the folder when missing (0700; its parents as needed), checks it and every file
    /// pinads keeps in it, and tightens what is only too open for reading (logged).
    public static func prepare(_ path: String, logger: Logger) throws(StateDirectoryError) -> StateDirectory {
        let directory = StateDirectory(path: path, uid: UInt32(geteuid()))
        try directory.prepareFolder(logger: logger)
        try directory.checkAncestors()
        for file in StateFile.allCases {
            _ = try directory.check(file, logger: logger)
        }
        return directory
    }

    /// Every folder above this one, from its parent to `/`, as the path really is.
    private func checkAncestors() throws(StateDirectoryError) {
        guard let resolved = realpath(path, nil) else { throw .cannotInspect(path: path, errno: errno) }
        let real = String(cString: resolved)
        free(resolved)
        var ancestor = (real as NSString).deletingLastPathComponent
        while true {
            var info = stat()
            guard stat(ancestor, &info) == 0 else { throw .cannotInspect(path: ancestor, errno: errno) }
            try StateDirectoryRules.ancestor(StateEntryStatus(info), path: ancestor, stateDirectory: path, uid: uid)
            if ancestor == "/" || ancestor.isEmpty { break }
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
    }

    private func prepareFolder(logger: Logger) throws(StateDirectoryError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw .cannotInspect(path: path, errno: errno) }
            // Each missing folder on the way is made 0700, the last one too.
            var partial = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") {
                partial += "/" + component
                if mkdir(partial, 0o700) != 0, errno != EEXIST { throw .cannotCreate(path: partial, errno: errno) }
            }
        }
        // The checks and the chmod go through one descriptor of the folder itself, so what is
        // changed is what was checked.
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if lstat(path, &info) == 0 {
                _ = try StateDirectoryRules.folder(StateEntryStatus(info), path: path, uid: uid)
            }
            throw .cannotOpen(path: path, errno: code)
        }
        defer { close(fd) }
        guard fstat(fd, &info) == 0 else { throw .cannotInspect(path: path, errno: errno) }
        if case .tighten(let from, let to) = try StateDirectoryRules.folder(StateEntryStatus(info), path: path, uid: uid) {
            guard fchmod(fd, mode_t(to)) == 0 else { throw .cannotTighten(path: path, errno: errno) }
            logger.notice(
                "the state directory was open to others for reading; made it owner-only",
                metadata: ["path": "\(path)", "mode_was": "\(String(from, radix: 8))", "mode": "\(String(to, radix: 8))"])
        }
    }

    /// Checks `file` if it exists (without following a symlink) and tightens its mode when the
    /// rules say so; false when there is none.
    @discardableResult
    func check(_ file: StateFile, logger: Logger) throws(StateDirectoryError) -> Bool {
        let path = path(of: file)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw .cannotInspect(path: path, errno: errno) }
            return false
        }
        if case .tighten(let from, let to) = try StateDirectoryRules.file(StateEntryStatus(info), file, path: path, uid: uid) {
            // A regular file of ours (lstat said so), in a folder only we can write to.
            guard chmod(path, mode_t(to)) == 0 else { throw .cannotTighten(path: path, errno: errno) }
            Self.logTightened(file, path: path, from: from, to: to, logger: logger)
        }
        return true
    }

    /// Opens `file` without following a symlink: the existing one, checked through its
    /// descriptor, or with `create` a new one, made with `O_EXCL` at 0600. nil when there is none
    /// and `create` is false. `access` is O_RDONLY, O_WRONLY or O_RDWR.
    public func open(_ file: StateFile, access: Int32, create: Bool, logger: Logger) throws(StateDirectoryError) -> Int32? {
        try Self.open(path: path(of: file), file: file, access: access, create: create, uid: uid, logger: logger)
    }

    /// The same for a path whose folder was checked by someone else (the store's and the vault's
    /// own callers, tests): the file is held to the rules, its folder is not.
    public static func open(
        path: String, file: StateFile, access: Int32, create: Bool, uid: UInt32 = UInt32(geteuid()), logger: Logger? = nil
    ) throws(StateDirectoryError) -> Int32? {
        var created = false
        var fd = Glibc.open(path, access | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0, errno == ENOENT, create {
            fd = Glibc.open(path, access | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            created = fd >= 0
            // Made by someone else in between: open that one, and check it.
            if fd < 0, errno == EEXIST { fd = Glibc.open(path, access | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) }
        }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT, !create { return nil }
            // O_NOFOLLOW on a symlink: ELOOP. lstat says what is there, for the message.
            var info = stat()
            if lstat(path, &info) == 0 { _ = try StateDirectoryRules.file(StateEntryStatus(info), file, path: path, uid: uid) }
            throw code == ENOENT || code == ENOSPC || code == EDQUOT ? .cannotCreate(path: path, errno: code) : .cannotOpen(path: path, errno: code)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .cannotInspect(path: path, errno: code)
        }
        do throws(StateDirectoryError) {
            if case .tighten(let from, let to) = try StateDirectoryRules.file(StateEntryStatus(info), file, path: path, uid: uid) {
                guard fchmod(fd, mode_t(to)) == 0 else { throw StateDirectoryError.cannotTighten(path: path, errno: errno) }
                if let logger, !created { logTightened(file, path: path, from: from, to: to, logger: logger) }
            }
        } catch {
            close(fd)
            throw error
        }
        // O_NONBLOCK was only for opening (a FIFO must not hang the start); regular files ignore it.
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }

    private static func logTightened(_ file: StateFile, path: String, from: UInt32, to: UInt32, logger: Logger) {
        logger.notice(
            "a file in the state directory was readable by others; made it owner-only",
            metadata: [
                "file": "\(file.name)", "path": "\(path)", "mode_was": "\(String(from, radix: 8))", "mode": "\(String(to, radix: 8))",
            ])
    }
}
