import Foundation

/// One HTTP exchange as the Pinterest client needs it: no streaming, small bodies.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as sent; values never logged (Authorization is among them).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Give up after this long in all (connect + send + wait + receive); the transport's default when nil.
    public var timeout: Duration?
    /// Whether the transport may send the request again by itself when a kept-alive connection
    /// turns out dead before any answer. That connection may have died after the server acted
    /// on the request, so a write that must not happen twice says false (and gets a connection
    /// of its own).
    public var mayReplay: Bool

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Duration? = nil,
        mayReplay: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.mayReplay = mayReplay
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an exchange produced no HTTP response. All of these are worth a retry.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Connecting took longer than the connect timeout.
    case connectTimedOut
    /// The whole exchange took longer than its timeout.
    case timedOut
    /// No connection could be made (refused, unreachable, DNS).
    case connectionFailed(String)
    /// The connection broke mid-exchange (reset, closed without an answer).
    case connectionLost(String)
    case cancelled
    case other(String)

    public var description: String {
        switch self {
        case .connectTimedOut: return "connect timed out"
        case .timedOut: return "request timed out"
        case .connectionFailed(let why): return "connection failed: \(why)"
        case .connectionLost(let why): return "connection lost: \(why)"
        case .cancelled: return "cancelled"
        case .other(let why): return why
        }
    }
}

/// Sends HTTP requests. The libcurl transport is the real one; tests may use others.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
