extension SandboxState {
    /// Pinterest keeps the first of two events with the same event_id and event_name for 48 hours.
    static let deduplicationWindow: Int64 = 48 * 3600

    static func invalidEventsRequest(_ detail: String) -> APIError {
        APIError(status: 400, code: 4196, message: "The request was invalid. \(detail)")
    }

    /// `POST /v5/ad_accounts/{id}/events[?test=true]`: `{data: [1...1000 events]}`.
    ///
    /// The request as a whole is a 400 (code 4196) when its shape is wrong: not an object, `data`
    /// missing or not 1–1000 entries, or a property the schema forbids (`additionalProperties:
    /// false` on the body, each event, `custom_data`, `contents[]`, `app_info`, `device_info`; the
    /// message names where, e.g. `data[2].custom_data: Additional properties are not allowed
    /// ('colour' was unexpected).`). `user_data` is open in the schema: an unknown field there earns
    /// a warning on its event, nothing more.
    ///
    /// Otherwise it is a 200 with one status per event, in request order. Each event is checked
    /// alone against ``EventSchema/event`` (every field's JSON type, nullability, maxLength, bounds
    /// and enums; event_name among the 15, action_source among the 4; `value` and `item_price`
    /// non-negative decimal strings, `predicted_ltv` a decimal string; hashed `user_data` fields
    /// arrays of 64-lowercase-hex strings; then one of em / hashed_maids / ip + user agent): the
    /// first problem fails the event, with an `error_message` naming the field's path, e.g.
    /// `data[3].custom_data.value must be a string holding a non-negative decimal number …`.
    mutating func eventsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let now = now
        var prepared = try (call.preparedEvents ?? SandboxState.prepareEvents(query: call.query, json: call.json, now: now))
            .get()
        if !prepared.isTest { refuseAsAsked(&prepared) }
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

    /// Events that passed every check fail, in order, while refusals asked for by
    /// `POST /_sandbox/events/refuse` remain: not recorded, answered `failed` with its message.
    private mutating func refuseAsAsked(_ prepared: inout PreparedEvents) {
        guard let refusal = eventRefusals, case .array(var statuses)? = prepared.response["events"] else { return }
        var remaining = refusal.remaining
        var kept: [PreparedEvents.Accepted] = []
        var processed = 0
        for (index, status) in statuses.enumerated() where status["status"] == "processed" {
            defer { processed += 1 }
            guard remaining > 0 else {
                kept.append(prepared.accepted[processed])
                continue
            }
            remaining -= 1
            statuses[index] = ["status": "failed", "error_message": .string(refusal.message), "warning_message": .null]
        }
        eventRefusals = remaining > 0 ? (remaining, refusal.message) : nil
        prepared.accepted = kept
        prepared.response = [
            "num_events_received": JSONValue(prepared.received), "num_events_processed": JSONValue(kept.count), "events": .array(statuses),
        ]
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
            if let object = event.objectValue, let problem = EventSchema.event.forbiddenProperty(in: object) {
                return .failure(invalidEventsRequest("\(problem.location(under: "data[\(index)]")): \(problem.message)"))
            }
        }
        var statuses: [JSONValue] = []
        statuses.reserveCapacity(events.count)
        var accepted: [PreparedEvents.Accepted] = []
        for (index, event) in events.enumerated() {
            switch validateEvent(event, at: "data[\(index)]", now: now) {
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

    enum EventVerdict: Sendable {
        case success((name: String, id: String, actionSource: String, warning: String?))
        case failure(String)
    }

    /// One event against ``EventSchema/event``: the first type or value problem fails it (the
    /// message names the field's path, e.g. `data[3].custom_data.value`); then `user_data` must
    /// identify someone (the schema's `anyOf`), and `event_time` must not be in the future.
    /// Unknown `user_data` fields (that object is open in the schema) earn a warning.
    static func validateEvent(_ value: JSONValue, at root: String, now: Int64) -> EventVerdict {
        guard let event = value.objectValue else {
            return .failure("\(root) must be an object, not \(value.typeName).")
        }
        if let problem = EventSchema.event.problem(in: event) { return .failure(problem.described(under: root)) }
        guard case .string(let name)? = event["event_name"], case .string(let source)? = event["action_source"],
            case .int(let time)? = event["event_time"], case .string(let id)? = event["event_id"],
            case .object(let userData)? = event["user_data"]
        else {
            return .failure("\(root) lacks a required field.")
        }
        func nonEmpty(_ key: String) -> Bool {
            switch userData[key] {
            case .array(let items)?: !items.isEmpty
            case .string(let text)?: !text.isEmpty
            default: false
            }
        }
        guard nonEmpty("em") || nonEmpty("hashed_maids") || (nonEmpty("client_ip_address") && nonEmpty("client_user_agent"))
        else {
            return .failure(
                "\(root).user_data needs em, hashed_maids, or client_ip_address together with client_user_agent.")
        }
        guard time <= now + 3600 else {
            return .failure("\(root).event_time is in the future; it must be Unix seconds, not milliseconds.")
        }
        let warnings = userData.keys.filter { !EventSchema.userData.names.contains($0) }.map {
            "\(root).user_data.\($0) is not a standard field and was ignored."
        }
        return .success((name, id, source, warnings.isEmpty ? nil : warnings.joined(separator: " ")))
    }
}
