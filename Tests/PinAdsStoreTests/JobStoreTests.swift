import Foundation
import PinAdsJSON
import GRDB
import Testing

@testable import PinAdsStore

/// A store on a fresh temporary file, removed afterwards.
final class TemporaryStore {
    let directory: String
    let store: Store

    init() throws {
        directory = NSTemporaryDirectory() + "pinads-store-\(UUID().uuidString)"
        store = try Store(path: directory + "/state/pinads.db")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

extension Store {
    /// The claimed job alone, for tests that do not look at exhausted ones.
    func claim(now: Date, kinds: Set<String>) async throws -> JobRecord? {
        try await claimNextJob(now: now, kinds: kinds).claimed
    }
}

@Suite("JobRecord store")
struct JobStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func job(_ kind: String = "test.kind", maxAttempts: Int = 4, runAt: Date? = nil, key: String? = nil) -> NewJob {
        NewJob(kind: kind, payload: ["n": 1], maxAttempts: maxAttempts, runAt: runAt, dedupeKey: key)
    }

    @Test func databaseAndFolderAreOwnerOnly() throws {
        let t = try TemporaryStore()
        let file = try FileManager.default.attributesOfItem(atPath: t.store.path)
        #expect((file[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: t.directory + "/state")
        #expect((folder[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let mode = try String(contentsOfFile: t.store.path, encoding: .isoLatin1).prefix(15)
        #expect(mode == "SQLite format 3")
    }

    @Test func databaseIsInWALMode() async throws {
        let t = try TemporaryStore()
        let mode = try await t.store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // On the writer, the connection that commits (GRDB turns it to NORMAL with WAL; the
        // store sets FULL again): an acknowledged write survives power loss.
        let synchronous = try await t.store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2, "FULL")
    }

    @Test func reopeningKeepsJobsAndSchema() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(), now: t0)
        let again = try Store(path: t.store.path)
        #expect(try await again.job(id: queued.id) == queued)
        #expect(try await again.schemaVersion() == Store.migrator.migrations.count)
        #expect(Store.migrator.migrations.first == "v1_jobs")
        #expect(await again.health().status == "ok")
    }

    @Test func claimTakesDueJobsOnceInOrder() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(job(), now: t0)
        let second = try await t.store.enqueueJob(job(), now: t0)
        _ = try await t.store.enqueueJob(job(runAt: t0.addingTimeInterval(60)), now: t0)
        _ = try await t.store.enqueueJob(job("other.kind"), now: t0)

        let a = try #require(try await t.store.claim(now: t0, kinds: ["test.kind"]))
        #expect(a.id == first.id)
        #expect(a.state == .running)
        #expect(a.attempts == 1)
        #expect(a.startedAt == t0)
        let b = try #require(try await t.store.claim(now: t0, kinds: ["test.kind"]))
        #expect(b.id == second.id)
        // The third is not due yet, the fourth is of a kind not asked for.
        #expect(try await t.store.claim(now: t0, kinds: ["test.kind"]) == nil)
        #expect(try await t.store.nextDueTime(kinds: ["test.kind"]) == t0.addingTimeInterval(60))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(60), kinds: ["test.kind"]) != nil)
    }

    @Test func concurrentClaimsNeverShareAJob() async throws {
        let t = try TemporaryStore()
        for _ in 0..<40 { _ = try await t.store.enqueueJob(job(), now: t0) }
        let store = t.store
        let now = t0
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [Int64] = []
                    while let job = try await store.claim(now: now, kinds: ["test.kind"]) { mine.append(job.id) }
                    return mine
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
    }

    @Test func retryWaitsThenRunsAgain() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        let waiting = try #require(
            try await t.store.finishAttempt(id: queued.id, outcome: .retry(error: "boom", at: t0.addingTimeInterval(5)), now: t0))
        #expect(waiting.state == .waiting)
        #expect(waiting.lastError == "boom")
        #expect(waiting.nextRunAt == t0.addingTimeInterval(5))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(4.9), kinds: ["test.kind"]) == nil)
        let again = try #require(try await t.store.claim(now: t0.addingTimeInterval(5), kinds: ["test.kind"]))
        #expect(again.attempts == 2)
        #expect(again.progress == nil)
        let done = try #require(try await t.store.finishAttempt(id: queued.id, outcome: .succeeded(result: ["ok": true]), now: t0))
        #expect(done.state == .succeeded)
        #expect(done.result == ["ok": true])
        #expect(done.lastError == nil)
        #expect(done.finishedAt == t0)
    }

    @Test func progressIsRecordedOnlyWhileRunning() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(), now: t0)
        #expect(try await t.store.updateProgress(id: queued.id, progress: .init(done: 1), now: t0)?.progress == nil)
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        let running = try await t.store.updateProgress(id: queued.id, progress: .init(done: 3, total: 10, message: "m"), now: t0)
        #expect(running?.progress == JobRecord.Progress(done: 3, total: 10, message: "m"))
    }

    @Test func crashRecoveryRequeuesRunningJobs() async throws {
        let t = try TemporaryStore()
        let a = try await t.store.enqueueJob(job(), now: t0)
        let b = try await t.store.enqueueJob(job(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        _ = try await t.store.requestCancel(id: b.id, now: t0)

        // A new process opens the same file, as after kill -9.
        let reopened = try Store(path: t.store.path)
        #expect(try await reopened.recoverInterruptedJobs(now: t0.addingTimeInterval(1)) == 1)
        #expect(try await reopened.job(id: a.id)?.state == .queued)
        #expect(try await reopened.job(id: a.id)?.attempts == 1)
        #expect(try await reopened.job(id: b.id)?.state == .cancelled)
        #expect(try await reopened.claim(now: t0.addingTimeInterval(1), kinds: ["test.kind"])?.attempts == 2)
    }

    @Test func aJobThatKeepsCrashingTheDaemonFailsInsteadOfLooping() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(maxAttempts: 2), now: t0)
        for _ in 0..<2 {
            _ = try #require(try await t.store.claim(now: t0, kinds: ["test.kind"]))
            try await t.store.recoverInterruptedJobs(now: t0)
        }
        let result = try await t.store.claimNextJob(now: t0, kinds: ["test.kind"])
        #expect(result.claimed == nil)
        #expect(result.exhausted.map(\.id) == [queued.id], "the job failed on the way is reported, for watchers")
        let failed = try #require(try await t.store.job(id: queued.id))
        #expect(failed.state == .failed)
        #expect(failed.lastError?.contains("interrupted") == true)
    }

    @Test func shutdownInterruptionDoesNotCountAnAttempt() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        let back = try await t.store.finishAttempt(id: queued.id, outcome: .interrupted, now: t0)
        #expect(back?.state == .queued)
        #expect(back?.attempts == 0)
    }

    @Test func cancelDependsOnTheState() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(), now: t0)
        guard case .cancelled(let cancelled) = try await t.store.requestCancel(id: queued.id, now: t0) else {
            Issue.record("a queued job is cancelled at once")
            return
        }
        #expect(cancelled.state == .cancelled)
        #expect(try await t.store.claim(now: t0, kinds: ["test.kind"]) == nil)

        let running = try await t.store.enqueueJob(job(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        guard case .requested(let flagged) = try await t.store.requestCancel(id: running.id, now: t0) else {
            Issue.record("a running job is asked to stop")
            return
        }
        #expect(flagged.state == .running)
        #expect(flagged.cancelRequested)
        _ = try await t.store.finishAttempt(id: running.id, outcome: .cancelled(reason: "cancelled by request"), now: t0)
        guard case .alreadyFinished = try await t.store.requestCancel(id: running.id, now: t0) else {
            Issue.record("a finished job cannot be cancelled")
            return
        }
        #expect(try await t.store.requestCancel(id: 9999, now: t0) == .notFound)
    }

    @Test func aCancelAskedDuringAnAttemptWinsOverRetryAndInterruption() async throws {
        let t = try TemporaryStore()
        for outcome in [JobOutcome.retry(error: "boom", at: t0), .interrupted] {
            let queued = try await t.store.enqueueJob(job(), now: t0)
            _ = try #require(try await t.store.claim(now: t0, kinds: ["test.kind"]))
            _ = try await t.store.requestCancel(id: queued.id, now: t0)
            let after = try #require(try await t.store.finishAttempt(id: queued.id, outcome: outcome, now: t0))
            #expect(after.state == .cancelled, "\(outcome)")
            #expect(after.finishedAt == t0)
        }
        #expect(try await t.store.claim(now: t0.addingTimeInterval(10), kinds: ["test.kind"]) == nil)
    }

    @Test func retryRequeuesOnlyFailedOrCancelledJobs() async throws {
        let t = try TemporaryStore()
        let queued = try await t.store.enqueueJob(job(), now: t0)
        guard case .notRetryable = try await t.store.retryJob(id: queued.id, now: t0) else {
            Issue.record("a queued job is not retryable")
            return
        }
        _ = try await t.store.claim(now: t0, kinds: ["test.kind"])
        _ = try await t.store.finishAttempt(id: queued.id, outcome: .failed(error: "nope"), now: t0)
        guard case .requeued(let requeued) = try await t.store.retryJob(id: queued.id, now: t0.addingTimeInterval(9)) else {
            Issue.record("a failed job is retryable")
            return
        }
        #expect(requeued.state == .queued)
        #expect(requeued.attempts == 0)
        #expect(requeued.nextRunAt == t0.addingTimeInterval(9))
        #expect(requeued.finishedAt == nil)
        #expect(try await t.store.retryJob(id: 9999, now: t0) == .notFound)
    }

    @Test func listFiltersAndPages() async throws {
        let t = try TemporaryStore()
        var ids: [Int64] = []
        for i in 0..<7 { ids.append(try await t.store.enqueueJob(job(i % 2 == 0 ? "even" : "odd"), now: t0).id) }
        let firstPage = try await t.store.listJobs(state: nil, kind: nil, limit: 3, beforeID: nil)
        #expect(firstPage.map(\.id) == Array(ids.reversed().prefix(3)))
        let nextPage = try await t.store.listJobs(state: nil, kind: nil, limit: 3, beforeID: firstPage.last?.id)
        #expect(nextPage.map(\.id) == Array(ids.reversed().dropFirst(3).prefix(3)))
        #expect(try await t.store.listJobs(state: nil, kind: "even", limit: 10, beforeID: nil).count == 4)
        _ = try await t.store.claim(now: t0, kinds: ["odd"])
        #expect(try await t.store.listJobs(state: .running, kind: nil, limit: 10, beforeID: nil).map(\.kind) == ["odd"])
        let counts = try await t.store.jobCounts()
        #expect(counts.count == JobRecord.State.allCases.count)
        #expect(counts[.queued] == 6)
        #expect(counts[.running] == 1)
        #expect(counts[.failed] == 0)
    }

    @Test func dedupeKeyReturnsTheFirstJob() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(job(key: "launch-42"), now: t0)
        let second = try await t.store.enqueueJob(job(key: "launch-42"), now: t0.addingTimeInterval(3))
        #expect(first.id == second.id)
        #expect(try await t.store.listJobs(state: nil, kind: nil, limit: 10, beforeID: nil).count == 1)
    }
}
