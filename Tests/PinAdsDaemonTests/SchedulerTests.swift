import Foundation
import GRDB
import Logging
import PinAdsProtocol
import ServiceLifecycle
import Testing

@testable import PinAdsDaemon
@testable import PinAdsStore

/// A job kind that does nothing: these tests run no workers, so queued jobs stay queued.
private struct IdleJob: JobHandler {
    static let kind = "test.idle"
    let retryPolicy = RetryPolicy(maxAttempts: 1, baseDelay: 1, maxDelay: 1, jitter: 0)
    func run(_ payload: NoPayload, job: JobRecord, context: JobContext) async throws -> NoPayload? { nil }
}

extension JobRegistry {
    /// An idle handler under each of `kinds`.
    fileprivate static func idle(_ kinds: [String]) -> JobRegistry {
        var registry = JobRegistry()
        for kind in kinds { registry.register(IdleJob(), as: kind) }
        return registry
    }
}

private func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)) ?? .distantPast
}

private func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

@Suite("Scheduler")
struct SchedulerTests {
    static let allKinds = ["connections.token_check", "audiences.sync_all", "campaigns.pull_metrics"]

    /// A store on a temporary file and a clock at 2027-01-15 08:00 UTC. `restart()` opens the
    /// same file again with a new queue, as a new daemon process would.
    final class Harness: Sendable {
        let clock = ManualClock()
        let directory = NSTemporaryDirectory() + "pinads-scheduler-\(UUID().uuidString)"
        let kinds: [String]
        let logger = Logger(label: "test")
        /// The test's own view of the database, for reading what the scheduler wrote.
        let store: Store

        init(kinds: [String] = SchedulerTests.allKinds) throws {
            self.kinds = kinds
            store = try Store(path: directory + "/pinads.db")
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        var path: String { directory + "/pinads.db" }

        /// A scheduler on a freshly opened store and queue.
        func scheduler(_ tasks: [ScheduledTask] = Scheduler.defaultTasks(), retryDelay: TimeInterval = 60) throws -> Scheduler {
            let store = try Store(path: path)
            let queue = JobQueue(
                store: store, clock: clock, registry: .idle(kinds), logger: logger)
            return try Scheduler(
                store: store, queue: queue, clock: clock, logger: logger, tasks: tasks, retryDelay: retryDelay)
        }

        func start(_ scheduler: Scheduler) -> Task<Void, any Error> {
            Task { try await scheduler.run() }
        }

        /// Waits until the scheduler has finished its pass and sleeps until its next slot.
        func idle() async throws {
            try await eventually("the scheduler sleeps until its next slot") { clock.sleeperCount == 1 }
        }

        func stop(_ run: Task<Void, any Error>) async {
            run.cancel()
            _ = await run.result
        }

        /// Moves the clock to `date` (forwards only).
        func advance(to date: Date) {
            clock.advance(by: date.timeIntervalSince(clock.now()))
        }

        func jobs(_ kind: String? = nil) async throws -> [JobRecord] {
            try await store.listJobs(state: nil, kind: kind, limit: 1000, beforeID: nil).reversed()
        }

        /// The dedupe keys of the queued jobs, oldest first.
        func dedupeKeys() async throws -> [String?] {
            try await store.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT dedupe_key FROM jobs ORDER BY id").map { $0["dedupe_key"] }
            }
        }
    }

    private func status(_ scheduler: Scheduler, _ name: String) async throws -> ScheduledTaskStatus {
        try #require(try await scheduler.list().first { $0.name == name })
    }

    // MARK: - Times

    @Test func aFreshScheduleWaitsForTheNextSlotOfEachTask() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler()
        let run = h.start(scheduler)
        try await h.idle()
        let list = try await scheduler.list()
        #expect(list.map(\.name) == ["token_check", "audience_sync", "campaign_metrics"])
        #expect(list.map(\.spec) == ["daily 05:00", "daily 06:00", "every 6h at 00:00"])
        #expect(list.map(\.jobKind) == SchedulerTests.allKinds)
        #expect(list.map(\.nextRunAt) == [utc(2027, 1, 16, 5), utc(2027, 1, 16, 6), utc(2027, 1, 15, 12)])
        #expect(list.allSatisfy { $0.state == .scheduled && $0.enabled && $0.lastRunAt == nil && $0.lastJobID == nil })
        #expect(try await h.jobs().isEmpty)
        await h.stop(run)
    }

    @Test func theLoopQueuesEachTaskAtItsSlotOnTheClock() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler()
        let run = h.start(scheduler)
        try await h.idle()

        // One second early: the timer has not fired, so nothing can have been queued.
        h.advance(to: utc(2027, 1, 15, 11, 59).addingTimeInterval(59))
        #expect(h.clock.sleeperCount == 1)
        #expect(try await h.jobs().isEmpty)

        h.advance(to: utc(2027, 1, 15, 12))
        try await eventually("metrics are queued at 12:00") { try await h.jobs().count == 1 }
        try await h.idle()
        let first = try #require(try await h.jobs().first)
        #expect(first.kind == "campaigns.pull_metrics" && first.state == .queued && first.payload == [:])
        let metrics = try await status(scheduler, "campaign_metrics")
        #expect(metrics.lastRunAt == utc(2027, 1, 15, 12))
        #expect(metrics.lastOutcome == .queued)
        #expect(metrics.lastJobID == first.id)
        #expect(metrics.lastJobState == .queued)
        #expect(metrics.lastError == nil)
        #expect(metrics.nextRunAt == utc(2027, 1, 15, 18))

        h.advance(to: utc(2027, 1, 15, 18))
        try await eventually("metrics are queued at 18:00") { try await h.jobs().count == 2 }
        try await h.idle()
        h.advance(to: utc(2027, 1, 16, 0))
        try await eventually("metrics are queued at 00:00") { try await h.jobs().count == 3 }
        try await h.idle()
        h.advance(to: utc(2027, 1, 16, 5))
        try await eventually("the token check is queued at 05:00") { try await h.jobs().count == 4 }
        try await h.idle()
        h.advance(to: utc(2027, 1, 16, 6))
        try await eventually("audiences and metrics are queued at 06:00") { try await h.jobs().count == 6 }
        try await h.idle()

        #expect(try await h.jobs().map(\.kind).suffix(3).sorted() == ["audiences.sync_all", "campaigns.pull_metrics", "connections.token_check"])
        #expect(try await h.jobs("campaigns.pull_metrics").count == 4)
        #expect(
            try await h.dedupeKeys().prefix(4) == [
                "schedule:campaign_metrics:\(millis(utc(2027, 1, 15, 12)))",
                "schedule:campaign_metrics:\(millis(utc(2027, 1, 15, 18)))",
                "schedule:campaign_metrics:\(millis(utc(2027, 1, 16, 0)))",
                "schedule:token_check:\(millis(utc(2027, 1, 16, 5)))",
            ])
        let list = try await scheduler.list()
        #expect(list.map(\.nextRunAt) == [utc(2027, 1, 17, 5), utc(2027, 1, 17, 6), utc(2027, 1, 16, 12)])
        await h.stop(run)
    }

    // MARK: - Catch-up

    @Test func aThreeDayGapRunsEachTaskOnceAtStartNotOncePerMissedSlot() async throws {
        let h = try Harness()
        let before = h.start(try h.scheduler())
        try await h.idle()
        await h.stop(before)
        #expect(h.clock.sleeperCount == 0)

        // Down for three days: 3 token checks, 3 audience syncs and 12 metrics pulls missed.
        h.advance(to: utc(2027, 1, 18, 8))
        let scheduler = try h.scheduler()
        let run = h.start(scheduler)
        try await eventually("one catch-up run per task") { try await h.jobs().count == 3 }
        try await h.idle()
        #expect(try await h.jobs().map(\.kind).sorted() == SchedulerTests.allKinds.sorted())
        // Each catch-up run is the first missed slot's, so a crash now would not repeat it.
        #expect(
            Set(try await h.dedupeKeys()) == [
                "schedule:token_check:\(millis(utc(2027, 1, 16, 5)))",
                "schedule:audience_sync:\(millis(utc(2027, 1, 16, 6)))",
                "schedule:campaign_metrics:\(millis(utc(2027, 1, 15, 12)))",
            ])
        let list = try await scheduler.list()
        #expect(list.allSatisfy { $0.lastRunAt == utc(2027, 1, 18, 8) && $0.lastOutcome == .queued })
        // Then the regular schedule resumes from now.
        #expect(list.map(\.nextRunAt) == [utc(2027, 1, 19, 5), utc(2027, 1, 19, 6), utc(2027, 1, 18, 12)])

        h.advance(to: utc(2027, 1, 18, 12))
        try await eventually("the next metrics slot runs") { try await h.jobs().count == 4 }
        try await h.idle()
        #expect(try await h.jobs("campaigns.pull_metrics").count == 2)
        await h.stop(run)
    }

    @Test func aStallWhileRunningAlsoCatchesUpOnce() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler()
        let run = h.start(scheduler)
        try await h.idle()
        // The process was suspended (a laptop asleep): the clock jumps three days in one step.
        h.advance(to: utc(2027, 1, 18, 8))
        try await eventually("one run per task") { try await h.jobs().count == 3 }
        try await h.idle()
        #expect(try await h.jobs().map(\.kind).sorted() == SchedulerTests.allKinds.sorted())
        #expect(try await scheduler.list().map(\.nextRunAt) == [utc(2027, 1, 19, 5), utc(2027, 1, 19, 6), utc(2027, 1, 18, 12)])
        await h.stop(run)
    }

    // MARK: - Run now

    @Test func runNowQueuesAtOnceAndLeavesTheScheduleAlone() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler([.tokenCheck])
        let run = h.start(scheduler)
        try await h.idle()

        let job = try await scheduler.runNow("token_check")
        #expect(job.kind == "connections.token_check" && job.state == .queued)
        var token = try await status(scheduler, "token_check")
        #expect(token.lastJobID == job.id && token.lastRunAt == utc(2027, 1, 15, 8) && token.lastOutcome == .queued)
        #expect(token.nextRunAt == utc(2027, 1, 16, 5))

        // Each request is a run of its own.
        let again = try await scheduler.runNow("token_check")
        #expect(again.id != job.id)
        #expect(try await status(scheduler, "token_check").lastJobID == again.id)

        // The regular slot still runs, once.
        #expect(h.clock.sleeperCount == 1)
        h.advance(to: utc(2027, 1, 16, 5))
        try await eventually("the 05:00 run is queued") { try await h.jobs().count == 3 }
        try await h.idle()
        token = try await status(scheduler, "token_check")
        #expect(token.nextRunAt == utc(2027, 1, 17, 5))
        #expect(try await h.dedupeKeys() == [nil, nil, "schedule:token_check:\(millis(utc(2027, 1, 16, 5)))"])
        await h.stop(run)
    }

    @Test func runNowWorksBeforeTheLoopStarts() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler()
        let job = try await scheduler.runNow("audience_sync")
        #expect(job.kind == "audiences.sync_all")
        let audiences = try await status(scheduler, "audience_sync")
        #expect(audiences.lastJobID == job.id && audiences.nextRunAt == utc(2027, 1, 16, 6))
    }

    @Test func runNowOfAnUnknownTaskIsNotFound() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler()
        await #expect(throws: SchedulerError.unknownTask("token", known: ["token_check", "audience_sync", "campaign_metrics"])) {
            try await scheduler.runNow("token")
        }
        #expect(ResponseError(SchedulerError.unknownTask("token", known: [])).code == .notFound)
    }

    // MARK: - Restarts

    @Test func aRestartDoesNotQueueASlotThatAlreadyRan() async throws {
        let h = try Harness()
        let first = h.start(try h.scheduler())
        try await h.idle()
        h.advance(to: utc(2027, 1, 15, 12))
        try await eventually("metrics are queued") { try await h.jobs().count == 1 }
        try await h.idle()
        await h.stop(first)

        let scheduler = try h.scheduler()
        let second = h.start(scheduler)
        try await h.idle()
        #expect(try await h.jobs().count == 1)
        #expect(try await status(scheduler, "campaign_metrics").nextRunAt == utc(2027, 1, 15, 18))
        await h.stop(second)
    }

    @Test func aCrashBetweenQueueingAndRecordingFindsTheSameJob() async throws {
        let h = try Harness()
        let first = h.start(try h.scheduler([.campaignMetrics]))
        try await h.idle()
        await h.stop(first)

        // As if the 12:00 run had been queued and the daemon died before recording it.
        h.advance(to: utc(2027, 1, 15, 12, 1))
        let queue = JobQueue(store: h.store, clock: h.clock, registry: .idle(["campaigns.pull_metrics"]), logger: h.logger)
        let orphan = try await queue.enqueue(
            kind: "campaigns.pull_metrics", payload: [:], dedupeKey: "schedule:campaign_metrics:\(millis(utc(2027, 1, 15, 12)))")

        let scheduler = try h.scheduler([.campaignMetrics])
        let run = h.start(scheduler)
        try await eventually("the missed slot is recorded") {
            try await status(scheduler, "campaign_metrics").lastJobID == orphan.id
        }
        try await h.idle()
        #expect(try await h.jobs().map(\.id) == [orphan.id])
        #expect(try await status(scheduler, "campaign_metrics").nextRunAt == utc(2027, 1, 15, 18))
        await h.stop(run)
    }

    // MARK: - Tasks that do not run

    @Test func aTaskWithoutAHandlerIsListedButNeverQueued() async throws {
        let h = try Harness(kinds: ["connections.token_check"])
        let scheduler = try h.scheduler()
        let run = h.start(scheduler)
        try await h.idle()
        let list = try await scheduler.list()
        #expect(list.map(\.state) == [.scheduled, .noHandler, .noHandler])
        #expect(list.map(\.nextRunAt) == [utc(2027, 1, 16, 5), nil, nil])
        // Not stored, so a handler registered later starts from its next slot, with no catch-up.
        #expect(try await h.store.scheduledTasks().map(\.name) == ["token_check"])

        h.advance(to: utc(2027, 1, 18, 8))
        try await eventually("the token check runs") { try await h.jobs().count == 1 }
        try await h.idle()
        #expect(try await h.jobs().map(\.kind) == ["connections.token_check"])

        await #expect(throws: SchedulerError.noHandler(task: "audience_sync", jobKind: "audiences.sync_all")) {
            try await scheduler.runNow("audience_sync")
        }
        #expect(ResponseError(SchedulerError.noHandler(task: "a", jobKind: "b")).code == .failedPrecondition)
        await h.stop(run)
    }

    @Test func aDisabledTaskIsListedAndRunsOnlyByHand() async throws {
        let h = try Harness()
        let tasks = try ScheduledTask.applying(["campaign_metrics": "off"], to: Scheduler.defaultTasks())
        let scheduler = try h.scheduler(tasks)
        let run = h.start(scheduler)
        try await h.idle()
        var metrics = try await status(scheduler, "campaign_metrics")
        #expect(metrics.state == .disabled && !metrics.enabled && metrics.nextRunAt == nil)

        h.advance(to: utc(2027, 1, 16, 5))
        try await eventually("the token check runs") { try await h.jobs().count == 1 }
        try await h.idle()
        #expect(try await h.jobs("campaigns.pull_metrics").isEmpty)

        let job = try await scheduler.runNow("campaign_metrics")
        metrics = try await status(scheduler, "campaign_metrics")
        #expect(metrics.lastJobID == job.id && metrics.state == .disabled)
        await h.stop(run)
    }

    @Test func aChangedSpecTakesEffectAtTheNextStart() async throws {
        let h = try Harness()
        let first = h.start(try h.scheduler([.tokenCheck]))
        try await h.idle()
        await h.stop(first)

        let earlier = try ScheduledTask.applying(["token_check": "daily 09:30"], to: [.tokenCheck])
        let scheduler = try h.scheduler(earlier)
        let run = h.start(scheduler)
        try await h.idle()
        let token = try await status(scheduler, "token_check")
        #expect(token.spec == "daily 09:30" && token.nextRunAt == utc(2027, 1, 15, 9, 30))
        h.advance(to: utc(2027, 1, 15, 9, 30))
        try await eventually("the new slot runs") { try await h.jobs().count == 1 }
        await h.stop(run)
    }

    // MARK: - Failures and shutdown

    @Test func aRunThatCannotBeQueuedIsRecordedAndRetriedForTheSameSlot() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler([.campaignMetrics], retryDelay: 60)
        let run = h.start(scheduler)
        try await h.idle()

        // The store refuses new jobs (a full disk, say) on its one writer connection.
        let store = h.store
        let refuse = "CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        try await store.writer.write { db in try db.execute(sql: refuse) }

        h.advance(to: utc(2027, 1, 15, 12))
        try await eventually("the failure is recorded") {
            try await status(scheduler, "campaign_metrics").lastOutcome == .failed
        }
        try await h.idle()
        let failed = try await status(scheduler, "campaign_metrics")
        #expect(failed.lastError?.contains("disk says no") == true)
        #expect(failed.lastJobID == nil)
        #expect(failed.nextRunAt == utc(2027, 1, 15, 12))  // still due
        #expect(try await h.jobs().isEmpty)

        try await store.writer.write { db in try db.execute(sql: "DROP TRIGGER refuse_jobs") }
        h.advance(to: utc(2027, 1, 15, 12).addingTimeInterval(59))
        #expect(h.clock.sleeperCount == 1)
        #expect(try await h.jobs().isEmpty)
        h.advance(to: utc(2027, 1, 15, 12, 1))
        try await eventually("the retry queues the job") { try await h.jobs().count == 1 }
        try await h.idle()
        let queued = try await status(scheduler, "campaign_metrics")
        #expect(queued.lastOutcome == .queued && queued.lastError == nil && queued.nextRunAt == utc(2027, 1, 15, 18))
        #expect(try await h.dedupeKeys() == ["schedule:campaign_metrics:\(millis(utc(2027, 1, 15, 12)))"])
        await h.stop(run)
    }

    @Test func aGracefulShutdownStopsTheLoop() async throws {
        let h = try Harness()
        let scheduler = try h.scheduler()
        let group = ServiceGroup(services: [scheduler], logger: h.logger)
        let run = Task { try await group.run() }
        try await h.idle()
        await group.triggerGracefulShutdown()
        try await run.value
        #expect(h.clock.sleeperCount == 0)
        await #expect(throws: SchedulerError.alreadyStarted) { try await scheduler.run() }
    }

    @Test func badTaskListsAreRefused() throws {
        let h = try Harness()
        #expect(throws: SchedulerError.duplicateTask("token_check")) { try h.scheduler([.tokenCheck, .tokenCheck]) }
        var bad = ScheduledTask.tokenCheck
        bad.name = "Token Check"
        #expect(throws: SchedulerError.invalidTaskName("Token Check")) { try h.scheduler([bad]) }
    }
}
