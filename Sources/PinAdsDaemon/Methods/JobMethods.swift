import Foundation
import PinAdsProtocol
import PinAdsStore

/// `jobs.*` methods.
struct JobMethods: Sendable {
    let store: Store
    let queue: JobQueue

    func list(_ request: ListJobsRequest) async throws -> ListJobsResult {
        let limit = try Validate.range(request.limit ?? 50, 1...1000, field: "limit")
        if let kind = request.kind, kind.isEmpty {
            throw ResponseError.invalidArgument(field: "kind", reason: "must not be empty; leave it out to list every kind")
        }
        // One extra row tells whether another page follows.
        var jobs = try await store.listJobs(state: request.state.map(JobRecord.State.init), kind: request.kind, limit: limit + 1, beforeID: request.beforeId)
        var next: Int64?
        if jobs.count > limit {
            jobs.removeLast()
            next = jobs.last?.id
        }
        return ListJobsResult(jobs: jobs.map(Job.init), nextBeforeId: next)
    }

    func get(_ request: GetJobRequest) async throws -> JobResult {
        guard let job = try await store.job(id: request.id) else { throw ResponseError.notFound("job", id: String(request.id)) }
        return JobResult(job: Job(job))
    }

    func retry(_ request: RetryJobRequest) async throws -> JobResult {
        switch try await queue.retry(id: request.id) {
        case .requeued(let job):
            return JobResult(job: Job(job))
        case .notRetryable(let job):
            throw ResponseError.failedPrecondition(
                "job \(job.id) is \(job.state.rawValue); only failed or cancelled jobs can be retried")
        case .notFound:
            throw ResponseError.notFound("job", id: String(request.id))
        }
    }

    func cancel(_ request: CancelJobRequest) async throws -> JobResult {
        switch try await queue.cancel(id: request.id) {
        case .cancelled(let job), .requested(let job):
            return JobResult(job: Job(job))
        case .alreadyFinished(let job):
            throw ResponseError.failedPrecondition("job \(job.id) already finished: it is \(job.state.rawValue)")
        case .notFound:
            throw ResponseError.notFound("job", id: String(request.id))
        }
    }

    /// Sends each job's current state, then every change, until all have finished.
    func watch(_ request: WatchJobsRequest, events: EventSink<JobEvent>) async throws -> WatchJobsResult {
        guard (1...100).contains(request.ids.count) else {
            throw ResponseError.invalidArgument(field: "ids", reason: "must hold 1 to 100 job ids, got \(request.ids.count)")
        }
        var ids: [Int64] = []
        for id in request.ids where !ids.contains(id) { ids.append(id) }

        // Subscribe before reading, so no change between the read and the subscription is lost.
        let (watchID, changes) = await queue.watch(ids: Set(ids))
        do {
            let result = try await follow(ids: ids, changes: changes, events: events)
            await queue.unwatch(watchID)
            return result
        } catch {
            await queue.unwatch(watchID)
            throw error
        }
    }

    private func follow(ids: [Int64], changes: AsyncStream<JobRecord>, events: EventSink<JobEvent>) async throws -> WatchJobsResult {
        var current: [Int64: JobRecord] = [:]
        for id in ids {
            guard let job = try await store.job(id: id) else { throw ResponseError.notFound("job", id: String(id)) }
            current[id] = job
        }
        func result() -> WatchJobsResult { WatchJobsResult(jobs: ids.compactMap { current[$0].map(Job.init) }) }
        func allFinished() -> Bool { current.values.allSatisfy { $0.state.isFinished } }

        for id in ids {
            if let job = current[id] { try await events.send(JobEvent(job: Job(job))) }
        }
        if allFinished() { return result() }

        for await job in changes {
            guard let known = current[job.id], job != known, job.updatedAt >= known.updatedAt else { continue }
            current[job.id] = job
            try await events.send(JobEvent(job: Job(job)))
            if allFinished() { return result() }
        }
        try Task.checkCancellation()
        throw ResponseError.unavailable("the daemon is shutting down; watch again once it has restarted")
    }
}
