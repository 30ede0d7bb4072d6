/// A JSON document as the sandbox reads and writes it.
///
/// The sandbox keeps its own small JSON model instead of `JSONSerialization` because the
/// difference between `1` and `1.0` matters here (money and `event_time` must be integers),
/// integers must survive beyond 2^53, and object keys should come out in a stable order.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int64`.
    case int(Int64)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object that remembers the order in which keys were first set.
///
/// Objects here are small (a handful of keys), so entries live in an array searched linearly,
/// which avoids hashing; past ``indexThreshold`` keys a dictionary index keeps lookups O(1).
struct JSONObject: Sendable, Equatable {
    struct Entry: Sendable {
        var key: String
        var value: JSONValue
    }

    static let indexThreshold = 16
    private var entries: [Entry] = []
    private var index: [String: Int]? = nil

    init() {}

    init(_ pairs: KeyValuePairs<String, JSONValue>) {
        for (key, value) in pairs { self[key] = value }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return entries.firstIndex { $0.key == key }
    }

    subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                } else {
                    entries.append(Entry(key: key, value: newValue))
                    if index != nil {
                        index?[key] = entries.count - 1
                    } else if entries.count > JSONObject.indexThreshold {
                        var built: [String: Int] = [:]
                        for (offset, entry) in entries.enumerated() { built[entry.key] = offset }
                        index = built
                    }
                }
            } else if let position = position(of: key) {
                entries.remove(at: position)
                if index != nil {
                    var built: [String: Int] = [:]
                    for (offset, entry) in entries.enumerated() { built[entry.key] = offset }
                    index = built
                }
            }
        }
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var keys: [String] { entries.map(\.key) }

    /// Key/value pairs in insertion order.
    var pairs: [Entry] { entries }

    func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// Same keys with equal values, whatever the order.
    static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(floatLiteral value: Double) { self = .double(value) }
    init(nilLiteral: ()) { self = .null }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSONValue {
    init(_ value: Int) { self = .int(Int64(value)) }
    init(_ value: String?) { self = value.map { .string($0) } ?? .null }
    init(_ value: Int64?) { self = value.map { .int($0) } ?? .null }
    init(strings: [String]) { self = .array(strings.map { .string($0) }) }

    var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The value as an integer, only when it was written as one.
    var intValue: Int64? {
        if case .int(let int) = self { return int }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name used in validation messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}
