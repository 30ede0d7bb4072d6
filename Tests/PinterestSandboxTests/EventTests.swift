import Foundation
import PinterestSandbox
import Testing

@Suite("Conversions API")
struct EventTests {
    static func event(
        _ id: String, name: String = "checkout", source: String = "web", time: Int? = nil,
        userData: [String: Any]? = nil
    ) -> [String: Any] {
        [
            "event_name": name, "action_source": source, "event_time": time ?? Int(Date().timeIntervalSince1970) - 60,
            "event_id": id, "user_data": userData ?? ["em": [fakeSHA256(id)]],
            "custom_data": ["currency": "USD", "value": "12.50", "order_id": id],
        ]
    }

    @Test("each event gets its own status, in request order")
    func perEventStatus() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let path = PinterestSandbox.account(token.adAccountIDs[0]) + "/events"
            let events: [[String: Any]] = [
                Self.event("e1"),
                Self.event("e2", name: "purchase"),
                Self.event("e3", userData: ["em": ["Alice@Example.com"]]),
                Self.event("e4", source: "app_ios", userData: ["hashed_maids": [fakeSHA256("maid")]]),
                Self.event("e5", userData: ["client_ip_address": "192.0.2.1"]),
                Self.event("e6", userData: ["client_ip_address": "192.0.2.1", "client_user_agent": "Mozilla/5.0"]),
                Self.event("e7", time: Int(Date().timeIntervalSince1970) * 1000),
                Self.event("e8", source: "store"),
                ["event_name": "lead", "action_source": "web", "event_time": 1, "user_data": ["em": [fakeSHA256("x")]]],
                Self.event("e10", userData: ["em": [String(repeating: "A", count: 64)]]),
            ]
            let response = try await client.post(path, json: ["data": events], token: token.accessToken)
            #expect(response.status == 200)
            #expect(response.object["num_events_received"] as? Int == 10)
            #expect(response.object["num_events_processed"] as? Int == 3)
            let statuses = (response.object["events"] as? [[String: Any]] ?? []).map { $0["status"] as? String ?? "" }
            #expect(statuses == [
                "processed", "failed", "failed", "processed", "failed", "processed", "failed", "failed", "failed",
                "failed",
            ])
            let failures = (response.object["events"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }
            #expect(failures.allSatisfy { ($0["error_message"] as? String)?.isEmpty == false })
            let stats = sandbox.stats()
            #expect(stats.eventsReceived == 10)
            #expect(stats.eventsProcessed == 3)
        }
    }

    @Test("the request is 400 when it holds no events, more than 1000, or a property the schema forbids")
    func requestLimits() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let path = PinterestSandbox.account(token.adAccountIDs[0]) + "/events"
            let empty = try await client.post(path, json: ["data": [Any]()], token: token.accessToken)
            #expect(empty.status == 400)
            #expect(empty.code == 4196)
            let tooMany = (0..<1001).map { Self.event("e\($0)") }
            let big = try await client.post(path, json: ["data": tooMany], token: token.accessToken)
            #expect(big.status == 400)
            #expect(big.code == 4196)
            var extra = Self.event("x")
            extra["category_name"] = "shoes"
            let unexpected = try await client.post(path, json: ["data": [extra]], token: token.accessToken)
            #expect(unexpected.status == 400)
            #expect(unexpected.message.contains("category_name"))
            let thousand = (0..<1000).map { Self.event("ok\($0)") }
            let full = try await client.post(path, json: ["data": thousand], token: token.accessToken)
            #expect(full.status == 200)
            #expect(full.object["num_events_processed"] as? Int == 1000)
            #expect(sandbox.stats().eventsReceived == 1000)
        }
    }

    @Test("duplicates by (event_id, event_name) within 48 sandbox hours are deduplicated, later ones are not")
    func deduplication() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let path = PinterestSandbox.account(token.adAccountIDs[0]) + "/events"
            let first = try await client.post(
                path, json: ["data": [Self.event("a"), Self.event("a"), Self.event("a", name: "lead")]],
                token: token.accessToken)
            #expect(first.object["num_events_processed"] as? Int == 3)
            var stats = sandbox.stats()
            #expect(stats.eventsProcessed == 2)
            #expect(stats.eventsDeduplicated == 1)

            sandbox.advanceClock(by: 47 * 3600)
            _ = try await client.post(path, json: ["data": [Self.event("a")]], token: token.accessToken)
            stats = sandbox.stats()
            #expect(stats.eventsDeduplicated == 2)
            #expect(stats.eventsProcessed == 2)

            sandbox.advanceClock(by: 2 * 3600)
            _ = try await client.post(path, json: ["data": [Self.event("a")]], token: token.accessToken)
            stats = sandbox.stats()
            #expect(stats.eventsDeduplicated == 2)
            #expect(stats.eventsProcessed == 3)
            #expect(stats.eventsReceived == 5)
        }
    }

    @Test("test=true validates and answers normally but records nothing")
    func testMode() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let path = PinterestSandbox.account(token.adAccountIDs[0]) + "/events"
            let response = try await client.post(
                path, query: [("test", "true")], json: ["data": [Self.event("t1"), Self.event("t2", name: "nope")]],
                token: token.accessToken)
            #expect(response.status == 200)
            #expect(response.object["num_events_processed"] as? Int == 1)
            var stats = sandbox.stats()
            #expect(stats.testEventsReceived == 2)
            #expect(stats.eventsReceived == 0)
            #expect(stats.eventsProcessed == 0)
            // Not recorded, so the same event sent for real is new.
            _ = try await client.post(path, json: ["data": [Self.event("t1")]], token: token.accessToken)
            stats = sandbox.stats()
            #expect(stats.eventsProcessed == 1)
            #expect(stats.eventsDeduplicated == 0)
        }
    }
}
