import Foundation
import PinAdsJSON
import Testing

@testable import PinAdsStore

@Suite("Jobs with a serial key")
struct SerialJobStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func sync(_ serial: String, at date: Date) -> NewJob {
        NewJob(kind: "audiences.sync", payload: ["activation_id": 1], maxAttempts: 4, runAt: date, serialKey: serial)
    }

    @Test func aQueuedJobAbsorbsLaterOnesAndTakesTheEarlierTime() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync("a:1", at: t0.addingTimeInterval(2)), now: t0)
        let second = try await t.store.enqueueJob(sync("a:1", at: t0.addingTimeInterval(5)), now: t0)
        #expect(second.id == first.id && second.nextRunAt == t0.addingTimeInterval(2))
        let sooner = try await t.store.enqueueJob(sync("a:1", at: t0), now: t0)
        #expect(sooner.id == first.id && sooner.nextRunAt == t0, "an explicit sync now pulls the queued one forward")
        let other = try await t.store.enqueueJob(sync("a:2", at: t0), now: t0)
        #expect(other.id != first.id, "another key is another job")
    }

    @Test func oneRunsAtATimePerKeyAndTheNextWaitsForIt() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync("a:1", at: t0), now: t0)
        let claimed = try await t.store.claim(now: t0, kinds: ["audiences.sync"])
        #expect(claimed?.id == first.id)
        // A change while it runs: a new job, not absorbed by the running one.
        let next = try await t.store.enqueueJob(sync("a:1", at: t0), now: t0)
        #expect(next.id != first.id)
        let unrelated = try await t.store.enqueueJob(sync("a:2", at: t0.addingTimeInterval(1)), now: t0)
        // Only the other key's job may run meanwhile, and the due time ignores the held one.
        #expect(try await t.store.nextDueTime(kinds: ["audiences.sync"]) == t0.addingTimeInterval(1))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(1), kinds: ["audiences.sync"])?.id == unrelated.id)
        #expect(try await t.store.claim(now: t0.addingTimeInterval(1), kinds: ["audiences.sync"]) == nil)
        _ = try await t.store.finishAttempt(id: first.id, outcome: .succeeded(result: nil), now: t0.addingTimeInterval(2))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(2), kinds: ["audiences.sync"])?.id == next.id)
    }

    @Test func aJobWaitingForARetryKeepsItsBackoff() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync("a:1", at: t0), now: t0)
        _ = try await t.store.claim(now: t0, kinds: ["audiences.sync"])
        _ = try await t.store.finishAttempt(id: first.id, outcome: .retry(error: "503", at: t0.addingTimeInterval(30)), now: t0)
        let again = try await t.store.enqueueJob(sync("a:1", at: t0.addingTimeInterval(2)), now: t0)
        #expect(again.id == first.id && again.nextRunAt == t0.addingTimeInterval(30))
    }
}
