import Foundation
import Testing

@testable import PinAdsDaemon

/// A UTC instant built by the Gregorian calendar: an oracle independent of `ScheduleSpec`'s arithmetic.
private func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    return calendar.date(from: components) ?? .distantPast
}

private func spec(_ text: String) throws -> ScheduleSpec { try ScheduleSpec(parsing: text) }

@Suite("Schedule spec")
struct ScheduleSpecTests {
    @Test func dailyRunsOnceADayAtItsTime() throws {
        let daily = try spec("daily 05:00")
        #expect(daily.hours == [5] && daily.minutes == [0])
        #expect(daily.nextRun(after: utc(2027, 3, 10, 4, 59, 59)) == utc(2027, 3, 10, 5))
        #expect(daily.nextRun(after: utc(2027, 3, 10, 5, 0, 1)) == utc(2027, 3, 11, 5))
        #expect(daily.nextRun(after: utc(2027, 3, 10, 0)) == utc(2027, 3, 10, 5))
        #expect(daily.nextRun(after: utc(2027, 3, 10, 23, 59)) == utc(2027, 3, 11, 5))
    }

    @Test func theNextRunIsStrictlyAfter() throws {
        let daily = try spec("daily 05:00")
        #expect(daily.nextRun(after: utc(2027, 3, 10, 5)) == utc(2027, 3, 11, 5))
        #expect(daily.nextRun(after: utc(2027, 3, 10, 5).addingTimeInterval(-0.001)) == utc(2027, 3, 10, 5))
        #expect(daily.nextRun(after: utc(2027, 3, 10, 5).addingTimeInterval(0.001)) == utc(2027, 3, 11, 5))
    }

    @Test func everySixHoursHitsTheFourSlotsOfTheDay() throws {
        let metrics = try spec("every 6h at 00:00")
        #expect(metrics.hours == [0, 6, 12, 18] && metrics.minutes == [0])
        #expect(metrics.nextRun(after: utc(2027, 3, 10, 0)) == utc(2027, 3, 10, 6))
        #expect(metrics.nextRun(after: utc(2027, 3, 10, 11, 59, 59)) == utc(2027, 3, 10, 12))
        #expect(metrics.nextRun(after: utc(2027, 3, 10, 17, 59)) == utc(2027, 3, 10, 18))
        #expect(metrics.nextRun(after: utc(2027, 3, 10, 18)) == utc(2027, 3, 11, 0))
    }

    @Test func anEveryScheduleMayStartOffTheHour() throws {
        let offset = try spec("every 6h at 07:30")
        #expect(offset.hours == [1, 7, 13, 19] && offset.minutes == [30])
        #expect(offset.nextRun(after: utc(2027, 3, 10, 0)) == utc(2027, 3, 10, 1, 30))
        #expect(offset.nextRun(after: utc(2027, 3, 10, 20)) == utc(2027, 3, 11, 1, 30))
        #expect(try spec("every 1h").hours == Array(0...23))
        #expect(try spec("every 24h at 05:00").hours == [5])
    }

    @Test func cronSpellingsRunWhenTheirNamedFormsDo() throws {
        let pairs = [("0 */6 * * *", "every 6h at 00:00"), ("0 5 * * *", "daily 05:00"), ("30 1-23/6 * * *", "every 6h at 01:30")]
        for (cronText, namedText) in pairs {
            let cron = try spec(cronText)
            let named = try spec(namedText)
            var t = utc(2027, 12, 30, 22, 17)
            for _ in 0..<50 {
                let next = cron.nextRun(after: t)
                #expect(next == named.nextRun(after: t), "\(cronText) and \(namedText) after \(t)")
                t = next
            }
        }
    }

    @Test func cronFieldsTakeListsRangesAndSteps() throws {
        let office = try spec("15,45 9-17/4 * * *")
        #expect(office.minutes == [15, 45] && office.hours == [9, 13, 17])
        #expect(office.nextRun(after: utc(2027, 3, 10, 9, 15)) == utc(2027, 3, 10, 9, 45))
        #expect(office.nextRun(after: utc(2027, 3, 10, 9, 45)) == utc(2027, 3, 10, 13, 15))
        #expect(office.nextRun(after: utc(2027, 3, 10, 17, 45)) == utc(2027, 3, 11, 9, 15))

        let stepped = try spec("*/20 3/8 * * *")
        #expect(stepped.minutes == [0, 20, 40] && stepped.hours == [3, 11, 19])

        let hourly = try spec("5 * * * *")
        #expect(hourly.hours == Array(0...23))
        #expect(hourly.nextRun(after: utc(2027, 3, 10, 23, 5)) == utc(2027, 3, 11, 0, 5))

        let merged = try spec("0,0,30 6,5-6 * * *")
        #expect(merged.minutes == [0, 30] && merged.hours == [5, 6])
    }

    @Test(arguments: [
        // (after, expected next run of "daily 05:00")
        (utc(2027, 1, 31, 23, 30), utc(2027, 2, 1, 5)),
        (utc(2027, 4, 30, 6), utc(2027, 5, 1, 5)),
        (utc(2027, 12, 31, 5), utc(2028, 1, 1, 5)),
        (utc(2027, 12, 31, 23, 59, 59), utc(2028, 1, 1, 5)),
        (utc(2027, 2, 28, 6), utc(2027, 3, 1, 5)),  // not a leap year
        (utc(2028, 2, 28, 6), utc(2028, 2, 29, 5)),  // a leap year
        (utc(2028, 2, 29, 6), utc(2028, 3, 1, 5)),
        (utc(2100, 2, 28, 6), utc(2100, 3, 1, 5)),  // a century that is not a leap year
        (utc(2000, 2, 28, 6), utc(2000, 2, 29, 5)),  // one that is
        (utc(1969, 12, 31, 6), utc(1970, 1, 1, 5)),  // before the epoch, negative Unix time
    ])
    func dailyCrossesMonthAndYearBoundaries(after: Date, expected: Date) throws {
        #expect(try spec("daily 05:00").nextRun(after: after) == expected)
    }

    @Test func everySixHoursCrossesTheYear() throws {
        let metrics = try spec("every 6h at 00:00")
        #expect(metrics.nextRun(after: utc(2027, 12, 31, 18)) == utc(2028, 1, 1, 0))
        #expect(metrics.nextRun(after: utc(2027, 12, 31, 23, 59, 59)) == utc(2028, 1, 1, 0))
    }

    @Test func daylightSavingChangesDoNotExistInUTC() throws {
        let daily = try spec("daily 05:00")
        // Europe moves its clocks at 01:00 UTC on these days; the USA at 07:00 or 06:00 UTC.
        for day in [utc(2027, 3, 28), utc(2027, 10, 31), utc(2027, 3, 14), utc(2027, 11, 7)] {
            let first = daily.nextRun(after: day)
            #expect(first == day.addingTimeInterval(5 * 3600))
            #expect(daily.nextRun(after: first) == first.addingTimeInterval(86_400))
        }
    }

    @Test func runsEverySixHoursStayExactlySixHoursApartForAYear() throws {
        let metrics = try spec("every 6h at 00:00")
        var previous = metrics.nextRun(after: utc(2027, 12, 31, 20))
        #expect(previous == utc(2028, 1, 1))
        for _ in 0..<(4 * 366) {
            let next = metrics.nextRun(after: previous)
            #expect(next.timeIntervalSince(previous) == 6 * 3600)
            previous = next
        }
        #expect(previous == utc(2029, 1, 1))
    }

    @Test(arguments: [
        ("daily 05:00", "daily 05:00"),
        ("  DAILY   5:00  ", "daily 05:00"),
        ("daily 05:00 UTC", "daily 05:00"),
        ("every 6h at 00:00", "every 6h at 00:00"),
        ("every 6h", "every 6h at 00:00"),
        ("Every 12h at 7:05", "every 12h at 07:05"),
        ("0 */6 * * *", "0 */6 * * *"),
        ("0   5 *  * *", "0 5 * * *"),
        ("15,45 9-17/4 * * * utc", "15,45 9-17/4 * * *"),
    ])
    func theDescriptionIsCanonicalAndRoundTrips(text: String, canonical: String) throws {
        let parsed = try spec(text)
        #expect(parsed.description == canonical)
        let again = try spec(parsed.description)
        #expect(again == parsed)
        #expect(again.description == canonical)
        #expect(ScheduleSpec(canonical) == parsed)
    }

    @Test func constructorsMatchTheirSpellings() throws {
        #expect(ScheduleSpec.daily(hour: 5, minute: 0) == (try spec("daily 05:00")))
        #expect(ScheduleSpec.every(hours: 6, atHour: 0, minute: 0) == (try spec("every 6h at 00:00")))
        #expect(Scheduler.defaultTasks().map(\.spec.description) == ["daily 05:00", "daily 06:00", "every 6h at 00:00"])
        #expect(
            Scheduler.defaultTasks().map(\.jobKind) == ["connections.token_check", "audiences.sync_all", "campaigns.pull_metrics"])
    }

    @Test(arguments: [
        ("", "the schedule is empty"),
        ("   ", "the schedule is empty"),
        ("daily", "'daily' needs a time"),
        ("daily 25:00", "hour 25 in '25:00' is out of range 0-23"),
        ("daily 05:60", "minute 60 in '05:60' is out of range 0-59"),
        ("daily 5", "'5' is not a time; write HH:MM"),
        ("daily 05:0", "'05:0' is not a time"),
        ("daily -1:00", "'-1:00' is not a time"),
        ("daily 05:00 CET", "unexpected 'cet' after the time; schedules are in UTC"),
        ("every 5h at 00:00", "every 5h does not divide the day evenly"),
        ("every 0h", "every 0h does not divide the day evenly"),
        ("every 48h", "every 48h does not divide the day evenly"),
        ("every 6 at 00:00", "'6' is not an interval in hours"),
        ("every", "'every' needs an interval"),
        ("every 6h at", "'at' needs a time"),
        ("every 6h from 00:00", "unexpected 'from 00:00'"),
        ("weekly monday", "'weekly' is not a schedule; expected 'daily HH:MM'"),
        ("0 5", "a cron spec has 5 fields"),
        ("0 5 * * * *", "a cron spec has 5 fields"),
        ("60 5 * * *", "minute field '60': 60 is out of range 0-59"),
        ("0 24 * * *", "hour field '24': 24 is out of range 0-23"),
        ("0 */0 * * *", "hour field '*/0': the step must be at least 1"),
        ("0 5-3 * * *", "hour field '5-3': the range 5-3 runs backwards"),
        ("0 5,,6 * * *", "hour field '5,,6': empty item in the list"),
        ("x 5 * * *", "minute field 'x': 'x' is not a number"),
        ("0 */a * * *", "hour field '*/a': step 'a' is not a number"),
        ("0 1/2/3 * * *", "hour field '1/2/3': '1/2/3' has more than one '/'"),
        ("0 5 1 * *", "the day-of-month field is '1', but only '*' is supported"),
        ("0 5 * 1 *", "the month field is '1'"),
        ("0 5 * * mon", "the day-of-week field is 'mon'"),
    ])
    func invalidSpecsNameTheProblem(text: String, problem: String) {
        #expect(throws: ScheduleSpecError.self) { try spec(text) }
        do {
            _ = try ScheduleSpec(parsing: text)
        } catch {
            #expect(error.spec == text)
            #expect(error.description.contains(problem), "\(error.description)")
            #expect(error.description.hasPrefix("invalid schedule '\(text)': "))
        }
        #expect(ScheduleSpec(text) == nil)
    }

    @Test func overridesChangeOrDisableTasks() throws {
        let tasks = try ScheduledTask.applying(
            ["token_check": "daily 04:30", "campaign_metrics": "off"], to: Scheduler.defaultTasks())
        #expect(tasks.map(\.name) == ["token_check", "audience_sync", "campaign_metrics"])
        #expect(tasks[0].spec.description == "daily 04:30" && tasks[0].enabled)
        #expect(tasks[1] == ScheduledTask.audienceSync)
        #expect(!tasks[2].enabled && tasks[2].spec == ScheduledTask.campaignMetrics.spec)

        #expect(throws: ScheduleOverrideError(task: "token_chek", reason: "no such task; the tasks are token_check, audience_sync, campaign_metrics")) {
            try ScheduledTask.applying(["token_chek": "daily 04:30"], to: Scheduler.defaultTasks())
        }
        do {
            _ = try ScheduledTask.applying(["token_check": "daily 4"], to: Scheduler.defaultTasks())
            Issue.record("a bad spec is refused")
        } catch {
            #expect(error.description == "schedule of 'token_check': invalid schedule 'daily 4': '4' is not a time; write HH:MM in UTC, such as 05:00")
        }
    }
}
