/// `system.selftest`: queues a job that exercises the job machinery end to end — claim,
/// progress, store writes, retry with backoff — without touching Pinterest. Use it to check an
/// install, and to see `jobs.watch` and `jobs.cancel` at work.
public struct SelfTestRequest: PinAdsRequest {
    public static let method = "system.selftest"
    public typealias Result = JobResult

    /// Number of progress steps (1–1000, default 5).
    public var steps: Int?
    /// Milliseconds each step takes (0–60000, default 200).
    public var stepMs: Int?
    /// Fail this many attempts before succeeding (0–10, default 0): shows retry with backoff.
    public var failAttempts: Int?

    public init(steps: Int? = nil, stepMs: Int? = nil, failAttempts: Int? = nil) {
        self.steps = steps
        self.stepMs = stepMs
        self.failAttempts = failAttempts
    }

    enum CodingKeys: String, CodingKey {
        case steps
        case stepMs = "step_ms"
        case failAttempts = "fail_attempts"
    }
}
