import Foundation

/// An exact sliding-window counter: at most `limit` admissions in any window of `length`
/// seconds. Pure: the caller passes the time.
public struct RateWindow: Sendable, Equatable {
    public let limit: Int
    public let length: TimeInterval
    /// Admission times inside the current window, oldest first.
    private var admitted: [TimeInterval] = []
    private var head = 0

    public init(limit: Int, length: TimeInterval) {
        self.limit = max(1, limit)
        self.length = length
    }

    /// When the next admission may happen: `now` if there is room, else the moment the oldest
    /// admission leaves the window.
    public mutating func nextAdmission(at now: TimeInterval) -> TimeInterval {
        expire(before: now)
        let count = admitted.count - head
        return count < limit ? now : admitted[head] + length
    }

    /// Records an admission at `now`. Call only when `nextAdmission(at: now) <= now`.
    public mutating func admit(at now: TimeInterval) {
        admitted.append(now)
    }

    public mutating func count(at now: TimeInterval) -> Int {
        expire(before: now)
        return admitted.count - head
    }

    private mutating func expire(before now: TimeInterval) {
        while head < admitted.count, admitted[head] + length <= now { head += 1 }
        if head > 1024, head * 2 > admitted.count {
            admitted.removeFirst(head)
            head = 0
        }
    }
}

/// The limits one (app, Pinterest user) key is held to: a per-second ceiling on every call, a
/// per-minute ceiling per category, and pauses after a 429. Pure.
public struct RateLimitState: Sendable {
    public struct Limits: Sendable, Equatable {
        public var requestsPerSecond: Int
        public var perMinuteByCategory: [String: Int]

        /// NOTES §10.3, standard access: 100/s per user per app; per minute ads_read 1000,
        /// ads_write 400, ads_analytics 300, ads_conversions 120,000, org_read 1000.
        public static let pinterestStandard = Limits(
            requestsPerSecond: 100,
            perMinuteByCategory: [
                "ads_read": 1000, "ads_write": 400, "ads_analytics": 300, "ads_conversions": 120_000, "org_read": 1000,
            ])

        public init(requestsPerSecond: Int, perMinuteByCategory: [String: Int]) {
            self.requestsPerSecond = requestsPerSecond
            self.perMinuteByCategory = perMinuteByCategory
        }
    }

    public let limits: Limits
    private var perSecond: RateWindow
    private var perMinute: [String: RateWindow] = [:]
    /// No admission before this (after a 429).
    private(set) var pausedUntil: TimeInterval = 0
    private var consecutive429 = 0

    public init(limits: Limits) {
        self.limits = limits
        perSecond = RateWindow(limit: limits.requestsPerSecond, length: 1)
    }

    /// When a call of `category` may go: `now` when it may go now.
    public mutating func nextAdmission(category: String, at now: TimeInterval) -> TimeInterval {
        var next = max(now, pausedUntil)
        next = max(next, perSecond.nextAdmission(at: now))
        if let limit = limits.perMinuteByCategory[category] {
            var window = perMinute[category] ?? RateWindow(limit: limit, length: 60)
            next = max(next, window.nextAdmission(at: now))
            perMinute[category] = window
        }
        return next
    }

    /// Admits a call now if every limit allows; returns whether it did.
    public mutating func tryAdmit(category: String, at now: TimeInterval) -> Bool {
        guard nextAdmission(category: category, at: now) <= now else { return false }
        perSecond.admit(at: now)
        if limits.perMinuteByCategory[category] != nil { perMinute[category]?.admit(at: now) }
        return true
    }

    /// A 429 arrived: pause until Pinterest's reset when it gave one, else back off
    /// exponentially (1, 2, 4 … 60 s) while 429s keep coming.
    public mutating func rateLimited(at now: TimeInterval, resetAfter: TimeInterval?) {
        consecutive429 += 1
        let wait = resetAfter.map { max(0, $0) } ?? min(60, pow(2, Double(consecutive429 - 1)))
        pausedUntil = max(pausedUntil, now + wait)
    }

    /// A call went through without a 429.
    public mutating func succeeded() {
        consecutive429 = 0
    }

    public mutating func requestsInLastSecond(at now: TimeInterval) -> Int { perSecond.count(at: now) }
}
