import Logging
import PinAdsProtocol
import PinterestAPI

@testable import PinAdsDaemon

/// The TokenManager as clients see it: through the edge that turns its domain answers into
/// the wire's, so tests assert what a client would receive.
extension TokenManager {
    func connect(_ request: ConnectRequest) async throws -> ConnectResult {
        try await atTheEdge { try await ConnectionMethods(tokens: self).connect(request) }
    }

    func setConversionToken(_ request: SetConversionTokenRequest) async throws -> ConversionTokenResult {
        try await atTheEdge { try await ConnectionMethods(tokens: self).setConversionToken(request) }
    }

    func setDefaultAdAccount(_ request: SetDefaultAdAccountRequest) async throws -> ConnectionDetail {
        try await atTheEdge { try await ConnectionMethods(tokens: self).setDefaultAdAccount(request) }
    }

    /// `connections.list` as the wire has it.
    func listed() async throws -> [ConnectionInfo] {
        try await list().map(ConnectionInfo.init)
    }

    /// `connections.get` as the wire has it.
    func described(connectionID: Int64?) async throws -> ConnectionDetail {
        ConnectionDetail(try await detail(connectionID: connectionID))
    }
}

/// Runs `body` and throws what the dispatcher would answer: the domain error as a `ResponseError`.
func atTheEdge<T>(_ body: @Sendable () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw ResponseError(translating: error, method: "test") ?? error
    }
}

extension TokenManager {
    /// One call on the connection the way a session makes it (its token, one refresh on a 401,
    /// the outcome recorded for health), with whatever `body` does in place of Pinterest's
    /// answer.
    func call<T: Sendable>(
        connectionID: Int64, through client: PinterestClient = PinterestClient(baseURL: "http://unused/v5", transport: CurlTransport(), logger: Logger(label: "t")),
        _ body: @Sendable (AccessToken) async throws -> T
    ) async throws -> T {
        try await ConnectionCalls(connectionID: connectionID, tokens: self, client: client).call { _, token in try await body(token) }
    }
}
