/// `jobs.list`: jobs, newest first, optionally of one state and/or kind.
public struct ListJobsRequest: PinAdsRequest {
    public static let method = "jobs.list"
    public static let role = MethodRole.client
    public typealias Result = ListJobsResult

    public var state: JobState?
    public var kind: String?
    /// At most this many jobs (1–1000, default 50).
    public var limit: Int?
    /// Only jobs with an id below this: pass the previous page's `next_before_id`.
    public var beforeId: Int64?

    public init(state: JobState? = nil, kind: String? = nil, limit: Int? = nil, beforeId: Int64? = nil) {
        self.state = state
        self.kind = kind
        self.limit = limit
        self.beforeId = beforeId
    }

    enum CodingKeys: String, CodingKey {
        case state, kind, limit
        case beforeId = "before_id"
    }
}

public struct ListJobsResult: Codable, Sendable, Equatable {
    public var jobs: [Job]
    /// Present when more jobs match: the `before_id` of the next page.
    public var nextBeforeId: Int64?

    public init(jobs: [Job], nextBeforeId: Int64?) {
        self.jobs = jobs
        self.nextBeforeId = nextBeforeId
    }

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextBeforeId = "next_before_id"
    }
}

/// `jobs.get`: one job by id.
public struct GetJobRequest: PinAdsRequest {
    public static let method = "jobs.get"
    public static let role = MethodRole.client
    public typealias Result = JobResult
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// `jobs.watch`: streams one event per state or progress change of the given jobs, and ends
/// with their final state once all have finished. Closing the connection stops the watch.
public struct WatchJobsRequest: PinAdsStreamingRequest {
    public static let method = "jobs.watch"
    public static let role = MethodRole.client
    public typealias Result = WatchJobsResult
    public typealias Event = JobEvent

    /// 1–100 job ids.
    public var ids: [Int64]

    public init(ids: [Int64]) { self.ids = ids }
}

/// One change of one job.
public struct JobEvent: Codable, Sendable, Equatable {
    public var job: Job
    public init(job: Job) { self.job = job }
}

public struct WatchJobsResult: Codable, Sendable, Equatable {
    public var jobs: [Job]
    public init(jobs: [Job]) { self.jobs = jobs }
}

/// `jobs.retry`: requeues a failed or cancelled job now, with a fresh budget of attempts.
public struct RetryJobRequest: PinAdsRequest {
    public static let method = "jobs.retry"
    public typealias Result = JobResult
    public var id: Int64
    public init(id: Int64) { self.id = id }
}

/// `jobs.cancel`: a queued or waiting job is cancelled at once; a running one is asked to stop
/// and is `cancelled` when it has.
public struct CancelJobRequest: PinAdsRequest {
    public static let method = "jobs.cancel"
    public typealias Result = JobResult
    public var id: Int64
    public init(id: Int64) { self.id = id }
}
