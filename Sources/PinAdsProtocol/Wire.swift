import Foundation

/// The protocol version this build speaks. It rises only for incompatible changes; new methods
/// and new optional fields do not change it.
public enum ProtocolVersion {
    public static let current = 1
}

/// JSON coding shared by every side of the wire, so dates and key order agree.
public enum Wire {
    /// Timestamps are RFC 3339 in UTC with milliseconds: `2026-11-25T16:06:35.123Z`.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "expected an RFC 3339 timestamp such as 2026-11-25T16:06:35Z, got '\(text)'"
                )
            }
            return date
        }
        return decoder
    }

    /// What a request without `params` is decoded from: the method's defaults.
    static let emptyParamsDecoder = decoder()
    static let emptyObject = Data("{}".utf8)
}

/// RFC 3339 formatting and parsing of wire timestamps, exact to the millisecond.
///
/// Foundation's formatter truncates fractions held in floating point (0.123 stored as
/// 0.12299… prints as .122), so whole seconds go through it and milliseconds are integers.
public enum Timestamp {
    private static let seconds = Date.ISO8601FormatStyle()

    public static func format(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (wholeSeconds, millis) = totalMillis.quotientAndRemainder(dividingBy: 1000)
        let (s, ms) = millis < 0 ? (wholeSeconds - 1, millis + 1000) : (wholeSeconds, millis)
        let text = Date(timeIntervalSince1970: Double(s)).formatted(seconds)  // "…T16:06:35Z"
        let padded = String(ms + 1000).dropFirst()  // 7 → "007"
        return text.dropLast() + "." + padded + "Z"
    }

    /// Accepts `…:35Z`, `…:35.1Z` … `…:35.123456Z` (fractions beyond milliseconds are dropped).
    public static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z") || text.hasSuffix("z") else { return nil }
        var whole = String(text.dropLast())
        var millis: Int64 = 0
        if let dot = whole.firstIndex(of: ".") {
            let digits = whole[whole.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            let firstThree = String((digits + "00").prefix(3))
            millis = Int64(firstThree) ?? 0
            whole = String(whole[..<dot])
        }
        guard let date = try? seconds.parse(whole + "Z") else { return nil }
        let base = Int64(date.timeIntervalSince1970.rounded())
        return Date(timeIntervalSince1970: Double(base * 1000 + millis) / 1000)
    }
}

/// The version of this build of pinads, reported by `system.health` and `pinads --version`.
public enum PinAdsVersion {
    public static let current = "0.1.0"
}
