/// A canonical error code, named as gRPC names them. Open: a newer daemon may send a code an
/// older client does not know, and the client still decodes it.
public struct ErrorCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// The request is malformed or a field breaks a rule; the message names the field.
    public static let invalidArgument = ErrorCode(rawValue: "INVALID_ARGUMENT")
    public static let notFound = ErrorCode(rawValue: "NOT_FOUND")
    public static let alreadyExists = ErrorCode(rawValue: "ALREADY_EXISTS")
    /// The request is well-formed but the system is not in a state to perform it.
    public static let failedPrecondition = ErrorCode(rawValue: "FAILED_PRECONDITION")
    public static let unauthenticated = ErrorCode(rawValue: "UNAUTHENTICATED")
    public static let permissionDenied = ErrorCode(rawValue: "PERMISSION_DENIED")
    public static let resourceExhausted = ErrorCode(rawValue: "RESOURCE_EXHAUSTED")
    public static let deadlineExceeded = ErrorCode(rawValue: "DEADLINE_EXCEEDED")
    /// Try again later: the daemon is shutting down, or a dependency is down.
    public static let unavailable = ErrorCode(rawValue: "UNAVAILABLE")
    public static let unimplemented = ErrorCode(rawValue: "UNIMPLEMENTED")
    public static let `internal` = ErrorCode(rawValue: "INTERNAL")
    public static let cancelled = ErrorCode(rawValue: "CANCELLED")
    public static let aborted = ErrorCode(rawValue: "ABORTED")

    /// Every code the protocol defines, in the order of `protocol/README.md`.
    public static let all: [ErrorCode] = [
        .invalidArgument, .notFound, .alreadyExists, .failedPrecondition, .unauthenticated,
        .permissionDenied, .resourceExhausted, .deadlineExceeded, .unavailable, .unimplemented,
        .internal, .cancelled, .aborted,
    ]
}
