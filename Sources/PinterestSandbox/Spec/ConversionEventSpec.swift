/// The schema of one conversion event as openapi.yaml (v5.23.0) gives it: `ConversionEvents`'s
/// `data[]` item, `ConversionEventsUserDataProperties`, `ConversionEventAppInfo` and
/// `ConversionEventDeviceInfo`, with the few rules their descriptions add (the 15 event names,
/// the 4 action sources, `partner_name` as `ss-…` in lowercase, the money strings parsed as
/// decimals, hashed identifiers as SHA-256 hex).
///
/// ``EventSchema/problem(in:)`` reads an event against it; ``EventSchema/forbiddenProperty(in:)``
/// finds the `additionalProperties: false` violations that fail the whole request.

/// What one field must be.
indirect enum EventField: Sendable {
    /// A JSON string; null only when `nullable`; `maxLength` in Unicode code points.
    case string(StringFormat = .any, nullable: Bool = false, maxLength: Int? = nil)
    /// A JSON boolean (never null: no boolean field of the schema is nullable).
    case boolean
    /// A JSON integer written without fraction or exponent.
    case integer(nullable: Bool = false, range: ClosedRange<Int64>? = nil)
    /// A JSON array whose items are `element`.
    case array(EventField, maxItems: Int? = nil)
    /// A JSON object.
    case object(EventSchema)
}

/// Rules on a string's content beyond its type.
enum StringFormat: Sendable {
    case any
    /// At least one character.
    case nonEmpty
    /// One of the listed values.
    case oneOf([String])
    /// A decimal number, digits with an optional fraction (`12`, `12.50`), a leading `-` only
    /// when negatives are allowed: the money strings Pinterest "parses into a double".
    case decimal(allowsNegative: Bool)
    /// 64 lowercase hex digits (a SHA-256 digest).
    case sha256Hex
    /// `ss-<partner>`, in lowercase.
    case partnerName
}

/// An object's fields, in the order they are checked, which ones are required, and whether
/// other properties are forbidden (`additionalProperties: false`).
struct EventSchema: Sendable {
    var fields: [(name: String, field: EventField)]
    var required: [String]
    /// `additionalProperties: false`.
    var closed: Bool
    let names: Set<String>

    init(_ fields: [(name: String, field: EventField)], required: [String] = [], closed: Bool) {
        self.fields = fields
        self.required = required
        self.closed = closed
        names = Set(fields.map(\.name))
    }

    func field(_ name: String) -> EventField? { fields.first { $0.name == name }?.field }
}

extension EventSchema {
    /// The documented `event_name` values; the schema has no enum, but "otherwise the event will
    /// not be accepted".
    static let eventNames = [
        "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "checkout", "custom",
        "initiate_checkout", "lead", "page_visit", "search", "signup", "subscribe", "view_category", "view_content",
        "watch_video",
    ]
    static let actionSources = ["app_android", "app_ios", "web", "offline"]

    /// `user_data` fields that hold arrays of SHA-256 hex digests.
    static let hashedUserDataFields = [
        "em", "hashed_maids", "ph", "ge", "db", "ln", "fn", "ct", "st", "zp", "country", "external_id",
    ]

    /// `ConversionEventsUserDataProperties`: open (the schema does not say
    /// `additionalProperties: false`), so an unknown field only earns a warning.
    static let userData = EventSchema(
        plainUserDataFields + hashedUserDataFields.map { (name: $0, field: EventField.array(.string(.sha256Hex))) },
        closed: false)

    /// `user_data` fields sent as they are, not hashed.
    static let plainUserDataFields: [(name: String, field: EventField)] = [
        ("click_id", .string(nullable: true)),
        ("client_ip_address", .string()),
        ("client_user_agent", .string()),
        ("partner_id", .string(nullable: true)),
    ]

    /// `ConversionEventAppInfo`.
    static let appInfo = EventSchema(
        [
            ("app_id", .string(maxLength: 200)),
            ("app_name", .string(maxLength: 200)),
            ("app_package_name", .string(maxLength: 200)),
            ("app_store", .string(maxLength: 100)),
            ("app_version", .string(maxLength: 100)),
            ("install_time", .integer(range: 0...Int64.max)),
            ("user_agent", .string(maxLength: 16384)),
            ("window_height", .integer(range: 0...30720)),
            ("window_width", .integer(range: 0...30720)),
        ],
        closed: true)

    /// `ConversionEventDeviceInfo`.
    static let deviceInfo = EventSchema(
        [
            ("battery_level", .integer(range: 0...100)),
            ("brand", .string(maxLength: 100)),
            ("carrier", .string(maxLength: 100)),
            ("cpu_cores", .integer(range: 0...1152)),
            ("external_storage_free_space", .integer(range: 0...1_048_576)),
            ("external_storage_size", .integer(range: 0...1_048_576)),
            (
                "form_factor",
                .string(.oneOf(["desktop", "laptop", "cellphone", "tablet", "smartwatch", "tv", "vr", "console", "other"]))
            ),
            ("kernel_version", .string(maxLength: 100)),
            ("languages", .array(.string(), maxItems: 100)),
            ("locale", .string(maxLength: 35)),
            ("model", .string(maxLength: 100)),
            (
                "network_type",
                .string(
                    .oneOf([
                        "wifi", "cellular_2g", "cellular_3g", "cellular_4g", "cellular_5g", "cellular_6g", "ethernet",
                        "unknown",
                    ]))
            ),
            ("os_family", .string(.oneOf(["ios", "android", "macos", "windows", "linux", "bsd", "other"]))),
            ("os_name", .string(maxLength: 100)),
            ("os_release_name", .string(maxLength: 100)),
            ("os_version", .string(maxLength: 100)),
            ("screen_density", .integer(range: 0...100_000)),
            ("screen_height", .integer(range: 0...30720)),
            ("screen_width", .integer(range: 0...30720)),
            ("storage_free_space", .integer(range: 0...1_048_576)),
            ("storage_size", .integer(range: 0...1_048_576)),
            ("timezone", .string(maxLength: 40)),
            ("timezone_abbr", .string(maxLength: 5)),
            ("type", .string(maxLength: 100)),
        ],
        closed: true)

    /// `custom_data.contents[]`.
    static let content = EventSchema(
        [
            ("id", .string()),
            ("item_price", .string(.decimal(allowsNegative: false))),
            ("quantity", .integer()),
            ("item_name", .string()),
            ("item_category", .string()),
            ("item_brand", .string()),
        ],
        closed: true)

    /// `custom_data`.
    static let customData = EventSchema(
        [
            ("currency", .string(nullable: true)),
            ("value", .string(.decimal(allowsNegative: false), nullable: true)),
            ("content_ids", .array(.string())),
            ("contents", .array(.object(content))),
            ("num_items", .integer()),
            ("order_id", .string(nullable: true)),
            ("content_name", .string(nullable: true)),
            ("content_category", .string(nullable: true)),
            ("content_brand", .string(nullable: true)),
            ("search_string", .string(nullable: true)),
            ("predicted_ltv", .string(.decimal(allowsNegative: true), nullable: true)),
            ("opt_out_type", .string(nullable: true)),
            ("np", .string(nullable: true)),
            ("external_measurement_id", .string(nullable: true)),
            ("external_measurement_vendor_id", .integer(nullable: true)),
        ],
        closed: true)

    /// One item of `ConversionEvents.data`.
    static let event = EventSchema(
        [
            ("event_name", .string(.oneOf(eventNames))),
            ("action_source", .string(.oneOf(actionSources))),
            ("event_time", .integer()),
            ("event_id", .string(.nonEmpty)),
            ("user_data", .object(userData)),
            ("event_source_url", .string(nullable: true)),
            ("opt_out", .boolean),
            ("partner_name", .string(.partnerName, nullable: true)),
            ("language", .string(nullable: true)),
            ("app_id", .string(nullable: true)),
            ("app_name", .string(nullable: true)),
            ("app_version", .string(nullable: true)),
            ("device_brand", .string(nullable: true)),
            ("device_carrier", .string(nullable: true)),
            ("device_model", .string(nullable: true)),
            ("device_type", .string(nullable: true)),
            ("os_version", .string(nullable: true)),
            ("wifi", .boolean),
            ("app_info", .object(appInfo)),
            ("device_info", .object(deviceInfo)),
            ("custom_data", .object(customData)),
        ],
        required: ["event_name", "action_source", "event_time", "event_id", "user_data"],
        closed: true)
}
