import Foundation
import GRDB
import PinAdsJSON

/// A job to put on the queue.
public struct NewJob: Sendable {
    public var kind: String
    public var payload: JSONValue
    public var maxAttempts: Int
    /// Not before this time; now when nil.
    public var runAt: Date?
    /// When set, enqueueing a second job with the same key returns the first instead.
    public var dedupeKey: String?
    /// Jobs with the same serial key form one chain: they run one after another, never
    /// interleaved. A job that has begun (run an attempt) stays the chain's head until it
    /// finishes: while it runs, waits for a retry or a reconnect, or is requeued after a crash,
    /// no other job of its key begins (the store refuses a second begun job of a key). Enqueueing
    /// one while another with that key is queued or waiting, with attempts left, returns that one
    /// instead (the head first; due at the earlier of the two times, or when it waits, at its
    /// own): changes arriving before it runs are coalesced into it. One that is running, or whose
    /// attempts are all used, does not absorb it: the new job runs after it.
    public var serialKey: String?

    public init(
        kind: String, payload: JSONValue, maxAttempts: Int, runAt: Date? = nil, dedupeKey: String? = nil, serialKey: String? = nil
    ) {
        self.kind = kind
        self.payload = payload
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.dedupeKey = dedupeKey
        self.serialKey = serialKey
    }
}

/// How an attempt of a job ended, as the worker records it.
public enum JobOutcome: Sendable, Equatable {
    case succeeded(result: JSONValue?)
    /// Try again at `at`; the job waits until then.
    case retry(error: String, at: Date)
    case failed(error: String)
    case cancelled(reason: String)
    /// The daemon stopped while the attempt ran: back to the queue, the attempt not counted.
    case interrupted
    /// The attempt could not proceed until `key` (e.g. "connection:3") is released; it waits
    /// for that, not for a time, and the attempt is not counted.
    case blocked(on: String, reason: String)
}

/// What `claimNextJob` found: the job to run, and jobs it failed on the way because their
/// attempts were used up (so watchers can be told).
public struct ClaimResult: Sendable, Equatable {
    public var claimed: JobRecord?
    public var exhausted: [JobRecord]
}

/// What `requestCancel` did.
public enum CancelOutcome: Sendable, Equatable {
    /// The job was queued or waiting and is now cancelled.
    case cancelled(JobRecord)
    /// The job is running; its worker has been asked to stop.
    case requested(JobRecord)
    case alreadyFinished(JobRecord)
    case notFound
}

/// What `retryJob` did.
public enum RetryOutcome: Sendable, Equatable {
    case requeued(JobRecord)
    case notRetryable(JobRecord)
    case notFound
}

extension Store {
    /// SQL condition: the job has no serial key, or no other unfinished job with its key has
    /// begun (the chain's head; its finish wakes the workers). The unique index
    /// `jobs_one_begun_per_serial_key` holds the same rule in the schema.
    private static let notBehindItsChainsHead = """
        (jobs.serial_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM jobs AS other WHERE other.serial_key = jobs.serial_key AND other.id <> jobs.id
                AND other.state IN ('queued', 'waiting', 'running') AND other.started_at IS NOT NULL))
        """

    private static let jobColumns = """
        id, kind, payload, state, attempts, max_attempts, next_run_at, last_error, progress_done,
        progress_total, progress_message, result, cancel_requested, created_at, updated_at, started_at, finished_at, blocked_on
        """

    /// Puts a job on the queue (or returns the existing one with the same dedupe key).
    public func enqueueJob(_ new: NewJob, now: Date) async throws -> JobRecord {
        let payload = try encodeJSON(new.payload)
        return try await writer.write { db in
            if let key = new.dedupeKey,
                let existing = try Row.fetchOne(db, sql: "SELECT \(Self.jobColumns) FROM jobs WHERE dedupe_key = ?", arguments: [key])
            {
                return try Self.job(from: existing)
            }
            let ms = now.storeMillis
            let runAt = (new.runAt ?? now).storeMillis
            // Never into one whose attempts are all used (restarts cut them short; it fails at
            // its claim without running): the changes get a fresh job, which runs after it.
            if let key = new.serialKey,
                let waiting = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, state, next_run_at FROM jobs
                        WHERE serial_key = ? AND state IN ('queued', 'waiting') AND cancel_requested = 0
                            AND attempts < max_attempts
                        ORDER BY started_at IS NULL, id LIMIT 1
                        """,
                    arguments: [key])
            {
                let id: Int64 = waiting["id"]
                let due: Int64 = waiting["next_run_at"]
                let state: String = waiting["state"]
                // A queued one runs at the earlier time; one waiting (for a retry's backoff, or
                // for a reconnect) keeps waiting.
                if state == "queued", runAt < due {
                    try db.execute(sql: "UPDATE jobs SET next_run_at = ?, updated_at = ? WHERE id = ?", arguments: [runAt, ms, id])
                }
                return try Self.fetchJob(db, id: id)
            }
            try db.execute(
                sql: """
                    INSERT INTO jobs (kind, payload, state, attempts, max_attempts, next_run_at, dedupe_key, serial_key, created_at, updated_at)
                    VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [new.kind, payload, new.maxAttempts, runAt, new.dedupeKey, new.serialKey, ms, ms]
            )
            return try Self.fetchJob(db, id: db.lastInsertedRowID)
        }
    }

    /// Atomically takes the next job that is due, marks it running and counts the attempt.
    /// A job whose attempts are already used up (it was interrupted by crashes) fails instead of
    /// running again, so a job that crashes the daemon cannot loop forever.
    public func claimNextJob(now: Date, kinds: Set<String>) async throws -> ClaimResult {
        guard !kinds.isEmpty else { return ClaimResult(claimed: nil, exhausted: []) }
        let kindList = Array(kinds)
        return try await writer.write { db in
            var exhausted: [JobRecord] = []
            while true {
                let placeholders = databaseQuestionMarks(count: kindList.count)
                var arguments: StatementArguments = [now.storeMillis]
                arguments += StatementArguments(kindList)
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT id, attempts, max_attempts FROM jobs
                            WHERE state IN ('queued', 'waiting') AND cancel_requested = 0 AND next_run_at <= ?
                                AND kind IN (\(placeholders)) AND \(Self.notBehindItsChainsHead)
                            ORDER BY next_run_at, id LIMIT 1
                            """,
                        arguments: arguments
                    )
                else { return ClaimResult(claimed: nil, exhausted: exhausted) }
                let id: Int64 = row["id"]
                let attempts: Int = row["attempts"]
                let maxAttempts: Int = row["max_attempts"]
                let ms = now.storeMillis
                if attempts >= maxAttempts {
                    try db.execute(
                        sql: """
                            UPDATE jobs SET state = 'failed', updated_at = ?, finished_at = ?,
                                last_error = 'gave up: all ' || max_attempts || ' attempts were used (the last was interrupted)'
                            WHERE id = ?
                            """,
                        arguments: [ms, ms, id]
                    )
                    exhausted.append(try Self.fetchJob(db, id: id))
                    continue
                }
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?, updated_at = ?,
                            progress_done = NULL, progress_total = NULL, progress_message = NULL
                        WHERE id = ?
                        """,
                    arguments: [ms, ms, id]
                )
                return ClaimResult(claimed: try Self.fetchJob(db, id: id), exhausted: exhausted)
            }
        }
    }

    /// Records how an attempt ended.
    public func finishAttempt(id: Int64, outcome: JobOutcome, now: Date) async throws -> JobRecord? {
        let ms = now.storeMillis
        let resultText = try { () throws -> String? in
            if case .succeeded(let result?) = outcome { return try encodeJSON(result) }
            return nil
        }()
        return try await writer.write { db in
            switch outcome {
            case .succeeded:
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'succeeded', result = ?, last_error = NULL, updated_at = ?, finished_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [resultText, ms, ms, id])
            case .retry(let error, let at):
                try db.execute(
                    sql: """
                        UPDATE jobs SET
                            state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'waiting' END,
                            finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END,
                            last_error = ?, next_run_at = ?, updated_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [ms, error, at.storeMillis, ms, id])
            case .failed(let error):
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'failed', last_error = ?, updated_at = ?, finished_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [error, ms, ms, id])
            case .cancelled(let reason):
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'cancelled', last_error = ?, updated_at = ?, finished_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [reason, ms, ms, id])
            case .blocked(let key, let reason):
                try Self.block(db, id: id, on: key, reason: reason, ms: ms)
            case .interrupted:
                try db.execute(
                    sql: """
                        UPDATE jobs SET
                            state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'queued' END,
                            finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END,
                            last_error = CASE WHEN cancel_requested = 1 THEN 'cancelled by request' ELSE last_error END,
                            attempts = MAX(attempts - 1, 0), next_run_at = ?, updated_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [ms, ms, ms, id])
            }
            return try Self.fetchJobIfExists(db, id: id)
        }
    }

    /// An attempt is blocked on `key` (a connection that needs a reconnect): the job waits for
    /// it without using an attempt. The connection may have been fixed (or dropped) while the
    /// attempt ran: then there is nothing to wait for.
    private static func block(_ db: Database, id: Int64, on key: String, reason: String, ms: Int64) throws {
        if key.hasPrefix("connection:"), let connection = Int64(key.dropFirst("connection:".count)) {
            switch try String.fetchOne(db, sql: "SELECT state FROM connections WHERE id = ?", arguments: [connection]) {
            case "active":
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'queued' END,
                            finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END,
                            attempts = MAX(attempts - 1, 0), next_run_at = ?, updated_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [ms, ms, ms, id])
                return
            case "disconnected", nil:
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'cancelled', last_error = ?, updated_at = ?, finished_at = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: ["connection \(connection) was disconnected", ms, ms, id])
                return
            default:
                break
            }
        }
        try db.execute(
            sql: """
                UPDATE jobs SET
                    state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'waiting' END,
                    finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END,
                    blocked_on = ?, last_error = ?, attempts = MAX(attempts - 1, 0), next_run_at = ?, updated_at = ?
                WHERE id = ? AND state = 'running'
                """,
            arguments: [ms, key, reason, Self.neverMillis, ms, id])
    }

    /// Records progress of a running job.
    public func updateProgress(id: Int64, progress: JobRecord.Progress, now: Date) async throws -> JobRecord? {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET progress_done = ?, progress_total = ?, progress_message = ?, updated_at = ?
                    WHERE id = ? AND state = 'running'
                    """,
                arguments: [progress.done, progress.total, progress.message, now.storeMillis, id])
            return try Self.fetchJobIfExists(db, id: id)
        }
    }

    /// Cancels a queued or waiting job at once; flags a running one for its worker to stop.
    public func requestCancel(id: Int64, now: Date) async throws -> CancelOutcome {
        let ms = now.storeMillis
        return try await writer.write { db in
            guard let job = try Self.fetchJobIfExists(db, id: id) else { return .notFound }
            switch job.state {
            case .queued, .waiting:
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'cancelled', cancel_requested = 1, last_error = 'cancelled by request',
                            blocked_on = NULL, updated_at = ?, finished_at = ? WHERE id = ?
                        """,
                    arguments: [ms, ms, id])
                return .cancelled(try Self.fetchJob(db, id: id))
            case .running:
                try db.execute(
                    sql: "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?", arguments: [ms, id])
                return .requested(try Self.fetchJob(db, id: id))
            case .succeeded, .failed, .cancelled:
                return .alreadyFinished(job)
            }
        }
    }

    /// Requeues a failed or cancelled job to run now, with its attempts reset.
    public func retryJob(id: Int64, now: Date) async throws -> RetryOutcome {
        let ms = now.storeMillis
        return try await writer.write { db in
            guard let job = try Self.fetchJobIfExists(db, id: id) else { return .notFound }
            guard job.state == .failed || job.state == .cancelled else { return .notRetryable(job) }
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'queued', attempts = 0, cancel_requested = 0, next_run_at = ?, blocked_on = NULL,
                        progress_done = NULL, progress_total = NULL, progress_message = NULL, result = NULL,
                        updated_at = ?, started_at = NULL, finished_at = NULL
                    WHERE id = ?
                    """,
                arguments: [ms, ms, id])
            return .requeued(try Self.fetchJob(db, id: id))
        }
    }

    /// At start-up: jobs left `running` by a crash go back to `queued` (or to `cancelled` when a
    /// cancel had been asked for). Returns how many were put back on the queue. The attempt cut
    /// short stays counted (a job whose every attempt was cut short fails at its claim), and a
    /// requeued job stays the head of its serial key's chain: a job queued behind it meanwhile
    /// still waits for it.
    @discardableResult
    public func recoverInterruptedJobs(now: Date) async throws -> Int {
        let ms = now.storeMillis
        return try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'cancelled', last_error = 'cancelled by request', updated_at = ?, finished_at = ?
                    WHERE state = 'running' AND cancel_requested = 1
                    """,
                arguments: [ms, ms])
            try db.execute(
                sql: "UPDATE jobs SET state = 'queued', next_run_at = ?, updated_at = ? WHERE state = 'running'",
                arguments: [ms, ms])
            return db.changesCount
        }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await writer.read { db in try Self.fetchJobIfExists(db, id: id) }
    }

    /// Jobs newest first.
    public func listJobs(state: JobRecord.State?, kind: String?, limit: Int, beforeID: Int64?) async throws -> [JobRecord] {
        try await writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state {
                conditions.append("state = ?")
                arguments += [state.rawValue]
            }
            if let kind {
                conditions.append("kind = ?")
                arguments += [kind]
            }
            if let beforeID {
                conditions.append("id < ?")
                arguments += [beforeID]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit]
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.jobColumns) FROM jobs \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments
            ).map(Self.job(from:))
        }
    }

    /// Number of jobs in each state, every state included.
    public func jobCounts() async throws -> [JobRecord.State: Int] {
        try await writer.read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobRecord.State.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let state = JobRecord.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// When the earliest queued or waiting job of these kinds becomes due; nil when none is.
    public func nextDueTime(kinds: Set<String>) async throws -> Date? {
        guard !kinds.isEmpty else { return nil }
        let kindList = Array(kinds)
        return try await writer.read { db in
            let ms = try Int64.fetchOne(
                db,
                sql: """
                    SELECT MIN(next_run_at) FROM jobs
                    WHERE state IN ('queued', 'waiting') AND kind IN (\(databaseQuestionMarks(count: kindList.count)))
                        AND \(Self.notBehindItsChainsHead)
                    """,
                arguments: StatementArguments(kindList))
            return ms.map(Date.init(storeMillis:))
        }
    }

    // MARK: - Rows

    private static func fetchJob(_ db: Database, id: Int64) throws -> JobRecord {
        guard let job = try fetchJobIfExists(db, id: id) else {
            throw StoreError.database(path: db.description, underlying: "job \(id) vanished inside its transaction")
        }
        return job
    }

    static func fetchJobIfExists(_ db: Database, id: Int64) throws -> JobRecord? {
        try Row.fetchOne(db, sql: "SELECT \(jobColumns) FROM jobs WHERE id = ?", arguments: [id]).map(job(from:))
    }

    private static func job(from row: Row) throws -> JobRecord {
        let stateText: String = row["state"]
        let progressDone: Int64? = row["progress_done"]
        let progressMessage: String? = row["progress_message"]
        let progress: JobRecord.Progress? =
            (progressDone != nil || progressMessage != nil)
            ? JobRecord.Progress(done: progressDone ?? 0, total: row["progress_total"], message: progressMessage) : nil
        let state = JobRecord.State(rawValue: stateText) ?? .failed
        let nextRunAt: Int64 = row["next_run_at"]
        let startedAt: Int64? = row["started_at"]
        let finishedAt: Int64? = row["finished_at"]
        let resultText: String? = row["result"]
        let blockedOn: String? = row["blocked_on"]
        return JobRecord(
            id: row["id"],
            kind: row["kind"],
            state: state,
            attempts: row["attempts"],
            maxAttempts: row["max_attempts"],
            payload: try decodeJSON(row["payload"]),
            result: try resultText.map(decodeJSON),
            lastError: row["last_error"],
            progress: progress,
            nextRunAt: (state == .queued || state == .waiting) && blockedOn == nil ? Date(storeMillis: nextRunAt) : nil,
            cancelRequested: row["cancel_requested"],
            createdAt: Date(storeMillis: row["created_at"]),
            updatedAt: Date(storeMillis: row["updated_at"]),
            startedAt: startedAt.map(Date.init(storeMillis:)),
            finishedAt: finishedAt.map(Date.init(storeMillis:)),
            blockedOn: blockedOn
        )
    }
}

func encodeJSON(_ value: JSONValue) throws -> String {
    String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
}

func decodeJSON(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}
