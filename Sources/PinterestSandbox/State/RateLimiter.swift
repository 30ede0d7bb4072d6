import NIOCore

/// Timestamps (monotonic nanoseconds) of the events inside a sliding window.
struct SlidingWindow: Sendable {
    let length: UInt64
    private var times = CircularBuffer<UInt64>()

    init(lengthNanoseconds: UInt64) { length = lengthNanoseconds }

    /// Drops events that left the window ending at `now`, and returns how many remain.
    mutating func count(at now: UInt64) -> Int {
        while let first = times.first, first + length <= now { times.removeFirst() }
        return times.count
    }

    mutating func add(_ now: UInt64) { times.append(now) }

    /// Whole seconds (at least 1) until the oldest event leaves the window.
    func secondsUntilSlotFrees(at now: UInt64) -> Int {
        guard let first = times.first else { return 1 }
        let remaining = first + length > now ? first + length - now : 0
        return max(1, Int((remaining + 999_999_999) / 1_000_000_000))
    }
}

/// What the rate limiter decided for one request.
enum RateDecision: Sendable {
    /// The request may proceed; the values describe the category window after counting it.
    case allowed(limit: Int?, remaining: Int, resetSeconds: Int)
    /// The request exceeds a limit and gets a 429 with these header values.
    case limited(limit: Int, resetSeconds: Int)
}

/// Pinterest's limits: requests per second per user, and requests per minute per user in each
/// rate-limit category (for `ads_conversions`, per user and ad account). Only admitted requests
/// count against the windows, so a client that backs off recovers.
struct RateLimiter: Sendable {
    var requestsPerSecond: Int
    var categoryLimitsPerMinute: [String: Int]
    private var perSecond: [String: SlidingWindow] = [:]
    private var perMinute: [String: SlidingWindow] = [:]

    init(requestsPerSecond: Int, categoryLimitsPerMinute: [String: Int]) {
        self.requestsPerSecond = requestsPerSecond
        self.categoryLimitsPerMinute = categoryLimitsPerMinute
    }

    mutating func admit(user: String, category: String, adAccountID: String?, now: UInt64) -> RateDecision {
        var second = perSecond[user] ?? SlidingWindow(lengthNanoseconds: 1_000_000_000)
        let inSecond = second.count(at: now)
        if inSecond >= requestsPerSecond {
            let reset = second.secondsUntilSlotFrees(at: now)
            perSecond[user] = second
            return .limited(limit: requestsPerSecond, resetSeconds: reset)
        }

        var key = user + "|" + category
        if category == "ads_conversions", let adAccountID { key += "|" + adAccountID }
        var minuteWindow: SlidingWindow? = nil
        var remaining = 0
        var reset = 60
        let categoryLimit = categoryLimitsPerMinute[category]
        if let categoryLimit {
            var window = perMinute[key] ?? SlidingWindow(lengthNanoseconds: 60_000_000_000)
            let inMinute = window.count(at: now)
            if inMinute >= categoryLimit {
                let reset = window.secondsUntilSlotFrees(at: now)
                perMinute[key] = window
                perSecond[user] = second
                return .limited(limit: categoryLimit, resetSeconds: reset)
            }
            window.add(now)
            remaining = categoryLimit - inMinute - 1
            reset = window.secondsUntilSlotFrees(at: now)
            minuteWindow = window
        }
        second.add(now)
        perSecond[user] = second
        if let minuteWindow { perMinute[key] = minuteWindow }
        return .allowed(limit: categoryLimit, remaining: remaining, resetSeconds: reset)
    }
}
