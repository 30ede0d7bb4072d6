import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// An active activation in state ERROR, as `system.health` reports it.
public struct FailedActivationRecord: Sendable, Equatable {
    public var id: Int64
    public var audienceID: Int64
    public var adAccountID: String
    public var errorMessage: String?
    public var errorAt: Date?
}

/// The cheap reads behind `system.health`: each answers from an index or a small table, never
/// by visiting the conversion events.
extension Store {
    /// Active activations of live audiences in state ERROR. The activations table holds one row
    /// per audience and ad account (tens, not millions).
    public func failedActivations() async throws -> [FailedActivationRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.audience_id, a.ad_account_id, a.error_message, a.error_at
                    FROM audience_activations a JOIN audiences au ON au.id = a.audience_id
                    WHERE a.state = 'ERROR' AND a.active = 1 AND au.deleted_at IS NULL ORDER BY a.id
                    """
            ).map { row in
                FailedActivationRecord(
                    id: row["id"], audienceID: row["audience_id"], adAccountID: row["ad_account_id"], errorMessage: row["error_message"],
                    errorAt: (row["error_at"] as Int64?).map(Date.init(storeMillis:)))
            }
        }
    }

    /// For each lane, when the queued event that leaves first (the head of its queue index) was
    /// accepted; lanes with nothing queued are left out. One index seek per lane: the cost does
    /// not grow with the backlog. While every event of a lane is tried for the first time this
    /// is its oldest event; events backing off after a failure are behind those due earlier.
    public func conversionQueueHeads(lanes: [ConversionLane]) async throws -> [ConversionLane: Date] {
        try await writer.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT accepted_at FROM conversion_events
                    WHERE ad_account_id = ? AND test = ? AND state = 'queued' ORDER BY next_attempt_at, id LIMIT 1
                    """)
            var heads: [ConversionLane: Date] = [:]
            for lane in lanes {
                if let accepted = try Int64.fetchOne(statement, arguments: [lane.adAccountID, lane.test]) {
                    heads[lane] = Date(storeMillis: accepted)
                }
            }
            return heads
        }
    }

    /// Whether the state directory is read-only or out of space (or inodes) now, asked of the
    /// file system (one statvfs): a full disk shows here before any write fails.
    public func filesystemUnavailability() -> StoreUnavailable? {
        let directory = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        if info.f_flag & UInt(ST_RDONLY) != 0 {
            return StoreUnavailable(problem: .readOnly, directory: directory, underlying: "the file system is mounted read-only")
        }
        if info.f_bavail == 0 || (info.f_files > 0 && info.f_favail == 0) {
            return StoreUnavailable(problem: .full, directory: directory, underlying: "no space left on the device")
        }
        return nil
    }
}

extension StoreUnavailable {
    /// A problem of the state directory, as health reports it (tests build their own).
    public init(_ problem: Problem, directory: String, underlying: String) {
        self.init(problem: problem, directory: directory, underlying: underlying)
    }
}

/// What a trivial read of the database found: the store's own answer to "can you be read?".
public struct StoreHealthCheck: Sendable, Equatable {
    /// `ok` or `error`.
    public var status: String
    public var path: String
    public var schemaVersion: Int
    public var sizeBytes: Int64?
    public var error: String?

    public init(status: String, path: String, schemaVersion: Int, sizeBytes: Int64?, error: String? = nil) {
        self.status = status
        self.path = path
        self.schemaVersion = schemaVersion
        self.sizeBytes = sizeBytes
        self.error = error
    }
}
