import Foundation
import Logging
import PinAdsJSON

/// The one client of the Pinterest Marketing API v5: typed calls, typed errors. Every call goes
/// through the request gate (the rate limiter) and the transport; nothing else builds URLs.
///
/// - Important: Tokens and the app secret never reach a log line or an error message.
public struct PinterestClient: Sendable {
    public static let defaultBaseURL = "https://api.pinterest.com/v5"
    /// Items per page asked of list endpoints (Pinterest allows 1–250).
    public static let pageSize = 250
    public static let maximumBulkItems = 30
    public static let maximumEventsPerRequest = 1000
    public static let maximumAnalyticsCampaigns = 250
    /// Ids per id filter of a list (`campaign_ids`, `ad_group_ids`, `ad_ids`) and of an
    /// analytics call; a list given more is asked in several calls.
    public static let maximumFilterIDs = 250
    /// A 429 is waited out (the gate pauses) and the call sent again, this many times at most.
    public static let maximumRateLimitRetries = 5

    public let baseURL: String
    private let transport: any HTTPTransport
    private let gate: (any PinterestRequestGate)?
    private let logger: Logger

    public init(baseURL: String = defaultBaseURL, transport: any HTTPTransport, gate: (any PinterestRequestGate)? = nil, logger: Logger) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.transport = transport
        self.gate = gate
        self.logger = logger
    }

    // MARK: - OAuth

    /// `oauth/token`, refresh_token grant: a new access token and, with continuous refresh, a
    /// new refresh token (store both, atomically: the old refresh token stops working).
    public func refreshAccessToken(refreshToken: String, app: AppCredentials, continuousRefresh: Bool = true) async throws -> OAuthTokenResponse {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if continuousRefresh { form.append(("continuous_refresh", "true")) }
        return try await tokenCall(form: form, app: app)
    }

    /// `oauth/token`, authorization_code grant.
    public func exchangeAuthorizationCode(_ code: String, redirectURI: String, app: AppCredentials) async throws -> OAuthTokenResponse {
        try await tokenCall(form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)], app: app)
    }

    private func tokenCall(form: [(String, String)], app: AppCredentials) async throws -> OAuthTokenResponse {
        let credentials = Data("\(app.clientID):\(app.clientSecret)".utf8).base64EncodedString()
        let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let response = try await perform(
            .oauthToken, method: "POST", path: "/oauth/token", token: nil,
            headers: [("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(body.utf8))
        return try decode(OAuthTokenResponse.self, response, .oauthToken)
    }

    /// `oauth/conversion_token`: a long-lived token that sends conversion events only (with an
    /// OAuth token of the user, `ads:write`).
    public func createConversionToken(token: AccessToken) async throws -> ConversionTokenResponse {
        let response = try await perform(.oauthConversionToken, method: "POST", path: "/oauth/conversion_token", token: token)
        return try decode(ConversionTokenResponse.self, response, .oauthConversionToken)
    }

    // MARK: - Ad accounts

    /// Every ad account the token can use, following `bookmark` to the end.
    public func listAdAccounts(token: AccessToken) async throws -> [AdAccount] {
        try await allPages(.adAccountsList, path: "/ad_accounts", token: token, query: [])
    }

    // MARK: - User account (issue 16: a connection's identity)

    /// `user_account/get`: the token's own user. Never sent with `ad_account_id`, which would
    /// answer that ad account's owner instead (Business Access).
    public func userAccount(token: AccessToken) async throws -> UserAccount {
        try await getJSON(.userAccountGet, path: "/user_account", token: token)
    }

    // MARK: - Customer lists

    public func createCustomerList(token: AccessToken, adAccountID: String, _ list: CustomerListCreate) async throws -> CustomerList {
        try await sendJSON(.customerListsCreate, method: "POST", path: "/ad_accounts/\(try id(adAccountID))/customer_lists", token: token, body: list)
    }

    /// Adds or removes records (sent as one comma-separated string).
    public func updateCustomerList(
        token: AccessToken, adAccountID: String, customerListID: String, operation: CustomerListOperation, records: [String]
    ) async throws -> CustomerList {
        guard !records.isEmpty else { throw PinterestError.invalidRequest("customer list update needs at least one record") }
        return try await sendJSON(
            .customerListsUpdate, method: "PATCH",
            path: "/ad_accounts/\(try id(adAccountID))/customer_lists/\(try id(customerListID))", token: token,
            body: CustomerListUpdate(operationType: operation, records: records.joined(separator: ",")))
    }

    public func getCustomerList(token: AccessToken, adAccountID: String, customerListID: String) async throws -> CustomerList {
        try await getJSON(.customerListsGet, path: "/ad_accounts/\(try id(adAccountID))/customer_lists/\(try id(customerListID))", token: token)
    }

    public func listCustomerLists(token: AccessToken, adAccountID: String) async throws -> [CustomerList] {
        try await allPages(.customerListsList, path: "/ad_accounts/\(try id(adAccountID))/customer_lists", token: token, query: [])
    }

    // MARK: - Audiences

    public func createAudience(token: AccessToken, adAccountID: String, _ audience: AudienceCreate) async throws -> Audience {
        try await sendJSON(.audiencesCreate, method: "POST", path: "/ad_accounts/\(try id(adAccountID))/audiences", token: token, body: audience)
    }

    public func getAudience(token: AccessToken, adAccountID: String, audienceID: String) async throws -> Audience {
        try await getJSON(.audiencesGet, path: "/ad_accounts/\(try id(adAccountID))/audiences/\(try id(audienceID))", token: token)
    }

    public func listAudiences(token: AccessToken, adAccountID: String) async throws -> [Audience] {
        try await allPages(.audiencesList, path: "/ad_accounts/\(try id(adAccountID))/audiences", token: token, query: [])
    }

    // MARK: - Conversions

    /// Sends 1–1000 events already encoded (each a JSON object as Pinterest takes it, e.g. made
    /// once at acceptance with `encodeEvent`): the body is their concatenation.
    public func sendEncodedEvents(token: AccessToken, adAccountID: String, events: [String], test: Bool = false) async throws -> ConversionResponse {
        guard (1...Self.maximumEventsPerRequest).contains(events.count) else {
            throw PinterestError.invalidRequest("events/create takes 1 to \(Self.maximumEventsPerRequest) events, got \(events.count)")
        }
        var body: [UInt8] = []
        body.reserveCapacity(events.reduce(16) { $0 + $1.utf8.count + 1 })
        body += Array(#"{"data":["#.utf8)
        for (i, event) in events.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += event.utf8
        }
        body += Array("]}".utf8)
        let response = try await perform(
            .eventsCreate, method: "POST", path: "/ad_accounts/\(try id(adAccountID))/events", token: token,
            query: test ? [("test", "true")] : [], headers: [("Content-Type", "application/json")], body: body)
        let answer = try decode(ConversionResponse.self, response, .eventsCreate)
        guard answer.events.count == events.count else {
            throw PinterestError.malformedResponse(
                operation: PinterestOperation.eventsCreate.id,
                reason: "\(answer.events.count) statuses for \(events.count) events", requestID: response.headers["x-pinterest-rid"])
        }
        return answer
    }

    /// One event as the JSON object `sendEncodedEvents` takes.
    public static func encodeEvent(_ event: ConversionEvent) throws -> String {
        event.json
    }

    /// Sends 1–1000 events. `test: true` asks Pinterest to validate without recording.
    public func sendEvents(token: AccessToken, adAccountID: String, events: [ConversionEvent], test: Bool = false) async throws -> ConversionResponse {
        guard (1...Self.maximumEventsPerRequest).contains(events.count) else {
            throw PinterestError.invalidRequest("events/create takes 1 to \(Self.maximumEventsPerRequest) events, got \(events.count)")
        }
        let response = try await perform(
            .eventsCreate, method: "POST", path: "/ad_accounts/\(try id(adAccountID))/events", token: token,
            query: test ? [("test", "true")] : [], headers: [("Content-Type", "application/json")],
            body: try Self.encode(ConversionEventsBody(data: events)))
        let answer = try decode(ConversionResponse.self, response, .eventsCreate)
        guard answer.events.count == events.count else {
            throw PinterestError.malformedResponse(
                operation: PinterestOperation.eventsCreate.id,
                reason: "\(answer.events.count) statuses for \(events.count) events", requestID: response.headers["x-pinterest-rid"])
        }
        return answer
    }

    // MARK: - Plumbing

    func getJSON<T: Decodable>(_ operation: PinterestOperation, path: String, token: AccessToken, query: [(String, String)] = []) async throws -> T {
        let response = try await perform(operation, method: "GET", path: path, token: token, query: query)
        return try decode(T.self, response, operation)
    }

    func sendJSON<T: Decodable>(
        _ operation: PinterestOperation, method: String, path: String, token: AccessToken, body: some Encodable
    ) async throws -> T {
        let response = try await perform(
            operation, method: method, path: path, token: token, headers: [("Content-Type", "application/json")],
            body: try Self.encode(body))
        return try decode(T.self, response, operation)
    }

    func allPages<Item: Decodable>(
        _ operation: PinterestOperation, path: String, token: AccessToken, query: [(String, String)]
    ) async throws -> [Item] {
        var items: [Item] = []
        var bookmark: String?
        var seen: Set<String> = []
        repeat {
            var pageQuery = query + [("page_size", String(Self.pageSize))]
            if let bookmark { pageQuery.append(("bookmark", bookmark)) }
            let page: Page<Item> = try await getJSON(operation, path: path, token: token, query: pageQuery)
            items += page.items
            bookmark = page.bookmark.flatMap { $0.isEmpty ? nil : $0 }
            if let bookmark, !seen.insert(bookmark).inserted {
                throw PinterestError.malformedResponse(operation: operation.id, reason: "bookmark repeats: pagination would never end", requestID: nil)
            }
        } while bookmark != nil
        return items
    }

    func bulkCreate<Item: Encodable, Created: Decodable & Sendable>(
        _ operation: PinterestOperation, path: String, token: AccessToken, items: [Item]
    ) async throws -> [BulkItem<Created>] {
        guard (1...Self.maximumBulkItems).contains(items.count) else {
            throw PinterestError.invalidRequest("\(operation.id) takes 1 to \(Self.maximumBulkItems) items, got \(items.count)")
        }
        let response = try await perform(
            operation, method: "POST", path: path, token: token, headers: [("Content-Type", "application/json")],
            body: try Self.encode(items))
        let answer = try decode(BulkResponse<Created>.self, response, operation)
        guard answer.items.count == items.count else {
            throw PinterestError.malformedResponse(
                operation: operation.id, reason: "\(answer.items.count) results for \(items.count) items",
                requestID: response.headers["x-pinterest-rid"])
        }
        return answer.items.enumerated().map { BulkItem(index: $0.offset, created: $0.element.data, exceptions: $0.element.exceptions) }
    }

    /// Sends one request through the gate and the transport, logs it, and turns failures into
    /// `PinterestError`s. With a gate, a 429 pauses the gate and the call is sent again.
    func perform(
        _ operation: PinterestOperation, method: String, path: String, token: AccessToken?, query: [(String, String)] = [],
        headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws -> HTTPResponse {
        var retries = 0
        while true {
            do {
                return try await performOnce(operation, method: method, path: path, token: token, query: query, headers: headers, body: body)
            } catch let error as PinterestError {
                guard case .rateLimited = error, gate != nil, retries < Self.maximumRateLimitRetries else { throw error }
                retries += 1
            }
        }
    }

    private func performOnce(
        _ operation: PinterestOperation, method: String, path: String, token: AccessToken?, query: [(String, String)],
        headers: [(String, String)], body: [UInt8]
    ) async throws -> HTTPResponse {
        if let gate { try await gate.admit(operation, token: token) }
        var url = baseURL + path
        if !query.isEmpty { url += "?" + query.map { "\(Self.queryEncode($0.0))=\(Self.queryEncode($0.1))" }.joined(separator: "&") }
        var allHeaders = headers.map { (name: $0.0, value: $0.1) }
        if let token { allHeaders.append((name: "Authorization", value: "Bearer \(token.value)")) }
        allHeaders.append((name: "Accept", value: "application/json"))
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(
                HTTPRequest(method: method, url: url, headers: allHeaders, body: body, mayReplay: operation.isReplaySafe(method: method)))
        } catch {
            if let gate { await gate.observe(operation, token: token, status: 0, headers: [:]) }
            guard let error = error as? TransportError else { throw error }
            logger.debug("pinterest call failed", metadata: ["operation": "\(operation.id)", "method": "\(method)", "path": "\(path)", "error": "\(error)"])
            if error == .cancelled { throw CancellationError() }
            throw PinterestError.transient(reason: error.description, status: nil, requestID: nil)
        }
        let elapsed = ContinuousClock.now - started
        let rid = response.headers["x-pinterest-rid"]
        logger.debug(
            "pinterest call",
            metadata: [
                "operation": "\(operation.id)", "method": "\(method)", "path": "\(path)", "status": "\(response.status)",
                "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                "request_id": "\(rid ?? "-")",
            ])
        if let gate { await gate.observe(operation, token: token, status: response.status, headers: response.headers) }
        if (200..<300).contains(response.status) { return response }
        throw Self.error(for: response)
    }

    /// Maps a non-2xx answer to its error case, reading Pinterest's `{code, message}` body.
    static func error(for response: HTTPResponse) -> PinterestError {
        struct Body: Decodable {
            var code: Int?
            var message: String?
            var details: JSONValue?
        }
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        let rid = response.headers["x-pinterest-rid"]
        let message = body?.message ?? (response.body.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status) without a Pinterest error body")
        switch response.status {
        case 401, 403:
            return .unauthorized(status: response.status, code: body?.code, message: message, requestID: rid)
        case 429:
            return .rateLimited(
                code: body?.code, message: message, resetAfter: response.headers["x-ratelimit-reset"].flatMap(Double.init),
                limit: response.headers["x-ratelimit-limit"].flatMap(Int.init),
                remaining: response.headers["x-ratelimit-remaining"].flatMap(Int.init), requestID: rid)
        case 400..<500:
            return .rejected(status: response.status, code: body?.code, message: message, requestID: rid, details: body?.details)
        default:
            return .transient(reason: "HTTP \(response.status): \(message)", status: response.status, requestID: rid)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ operation: PinterestOperation) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw PinterestError.malformedResponse(
                operation: operation.id, reason: String(describing: error), requestID: response.headers["x-pinterest-rid"])
        }
    }

    /// JSON with sorted keys, so the same call always sends the same bytes.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Path ids are digit strings (customer list, campaign… ids); anything else would change the path.
    func id(_ value: String) throws -> String {
        guard !value.isEmpty, value.utf8.count <= 32, value.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) }) else {
            throw PinterestError.invalidRequest("'\(value)' is not a Pinterest id (digits only)")
        }
        return value
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func queryEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// application/x-www-form-urlencoded: like the query, with spaces as '+' not needed (we encode them).
    static func formEncode(_ text: String) -> String { queryEncode(text) }
}
