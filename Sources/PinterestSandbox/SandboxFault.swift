/// A failure the sandbox produces on purpose for the next matching `/v5` requests.
public struct SandboxFault: Sendable, Equatable {
    /// What happens to a faulted request.
    public enum Kind: String, Sendable, CaseIterable {
        /// 500 with a Pinterest error body.
        case internalServerError = "500"
        /// 503 with a Pinterest error body.
        case serviceUnavailable = "503"
        /// 429 with code 8 and `x-ratelimit-*` headers.
        case rateLimited = "429"
        /// No answer ever; the connection stays open until the client gives up.
        case hang
        /// The TCP connection is reset without a response.
        case reset
        /// A normal answer, ``SandboxFault/latencyMilliseconds`` late.
        case latency
        /// The request is processed normally (its effect on state happens, statistics count it
        /// and its status) but the TCP connection is then reset without the response: the
        /// client cannot know whether its write landed. Not written to the traffic record, since
        /// no response went out.
        case applyThenReset = "apply_then_reset"
    }

    public var kind: Kind
    /// How many matching requests get the fault.
    public var count: Int
    /// Only requests whose path contains this text match; `nil` matches every `/v5` request.
    public var pathContains: String?
    /// The added delay for ``Kind/latency``.
    public var latencyMilliseconds: Int
    /// The chance (0 < p ≤ 1) that a matching request gets the fault; one that escapes it is
    /// looked at by the next queued fault, and `count` falls only when the fault happens. Below 1
    /// it makes a storm: faults mixed with normal answers.
    public var probability: Double

    public init(_ kind: Kind, count: Int = 1, pathContains: String? = nil, latencyMilliseconds: Int = 0, probability: Double = 1) {
        self.kind = kind
        self.count = count
        self.pathContains = pathContains
        self.latencyMilliseconds = latencyMilliseconds
        self.probability = probability
    }
}
