import Foundation
import Logging
import NIOConcurrencyHelpers
import PinAdsProtocol
import PinAdsStore
import Testing

@testable import PinAdsDaemon

/// A job kind whose behaviour each test scripts.
struct ScriptedJob: JobHandler {
    enum Step: Sendable { case succeed, fail(retryable: Bool), block }

    static let kind = "test.scripted"
    var retryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 10, maxDelay: 100, jitter: 0.5)
    let steps: @Sendable (Int) -> Step
    let clock: ManualClock

    func run(_ payload: NoPayload, job: JobRecord, context: JobContext) async throws -> JSONValue? {
        await context.reportProgress(done: 1, total: 2, message: "started")
        switch steps(job.attempts) {
        case .succeed:
            return ["attempt": .int(Int64(job.attempts))]
        case .fail(let retryable):
            throw JobFailure("attempt \(job.attempts) failed", retryable: retryable)
        case .block:
            // Until cancelled: the manual clock never gets this far.
            try await clock.sleep(until: .distantFuture)
            return nil
        }
    }
}

@Suite("Job worker pool")
struct JobWorkerPoolTests {
    struct Harness {
        let clock = ManualClock()
        let directory = NSTemporaryDirectory() + "pinads-pool-\(UUID().uuidString)"
        let store: Store
        let queue: JobQueue
        let pool: JobWorkerPool

        init(
            retryPolicy: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 10, maxDelay: 100, jitter: 0.5),
            beforeFirstClaim: (@Sendable () async throws -> Void)? = nil,
            steps: @escaping @Sendable (Int) -> ScriptedJob.Step
        ) throws {
            store = try Store(path: directory + "/pinads.db")
            let logger = Logger(label: "test")
            queue = JobQueue(store: store, clock: clock, registry: JobRegistry([ScriptedJob(retryPolicy: retryPolicy, steps: steps, clock: clock)]), logger: logger)
            pool = JobWorkerPool(
                queue: queue, concurrency: 2,
                logger: logger, services: ServiceStates(), random: { 0 }, beforeFirstClaim: beforeFirstClaim)
        }

        func enqueue() async throws -> JobRecord {
            try await queue.enqueue(kind: "test.scripted", payload: [:])
        }

        func state(_ id: Int64) async throws -> JobRecord? { try await store.job(id: id) }
    }

    @Test func aSucceedingJobRecordsItsResult() async throws {
        let h = try Harness { _ in .succeed }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        try await eventually("job succeeds") { try await h.state(job.id)?.state == .succeeded }
        #expect(try await h.state(job.id)?.result == ["attempt": 1])
        run.cancel()
        _ = await run.result
    }

    /// The requeue of the last process's interrupted jobs, deferred at start by a full disk:
    /// no job is claimed before it succeeds (a job claimed first would be put back as
    /// interrupted by it and run twice), and it is tried again each second until it does.
    @Test func nothingIsClaimedBeforeTheDeferredStartWorkSucceeds() async throws {
        struct Full: Error {}
        let tries = NIOLockedValueBox(0)
        let h = try Harness(
            beforeFirstClaim: {
                let attempt = tries.withLockedValue { count -> Int in
                    count += 1
                    return count
                }
                if attempt < 3 { throw Full() }
            },
            steps: { _ in .succeed })
        let job = try await h.enqueue()
        let run = Task { try await h.pool.run() }
        try await eventually("the deferred work is tried") { tries.withLockedValue { $0 } == 1 }
        #expect(try await h.state(job.id)?.state == .queued, "not claimed while the deferred work fails")
        try await eventually("it is tried again on the clock") {
            h.clock.advance(by: 1)
            return tries.withLockedValue { $0 } >= 2
        }
        try await eventually("once it succeeds the job runs") {
            h.clock.advance(by: 1)
            return try await h.state(job.id)?.state == .succeeded
        }
        #expect(tries.withLockedValue { $0 } == 3, "not tried again after it succeeded")
        let second = try await h.enqueue()
        try await eventually("later jobs run at once") { try await h.state(second.id)?.state == .succeeded }
        #expect(tries.withLockedValue { $0 } == 3)
        run.cancel()
        _ = await run.result
    }

    @Test func failuresBackOffOnTheClockThenGiveUp() async throws {
        let h = try Harness { _ in .fail(retryable: true) }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        let start = h.clock.now()

        try await eventually("first attempt fails") { try await h.state(job.id)?.state == .waiting }
        // random pinned to 0 and jitter 0.5: the first retry waits half of 10 s.
        #expect(try await h.state(job.id)?.nextRunAt == start.addingTimeInterval(5))
        try await eventually("worker sleeps until the retry") { h.clock.sleeperCount > 0 }
        h.clock.advance(by: 4.9)
        // Give an early timer every chance to fire (a negative can only be shown by waiting).
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await h.state(job.id)?.attempts == 1)
        #expect(try await h.state(job.id)?.state == .waiting)
        h.clock.advance(by: 0.1)
        try await eventually("second attempt fails") {
            let job = try await h.state(job.id)
            return job?.attempts == 2 && job?.state == .waiting
        }
        #expect(try await h.state(job.id)?.nextRunAt == start.addingTimeInterval(5 + 10))
        try await eventually("worker sleeps until the retry") { h.clock.sleeperCount > 0 }
        h.clock.advance(by: 10)
        try await eventually("third attempt fails for good") { try await h.state(job.id)?.state == .failed }
        let failed = try #require(try await h.state(job.id))
        #expect(failed.attempts == 3)
        #expect(failed.lastError == "attempt 3 failed (gave up after 3 attempts)")
        run.cancel()
        _ = await run.result
    }

    @Test func permanentFailureIsNotRetried() async throws {
        let h = try Harness { _ in .fail(retryable: false) }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        try await eventually("job fails") { try await h.state(job.id)?.state == .failed }
        #expect(try await h.state(job.id)?.attempts == 1)
        #expect(try await h.state(job.id)?.lastError == "attempt 1 failed")
        run.cancel()
        _ = await run.result
    }

    @Test func cancellingARunningJobStopsIt() async throws {
        let h = try Harness { _ in .block }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        try await eventually("job runs") { try await h.state(job.id)?.progress?.done == 1 }
        guard case .requested = try await h.queue.cancel(id: job.id) else {
            Issue.record("a running job is asked to stop")
            return
        }
        try await eventually("job is cancelled") { try await h.state(job.id)?.state == .cancelled }
        #expect(try await h.state(job.id)?.lastError == "cancelled by request")
        run.cancel()
        _ = await run.result
    }

    @Test func stoppingThePoolPutsRunningJobsBack() async throws {
        let h = try Harness { _ in .block }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        try await eventually("job runs") { try await h.state(job.id)?.progress?.done == 1 }
        run.cancel()
        _ = await run.result
        let back = try #require(try await h.state(job.id))
        #expect(back.state == .queued)
        #expect(back.attempts == 0)
    }

    @Test func concurrencyIsBounded() async throws {
        let h = try Harness { _ in .block }
        let run = Task { try await h.pool.run() }
        var ids: [Int64] = []
        for _ in 0..<5 { ids.append(try await h.enqueue().id) }
        try await eventually("two jobs run") { try await h.store.jobCounts()[.running] == 2 }
        #expect(try await h.store.jobCounts()[.queued] == 3)
        _ = try await h.queue.cancel(id: ids[0])
        try await eventually("a third starts when one ends") {
            let counts = try await h.store.jobCounts()
            return counts[.running] == 2 && counts[.queued] == 2 && counts[.cancelled] == 1
        }
        run.cancel()
        _ = await run.result
    }

    @Test func unknownKindsAreRefused() async throws {
        let h = try Harness { _ in .succeed }
        await #expect(throws: JobQueue.UnknownKind.self) { try await h.queue.enqueue(kind: "no.such.kind", payload: [:]) }
    }

    @Test func aQuickRetryIsNotForgottenByTheAttemptBeforeIt() async throws {
        // Zero backoff: the retry may be claimed while the failed attempt is still being recorded.
        let h = try Harness(retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: 0, maxDelay: 0, jitter: 0)) { attempt in
            attempt < 3 ? .fail(retryable: true) : .block
        }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        try await eventually("third attempt runs") {
            let job = try await h.state(job.id)
            return job?.attempts == 3 && job?.progress?.done == 1
        }
        // The running third attempt is still tracked: cancelling it works.
        _ = try await h.queue.cancel(id: job.id)
        try await eventually("job is cancelled") { try await h.state(job.id)?.state == .cancelled }
        run.cancel()
        _ = await run.result
    }

    @Test func watchersSeeEveryChange() async throws {
        let h = try Harness { _ in .succeed }
        let run = Task { try await h.pool.run() }
        let job = try await h.enqueue()
        let (_, changes) = await h.queue.watch(ids: [job.id])
        var seen: [JobRecord.State] = []
        for await change in changes where change.id == job.id {
            seen.append(change.state)
            if change.state.isFinished { break }
        }
        #expect(seen.contains(.running) || seen.first == .succeeded)
        #expect(seen.last == .succeeded)
        run.cancel()
        _ = await run.result
    }
}
