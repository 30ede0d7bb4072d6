import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import ServiceLifecycle

/// Runs claimed jobs by kind, at most `concurrency` at once. Wakes when a job is queued, when one
/// finishes, and when the earliest waiting job becomes due. On shutdown it stops claiming,
/// interrupts running jobs and puts them back on the queue for the next start.
public actor JobWorkerPool: Service {
    private let queue: JobQueue
    private var registry: JobRegistry { queue.registry }
    private let concurrency: Int
    private let logger: Logger
    private let services: ServiceStates
    private let random: @Sendable () -> Double
    /// Work that must succeed before the first claim (the requeue of the jobs the last process
    /// left running, when it could not be written at start): tried again until it does.
    private var beforeFirstClaim: (@Sendable () async throws -> Void)?

    private struct Running {
        var attempt: Int
        var handler: Task<JSONValue?, any Error>
        var recorder: Task<Void, Never>
        var stopReason: StopReason?
    }

    private enum StopReason { case cancelledByRequest, shutdown }

    private var running: [Int64: Running] = [:]
    private var stopping = false
    private var timer: Task<Void, Never>?
    private var timerDate: Date?
    private var wake: AsyncStream<Void>.Continuation?

    public init(
        queue: JobQueue, concurrency: Int, logger: Logger, services: ServiceStates,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        beforeFirstClaim: (@Sendable () async throws -> Void)? = nil
    ) {
        self.beforeFirstClaim = beforeFirstClaim
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.services = services
        self.random = random
    }

    public func run() async throws {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        await queue.attachWorkers(
            wake: { continuation.yield() },
            stop: { id in Task { await self.stop(jobID: id, reason: .cancelledByRequest) } }
        )
        services.set("job_workers", state: .running, detail: detail)
        continuation.yield()
        await withGracefulShutdownHandler {
            for await _ in signals {
                await self.fill()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        await drain()
    }

    private var detail: String { "\(running.count)/\(concurrency) busy; kinds: \(registry.kinds.sorted().joined(separator: ", "))" }

    /// Claims due jobs while there is capacity, then sets a timer for the next one due.
    private func fill() async {
        guard !stopping else { return }
        if let pending = beforeFirstClaim {
            do {
                try await pending()
                beforeFirstClaim = nil
            } catch {
                // Claiming first would run a job that the pending requeue then puts back as
                // interrupted, and so run it twice.
                services.set("job_workers", state: .running, detail: "waiting for the store to write: \(detail)")
                armTimer(at: queue.clock.now().addingTimeInterval(1))
                return
            }
        }
        while running.count < concurrency, !stopping {
            let job: JobRecord?
            do {
                job = try await queue.claim()
            } catch {
                logger.error("could not claim a job; retrying in 1 s", metadata: ["error": "\(error)"])
                armTimer(at: queue.clock.now().addingTimeInterval(1))
                return
            }
            guard let job else { break }
            start(job)
        }
        services.set("job_workers", state: .running, detail: detail)
        guard running.count < concurrency else { return }
        do {
            if let due = try await queue.store.nextDueTime(kinds: registry.kinds) { armTimer(at: due) }
        } catch {
            logger.error("could not read when the next job is due; looking again in 1 s", metadata: ["error": "\(error)"])
            armTimer(at: queue.clock.now().addingTimeInterval(1))
        }
    }

    private func armTimer(at date: Date) {
        // A cancelled sleep keeps its timer until its date: re-arm only for another date, or
        // every fill (one per job change) would leave one behind.
        if timer != nil, timerDate == date { return }
        timerDate = date
        timer?.cancel()
        let clock = queue.clock
        let wake = self.wake
        timer = Task {
            do {
                try await clock.sleep(until: date)
                wake?.yield()
            } catch {}
        }
    }

    private func start(_ job: JobRecord) {
        guard let handler = registry.handler(for: job.kind) else { return }
        let queue = self.queue
        let context = JobContext(clock: queue.clock) { progress in
            await queue.reportProgress(id: job.id, progress: progress)
        }
        logger.info("job started", metadata: ["job_id": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)"])
        let work = Task { try await handler.run(job, context: context) }
        // The recorder is never cancelled, so the outcome is written even when the work is.
        let recorder = Task {
            let result = await work.result
            await self.record(job: job, policy: handler.retryPolicy, result: result)
        }
        running[job.id] = Running(attempt: job.attempts, handler: work, recorder: recorder, stopReason: nil)
    }

    private func record(job: JobRecord, policy: RetryPolicy, result: Result<JSONValue?, any Error>) async {
        let reason = running[job.id]?.stopReason
        let outcome: JobOutcome
        switch result {
        case .success(let value):
            outcome = .succeeded(result: value)
        case .failure where reason == .cancelledByRequest:
            outcome = .cancelled(reason: "cancelled by request")
        case .failure where reason == .shutdown:
            outcome = .interrupted
        case .failure(let error as JobFailure) where error.blockedOn != nil:
            outcome = .blocked(on: error.blockedOn ?? "", reason: error.message)
        case .failure(let error as ConnectionUnavailable) where error.isPermanent:
            outcome = .cancelled(reason: error.description)
        case .failure(let error as ConnectionUnavailable):
            // Waits for a reconnect instead of failing or using up attempts.
            outcome = .blocked(on: error.blockKey, reason: error.description)
        case .failure(let error):
            let failure = error as? JobFailure ?? JobFailure(String(describing: error), retryable: true)
            // The row's budget decides: it was fixed when the job was queued.
            var budget = policy
            budget.maxAttempts = job.maxAttempts
            switch budget.decision(afterFailedAttempt: job.attempts, retryable: failure.retryable, random: random()) {
            case .retry(let delay):
                outcome = .retry(error: failure.message, at: queue.clock.now().addingTimeInterval(delay))
            case .giveUp:
                let attempts = job.attempts == 1 ? "1 attempt" : "\(job.attempts) attempts"
                outcome = .failed(error: failure.retryable ? "\(failure.message) (gave up after \(attempts))" : failure.message)
            }
        }
        await store(outcome, of: job)
        logger.info("job attempt ended", metadata: ["job_id": "\(job.id)", "kind": "\(job.kind)", "outcome": "\(outcome.label)"])
        // A quick retry may already have been claimed and started again: leave that one be.
        if running[job.id]?.attempt == job.attempts { running[job.id] = nil }
        services.set("job_workers", state: stopping ? .stopping : .running, detail: detail)
        wake?.yield()
    }

    /// Writes an attempt's outcome, trying again while the store refuses (disk full, busy): a
    /// job must not stay `running` while nothing runs it. During shutdown it gives up after a
    /// few tries; the next start requeues what is still `running`.
    private func store(_ outcome: JobOutcome, of job: JobRecord) async {
        var delay = 0.1
        for attempt in 1... {
            do {
                try await queue.finishAttempt(id: job.id, outcome: outcome)
                return
            } catch {
                logger.error(
                    "could not record a job's outcome; trying again",
                    metadata: ["job_id": "\(job.id)", "attempt": "\(attempt)", "error": "\(error)"])
                if stopping && attempt >= 3 { return }
                try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                delay = min(delay * 2, 10)
            }
        }
    }

    private func stop(jobID: Int64, reason: StopReason) {
        guard var entry = running[jobID] else { return }
        if entry.stopReason == nil { entry.stopReason = reason }
        running[jobID] = entry
        entry.handler.cancel()
    }

    /// Interrupts running jobs (they go back to the queue) and waits until their outcome is stored.
    private func drain() async {
        stopping = true
        timer?.cancel()
        services.set("job_workers", state: .stopping, detail: detail)
        let ids = Array(running.keys)
        for id in ids { stop(jobID: id, reason: .shutdown) }
        let recorders = running.values.map(\.recorder)
        for recorder in recorders { await recorder.value }
        services.set("job_workers", state: .stopped, detail: nil)
    }
}

extension JobOutcome {
    var label: String {
        switch self {
        case .succeeded: return "succeeded"
        case .retry: return "waiting for retry"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        case .interrupted: return "interrupted"
        case .blocked: return "blocked"
        }
    }
}
