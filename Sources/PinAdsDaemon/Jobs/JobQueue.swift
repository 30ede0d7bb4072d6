import Foundation
import Logging
import PinAdsJSON
import PinAdsStore

/// The daemon's front to the durable job queue: every change to a job goes through here, is
/// committed to the store, and is then announced to watchers and to the worker pool.
public actor JobQueue {
    public let store: Store
    public let clock: any WallClock
    /// The kinds this daemon runs; a job of another kind could never run, so it is refused.
    public let registry: JobRegistry
    private let logger: Logger

    private struct Watcher {
        var ids: Set<Int64>
        var continuation: AsyncStream<JobRecord>.Continuation
    }

    private var watchers: [Int: Watcher] = [:]
    private var nextWatcherID = 0
    private var watchersClosed = false
    /// Wakes the worker pool when a job may have become runnable.
    private var wakeWorkers: (@Sendable () -> Void)?
    /// Asks the worker pool to stop a running job.
    private var stopRunningJob: (@Sendable (Int64) -> Void)?

    public init(store: Store, clock: any WallClock, registry: JobRegistry, logger: Logger) {
        self.store = store
        self.clock = clock
        self.registry = registry
        self.logger = logger
    }

    func attachWorkers(wake: @escaping @Sendable () -> Void, stop: @escaping @Sendable (Int64) -> Void) {
        wakeWorkers = wake
        stopRunningJob = stop
    }

    /// Something outside the queue made jobs due now (a reconnect released the jobs that waited
    /// for it): the workers look at once instead of at their next timer.
    public func wake() {
        wakeWorkers?()
    }

    // MARK: - Changes

    /// Why a job cannot be queued.
    public struct UnknownKind: Error, CustomStringConvertible {
        public var kind: String
        public var description: String { "no job kind '\(kind)' is registered" }
    }

    /// Queues a job of a registered kind, with that kind's attempt budget.
    /// Jobs sharing a `serialKey` run one at a time and coalesce while queued (see `NewJob`).
    public func enqueue<H: JobHandler>(
        _ kind: H.Type, _ payload: H.Payload, runAt: Date? = nil, dedupeKey: String? = nil, serialKey: String? = nil
    ) async throws -> JobRecord {
        try await enqueue(kind: H.kind, payload: try JSONValue(encoding: payload), runAt: runAt, dedupeKey: dedupeKey, serialKey: serialKey)
    }

    /// Queues a job whose payload is already JSON (a scheduled task's, say); its handler reads
    /// it when the job runs.
    func enqueue(
        kind: String, payload: JSONValue, runAt: Date? = nil, dedupeKey: String? = nil, serialKey: String? = nil
    ) async throws -> JobRecord {
        guard let handler = registry.handler(for: kind) else { throw UnknownKind(kind: kind) }
        let new = NewJob(
            kind: kind, payload: payload, maxAttempts: handler.retryPolicy.maxAttempts, runAt: runAt, dedupeKey: dedupeKey,
            serialKey: serialKey)
        let job = try await store.enqueueJob(new, now: clock.now())
        logger.info("job queued", metadata: ["job_id": "\(job.id)", "kind": "\(job.kind)"])
        publish(job)
        wakeWorkers?()
        return job
    }

    func claim() async throws -> JobRecord? {
        let result = try await store.claimNextJob(now: clock.now(), kinds: registry.kinds)
        for job in result.exhausted {
            logger.warning("job failed: every attempt was interrupted", metadata: ["job_id": "\(job.id)", "kind": "\(job.kind)"])
            publish(job)
            await registry.handler(for: job.kind)?.gaveUp(job)
        }
        if let job = result.claimed { publish(job) }
        return result.claimed
    }

    func finishAttempt(id: Int64, outcome: JobOutcome) async throws {
        if let job = try await store.finishAttempt(id: id, outcome: outcome, now: clock.now()) {
            publish(job)
        }
    }

    func reportProgress(id: Int64, progress: JobRecord.Progress) async {
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

    /// Changes of the given jobs from now on. Ends when `closeWatchers()` is called. A watcher
    /// that does not keep up loses intermediate changes, never the latest ones.
    public func watch(ids: Set<Int64>) -> (id: Int, changes: AsyncStream<JobRecord>) {
        let (stream, continuation) = AsyncStream<JobRecord>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = nextWatcherID
        nextWatcherID += 1
        if watchersClosed {
            continuation.finish()
        } else {
            watchers[id] = Watcher(ids: ids, continuation: continuation)
            continuation.onTermination = { [weak self] _ in
                Task { await self?.unwatch(id) }
            }
        }
        return (id, stream)
    }

    public func unwatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Ends every watch: the daemon is shutting down.
    public func closeWatchers() {
        watchersClosed = true
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers.removeAll()
    }

    public var watcherCount: Int { watchers.count }

    private func publish(_ job: JobRecord) {
        for watcher in watchers.values where watcher.ids.contains(job.id) { watcher.continuation.yield(job) }
    }
}
