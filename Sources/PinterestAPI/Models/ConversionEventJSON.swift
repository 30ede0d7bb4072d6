import PinAdsJSON

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
        out.field("event_source_url", eventSourceURL)
        out.field("opt_out", optOut)
        out.field("partner_name", partnerName)
        out.field("language", language)
        out.field("app_id", appID)
        out.field("app_name", appName)
        out.field("app_version", appVersion)
        out.field("device_brand", deviceBrand)
        out.field("device_carrier", deviceCarrier)
        out.field("device_model", deviceModel)
        out.field("device_type", deviceType)
        out.field("os_version", osVersion)
        out.field("wifi", wifi)
        if let appInfo { out.key("app_info"); out.value(appInfo) }
        if let deviceInfo { out.key("device_info"); out.value(deviceInfo) }
        out.key("user_data")
        userData.write(to: &out)
        if let customData {
            out.key("custom_data")
            customData.write(to: &out)
        }
        out.close()
        return out.text
    }
}

extension ConversionEvent.UserData {
    func write(to out: inout JSONText) {
        out.open()
        out.field("em", em)
        out.field("hashed_maids", hashedMaids)
        out.field("ph", ph)
        out.field("fn", fn)
        out.field("ln", ln)
        out.field("ge", ge)
        out.field("db", db)
        out.field("ct", ct)
        out.field("st", st)
        out.field("zp", zp)
        out.field("country", country)
        out.field("external_id", externalID)
        out.field("client_ip_address", clientIPAddress)
        out.field("client_user_agent", clientUserAgent)
        out.field("click_id", clickID)
        out.field("partner_id", partnerID)
        out.close()
    }
}

extension ConversionEvent.CustomData {
    func write(to out: inout JSONText) {
        out.open()
        out.field("currency", currency)
        out.field("value", value)
        out.field("content_ids", contentIDs)
        out.field("num_items", numItems)
        out.field("order_id", orderID)
        if let contents {
            out.key("contents")
            out.openArray()
            for content in contents {
                out.open()
                out.field("id", content.id)
                out.field("item_price", content.itemPrice)
                out.field("quantity", content.quantity)
                out.field("item_name", content.itemName)
                out.field("item_category", content.itemCategory)
                out.field("item_brand", content.itemBrand)
                out.close()
            }
            out.closeArray()
        }
        out.field("content_name", contentName)
        out.field("content_category", contentCategory)
        out.field("content_brand", contentBrand)
        out.field("search_string", searchString)
        out.field("predicted_ltv", predictedLTV)
        out.field("opt_out_type", optOutType)
        out.field("np", np)
        out.field("external_measurement_id", externalMeasurementID)
        out.field("external_measurement_vendor_id", externalMeasurementVendorID)
        out.close()
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

    /// Optional fields: written only when present.
    mutating func field(_ name: String, _ value: String?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: String, _ value: Int64?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: String, _ values: [String]?) {
        if let values { field(name, values) }
    }

    mutating func field(_ name: String, _ value: Bool?) {
        if let value { key(name); raw(value ? "true" : "false") }
    }

    /// Any JSON value (an object given as is, such as `app_info`).
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): raw(String(i))
        case .double(let d): raw(d.isFinite ? "\(d)" : "null")
        case .string(let s):
            string(s)
            needsComma = true
        case .array(let items):
            text += "["
            for (i, item) in items.enumerated() {
                if i > 0 { text += "," }
                needsComma = false
                self.value(item)
            }
            text += "]"
            needsComma = true
        case .object(let object):
            text += "{"
            needsComma = false
            for (n, (name, item)) in object.sorted(by: { $0.key < $1.key }).enumerated() {
                if n > 0 { text += "," }
                string(name)
                text += ":"
                needsComma = false
                self.value(item)
            }
            text += "}"
            needsComma = true
        }
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
