#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// The whole Conversions API event through the real pinadsd to a real pinads-sandbox: what a
/// shop sends (in either shape) is what Pinterest receives, per-event rejections leave the rest
/// of a request alone, and each event's fate can be asked for.
@Suite("Conversion fields end to end", .serialized)
struct ConversionFieldsEndToEndTests {
    /// The events of every `events/create` call the sandbox recorded, by event_id.
    static func eventsReceived(_ recordPath: String) throws -> [String: JSONValue] {
        let text = (try? String(contentsOfFile: recordPath, encoding: .utf8)) ?? ""
        var events: [String: JSONValue] = [:]
        for line in text.split(separator: "\n") {
            let record = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
            guard record["method"] == "POST", record["path"]?.stringValue?.hasSuffix("/events") == true,
                let body = record["request_body"]?.stringValue
            else { continue }
            let data = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
            for event in data["data"]?.arrayValue ?? [] {
                if let id = event["event_id"]?.stringValue { events[id] = event }
            }
        }
        return events
    }

    static let pasted = #"""
        {"event_name": "checkout", "action_source": "web", "event_time": EVENT_TIME, "event_id": "pasted-1",
         "event_source_url": "https://www.my-website-link.com", "opt_out": true, "partner_name": "ss-partnername", "language": "en",
         "user_data": {"em": ["Jane.Doe@example.com"], "ph": ["+1 415 555 0123"], "client_ip_address": "216.3.128.12",
                       "client_user_agent": "Mozilla/5.0", "click_id": "dj0yJnU9b", "fn": ["Jane"], "country": ["US"]},
         "custom_data": {"currency": "USD", "value": "0.125", "content_ids": ["red-pinterest-shirt"], "num_items": 1, "order_id": "my_order_id",
                         "contents": [{"id": "red-pinterest-shirt", "item_price": "0.125", "quantity": 1}], "opt_out_type": "LDP"}}
        """#

    @Test func whatAShopSendsIsWhatPinterestReceivesAndBadEventsAreRejectedAlone() async throws {
        let folder = try TemporaryFolder()
        let record = folder.path + "/traffic.jsonl"
        let sandbox = try await SandboxProcess(arguments: ["--record", record])
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1, currency: "EUR")
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        let now = Int64(Date().timeIntervalSince1970) - 60
        let lines = [
            Self.pasted.replacingOccurrences(of: "EVENT_TIME", with: String(now)).replacingOccurrences(of: "\n", with: " "),
            #"{"event_name": "checkout", "event_id": "flat-1", "email": "a@b.co", "value": 10, "click_id": "epik-1", "opt_out": false, "fn": "Ann"}"#,
            #"{"event_name": "checkout", "event_id": "unknown-1", "email": "a@b.co", "coupon": "WINTER10"}"#,
            #"{"event_name": "checkout", "email": "a@b.co"}"#,
            #"{"event_name": "lead", "event_id": "mixed-1", "email": "a@b.co", "user_data": {"em": ["a@b.co"]}}"#,
        ]
        // The request as a shop's program writes it, by hand.
        let json = #"{"events": [\#(lines.joined(separator: ","))]}"#
        let params = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        guard case .result(let answer) = try daemon.client().callRaw(method: SendConversionsRequest.method, params: params) else {
            throw TestFailure("conversions.send refused the whole request")
        }
        let result = try answer.decoded(as: SendConversionsResult.self)
        #expect(result.accepted == 2)
        #expect(result.rejected.map(\.index) == [2, 3, 4])
        #expect(result.rejected.first?.reason.hasPrefix("coupon: unknown field") == true)
        #expect(result.rejected.dropFirst().first?.reason.hasPrefix("event_id: missing") == true)
        #expect(result.rejected.last?.reason.contains("mixes two shapes") == true)

        try await eventually("both events reach the sandbox") { try Self.eventsReceived(record).count == 2 }
        let received = try Self.eventsReceived(record)
        let pasted = try #require(received["pasted-1"])
        #expect(pasted["opt_out"] == true && pasted["user_data"]?["click_id"] == "dj0yJnU9b")
        #expect(pasted["user_data"]?["em"] == ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"], "hashed on arrival")
        #expect(pasted["user_data"]?["fn"]?.arrayValue?.first?.stringValue?.count == 64)
        #expect(pasted["custom_data"]?["value"] == "0.125" && pasted["custom_data"]?["contents"]?.arrayValue?.first?["item_price"] == "0.125")
        #expect(pasted["custom_data"]?["opt_out_type"] == "LDP" && pasted["custom_data"]?["currency"] == "USD")
        #expect(pasted["partner_name"] == "ss-partnername" && pasted["language"] == "en" && pasted["event_time"] == .int(now))
        let flat = try #require(received["flat-1"])
        #expect(flat["user_data"]?["click_id"] == "epik-1" && flat["opt_out"] == false)
        #expect(flat["custom_data"]?["value"] == "10" && flat["custom_data"]?["currency"] == "EUR", "the EUR ad account's currency")
        let raw = (try? String(contentsOfFile: record, encoding: .utf8)) ?? ""
        #expect(!raw.contains("Jane.Doe") && !raw.contains("a@b.co"), "nothing raw reaches Pinterest")

        try await daemon.stop()
        try await sandbox.stop()
    }

    @Test func eachEventsFateCanBeAskedForAndFailedOnesListed() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        let events = (0..<5).map { ConversionEventInput(eventName: "checkout", eventId: "ok-\($0)", email: "b\($0)@example.com", value: 5) }
        _ = try daemon.call(SendConversionsRequest(events: events))
        try await eventually("delivered") { try daemon.call(ConversionStatsRequest()).sent == 5 }
        let sent = try daemon.call(GetConversionRequest(eventId: "ok-3"))
        #expect(sent.state == .sent && sent.attempts == 1 && sent.answeredAt != nil && sent.errorMessage == nil && sent.duplicates == 0)
        _ = try daemon.call(SendConversionsRequest(events: [events[3]]))
        #expect(try daemon.call(GetConversionRequest(eventId: "ok-3", eventName: "checkout")).duplicates == 1)
        #expect(try daemon.call(GetConversionRequest(eventId: " ok-3\t")).eventId == "ok-3", "trimmed as conversions.send trims it")

        // Pinterest refuses the next events one by one.
        try await sandbox.control("POST", "/_sandbox/events/refuse", ["count": 3, "message": "click_id is not valid."])
        let refused = (0..<3).map { ConversionEventInput(eventName: "lead", eventId: "bad-\($0)", email: "c\($0)@example.com") }
        _ = try daemon.call(SendConversionsRequest(events: refused))
        try await eventually("refused") { try daemon.call(ConversionStatsRequest()).failed == 3 }
        let failed = try daemon.call(GetConversionRequest(eventId: "bad-1"))
        #expect(failed.state == .failed && failed.errorMessage == "click_id is not valid." && failed.attempts == 1)

        var pages: [[String]] = []
        var after: Int64?
        repeat {
            let page = try daemon.call(ListConversionsRequest(state: .failed, limit: 2, after: after))
            pages.append(page.events.map(\.eventId))
            after = page.nextAfter
        } while after != nil
        #expect(pages == [["bad-0", "bad-1"], ["bad-2"]])
        #expect(try daemon.call(ListConversionsRequest(limit: 1000)).events.count == 8)
        #expect(try daemon.call(ListConversionsRequest(state: .queued)).events.isEmpty)
        #expect(try daemon.call(ListConversionsRequest(state: .inFlight, test: false)).events.isEmpty)
        if case .error(let error) = try daemon.client().call(GetConversionRequest(eventId: "never-sent")) {
            #expect(error.code == .notFound)
        } else {
            Issue.record("an event never sent was found")
        }

        // The CLI shows the same.
        let shown = try await daemon.pinads("conversions", "show", "bad-1")
        #expect(shown.status == 0 && shown.stdout.contains("failed") && shown.stdout.contains("click_id is not valid."))
        let listed = try await daemon.pinads("conversions", "list", "--failed")
        #expect(listed.status == 0 && listed.stdout.contains("bad-0") && listed.stdout.contains("bad-2") && !listed.stdout.contains("ok-1"))
        try await daemon.stop()
        try await sandbox.stop()
    }
}
