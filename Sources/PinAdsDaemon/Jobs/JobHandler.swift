import Foundation
import PinAdsProtocol

/// Runs one kind of background job. Later parts of the daemon (audience sync, campaign launch,
/// metrics) register their kinds in the `JobRegistry`.
public protocol JobHandler: Sendable {
    /// The kind stored with each job, e.g. `audiences.sync`.
    var kind: String { get }
    var retryPolicy: RetryPolicy { get }
    /// Does the work of one attempt and returns the job's result. Throw `JobFailure` to say
    /// whether a retry can help; any other error counts as retryable. Must honour cancellation.
    func run(_ job: Job, context: JobContext) async throws -> JSONValue?
    /// The job failed without running again because crashes cut short every attempt (so a
    /// job that crashes the daemon cannot loop). Its owner may schedule the work for later.
    func gaveUp(_ job: Job) async
}

extension JobHandler {
    public func gaveUp(_ job: Job) async {}
}

/// A failed attempt, as the handler judges it.
public struct JobFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// False when trying again cannot help (bad input, rejected by Pinterest).
    public var retryable: Bool
    /// Set when the job cannot go on until something is fixed (e.g. `connection:3` needs a
    /// reconnect): it waits for that instead of failing or burning attempts.
    public var blockedOn: String?

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.retryable = retryable
    }

    /// The job must wait for `key` to be released (a reconnect, say).
    public static func blocked(on key: String, _ message: String) -> JobFailure {
        var failure = JobFailure(message, retryable: true)
        failure.blockedOn = key
        return failure
    }

    public var description: String { message }
}

/// What a running job may use besides its payload.
public struct JobContext: Sendable {
    public let clock: any WallClock
    let progressSink: @Sendable (JobProgress) async -> Void

    public init(clock: any WallClock, progressSink: @escaping @Sendable (JobProgress) async -> Void) {
        self.clock = clock
        self.progressSink = progressSink
    }

    /// Records progress; watchers see it at once.
    public func reportProgress(done: Int64, total: Int64? = nil, message: String? = nil) async {
        await progressSink(JobProgress(done: done, total: total, message: message))
    }
}

/// The kinds of job this daemon can run.
public struct JobRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    public init(_ handlers: [any JobHandler] = []) {
        for handler in handlers { register(handler) }
    }

    public mutating func register(_ handler: any JobHandler) {
        precondition(handlers[handler.kind] == nil, "job kind \(handler.kind) registered twice")
        handlers[handler.kind] = handler
    }

    public func handler(for kind: String) -> (any JobHandler)? { handlers[kind] }

    public var kinds: Set<String> { Set(handlers.keys) }
}
