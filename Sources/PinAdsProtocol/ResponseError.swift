/// The `error` member of a response frame.
public struct ResponseError: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var details: JSONValue?

    public init(code: ErrorCode, message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A field broke a rule. `field` is the dotted path from the request's `params` ("limit",
    /// "ids[2]"), so a caller can point at it.
    public static func invalidArgument(field: String, reason: String) -> ResponseError {
        ResponseError(code: .invalidArgument, message: "\(field): \(reason)", details: ["field": .string(field)])
    }

    public static func invalidArgument(_ message: String) -> ResponseError {
        ResponseError(code: .invalidArgument, message: message)
    }

    public static func notFound(_ what: String, id: String) -> ResponseError {
        ResponseError(code: .notFound, message: "\(what) \(id) not found")
    }

    public static func failedPrecondition(_ message: String) -> ResponseError {
        ResponseError(code: .failedPrecondition, message: message)
    }

    public static func unimplemented(method: String) -> ResponseError {
        ResponseError(
            code: .unimplemented,
            message: "unknown method '\(method)'; `pinads call system.methods` lists the methods this daemon knows",
            details: ["method": .string(method)]
        )
    }

    /// An answer that would not fit in one frame.
    public static func answerTooLarge(_ size: Int, maximum: Int) -> ResponseError {
        ResponseError(
            code: .resourceExhausted,
            message: "the answer is \(size) bytes, above the frame limit of \(maximum); ask for less (a smaller limit or page)",
            details: ["size": .int(Int64(size)), "maximum": .int(Int64(maximum))])
    }

    public static func unavailable(_ message: String) -> ResponseError {
        ResponseError(code: .unavailable, message: message)
    }

    public static func `internal`(_ message: String) -> ResponseError {
        ResponseError(code: .internal, message: message)
    }
}
