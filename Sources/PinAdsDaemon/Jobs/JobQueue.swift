import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore

/// The daemon's front to the durable job queue: every change to a job goes through here, is
/// committed to the store, and is then announced to watchers and to the worker pool.
public actor JobQueue {
    public let store: Store
    public let clock: any WallClock
    private let logger: Logger

    private var watchers: [Int: AsyncStream<Job>.Continuation] = [:]
    private var nextWatcherID = 0
    private var watchersClosed = false
    /// Wakes the worker pool when a job may have become runnable.
    private var wakeWorkers: (@Sendable () -> Void)?
    /// Asks the worker pool to stop a running job.
    private var stopRunningJob: (@Sendable (Int64) -> Void)?

    public init(store: Store, clock: any WallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    func attachWorkers(wake: @escaping @Sendable () -> Void, stop: @escaping @Sendable (Int64) -> Void) {
        wakeWorkers = wake
        stopRunningJob = stop
    }

    // MARK: - Changes

    public func enqueue(_ new: NewJob) async throws -> Job {
        let job = try await store.enqueueJob(new, now: clock.now())
        logger.info("job queued", metadata: ["job_id": "\(job.id)", "kind": "\(job.kind)"])
        publish(job)
        wakeWorkers?()
        return job
    }

    func claim(kinds: Set<String>) async throws -> Job? {
        guard let job = try await store.claimNextJob(now: clock.now(), kinds: kinds) else { return nil }
        publish(job)
        return job
    }

    func finishAttempt(id: Int64, outcome: JobOutcome) async throws {
        if let job = try await store.finishAttempt(id: id, outcome: outcome, now: clock.now()) {
            publish(job)
        }
    }

    func reportProgress(id: Int64, progress: JobProgress) async {
        do {
            if let job = try await store.updateProgress(id: id, progress: progress, now: clock.now()) {
                publish(job)
            }
        } catch {
            // Progress is advisory: losing one update must not fail the job.
            logger.warning("could not record job progress", metadata: ["job_id": "\(id)", "error": "\(error)"])
        }
    }

    public func cancel(id: Int64) async throws -> CancelOutcome {
        let outcome = try await store.requestCancel(id: id, now: clock.now())
        switch outcome {
        case .cancelled(let job):
            publish(job)
        case .requested(let job):
            publish(job)
            stopRunningJob?(id)
        case .alreadyFinished, .notFound:
            break
        }
        return outcome
    }

    public func retry(id: Int64) async throws -> RetryOutcome {
        let outcome = try await store.retryJob(id: id, now: clock.now())
        if case .requeued(let job) = outcome {
            publish(job)
            wakeWorkers?()
        }
        return outcome
    }

    // MARK: - Watching

    /// A stream of every job change from now on. Ends when `closeWatchers()` is called.
    public func watch() -> (id: Int, changes: AsyncStream<Job>) {
        let (stream, continuation) = AsyncStream<Job>.makeStream(bufferingPolicy: .unbounded)
        let id = nextWatcherID
        nextWatcherID += 1
        if watchersClosed {
            continuation.finish()
        } else {
            watchers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                Task { await self?.unwatch(id) }
            }
        }
        return (id, stream)
    }

    public func unwatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.finish()
    }

    /// Ends every watch: the daemon is shutting down.
    public func closeWatchers() {
        watchersClosed = true
        for continuation in watchers.values { continuation.finish() }
        watchers.removeAll()
    }

    public var watcherCount: Int { watchers.count }

    private func publish(_ job: Job) {
        for continuation in watchers.values { continuation.yield(job) }
    }
}
