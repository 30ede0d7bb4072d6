import Foundation
import GRDB
import PinAdsJSON
import Testing

@testable import PinAdsStore

@Suite("Schedule store")
struct ScheduleStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    /// A real job, so `last_job_id` points at something.
    private func queuedJob(_ store: Store) async throws -> JobRecord {
        try await store.enqueueJob(NewJob(kind: "test.kind", payload: [:], maxAttempts: 1), now: t0)
    }

    @Test func theMigrationIsOneStepNamedV2Schedule() throws {
        var migrator = DatabaseMigrator()
        Store.registerScheduleMigration(&migrator)
        #expect(migrator.migrations == ["v2_schedule"])
        #expect(Store.migrator.migrations.prefix(2) == ["v1_jobs", "v2_schedule"])

        let queue = try DatabaseQueue()
        try migrator.migrate(queue)
        let columns = try queue.read { db in try db.columns(in: "schedule_tasks").map(\.name) }
        #expect(
            columns == [
                "name", "spec", "enabled", "next_run_at", "last_run_at", "last_outcome", "last_job_id", "last_error", "updated_at",
            ])
    }

    @Test func aNewTaskIsStoredDueAtItsFirstSlot() async throws {
        let t = try TemporaryStore()
        let record = try await t.store.upsertScheduledTask(name: "token_check", spec: "daily 05:00", nextRunAt: at(3600), now: t0)
        #expect(record == ScheduledTaskRecord(name: "token_check", spec: "daily 05:00", enabled: true, nextRunAt: at(3600), updatedAt: t0))
        #expect(try await t.store.scheduledTasks() == [record])
        #expect(try await t.store.scheduledTask(named: "token_check") == record)
        #expect(try await t.store.scheduledTask(named: "other") == nil)
    }

    @Test func upsertingTheSameSpecKeepsTheScheduleAndTheLastRun() async throws {
        let t = try TemporaryStore()
        let job = try await queuedJob(t.store)
        try await t.store.upsertScheduledTask(name: "token_check", spec: "daily 05:00", nextRunAt: at(3600), now: t0)
        try await t.store.recordScheduledRun(
            name: "token_check", at: at(3600), jobID: job.id, outcome: .queued, error: nil, nextRunAt: at(90_000))
        // A restart days later computes another first slot; the stored (missed) one must win.
        let record = try await t.store.upsertScheduledTask(
            name: "token_check", spec: "daily 05:00", nextRunAt: at(400_000), now: at(300_000))
        #expect(record.nextRunAt == at(90_000))
        #expect(record.lastRunAt == at(3600))
        #expect(record.lastJobID == job.id)
        #expect(record.lastOutcome == .queued)
        #expect(record.updatedAt == at(3600))
    }

    @Test func changingTheSpecRestartsTheScheduleButKeepsTheLastRun() async throws {
        let t = try TemporaryStore()
        let job = try await queuedJob(t.store)
        try await t.store.upsertScheduledTask(name: "token_check", spec: "daily 05:00", nextRunAt: at(3600), now: t0)
        try await t.store.recordScheduledRun(
            name: "token_check", at: at(3600), jobID: job.id, outcome: .queued, error: nil, nextRunAt: at(90_000))
        let record = try await t.store.upsertScheduledTask(
            name: "token_check", spec: "daily 04:00", nextRunAt: at(86_400), now: at(4000))
        #expect(record.spec == "daily 04:00")
        #expect(record.nextRunAt == at(86_400))
        #expect(record.lastRunAt == at(3600))
        #expect(record.lastJobID == job.id)
        #expect(record.updatedAt == at(4000))
    }

    @Test func disablingKeepsTheSlotAndEnablingAgainStartsAfresh() async throws {
        let t = try TemporaryStore()
        try await t.store.upsertScheduledTask(name: "metrics", spec: "every 6h at 00:00", nextRunAt: at(600), now: t0)
        let off = try await t.store.upsertScheduledTask(
            name: "metrics", spec: "every 6h at 00:00", enabled: false, nextRunAt: at(7200), now: at(1))
        #expect(!off.enabled && off.nextRunAt == at(600))
        #expect(try await t.store.dueScheduledTasks(now: at(1_000_000)).isEmpty)
        // Turned on again much later: no catch-up for the time it was off.
        let on = try await t.store.upsertScheduledTask(
            name: "metrics", spec: "every 6h at 00:00", enabled: true, nextRunAt: at(1_000_600), now: at(1_000_000))
        #expect(on.enabled && on.nextRunAt == at(1_000_600))
    }

    @Test func recordingARunMovesTheScheduleOnlyWhenAsked() async throws {
        let t = try TemporaryStore()
        let first = try await queuedJob(t.store)
        let second = try await queuedJob(t.store)
        try await t.store.upsertScheduledTask(name: "token_check", spec: "daily 05:00", nextRunAt: at(3600), now: t0)

        let scheduled = try await t.store.recordScheduledRun(
            name: "token_check", at: at(3600), jobID: first.id, outcome: .queued, error: nil, nextRunAt: at(90_000))
        #expect(scheduled?.nextRunAt == at(90_000))
        #expect(scheduled?.lastRunAt == at(3600))
        #expect(scheduled?.lastJobID == first.id)

        // A run by hand: the last run changes, the next slot does not.
        let manual = try await t.store.recordScheduledRun(
            name: "token_check", at: at(5000), jobID: second.id, outcome: .queued, error: nil, nextRunAt: nil)
        #expect(manual?.nextRunAt == at(90_000))
        #expect(manual?.lastRunAt == at(5000))
        #expect(manual?.lastJobID == second.id)

        let failed = try await t.store.recordScheduledRun(
            name: "token_check", at: at(90_000), jobID: nil, outcome: .failed, error: "disk full", nextRunAt: nil)
        #expect(failed?.lastOutcome == .failed)
        #expect(failed?.lastError == "disk full")
        #expect(failed?.lastJobID == nil)
        #expect(failed?.nextRunAt == at(90_000))

        #expect(
            try await t.store.recordScheduledRun(name: "nope", at: t0, jobID: nil, outcome: .queued, error: nil, nextRunAt: nil)
                == nil)
    }

    @Test func dueTasksAreTheEnabledOnesAtOrBeforeNowEarliestFirst() async throws {
        let t = try TemporaryStore()
        try await t.store.upsertScheduledTask(name: "b", spec: "daily 06:00", nextRunAt: at(100), now: t0)
        try await t.store.upsertScheduledTask(name: "a", spec: "daily 05:00", nextRunAt: at(100), now: t0)
        try await t.store.upsertScheduledTask(name: "c", spec: "daily 04:00", nextRunAt: at(50), now: t0)
        try await t.store.upsertScheduledTask(name: "d", spec: "daily 03:00", nextRunAt: at(101), now: t0)
        try await t.store.upsertScheduledTask(name: "e", spec: "daily 02:00", enabled: false, nextRunAt: at(10), now: t0)
        #expect(try await t.store.dueScheduledTasks(now: at(49)).isEmpty)
        #expect(try await t.store.dueScheduledTasks(now: at(100)).map(\.name) == ["c", "a", "b"])
        #expect(try await t.store.scheduledTasks().map(\.name) == ["a", "b", "c", "d", "e"])
    }

    @Test func theScheduleSurvivesReopeningTheStore() async throws {
        let t = try TemporaryStore()
        let job = try await queuedJob(t.store)
        try await t.store.upsertScheduledTask(name: "token_check", spec: "daily 05:00", nextRunAt: at(3600), now: t0)
        try await t.store.recordScheduledRun(
            name: "token_check", at: at(3600), jobID: job.id, outcome: .queued, error: nil, nextRunAt: at(90_000))
        let reopened = try Store(path: t.store.path)
        let record = try #require(try await reopened.scheduledTask(named: "token_check"))
        #expect(record.nextRunAt == at(90_000) && record.lastJobID == job.id && record.lastOutcome == .queued)
        #expect(try await reopened.schemaVersion() >= 2)
    }
}
