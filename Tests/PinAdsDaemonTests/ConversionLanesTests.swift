import Foundation
import Testing

@testable import PinAdsDaemon
@testable import PinAdsStore

/// The dispatcher's decisions without its I/O: a lane's linger, full batches, the limits of
/// batches in flight, retries, and a batch's end while another lane waits. Time is a manual
/// clock; the store's answers are written out by hand.
@Suite("Conversion lanes")
struct ConversionLanesTests {
    let clock = ManualClock()
    let shop = ConversionLane(adAccountID: "549755885175", test: false)
    let other = ConversionLane(adAccountID: "549755885176", test: false)

    func machine(batchSize: Int = 1000, linger: TimeInterval = 0.02, perLane: Int = 8, overall: Int? = nil) -> ConversionLanes {
        ConversionLanes(limits: .init(batchSize: batchSize, linger: linger, maximumInFlight: perLane, maximumInFlightOverall: overall))
    }

    func backlog(_ lane: ConversionLane, due: Int, oldest: Date?, retry: Date? = nil) -> LaneBacklog {
        LaneBacklog(lane: lane, due: due, oldestDueAt: oldest, nextRetryAt: retry)
    }

    func batch(_ lane: ConversionLane, ids: Range<Int64>, attempts: Int = 0) -> ConversionBatch {
        ConversionBatch(
            lane: lane, ids: Array(ids), bodies: ids.map { _ in "{}" }, acceptedAt: ids.map { _ in clock.now() },
            attempts: ids.map { _ in attempts })
    }

    func look(_ lanes: ConversionLanes, _ lane: ConversionLane) throws -> ConversionLanes.Look {
        try #require(lanes.looks().first { $0.lane == lane })
    }

    @Test func aBatchThatIsNotFullLeavesWhenItsLingerEnds() throws {
        var lanes = machine(linger: 0.02)
        let accepted = clock.now()
        lanes.gained(shop)
        let first = lanes.read(backlog(shop, due: 3, oldest: accepted), look: try look(lanes, shop), now: clock.now())
        #expect(first.step == .wait)
        #expect(first.lookAgainAt == accepted.addingTimeInterval(0.02), "looked at again when the linger ends")
        clock.advance(by: 0.01)
        #expect(lanes.read(backlog(shop, due: 4, oldest: accepted), look: try look(lanes, shop), now: clock.now()).step == .wait)
        clock.advance(by: 0.01)
        let due = lanes.read(backlog(shop, due: 4, oldest: accepted), look: try look(lanes, shop), now: clock.now())
        #expect(due.step == .take)
    }

    @Test func aFullBatchLeavesAtOnceAndAsksForAnotherLook() throws {
        var lanes = machine(batchSize: 1000, linger: 5)
        lanes.gained(shop)
        let read = lanes.read(backlog(shop, due: 1000, oldest: clock.now()), look: try look(lanes, shop), now: clock.now())
        #expect(read.step == .take, "no linger for a full batch")
        #expect(lanes.took(batch(shop, ids: 1..<1001)).lookAgain, "more may be due behind a full batch")
        #expect(!lanes.took(batch(shop, ids: 1001..<1400)).lookAgain)
        #expect(lanes.inFlight(shop) == 2)
        #expect(lanes.eventsInFlight(adAccountID: shop.adAccountID) == 1399)
        #expect(lanes.eventsInFlight(adAccountID: other.adAccountID) == 0)
    }

    @Test func aLaneSendsNoMoreThanItsLimitAtOnce() throws {
        var lanes = machine(batchSize: 10, perLane: 2)
        lanes.gained(shop)
        let full = backlog(shop, due: 50, oldest: clock.now())
        #expect(lanes.read(full, look: try look(lanes, shop), now: clock.now()).step == .take)
        let one = lanes.took(batch(shop, ids: 1..<11)).flight
        #expect(lanes.read(full, look: try look(lanes, shop), now: clock.now()).step == .take)
        _ = lanes.took(batch(shop, ids: 11..<21))
        #expect(lanes.excluded(from: shop) == Set(1..<21), "the next batch is taken around both")
        let third = lanes.read(full, look: try look(lanes, shop), now: clock.now())
        #expect(third.step == .wait)
        #expect(third.lookAgainAt == nil, "a landing wakes the pump: no timer for a full flight")
        lanes.landed(one)
        #expect(lanes.excluded(from: shop) == Set(11..<21))
        #expect(lanes.read(full, look: try look(lanes, shop), now: clock.now()).step == .take)
    }

    @Test func aFailedBatchIsDueAgainAfterItsBackoff() throws {
        let lanes = machine()
        #expect(lanes.retryDelay(after: .transient, attempts: 0) == 1)
        #expect(lanes.retryDelay(after: .transient, attempts: 1) == 2)
        #expect(lanes.retryDelay(after: .transient, attempts: 3) == 8)
        #expect(lanes.retryDelay(after: .transient, attempts: 6) == 60, "at most a minute")
        #expect(lanes.retryDelay(after: .transient, attempts: 10_000) == 60)
        #expect(lanes.retryDelay(after: .connectionUnavailable, attempts: 7) == 5, "a reconnect wakes it earlier")

        var waiting = machine()
        waiting.gained(shop)
        let retryAt = clock.now().addingTimeInterval(8)
        let read = waiting.read(backlog(shop, due: 0, oldest: nil, retry: retryAt), look: try look(waiting, shop), now: clock.now())
        #expect(read.step == .wait && read.lookAgainAt == retryAt, "looked at again when the retry is due")
        #expect(waiting.lanes == [shop], "a lane with a retry ahead is kept")
        clock.advance(by: 8)
        let lingering = waiting.read(backlog(shop, due: 50, oldest: retryAt), look: try look(waiting, shop), now: clock.now())
        #expect(lingering.step == .wait && lingering.lookAgainAt == retryAt.addingTimeInterval(0.02), "its linger counts from its retry time")
        clock.advance(by: 0.02)
        #expect(waiting.read(backlog(shop, due: 50, oldest: retryAt), look: try look(waiting, shop), now: clock.now()).step == .take)
    }

    @Test func anEmptyLaneIsDroppedOnlyWhenNothingHappenedToItMeanwhile() throws {
        var lanes = machine()
        lanes.gained(shop)
        let stale = try look(lanes, shop)
        lanes.gained(shop)  // events accepted while the backlog was read
        _ = lanes.read(backlog(shop, due: 0, oldest: nil), look: stale, now: clock.now())
        #expect(lanes.lanes == [shop], "gained work meanwhile: kept")

        let flight = lanes.took(batch(shop, ids: 1..<3)).flight
        _ = lanes.read(backlog(shop, due: 0, oldest: nil), look: try look(lanes, shop), now: clock.now())
        #expect(lanes.lanes == [shop], "a batch in flight may go back to the queue: kept")

        lanes.landed(flight)
        _ = lanes.read(backlog(shop, due: 0, oldest: nil), look: try look(lanes, shop), now: clock.now())
        #expect(lanes.lanes.isEmpty, "empty, nothing in flight, no retry ahead: dropped")
    }

    @Test func aBatchsEndLetsTheLaneThatWaitedGoFirst() throws {
        var lanes = machine(batchSize: 10, perLane: 8, overall: 1)
        lanes.gained(shop)
        lanes.gained(other)
        let now = clock.now()
        #expect(lanes.looks().map(\.lane) == [shop, other])
        #expect(lanes.read(backlog(shop, due: 30, oldest: now), look: try look(lanes, shop), now: now).step == .take)
        let flight = lanes.took(batch(shop, ids: 1..<11)).flight
        #expect(lanes.inFlightOverall == 1)

        let waiting = lanes.read(backlog(other, due: 30, oldest: now), look: try look(lanes, other), now: now)
        #expect(waiting.step == .wait && waiting.lookAgainAt == nil, "the overall limit holds it; the landing wakes it")

        lanes.landed(flight)
        #expect(lanes.looks().map(\.lane) == [other, shop], "the lane that waited goes first")
        #expect(lanes.read(backlog(other, due: 30, oldest: now), look: try look(lanes, other), now: now).step == .take)
        let second = lanes.took(batch(other, ids: 100..<110)).flight
        #expect(lanes.read(backlog(shop, due: 20, oldest: now), look: try look(lanes, shop), now: now).step == .wait)

        lanes.landed(second)
        #expect(lanes.looks().map(\.lane) == [shop, other], "and then the other again: each in turn")
        #expect(lanes.read(backlog(shop, due: 20, oldest: now), look: try look(lanes, shop), now: now).step == .take)
    }

    @Test func theTimerIsSetForTheEarliestTimeOnly() {
        var lanes = machine()
        let t = clock.now()
        #expect(lanes.wake(at: t.addingTimeInterval(5)) == t.addingTimeInterval(5))
        #expect(lanes.wake(at: t.addingTimeInterval(9)) == nil, "already set for earlier")
        #expect(lanes.wake(at: t.addingTimeInterval(5)) == nil)
        #expect(lanes.wake(at: t.addingTimeInterval(1)) == t.addingTimeInterval(1), "an earlier time moves it")
        lanes.alarmRang()
        #expect(lanes.wake(at: t.addingTimeInterval(9)) == t.addingTimeInterval(9), "after it rang, any time sets it")
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesFromItsBaseUpToItsCap() {
        let backoff = Backoff(base: 1, cap: 60)
        #expect((0...8).map { backoff.delay(afterFailures: $0) } == [0, 1, 2, 4, 8, 16, 32, 60, 60])
        #expect(backoff.delay(afterFailures: Int.max) == 60, "no overflow however long it fails")
        #expect(backoff.delay(afterFailures: -3) == 0)
    }

    @Test func jitterTakesItsFractionFromTheDraw() {
        let backoff = Backoff(base: 10, cap: 300, jitter: 0.5)
        #expect(backoff.delay(afterFailures: 2, random: 0) == 10, "half fixed")
        #expect(backoff.delay(afterFailures: 2, random: 1) == 20)
        #expect(backoff.delay(afterFailures: 2, random: 0.5) == 15)
        #expect(backoff.delay(afterFailures: 2, random: 7) == 20, "a draw out of range is clamped")
        let full = Backoff(base: 10, cap: 300, jitter: 1)
        #expect(full.delay(afterFailures: 1, random: 0) == 0)
        #expect(full.delay(afterFailures: 30, random: 0.25) == 75)
    }

    @Test func settingsAreKeptInRange() {
        let odd = Backoff(base: -5, cap: -1, jitter: 3)
        #expect(odd.base == 0 && odd.cap == 0 && odd.jitter == 1)
        #expect(Backoff(base: 10, cap: 2).cap == 10, "the cap is never below the base")
    }

    @Test func theDrawIsInjected() {
        let fixed = JitterSource.fixed(0.25)
        #expect(fixed.next() == 0.25 && fixed.next() == 0.25)
        let backoff = Backoff(base: 4, cap: 100, jitter: 1)
        #expect(backoff.delay(afterFailures: 3, random: fixed.next()) == 4)
        for _ in 0..<100 {
            let draw = JitterSource.system.next()
            #expect(draw >= 0 && draw < 1)
        }
    }
}
