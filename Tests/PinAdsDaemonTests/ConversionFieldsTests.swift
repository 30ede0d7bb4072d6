import Foundation
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

/// Every field of Pinterest's Conversions API event (NOTES §8): read from either shape, checked,
/// hashed as §8.3 says, and written out; nothing unknown passes silently.
@Suite("Conversion events: every field of the Conversions API")
struct ConversionFieldsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The event as `conversions.send` reads it from a line of JSON.
    func decode(_ json: String) throws -> ConversionEventInput {
        try Wire.decoder().decode(ConversionEventInput.self, from: Data(json.utf8))
    }

    func outcome(_ json: String, currency: String? = nil) throws -> ConversionNormalizer.Outcome {
        ConversionNormalizer(now: now, defaultCurrency: currency).prepare(try decode(json))
    }

    func body(_ json: String, currency: String? = nil) throws -> JSONValue {
        switch try outcome(json, currency: currency) {
        case .accepted(let prepared): return try JSONDecoder().decode(JSONValue.self, from: Data(prepared.body.utf8))
        case .rejected(let reason): throw TestFailure("rejected: \(reason)")
        }
    }

    func reason(_ json: String) throws -> String? {
        if case .rejected(let reason) = try outcome(json) { return reason }
        return nil
    }

    static let base = #""event_name": "checkout", "event_id": "o-1", "email": "jane.doe@example.com""#

    @Test func eachHashedUserDataFieldGivesTheHashOfItsNormalizedValue() throws {
        let known: [(field: String, plain: String, hash: String)] = [
            ("fn", "  Alice ", "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"),  // alice
            ("ln", "SMITH", "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd"),  // smith
            ("ge", "F", "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111"),  // f
            ("db", "1990-01-31", "267b39628557f31a6766b3d7f8823978c276759be4a5c9c52bf868d802ba5a0d"),  // 19900131
            ("ct", "San Francisco", "1a6bd4d9d79dc0a79b53795c70d3349fa9e38968a3fbefbfe8783efb1d2b6aac"),  // sanfrancisco
            ("st", "CA", "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126"),  // ca
            ("zp", "94103", "91dc2519ea98c5002cf2091e6a12b772eafdce9dca618e626d7d3b8275361789"),  // 94103
            ("country", "US", "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),  // us
            ("external_id", "cust-42", "8a3c5a67cad508582b5edf6b8352cea3ffbad7f44812c1a736b4444c0f5746aa"),  // cust-42
            ("ph", "+1 (415) 555-0123", "413ba75461ab5f99d36820e561ea97e2bd80f9cb586f7ecea6cf4c496518950a"),  // 14155550123
            ("em", " Jane.Doe@Example.com", "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"),
            ("hashed_maids", "38400000-8CF0-11BD-B23E-10B96E40000D", "d4181bb455a74b3bc8b37c75ac9b2c702eb6b9930bd040b861403b31ca85634d"),
        ]
        for (field, plain, hash) in known {
            // Flat (a string), and in Pinterest's shape (a list inside user_data).
            let flat = try body(#"{"event_name": "lead", "event_id": "x", "client_ip_address": "1.2.3.4", "client_user_agent": "UA", "\#(field)": "\#(plain)"}"#)
            #expect(flat["user_data"]?[field] == [.string(hash)], "\(field) flat")
            let nested = try body(
                #"{"event_name": "lead", "event_id": "x", "user_data": {"client_ip_address": "1.2.3.4", "client_user_agent": "UA", "\#(field)": ["\#(plain)"]}}"#)
            #expect(nested["user_data"]?[field] == [.string(hash)], "\(field) in user_data")
            // A value already hashed is kept (lowercased).
            let kept = try body(#"{"event_name": "lead", "event_id": "x", "user_data": {"client_ip_address": "1.2.3.4", "client_user_agent": "UA", "\#(field)": ["\#(hash.uppercased())"]}}"#)
            #expect(kept["user_data"]?[field] == [.string(hash)], "\(field) already hashed")
        }
    }

    @Test func plainUserDataFieldsAndTheEventsContextGoAsGiven() throws {
        let event = try body(
            #"""
            {\#(Self.base), "click_id": "dj0yJnU9b", "partner_id": "p-7", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0",
             "opt_out": true, "partner_name": "ss-shopify", "language": "en", "event_source_url": "https://shop.example/checkout",
             "app_id": "429047995", "app_name": "Shop", "app_version": "7.2", "device_brand": "Apple", "device_carrier": "T-Mobile",
             "device_model": "iPhone 15", "device_type": "phone", "os_version": "18.1", "wifi": false,
             "app_info": {"app_store": "Apple App Store", "window_width": 390}, "device_info": {"form_factor": "cellphone", "languages": ["en"]}}
            """#)
        #expect(event["user_data"]?["click_id"] == "dj0yJnU9b" && event["user_data"]?["partner_id"] == "p-7")
        #expect(event["user_data"]?["client_ip_address"] == "203.0.113.7" && event["user_data"]?["client_user_agent"] == "Mozilla/5.0")
        #expect(event["opt_out"] == true && event["wifi"] == false && event["partner_name"] == "ss-shopify" && event["language"] == "en")
        for (key, value) in [
            ("event_source_url", "https://shop.example/checkout"), ("app_id", "429047995"), ("app_name", "Shop"), ("app_version", "7.2"),
            ("device_brand", "Apple"), ("device_carrier", "T-Mobile"), ("device_model", "iPhone 15"), ("device_type", "phone"),
            ("os_version", "18.1"),
        ] {
            #expect(event[key] == .string(value), "\(key)")
        }
        #expect(event["app_info"] == ["app_store": "Apple App Store", "window_width": 390])
        #expect(event["device_info"] == ["form_factor": "cellphone", "languages": ["en"]])
    }

    @Test func everyCustomDataFieldGoesAndValuesKeepEveryDigit() throws {
        let event = try body(
            #"""
            {\#(Self.base), "value": 0.125, "currency": "kwd", "order_id": "A-1", "content_ids": ["sku-1"], "num_items": 2,
             "contents": [{"id": "sku-1", "item_price": "14.990", "quantity": 2, "item_name": "Shirt", "item_category": "shirts", "item_brand": "b"}],
             "content_name": "Shirt", "content_category": "shirts", "content_brand": "b", "search_string": "blue shirt",
             "predicted_ltv": "310.5", "opt_out_type": "LDP", "np": "ss", "external_measurement_id": "m-1", "external_measurement_vendor_id": 7}
            """#)
        let custom = try #require(event["custom_data"])
        #expect(custom["value"] == "0.125" && custom["currency"] == "KWD")
        #expect(custom["contents"]?.arrayValue?.first?["item_price"] == "14.990", "a string amount goes exactly as given")
        for (key, value): (String, JSONValue) in [
            ("order_id", "A-1"), ("content_ids", ["sku-1"]), ("num_items", 2), ("content_name", "Shirt"), ("content_category", "shirts"),
            ("content_brand", "b"), ("search_string", "blue shirt"), ("predicted_ltv", "310.5"), ("opt_out_type", "LDP"), ("np", "ss"),
            ("external_measurement_id", "m-1"), ("external_measurement_vendor_id", 7),
        ] {
            #expect(custom[key] == value, "\(key)")
        }
        #expect(try body(#"{\#(Self.base), "value": "49.99"}"#)["custom_data"]?["value"] == "49.99", "Pinterest's own string type")
        #expect(try body(#"{\#(Self.base), "value": 12345678901234567.891}"#)["custom_data"]?["value"] == "12345678901234567.891")
        #expect(try reason(#"{\#(Self.base), "value": "49,99"}"#)?.hasPrefix("value: must be a decimal amount") == true)
    }

    @Test func theAdAccountsCurrencyIsTheDefault() throws {
        #expect(try body(#"{\#(Self.base), "value": 10}"#, currency: "EUR")["custom_data"]?["currency"] == "EUR")
        #expect(try body(#"{\#(Self.base), "value": 10, "currency": "GBP"}"#, currency: "EUR")["custom_data"]?["currency"] == "GBP")
        #expect(try body(#"{\#(Self.base), "value": 10}"#, currency: "UNK")["custom_data"]?["currency"] == nil, "UNK: Pinterest decides")
        #expect(try body(#"{\#(Self.base)}"#, currency: "EUR")["custom_data"] == nil, "nothing bought: no custom_data")
    }

    @Test func anEventInPinterestsShapeIsCheckedHashedAndSent() throws {
        // As Pinterest's documentation writes one (plain identifiers, here).
        let event = try body(
            #"""
            {"event_name": "checkout", "action_source": "web", "event_time": 1799999000, "event_id": "eventId0001",
             "event_source_url": "https://www.my-website-link.com", "opt_out": false, "partner_name": "ss-partnername", "language": "en",
             "user_data": {"em": ["Jane.Doe@example.com"], "ph": ["14155550123"], "client_ip_address": "216.3.128.12",
                           "client_user_agent": "Mozilla/5.0", "click_id": "dj0yJnU9b"},
             "custom_data": {"currency": "USD", "value": "72.39", "content_ids": ["red-pinterest-shirt"], "num_items": 1, "order_id": "my_order_id"}}
            """#)
        #expect(event["user_data"]?["em"] == ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"])
        #expect(event["user_data"]?["click_id"] == "dj0yJnU9b" && event["opt_out"] == false)
        #expect(event["custom_data"]?["value"] == "72.39" && event["custom_data"]?["order_id"] == "my_order_id")
        #expect(event["event_time"] == 1_799_999_000 && event["event_id"] == "eventId0001")
    }

    @Test func nothingUnknownPassesAndEachProblemNamesItsField() throws {
        #expect(try reason(#"{\#(Self.base), "coupon": "X"}"#)?.hasPrefix("coupon: unknown field") == true)
        #expect(try reason(#"{"event_name": "checkout", "email": "a@b.co"}"#)?.hasPrefix("event_id: missing") == true)
        #expect(try reason(#"{"event_name": "checkout", "event_id": 7, "email": "a@b.co"}"#) == "event_id: expected a string, got a number")
        #expect(try reason(#"{\#(Self.base), "opt_out": "yes"}"#) == "opt_out: expected true or false, got a string")
        #expect(try reason(#"{\#(Self.base), "num_items": "2"}"#) == "num_items: expected an integer, got a string")
        #expect(try reason(#"{\#(Self.base), "contents": [{"id": "a", "sku": "b"}]}"#)?.hasPrefix("contents[0].sku: unknown field") == true)
        #expect(try reason(#"{\#(Self.base), "user_data": {"em": ["x@y.z"]}}"#)?.contains("mixes two shapes") == true)
        #expect(
            try reason(#"{"event_name": "lead", "event_id": "x", "user_data": {"em": ["x@y.z"], "email": "y@z.a"}}"#)?.hasPrefix(
                "user_data.email: unknown field") == true)
        #expect(
            try reason(#"{"event_name": "lead", "event_id": "x", "user_data": {"em": ["x@y.z"]}, "custom_data": {"value": true}}"#)?.hasPrefix(
                "custom_data.value: expected a decimal amount") == true)
        #expect(try reason(#"{\#(Self.base), "app_info": {"app_color": "red"}}"#)?.hasPrefix("app_info.app_color: unknown field") == true)
        #expect(try reason(#"{\#(Self.base), "device_info": {"form_factor": "toaster"}}"#)?.hasPrefix("device_info.form_factor: must be one of") == true)
        #expect(try reason(#"{\#(Self.base), "ge": "female"}"#)?.hasPrefix("ge: must be f, m or n") == true)
        #expect(try reason(#"{\#(Self.base), "partner_name": "Shopify"}"#)?.hasPrefix("partner_name:") == true)
        #expect(try reason(#""just a string""#) == "event: expected an object, got a string")
        #expect(try reason(#"{\#(Self.base), "contents": [{"id": "a"}, 7]}"#) == "contents[1]: expected an object")
    }

    @Test func aRequestWithBadEventsIsStillARequest() throws {
        let json = #"{"events": [{\#(Self.base)}, {"event_name": "checkout", "email": "a@b.co"}, 7, {\#(Self.base), "fn": 1}]}"#
        let request = try Wire.decoder().decode(SendConversionsRequest.self, from: Data(json.utf8))
        #expect(request.events.map { $0.problem == nil } == [true, false, false, false])
        #expect(request.events[3].problem == "fn: expected a string or a list of strings, got a number")
    }

    @Test func theFlatShapeRoundTripsThroughTheWire() throws {
        var event = ConversionEventInput(eventName: "checkout", eventId: "o-9", email: "a@b.co", value: 19.99, currency: "EUR")
        event.clickId = "c"
        event.optOut = true
        event.fn = ["Alice"]
        event.contents = [.init(id: "s", itemPrice: "3.000", quantity: 1)]
        let again = try Wire.decoder().decode(ConversionEventInput.self, from: Wire.encoder().encode(event))
        #expect(again == event)
        #expect(event.value?.text == "19.99")
    }
}
