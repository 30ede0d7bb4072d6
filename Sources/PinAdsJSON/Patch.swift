import Foundation

/// A field of an update (the wire's and the daemon's): absent (the Optional is nil) leaves it as it is; `set` changes it;
/// `clear` (JSON `null`) removes it, where the field may be empty (an end time, a spend cap).
public enum Patch<Value: Codable & Sendable & Equatable>: Sendable, Equatable {
    case set(Value)
    case clear

    /// The new value; nil when the field is cleared.
    public var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }
}

extension KeyedDecodingContainer {
    /// Absent → nil; a value → the value; `null` is refused: the field cannot be emptied, and
    /// taking null for "no change" would hide a caller's mistake.
    public func decodeUnlessNull<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(
                Value.self, .init(codingPath: codingPath + [key], debugDescription: "cannot be null: it cannot be emptied (leave it out to keep it)"))
        }
        return try decode(Value.self, forKey: key)
    }

    /// Absent → nil; `null` → `.clear`; a value → `.set(value)`.
    public func decodePatch<Value>(_ type: Value.Type, forKey key: Key) throws -> Patch<Value>? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return .clear }
        return .set(try decode(Value.self, forKey: key))
    }
}

extension Decoder {
    /// Refuses keys the object does not know, naming the first one, so a misspelt field is an
    /// error and never a change silently not made.
    public func refuseUnknownKeys<Known: CodingKey & CaseIterable>(_ known: Known.Type, hint: String) throws {
        let names = Set(Known.allCases.map(\.stringValue))
        let container = try container(keyedBy: AnyCodingKey.self)
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !names.contains($0) }) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [AnyCodingKey(unknown)],
                    debugDescription: "unknown field (\(hint) takes \(names.sorted().joined(separator: ", ")))"))
        }
    }
}

extension KeyedEncodingContainer {
    /// Writes nothing for nil, `null` for `.clear`, the value for `.set`.
    public mutating func encodePatch<Value>(_ patch: Patch<Value>?, forKey key: Key) throws {
        switch patch {
        case nil: return
        case .clear: try encodeNil(forKey: key)
        case .set(let value): try encode(value, forKey: key)
        }
    }
}

/// Any key, for reading the keys an object holds.
public struct AnyCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
