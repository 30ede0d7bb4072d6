#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsProtocol
import PinterestAPI

/// A real `pinads-sandbox` process on an ephemeral loopback port, driven through its control
/// endpoints.
final class SandboxProcess {
    let process = Process()
    let folder: TemporaryFolder
    private(set) var baseURL = ""
    private let transport = CurlTransport()

    var rootURL: String { String(baseURL.dropLast("/v5".count)) }
    static let appID = "sandbox-app-id"
    static let appSecret = "sandbox-app-secret"

    init(arguments: [String] = []) async throws {
        folder = try TemporaryFolder()
        let out = folder.path + "/sandbox.out"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binaries.directory.appendingPathComponent("pinads-sandbox").path)
        process.arguments = ["--port", "0", "--log-level", "warning"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var url: String?
        try await eventually("pinads-sandbox prints its URL") {
            guard self.process.isRunning else { throw TestFailure("pinads-sandbox exited with \(self.process.terminationStatus)") }
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            url = text.split(separator: "\n").first { $0.hasPrefix("pinads-sandbox listening on ") }
                .map { String($0.dropFirst("pinads-sandbox listening on ".count)) }
            return url != nil
        }
        baseURL = url ?? ""
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func stop() async throws {
        kill(process.processIdentifier, SIGTERM)
        try await eventually("pinads-sandbox exits") { !self.process.isRunning }
    }

    /// A control call; the answer as JSON.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let bytes = try body.map { Array(try JSONEncoder().encode($0)) } ?? []
        let response = try await transport.send(
            HTTPRequest(method: method, url: rootURL + path, headers: [(name: "Content-Type", value: "application/json")], body: bytes))
        guard (200..<300).contains(response.status) else {
            throw TestFailure("\(method) \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body.isEmpty ? .null : try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    /// A Pinterest API call with a bearer token (as Ads Manager or another tool would make it,
    /// behind pinads' back); the answer as JSON.
    @discardableResult
    func api(_ method: String, _ path: String, token: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let bytes = try body.map { Array(try JSONEncoder().encode($0)) } ?? []
        let response = try await transport.send(
            HTTPRequest(
                method: method, url: baseURL + path,
                headers: [(name: "Content-Type", value: "application/json"), (name: "Authorization", value: "Bearer \(token)")], body: bytes))
        guard (200..<300).contains(response.status) else {
            throw TestFailure("\(method) \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body.isEmpty ? .null : try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    struct Token {
        var access: String
        var refresh: String
        var adAccountIDs: [String]
        /// Seconds until the access token expires, as the sandbox minted it.
        var expiresIn: Int64 = 2_592_000
        var refreshExpiresIn: Int64 = 5_184_000
        /// The sandbox user the pair belongs to.
        var userID: String?
        /// Ad accounts of other users shared with this one (Business Access).
        var sharedAdAccountIDs: [String] = []
    }

    /// A token pair minted at the sandbox. `userID`: another pair of that existing user (then
    /// `adAccounts` is not sent); `shareAdAccounts`: other users' accounts shared with the user.
    func seedToken(
        adAccounts: Int = 2, accessExpiresIn: Int? = nil, userID: String? = nil, shareAdAccounts: [String] = [], currency: String? = nil
    ) async throws -> Token {
        var body: [String: JSONValue] = [:]
        // An existing user keeps the ad accounts it has: the sandbox refuses `ad_accounts` then.
        if let userID { body["user_id"] = .string(userID) } else { body["ad_accounts"] = .int(Int64(adAccounts)) }
        if let accessExpiresIn { body["access_expires_in"] = .int(Int64(accessExpiresIn)) }
        if !shareAdAccounts.isEmpty { body["share_ad_accounts"] = .array(shareAdAccounts.map { .string($0) }) }
        if let currency { body["currency"] = .string(currency) }
        let answer = try await control("POST", "/_sandbox/tokens", .object(body))
        guard let access = answer["access_token"]?.stringValue, let refresh = answer["refresh_token"]?.stringValue,
            case .array(let ids)? = answer["ad_account_ids"]
        else { throw TestFailure("unexpected token answer \(answer)") }
        var token = Token(access: access, refresh: refresh, adAccountIDs: ids.compactMap(\.stringValue))
        if let seconds = answer["expires_in"]?.intValue { token.expiresIn = seconds }
        if let seconds = answer["refresh_token_expires_in"]?.intValue { token.refreshExpiresIn = seconds }
        token.userID = answer["user_id"]?.stringValue
        if case .array(let shared)? = answer["shared_ad_account_ids"] { token.sharedAdAccountIDs = shared.compactMap(\.stringValue) }
        return token
    }

    func stats() async throws -> JSONValue { try await control("GET", "/_sandbox/stats") }

    /// How many of these events (by event_id, for one ad account and event name) the sandbox
    /// has not recorded; asked 10,000 ids at a time.
    func missingEvents(adAccountID: String, eventName: String, ids: [String]) async throws -> Int {
        var missing = 0
        for start in stride(from: 0, to: ids.count, by: 10_000) {
            let chunk = ids[start..<min(ids.count, start + 10_000)]
            let seen = try await control(
                "POST", "/_sandbox/events/seen",
                ["ad_account_id": .string(adAccountID), "event_name": .string(eventName), "event_ids": .array(chunk.map { .string($0) })])
            guard let count = seen["missing_count"]?.intValue else { throw TestFailure("unexpected answer \(seen)") }
            missing += Int(count)
        }
        return missing
    }

    func count(_ operation: String) async throws -> Int {
        Int(try await stats()["by_operation"]?[operation]?.intValue ?? 0)
    }
}
