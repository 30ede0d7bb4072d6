import Foundation
import PinAdsJSON

/// A background job as the store keeps it. The daemon's edge turns it into the wire's `Job`.
public struct JobRecord: Sendable, Equatable {
    /// The life of a job: `queued` → `running` → `succeeded` | `failed` | `cancelled`; a failed
    /// attempt that will be retried is `waiting` until its `nextRunAt`.
    public enum State: String, Sendable, CaseIterable {
        case queued, running, waiting, succeeded, failed, cancelled

        /// A finished job changes no more unless it is retried by request.
        public var isFinished: Bool {
            switch self {
            case .succeeded, .failed, .cancelled: return true
            case .queued, .running, .waiting: return false
            }
        }
    }

    /// How far a running job has come: `done` of `total` units, and a note.
    public struct Progress: Sendable, Equatable {
        public var done: Int64
        public var total: Int64?
        public var message: String?

        public init(done: Int64, total: Int64? = nil, message: String? = nil) {
            self.done = done
            self.total = total
            self.message = message
        }
    }

    public var id: Int64
    public var kind: String
    public var state: State
    /// Attempts started so far.
    public var attempts: Int
    /// Attempts allowed before the job fails for good (first attempt plus retries).
    public var maxAttempts: Int
    /// The kind's payload, as its handler encoded it.
    public var payload: JSONValue
    /// The kind's result, as its handler encoded it.
    public var result: JSONValue?
    public var lastError: String?
    public var progress: Progress?
    /// When a queued or waiting job may next run.
    public var nextRunAt: Date?
    public var cancelRequested: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// What a waiting job waits for besides time, e.g. `connection:3` (a reconnect).
    public var blockedOn: String?

    public init(
        id: Int64, kind: String, state: State, attempts: Int, maxAttempts: Int, payload: JSONValue,
        result: JSONValue? = nil, lastError: String? = nil, progress: Progress? = nil, nextRunAt: Date? = nil,
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
}
