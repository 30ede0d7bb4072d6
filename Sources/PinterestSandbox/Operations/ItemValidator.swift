/// Reads the fields of one bulk-create item (a campaign, ad group or ad) against the spec's
/// schema, collecting every problem instead of stopping at the first, so one per-item exception
/// can name them all.
struct ItemValidator {
    let item: JSONObject
    private(set) var problems: [String] = []

    init(_ item: JSONObject) { self.item = item }

    mutating func problem(_ text: String) { problems.append(text) }

    /// Refuses every key of the item that `schema` (named in the message) does not have.
    mutating func onlyKeys(_ allowed: Set<String>, schema: String) {
        for key in item.keys where !allowed.contains(key) {
            problem("\(key) is not a field of \(schema).")
        }
    }

    /// Takes the problems of a validator of a nested object, each prefixed with `prefix.` so that
    /// it names the field by its full path (`optimization_goal_metadata.frequency_goal_metadata.…`).
    mutating func absorb(_ nested: ItemValidator, prefix: String) {
        problems += nested.problems.map { "\(prefix).\($0)" }
    }

    /// A string of digits (`pattern: ^[0-9]+$`), e.g. micro-currency amounts the spec types as
    /// strings; an integer is refused like any other non-string.
    mutating func digitString(_ key: String, required: Bool = false, nullable: Bool = false) -> String? {
        guard let text = string(key, required: required, nullable: nullable) else { return nil }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            problem("\(key) must be a string of digits; got \"\(text)\".")
            return nil
        }
        return text
    }

    /// The value, or nil when absent or (for nullable fields) null. Non-nullable nulls are problems.
    private mutating func present(_ key: String, nullable: Bool) -> JSONValue? {
        guard let value = item[key] else { return nil }
        if value.isNull {
            if !nullable { problem("\(key) must not be null.") }
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required: Bool = false, nullable: Bool = false, maxLength: Int? = nil)
        -> String?
    {
        guard let value = present(key, nullable: nullable) else {
            if required { problem("\(key) is required.") }
            return nil
        }
        guard let text = value.stringValue else {
            problem("\(key) must be a string, not \(value.typeName).")
            return nil
        }
        if required, text.isEmpty {
            problem("\(key) must not be empty.")
            return nil
        }
        if let maxLength, text.count > maxLength {
            problem("\(key) must be at most \(maxLength) characters.")
            return nil
        }
        return text
    }

    /// A string id matching `^(prefix)?\d+$`; returns the digits.
    mutating func identifier(_ key: String, required: Bool = false, nullable: Bool = false, prefix: String = "")
        -> String?
    {
        guard let text = string(key, required: required, nullable: nullable) else { return nil }
        let digits = !prefix.isEmpty && text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            problem("\(key) must be a string of digits\(prefix.isEmpty ? "" : " (optionally prefixed \(prefix))").")
            return nil
        }
        return digits
    }

    mutating func enumeration(
        _ key: String, _ allowed: [String], required: Bool = false, nullable: Bool = false
    ) -> String? {
        guard let text = string(key, required: required, nullable: nullable) else { return nil }
        guard allowed.contains(text) else {
            problem("\(key) must be one of \(allowed.joined(separator: ", ")); got \"\(text)\".")
            return nil
        }
        return text
    }

    /// An integer (money is micro-currency and must be an integer, never a string or a fraction).
    mutating func integer(
        _ key: String, required: Bool = false, nullable: Bool = false, range: ClosedRange<Int64>? = nil
    ) -> Int64? {
        guard let value = present(key, nullable: nullable) else {
            if required { problem("\(key) is required.") }
            return nil
        }
        guard let number = value.intValue else {
            problem("\(key) must be an integer, not \(value.typeName).")
            return nil
        }
        if let range, !range.contains(number) {
            problem("\(key) must be in \(range.lowerBound)...\(range.upperBound).")
            return nil
        }
        return number
    }

    mutating func number(_ key: String, nullable: Bool = false, range: ClosedRange<Double>? = nil) -> Double? {
        guard let value = present(key, nullable: nullable) else { return nil }
        let number: Double
        switch value {
        case .int(let int): number = Double(int)
        case .double(let double): number = double
        default:
            problem("\(key) must be a number, not \(value.typeName).")
            return nil
        }
        if let range, !range.contains(number) {
            problem("\(key) must be in \(range.lowerBound)...\(range.upperBound).")
            return nil
        }
        return number
    }

    mutating func boolean(_ key: String, nullable: Bool = false) -> Bool? {
        guard let value = present(key, nullable: nullable) else { return nil }
        guard let flag = value.boolValue else {
            problem("\(key) must be a boolean, not \(value.typeName).")
            return nil
        }
        return flag
    }

    mutating func object(_ key: String, nullable: Bool = false) -> JSONObject? {
        guard let value = present(key, nullable: nullable) else { return nil }
        guard let object = value.objectValue else {
            problem("\(key) must be an object, not \(value.typeName).")
            return nil
        }
        return object
    }

    mutating func stringArray(_ key: String, nullable: Bool = false, maxItems: Int? = nil) -> [String]? {
        guard let value = present(key, nullable: nullable) else { return nil }
        guard let array = value.arrayValue else {
            problem("\(key) must be an array of strings, not \(value.typeName).")
            return nil
        }
        let strings = array.compactMap(\.stringValue)
        guard strings.count == array.count else {
            problem("\(key) must contain only strings.")
            return nil
        }
        if let maxItems, strings.count > maxItems {
            problem("\(key) must have at most \(maxItems) items.")
            return nil
        }
        return strings
    }

    /// `tracking_urls`: an object of event name → up to 3 URL strings of ≤2000 characters.
    mutating func trackingURLs(_ key: String = "tracking_urls") -> JSONObject? {
        guard let object = object(key, nullable: true) else { return nil }
        let events = ["impression", "click", "engagement", "buyable_button", "audience_verification"]
        for entry in object.pairs {
            let (event, value) = (entry.key, entry.value)
            guard events.contains(event) else {
                problem("\(key).\(event) is not a tracking event (\(events.joined(separator: ", "))).")
                continue
            }
            guard let urls = value.arrayValue, urls.allSatisfy({ $0.stringValue != nil }) else {
                problem("\(key).\(event) must be an array of URL strings.")
                continue
            }
            if urls.count > 3 { problem("\(key).\(event) takes at most 3 URLs.") }
            if urls.contains(where: { ($0.stringValue?.count ?? 0) > 2000 }) {
                problem("\(key).\(event) URLs must be at most 2000 characters.")
            }
        }
        return object
    }
}
