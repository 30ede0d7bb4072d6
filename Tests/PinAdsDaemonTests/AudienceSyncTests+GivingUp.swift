import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import PinterestSandbox
import Testing

@testable import PinAdsDaemon

/// Syncs whose attempts all failed or were cut short: the next one is queued for later.
extension AudienceSyncTests {
    @Test func aSyncWhoseAttemptsCrashesCutShortIsQueuedAgainForLater() async throws {
        let h = try await Harness()
        let queue = JobQueue(store: h.store, clock: SystemWallClock(), registry: JobRegistry(h.syncer.jobHandlers), logger: Logger(label: "test"))
        await h.syncer.attach(queue: queue)
        let audience = try await h.audience(members: 0..<120)
        let activation = try await h.activate(audience)
        // Four attempts, each cut short by a crash (left running, requeued at the next start).
        for _ in 0..<4 {
            #expect(try await queue.claim()?.kind == AudienceSyncer.syncKind)
            _ = try await h.store.recoverInterruptedJobs(now: Date())
        }
        let before = Date()
        #expect(try await queue.claim() == nil, "the job gives up instead of running a fifth time")
        let queued = try await h.store.listJobs(state: .queued, kind: AudienceSyncer.syncKind, limit: 10, beforeID: nil)
        #expect(queued.count == 1, "another sync is queued")
        let due = try #require(queued.first?.nextRunAt)
        #expect(due >= before.addingTimeInterval(59) && due <= Date().addingTimeInterval(61))
        let record = try await h.activation(activation)
        #expect(record.errorMessage?.contains("cut short") == true && record.errorMessage?.contains("starts in 1 min") == true)
        #expect(record.retryRound == 1, "the first sync in a row that gave up (kept with the activation)")
        try await h.shutdown()
    }

    @Test func aCrashAfterTheSyncCommittedLeavesTheActivationSyncedNotInError() async throws {
        let h = try await Harness()
        let queue = JobQueue(store: h.store, clock: SystemWallClock(), registry: JobRegistry(h.syncer.jobHandlers), logger: Logger(label: "test"))
        await h.syncer.attach(queue: queue)
        let audience = try await h.audience(members: 0..<120)
        let activation = try await h.activate(audience)
        // Four attempts cut short by crashes; the fourth ran the whole sync first, and the daemon
        // died before the job's success was recorded.
        for attempt in 1...4 {
            let job = try #require(try await queue.claim())
            if attempt == 4 {
                _ = try await h.syncer.runSync(activationID: activation, job: job, context: JobContext(clock: SystemWallClock()) { _ in })
            }
            _ = try await h.store.recoverInterruptedJobs(now: Date())
        }
        #expect(try await queue.claim() == nil, "the job gives up instead of running a fifth time")
        let record = try await h.activation(activation)
        #expect(record.state == .synced && record.errorMessage == nil, "Pinterest has every change: \(record.state) \(record.errorMessage ?? "")")
        let unfinished = try await h.store.listJobs(state: nil, kind: AudienceSyncer.syncKind, limit: 10, beforeID: nil).filter { !$0.state.isFinished }
        #expect(unfinished.isEmpty, "no other sync is queued for nothing: \(unfinished.map(\.id))")
        let info = try #require(try await h.methods.activations(ListActivationsRequest(audienceId: audience)).activations.first)
        #expect(info.state == .synced && info.error == nil && info.pendingChanges == 0)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func changesAfterACrashLoopGoToAFreshSyncNotTheSpentOne() async throws {
        // A change's sync starts 30 s after it here, not 2 s: on a loaded machine 2 s can pass
        // between the change and the claim below, and the fresh job would be due already.
        let h = try await Harness(realtimeDelay: 30)
        let queue = JobQueue(store: h.store, clock: SystemWallClock(), registry: JobRegistry(h.syncer.jobHandlers), logger: Logger(label: "test"))
        await h.syncer.attach(queue: queue)
        let audience = try await h.audience(members: 0..<120)
        let activation = try await h.activate(audience)
        var spent: JobRecord?
        for _ in 0..<4 {
            spent = try await queue.claim()
            _ = try await h.store.recoverInterruptedJobs(now: Date())
        }
        let spentID = try #require(spent?.id)
        // Members change before the spent job's claim fails it.
        try await h.add(120..<130, to: audience)
        await h.syncer.membersChanged(audienceID: audience)
        let queued = try await h.store.listJobs(state: .queued, kind: AudienceSyncer.syncKind, limit: 10, beforeID: nil)
        let fresh = try #require(queued.first { $0.id != spentID }, "the changes went to a fresh job, not into the one with no attempt left")
        #expect(fresh.attempts == 0 && queued.count == 2)
        #expect(try await queue.claim() == nil, "the spent job fails at its claim; the fresh one is due in 30 s")
        #expect(try await h.store.job(id: spentID)?.state == .failed)
        let record = try await h.activation(activation)
        // It says the fresh job's time (due 30 s after the change), not the round's minute.
        let message = record.errorMessage ?? ""
        #expect(record.state == .error && message.contains(/another sync starts in (1[0-9]|2[0-9]|30) s/), "\(message)")
        // The fresh job sends everything, and the activation is SYNCED again.
        let claimed = try #require(try await h.store.claimNextJob(now: Date().addingTimeInterval(31), kinds: [AudienceSyncer.syncKind]).claimed)
        #expect(claimed.id == fresh.id)
        #expect(try JSONValue(encoding: try await h.syncer.runSync(activationID: activation, job: claimed, context: JobContext(clock: SystemWallClock()) { _ in }))["state"] == "SYNCED")
        let synced = try await h.activation(activation)
        #expect(synced.state == .synced && synced.retryRound == 0 && synced.syncedVersion == 2)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func syncsThatGiveUpInARowWaitLongerUntilOneSucceeds() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<120)
        let activation = try await h.activate(audience)
        // Pinterest fails the last attempt of two syncs in a row: each waits twice as long.
        for (round, wait) in [(1, "1 min"), (2, "2 min")] {
            h.sandbox.inject(SandboxFault(.internalServerError, count: 1, pathContains: "/customer_lists"))
            await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 4) }
            let record = try await h.activation(activation)
            #expect(record.retryRound == round && record.errorMessage?.contains("another sync starts in \(wait)") == true, "\(record.errorMessage ?? "")")
        }
        // One goes through: the rounds are over.
        try await h.sync(activation)
        var record = try await h.activation(activation)
        #expect(record.state == .synced && record.retryRound == 0)
        // The next that gives up waits a minute again, not four.
        try await h.add(120..<130, to: audience)
        h.sandbox.inject(SandboxFault(.internalServerError, count: 1, pathContains: "/customer_lists"))
        await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 4) }
        record = try await h.activation(activation)
        #expect(record.retryRound == 1 && record.errorMessage?.contains("another sync starts in 1 min") == true, "\(record.errorMessage ?? "")")
        try await h.shutdown()
    }
}
