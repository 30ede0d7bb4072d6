import Foundation

/// A sliding-window counter that holds what the *server* sees: at most `limit` requests in
/// any window of `length` seconds. A request counts from the moment it is admitted; once its
/// answer is back it counts until `length` after that moment, since it reached the server at
/// some time before its answer. So delivery jitter can never squeeze more than `limit`
/// arrivals into one window. Pure: the caller passes the time.
public struct RateWindow: Sendable, Equatable {
    public let limit: Int
    public let length: TimeInterval
    /// Requests admitted whose answer has not come back.
    public private(set) var inFlight = 0
    /// Answer times of finished requests still inside the window, oldest first.
    private var finished: [TimeInterval] = []
    private var head = 0

    public init(limit: Int, length: TimeInterval) {
        self.limit = max(1, limit)
        self.length = length
    }

    /// When the next admission may happen: `now` if there is room; the moment the oldest
    /// finished request leaves the window; or nil when every slot is held by a request in
    /// flight (wait for an answer).
    public mutating func nextAdmission(at now: TimeInterval) -> TimeInterval? {
        expire(before: now)
        if inFlight + (finished.count - head) < limit { return now }
        return head < finished.count ? finished[head] + length : nil
    }

    /// Records an admission. Call only when `nextAdmission(at:)` returned a time `<= now`.
    public mutating func admit() {
        inFlight += 1
    }

    /// The answer of an admitted request came back (or it failed) at `now`.
    public mutating func complete(at now: TimeInterval) {
        guard inFlight > 0 else { return }
        inFlight -= 1
        finished.append(now)
    }

    /// Takes over another window's requests (the same user seen under two keys).
    public mutating func absorb(_ other: RateWindow, at now: TimeInterval) {
        var mine = other
        mine.expire(before: now)
        expire(before: now)
        inFlight += mine.inFlight
        finished = (Array(finished[head...]) + Array(mine.finished[mine.head...])).sorted()
        head = 0
    }

    /// Requests that count in the window now.
    public mutating func count(at now: TimeInterval) -> Int {
        expire(before: now)
        return inFlight + finished.count - head
    }

    private mutating func expire(before now: TimeInterval) {
        while head < finished.count, finished[head] + length <= now { head += 1 }
        if head > 1024, head * 2 > finished.count {
            finished.removeFirst(head)
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
    /// Admissions are spread evenly (1/limit apart) instead of in bursts: a burst piles up at
    /// the server, its answers come late, and late answers hold window slots longer.
    private var lastAdmission = -Double.infinity
    private let spacing: TimeInterval

    public init(limits: Limits) {
        self.limits = limits
        perSecond = RateWindow(limit: limits.requestsPerSecond, length: 1)
        spacing = 1 / Double(max(1, limits.requestsPerSecond))
    }

    /// When a call of `category` may go: `now` when it may go now, a later time, or nil when it
    /// must wait for an answer to free a slot.
    public mutating func nextAdmission(category: String, at now: TimeInterval) -> TimeInterval? {
        guard let second = perSecond.nextAdmission(at: now) else { return nil }
        var next = max(now, pausedUntil, second, lastAdmission + spacing)
        if let limit = limits.perMinuteByCategory[category] {
            var window = perMinute[category] ?? RateWindow(limit: limit, length: 60)
            let minute = window.nextAdmission(at: now)
            perMinute[category] = window
            guard let minute else { return nil }
            next = max(next, minute)
        }
        return next
    }

    /// Admits a call now if every limit allows; returns whether it did.
    public mutating func tryAdmit(category: String, at now: TimeInterval) -> Bool {
        guard let next = nextAdmission(category: category, at: now), next <= now else { return false }
        // Keep the cadence when a grant comes a little late (timers are not exact); start it
        // afresh after a pause.
        let due = lastAdmission + spacing
        lastAdmission = now - due < spacing ? due : now
        perSecond.admit()
        if limits.perMinuteByCategory[category] != nil { perMinute[category]?.admit() }
        return true
    }

    /// An admitted call of `category` finished (answered or failed) at `now`.
    public mutating func complete(category: String, at now: TimeInterval) {
        perSecond.complete(at: now)
        if limits.perMinuteByCategory[category] != nil { perMinute[category]?.complete(at: now) }
    }

    /// Takes over another key's state: calls made before the user was known count for the user.
    public mutating func absorb(_ other: RateLimitState, at now: TimeInterval) {
        perSecond.absorb(other.perSecond, at: now)
        for (category, window) in other.perMinute {
            if var existing = perMinute[category] {
                existing.absorb(window, at: now)
                perMinute[category] = existing
            } else {
                perMinute[category] = window
            }
        }
        pausedUntil = max(pausedUntil, other.pausedUntil)
        lastAdmission = max(lastAdmission, other.lastAdmission)
    }

    /// The pause while 429s without a reset keep coming: 1, 2, 4 … 60 s.
    static let pauseBackoff = Backoff(base: 1, cap: 60)

    /// A 429 arrived: pause until Pinterest's reset when it gave one, else back off
    /// exponentially (1, 2, 4 … 60 s) while 429s keep coming.
    public mutating func rateLimited(at now: TimeInterval, resetAfter: TimeInterval?) {
        consecutive429 += 1
        // x-ratelimit-reset is undocumented (NOTES §10.2): read a huge value as an epoch time,
        // and never pause longer than 5 minutes on its word.
        let reset = resetAfter.map { $0 > 1_000_000_000 ? $0 - now : $0 }
        let wait = reset.map { min(300, max(0, $0)) } ?? Self.pauseBackoff.delay(afterFailures: consecutive429)
        pausedUntil = max(pausedUntil, now + wait)
    }

    /// A call went through without a 429.
    public mutating func succeeded() {
        consecutive429 = 0
    }

    public mutating func requestsInLastSecond(at now: TimeInterval) -> Int { perSecond.count(at: now) }
}
