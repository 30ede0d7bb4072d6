import Foundation

/// A request frame: `{"id": 7, "method": "jobs.get", "params": {...}, "deadline_ms": 5000}`.
public struct RequestEnvelope<Params: Codable & Sendable>: Codable, Sendable {
    public var id: RequestID
    public var method: String
    public var params: Params?
    /// How long the caller will wait, in milliseconds from receipt. The daemon answers
    /// DEADLINE_EXCEEDED and stops the work when it passes.
    public var deadlineMs: Int64?

    public init(id: RequestID, method: String, params: Params?, deadlineMs: Int64? = nil) {
        self.id = id
        self.method = method
        self.params = params
        self.deadlineMs = deadlineMs
    }

    enum CodingKeys: String, CodingKey {
        case id, method, params
        case deadlineMs = "deadline_ms"
    }
}

/// The first look a server takes at a request frame: enough to route it and to answer it.
public struct RequestHeader: Sendable, Equatable {
    public var id: RequestID
    public var method: String
    public var deadlineMs: Int64?

    public init(id: RequestID, method: String, deadlineMs: Int64? = nil) {
        self.id = id
        self.method = method
        self.deadlineMs = deadlineMs
    }
}

/// A request frame the server cannot route. `id` is the request's id when it could be read,
/// so the error goes back to the right caller; null otherwise.
public struct RequestHeaderError: Error, Sendable {
    public var id: RequestID?
    public var error: ResponseError
}

/// A request frame read once: its routing fields, and its params decoded into the method's own
/// type in the same pass over the bytes (the method is known by the time `params` is reached).
public struct DecodedRequest: Sendable {
    public var header: RequestHeader
    /// The params as the method's request type (`R` of `PinAdsRequest`), or why they are not
    /// one; nil when the method is not in `MethodRegistry` (the caller answers UNIMPLEMENTED).
    public var params: Result<any PinAdsRequest, DecodingError>?

    public init(header: RequestHeader, params: Result<any PinAdsRequest, DecodingError>?) {
        self.header = header
        self.params = params
    }

    /// Parses a request frame's JSON once, reporting exactly what is wrong with its envelope.
    /// Problems with the params themselves are not thrown: they are the method's to answer,
    /// with the request's id, in `params`.
    private static let trailingSpace = Data(" ".utf8)

    public static func decode(_ payload: Data, decoder: JSONDecoder) throws(RequestHeaderError) -> DecodedRequest {
        let raw: RawRequest
        do {
            // Foundation's parser on Linux traps (kills the process) instead of throwing when
            // the text ends at its 513th nested array or object; followed by a space, the same
            // text is the error it should be. A request (an object) ends in `}`: only other
            // frames are padded, so a request's bytes are never copied.
            let padded = payload.last == UInt8(ascii: "}") ? payload : payload + Self.trailingSpace
            raw = try decoder.decode(RawRequest.self, from: padded)
        } catch let problem as RawRequest.Problem {
            throw RequestHeaderError(id: nil, error: .invalidArgument(problem.message))
        } catch {
            throw RequestHeaderError(id: nil, error: .invalidArgument("frame is not valid JSON: a request is one JSON object"))
        }
        guard let id = raw.id else {
            throw RequestHeaderError(
                id: nil,
                error: .invalidArgument(field: "id", reason: raw.idProblem ?? "missing; every request needs an integer or string id")
            )
        }
        guard let method = raw.method else {
            throw RequestHeaderError(
                id: id,
                error: .invalidArgument(field: "method", reason: raw.methodProblem ?? "missing; e.g. \"system.health\"")
            )
        }
        if let problem = raw.paramsProblem {
            throw RequestHeaderError(id: id, error: .invalidArgument(field: "params", reason: problem))
        }
        if let problem = raw.deadlineProblem {
            throw RequestHeaderError(id: id, error: .invalidArgument(field: "deadline_ms", reason: problem))
        }
        return DecodedRequest(header: RequestHeader(id: id, method: method, deadlineMs: raw.deadlineMs), params: raw.params)
    }
}

extension RequestHeader {
    /// Reads `id`, `method` and `deadline_ms` from a frame's JSON, reporting exactly what is wrong.
    public static func parse(_ payload: [UInt8], decoder: JSONDecoder) throws(RequestHeaderError) -> RequestHeader {
        try DecodedRequest.decode(Data(payload), decoder: decoder).header
    }
}

/// Lenient decoding of the envelope: it records problems instead of throwing, so the answer can
/// say which field is wrong and still carry the id. The params are decoded as the method's type
/// as soon as the method is read, from the same container.
private struct RawRequest: Decodable {
    struct Problem: Error { var message: String }

    var id: RequestID?
    var idProblem: String?
    var method: String?
    var methodProblem: String?
    var deadlineMs: Int64?
    var deadlineProblem: String?
    var paramsProblem: String?
    var params: Result<any PinAdsRequest, DecodingError>?

    enum CodingKeys: String, CodingKey {
        case id, method, params
        case deadlineMs = "deadline_ms"
    }

    init(from decoder: any Decoder) throws {
        let c: KeyedDecodingContainer<CodingKeys>
        do {
            c = try decoder.container(keyedBy: CodingKeys.self)
        } catch {
            throw Problem(message: "frame is not a JSON object: a request is {\"id\": ..., \"method\": ..., \"params\": {...}}")
        }
        if c.contains(.id) {
            if (try? c.decodeNil(forKey: .id)) == true {
                idProblem = "must not be null; use an integer or a string"
            } else if let id = try? c.decode(RequestID.self, forKey: .id) {
                self.id = id
            } else {
                idProblem = "must be an integer or a string"
            }
        }
        if c.contains(.method) {
            if let method = try? c.decode(String.self, forKey: .method) {
                if method.isEmpty { methodProblem = "must not be empty" } else { self.method = method }
            } else {
                methodProblem = "must be a string such as \"system.health\""
            }
        }
        let hasParams = c.contains(.params) && (try? c.decodeNil(forKey: .params)) != true
        if hasParams, (try? c.nestedContainer(keyedBy: CodingKeys.self, forKey: .params)) == nil {
            paramsProblem = "must be a JSON object (or left out)"
        }
        if c.contains(.deadlineMs), (try? c.decodeNil(forKey: .deadlineMs)) != true {
            if let ms = try? c.decode(Int64.self, forKey: .deadlineMs), ms > 0 {
                deadlineMs = ms
            } else {
                deadlineProblem = "must be a positive integer number of milliseconds"
            }
        }
        if id != nil, paramsProblem == nil, let method, let type = MethodRegistry.type(named: method) {
            params = Self.decodeParams(type, from: c, present: hasParams)
        }
    }

    private static func decodeParams<R: PinAdsRequest>(
        _ type: R.Type, from c: KeyedDecodingContainer<CodingKeys>, present: Bool
    ) -> Result<any PinAdsRequest, DecodingError> {
        do {
            // Left out or null: the method's defaults, as if `{}` had been sent.
            return .success(present ? try c.decode(R.self, forKey: .params) : try Wire.emptyParamsDecoder.decode(R.self, from: Wire.emptyObject))
        } catch let error as DecodingError {
            return .failure(error)
        } catch {
            return .failure(.dataCorrupted(.init(codingPath: [CodingKeys.params], debugDescription: "\(error)")))
        }
    }
}

/// Decodes only the `params` member of a request frame into a method's parameter type.
public struct ParamsOnly<Params: Decodable>: Decodable {
    public var params: Params?
    enum CodingKeys: String, CodingKey { case params }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.params), try !c.decodeNil(forKey: .params) {
            params = try c.decode(Params.self, forKey: .params)
        } else {
            params = nil
        }
    }
}

/// A frame from the server to a client. Exactly one of `result`, `error`, `event` is present.
public struct ResponseFrame<Result: Codable & Sendable, Event: Codable & Sendable>: Codable, Sendable {
    public var id: RequestID?
    public var result: Result?
    public var error: ResponseError?
    public var event: Event?

    public init(id: RequestID?, result: Result? = nil, error: ResponseError? = nil, event: Event? = nil) {
        self.id = id
        self.result = result
        self.error = error
        self.event = event
    }

    enum CodingKeys: String, CodingKey { case id, result, error, event }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // `id` is always written, as null when the request's id could not be read.
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(result, forKey: .result)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(event, forKey: .event)
    }
}

/// A server frame whose payload is left as JSON: what generic clients (`pinads call`) read.
public typealias AnyResponseFrame = ResponseFrame<JSONValue, JSONValue>

/// The empty object, for methods that take no parameters or return nothing.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}

extension DecodingError {
    /// The dotted field path of the failure, relative to `params` ("ids[2]", "limit").
    public var fieldPath: String {
        let path: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        @unknown default: path = []
        }
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue == "params" && text.isEmpty {
                continue
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "params" : text
    }

    /// What is wrong, in words a caller can act on.
    public var reason: String {
        switch self {
        case .keyNotFound: return "missing required field"
        case .typeMismatch(let type, _): return "expected \(Self.describe(type))"
        case .valueNotFound(let type, _): return "must not be null (expected \(Self.describe(type)))"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "invalid"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is any PinAdsRequest.Type: return "an object"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a valid \(name)"
        }
    }

    /// The INVALID_ARGUMENT answer for this failure.
    public var responseError: ResponseError {
        .invalidArgument(field: fieldPath, reason: reason)
    }
}
