/// Conversion events written as JSON by hand: the acceptance hot path encodes every event once,
/// and Foundation's encoder costs several times more. The output decodes to the same value as
/// `JSONEncoder` would give (a test holds them equal).
extension ConversionEvent {
    public var json: String {
        var out = JSONText()
        out.open()
        out.field("event_name", eventName)
        out.field("action_source", actionSource)
        out.field("event_time", eventTime)
        out.field("event_id", eventID)
        if let eventSourceURL { out.field("event_source_url", eventSourceURL) }
        if let optOut { out.key("opt_out"); out.raw(optOut ? "true" : "false") }
        out.key("user_data")
        out.open()
        if let em = userData.em { out.field("em", em) }
        if let maids = userData.hashedMaids { out.field("hashed_maids", maids) }
        if let ph = userData.ph { out.field("ph", ph) }
        if let external = userData.externalID { out.field("external_id", external) }
        if let ip = userData.clientIPAddress { out.field("client_ip_address", ip) }
        if let agent = userData.clientUserAgent { out.field("client_user_agent", agent) }
        out.close()
        if let custom = customData {
            out.key("custom_data")
            out.open()
            if let currency = custom.currency { out.field("currency", currency) }
            if let value = custom.value { out.field("value", value) }
            if let ids = custom.contentIDs { out.field("content_ids", ids) }
            if let items = custom.numItems { out.field("num_items", items) }
            if let order = custom.orderID { out.field("order_id", order) }
            if let contents = custom.contents {
                out.key("contents")
                out.openArray()
                for content in contents {
                    out.open()
                    if let id = content.id { out.field("id", id) }
                    if let price = content.itemPrice { out.field("item_price", price) }
                    if let quantity = content.quantity { out.field("quantity", quantity) }
                    if let name = content.itemName { out.field("item_name", name) }
                    if let category = content.itemCategory { out.field("item_category", category) }
                    if let brand = content.itemBrand { out.field("item_brand", brand) }
                    out.close()
                }
                out.closeArray()
            }
            out.close()
        }
        out.close()
        return out.text
    }
}

/// A small JSON writer: objects, string and integer fields, arrays of strings or objects.
struct JSONText {
    private(set) var text = ""
    private var needsComma = false

    init() { text.reserveCapacity(320) }

    /// An object: a field's value (after `key`), or the next element of an array.
    mutating func open() {
        if needsComma { text += "," }
        text += "{"
        needsComma = false
    }

    mutating func close() {
        text += "}"
        needsComma = true
    }

    /// An array of objects: each `open()` after this one is an element.
    mutating func openArray() {
        text += "["
        needsComma = false
    }

    mutating func closeArray() {
        text += "]"
        needsComma = true
    }

    mutating func key(_ name: String) {
        if needsComma { text += "," }
        text += "\""
        text += name
        text += "\":"
        needsComma = false
    }

    mutating func raw(_ value: String) {
        text += value
        needsComma = true
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Int64) {
        key(name)
        raw(String(value))
    }

    mutating func field(_ name: String, _ values: [String]) {
        key(name)
        text += "["
        for (i, value) in values.enumerated() {
            if i > 0 { text += "," }
            string(value)
        }
        text += "]"
        needsComma = true
    }

    private mutating func string(_ value: String) {
        text += "\""
        // Only quotes, backslashes and control characters need escaping.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        text += "\""
    }
}
