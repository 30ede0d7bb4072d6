import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - Pure helpers

/// Money on the command line is in currency units; Pinterest and the protocol count micro-currency.
enum Money {
    static let microPerUnit: Int64 = 1_000_000

    /// "50" → 50,000,000; "12.5" → 12,500,000; "0.000001" → 1. Exact (no floating point); more than
    /// 6 decimals, zero, negative or non-numbers are a ValidationError naming the flag.
    static func micro(fromUnits text: String, flag: String) throws -> Int64 {
        func invalid(_ reason: String) -> ValidationError { ValidationError("\(flag) \(reason), got '\(text)'") }
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("-") { throw invalid("must be a positive amount in currency units (e.g. 50 or 12.5)") }
        if body.hasPrefix("+") { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        func digits(_ s: Substring) -> Bool { s.allSatisfy { $0.isASCII && $0.isNumber } }
        guard digits(whole), digits(fraction), !(whole.isEmpty && fraction.isEmpty), !(parts.count == 2 && fraction.isEmpty) else {
            throw invalid("must be an amount in currency units such as 50 or 12.5")
        }
        guard fraction.count <= 6 else {
            throw invalid("has more than 6 decimals (Pinterest counts money in millionths of a unit)")
        }
        guard let units = whole.isEmpty ? 0 : Int64(whole),
            let micros = Int64(fraction + String(repeating: "0", count: 6 - fraction.count))
        else { throw invalid("is too large") }
        let (scaled, overflow) = units.multipliedReportingOverflow(by: microPerUnit)
        let (total, overflow2) = scaled.addingReportingOverflow(micros)
        guard !overflow, !overflow2 else { throw invalid("is too large") }
        guard total > 0 else { throw invalid("must be positive") }
        return total
    }

    /// Exact currency units with at least 2 decimals: 50,000,000 → "50.00", 1 → "0.000001".
    static func units(_ micro: Int64) -> String {
        let magnitude = micro.magnitude
        var fraction = String(magnitude % 1_000_000 + 1_000_000).dropFirst()
        while fraction.count > 2, fraction.last == "0" { fraction = fraction.dropLast() }
        return "\(micro < 0 ? "-" : "")\(magnitude / 1_000_000).\(fraction)"
    }

    /// Currency units rounded to 2 decimals (half away from zero): 12,345,000 → "12.35".
    static func cents(_ micro: Int64) -> String {
        let cents = (micro.magnitude + 5_000) / 10_000
        let text = "\(cents / 100)." + String(cents % 100 + 100).dropFirst()
        return micro < 0 && cents > 0 ? "-" + text : text
    }

    /// A derived amount (CPC, CPM) in currency units with 2 decimals; "-" when there is none.
    static func cents(_ micro: Double?) -> String {
        guard let micro, micro.isFinite else { return "-" }
        return String(format: "%.2f", micro / Double(microPerUnit))
    }
}

/// Times given on the command line.
enum When {
    /// RFC 3339 (Z or an offset, optional fraction), or YYYY-MM-DD for 00:00 UTC.
    static func parse(_ text: String, flag: String) throws -> Date {
        if let date = Timestamp.parse(text) { return date }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        if Day.isDay(text), let date = Timestamp.parse(text + "T00:00:00Z") { return date }
        throw ValidationError(
            "\(flag) must be an RFC 3339 time such as 2027-03-01T00:00:00Z or 2027-03-01T09:00:00+01:00 (or a date, for 00:00 UTC), got '\(text)'")
    }
}

/// UTC days as YYYY-MM-DD.
enum Day {
    static func calendar() -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }

    static func string(_ date: Date) -> String {
        let parts = calendar().dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// 00:00 UTC of a YYYY-MM-DD day (checked with isDay first).
    static func date(_ day: String) -> Date {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return Date(timeIntervalSince1970: 0) }
        return calendar().date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) ?? Date(timeIntervalSince1970: 0)
    }

    /// A real calendar day written as YYYY-MM-DD (2026-02-30 is not).
    static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return false }
        return string(date(text)) == text
    }
}

/// Lists given as commas, repeated options, or both.
enum Lists {
    static func items(_ values: [String]) -> [String]? {
        let items = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.isEmpty ? nil : items
    }

    static func ids(_ values: [String], flag: String) throws -> [Int64]? {
        try items(values)?.map { item in
            guard let id = Int64(item), id > 0 else { throw ValidationError("\(flag) takes pinads audience ids (numbers), got '\(item)'") }
            return id
        }
    }
}
