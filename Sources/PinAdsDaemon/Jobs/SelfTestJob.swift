import Foundation
import PinAdsProtocol

/// `system.selftest`: walks through its steps, reporting progress, and fails its first
/// `fail_attempts` attempts on purpose, so an operator can see claim, progress, retry with
/// backoff, watch and cancel work on this install without touching Pinterest.
struct SelfTestJob: JobHandler {
    static let kind = "system.selftest"
    var kind: String { Self.kind }
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

    func run(_ job: Job, context: JobContext) async throws -> JSONValue? {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: try JSONEncoder().encode(job.payload))
        } catch {
            throw JobFailure("payload is not a selftest payload: \(error)", retryable: false)
        }
        let total = Int64(payload.steps)
        for step in 1...max(1, payload.steps) {
            try await context.clock.sleep(until: context.clock.now().addingTimeInterval(Double(payload.stepMs) / 1000))
            if job.attempts <= payload.failAttempts && step == payload.steps {
                throw JobFailure(
                    "planned failure of attempt \(job.attempts) (fail_attempts is \(payload.failAttempts))", retryable: true)
            }
            await context.reportProgress(done: Int64(step), total: total, message: "step \(step) of \(total)")
        }
        return ["steps": .int(total), "attempts": .int(Int64(job.attempts))]
    }
}
