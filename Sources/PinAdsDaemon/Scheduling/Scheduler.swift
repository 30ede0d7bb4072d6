import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import ServiceLifecycle

/// Runs the recurring tasks: at each slot of a task's spec it queues one job of the task's kind,
/// and records the run (time, job, outcome) and the next slot in the store.
///
/// - After downtime, a task whose stored next run has passed runs once at start, however many
///   slots were missed; its next run is then the first slot after now.
/// - Each scheduled run is queued with the dedupe key `schedule:<task>:<slot ms>`, and the
///   schedule moves on only after the job is queued, so a crash or restart in between finds the
///   same job instead of queueing a second one for that slot.
/// - A task whose job kind has no handler in this daemon is listed (`no_handler`) but never
///   queued and not stored, so registering the handler later does not trigger a catch-up run.
public actor Scheduler: Service {
    private let store: Store
    private let queue: JobQueue
    private let clock: any WallClock
    private let logger: Logger
    private let services: ServiceStates?
    private let retryDelay: TimeInterval
    /// The configured tasks, in the order `list()` shows them.
    public nonisolated let tasks: [ScheduledTask]
    /// Names of the tasks whose job kind is registered.
    private let runnable: Set<String>

    private enum State {
        case initial
        case running(wake: AsyncStream<Void>.Continuation)
        case stopped
    }

    private var state = State.initial
    /// Whether the configured tasks have been written to the store since start.
    private var prepared = false
    private var timer: Task<Void, Never>?
    /// Tasks whose last attempt to queue or record failed: not tried again before this time.
    private var retryNotBefore: [String: Date] = [:]

    /// The schedule of a fresh install: token check daily 05:00, audience sync daily 06:00 and
    /// campaign metrics every 6 hours from 00:00 (all UTC). See `ScheduledTask.applying(_:to:)`
    /// to change them from configuration.
    public static func defaultTasks() -> [ScheduledTask] {
        [.tokenCheck, .audienceSync, .campaignMetrics]
    }

    /// - Parameters:
    ///   - tasks: every configured task; those whose `jobKind` is not in `queue.registry` are
    ///     listed as `no_handler` and never run.
    ///   - services: where `system.status` reads the state of the `scheduler` service.
    ///   - retryDelay: how long to wait before trying again when the store refuses a write.
    public init(
        store: Store, queue: JobQueue, clock: any WallClock, logger: Logger, tasks: [ScheduledTask],
        services: ServiceStates? = nil, retryDelay: TimeInterval = 60
    ) throws(SchedulerError) {
        var seen = Set<String>()
        for task in tasks {
            guard !task.name.isEmpty, task.name.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
            else { throw SchedulerError.invalidTaskName(task.name) }
            guard seen.insert(task.name).inserted else { throw SchedulerError.duplicateTask(task.name) }
        }
        self.store = store
        self.queue = queue
        self.clock = clock
        self.logger = logger
        self.tasks = tasks
        self.services = services
        self.retryDelay = retryDelay
        self.runnable = Set(tasks.filter { queue.registry.handler(for: $0.jobKind) != nil }.map(\.name))
        services?.set("scheduler", state: .starting)
    }

    // MARK: - Service

    /// Runs due tasks until the graceful shutdown (or cancellation) of the service group.
    public func run() async throws {
        guard case .initial = state else { throw SchedulerError.alreadyStarted }
        let (signals, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        state = .running(wake: wake)
        wake.yield()
        await withGracefulShutdownHandler {
            for await _ in signals {
                await self.pass()
            }
        } onGracefulShutdown: {
            wake.finish()
        }
        state = .stopped
        timer?.cancel()
        timer = nil
        services?.set("scheduler", state: .stopped)
    }

    /// Queues what is due, then sets the timer for the next slot.
    private func pass() async {
        let now = clock.now()
        var wakeAt: Date?
        var detail: String?
        do {
            if !prepared {
                try await prepare(now: now)
                prepared = true
            }
            for record in try await store.dueScheduledTasks(now: now) {
                guard let task = scheduledTask(named: record.name), task.enabled, runnable.contains(task.name) else { continue }
                if let notBefore = retryNotBefore[task.name], notBefore > now { continue }
                await fire(task, slot: record.nextRunAt, now: now)
                guard case .running = state else { return }
            }
            (wakeAt, detail) = try await nextWake()
        } catch is CancellationError {
            return
        } catch {
            logger.error("scheduler could not read or store its schedule; trying again soon", metadata: ["error": "\(error)"])
            wakeAt = now.addingTimeInterval(retryDelay)
            detail = "store error; retrying"
        }
        guard case .running(let wake) = state else { return }
        armTimer(at: wakeAt, wake: wake)
        services?.set("scheduler", state: .running, detail: detail ?? "no task is scheduled")
    }

    /// Stores every runnable task as configured (a new one is due at its next slot).
    private func prepare(now: Date) async throws {
        for task in tasks where runnable.contains(task.name) {
            try await store.upsertScheduledTask(
                name: task.name, spec: task.spec.description, enabled: task.enabled,
                nextRunAt: task.spec.nextRun(after: now), now: now)
        }
    }

    /// Queues the run of `slot` (a past slot after downtime) and moves the task to its next slot.
    private func fire(_ task: ScheduledTask, slot: Date, now: Date) async {
        let slotMillis = Int64((slot.timeIntervalSince1970 * 1000).rounded())
        let next = task.spec.nextRun(after: now)
        let job: JobRecord
        do {
            job = try await queue.enqueue(
                kind: task.jobKind, payload: task.payload, dedupeKey: "schedule:\(task.name):\(slotMillis)")
        } catch is CancellationError {
            return
        } catch {
            retryNotBefore[task.name] = now.addingTimeInterval(retryDelay)
            logger.error(
                "scheduled task could not queue its job; trying again soon",
                metadata: ["task": "\(task.name)", "error": "\(error)"])
            _ = try? await store.recordScheduledRun(
                name: task.name, at: now, jobID: nil, outcome: .failed,
                error: "could not queue a \(task.jobKind) job: \(error)", nextRunAt: nil)
            return
        }
        do {
            try await store.recordScheduledRun(
                name: task.name, at: now, jobID: job.id, outcome: .queued, error: nil, nextRunAt: next)
            retryNotBefore[task.name] = nil
        } catch {
            // The slot stays due: the next try finds the same job through its dedupe key.
            retryNotBefore[task.name] = now.addingTimeInterval(retryDelay)
            logger.error(
                "scheduled task queued its job but the run could not be recorded; trying again soon",
                metadata: ["task": "\(task.name)", "job_id": "\(job.id)", "error": "\(error)"])
            return
        }
        let missed = task.spec.nextRun(after: slot) <= now
        logger.info(
            missed ? "scheduled task queued (catching up on a missed run)" : "scheduled task queued",
            metadata: [
                "task": "\(task.name)", "job_id": "\(job.id)", "kind": "\(task.jobKind)",
                "slot": "\(slot.formatted(.iso8601))", "next_run_at": "\(next.formatted(.iso8601))",
            ])
    }

    /// The earliest time a runnable task is due (or may be retried), and a line for status.
    private func nextWake() async throws -> (Date?, String?) {
        var earliest: (at: Date, task: String)?
        for record in try await store.scheduledTasks() {
            guard let task = scheduledTask(named: record.name), task.enabled, runnable.contains(task.name) else { continue }
            var at = record.nextRunAt
            if let notBefore = retryNotBefore[task.name], notBefore > at { at = notBefore }
            if earliest.map({ at < $0.at }) ?? true { earliest = (at, task.name) }
        }
        guard let earliest else { return (nil, nil) }
        return (earliest.at, "next: \(earliest.task) at \(earliest.at.formatted(.iso8601))")
    }

    private func armTimer(at date: Date?, wake: AsyncStream<Void>.Continuation) {
        timer?.cancel()
        timer = nil
        guard let date else { return }
        let clock = self.clock
        timer = Task {
            do {
                try await clock.sleep(until: date)
                wake.yield()
            } catch {}
        }
    }

    private func scheduledTask(named name: String) -> ScheduledTask? {
        tasks.first { $0.name == name }
    }

    // MARK: - Methods

    /// Every configured task with its schedule and last run (`schedule.list`).
    public func list() async throws -> [ScheduledTaskStatus] {
        let now = clock.now()
        var records: [String: ScheduledTaskRecord] = [:]
        for record in try await store.scheduledTasks() { records[record.name] = record }
        var statuses: [ScheduledTaskStatus] = []
        for task in tasks {
            let record = records[task.name]
            let state: ScheduledTaskStatus.State =
                !runnable.contains(task.name) ? .noHandler : task.enabled ? .scheduled : .disabled
            var nextRunAt: Date?
            if state == .scheduled {
                // Until the loop has stored this configuration, show the slot it will store.
                if let record, record.enabled, record.spec == task.spec.description {
                    nextRunAt = record.nextRunAt
                } else {
                    nextRunAt = task.spec.nextRun(after: now)
                }
            }
            var lastJobState: JobRecord.State?
            if let id = record?.lastJobID { lastJobState = try await store.job(id: id)?.state }
            statuses.append(
                ScheduledTaskStatus(
                    name: task.name, spec: task.spec.description, jobKind: task.jobKind, enabled: task.enabled,
                    state: state, nextRunAt: nextRunAt, lastRunAt: record?.lastRunAt, lastOutcome: record?.lastOutcome,
                    lastJobID: record?.lastJobID, lastJobState: lastJobState, lastError: record?.lastError))
        }
        return statuses
    }

    /// Queues a run of `name` now (`schedule.run`) and returns its job. The regular schedule
    /// does not move; the run is recorded as the task's last run. Works for a disabled task too.
    ///
    /// - Throws: `SchedulerError.unknownTask` (NOT_FOUND) or `.noHandler` (FAILED_PRECONDITION).
    public func runNow(_ name: String) async throws -> JobRecord {
        guard let task = scheduledTask(named: name) else {
            throw SchedulerError.unknownTask(name, known: tasks.map(\.name))
        }
        guard runnable.contains(task.name) else {
            throw SchedulerError.noHandler(task: task.name, jobKind: task.jobKind)
        }
        let now = clock.now()
        // The loop may not have stored the task yet; this is the same write it would make.
        try await store.upsertScheduledTask(
            name: task.name, spec: task.spec.description, enabled: task.enabled,
            nextRunAt: task.spec.nextRun(after: now), now: now)
        // No dedupe key: each request to run is a run of its own.
        let job = try await queue.enqueue(kind: task.jobKind, payload: task.payload)
        do {
            try await store.recordScheduledRun(name: task.name, at: now, jobID: job.id, outcome: .queued, error: nil, nextRunAt: nil)
        } catch {
            // The job is queued, which is what was asked; only the task's "last run" is stale.
            logger.error(
                "could not record a run asked for by hand", metadata: ["task": "\(task.name)", "job_id": "\(job.id)", "error": "\(error)"])
        }
        logger.info("scheduled task run by hand", metadata: ["task": "\(task.name)", "job_id": "\(job.id)"])
        return job
    }
}
