import Foundation

/// When a recurring task runs: a set of minutes of the day, the same every day, in UTC.
///
/// Three spellings are accepted (keywords are case-insensitive; a trailing `UTC` is allowed):
/// - `daily HH:MM` — once a day, e.g. `daily 05:00`.
/// - `every Nh at HH:MM` — every N hours (N divides 24) through the day, on the slots that
///   include HH:MM, e.g. `every 6h at 00:00` is 00:00, 06:00, 12:00 and 18:00. `every Nh`
///   alone means `at 00:00`.
/// - a 5-field cron spec `M H * * *` whose minute and hour fields take numbers, ranges `a-b`,
///   steps `*/s`, `a-b/s`, `a/s` and comma lists, e.g. `0 */6 * * *` or `15,45 9-17 * * *`.
///   Day of month, month and day of week must be `*`.
///
/// `description` is the canonical spelling, and parsing it gives back an equal spec.
///
/// - Important: UTC has no daylight-saving changes, so every day has exactly 24 hours here and
///   `nextRun(after:)` is plain arithmetic on Unix time.
public struct ScheduleSpec: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// Minutes past the hour at which a run is due, ascending, never empty.
    public let minutes: [Int]
    /// Hours of the day (UTC) at which a run is due, ascending, never empty.
    public let hours: [Int]
    /// The canonical spelling, e.g. `daily 05:00`.
    public let description: String

    private static let secondsPerDay: TimeInterval = 86_400
    /// Seconds after midnight of each slot, ascending; derived from `hours` × `minutes`.
    private var slotOffsets: [TimeInterval] {
        hours.flatMap { hour in minutes.map { minute in TimeInterval(hour * 3600 + minute * 60) } }
    }

    private init(minutes: [Int], hours: [Int], description: String) {
        self.minutes = minutes
        self.hours = hours
        self.description = description
    }

    /// Once a day at `hour:minute` UTC.
    ///
    /// - Precondition: `hour` is in 0...23 and `minute` in 0...59. Text from users goes through
    ///   `init(parsing:)`, which reports bad values instead.
    public static func daily(hour: Int, minute: Int) -> ScheduleSpec {
        precondition((0...23).contains(hour) && (0...59).contains(minute), "daily \(hour):\(minute) is not a time of day")
        return ScheduleSpec(minutes: [minute], hours: [hour], description: "daily \(clockText(hour, minute))")
    }

    /// Every `interval` hours on the slots that include `hour:minute` UTC.
    ///
    /// - Precondition: `interval` divides 24, `hour` is in 0...23 and `minute` in 0...59.
    public static func every(hours interval: Int, atHour hour: Int, minute: Int) -> ScheduleSpec {
        precondition(
            (1...24).contains(interval) && 24 % interval == 0 && (0...23).contains(hour) && (0...59).contains(minute),
            "every \(interval)h at \(hour):\(minute) is not a valid schedule")
        return ScheduleSpec(
            minutes: [minute],
            hours: Array(stride(from: hour % interval, to: 24, by: interval)),
            description: "every \(interval)h at \(clockText(hour, minute))")
    }

    /// Parses a spec in any of the accepted spellings; the error names the problem.
    public init(parsing text: String) throws(ScheduleSpecError) {
        var tokens = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        func fail(_ reason: String) -> ScheduleSpecError { ScheduleSpecError(spec: text, reason: reason) }
        if tokens.count > 1, tokens.last == "utc" { tokens.removeLast() }
        guard let first = tokens.first else {
            throw fail("the schedule is empty; \(ScheduleSpecError.expected)")
        }
        switch first {
        case "daily":
            guard tokens.count == 2 else {
                throw fail(tokens.count == 1 ? "'daily' needs a time, such as 'daily 05:00'" : "unexpected '\(tokens[2])' after the time; schedules are in UTC")
            }
            let (hour, minute) = try Self.parseClock(tokens[1], in: text)
            self = .daily(hour: hour, minute: minute)
        case "every":
            guard tokens.count >= 2 else { throw fail("'every' needs an interval in hours, such as 'every 6h at 00:00'") }
            let intervalText = tokens[1]
            guard intervalText.hasSuffix("h"), intervalText.dropLast().allSatisfy(\.isASCIIDigit),
                let interval = Int(intervalText.dropLast())
            else {
                throw fail("'\(intervalText)' is not an interval in hours; write it like '6h'")
            }
            guard (1...24).contains(interval), 24 % interval == 0 else {
                throw fail("every \(interval)h does not divide the day evenly; use 1, 2, 3, 4, 6, 8, 12 or 24 hours, or a cron spec such as '0 0,5,10,15,20 * * *'")
            }
            var hour = 0
            var minute = 0
            switch tokens.count {
            case 2:
                break
            case 4 where tokens[2] == "at":
                (hour, minute) = try Self.parseClock(tokens[3], in: text)
            case 3 where tokens[2] == "at":
                throw fail("'at' needs a time, such as 'every \(interval)h at 00:00'")
            default:
                throw fail("unexpected '\(tokens[2...].joined(separator: " "))'; write 'every \(interval)h at HH:MM' (UTC)")
            }
            self = .every(hours: interval, atHour: hour, minute: minute)
        default:
            guard tokens.count == 5 else {
                if first.first?.isASCIIDigit == true || first.first == "*" {
                    throw fail("a cron spec has 5 fields (minute hour day-of-month month day-of-week), got \(tokens.count)")
                }
                throw fail("'\(first)' is not a schedule; \(ScheduleSpecError.expected)")
            }
            let minutes = try Self.parseCronField(tokens[0], name: "minute", range: 0...59, in: text)
            let hours = try Self.parseCronField(tokens[1], name: "hour", range: 0...23, in: text)
            for (index, name) in [(2, "day-of-month"), (3, "month"), (4, "day-of-week")] where tokens[index] != "*" {
                throw fail("the \(name) field is '\(tokens[index])', but only '*' is supported there: schedules repeat every day")
            }
            self.init(minutes: minutes, hours: hours, description: tokens.joined(separator: " "))
        }
    }

    /// Parses a spec, or returns nil; `init(parsing:)` says what is wrong.
    public init?(_ description: String) {
        guard let spec = try? ScheduleSpec(parsing: description) else { return nil }
        self = spec
    }

    /// The first run strictly after `date`.
    public func nextRun(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        let midnight = (seconds / Self.secondsPerDay).rounded(.down) * Self.secondsPerDay
        let offsets = slotOffsets
        if let today = offsets.first(where: { midnight + $0 > seconds }) {
            return Date(timeIntervalSince1970: midnight + today)
        }
        // The parser never builds a spec without slots; minute 0 is only a formal fallback.
        return Date(timeIntervalSince1970: midnight + Self.secondsPerDay + (offsets.first ?? 0))
    }

    // MARK: - Parsing

    private static func clockText(_ hour: Int, _ minute: Int) -> String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    /// `HH:MM` (or `H:MM`) in UTC.
    private static func parseClock(_ token: String, in text: String) throws(ScheduleSpecError) -> (hour: Int, minute: Int) {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), let hour = Int(parts[0]), let minute = Int(parts[1])
        else {
            throw ScheduleSpecError(spec: text, reason: "'\(token)' is not a time; write HH:MM in UTC, such as 05:00")
        }
        guard hour <= 23 else { throw ScheduleSpecError(spec: text, reason: "hour \(hour) in '\(token)' is out of range 0-23") }
        guard minute <= 59 else { throw ScheduleSpecError(spec: text, reason: "minute \(minute) in '\(token)' is out of range 0-59") }
        return (hour, minute)
    }

    /// One cron field: a comma list of `*`, `n`, `a-b`, each optionally `/step`.
    private static func parseCronField(
        _ field: String, name: String, range: ClosedRange<Int>, in text: String
    ) throws(ScheduleSpecError) -> [Int] {
        func fail(_ reason: String) -> ScheduleSpecError {
            ScheduleSpecError(spec: text, reason: "\(name) field '\(field)': \(reason)")
        }
        func number(_ part: Substring) throws(ScheduleSpecError) -> Int {
            guard !part.isEmpty, part.allSatisfy(\.isASCIIDigit), let value = Int(part) else {
                throw fail("'\(part)' is not a number")
            }
            guard range.contains(value) else { throw fail("\(value) is out of range \(range.lowerBound)-\(range.upperBound)") }
            return value
        }
        var values = Set<Int>()
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty item in the list") }
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw fail("'\(item)' has more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard !pieces[1].isEmpty, pieces[1].allSatisfy(\.isASCIIDigit), let value = Int(pieces[1]) else {
                    throw fail("step '\(pieces[1])' is not a number")
                }
                guard value >= 1 else { throw fail("the step must be at least 1") }
                step = value
            }
            let base = pieces[0]
            let lower: Int
            var upper: Int
            if base == "*" {
                (lower, upper) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                lower = try number(base[base.startIndex..<dash])
                upper = try number(base[base.index(after: dash)...])
                guard lower <= upper else { throw fail("the range \(lower)-\(upper) runs backwards") }
            } else {
                lower = try number(base)
                // `a/s` is cron's shorthand for `a-max/s`; a lone number is just itself.
                upper = pieces.count == 2 ? range.upperBound : lower
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values.sorted()
    }
}

/// A schedule that could not be read; `reason` names the problem.
public struct ScheduleSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var spec: String
    public var reason: String

    public var description: String { "invalid schedule '\(spec)': \(reason)" }

    static let expected = "expected 'daily HH:MM', 'every Nh at HH:MM' or a cron spec 'M H * * *' (UTC)"
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
