import Foundation

/// How long to wait before trying again after `n` failures in a row: `base × 2^(n-1)`, at
/// most `cap`, of which the `jitter` fraction is random. The one backoff of the daemon: jobs,
/// conversion batches, audience sync rounds, token refreshes and 429 pauses all use it.
///
/// Pure: the random draw is passed in (a value in [0, 1)), so tests pin it; callers draw it
/// from their own generator.
public struct Backoff: Sendable, Equatable {
    /// The wait after the first failure, before jitter.
    public var base: TimeInterval
    /// The wait never grows beyond this.
    public var cap: TimeInterval
    /// Fraction of the wait that is random: 0 = none, 1 = anywhere in [0, wait].
    public var jitter: Double

    public init(base: TimeInterval, cap: TimeInterval, jitter: Double = 0) {
        self.base = max(0, base)
        self.cap = max(self.base, cap)
        self.jitter = min(1, max(0, jitter))
    }

    /// The wait after `failures` failures in a row (1-based; 0 or less waits nothing).
    /// - Parameter random: a draw from [0, 1); ignored when `jitter` is 0.
    public func delay(afterFailures failures: Int, random: Double = 0) -> TimeInterval {
        guard failures > 0 else { return 0 }
        // 2^62 overflows nothing in a Double, and no cap is reached later than that.
        let exponent = Double(min(failures - 1, 62))
        let full = min(cap, base * pow(2, exponent))
        let fixed = full * (1 - jitter)
        return fixed + full * jitter * min(max(random, 0), 1)
    }
}

/// A source of the random draws a `Backoff` takes. Production uses the system generator;
/// tests inject fixed draws.
public struct JitterSource: Sendable {
    private let draw: @Sendable () -> Double

    public init(_ draw: @escaping @Sendable () -> Double) { self.draw = draw }

    /// A draw from [0, 1).
    public func next() -> Double { draw() }

    public static let system = JitterSource { Double.random(in: 0..<1) }
    /// Always the same draw: for tests and for waits that must not vary.
    public static func fixed(_ value: Double) -> JitterSource { JitterSource { value } }
}
