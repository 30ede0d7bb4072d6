import Foundation

/// The JSON of plans as the store keeps them: sorted keys, unescaped slashes, times as RFC 3339
/// in UTC with milliseconds. This is the wire's form because the rows were first written as
/// the wire's specs, and it must stay byte for byte: a retried create or launch is matched to
/// its row by this text.
///
/// - Important: `timestamp(_:)` and `date(_:)` are the wire's `Timestamp` (PinAdsProtocol),
///   which the domain does not import; a test holds them equal. When `Timestamp` moves into a
///   module the domain may import, this uses it instead.
struct PlanCoding: Sendable {
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder

    init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.timestamp(date))
        }
        decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Self.date(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 timestamp such as 2026-11-25T16:06:35Z, got '\(text)'")
            }
            return date
        }
    }

    func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }

    private static let seconds = Date.ISO8601FormatStyle()

    /// `2026-11-25T16:06:35.123Z`. Whole seconds go through Foundation and milliseconds are
    /// integers: Foundation truncates fractions held in floating point (.123 prints as .122).
    static func timestamp(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (wholeSeconds, millis) = totalMillis.quotientAndRemainder(dividingBy: 1000)
        let (s, ms) = millis < 0 ? (wholeSeconds - 1, millis + 1000) : (wholeSeconds, millis)
        let text = Date(timeIntervalSince1970: Double(s)).formatted(seconds)
        return text.dropLast() + "." + String(ms + 1000).dropFirst() + "Z"
    }

    /// Accepts `…:35Z` and fractions (beyond milliseconds dropped).
    static func date(_ text: String) -> Date? {
        guard text.hasSuffix("Z") || text.hasSuffix("z") else { return nil }
        var whole = String(text.dropLast())
        var millis: Int64 = 0
        if let dot = whole.firstIndex(of: ".") {
            let digits = whole[whole.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            millis = Int64(String((digits + "00").prefix(3))) ?? 0
            whole = String(whole[..<dot])
        }
        guard let date = try? seconds.parse(whole + "Z") else { return nil }
        let base = Int64(date.timeIntervalSince1970.rounded())
        return Date(timeIntervalSince1970: Double(base * 1000 + millis) / 1000)
    }
}
