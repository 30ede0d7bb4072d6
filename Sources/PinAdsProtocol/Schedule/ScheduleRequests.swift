import Foundation

/// `schedule.list`: the recurring tasks, when each runs next, and how its last run went.
public struct ListScheduleRequest: PinAdsRequest {
    public static let method = "schedule.list"
    public typealias Result = ListScheduleResult
    public init() {}
}

public struct ListScheduleResult: Codable, Sendable, Equatable {
    public var tasks: [ScheduledTaskInfo]
    public init(tasks: [ScheduledTaskInfo]) { self.tasks = tasks }
}

/// One recurring task. Times are UTC.
public struct ScheduledTaskInfo: Codable, Sendable, Equatable {
    public var name: String
    /// E.g. `daily 05:00`, `every 6h at 00:00`, or a cron line `0 */6 * * *`.
    public var spec: String
    /// The kind of job each run queues.
    public var jobKind: String
    public var enabled: Bool
    /// `scheduled`, `disabled`, or `no_handler` (its job kind is not part of this daemon yet).
    public var state: String
    public var nextRunAt: Date?
    public var lastRunAt: Date?
    /// `queued` (the run's job was queued; see `last_job_state`) or `failed`.
    public var lastOutcome: String?
    public var lastJobId: Int64?
    public var lastJobState: JobState?
    public var lastError: String?

    public init(
        name: String, spec: String, jobKind: String, enabled: Bool, state: String, nextRunAt: Date?, lastRunAt: Date?,
        lastOutcome: String?, lastJobId: Int64?, lastJobState: JobState?, lastError: String?
    ) {
        self.name = name
        self.spec = spec
        self.jobKind = jobKind
        self.enabled = enabled
        self.state = state
        self.nextRunAt = nextRunAt
        self.lastRunAt = lastRunAt
        self.lastOutcome = lastOutcome
        self.lastJobId = lastJobId
        self.lastJobState = lastJobState
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case name, spec, enabled, state
        case jobKind = "job_kind"
        case nextRunAt = "next_run_at"
        case lastRunAt = "last_run_at"
        case lastOutcome = "last_outcome"
        case lastJobId = "last_job_id"
        case lastJobState = "last_job_state"
        case lastError = "last_error"
    }
}

/// `schedule.run`: runs a task now (queues its job); the regular schedule is unchanged.
public struct RunScheduledTaskRequest: PinAdsRequest {
    public static let method = "schedule.run"
    public typealias Result = JobResult
    public var task: String
    public init(task: String) { self.task = task }
}
