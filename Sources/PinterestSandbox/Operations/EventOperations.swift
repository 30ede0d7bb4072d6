extension SandboxState {
    /// The documented `event_name` values; the schema has no enum, but "other names will not be accepted".
    static let eventNames: Set<String> = [
        "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "checkout", "custom",
        "initiate_checkout", "lead", "page_visit", "search", "signup", "subscribe", "view_category", "view_content",
        "watch_video",
    ]
    static let actionSources: Set<String> = ["app_android", "app_ios", "web", "offline"]
    static let eventKeys: Set<String> = [
        "event_name", "action_source", "event_time", "event_id", "user_data", "event_source_url", "opt_out",
        "partner_name", "language", "app_id", "app_name", "app_version", "device_brand", "device_carrier",
        "device_model", "device_type", "os_version", "wifi", "app_info", "device_info", "custom_data",
    ]
    static let customDataKeys: Set<String> = [
        "currency", "value", "content_ids", "contents", "num_items", "order_id", "content_name", "content_category",
        "content_brand", "search_string", "predicted_ltv", "opt_out_type", "np", "external_measurement_id",
        "external_measurement_vendor_id",
    ]
    static let contentKeys: Set<String> = ["id", "item_price", "quantity", "item_name", "item_category", "item_brand"]
    static let appInfoKeys: Set<String> = [
        "app_id", "app_name", "app_package_name", "app_store", "app_version", "install_time", "user_agent",
        "window_height", "window_width",
    ]
    static let deviceInfoKeys: Set<String> = [
        "battery_level", "brand", "carrier", "cpu_cores", "external_storage_free_space", "external_storage_size",
        "form_factor", "kernel_version", "languages", "locale", "model", "network_type", "os_family", "os_name",
        "os_release_name", "os_version", "screen_density", "screen_height", "screen_width", "storage_free_space",
        "storage_size", "timezone", "timezone_abbr", "type",
    ]
    /// `user_data` fields that carry SHA-256 hex arrays.
    static let hashedUserDataKeys: Set<String> = [
        "em", "hashed_maids", "ph", "ge", "db", "ln", "fn", "ct", "st", "zp", "country", "external_id",
    ]
    static let plainUserDataKeys: Set<String> = ["client_ip_address", "client_user_agent", "click_id", "partner_id"]
    /// Pinterest keeps the first of two events with the same event_id and event_name for 48 hours.
    static let deduplicationWindow: Int64 = 48 * 3600

    static func invalidEventsRequest(_ detail: String) -> APIError {
        APIError(status: 400, code: 4196, message: "The request was invalid. \(detail)")
    }

    /// `POST /v5/ad_accounts/{id}/events[?test=true]`: `{data: [1...1000 events]}`.
    ///
    /// The request as a whole is a 400 (code 4196) when its shape is wrong: not an object, `data`
    /// missing or not 1–1000 entries, or a property the schema forbids (`additionalProperties:
    /// false` on the body, each event, `custom_data`, `contents[]`, `app_info`, `device_info`).
    /// Otherwise it is a 200 with one status per event, in request order; each event is checked
    /// alone (required fields and types, event_name among the 15, action_source, `em` and the other
    /// hashed `user_data` fields as 64 lowercase hex, one of em / hashed_maids / ip + user agent).
    mutating func eventsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let now = now
        let prepared = try (call.preparedEvents ?? SandboxState.prepareEvents(query: call.query, json: call.json, now: now))
            .get()
        for event in prepared.accepted where !prepared.isTest {
            record(event: event.name, id: event.id, actionSource: event.actionSource, account: account.id, now: now)
        }
        if prepared.isTest {
            stats.testEventsReceived += prepared.received
        } else {
            stats.eventsReceived += prepared.received
        }
        return .json(200, prepared.response)
    }

    /// Everything about an events request that does not depend on the sandbox's state, worked out
    /// before the state lock is taken: request-level errors, each event's verdict and the answer.
    struct PreparedEvents: Sendable {
        struct Accepted: Sendable {
            var name: String
            var id: String
            var actionSource: String
        }
        var isTest: Bool
        var received: Int
        var accepted: [Accepted]
        var response: JSONValue
    }

    static func prepareEvents(query: QueryParameters, json: JSONValue?, now: Int64) -> Result<PreparedEvents, APIError> {
        let isTest: Bool
        do { isTest = try query.boolean("test") ?? false } catch {
            return .failure(invalidEventsRequest(error.detail))
        }
        guard let body = json?.objectValue else {
            return .failure(invalidEventsRequest("The body must be a JSON object {\"data\": [...]}."))
        }
        if let extra = body.keys.first(where: { $0 != "data" }) {
            return .failure(invalidEventsRequest("Additional properties are not allowed ('\(extra)' was unexpected)."))
        }
        guard let events = body["data"]?.arrayValue else {
            return .failure(invalidEventsRequest("'data' is a required array of events."))
        }
        guard !events.isEmpty else { return .failure(invalidEventsRequest("'data' must hold at least 1 event.")) }
        guard events.count <= 1000 else {
            return .failure(invalidEventsRequest("'data' holds \(events.count) events; at most 1000 are allowed."))
        }
        for (index, event) in events.enumerated() {
            if let problem = forbiddenProperty(in: event) {
                return .failure(invalidEventsRequest("data[\(index)]: \(problem)"))
            }
        }
        var statuses: [JSONValue] = []
        statuses.reserveCapacity(events.count)
        var accepted: [PreparedEvents.Accepted] = []
        for event in events {
            switch validateEvent(event, now: now) {
            case .failure(let message):
                statuses.append(["status": "failed", "error_message": .string(message), "warning_message": .null])
            case .success(let (name, id, source, warning)):
                accepted.append(PreparedEvents.Accepted(name: name, id: id, actionSource: source))
                statuses.append(["status": "processed", "error_message": .null, "warning_message": JSONValue(warning)])
            }
        }
        let response: JSONValue = [
            "num_events_received": JSONValue(events.count),
            "num_events_processed": JSONValue(accepted.count),
            "events": .array(statuses),
        ]
        return .success(PreparedEvents(isTest: isTest, received: events.count, accepted: accepted, response: response))
    }

    /// Counts a processed event as new or as a duplicate of one seen in the last 48 sandbox hours.
    /// Offline events are never deduplicated (the spec: "events that took place offline cannot be
    /// deduplicated").
    mutating func record(event name: String, id: String, actionSource: String, account: String, now: Int64) {
        guard actionSource != "offline" else {
            stats.eventsProcessed += 1
            return
        }
        let key = account + "\u{1F}" + name + "\u{1F}" + id
        if let seen = eventSightings[key], now - seen < SandboxState.deduplicationWindow {
            stats.eventsDeduplicated += 1
        } else {
            eventSightings[key] = now
            stats.eventsProcessed += 1
        }
    }

    /// A property the schema forbids (`additionalProperties: false`), if any.
    static func forbiddenProperty(in event: JSONValue) -> String? {
        guard let object = event.objectValue else { return nil }
        func unexpected(_ object: JSONObject, _ allowed: Set<String>, _ path: String) -> String? {
            object.keys.first { !allowed.contains($0) }.map {
                "Additional properties are not allowed ('\($0)' was unexpected\(path.isEmpty ? "" : " in \(path)"))."
            }
        }
        if let problem = unexpected(object, eventKeys, "") { return problem }
        if let custom = object["custom_data"]?.objectValue {
            if let problem = unexpected(custom, customDataKeys, "custom_data") { return problem }
            for (index, content) in (custom["contents"]?.arrayValue ?? []).enumerated() {
                if let item = content.objectValue,
                    let problem = unexpected(item, contentKeys, "custom_data.contents[\(index)]")
                {
                    return problem
                }
            }
        }
        if let info = object["app_info"]?.objectValue, let problem = unexpected(info, appInfoKeys, "app_info") {
            return problem
        }
        if let info = object["device_info"]?.objectValue, let problem = unexpected(info, deviceInfoKeys, "device_info") {
            return problem
        }
        return nil
    }

    enum EventVerdict: Sendable {
        case success((name: String, id: String, actionSource: String, warning: String?))
        case failure(String)
    }

    static func validateEvent(_ value: JSONValue, now: Int64) -> EventVerdict {
        guard let event = value.objectValue else { return .failure("Each event must be a JSON object.") }
        guard let name = event["event_name"]?.stringValue else {
            return .failure("event_name is required and must be a string.")
        }
        guard SandboxState.eventNames.contains(name) else {
            return .failure(
                "event_name '\(name)' is not accepted; use one of \(SandboxState.eventNames.sorted().joined(separator: ", ")).")
        }
        guard let source = event["action_source"]?.stringValue, SandboxState.actionSources.contains(source) else {
            return .failure("action_source is required and must be one of app_android, app_ios, web, offline.")
        }
        guard let time = event["event_time"]?.intValue else {
            return .failure("event_time is required and must be an integer (Unix seconds).")
        }
        guard time <= now + 3600 else {
            return .failure("event_time is in the future; it must be Unix seconds, not milliseconds.")
        }
        guard let id = event["event_id"]?.stringValue, !id.isEmpty else {
            return .failure("event_id is required and must be a non-empty string.")
        }
        guard let userData = event["user_data"]?.objectValue else {
            return .failure("user_data is required and must be an object.")
        }
        var warnings: [String] = []
        for entry in userData.pairs {
            let (key, field) = (entry.key, entry.value)
            if SandboxState.hashedUserDataKeys.contains(key) {
                guard let array = field.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                    return .failure("user_data.\(key) must be an array of strings.")
                }
                for entry in array {
                    guard let hash = entry.stringValue, hash.utf8.count == 64, SandboxState.isLowercaseHex(hash) else {
                        return .failure(
                            "user_data.\(key) values must be SHA-256 hashes: 64 lowercase hex characters.")
                    }
                }
            } else if SandboxState.plainUserDataKeys.contains(key) {
                let nullable = key == "click_id" || key == "partner_id"
                if field.isNull, nullable { continue }
                guard field.stringValue != nil else { return .failure("user_data.\(key) must be a string.") }
            } else {
                warnings.append("user_data.\(key) is not a standard field and was ignored.")
            }
        }
        let hasEmail = !(userData["em"]?.arrayValue ?? []).isEmpty
        let hasMAIDs = !(userData["hashed_maids"]?.arrayValue ?? []).isEmpty
        let hasIPAndAgent =
            !(userData["client_ip_address"]?.stringValue ?? "").isEmpty
            && !(userData["client_user_agent"]?.stringValue ?? "").isEmpty
        guard hasEmail || hasMAIDs || hasIPAndAgent else {
            return .failure("user_data needs em, hashed_maids, or client_ip_address together with client_user_agent.")
        }
        if let problem = SandboxState.eventFieldProblem(event) { return .failure(problem) }
        return .success((name, id, source, warnings.isEmpty ? nil : warnings.joined(separator: " ")))
    }

    /// Types of the optional event fields and of `custom_data`.
    static let optionalEventStrings = [
        "event_source_url", "partner_name", "language", "app_id", "app_name", "app_version", "device_brand",
        "device_carrier", "device_model", "device_type", "os_version",
    ]
    static let customDataStrings = [
        "currency", "value", "order_id", "content_name", "content_category", "content_brand", "search_string",
        "predicted_ltv", "opt_out_type", "np", "external_measurement_id",
    ]

    static func eventFieldProblem(_ event: JSONObject) -> String? {
        for key in optionalEventStrings {
            if let value = event[key], !value.isNull, value.stringValue == nil { return "\(key) must be a string." }
        }
        for key in ["opt_out", "wifi"] {
            if let value = event[key], value.boolValue == nil { return "\(key) must be a boolean." }
        }
        for key in ["app_info", "device_info"] {
            if let value = event[key], value.objectValue == nil { return "\(key) must be an object." }
        }
        if let partner = event["partner_name"]?.stringValue, !(partner.hasPrefix("ss-") && partner == partner.lowercased()) {
            return "partner_name must look like \"ss-<partner>\" in lowercase."
        }
        guard let customValue = event["custom_data"] else { return nil }
        guard let custom = customValue.objectValue else { return "custom_data must be an object." }
        for key in customDataStrings {
            if let value = custom[key], !value.isNull, value.stringValue == nil {
                return "custom_data.\(key) must be a string."
            }
        }
        if let value = custom["value"]?.stringValue, Double(value) == nil {
            return "custom_data.value must be a string holding a number, e.g. \"12.50\"."
        }
        if let value = custom["num_items"], value.intValue == nil { return "custom_data.num_items must be an integer." }
        if let value = custom["external_measurement_vendor_id"], !value.isNull, value.intValue == nil {
            return "custom_data.external_measurement_vendor_id must be an integer."
        }
        if let value = custom["content_ids"] {
            guard let ids = value.arrayValue, ids.allSatisfy({ $0.stringValue != nil }) else {
                return "custom_data.content_ids must be an array of strings."
            }
        }
        if let value = custom["contents"] {
            guard let contents = value.arrayValue else { return "custom_data.contents must be an array." }
            for content in contents {
                guard let item = content.objectValue else { return "custom_data.contents items must be objects." }
                for key in ["id", "item_price", "item_name", "item_category", "item_brand"] {
                    if let value = item[key], value.stringValue == nil {
                        return "custom_data.contents[].\(key) must be a string."
                    }
                }
                if let value = item["quantity"], value.intValue == nil {
                    return "custom_data.contents[].quantity must be an integer."
                }
            }
        }
        return nil
    }
}
