import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import PinterestSandbox
import Testing

@testable import PinAdsDaemon

@Suite("Activation sync plan")
struct ActivationSyncPlanTests {
    let plan = ActivationSyncPlan(minimumMembers: 100, recordsPerRequest: 10)

    func activation(listID: String? = nil, audienceID: String? = nil, synced: Int64 = 0, operation: SyncOperation? = nil) -> ActivationRecord {
        let date = Date(timeIntervalSince1970: 0)
        return ActivationRecord(
            id: 1, audienceID: 1, adAccountID: "1", connectionID: 1, customerListName: "n", customerListID: listID,
            pinterestAudienceID: audienceID, syncedVersion: synced, operation: operation, createdAt: date, updatedAt: date)
    }

    @Test func startDecisions() {
        #expect(plan.start(activation(), audienceVersion: 3, memberCount: 99) == .notEnoughMembers(has: 99))
        #expect(plan.start(activation(), audienceVersion: 3, memberCount: 100) == .begin(SyncOperation(targetVersion: 3)))
        // Once the list exists, a shrinking audience still gets its removals.
        #expect(plan.start(activation(listID: "9", audienceID: "8", synced: 3), audienceVersion: 5, memberCount: 10) == .begin(SyncOperation(targetVersion: 5)))
        #expect(plan.start(activation(listID: "9", audienceID: "8", synced: 5), audienceVersion: 5, memberCount: 500) == .upToDate)
        // A list without its audience (the last sync stopped before it) is not up to date.
        #expect(plan.start(activation(listID: "9", synced: 0), audienceVersion: 0, memberCount: 500) == .begin(SyncOperation(targetVersion: 0)))
        let running = SyncOperation(targetVersion: 4, phase: .remove, cursor: "ab", added: 10, removed: 3)
        #expect(plan.start(activation(operation: running), audienceVersion: 9, memberCount: 1) == .resume(running))
    }

    @Test func phasesSkipRemovalsOnTheFirstSync() {
        #expect(plan.phase(after: .add, firstSync: true) == .audience)
        #expect(plan.phase(after: .add, firstSync: false) == .remove)
        #expect(plan.phase(after: .remove, firstSync: false) == .audience)
    }

    @Test func aSyncThatGaveUpIsRetriedLaterUnlessPinterestHasEveryChange() {
        var cut = activation(listID: "9", audienceID: "8", synced: 5)
        cut.fail("all 4 attempts were used, the last cut short by a restart", at: Date(timeIntervalSince1970: 0))
        #expect(plan.afterGivingUp(cut, audienceVersion: 5) == .nothingLeft, "the sync had committed: nothing to retry")
        #expect(plan.afterGivingUp(cut, audienceVersion: 6) == .retry(round: 1, delay: 60))
        var third = activation(listID: "9", audienceID: "8", synced: 5, operation: SyncOperation(targetVersion: 6))
        third.retryRound = 2
        #expect(plan.afterGivingUp(third, audienceVersion: 6) == .retry(round: 3, delay: 240), "1, 2, 4 … min in a row")
        third.retryRound = 40
        #expect(plan.afterGivingUp(third, audienceVersion: 6) == .retry(round: 41, delay: 86_400), "at most a day")
        #expect(ActivationSyncPlan.startsIn(59.999) == "in 1 min" && ActivationSyncPlan.startsIn(480) == "in 8 min")
        #expect(ActivationSyncPlan.startsIn(2) == "in 2 s" && ActivationSyncPlan.startsIn(0) == "now")
    }

    @Test func aLostWriteLandedWhenTheCounterGrewByItsRecords() {
        let pending = PendingWrite(kind: .add, lastHash: "f", count: 100, counterBefore: 250, startedAt: Date(timeIntervalSince1970: 10))
        #expect(!ActivationSyncPlan.landed(pending, counterNow: 250))
        #expect(!ActivationSyncPlan.landed(pending, counterNow: 349))
        #expect(ActivationSyncPlan.landed(pending, counterNow: 350))
        #expect(plan.checkTime(of: pending) == Date(timeIntervalSince1970: 12))
    }
}
