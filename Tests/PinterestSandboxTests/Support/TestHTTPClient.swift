import Foundation
import Logging
import PinterestSandbox
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP answer, with the body parsed by Foundation's JSON parser (not the sandbox's own,
/// so the tests also check that the sandbox writes JSON another parser accepts).
struct TestResponse: @unchecked Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [Any] { json as? [Any] ?? [] }
    var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    /// Pinterest's error `code`.
    var code: Int? { object["code"] as? Int }
    var message: String { object["message"] as? String ?? "" }
}

/// Why a request got no HTTP answer.
struct TransportFailure: Error, CustomStringConvertible {
    var underlying: any Error
    var description: String { "transport failure: \(underlying)" }
    var isTimeout: Bool { (underlying as? URLError)?.code == .timedOut }
}

/// A small URLSession client for driving the sandbox over real HTTP. Each client has its own
/// session, hence its own connection pool.
final class TestHTTPClient: Sendable {
    let root: String
    let session: URLSession

    init(root: String, timeout: TimeInterval = 10, maximumConnections: Int = 8) {
        self.root = root
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpMaximumConnectionsPerHost = maximumConnections
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    convenience init(_ sandbox: PinterestSandbox, timeout: TimeInterval = 10) {
        self.init(root: sandbox.rootURL, timeout: timeout)
    }

    deinit { session.finishTasksAndInvalidate() }

    enum Body {
        case none
        case json(Any)
        case rawJSON(String)
        case form([(String, String)])
    }

    enum Credentials {
        case none
        case bearer(String)
        case basic(String, String)
        case header(String)
    }

    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Body = .none,
        auth: Credentials = .none, timeout: TimeInterval? = nil
    ) async throws -> TestResponse {
        var components = URLComponents(string: root + path)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url else { throw TransportFailure(underlying: URLError(.badURL)) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let timeout { request.timeoutInterval = timeout }
        switch body {
        case .none:
            break
        case .json(let value):
            request.httpBody = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        case .rawJSON(let text):
            request.httpBody = Data(text.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        case .form(let fields):
            var form = URLComponents()
            form.queryItems = fields.map { URLQueryItem(name: $0.0, value: $0.1) }
            request.httpBody = Data((form.percentEncodedQuery ?? "").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        switch auth {
        case .none: break
        case .bearer(let token): request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        case .basic(let user, let password):
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            request.setValue("Basic \(encoded)", forHTTPHeaderField: "Authorization")
        case .header(let value): request.setValue(value, forHTTPHeaderField: "Authorization")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw TransportFailure(underlying: error)
        }
        guard let http = response as? HTTPURLResponse else { throw TransportFailure(underlying: URLError(.badServerResponse)) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return TestResponse(status: http.statusCode, headers: headers, body: data)
    }

    // MARK: Shortcuts

    func get(_ path: String, query: [(String, String)] = [], token: String) async throws -> TestResponse {
        try await send("GET", path, query: query, auth: .bearer(token))
    }

    func post(_ path: String, query: [(String, String)] = [], json: Any, token: String) async throws -> TestResponse {
        try await send("POST", path, query: query, body: .json(json), auth: .bearer(token))
    }

    func control(_ method: String, _ path: String, json: Any? = nil) async throws -> TestResponse {
        try await send(method, path, body: json.map { .json($0) } ?? .none)
    }
}

/// Starts a sandbox, runs `body`, and shuts the sandbox down even when `body` throws.
func withSandbox<T>(
    _ configure: (inout SandboxConfiguration) -> Void = { _ in },
    _ body: (PinterestSandbox, TestHTTPClient) async throws -> T
) async throws -> T {
    var configuration = SandboxConfiguration()
    configure(&configuration)
    var logger = Logger(label: "sandbox-test")
    logger.logLevel = .warning
    let sandbox = try await PinterestSandbox.start(configuration, logger: logger)
    let client = TestHTTPClient(sandbox)
    do {
        let result = try await body(sandbox, client)
        try await sandbox.shutdown()
        return result
    } catch {
        try? await sandbox.shutdown()
        throw error
    }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 5, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// 64 lowercase hex characters derived from `seed` (a stand-in for a SHA-256 hex digest).
func fakeSHA256(_ seed: String) -> String {
    var state: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in seed.utf8 {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01b3
    }
    var hex = ""
    for _ in 0..<4 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let part = String(state, radix: 16)
        hex += String(repeating: "0", count: 16 - part.count) + part
    }
    return hex
}

extension PinterestSandbox {
    /// `/ad_accounts/{id}` path prefix.
    static func account(_ id: String) -> String { "/v5/ad_accounts/\(id)" }
}
