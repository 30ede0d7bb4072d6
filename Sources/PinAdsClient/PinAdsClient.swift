import Foundation
import PinAdsProtocol

/// A synchronous client of the daemon: one connection, one request at a time (or several with
/// `pipeline`). What `pinads` and Swift programs on this machine use.
///
/// Every call has a deadline: `timeout` (30 s unless told), sent to the daemon as `deadline_ms`
/// so it stops the work too; past it the call throws `ClientError.timedOut`. A stream has no
/// end in time, but goes on only while the daemon is alive: when it says nothing for `timeout`,
/// the client asks it for `system.health` on the same connection, and gives up with
/// `.timedOut` when that is not answered within `timeout` either.
public final class PinAdsClient {
    /// The timeout of `pinads` and of this client unless told otherwise.
    public static let defaultTimeout: Duration = .seconds(30)
    /// How much longer than the deadline it sent the client waits, for the daemon's own
    /// DEADLINE_EXCEEDED answer to arrive first.
    static let answerGrace: Duration = .milliseconds(250)

    public let connection: UnixSocketConnection
    public let timeout: Duration?
    private var nextID: Int64 = 1
    private let encoder = Wire.encoder()
    private let decoder = Wire.decoder()
    /// Liveness probes of streams sent and not yet answered: their answers are dropped.
    private var probes: Set<RequestID> = []

    /// Connects to the daemon; `timeout` nil waits for answers as long as they take.
    /// `daemonUID`: the user whose pinadsd serves the socket, when not this user's (a daemon
    /// that lets this user in with `--allow-uid`/`--allow-group`).
    public init(socketPath: String, timeout: Duration? = PinAdsClient.defaultTimeout, daemonUID: UInt32? = nil) throws(ClientError) {
        connection = try UnixSocketConnection(path: socketPath, timeout: timeout, daemonUID: daemonUID)
        self.timeout = timeout
    }

    /// The deadline a unary call sends and the instant the client stops waiting for it.
    private func deadline(_ deadlineMs: Int64?) -> (ms: Int64?, until: ContinuousClock.Instant?) {
        guard let ms = deadlineMs ?? timeout?.milliseconds else { return (nil, nil) }
        return (ms, .now + .milliseconds(ms) + Self.answerGrace)
    }

    /// The outcome of a call: the daemon's result, or the daemon's error.
    public enum Outcome<Result> {
        case result(Result)
        case error(ResponseError)
    }

    /// Calls a typed method and waits for its answer, until `deadlineMs` (default: `timeout`).
    public func call<R: PinAdsRequest>(_ request: R, deadlineMs: Int64? = nil) throws -> Outcome<R.Result> {
        let deadline = deadline(deadlineMs)
        let id = try send(method: R.method, params: request, deadlineMs: deadline.ms, until: deadline.until)
        while true {
            let frame: ResponseFrame<R.Result, JSONValue> = try readFrame(expecting: id, until: deadline.until)
            if let error = frame.error { return .error(error) }
            if let result = frame.result { return .result(result) }
            if frame.event == nil { throw ClientError.malformedResponse("frame has no result, error or event") }
        }
    }

    /// Calls any method with free-form params; streaming events go to `onEvent`. A streaming
    /// method (per `MethodRegistry`) goes on while the daemon is alive, as `stream` does; any
    /// other has a deadline, as `call` does.
    public func callRaw(
        method: String, params: JSONValue?, deadlineMs: Int64? = nil, onEvent: (JSONValue) throws -> Void = { _ in }
    ) throws -> Outcome<JSONValue> {
        let streaming = MethodRegistry.type(named: method).map(MethodRegistry.isStreaming) ?? false
        let deadline = streaming && deadlineMs == nil ? (ms: nil, until: nil) : deadline(deadlineMs)
        let id = try send(method: method, params: params, deadlineMs: deadline.ms, until: deadline.until)
        while true {
            let frame: AnyResponseFrame = try readFrame(expecting: id, until: deadline.until, streaming: streaming)
            if let error = frame.error { return .error(error) }
            if let event = frame.event {
                try onEvent(event)
                continue
            }
            return .result(frame.result ?? .null)
        }
    }

    /// Calls a streaming method; each event goes to `onEvent` as it arrives.
    public func stream<R: PinAdsStreamingRequest>(
        _ request: R, onEvent: (R.Event) throws -> Void
    ) throws -> Outcome<R.Result> {
        let id = try send(method: R.method, params: request, deadlineMs: nil)
        while true {
            let frame: ResponseFrame<R.Result, R.Event> = try readFrame(expecting: id, until: nil, streaming: true)
            if let error = frame.error { return .error(error) }
            if let event = frame.event {
                try onEvent(event)
                continue
            }
            guard let result = frame.result else {
                throw ClientError.malformedResponse("frame has no result, error or event")
            }
            return .result(result)
        }
    }

    /// Sends `count` requests made by `request(index)` with up to `window` of them in flight at
    /// once (the daemon works on them concurrently and may answer out of order), and hands each
    /// answer to `handle` with its index. Stops at the first error it throws. Each request has
    /// the deadline `timeout`; the pipeline fails with `.timedOut` when no answer comes for that long.
    public func pipeline<R: PinAdsRequest>(
        count: Int, window: Int = 2, request: (Int) throws -> R, handle: (Int, Outcome<R.Result>) throws -> Void
    ) throws {
        var inFlight: [RequestID: Int] = [:]
        var next = 0
        while next < count || !inFlight.isEmpty {
            while next < count, inFlight.count < max(1, window) {
                inFlight[try send(method: R.method, params: try request(next), deadlineMs: timeout?.milliseconds)] = next
                next += 1
            }
            let payload = try readPayload(until: nil)
            let frame: ResponseFrame<R.Result, JSONValue>
            do {
                frame = try decoder.decode(ResponseFrame<R.Result, JSONValue>.self, from: Data(payload))
            } catch {
                throw ClientError.malformedResponse(String(describing: error))
            }
            guard let id = frame.id, let index = inFlight.removeValue(forKey: id) else {
                // An error with id null is the daemon refusing the connection or a frame.
                if frame.id == nil, let error = frame.error, let first = inFlight.values.min() {
                    try handle(first, .error(error))
                    return
                }
                throw ClientError.malformedResponse("answer for id \(frame.id?.description ?? "null"), which was not asked")
            }
            if let error = frame.error {
                try handle(index, .error(error))
            } else if let result = frame.result {
                try handle(index, .result(result))
            } else {
                throw ClientError.malformedResponse("frame has no result or error")
            }
        }
    }

    /// Sends a request frame and returns its id.
    @discardableResult
    public func send<P: Codable & Sendable>(
        method: String, params: P?, deadlineMs: Int64?, until deadline: ContinuousClock.Instant? = nil
    ) throws -> RequestID {
        let id = RequestID.int(nextID)
        nextID += 1
        let envelope = RequestEnvelope(id: id, method: method, params: params, deadlineMs: deadlineMs)
        try connection.writeFrame(Array(try encoder.encode(envelope)), deadline: deadline)
        return id
    }

    /// The next frame's payload that is not the answer to a liveness probe. `streaming`: when the
    /// daemon is silent for `timeout`, probe it instead of giving up.
    private func readPayload(until deadline: ContinuousClock.Instant?, streaming: Bool = false) throws -> [UInt8] {
        while true {
            let payload: [UInt8]?
            do {
                payload = try connection.readFrame(deadline: deadline)
            } catch {
                // Silence on a stream may be a job with nothing to say: ask whether the daemon lives.
                guard streaming, deadline == nil, probes.isEmpty, case .timedOut(_, let timeout) = error else { throw error }
                probes.insert(try send(method: HealthRequest.method, params: HealthRequest(), deadlineMs: timeout.milliseconds))
                continue
            }
            guard let payload else { throw ClientError.closedByDaemon }
            if !probes.isEmpty, let id = (try? decoder.decode(FrameID.self, from: Data(payload)))?.id, probes.remove(id) != nil {
                continue
            }
            return payload
        }
    }

    /// Reads frames until one for `id` arrives. Frames for other ids cannot come on a connection
    /// used one call at a time, so one is a protocol error.
    private func readFrame<Result: Codable & Sendable, Event: Codable & Sendable>(
        expecting id: RequestID, until deadline: ContinuousClock.Instant?, streaming: Bool = false
    ) throws -> ResponseFrame<Result, Event> {
        let payload = try readPayload(until: deadline, streaming: streaming)
        let frame: ResponseFrame<Result, Event>
        do {
            frame = try decoder.decode(ResponseFrame<Result, Event>.self, from: Data(payload))
        } catch {
            throw ClientError.malformedResponse(String(describing: error))
        }
        // An error with id null is the daemon refusing the connection or the frame.
        if frame.id == nil, frame.error != nil { return frame }
        guard frame.id == id else {
            throw ClientError.malformedResponse("answer for id \(frame.id?.description ?? "null"), expected \(id)")
        }
        return frame
    }
}

/// The id of a server frame, read to recognise a probe's answer.
private struct FrameID: Decodable {
    var id: RequestID?
}
