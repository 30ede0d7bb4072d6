import Testing

@testable import PinAdsDaemon

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: 2, maxDelay: 300, jitter: 0.5)

    @Test func delaysDoubleWithinTheirJitterBand() {
        for retry in 1...3 {
            let full = 2.0 * Double(1 << (retry - 1))
            #expect(policy.delay(beforeRetry: retry, random: 0) == full * 0.5)
            #expect(policy.delay(beforeRetry: retry, random: 1) == full)
            let middle = policy.delay(beforeRetry: retry, random: 0.5)
            #expect(middle > full * 0.5 && middle < full)
        }
    }

    @Test func delayIsCapped() {
        #expect(policy.delay(beforeRetry: 40, random: 1) == 300)
        #expect(policy.delay(beforeRetry: 10_000, random: 1) == 300)
    }

    @Test func retriesUntilAttemptsAreUsed() {
        #expect(policy.decision(afterFailedAttempt: 1, retryable: true, random: 0) == .retry(after: 1))
        #expect(policy.decision(afterFailedAttempt: 3, retryable: true, random: 1) == .retry(after: 8))
        #expect(policy.decision(afterFailedAttempt: 4, retryable: true, random: 0) == .giveUp)
    }

    @Test func permanentFailuresAreNotRetried() {
        #expect(policy.decision(afterFailedAttempt: 1, retryable: false, random: 0) == .giveUp)
    }

    @Test func defaultIsThreeRetries() {
        #expect(RetryPolicy.default.maxAttempts == 4)
        #expect(RetryPolicy(maxAttempts: 0, baseDelay: -1, maxDelay: 0, jitter: 7).maxAttempts == 1)
    }
}
