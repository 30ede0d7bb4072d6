import Foundation
import Logging
import NIOConcurrencyHelpers
import PinterestAPI
import Testing

@testable import PinAdsDaemon

@Suite("Rate limiting")
struct RateLimiterTests {
    @Test func slidingWindowNeverExceedsItsLimit() {
        var window = RateWindow(limit: 3, length: 1)
        for t in [0.0, 0.5, 0.9] {
            let next = window.nextAdmission(at: t)
            #expect(next == t)
            window.admit(at: t)
        }
        let result2 = window.nextAdmission(at: 0.95)
        #expect(result2 == 1.0, "the fourth waits until the first leaves the window")
        let result3 = window.nextAdmission(at: 1.0)
        #expect(result3 == 1.0)
        window.admit(at: 1.0)
        let result4 = window.nextAdmission(at: 1.0)
        #expect(result4 == 1.5)
        let result5 = window.count(at: 1.0)
        #expect(result5 == 3)
    }

    @Test func categoryLimitsHoldPerMinute() {
        var state = RateLimitState(limits: .init(requestsPerSecond: 100, perMinuteByCategory: ["ads_write": 400]))
        var t = 0.0
        var admitted = 0
        while admitted < 400 {
            if state.tryAdmit(category: "ads_write", at: t) { admitted += 1 } else { t += 0.01 }
        }
        #expect(t >= 3 && t < 4.1, "400 writes at 100/s take about 4 s")
        let result6 = state.tryAdmit(category: "ads_write", at: t)
        #expect(!result6)
        let result7 = state.nextAdmission(category: "ads_write", at: t)
        #expect(result7 == 60, "the 401st write waits for the first to leave the minute")
        let result8 = state.tryAdmit(category: "ads_read", at: t + 1)
        #expect(result8, "other categories are not held back")
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

    @Test func limiterGrantsAtMostTheLimitPerSecondOnAManualClock() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(requestsPerSecond: 100, perMinuteByCategory: [:]), clock: clock, logger: Logger(label: "test"))
        let granted = NIOLockedValueBox<[Date]>([])
        let calls = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<250 {
                    group.addTask {
                        try? await limiter.admit(category: "ads_read", priority: .bulk, key: "user-1")
                        granted.withLockedValue { $0.append(clock.now()) }
                    }
                }
            }
        }
        try await eventually("first 100 granted") { granted.withLockedValue { $0.count } == 100 }
        try await eventually("the rest wait on the clock") { clock.sleeperCount > 0 }
        #expect(granted.withLockedValue { $0.count } == 100)
        clock.advance(by: 1)
        try await eventually("next 100 granted") { granted.withLockedValue { $0.count } == 200 }
        try await eventually("the rest wait on the clock") { clock.sleeperCount > 0 }
        clock.advance(by: 1)
        try await eventually("all granted") { granted.withLockedValue { $0.count } == 250 }
        await calls.value
        let times = granted.withLockedValue { $0 }.map(\.timeIntervalSince1970)
        for start in Set(times) {
            #expect(times.filter { $0 >= start && $0 < start + 1 }.count <= 100)
        }
    }

    @Test func realtimeGoesFirstWithoutStarvingBulk() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(requestsPerSecond: 10, perMinuteByCategory: [:]), clock: clock, logger: Logger(label: "test"))
        for _ in 0..<10 { try await limiter.admit(category: "ads_read", priority: .bulk, key: "k") }
        let order = NIOLockedValueBox<[CallPriority]>([])
        var tasks: [Task<Void, Never>] = []
        for (i, priority) in (Array(repeating: CallPriority.bulk, count: 10) + Array(repeating: .realtime, count: 10)).enumerated() {
            tasks.append(Task {
                try? await limiter.admit(category: "x", priority: priority, key: "k")
                order.withLockedValue { $0.append(priority) }
            })
            // Queue them in this order: bulk first.
            try await eventually("queued") { await limiter.waiting(key: "k") == i + 1 }
        }
        clock.advance(by: 1)
        try await eventually("ten granted") { order.withLockedValue { $0.count } == 10 }
        let first = order.withLockedValue { $0 }
        #expect(first.filter { $0 == .realtime }.count == 8, "real-time work takes most turns: \(first)")
        #expect(first.filter { $0 == .bulk }.count == 2, "bulk still gets one turn in five")
        clock.advance(by: 1)
        for task in tasks { await task.value }
    }

    @Test func eachUserHasItsOwnLimit() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .init(requestsPerSecond: 2, perMinuteByCategory: [:]), clock: clock, logger: Logger(label: "test"))
        for _ in 0..<2 { try await limiter.admit(category: "c", priority: .bulk, key: "a") }
        try await limiter.admit(category: "c", priority: .bulk, key: "b")
        #expect(await limiter.requestsInLastSecond(key: "a") == 2)
        #expect(await limiter.requestsInLastSecond(key: "b") == 1)
        #expect(RateLimiter.key(for: AccessToken("t", subject: "user-9")) == "user-9")
        #expect(RateLimiter.key(for: AccessToken("secret")).hasPrefix("sha256:"))
    }
}
