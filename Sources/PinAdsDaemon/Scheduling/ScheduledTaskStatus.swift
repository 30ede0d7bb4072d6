import Foundation
import PinAdsStore
import PinAdsStore

/// One task as `schedule.list` shows it.
public struct ScheduledTaskStatus: Sendable, Equatable {
    /// Whether the task runs on its schedule.
    public enum State: String, Sendable, Equatable {
        /// Runs at `nextRunAt`.
        case scheduled
        /// Turned off in the configuration; runs only when asked (`schedule.run`).
        case disabled
        /// Its job kind is not registered in this daemon yet, so it never runs.
        case noHandler = "no_handler"
    }

    public var name: String
    /// The spec's canonical text, e.g. `daily 05:00`.
    public var spec: String
    public var jobKind: String
    public var enabled: Bool
    public var state: State
    /// The slot the task runs at next; nil unless `state` is `scheduled`.
    public var nextRunAt: Date?
    public var lastRunAt: Date?
    /// `queued` when the last run queued its job; that job's own state is `lastJobState`.
    public var lastOutcome: ScheduledRunOutcome?
    public var lastJobID: Int64?
    /// The current state of job `lastJobID` (nil when there is none).
    public var lastJobState: JobRecord.State?
    /// Why the last run could not queue its job.
    public var lastError: String?

    public init(
        name: String, spec: String, jobKind: String, enabled: Bool, state: State, nextRunAt: Date? = nil,
        lastRunAt: Date? = nil, lastOutcome: ScheduledRunOutcome? = nil, lastJobID: Int64? = nil,
        lastJobState: JobRecord.State? = nil, lastError: String? = nil
    ) {
        self.name = name
        self.spec = spec
        self.jobKind = jobKind
        self.enabled = enabled
        self.state = state
        self.nextRunAt = nextRunAt
        self.lastRunAt = lastRunAt
        self.lastOutcome = lastOutcome
        self.lastJobID = lastJobID
        self.lastJobState = lastJobState
        self.lastError = lastError
    }
}

/// What the scheduler refuses.
public enum SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `schedule.run` named a task that is not configured.
    case unknownTask(String, known: [String])
    /// The task's job kind has no handler in this daemon.
    case noHandler(task: String, jobKind: String)
    /// Two configured tasks share a name.
    case duplicateTask(String)
    /// A configured task name is empty or holds characters other than `a-z`, `0-9` and `_`.
    case invalidTaskName(String)
    /// `run()` was called a second time.
    case alreadyStarted

    public var description: String {
        switch self {
        case .unknownTask(let name, let known):
            return "no scheduled task '\(name)'; the tasks are \(known.joined(separator: ", "))"
        case .noHandler(let task, let jobKind):
            return "task \(task) cannot run yet: this daemon has no handler for job kind \(jobKind)"
        case .duplicateTask(let name):
            return "scheduled task '\(name)' is configured twice"
        case .invalidTaskName(let name):
            return "scheduled task name '\(name)' must be non-empty lowercase letters, digits and '_'"
        case .alreadyStarted:
            return "the scheduler is already running"
        }
    }
}
