import Foundation
import GRDB
import GRDBSQLite
import PinAdsJSON

#if canImport(Glibc)
import Glibc
#endif

/// Why the store could not be opened or used.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotCreateFile(path: String, errno: Int32)
    case database(path: String, underlying: String)
    /// The database could not be opened: its folder is full, read-only or failing.
    case unavailable(path: String, StoreUnavailable)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create state directory \(path): \(reason); choose another with --state-dir or PINADS_STATE_DIR"
        case .cannotCreateFile(let path, let code):
            return "cannot create database file \(path): \(String(cString: strerror(code)))"
        case .database(let path, let underlying):
            return "database \(path): \(underlying)"
        case .unavailable(let path, let trouble):
            return "cannot open the database \(path): the state directory \(trouble.directory) is full (no space left on the device for the files SQLite needs to open it, such as pinads.db-shm); free some space there, then start pinadsd again"
        }
    }
}

/// The daemon's memory: one SQLite database in WAL mode. Every method commits before it returns,
/// so whatever a caller acknowledges after a call is on disk.
///
/// - Important: Migrations are append-only: never edit one that has shipped; add a new one.
public final class Store: Sendable {
    public let path: String
    let writer: DatabasePool

    /// Opens (creating if needed) the database at `path`, with mode 0600, and migrates it.
    public init(path: String) throws {
        self.path = path
        try Self.prepareFile(at: path)
        var configuration = Configuration()
        configuration.label = "pinads.store"
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // The write-ahead log and its shared-memory index stay when the last connection
            // closes (truncated, not deleted): a start after a clean stop then needs no new file,
            // and a database on a full disk can still be opened and read.
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            // Member tables run to millions of rows: the writer's page cache may grow to 32 MiB
            // (filled only as used), so bulk changes do not re-read the same index pages.
            // Readers keep SQLite's default 2 MiB each.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -32768") }
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            // FULL: a committed transaction survives power loss, not only a process crash. Set
            // after the pool opens: GRDB sets NORMAL when it turns WAL on, after prepareDatabase.
            // The pool keeps this one writer connection for its life.
            try writer.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(writer)
        } catch {
            // Full: for instance no room for the shared-memory index (pinads.db-shm) that a
            // database in WAL mode needs before it can even be read.
            if let trouble = Self.unavailability(error, directory: (path as NSString).deletingLastPathComponent), trouble.problem == .full {
                throw StoreError.unavailable(path: path, trouble)
            }
            throw StoreError.database(path: path, underlying: String(describing: error))
        }
    }

    /// Number of migrations applied: the schema version reported by `system.health`.
    public func schemaVersion() async throws -> Int {
        try await writer.read { db in try Self.migrator.appliedIdentifiers(db).count }
    }

    /// Reads something trivial from the database, so a broken store shows in `system.health`.
    public func health() async -> StoreHealthCheck {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        do {
            let version = try await writer.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs")
                return try Self.migrator.appliedIdentifiers(db).count
            }
            return StoreHealthCheck(status: "ok", path: path, schemaVersion: version, sizeBytes: size)
        } catch {
            return StoreHealthCheck(status: "error", path: path, schemaVersion: 0, sizeBytes: size, error: String(describing: error))
        }
    }

    /// Creates the directory (0700) and an empty database file (0600) when missing, so the
    /// file never exists with a wider mode, whatever the umask. Never through a symlink: the
    /// file is made with `O_EXCL` and opened with `O_NOFOLLOW`, and must be a regular file.
    /// (The daemon checks its state directory's owner and modes before; see `StateDirectory`.)
    static func prepareFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.cannotCreateDirectory(path: directory, reason: error.localizedDescription)
            }
        }
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0, errno == EEXIST { fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { throw StoreError.cannotCreateFile(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.cannotCreateFile(path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StoreError.cannotCreateFile(path: path, errno: EINVAL) }
        if info.st_mode & 0o7177 != 0 { fchmod(fd, 0o600) }
    }
}

/// A store failure that is about where the database lives, not about the request: the state
/// directory is full or read-only, or its disk fails. The daemon keeps running and answers
/// `UNAVAILABLE` with this description; the same call works again once the cause is gone.
public struct StoreUnavailable: Error, Sendable, CustomStringConvertible {
    public enum Problem: String, Sendable {
        case full
        case readOnly = "read_only"
        case io
    }

    public var problem: Problem
    /// The state directory (the database's folder).
    public var directory: String
    /// SQLite's own words, for the log.
    public var underlying: String

    public var description: String {
        switch problem {
        case .full:
            return "the state directory \(directory) is full: pinadsd could not write to its database (no space left on the device); free some space there, then retry"
        case .readOnly:
            return "the state directory \(directory) is read-only: pinadsd could not write to its database; make it writable again, then retry"
        case .io:
            return "pinadsd could not read or write its database in \(directory) (an I/O error: \(underlying)); check the disk, then retry"
        }
    }
}

extension Store {
    /// What `error`, thrown by a method of this store, says about the state directory: full,
    /// read-only or failing I/O; nil for any other error (a constraint, a bug, …).
    ///
    /// SQLite reports a full disk as SQLITE_FULL and a read-only file as SQLITE_READONLY, but
    /// some writes (the shared-memory index, a journal it cannot create) end in SQLITE_IOERR or
    /// SQLITE_CANTOPEN instead: for those the file system itself is asked whether it is read-only
    /// or out of space.
    public func unavailability(_ error: any Error) -> StoreUnavailable? {
        Self.unavailability(error, directory: (path as NSString).deletingLastPathComponent)
    }

    static func unavailability(_ error: any Error, directory: String) -> StoreUnavailable? {
        // Already said (the secrets key that waits for space, say).
        if let unavailable = error as? StoreUnavailable { return unavailable }
        guard let error = error as? DatabaseError else { return nil }
        let underlying = "\(error.extendedResultCode): \(error.message ?? "no message")"
        switch error.resultCode {
        case .SQLITE_FULL:
            return StoreUnavailable(problem: .full, directory: directory, underlying: underlying)
        case .SQLITE_READONLY:
            return StoreUnavailable(problem: .readOnly, directory: directory, underlying: underlying)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN:
            var info = statvfs()
            if statvfs(directory, &info) == 0 {
                if info.f_flag & UInt(ST_RDONLY) != 0 {
                    return StoreUnavailable(problem: .readOnly, directory: directory, underlying: underlying)
                }
                if info.f_bavail == 0 {
                    return StoreUnavailable(problem: .full, directory: directory, underlying: underlying)
                }
            }
            return StoreUnavailable(problem: .io, directory: directory, underlying: underlying)
        default:
            return nil
        }
    }
}

extension Date {
    /// Milliseconds since 1970, as stored.
    var storeMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(storeMillis: Int64) { self.init(timeIntervalSince1970: Double(storeMillis) / 1000) }
}
