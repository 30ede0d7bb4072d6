import Foundation
import PinAdsJSON

/// A recurring task: at each slot of `spec` the `Scheduler` queues one job of `jobKind` with
/// `payload`. The task body is that job's handler.
public struct ScheduledTask: Sendable, Equatable {
    /// Stable name, shown by `schedule.list` and taken by `schedule.run`; part of the stored row
    /// and of each run's dedupe key. Lowercase letters, digits and `_`.
    public var name: String
    public var spec: ScheduleSpec
    public var jobKind: String
    public var payload: JSONValue
    /// A disabled task is listed and can be run by hand, but is not run on its schedule.
    public var enabled: Bool

    public init(name: String, spec: ScheduleSpec, jobKind: String, payload: JSONValue = [:], enabled: Bool = true) {
        self.name = name
        self.spec = spec
        self.jobKind = jobKind
        self.payload = payload
        self.enabled = enabled
    }

    /// Checks tokens daily at 05:00 UTC: refresh what is due, flag refresh tokens near expiry.
    public static let tokenCheck = ScheduledTask(
        name: "token_check", spec: .daily(hour: 5, minute: 0), jobKind: "connections.token_check")
    /// Syncs every audience to Pinterest, daily at 06:00 UTC.
    public static let audienceSync = ScheduledTask(
        name: "audience_sync", spec: .daily(hour: 6, minute: 0), jobKind: "audiences.sync_all")
    /// Pulls campaign metrics every 6 hours: 00:00, 06:00, 12:00 and 18:00 UTC.
    public static let campaignMetrics = ScheduledTask(
        name: "campaign_metrics", spec: .every(hours: 6, atHour: 0, minute: 0), jobKind: "campaigns.pull_metrics")

    /// Changes the schedule of some of `tasks`: `overrides` maps a task name to a spec text, or
    /// to `off` to disable it (`on` enables it with its default spec). For a config file or
    /// repeated `--schedule NAME=SPEC` flags.
    public static func applying(_ overrides: [String: String], to tasks: [ScheduledTask]) throws(ScheduleOverrideError) -> [ScheduledTask] {
        let known = tasks.map(\.name)
        for name in overrides.keys.sorted() where !known.contains(name) {
            throw ScheduleOverrideError(task: name, reason: "no such task; the tasks are \(known.joined(separator: ", "))")
        }
        return try tasks.map { (task: ScheduledTask) throws(ScheduleOverrideError) -> ScheduledTask in
            guard let text = overrides[task.name] else { return task }
            var changed = task
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "off":
                changed.enabled = false
            case "on":
                changed.enabled = true
            default:
                do throws(ScheduleSpecError) {
                    changed.spec = try ScheduleSpec(parsing: text)
                    changed.enabled = true
                } catch {
                    throw ScheduleOverrideError(task: task.name, reason: error.description)
                }
            }
            return changed
        }
    }
}

/// A schedule override that cannot apply.
public struct ScheduleOverrideError: Error, Sendable, Equatable, CustomStringConvertible {
    public var task: String
    public var reason: String
    public var description: String { "schedule of '\(task)': \(reason)" }
}
