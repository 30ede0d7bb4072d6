import Foundation
import PinAdsProtocol

/// A synchronous client of the daemon: one connection, one request at a time (or several with
/// `pipeline`). What `pinads` and Swift programs on this machine use.
public final class PinAdsClient {
    public let connection: UnixSocketConnection
    private var nextID: Int64 = 1
    private let encoder = Wire.encoder()
    private let decoder = Wire.decoder()

    public init(socketPath: String) throws(ClientError) {
        connection = try UnixSocketConnection(path: socketPath)
    }

    /// The outcome of a call: the daemon's result, or the daemon's error.
    public enum Outcome<Result> {
        case result(Result)
        case error(ResponseError)
    }

    /// Calls a typed method and waits for its answer.
    public func call<R: PinAdsRequest>(_ request: R, deadlineMs: Int64? = nil) throws -> Outcome<R.Result> {
        let id = try send(method: R.method, params: request, deadlineMs: deadlineMs)
        while true {
            let frame: ResponseFrame<R.Result, JSONValue> = try readFrame(expecting: id)
            if let error = frame.error { return .error(error) }
            if let result = frame.result { return .result(result) }
            if frame.event == nil { throw ClientError.malformedResponse("frame has no result, error or event") }
        }
    }

    /// Calls any method with free-form params; streaming events go to `onEvent`.
    public func callRaw(
        method: String, params: JSONValue?, deadlineMs: Int64? = nil, onEvent: (JSONValue) throws -> Void = { _ in }
    ) throws -> Outcome<JSONValue> {
        let id = try send(method: method, params: params, deadlineMs: deadlineMs)
        while true {
            let frame: AnyResponseFrame = try readFrame(expecting: id)
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
            let frame: ResponseFrame<R.Result, R.Event> = try readFrame(expecting: id)
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
    /// answer to `handle` with its index. Stops at the first error it throws.
    public func pipeline<R: PinAdsRequest>(
        count: Int, window: Int = 2, request: (Int) throws -> R, handle: (Int, Outcome<R.Result>) throws -> Void
    ) throws {
        var inFlight: [RequestID: Int] = [:]
        var next = 0
        while next < count || !inFlight.isEmpty {
            while next < count, inFlight.count < max(1, window) {
                inFlight[try send(method: R.method, params: try request(next), deadlineMs: nil)] = next
                next += 1
            }
            guard let payload = try connection.readFrame() else { throw ClientError.closedByDaemon }
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
    public func send<P: Codable & Sendable>(method: String, params: P?, deadlineMs: Int64?) throws -> RequestID {
        let id = RequestID.int(nextID)
        nextID += 1
        let envelope = RequestEnvelope(id: id, method: method, params: params, deadlineMs: deadlineMs)
        try connection.writeFrame(Array(try encoder.encode(envelope)))
        return id
    }

    /// Reads frames until one for `id` arrives. Frames for other ids cannot come on a connection
    /// used one call at a time, so one is a protocol error.
    private func readFrame<Result: Codable & Sendable, Event: Codable & Sendable>(
        expecting id: RequestID
    ) throws -> ResponseFrame<Result, Event> {
        guard let payload = try connection.readFrame() else { throw ClientError.closedByDaemon }
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
