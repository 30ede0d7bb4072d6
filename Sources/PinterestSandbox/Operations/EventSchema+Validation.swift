/// One thing wrong with a field of an event, and where: the path from the event down
/// (`custom_data`, `contents`, `[2]`, `item_price`), rendered after the event's own path
/// (`data[3]`) as `data[3].custom_data.contents[2].item_price`.
struct FieldProblem: Sendable, Error {
    enum Step: Sendable {
        case key(String)
        case index(Int)
    }

    var path: [Step]
    /// What is wrong, without the path: `must be a string, not integer.`
    var message: String

    init(_ message: String, at path: [Step] = []) {
        self.message = message
        self.path = path
    }

    func prefixed(_ step: Step) -> FieldProblem {
        FieldProblem(message, at: [step] + path)
    }

    /// `root` and the path, e.g. `data[3].custom_data.value`.
    func location(under root: String) -> String {
        var text = root
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// `data[3].custom_data.value must be …` (a type or value problem: the event fails).
    func described(under root: String) -> String { location(under: root) + " " + message }
}

extension EventSchema {
    /// The first type or value problem of `object`'s known fields, in the schema's order
    /// (required fields that are missing included). Unknown fields are not looked at here.
    func problem(in object: JSONObject) -> FieldProblem? {
        for (name, field) in fields {
            if let value = object[name] {
                if let problem = field.problem(in: value) { return problem.prefixed(.key(name)) }
            } else if required.contains(name) {
                return FieldProblem("is required.", at: [.key(name)])
            }
        }
        return nil
    }

    /// The first property that an `additionalProperties: false` object here or below holds
    /// without declaring it. Only values of the declared type are descended into (a mistyped
    /// one is a per-event problem instead).
    func forbiddenProperty(in object: JSONObject) -> FieldProblem? {
        if closed, let extra = object.keys.first(where: { !names.contains($0) }) {
            return FieldProblem("Additional properties are not allowed ('\(extra)' was unexpected).")
        }
        for (name, field) in fields {
            if let value = object[name], let problem = field.forbiddenProperty(in: value) {
                return problem.prefixed(.key(name))
            }
        }
        return nil
    }
}

extension EventField {
    func problem(in value: JSONValue) -> FieldProblem? {
        switch self {
        case .string(let format, let nullable, let maxLength):
            if value.isNull, nullable { return nil }
            guard let text = value.stringValue else { return FieldProblem("must be a string, not \(value.typeName).") }
            if let maxLength, text.unicodeScalars.count > maxLength {
                return FieldProblem("must be at most \(maxLength) characters.")
            }
            return format.problem(in: text)
        case .boolean:
            guard value.boolValue != nil else { return FieldProblem("must be a boolean, not \(value.typeName).") }
            return nil
        case .integer(let nullable, let range):
            if value.isNull, nullable { return nil }
            guard let number = value.intValue else {
                return FieldProblem("must be an integer, not \(value.typeName).")
            }
            if let range, !range.contains(number) {
                return FieldProblem(
                    range.upperBound == Int64.max
                        ? "must be at least \(range.lowerBound)." : "must be in \(range.lowerBound)...\(range.upperBound).")
            }
            return nil
        case .array(let element, let maxItems):
            guard let items = value.arrayValue else { return FieldProblem("must be an array, not \(value.typeName).") }
            if let maxItems, items.count > maxItems { return FieldProblem("must have at most \(maxItems) items.") }
            for (index, item) in items.enumerated() {
                if let problem = element.problem(in: item) { return problem.prefixed(.index(index)) }
            }
            return nil
        case .object(let schema):
            guard let object = value.objectValue else {
                return FieldProblem("must be an object, not \(value.typeName).")
            }
            return schema.problem(in: object)
        }
    }

    func forbiddenProperty(in value: JSONValue) -> FieldProblem? {
        switch self {
        case .object(let schema):
            guard let object = value.objectValue else { return nil }
            return schema.forbiddenProperty(in: object)
        case .array(let element, _):
            guard let items = value.arrayValue else { return nil }
            for (index, item) in items.enumerated() {
                if let problem = element.forbiddenProperty(in: item) { return problem.prefixed(.index(index)) }
            }
            return nil
        case .string, .boolean, .integer:
            return nil
        }
    }
}

extension StringFormat {
    func problem(in text: String) -> FieldProblem? {
        switch self {
        case .any:
            return nil
        case .nonEmpty:
            return text.isEmpty ? FieldProblem("must not be empty.") : nil
        case .oneOf(let allowed):
            guard !allowed.contains(text) else { return nil }
            return FieldProblem("must be one of \(allowed.joined(separator: ", ")); got \"\(text.prefix(100))\".")
        case .decimal(let allowsNegative):
            guard !StringFormat.isDecimal(text, allowsNegative: allowsNegative) else { return nil }
            let kind = allowsNegative ? "a decimal number" : "a non-negative decimal number"
            return FieldProblem("must be a string holding \(kind) such as \"12.50\"; got \"\(text.prefix(100))\".")
        case .sha256Hex:
            guard text.utf8.count != 64 || !SandboxState.isLowercaseHex(text) else { return nil }
            return FieldProblem("must be a SHA-256 hash: 64 lowercase hex characters.")
        case .partnerName:
            guard !(text.hasPrefix("ss-") && text.count > 3 && text == text.lowercased()) else { return nil }
            return FieldProblem("must look like \"ss-<partner>\" in lowercase.")
        }
    }

    /// Digits, optionally a `.` and more digits; a leading `-` when `allowsNegative`.
    static func isDecimal(_ text: String, allowsNegative: Bool) -> Bool {
        var bytes = Substring(text).utf8
        if allowsNegative, bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let whole = bytes.prefix(while: isDigit)
        guard !whole.isEmpty else { return false }
        let rest = bytes.dropFirst(whole.count)
        guard let dot = rest.first else { return true }
        let fraction = rest.dropFirst()
        return dot == UInt8(ascii: ".") && !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }
}
