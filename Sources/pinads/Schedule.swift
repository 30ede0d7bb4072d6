import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recurring tasks (UTC): when they run next and how they last went; run one now.",
        subcommands: [ListSchedule.self, RunSchedule.self], defaultSubcommand: ListSchedule.self)
}

struct ListSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The recurring tasks.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        let result = try options.call(ListScheduleRequest())
        if options.printJSONIfAsked(result) { return }
        Output.table(
            ["TASK", "SPEC", "STATE", "NEXT RUN", "LAST RUN", "LAST JOB", "LAST ERROR"],
            result.tasks.map { t in
                [t.name, t.spec, t.state, t.nextRunAt.map(Timestamp.format) ?? "", t.lastRunAt.map(Timestamp.format) ?? "",
                 t.lastJobId.map { "\($0) (\(t.lastJobState?.rawValue ?? t.lastOutcome ?? ""))" } ?? "", t.lastError ?? ""]
            })
    }
}

struct RunSchedule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a task now (its schedule is unchanged).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Task name, e.g. token_check.") var task: String

    func run() throws {
        let result = try options.call(RunScheduledTaskRequest(task: task))
        if options.printJSONIfAsked(result) { return }
        print("queued job \(result.job.id) (\(result.job.kind)); follow it with: pinads jobs watch \(result.job.id)")
    }
}
