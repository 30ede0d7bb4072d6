import Foundation

/// RFC 3339 formatting and parsing of timestamps as the wire and the daemon's messages show
/// them (`2026-11-25T16:06:35.123Z`), exact to the millisecond.
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
