import Foundation

/// When a failed attempt of a job is tried again: exponential backoff with jitter, a bounded
/// number of attempts. Pure: the random draw is passed in, so tests pin it.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all: the first plus the retries.
    public var maxAttempts: Int
    /// Delay before the first retry, before jitter.
    public var baseDelay: TimeInterval
    /// The delay never grows beyond this.
    public var maxDelay: TimeInterval
    /// Fraction of the delay that is random: 0 = none, 1 = anywhere in [0, delay].
    public var jitter: Double

    /// Three retries after 2 s, 4 s, 8 s (each ± jitter), capped at 5 minutes.
    public static let `default` = RetryPolicy(maxAttempts: 4, baseDelay: 2, maxDelay: 300, jitter: 0.5)

    public init(maxAttempts: Int, baseDelay: TimeInterval, maxDelay: TimeInterval, jitter: Double) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(self.baseDelay, maxDelay)
        self.jitter = min(1, max(0, jitter))
    }

    public enum Decision: Sendable, Equatable {
        case retry(after: TimeInterval)
        case giveUp
    }

    /// What to do after attempt number `attempt` (1-based) failed.
    /// - Parameter random: a draw from [0, 1).
    public func decision(afterFailedAttempt attempt: Int, retryable: Bool, random: Double) -> Decision {
        guard retryable, attempt < maxAttempts else { return .giveUp }
        return .retry(after: delay(beforeRetry: attempt, random: random))
    }

    /// The wait before retry number `retry` (1-based): the policy's `Backoff` after `retry`
    /// failures.
    public func delay(beforeRetry retry: Int, random: Double) -> TimeInterval {
        backoff.delay(afterFailures: max(1, retry), random: random)
    }

    public var backoff: Backoff { Backoff(base: baseDelay, cap: maxDelay, jitter: jitter) }
}
