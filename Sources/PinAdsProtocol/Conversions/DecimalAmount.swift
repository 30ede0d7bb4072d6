import Foundation

/// A decimal amount as the shop gave it, a JSON number (`49.99`) or a decimal string
/// (`"49.99"`, Pinterest's own type for `value`, `item_price` and `predicted_ltv`): kept as its
/// decimal text, no rounding through a binary float (a string exactly as written; a number
/// loses only trailing zeros, and digits beyond Decimal's 38). It is written back as
/// it came (a number as a number, a string as a string). Whether the text is a valid amount is
/// the daemon's check (it names the field).
public struct DecimalAmount: Codable, Sendable, Equatable, CustomStringConvertible, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
{
    public var text: String
    /// Given as a JSON string (written back as one).
    public var quoted: Bool

    public init(_ text: String) { self.init(text: text) }

    private init(text: String) {
        self.text = text
        quoted = true
    }

    /// The shortest decimal that reads back as `value` (`19.99`, never `19.989999…`).
    public init(_ value: Double) {
        let shortest = "\(value)"
        text = Decimal(string: shortest).map { "\($0)" } ?? shortest
        quoted = false
    }

    public init(floatLiteral value: Double) { self.init(value) }

    public init(integerLiteral value: Int64) {
        text = String(value)
        quoted = false
    }

    public init(stringLiteral value: String) { self.init(text: value) }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
            quoted = true
            return
        }
        // Foundation reads a JSON number into a Decimal from its digits, so `0.125` stays
        // `0.125` and `12345678901234567.89` keeps every digit.
        let number = try container.decode(Decimal.self)
        guard !number.isNaN else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal amount")
        }
        text = "\(number)"
        quoted = false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if !quoted, let number = Decimal(string: text) {
            try container.encode(number)
        } else {
            try container.encode(text)
        }
    }
}

/// One string or a list of them, as a field may take either (`"fn": "Alice"` or
/// `"fn": ["Alice", "Ally"]`); written back in the form it came in.
public struct OneOrMore: Codable, Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public var values: [String]
    /// Given as a list (written back as one).
    public var isList: Bool

    public init(_ value: String) {
        values = [value]
        isList = false
    }

    public init(_ values: [String]) {
        self.values = values
        isList = true
    }

    public init(stringLiteral value: String) { self.init(value) }
    public init(arrayLiteral elements: String...) { self.init(elements) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            self.init(one)
        } else {
            self.init(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if !isList, values.count == 1 {
            try container.encode(values[0])
        } else {
            try container.encode(values)
        }
    }
}
