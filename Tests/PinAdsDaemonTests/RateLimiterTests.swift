import Foundation
import Logging
import NIOConcurrencyHelpers
import PinterestAPI
import Testing

@testable import PinAdsDaemon

@Suite("Rate limiting")
struct RateLimiterTests {
    @Test func aRequestCountsFromAdmissionUntilASecondAfterItsAnswer() {
        var window = RateWindow(limit: 3, length: 1)
        for _ in 0..<3 {
            #expect(window.nextAdmission(at: 0) == 0)
            window.admit()
        }
        let full = window.nextAdmission(at: 0.5)
        #expect(full == nil, "all three in flight: only an answer frees a slot")
        window.complete(at: 0.2)
        window.complete(at: 0.4)
        let afterAnswers = window.nextAdmission(at: 0.5)
        #expect(afterAnswers == 1.2, "a second after the first answer, not after its admission")
        let later = window.nextAdmission(at: 1.2)
        #expect(later == 1.2)
        window.admit()
        let count = window.count(at: 1.2)
        #expect(count == 3, "one in flight, one answered at 0.4, the new one")
    }

    @Test func categoryLimitsHoldPerMinute() {
        var state = RateLimitState(limits: .init(requestsPerSecond: 100, perMinuteByCategory: ["ads_write": 400]))
        var t = 0.0
        var admitted = 0
        while admitted < 400 {
            if state.tryAdmit(category: "ads_write", at: t) {
                state.complete(category: "ads_write", at: t)
                admitted += 1
            } else {
                t += 0.01
            }
        }
        #expect(t >= 3 && t < 4.1, "400 writes at 100/s take about 4 s")
        let refused = state.tryAdmit(category: "ads_write", at: t)
        #expect(!refused)
        let next = state.nextAdmission(category: "ads_write", at: t)
        #expect(next == 60, "the 401st write waits for the first to leave the minute")
        let other = state.tryAdmit(category: "ads_read", at: t + 1)
        #expect(other, "other categories are not held back")
    }

    @Test func a429PausesUntilResetOrBacksOff() {
        var state = RateLimitState(limits: .pinterestStandard)
        state.rateLimited(at: 10, resetAfter: 3)
        let result9 = state.nextAdmission(category: "ads_read", at: 10)
        #expect(result9 == 13)
        var other = RateLimitState(limits: .pinterestStandard)
        other.rateLimited(at: 0, resetAfter: nil)
        let result10 = other.nextAdmission(category: "ads_read", at: 0)
        #expect(result10 == 1)
        other.rateLimited(at: 1, resetAfter: nil)
        let result11 = other.nextAdmission(category: "ads_read", at: 1)
        #expect(result11 == 3)
        other.succeeded()
        other.rateLimited(at: 3, resetAfter: nil)
        let result12 = other.nextAdmission(category: "ads_read", at: 3)
        #expect(result12 == 4, "backoff starts over after a success")
    }

    @Test func limiterSpreadsGrantsAndNeverExceedsTheLimitInAnySecond() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(requestsPerSecond: 100, perMinuteByCategory: [:]), clock: clock, logger: Logger(label: "test"))
        let granted = NIOLockedValueBox<[Double]>([])
        let start = clock.now().timeIntervalSince1970
        let calls = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<250 {
                    group.addTask {
                        try? await limiter.admit(category: "ads_read", priority: .bulk, key: "user-1")
                        granted.withLockedValue { $0.append(clock.now().timeIntervalSince1970 - start) }
                        // Answered at once.
                        await limiter.observe(.adAccountsList, token: AccessToken("t", subject: "user-1"), status: 200, headers: [:])
                    }
                }
            }
        }
        try await eventually("all 250 are waiting or granted") {
            await limiter.waiting(key: "user-1") + granted.withLockedValue { $0.count } == 250
        }
        // Move time in 10 ms steps, each time the limiter waits on the clock.
        var steps = 0
        while granted.withLockedValue({ $0.count }) < 250 && steps < 1000 {
            try await eventually("the limiter sleeps until its next grant") { clock.sleeperCount > 0 || granted.withLockedValue { $0.count } == 250 }
            clock.advance(by: 0.01)
            steps += 1
        }
        await calls.value
        let times = granted.withLockedValue { $0 }.sorted()
        #expect(times.count == 250)
        for (i, t) in times.enumerated() {
            #expect(times[i...].prefix { $0 < t + 1 }.count <= 100, "more than 100 grants in the second after \(t)")
        }
        #expect(times.last ?? 99 < 2.6, "250 calls at 100/s take about 2.5 s (took \(times.last ?? -1))")
        // Spread, not bursts: a late timer may catch up one grant, never more.
        let sameInstant = Dictionary(grouping: times) { ($0 * 1000).rounded() }.values.map(\.count).max() ?? 0
        #expect(sameInstant <= 2, "grants are spread, not bursts (\(sameInstant) at one instant)")
    }

    @Test func realtimeGoesFirstWithoutStarvingBulk() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(requestsPerSecond: 10, perMinuteByCategory: [:]), clock: clock, logger: Logger(label: "test"))
        let operation = PinterestOperation(id: "x", category: "x"), token = AccessToken("t", subject: "k")
        try await limiter.admit(category: "x", priority: .bulk, key: "k")
        await limiter.observe(operation, token: token, status: 200, headers: [:])
        let order = NIOLockedValueBox<[CallPriority]>([])
        var tasks: [Task<Void, Never>] = []
        for (i, priority) in (Array(repeating: CallPriority.bulk, count: 10) + Array(repeating: .realtime, count: 10)).enumerated() {
            tasks.append(Task {
                try? await limiter.admit(category: "x", priority: priority, key: "k")
                order.withLockedValue { $0.append(priority) }
                await limiter.observe(operation, token: token, status: 200, headers: [:])
            })
            // Queue them in this order: bulk first.
            try await eventually("queued") { await limiter.waiting(key: "k") == i + 1 }
        }
        for granted in 1...10 {
            try await eventually("the limiter sleeps until its next grant") { clock.sleeperCount > 0 }
            clock.advance(by: 0.1)
            try await eventually("grant \(granted)") { order.withLockedValue { $0.count } == granted }
        }
        let first = order.withLockedValue { $0 }
        #expect(first.filter { $0 == .realtime }.count == 8, "real-time work takes most turns: \(first)")
        #expect(first.filter { $0 == .bulk }.count == 2, "bulk still gets one turn in five")
        for _ in 0..<10 {
            try await eventually("the limiter sleeps until its next grant") { clock.sleeperCount > 0 }
            clock.advance(by: 0.1)
        }
        for task in tasks { await task.value }
    }

    @Test func eachUserHasItsOwnLimitAndAnUnansweredCallHoldsItsSlot() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(requestsPerSecond: 2, perMinuteByCategory: [:]), clock: clock, logger: Logger(label: "test"))
        let operation = PinterestOperation(id: "c", category: "c"), tokenA = AccessToken("t", subject: "a")
        try await limiter.admit(category: "c", priority: .bulk, key: "a")
        let second = Task { try await limiter.admit(category: "c", priority: .bulk, key: "a") }
        try await eventually("spaced half a second apart") { clock.sleeperCount > 0 }
        clock.advance(by: 0.5)
        try await second.value
        try await limiter.admit(category: "c", priority: .bulk, key: "b")
        #expect(await limiter.requestsInLastSecond(key: "a") == 2)
        #expect(await limiter.requestsInLastSecond(key: "b") == 1)
        #expect(RateLimiter.key(for: AccessToken("t", subject: "user-9")) == "user-9")
        #expect(RateLimiter.key(for: AccessToken("secret")).hasPrefix("sha256:"))

        // Both of a's calls are unanswered: time alone frees nothing.
        let third = Task { try await limiter.admit(category: "c", priority: .bulk, key: "a") }
        try await eventually("queued") { await limiter.waiting(key: "a") == 1 }
        clock.advance(by: 5)
        try await Task.sleep(for: .milliseconds(50))
        #expect(await limiter.waiting(key: "a") == 1, "a slot held by a call in flight is not freed by time")
        // An answer (here: none, status 0) frees its slot a second later.
        await limiter.observe(operation, token: tokenA, status: 0, headers: [:])
        try await eventually("a timer for the freed slot") { clock.sleeperCount > 0 }
        clock.advance(by: 1)
        try await third.value

        // Calls made before the user was known count for the user once merged.
        let before = await limiter.requestsInLastSecond(key: "a")
        await limiter.merge(key: "b", into: "a")
        #expect(await limiter.requestsInLastSecond(key: "a") == before + 1)
        #expect(await limiter.requestsInLastSecond(key: "b") == 0)
    }
}
