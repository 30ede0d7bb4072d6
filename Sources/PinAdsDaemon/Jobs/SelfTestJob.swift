import Foundation
import PinAdsStore

/// `system.selftest`: walks through its steps, reporting progress, and fails its first
/// `fail_attempts` attempts on purpose, so an operator can see claim, progress, retry with
/// backoff, watch and cancel work on this install without touching Pinterest.
struct SelfTestJob: JobHandler {
    static let kind = "system.selftest"
    /// Short delays: the point is to see a retry, not to wait for one.
    let retryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.2, maxDelay: 2, jitter: 0.5)

    struct Payload: Codable, Sendable {
        var steps: Int
        var stepMs: Int
        var failAttempts: Int

        enum CodingKeys: String, CodingKey {
            case steps
            case stepMs = "step_ms"
            case failAttempts = "fail_attempts"
        }
    }

    struct Result: Codable, Sendable, Equatable {
        var steps: Int64
        var attempts: Int64
    }

    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> Result {
        let total = Int64(payload.steps)
        for step in 1...max(1, payload.steps) {
            try await context.clock.sleep(until: context.clock.now().addingTimeInterval(Double(payload.stepMs) / 1000))
            if job.attempts <= payload.failAttempts && step == payload.steps {
                throw JobFailure(
                    "planned failure of attempt \(job.attempts) (fail_attempts is \(payload.failAttempts))", retryable: true)
            }
            await context.reportProgress(done: Int64(step), total: total, message: "step \(step) of \(total)")
        }
        return Result(steps: total, attempts: Int64(job.attempts))
    }
}
