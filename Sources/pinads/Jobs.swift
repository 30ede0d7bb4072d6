import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect, follow, retry and cancel background jobs.",
        subcommands: [ListJobs.self, GetJob.self, WatchJobs.self, RetryJob.self, CancelJob.self],
        defaultSubcommand: ListJobs.self)
}

extension JobState: ExpressibleByArgument {}

struct ListJobs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Jobs, newest first.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only jobs in this state: queued, running, waiting, succeeded, failed or cancelled.") var state: JobState?
    @Option(help: "Only jobs of this kind, e.g. system.selftest.") var kind: String?
    @Option(help: "At most this many (1–1000).") var limit = 50
    @Option(help: "Only jobs with a smaller id (the next page).") var beforeId: Int64?

    func run() throws {
        let result = try options.call(ListJobsRequest(state: state, kind: kind, limit: limit, beforeId: beforeId))
        if options.printJSONIfAsked(result) { return }
        if result.jobs.isEmpty {
            print("no jobs")
            return
        }
        Output.table(
            ["ID", "STATE", "KIND", "ATTEMPTS", "PROGRESS", "UPDATED", "LAST ERROR"],
            result.jobs.map { job in
                [String(job.id), job.state.rawValue, job.kind, "\(job.attempts)/\(job.maxAttempts)",
                 Output.progress(job.progress), Timestamp.format(job.updatedAt), job.lastError ?? ""]
            })
        if let next = result.nextBeforeId {
            print("more: pinads jobs list --before-id \(next)")
        }
    }
}

struct GetJob: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "One job in full.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Job id.") var id: Int64

    func run() throws {
        let job = try options.call(GetJobRequest(id: id)).job
        if options.printJSONIfAsked(JobResult(job: job)) { return }
        Output.describe(job)
    }
}

struct WatchJobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow jobs until they finish; one line per change.",
        discussion: "Exits 0 when every job succeeded, 1 when any failed or was cancelled.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Job ids (1–100).") var ids: [Int64]

    func run() throws {
        try Self.follow(ids: ids, options: options)
    }

    static func follow(ids: [Int64], options: ClientOptions) throws {
        let client = try options.connect()
        let outcome: PinAdsClient.Outcome<WatchJobsResult>
        do {
            outcome = try client.stream(WatchJobsRequest(ids: ids)) { event in
                if options.json {
                    Output.printJSON(event, pretty: false)
                } else {
                    Output.line(for: event.job)
                }
            }
        } catch {
            Output.fail(error)
        }
        switch outcome {
        case .error(let error):
            Output.fail(error)
        case .result(let result):
            if options.json { Output.printJSON(result, pretty: false) }
            if !result.jobs.allSatisfy({ $0.state == .succeeded }) { throw ExitCode(1) }
        }
    }
}

struct RetryJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue a failed or cancelled job again, with a fresh set of attempts.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Job id.") var id: Int64

    func run() throws {
        let job = try options.call(RetryJobRequest(id: id)).job
        if options.printJSONIfAsked(JobResult(job: job)) { return }
        print("job \(job.id) is \(job.state.rawValue) again; follow it with: pinads jobs watch \(job.id)")
    }
}

struct CancelJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a queued, waiting or running job.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Job id.") var id: Int64

    func run() throws {
        let job = try options.call(CancelJobRequest(id: id)).job
        if options.printJSONIfAsked(JobResult(job: job)) { return }
        if job.state == .cancelled {
            print("job \(job.id) cancelled")
        } else {
            print("job \(job.id) is running; asked it to stop (it will be cancelled when it has)")
        }
    }
}
