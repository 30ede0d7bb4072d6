import Foundation

/// The life of a background job.
///
/// `queued` → `running` → `succeeded` | `failed` | `cancelled`; a failed attempt that will be
/// retried is `waiting` until its `next_run_at`.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, waiting, succeeded, failed, cancelled

    /// A finished job changes no more unless `jobs.retry` requeues it.
    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: return true
        case .queued, .running, .waiting: return false
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let state = JobState(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown job state '\(text)'; one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self = state
    }
}

/// How far a running job has come: `done` of `total` units (records, events, steps), and a note.
public struct JobProgress: Codable, Sendable, Equatable {
    public var done: Int64
    public var total: Int64?
    public var message: String?

    public init(done: Int64, total: Int64? = nil, message: String? = nil) {
        self.done = done
        self.total = total
        self.message = message
    }
}

/// A background job as the daemon reports it.
public struct Job: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var state: JobState
    /// Attempts started so far.
    public var attempts: Int
    /// Attempts allowed before the job fails for good (first attempt plus retries).
    public var maxAttempts: Int
    public var payload: JSONValue
    public var result: JSONValue?
    public var lastError: String?
    public var progress: JobProgress?
    /// When a queued or waiting job may next run.
    public var nextRunAt: Date?
    public var cancelRequested: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// What a waiting job waits for besides time, e.g. `connection:3` (a reconnect); the reason
    /// is in `last_error`.
    public var blockedOn: String?

    public init(
        id: Int64, kind: String, state: JobState, attempts: Int, maxAttempts: Int, payload: JSONValue,
        result: JSONValue? = nil, lastError: String? = nil, progress: JobProgress? = nil, nextRunAt: Date? = nil,
        cancelRequested: Bool = false, createdAt: Date, updatedAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil,
        blockedOn: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.payload = payload
        self.result = result
        self.lastError = lastError
        self.progress = progress
        self.nextRunAt = nextRunAt
        self.cancelRequested = cancelRequested
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.blockedOn = blockedOn
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, state, attempts, payload, result, progress
        case maxAttempts = "max_attempts"
        case lastError = "last_error"
        case nextRunAt = "next_run_at"
        case cancelRequested = "cancel_requested"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case blockedOn = "blocked_on"
    }
}

/// A result holding one job.
public struct JobResult: Codable, Sendable, Equatable {
    public var job: Job
    public init(job: Job) { self.job = job }
}
