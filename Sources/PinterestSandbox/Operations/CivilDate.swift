/// Proleptic Gregorian calendar days counted from 1970-01-01 (UTC), for `YYYY-MM-DD` parameters.
struct CivilDate: Sendable, Hashable, Comparable {
    /// Days since 1970-01-01.
    var day: Int64

    init(day: Int64) { self.day = day }

    init(unixSeconds: Int64) {
        day = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
    }

    /// Parses exactly `YYYY-MM-DD` with a real month and day.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.day = CivilDate.days(year: year, month: month, day: day)
    }

    var components: (year: Int64, month: Int64, day: Int64) {
        // Howard Hinnant's civil_from_days.
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    var text: String {
        let (year, month, day) = components
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The first day of the month this day is in.
    var firstOfMonth: CivilDate {
        let (year, month, _) = components
        return CivilDate(day: CivilDate.days(year: year, month: month, day: 1))
    }

    /// The first day of the next month.
    var firstOfNextMonth: CivilDate {
        let (year, month, _) = components
        return month == 12
            ? CivilDate(day: CivilDate.days(year: year + 1, month: 1, day: 1))
            : CivilDate(day: CivilDate.days(year: year, month: month + 1, day: 1))
    }

    static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.day < rhs.day }

    static func + (lhs: CivilDate, rhs: Int64) -> CivilDate { CivilDate(day: lhs.day + rhs) }

    static func - (lhs: CivilDate, rhs: CivilDate) -> Int64 { lhs.day - rhs.day }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
