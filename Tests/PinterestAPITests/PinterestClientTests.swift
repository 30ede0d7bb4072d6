import Foundation
import Logging
import NIOConcurrencyHelpers
import PinAdsJSON
import Testing

@testable import PinterestAPI

/// A transport that answers from a script and remembers what it was asked.
final class ScriptedTransport: HTTPTransport, Sendable {
    private let state: NIOLockedValueBox<(requests: [HTTPRequest], answers: [Result<HTTPResponse, TransportError>])>

    init(_ answers: [Result<HTTPResponse, TransportError>]) {
        state = NIOLockedValueBox((requests: [], answers: answers))
    }

    convenience init(json answers: (status: Int, body: String, headers: [String: String])...) {
        self.init(answers.map { .success(HTTPResponse(status: $0.status, headers: $0.headers, body: Array($0.body.utf8))) })
    }

    var requests: [HTTPRequest] { state.withLockedValue { $0.requests } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer = state.withLockedValue { state -> Result<HTTPResponse, TransportError> in
            state.requests.append(request)
            return state.answers.isEmpty ? .failure(.other("no scripted answer left")) : state.answers.removeFirst()
        }
        return try answer.get()
    }
}

/// Collects log lines, to prove secrets never reach them.
final class CapturedLog: Sendable {
    let lines = NIOLockedValueBox<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "test") { _ in CaptureHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    struct CaptureHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            log.lines.withLockedValue { $0.append("\(event.message) \(meta)") }
        }
    }
}

@Suite("Pinterest client (scripted transport)")
struct PinterestClientTests {
    let token = AccessToken("pina_SECRET_ACCESS_TOKEN")
    let app = AppCredentials(clientID: "1234", clientSecret: "APP_SECRET_VALUE")

    private func client(_ transport: ScriptedTransport, log: CapturedLog = CapturedLog()) -> PinterestClient {
        PinterestClient(baseURL: "http://sandbox.test/v5/", transport: transport, logger: log.logger)
    }

    @Test func refreshSendsBasicAuthAndAFormBodyAndNeverLogsSecrets() async throws {
        let transport = ScriptedTransport(json: (200, #"{"access_token":"new-access","token_type":"bearer","expires_in":2592000,"scope":"ads:read","refresh_token":"new-refresh","refresh_token_expires_in":5184000,"refresh_token_expires_at":1800000000,"response_type":"refresh_token"}"#, [:]))
        let log = CapturedLog()
        let answer = try await client(transport, log: log).refreshAccessToken(refreshToken: "OLD_REFRESH_SECRET", app: app)
        #expect(answer.accessToken == "new-access")
        #expect(answer.refreshToken == "new-refresh")
        #expect(answer.refreshTokenExpiresAt == 1_800_000_000)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "http://sandbox.test/v5/oauth/token")
        let basic = "Basic " + Data("1234:APP_SECRET_VALUE".utf8).base64EncodedString()
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == basic })
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/x-www-form-urlencoded" })
        #expect(String(decoding: request.body, as: UTF8.self) == "grant_type=refresh_token&refresh_token=OLD_REFRESH_SECRET&continuous_refresh=true")
        let logged = log.lines.withLockedValue { $0.joined(separator: "\n") }
        #expect(logged.contains("oauth/token"))
        for secret in ["OLD_REFRESH_SECRET", "APP_SECRET_VALUE", "new-access", "new-refresh", basic] {
            #expect(!logged.contains(secret), "a secret reached the log")
        }
        #expect(!"\(app)".contains("APP_SECRET_VALUE"))
        #expect(!"\(token)".contains("SECRET"))
    }

    @Test func adAccountsFollowBookmarksToTheEnd() async throws {
        let transport = ScriptedTransport(
            json: (200, #"{"items":[{"id":"549755885175","name":"A","currency":"USD","country":"US"}],"bookmark":"b1"}"#, [:]),
            (200, #"{"items":[{"id":"18446744073709551","name":"B"}],"bookmark":"b2"}"#, [:]),
            (200, #"{"items":[],"bookmark":null}"#, [:]))
        let accounts = try await client(transport).listAdAccounts(token: token)
        #expect(accounts.map(\.id) == ["549755885175", "18446744073709551"])
        let urls = transport.requests.map(\.url)
        #expect(urls[0] == "http://sandbox.test/v5/ad_accounts?page_size=250")
        #expect(urls[1] == "http://sandbox.test/v5/ad_accounts?page_size=250&bookmark=b1")
        #expect(urls[2].hasSuffix("bookmark=b2"))
        #expect(transport.requests.allSatisfy { $0.headers.contains { $0.name == "Authorization" && $0.value == "Bearer pina_SECRET_ACCESS_TOKEN" } })
    }

    @Test func errorsAreTyped() async throws {
        let cases: [(Int, String, [String: String], (PinterestError) -> Bool)] = [
            (401, #"{"code":2,"message":"Authentication failed."}"#, ["x-pinterest-rid": "rid-1"], {
                if case .unauthorized(401, 2, "Authentication failed.", "rid-1") = $0 { return true } else { return false }
            }),
            (403, #"{"code":29,"message":"Not permitted"}"#, [:], {
                if case .unauthorized(403, 29, _, _) = $0 { return true } else { return false }
            }),
            (429, #"{"code":8,"message":"Rate limited"}"#, ["x-ratelimit-reset": "2", "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0"], {
                if case .rateLimited(8, _, 2.0, 100, 0, _) = $0 { return true } else { return false }
            }),
            (400, #"{"code":1,"message":"Invalid parameters"}"#, [:], {
                if case .rejected(400, 1, "Invalid parameters", _, _) = $0 { return true } else { return false }
            }),
            (503, #"{"code":4197,"message":"ramped down"}"#, [:], {
                if case .transient(_, 503, _) = $0 { return true } else { return false }
            }),
            (502, "<html>bad gateway</html>", [:], {
                if case .transient(_, 502, _) = $0 { return true } else { return false }
            }),
        ]
        for (status, body, headers, matches) in cases {
            let transport = ScriptedTransport(json: (status, body, headers))
            do {
                _ = try await client(transport).listAdAccounts(token: token)
                Issue.record("HTTP \(status) did not throw")
            } catch let error as PinterestError {
                #expect(matches(error), "HTTP \(status) became \(error)")
                #expect(error.isRetryable == (status == 429 || status >= 500))
            }
        }
    }

    @Test func transportFailuresAreTransient() async throws {
        for failure in [TransportError.timedOut, .connectTimedOut, .connectionFailed("refused"), .connectionLost("reset")] {
            let transport = ScriptedTransport([.failure(failure)])
            do {
                _ = try await client(transport).listAdAccounts(token: token)
                Issue.record("\(failure) did not throw")
            } catch let error as PinterestError {
                guard case .transient(_, nil, nil) = error else {
                    Issue.record("\(failure) became \(error)")
                    continue
                }
                #expect(error.isRetryable)
            }
        }
    }

    @Test func bulkCreatesReadExceptionsAsArrayOrObject() async throws {
        let campaigns = ScriptedTransport(json: (200, #"{"items":[{"data":{"id":"626736533506","name":"ok"},"exceptions":[]},{"exceptions":[{"code":2,"message":"bad objective"}]}]}"#, [:]))
        let result = try await client(campaigns).createCampaigns(
            token: token, adAccountID: "549755885175",
            [CampaignCreate(adAccountID: "549755885175", name: "ok", objectiveType: "AWARENESS", status: "PAUSED"),
             CampaignCreate(adAccountID: "549755885175", name: "bad", objectiveType: "NOPE")])
        #expect(result[0].created?.id == "626736533506")
        #expect(result[0].exceptions.isEmpty)
        #expect(result[1].created == nil)
        #expect(result[1].exceptions == [PinterestItemException(code: 2, message: "bad objective")])
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(campaigns.requests.first).body))
        #expect(body.arrayCount == 2, "the body is a JSON array of campaigns")
        #expect(body[0]?["status"] == "PAUSED")
        #expect(body[1]?["status"] == nil, "unset fields are left out, not sent as null")
        #expect(body[0]?["ad_account_id"] == "549755885175")

        let ads = ScriptedTransport(json: (200, #"{"items":[{"data":{"id":"687195905986"},"exceptions":{}},{"exceptions":{"code":2729,"message":"pin not found"}}]}"#, [:]))
        let adResult = try await client(ads).createAds(
            token: token, adAccountID: "549755885175",
            [AdCreate(adGroupID: "2680059592705", pinID: "1", creativeType: "REGULAR"), AdCreate(adGroupID: "2680059592705", pinID: "2", creativeType: "REGULAR")])
        #expect(adResult[0].created?.id == "687195905986")
        #expect(adResult[0].exceptions.isEmpty)
        #expect(adResult[1].exceptions.first?.code == 2729)
        // Callers that need every item get a typed failure naming the items.
        #expect(throws: PinterestError.itemsFailed(
            operation: "ads/create",
            failures: [.init(index: 1, exceptions: [PinterestItemException(code: 2729, message: "pin not found")])])) {
            try adResult.requireAll(.adsCreate)
        }
        #expect(try Array(adResult.prefix(1)).requireAll(.adsCreate).map(\.id) == ["687195905986"])
    }

    @Test func limitsAreCheckedBeforeSending() async throws {
        let transport = ScriptedTransport([])
        let tooMany = Array(repeating: CampaignCreate(adAccountID: "1", name: "n", objectiveType: "AWARENESS"), count: 31)
        await #expect(throws: PinterestError.self) { try await client(transport).createCampaigns(token: token, adAccountID: "1", tooMany) }
        await #expect(throws: PinterestError.self) { try await client(transport).createCampaigns(token: token, adAccountID: "1", []) }
        let event = ConversionEvent(eventName: "checkout", actionSource: "web", eventTime: 1, eventID: "e", userData: .init(em: ["x"]))
        await #expect(throws: PinterestError.self) {
            try await client(transport).sendEvents(token: token, adAccountID: "1", events: Array(repeating: event, count: 1001))
        }
        await #expect(throws: PinterestError.self) {
            try await client(transport).listCampaigns(token: token, adAccountID: "1/../../oauth")
        }
        #expect(transport.requests.isEmpty, "nothing was sent")
    }

    @Test func eventsGoWithTestFlagAndStatusesMatchCount() async throws {
        let transport = ScriptedTransport(
            json: (200, #"{"num_events_received":1,"num_events_processed":1,"events":[{"status":"processed","error_message":null,"warning_message":null}]}"#, [:]),
            (200, #"{"num_events_received":2,"num_events_processed":2,"events":[{"status":"processed"}]}"#, [:]))
        let event = ConversionEvent(
            eventName: "checkout", actionSource: "web", eventTime: 1_800_000_000, eventID: "order-1",
            userData: .init(em: [String(repeating: "a", count: 64)]), customData: .init(currency: "USD", value: "12.50"))
        let answer = try await client(transport).sendEvents(token: token, adAccountID: "549755885175", events: [event], test: true)
        #expect(answer.events.first?.status == "processed")
        let request = try #require(transport.requests.first)
        #expect(request.url == "http://sandbox.test/v5/ad_accounts/549755885175/events?test=true")
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(request.body))
        #expect(body["data"]?[0]?["event_id"] == "order-1")
        #expect(body["data"]?[0]?["user_data"]?["em"]?[0]?.stringValue?.count == 64)
        #expect(body["data"]?[0]?["custom_data"]?["value"] == "12.50")
        await #expect(throws: PinterestError.self) {
            try await client(transport).sendEvents(token: token, adAccountID: "549755885175", events: [event, event])
        }
    }

    @Test func analyticsQueryRepeatsCampaignIDsAndJoinsColumns() async throws {
        let transport = ScriptedTransport(json: (200, #"[{"CAMPAIGN_ID":"1","DATE":"2026-11-01","SPEND_IN_MICRO_DOLLAR":1200000}]"#, [:]))
        let rows = try await client(transport).campaignAnalytics(
            token: token, adAccountID: "549755885175", startDate: "2026-11-01", endDate: "2026-11-02", campaignIDs: ["1", "2"],
            columns: ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH"], granularity: .day)
        #expect(rows.first?["SPEND_IN_MICRO_DOLLAR"] == 1_200_000)
        #expect(
            transport.requests.first?.url
                == "http://sandbox.test/v5/ad_accounts/549755885175/campaigns/analytics?start_date=2026-11-01&end_date=2026-11-02&campaign_ids=1&campaign_ids=2&columns=SPEND_IN_MICRO_DOLLAR%2CTOTAL_CLICKTHROUGH&granularity=DAY")
    }

    @Test func customerListRecordsAreOneCommaSeparatedString() async throws {
        let transport = ScriptedTransport(json: (200, #"{"id":"123","name":"n","status":"PROCESSING","num_uploaded_user_records":2}"#, [:]))
        _ = try await client(transport).updateCustomerList(
            token: token, adAccountID: "549755885175", customerListID: "123", operation: .add, records: ["a@x.com", "b@y.com"])
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(request.body))
        #expect(body == ["operation_type": "ADD", "records": "a@x.com,b@y.com"])
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
    var arrayCount: Int {
        if case .array(let items) = self { return items.count }
        return -1
    }
}
