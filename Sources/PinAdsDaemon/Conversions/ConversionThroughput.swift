import Foundation

/// How fast events get through: milliseconds from acceptance to Pinterest's answer of the most
/// recent events (a bounded ring), and events answered per second over the last minute (60
/// one-second buckets). Bounded whatever the traffic.
struct ConversionThroughput: Sendable {
    static let latenciesKept = 100_000

    private var latencies: [Double] = []
    private var latencyCursor = 0
    private var answeredPerSecond = [Int](repeating: 0, count: 60)
    private var answeredSecond: Int64 = 0

    /// A batch was answered at `now`; its events were accepted at `acceptedAt`.
    mutating func answered(acceptedAt: [Date], at now: Date) {
        for accepted in acceptedAt { record(latency: now.timeIntervalSince(accepted) * 1000) }
        count(acceptedAt.count, at: now)
    }

    /// The latency below which the fraction `p` of the recent events were answered.
    func latencyPercentiles(_ fractions: [Double]) -> [Double?] {
        let sorted = latencies.sorted()
        return fractions.map { p in
            guard !sorted.isEmpty else { return nil }
            return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
        }
    }

    /// Events answered per second over the minute up to `now`.
    func eventsPerSecond(at now: Date) -> Double {
        let total = Int64(now.timeIntervalSince1970) - answeredSecond >= 60 ? 0 : answeredPerSecond.reduce(0, +)
        return Double(total) / 60
    }

    private mutating func record(latency value: Double) {
        if latencies.count < Self.latenciesKept {
            latencies.append(value)
        } else {
            latencies[latencyCursor] = value
            latencyCursor = (latencyCursor + 1) % Self.latenciesKept
        }
    }

    private mutating func count(_ events: Int, at now: Date) {
        let second = Int64(now.timeIntervalSince1970)
        if second != answeredSecond {
            // Clear the buckets of the seconds that passed without answers.
            for skipped in (answeredSecond + 1)...max(answeredSecond + 1, min(second, answeredSecond + 60)) {
                answeredPerSecond[Int(skipped % 60)] = 0
            }
            answeredSecond = second
        }
        answeredPerSecond[Int(second % 60)] += events
    }
}
