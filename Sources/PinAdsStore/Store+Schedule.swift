import Foundation
import GRDB

/// How the last run of a scheduled task went, as far as the scheduler can tell: the job it
/// queued then has its own state.
public enum ScheduledRunOutcome: String, Sendable, Equatable {
    /// A job was queued (or found already queued for the same slot).
    case queued
    /// No job could be queued; `last_error` says why. The scheduler tries again shortly.
    case failed
}

/// One row of `schedule_tasks`: a recurring task as the store remembers it.
public struct ScheduledTaskRecord: Sendable, Equatable {
    public var name: String
    /// The spec's canonical text, as the scheduler last saw it configured.
    public var spec: String
    public var enabled: Bool
    /// The slot the task is due at next; in the past after downtime.
    public var nextRunAt: Date
    public var lastRunAt: Date?
    public var lastOutcome: ScheduledRunOutcome?
    public var lastJobID: Int64?
    public var lastError: String?
    public var updatedAt: Date

    public init(
        name: String, spec: String, enabled: Bool, nextRunAt: Date, lastRunAt: Date? = nil,
        lastOutcome: ScheduledRunOutcome? = nil, lastJobID: Int64? = nil, lastError: String? = nil, updatedAt: Date
    ) {
        self.name = name
        self.spec = spec
        self.enabled = enabled
        self.nextRunAt = nextRunAt
        self.lastRunAt = lastRunAt
        self.lastOutcome = lastOutcome
        self.lastJobID = lastJobID
        self.lastError = lastError
        self.updatedAt = updatedAt
    }
}

extension Store {
    /// Registers the one migration of the schedule, `v2_schedule`. `Store.migrator` calls it
    /// right after `v1_jobs`.
    ///
    /// - Important: Shipped: never edit it; add a new migration instead.
    public static func registerScheduleMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2_schedule") { db in
            try db.execute(
                sql: """
                    CREATE TABLE schedule_tasks (
                        name TEXT PRIMARY KEY NOT NULL,
                        spec TEXT NOT NULL,
                        enabled INTEGER NOT NULL DEFAULT 1,
                        next_run_at INTEGER NOT NULL,
                        last_run_at INTEGER,
                        last_outcome TEXT,
                        last_job_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
                        last_error TEXT,
                        updated_at INTEGER NOT NULL
                    )
                    """
            )
        }
    }

    private static let scheduleColumns =
        "name, spec, enabled, next_run_at, last_run_at, last_outcome, last_job_id, last_error, updated_at"

    /// Makes the stored task match its configuration, and returns the row.
    ///
    /// A new task is due at `nextRunAt`. An existing one keeps its next run and its last-run
    /// fields, unless its spec changed or it is being enabled again: then its schedule starts
    /// afresh at `nextRunAt` (a missed slot of the old schedule is dropped).
    @discardableResult
    public func upsertScheduledTask(
        name: String, spec: String, enabled: Bool = true, nextRunAt: Date, now: Date
    ) async throws -> ScheduledTaskRecord {
        try await writer.write { db in
            let ms = now.storeMillis
            if let existing = try Self.fetchScheduledTask(db, name: name) {
                if existing.spec != spec || (enabled && !existing.enabled) {
                    try db.execute(
                        sql: "UPDATE schedule_tasks SET spec = ?, enabled = ?, next_run_at = ?, updated_at = ? WHERE name = ?",
                        arguments: [spec, enabled, nextRunAt.storeMillis, ms, name])
                } else if existing.enabled != enabled {
                    try db.execute(
                        sql: "UPDATE schedule_tasks SET enabled = ?, updated_at = ? WHERE name = ?",
                        arguments: [enabled, ms, name])
                }
            } else {
                try db.execute(
                    sql: "INSERT INTO schedule_tasks (name, spec, enabled, next_run_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [name, spec, enabled, nextRunAt.storeMillis, ms])
            }
            guard let record = try Self.fetchScheduledTask(db, name: name) else {
                throw StoreError.database(path: db.description, underlying: "scheduled task \(name) vanished inside its transaction")
            }
            return record
        }
    }

    /// Every stored task, by name.
    public func scheduledTasks() async throws -> [ScheduledTaskRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.scheduleColumns) FROM schedule_tasks ORDER BY name")
                .map(Self.scheduledTask(from:))
        }
    }

    public func scheduledTask(named name: String) async throws -> ScheduledTaskRecord? {
        try await writer.read { db in try Self.fetchScheduledTask(db, name: name) }
    }

    /// Records a run that happened `at`: its outcome, the job it queued (nil when none) and the
    /// error (nil when none). `nextRunAt` moves the schedule on; nil leaves it where it is (a run
    /// asked for by hand). Returns nil when no such task is stored.
    @discardableResult
    public func recordScheduledRun(
        name: String, at: Date, jobID: Int64?, outcome: ScheduledRunOutcome, error: String?, nextRunAt: Date?
    ) async throws -> ScheduledTaskRecord? {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE schedule_tasks SET last_run_at = ?, last_outcome = ?, last_job_id = ?, last_error = ?,
                        next_run_at = COALESCE(?, next_run_at), updated_at = ?
                    WHERE name = ?
                    """,
                arguments: [at.storeMillis, outcome.rawValue, jobID, error, nextRunAt?.storeMillis, at.storeMillis, name])
            return try Self.fetchScheduledTask(db, name: name)
        }
    }

    /// Enabled tasks whose next run is at or before `now`, earliest first.
    public func dueScheduledTasks(now: Date) async throws -> [ScheduledTaskRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.scheduleColumns) FROM schedule_tasks
                    WHERE enabled = 1 AND next_run_at <= ? ORDER BY next_run_at, name
                    """,
                arguments: [now.storeMillis]
            ).map(Self.scheduledTask(from:))
        }
    }

    // MARK: - Rows

    private static func fetchScheduledTask(_ db: Database, name: String) throws -> ScheduledTaskRecord? {
        try Row.fetchOne(db, sql: "SELECT \(scheduleColumns) FROM schedule_tasks WHERE name = ?", arguments: [name])
            .map(scheduledTask(from:))
    }

    private static func scheduledTask(from row: Row) -> ScheduledTaskRecord {
        let lastRunAt: Int64? = row["last_run_at"]
        let outcomeText: String? = row["last_outcome"]
        return ScheduledTaskRecord(
            name: row["name"],
            spec: row["spec"],
            enabled: row["enabled"],
            nextRunAt: Date(storeMillis: row["next_run_at"]),
            lastRunAt: lastRunAt.map(Date.init(storeMillis:)),
            lastOutcome: outcomeText.flatMap(ScheduledRunOutcome.init(rawValue:)),
            lastJobID: row["last_job_id"],
            lastError: row["last_error"],
            updatedAt: Date(storeMillis: row["updated_at"])
        )
    }
}
