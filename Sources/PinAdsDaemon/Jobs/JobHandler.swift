import Foundation
import PinAdsJSON
import PinAdsStore

/// Runs one kind of background job. Each kind declares its payload and result as Codable
/// types; the store keeps them as JSON, and nothing reads them by string keys.
public protocol JobHandler: Sendable {
    associatedtype Payload: Codable & Sendable
    associatedtype Result: Codable & Sendable
    /// The kind stored with each job, e.g. `audiences.sync`.
    static var kind: String { get }
    var retryPolicy: RetryPolicy { get }
    /// Does the work of one attempt and returns the job's result. Throw `JobFailure` to say
    /// whether a retry can help; any other error counts as retryable. Must honour cancellation.
    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> Result
    /// The job failed without running again because crashes cut short every attempt (so a
    /// job that crashes the daemon cannot loop). Its owner may schedule the work for later.
    func gaveUp(_ payload: Payload, job: JobRecord) async
}

extension JobHandler {
    public func gaveUp(_ payload: Payload, job: JobRecord) async {}
}

/// The payload of a kind that needs none (`{}`).
public struct NoPayload: Codable, Sendable, Equatable {
    public init() {}
}

extension JobRecord {
    /// This job's result as its kind declares it; nil when it has none (yet) or it is not of `kind`.
    public func result<H: JobHandler>(of kind: H.Type) -> H.Result? {
        guard self.kind == H.kind, let result else { return nil }
        return try? result.decoded(as: H.Result.self)
    }
}

/// A handler with its types erased to the store's JSON: what the registry and the worker pool hold.
struct AnyJobHandler: Sendable {
    let kind: String
    let retryPolicy: RetryPolicy
    private let runBody: @Sendable (JobRecord, JobContext) async throws -> JSONValue?
    private let gaveUpBody: @Sendable (JobRecord) async -> Void

    /// - Parameter kind: the kind it runs under; its own unless given (tests register one
    ///   handler under several kinds).
    init<H: JobHandler>(_ handler: H, kind: String = H.kind) {
        self.kind = kind
        retryPolicy = handler.retryPolicy
        runBody = { job, context in
            let payload = try Self.payload(of: job, as: H.self)
            let result = try JSONValue(encoding: try await handler.run(payload, job: job, context: context))
            return result == .null ? nil : result
        }
        gaveUpBody = { job in
            guard let payload = try? Self.payload(of: job, as: H.self) else { return }
            await handler.gaveUp(payload, job: job)
        }
    }

    func run(_ job: JobRecord, context: JobContext) async throws -> JSONValue? { try await runBody(job, context) }
    func gaveUp(_ job: JobRecord) async { await gaveUpBody(job) }

    /// A payload its kind cannot read will never run: the job fails at once.
    private static func payload<H: JobHandler>(of job: JobRecord, as: H.Type) throws -> H.Payload {
        do {
            return try job.payload.decoded(as: H.Payload.self)
        } catch {
            throw JobFailure("the payload of job \(job.id) is not a \(job.kind) payload: \(error)", retryable: false)
        }
    }
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
    let progressSink: @Sendable (JobRecord.Progress) async -> Void

    public init(clock: any WallClock, progressSink: @escaping @Sendable (JobRecord.Progress) async -> Void) {
        self.clock = clock
        self.progressSink = progressSink
    }

    /// Records progress; watchers see it at once.
    public func reportProgress(done: Int64, total: Int64? = nil, message: String? = nil) async {
        await progressSink(JobRecord.Progress(done: done, total: total, message: message))
    }
}

/// The kinds of job this daemon can run.
public struct JobRegistry: Sendable {
    private var handlers: [String: AnyJobHandler] = [:]

    public init(_ handlers: [any JobHandler] = []) {
        for handler in handlers { register(handler) }
    }

    public mutating func register(_ handler: some JobHandler) {
        add(AnyJobHandler(handler))
    }

    /// Registers `handler` under `kind` instead of its own.
    mutating func register(_ handler: some JobHandler, as kind: String) {
        add(AnyJobHandler(handler, kind: kind))
    }

    private mutating func add(_ erased: AnyJobHandler) {
        precondition(handlers[erased.kind] == nil, "job kind \(erased.kind) registered twice")
        handlers[erased.kind] = erased
    }

    func handler(for kind: String) -> AnyJobHandler? { handlers[kind] }

    /// Whether jobs of `kind` can run here.
    public func knows(_ kind: String) -> Bool { handlers[kind] != nil }

    public var kinds: Set<String> { Set(handlers.keys) }
}
