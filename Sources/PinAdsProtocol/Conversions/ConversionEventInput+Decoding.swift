import Foundation
import PinAdsJSON

/// What is wrong with one event as read: the field's path within the event and the reason.
struct EventProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension ConversionEventInput {
    /// Fields of the event itself, the same in both shapes.
    static let eventFields: Set<String> = [
        "event_name", "event_id", "event_time", "action_source", "event_source_url", "opt_out", "partner_name", "language", "app_id",
        "app_name", "app_version", "device_brand", "device_carrier", "device_model", "device_type", "os_version", "wifi", "app_info",
        "device_info",
    ]
    /// Pinterest's `user_data` fields (in its shape, inside `user_data`; in the flat shape, beside
    /// pinads' own `email`, `emails`, `phone` and `phones`).
    static let userDataFields: Set<String> = [
        "em", "hashed_maids", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id", "client_ip_address",
        "client_user_agent", "click_id", "partner_id",
    ]
    static let flatOnlyUserFields: Set<String> = ["email", "emails", "phone", "phones"]
    /// Pinterest's `custom_data` fields.
    static let customDataFields: Set<String> = [
        "currency", "value", "content_ids", "contents", "num_items", "order_id", "content_name", "content_category", "content_brand",
        "search_string", "predicted_ltv", "opt_out_type", "np", "external_measurement_id", "external_measurement_vendor_id",
    ]

    public init(from decoder: any Decoder) throws {
        self.init(eventName: "", eventId: "")
        do {
            try read(decoder)
        } catch let problem as EventProblem {
            self.problem = problem.message
            unread = try? decoder.singleValueContainer().decode(JSONValue.self)
        } catch {
            self.problem = "event: could not be read (\(error))"
            unread = try? decoder.singleValueContainer().decode(JSONValue.self)
        }
    }

    private mutating func read(_ decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: FieldKey.self) else {
            let got = (try? decoder.singleValueContainer().decode(JSONValue.self))?.typeName ?? "something else"
            throw EventProblem("event: expected an object, got \(got)")
        }
        let fields = EventFields(container: container, path: "")
        let nested = container.allKeys.contains { $0.stringValue == "user_data" || $0.stringValue == "custom_data" }
        for key in container.allKeys {
            let name = key.stringValue
            if Self.eventFields.contains(name) || (nested && (name == "user_data" || name == "custom_data")) { continue }
            if Self.userDataFields.contains(name) || Self.flatOnlyUserFields.contains(name) || Self.customDataFields.contains(name) {
                if nested {
                    throw EventProblem(
                        "\(name): the event mixes two shapes: '\(name)' is a field of pinads' flat shape, and the event also has Pinterest's "
                            + "user_data or custom_data; write it all one way (in Pinterest's shape, '\(name)' goes inside \(Self.customDataFields.contains(name) ? "custom_data" : "user_data"))")
                }
                continue
            }
            throw EventProblem("\(name.prefix(64)): unknown field (not a field of a conversion event; protocol/methods.md lists them, conversions.send)")
        }
        try readEvent(fields)
        if nested {
            if let user = try fields.object("user_data") {
                try user.allowOnly(Self.userDataFields)
                try readUser(user)
            }
            if let custom = try fields.object("custom_data") {
                try custom.allowOnly(Self.customDataFields)
                try readCustom(custom)
            }
        } else {
            email = try fields.string("email")
            emails = try fields.strings("emails")
            phone = try fields.string("phone")
            phones = try fields.strings("phones")
            try readUser(fields)
            try readCustom(fields)
        }
    }

    private mutating func readEvent(_ fields: EventFields) throws {
        guard let name = try fields.string("event_name") else { throw EventProblem("event_name: missing (one of Pinterest's 15 names, e.g. checkout)") }
        guard let id = try fields.string("event_id") else {
            throw EventProblem("event_id: missing (each event needs its own id, e.g. the order number: Pinterest deduplicates on it)")
        }
        eventName = name
        eventId = id
        eventTime = try fields.integer("event_time")
        actionSource = try fields.string("action_source")
        eventSourceUrl = try fields.string("event_source_url")
        optOut = try fields.boolean("opt_out")
        partnerName = try fields.string("partner_name")
        language = try fields.string("language")
        appId = try fields.string("app_id")
        appName = try fields.string("app_name")
        appVersion = try fields.string("app_version")
        deviceBrand = try fields.string("device_brand")
        deviceCarrier = try fields.string("device_carrier")
        deviceModel = try fields.string("device_model")
        deviceType = try fields.string("device_type")
        osVersion = try fields.string("os_version")
        wifi = try fields.boolean("wifi")
        appInfo = try fields.jsonObject("app_info")
        deviceInfo = try fields.jsonObject("device_info")
    }

    /// Pinterest's `user_data` names: in its `user_data` object, or flat beside the event's own.
    private mutating func readUser(_ fields: EventFields) throws {
        if let em = try fields.strings("em") { emails = (emails ?? []) + em }
        if let ph = try fields.strings("ph") { phones = (phones ?? []) + ph }
        hashedMaids = try fields.strings("hashed_maids")
        externalId = try fields.oneOrMore("external_id")
        fn = try fields.oneOrMore("fn")
        ln = try fields.oneOrMore("ln")
        ge = try fields.oneOrMore("ge")
        db = try fields.oneOrMore("db")
        ct = try fields.oneOrMore("ct")
        st = try fields.oneOrMore("st")
        zp = try fields.oneOrMore("zp")
        country = try fields.oneOrMore("country")
        clientIpAddress = try fields.string("client_ip_address")
        clientUserAgent = try fields.string("client_user_agent")
        clickId = try fields.string("click_id")
        partnerId = try fields.string("partner_id")
    }

    private mutating func readCustom(_ fields: EventFields) throws {
        value = try fields.amount("value")
        currency = try fields.string("currency")
        orderId = try fields.string("order_id")
        contentIds = try fields.strings("content_ids")
        numItems = try fields.integer("num_items")
        contentName = try fields.string("content_name")
        contentCategory = try fields.string("content_category")
        contentBrand = try fields.string("content_brand")
        searchString = try fields.string("search_string")
        predictedLtv = try fields.amount("predicted_ltv")
        optOutType = try fields.string("opt_out_type")
        np = try fields.string("np")
        externalMeasurementId = try fields.string("external_measurement_id")
        externalMeasurementVendorId = try fields.integer("external_measurement_vendor_id")
        if let items = try fields.array("contents") {
            var products: [ConversionContentInput] = []
            for index in 0..<items.count {
                let item = try items.object(at: index, path: "\(fields.path)contents[\(index)]")
                try item.allowOnly(Set(ConversionContentInput.CodingKeys.allCases.map(\.rawValue)))
                products.append(
                    ConversionContentInput(
                        id: try item.string("id"), itemPrice: try item.amount("item_price"), quantity: try item.integer("quantity"),
                        itemName: try item.string("item_name"), itemCategory: try item.string("item_category"),
                        itemBrand: try item.string("item_brand")))
            }
            contents = products
        }
    }
}

/// Any field name.
struct FieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The fields of one JSON object of an event, read by name; a wrong type is an `EventProblem`
/// naming the field's path and what it holds. `null` is the same as absent.
struct EventFields {
    let container: KeyedDecodingContainer<FieldKey>
    /// The object's path within the event, with a trailing dot (`user_data.`), or empty.
    let path: String

    private func read<T: Decodable>(_ name: String, as type: T.Type, _ expected: String) throws -> T? {
        let key = FieldKey(name)
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else { return nil }
        if let value = try? container.decode(T.self, forKey: key) { return value }
        let got = (try? container.decode(JSONValue.self, forKey: key))?.typeName ?? "something else"
        throw EventProblem("\(path)\(name): expected \(expected), got \(got)")
    }

    func string(_ name: String) throws -> String? { try read(name, as: String.self, "a string") }
    func boolean(_ name: String) throws -> Bool? { try read(name, as: Bool.self, "true or false") }
    func integer(_ name: String) throws -> Int64? { try read(name, as: Int64.self, "an integer") }
    func json(_ name: String) throws -> JSONValue? { try read(name, as: JSONValue.self, "a JSON value") }
    func amount(_ name: String) throws -> DecimalAmount? {
        try read(name, as: DecimalAmount.self, "a decimal amount (a number such as 49.99 or a string such as \"49.99\")")
    }

    /// A string or a list of strings.
    func strings(_ name: String) throws -> [String]? { try oneOrMore(name)?.values }

    func oneOrMore(_ name: String) throws -> OneOrMore? {
        let key = FieldKey(name)
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else { return nil }
        if let one = try? container.decode(String.self, forKey: key) { return OneOrMore(one) }
        return try read(name, as: [String].self, "a string or a list of strings").map { OneOrMore($0) }
    }

    func object(_ name: String) throws -> EventFields? {
        let key = FieldKey(name)
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else { return nil }
        guard let nested = try? container.nestedContainer(keyedBy: FieldKey.self, forKey: key) else {
            let got = (try? container.decode(JSONValue.self, forKey: key))?.typeName ?? "something else"
            throw EventProblem("\(path)\(name): expected an object, got \(got)")
        }
        return EventFields(container: nested, path: "\(path)\(name).")
    }

    /// An object kept as JSON (`app_info`, `device_info`).
    func jsonObject(_ name: String) throws -> JSONValue? {
        guard let value = try json(name) else { return nil }
        guard value.objectValue != nil else { throw EventProblem("\(path)\(name): expected an object, got \(value.typeName)") }
        return value
    }

    func array(_ name: String) throws -> EventItems? {
        let key = FieldKey(name)
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else { return nil }
        guard var items = try? container.nestedUnkeyedContainer(forKey: key) else {
            let got = (try? container.decode(JSONValue.self, forKey: key))?.typeName ?? "something else"
            throw EventProblem("\(path)\(name): expected a list, got \(got)")
        }
        var objects: [KeyedDecodingContainer<FieldKey>?] = []
        while !items.isAtEnd {
            if let object = try? items.nestedContainer(keyedBy: FieldKey.self) {
                objects.append(object)
            } else if (try? items.decode(JSONValue.self)) != nil {
                objects.append(nil)
            } else {
                // Neither an object nor any JSON value this reader takes: the container did not
                // move on, so stop here rather than look at the same element again.
                throw EventProblem("\(path)\(name)[\(objects.count)]: expected an object")
            }
        }
        return EventItems(objects: objects)
    }

    /// Refuses a field not in `allowed` (Pinterest's `additionalProperties: false`).
    func allowOnly(_ allowed: Set<String>) throws {
        if let extra = container.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw EventProblem("\(path)\(extra.stringValue.prefix(64)): unknown field (not one of Pinterest's \(path.dropLast()) fields)")
        }
    }
}

/// The elements of a list of objects (`contents`).
struct EventItems {
    let objects: [KeyedDecodingContainer<FieldKey>?]
    var count: Int { objects.count }

    func object(at index: Int, path: String) throws -> EventFields {
        guard let object = objects[index] else { throw EventProblem("\(path): expected an object") }
        return EventFields(container: object, path: "\(path).")
    }
}
