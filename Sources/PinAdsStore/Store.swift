import Foundation
import GRDB
import PinAdsProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Why the store could not be opened or used.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotCreateFile(path: String, errno: Int32)
    case database(path: String, underlying: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create state directory \(path): \(reason); choose another with --state-dir or PINADS_STATE_DIR"
        case .cannotCreateFile(let path, let code):
            return "cannot create database file \(path): \(String(cString: strerror(code)))"
        case .database(let path, let underlying):
            return "database \(path): \(underlying)"
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
            // FULL: a committed transaction survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Member tables run to millions of rows: the writer's page cache may grow to 32 MiB
            // (filled only as used), so bulk changes do not re-read the same index pages.
            // Readers keep SQLite's default 2 MiB each.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -32768") }
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError.database(path: path, underlying: String(describing: error))
        }
    }

    /// Number of migrations applied: the schema version reported by `system.health`.
    public func schemaVersion() async throws -> Int {
        try await writer.read { db in try Self.migrator.appliedIdentifiers(db).count }
    }

    /// Reads something trivial from the database, so a broken store shows in `system.health`.
    public func health() async -> StoreHealth {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        do {
            let version = try await writer.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs")
                return try Self.migrator.appliedIdentifiers(db).count
            }
            return StoreHealth(status: "ok", path: path, schemaVersion: version, sizeBytes: size)
        } catch {
            return StoreHealth(status: "error", path: path, schemaVersion: 0, sizeBytes: size, error: String(describing: error))
        }
    }

    /// Creates the directory (0700) and an empty database file (0600) when missing, so the
    /// file never exists with a wider mode, whatever the umask.
    static func prepareFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.cannotCreateDirectory(path: directory, reason: error.localizedDescription)
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.cannotCreateFile(path: path, errno: errno) }
        fchmod(fd, 0o600)
        close(fd)
    }
}

extension Date {
    /// Milliseconds since 1970, as stored.
    var storeMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(storeMillis: Int64) { self.init(timeIntervalSince1970: Double(storeMillis) / 1000) }
}
