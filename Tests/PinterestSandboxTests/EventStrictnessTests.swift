import Foundation
import PinterestSandbox
import Testing

/// The Conversions API's schema, field by field: a type or value problem fails its event with an
/// error_message naming the field's path; a property an `additionalProperties: false` object
/// does not declare fails the whole request (400, code 4196).
@Suite("Conversions API strictness")
struct EventStrictnessTests {
    /// `EventTests.event(id)` with `change` applied.
    static func event(_ id: String, _ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var event = EventTests.event(id)
        change(&event)
        return event
    }

    static func custom(_ id: String, _ fields: [String: Any]) -> [String: Any] {
        event(id) { event in
            var custom = event["custom_data"] as? [String: Any] ?? [:]
            custom.merge(fields) { $1 }
            event["custom_data"] = custom
        }
    }

    struct Verdict {
        var status: String
        var error: String
        var warning: String
    }

    /// Sends the events after a valid first one (so paths are `data[1]`, `data[2]`, …) and
    /// returns each one's status, error_message and warning_message, the first dropped.
    static func verdicts(_ events: [[String: Any]]) async throws -> [Verdict] {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken(adAccounts: 1)
            let response = try await client.post(
                PinterestSandbox.account(token.adAccountIDs[0]) + "/events", json: ["data": [EventTests.event("ok")] + events],
                token: token.accessToken)
            #expect(response.status == 200, "\(response.text)")
            let statuses = response.object["events"] as? [[String: Any]] ?? []
            #expect(statuses.first?["status"] as? String == "processed")
            return statuses.dropFirst().map {
                Verdict(
                    status: $0["status"] as? String ?? "", error: $0["error_message"] as? String ?? "",
                    warning: $0["warning_message"] as? String ?? "")
            }
        }
    }

    /// Each event of `cases` must fail with a message starting with its expected text.
    static func expectFailures(_ cases: [(event: [String: Any], message: String)]) async throws {
        let results = try await verdicts(cases.map(\.event))
        #expect(results.count == cases.count)
        for (index, (result, expected)) in zip(results, cases.map(\.message)).enumerated() {
            #expect(result.status == "failed", "case \(index): \(expected)")
            #expect(result.error.hasPrefix("data[\(index + 1)].\(expected)"), "case \(index): got \(result.error)")
        }
    }

    @Test("event fields: strings, booleans, int64 event_time, required fields, the documented names and sources")
    func eventFields() async throws {
        try await Self.expectFailures([
            (Self.event("a") { $0["opt_out"] = "yes" }, "opt_out must be a boolean, not string"),
            (Self.event("b") { $0["wifi"] = 1 }, "wifi must be a boolean"),
            (Self.event("c") { $0["opt_out"] = NSNull() }, "opt_out must be a boolean, not null"),
            (Self.event("d") { $0["event_time"] = 1_700_000_000.5 }, "event_time must be an integer, not number"),
            (Self.event("e") { $0["event_time"] = "1700000000" }, "event_time must be an integer, not string"),
            (Self.event("f") { $0["event_id"] = 7 }, "event_id must be a string"),
            (Self.event("g") { $0["event_id"] = "" }, "event_id must not be empty"),
            (Self.event("h") { $0["event_source_url"] = 5 }, "event_source_url must be a string"),
            (Self.event("i") { $0["partner_name"] = "Shopify" }, "partner_name must look like"),
            (Self.event("j") { $0["event_name"] = "purchase" }, "event_name must be one of"),
            (Self.event("k") { $0["action_source"] = "email" }, "action_source must be one of"),
            (Self.event("l") { $0["user_data"] = nil }, "user_data is required"),
            (Self.event("m") { $0["user_data"] = ["ph": [fakeSHA256("p")]] }, "user_data needs em"),
        ])
        // Nullable strings may be null.
        let nullable = try await Self.verdicts([
            Self.event("n") { $0["language"] = NSNull(); $0["partner_name"] = NSNull(); $0["app_id"] = NSNull() }
        ])
        #expect(nullable.map(\.status) == ["processed"])
    }

    @Test("custom_data: value and item_price non-negative decimal strings, int64 counts, arrays of strings")
    func customData() async throws {
        try await Self.expectFailures([
            (Self.custom("a", ["value": 12.5]), "custom_data.value must be a string, not number"),
            (Self.custom("b", ["value": "-1.00"]), "custom_data.value must be a string holding a non-negative decimal"),
            (Self.custom("c", ["value": "1e3"]), "custom_data.value must be a string holding"),
            (Self.custom("d", ["value": "NaN"]), "custom_data.value must be a string holding"),
            (Self.custom("e", ["value": "12."]), "custom_data.value must be a string holding"),
            (Self.custom("f", ["num_items": "3"]), "custom_data.num_items must be an integer"),
            (Self.custom("g", ["content_ids": [1, 2]]), "custom_data.content_ids[0] must be a string"),
            (Self.custom("h", ["content_ids": "sku-1"]), "custom_data.content_ids must be an array"),
            (
                Self.custom("i", ["contents": [["id": "x", "item_price": "1.00"], ["id": "y", "item_price": 9.99]]]),
                "custom_data.contents[1].item_price must be a string"
            ),
            (Self.custom("j", ["contents": [["quantity": 1.5]]]), "custom_data.contents[0].quantity must be an integer"),
            (Self.custom("k", ["predicted_ltv": 7]), "custom_data.predicted_ltv must be a string"),
            (Self.custom("l", ["currency": 978]), "custom_data.currency must be a string"),
            (Self.custom("m", ["external_measurement_vendor_id": "1"]), "custom_data.external_measurement_vendor_id must be an integer"),
            (Self.event("n") { $0["custom_data"] = [1] }, "custom_data must be an object, not array"),
        ])
        let fine = try await Self.verdicts([
            Self.custom("o", ["value": "12", "predicted_ltv": "-3.5", "num_items": 2, "content_ids": ["a"]]),
            Self.custom("p", ["value": NSNull(), "contents": [["id": "x", "item_price": "0.50", "quantity": 2]]]),
        ])
        #expect(fine.map(\.status) == ["processed", "processed"])
    }

    @Test("user_data: hashed fields arrays of 64 lowercase hex, plain ones strings; unknown fields only warn")
    func userData() async throws {
        let email: [String: Any] = ["em": [fakeSHA256("e")]]
        func user(_ fields: [String: Any]) -> [String: Any] { email.merging(fields) { $1 } }
        try await Self.expectFailures([
            (Self.event("a") { $0["user_data"] = ["em": [String(repeating: "A", count: 64)]] }, "user_data.em[0] must be a SHA-256 hash"),
            (Self.event("b") { $0["user_data"] = ["em": fakeSHA256("x")] }, "user_data.em must be an array"),
            (Self.event("c") { $0["user_data"] = user(["ph": [fakeSHA256("p"), "12345"]]) }, "user_data.ph[1] must be a SHA-256 hash"),
            (Self.event("d") { $0["user_data"] = user(["click_id": 5]) }, "user_data.click_id must be a string"),
            (Self.event("e") { $0["user_data"] = user(["client_ip_address": NSNull()]) }, "user_data.client_ip_address must be a string, not null"),
            (Self.event("f") { $0["user_data"] = user(["partner_id": ["x"]]) }, "user_data.partner_id must be a string"),
        ])
        let fine = try await Self.verdicts([
            Self.event("g") { $0["user_data"] = user(["click_id": NSNull(), "partner_id": NSNull(), "nickname": "bob"]) },
            Self.event("h") { $0["user_data"] = ["client_ip_address": "192.0.2.1", "client_user_agent": "Mozilla/5.0"] },
        ])
        #expect(fine.map(\.status) == ["processed", "processed"])
        #expect(fine.first?.warning.contains("data[1].user_data.nickname") == true)
    }

    @Test("app_info and device_info: bounds, maxLengths and enums")
    func appAndDeviceInfo() async throws {
        try await Self.expectFailures([
            (Self.event("a") { $0["app_info"] = ["install_time": -1] }, "app_info.install_time must be at least 0"),
            (Self.event("b") { $0["app_info"] = ["window_width": 30721] }, "app_info.window_width must be in 0...30720"),
            (Self.event("c") { $0["app_info"] = ["app_store": String(repeating: "s", count: 101)] }, "app_info.app_store must be at most 100"),
            (Self.event("d") { $0["app_info"] = "MyApp" }, "app_info must be an object"),
            (Self.event("e") { $0["device_info"] = ["form_factor": "phone"] }, "device_info.form_factor must be one of"),
            (Self.event("f") { $0["device_info"] = ["network_type": "5g"] }, "device_info.network_type must be one of"),
            (Self.event("g") { $0["device_info"] = ["os_family": "iOS"] }, "device_info.os_family must be one of"),
            (Self.event("h") { $0["device_info"] = ["battery_level": 101] }, "device_info.battery_level must be in 0...100"),
            (Self.event("i") { $0["device_info"] = ["languages": Array(repeating: "en", count: 101)] }, "device_info.languages must have at most 100"),
            (Self.event("j") { $0["device_info"] = ["languages": ["en", 1]] }, "device_info.languages[1] must be a string"),
            (Self.event("k") { $0["device_info"] = ["timezone_abbr": "CEST+1"] }, "device_info.timezone_abbr must be at most 5"),
            (Self.event("l") { $0["device_info"] = ["screen_width": "1320"] }, "device_info.screen_width must be an integer"),
        ])
        let fine = try await Self.verdicts([
            Self.event("m") {
                $0["app_info"] = ["app_id": "429047995", "install_time": 1_739_222_269, "window_height": 900]
                $0["device_info"] = [
                    "form_factor": "cellphone", "network_type": "cellular_5g", "os_family": "ios", "languages": ["en", "de"],
                    "battery_level": 78, "timezone_abbr": "PDT",
                ]
            }
        ])
        #expect(fine.map(\.status) == ["processed"])
    }

    @Test("additionalProperties: false on the body, events, custom_data, contents[], app_info, device_info fails the request")
    func forbiddenProperties() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken(adAccounts: 1)
            let path = PinterestSandbox.account(token.adAccountIDs[0]) + "/events"
            let cases: [([String: Any], String)] = [
                (["data": [EventTests.event("a")], "test": true], "'test' was unexpected"),
                (["data": [EventTests.event("a"), Self.event("b") { $0["colour"] = "red" }]], "data[1]: Additional properties are not allowed ('colour'"),
                (["data": [Self.custom("a", ["colour": "red"])]], "data[0].custom_data: Additional properties are not allowed ('colour'"),
                (["data": [Self.custom("a", ["contents": [["id": "x"], ["sku": "y"]]])]], "data[0].custom_data.contents[1]: Additional"),
                (["data": [Self.event("a") { $0["app_info"] = ["bundle": "x"] }]], "data[0].app_info: Additional"),
                (["data": [Self.event("a") { $0["device_info"] = ["ram": 8] }]], "data[0].device_info: Additional"),
            ]
            for (body, expected) in cases {
                let answer = try await client.post(path, json: body, token: token.accessToken)
                #expect(answer.status == 400, "\(expected)")
                #expect(answer.code == 4196)
                #expect(answer.message.contains(expected), "\(answer.message)")
            }
            #expect(sandbox.stats().eventsReceived == 0)
        }
    }
}
