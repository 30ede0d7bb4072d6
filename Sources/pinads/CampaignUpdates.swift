import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - campaign pause / resume / archive / update

/// What every campaign change shares: the call, the line printed, and --wait.
enum CampaignUpdate {
    static let howItRuns = """
        A change is recorded first, then sent to Pinterest by a job (safe across a restart of the daemon: \
        after a crash it reads Pinterest's state before sending again, so a change is made once). Without \
        --wait the command answers once the change is queued; `pinads campaign show ID` shows where it stands \
        (latest update QUEUED, APPLIED or REFUSED, with Pinterest's reason).
        """

    static func send(_ request: UpdateCampaignRequest, options: ClientOptions, wait: Bool) throws {
        let result = try options.callWithAmounts(request)
        let c = result.campaign
        UpdateText.queued(
            what: "campaign \(c.id)\(c.spec.map { " '\($0.name)'" } ?? "")", jobId: result.jobId, latest: c.latestUpdate, options: options,
            result: result, wait: wait)
        try UpdateText.finish(what: "campaign \(c.id)", jobId: result.jobId, wait: wait, options: options, show: "pinads campaign show \(c.id)") {
            let detail = try options.call(GetCampaignRequest(campaignId: c.id))
            return (CampaignJobResult(campaign: detail.campaign, jobId: result.jobId), detail.campaign.latestUpdate)
        }
    }
}

struct PauseCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a campaign at Pinterest: it stops spending (`campaign resume` starts it again).",
        discussion: CampaignUpdate.howItRuns + "\n\nExample:\n  pinads campaign pause 3 --wait")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (pinads', as in `pinads campaign list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try CampaignUpdate.send(UpdateCampaignRequest(id: id, status: "PAUSED"), options: options, wait: wait) }
}

struct ResumeCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Make a campaign ACTIVE at Pinterest: it spends from now on (a launch leaves it PAUSED).",
        discussion: CampaignUpdate.howItRuns + """


            Its ad groups and ads spend only where they are ACTIVE too (`pinads ad-group resume ID`).

            Example:
              pinads campaign resume 3 --wait
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (pinads', as in `pinads campaign list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try CampaignUpdate.send(UpdateCampaignRequest(id: id, status: "ACTIVE"), options: options, wait: wait) }
}

struct ArchiveCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive a campaign at Pinterest. ARCHIVED is final: it cannot be resumed or changed again.",
        discussion: CampaignUpdate.howItRuns + """


            Archiving asks no confirmation. Pinterest keeps an archived campaign (and its metrics) but never \
            runs it again; to stop spending for a while, use `pinads campaign pause ID` instead.

            Example:
              pinads campaign archive 3
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (pinads', as in `pinads campaign list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try CampaignUpdate.send(UpdateCampaignRequest(id: id, status: "ARCHIVED"), options: options, wait: wait) }
}

struct UpdateCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a campaign at Pinterest: name, status, spend cap, schedule. Only what you give changes.",
        discussion: CampaignUpdate.howItRuns + """


            Budgets are in units of the ad account's currency (80 or 12.5). A campaign has a daily or a lifetime \
            spend cap, not both: --daily-budget removes a lifetime cap, --lifetime-budget a daily one. \
            --no-daily-budget (or --no-lifetime-budget) removes the cap, leaving the ad groups' budgets. Times \
            are RFC 3339 (2027-03-01T09:00:00+01:00) or a date for 00:00 UTC; --no-end lets it run until it is \
            paused. Status ARCHIVED is final (see `pinads campaign archive`). The objective cannot be changed.

            Examples:
              pinads campaign update 3 --daily-budget 80
              pinads campaign update 3 --lifetime-budget 500 --end 2027-01-31 --wait
              pinads campaign update 3 --name "Winter sale (extended)" --no-end
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (pinads', as in `pinads campaign list`).") var id: Int64
    @Option(help: "Its new name (1–256 characters).") var name: String?
    @Option(help: "ACTIVE, PAUSED or ARCHIVED (final).") var status: String?
    @Option(help: ArgumentHelp("Most it may spend a day, in currency units (removes a lifetime cap).", valueName: "amount"))
    var dailyBudget: String?
    @Option(help: ArgumentHelp("Most it may spend in all, in currency units (removes a daily cap).", valueName: "amount"))
    var lifetimeBudget: String?
    @Flag(help: "Remove the daily spend cap.") var noDailyBudget = false
    @Flag(help: "Remove the lifetime spend cap.") var noLifetimeBudget = false
    @Option(help: ArgumentHelp("When it starts (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var start: String?
    @Option(help: ArgumentHelp("When it ends (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var end: String?
    @Flag(help: "Remove the end time: it runs until paused.") var noEnd = false
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func validate() throws { _ = try request() }

    func request() throws -> UpdateCampaignRequest {
        if dailyBudget != nil, lifetimeBudget != nil {
            throw ValidationError("give --daily-budget or --lifetime-budget, not both (Pinterest takes one spend cap per campaign)")
        }
        if dailyBudget != nil, noDailyBudget { throw ValidationError("give --daily-budget or --no-daily-budget, not both") }
        if lifetimeBudget != nil, noLifetimeBudget { throw ValidationError("give --lifetime-budget or --no-lifetime-budget, not both") }
        if end != nil, noEnd { throw ValidationError("give --end or --no-end, not both") }
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        var request = UpdateCampaignRequest(id: id, name: name, status: try status.map { try UpdateText.status($0, flag: "--status") })
        if let dailyBudget {
            request.dailySpendCap = .set(try Money.micro(fromUnits: dailyBudget, flag: "--daily-budget"))
            request.lifetimeSpendCap = .clear
        } else if noDailyBudget {
            request.dailySpendCap = .clear
        }
        if let lifetimeBudget {
            request.lifetimeSpendCap = .set(try Money.micro(fromUnits: lifetimeBudget, flag: "--lifetime-budget"))
            request.dailySpendCap = .clear
        } else if noLifetimeBudget {
            request.lifetimeSpendCap = .clear
        }
        request.startTime = try start.map { try When.parse($0, flag: "--start") }
        if let end {
            request.endTime = .set(try When.parse(end, flag: "--end"))
        } else if noEnd {
            request.endTime = .clear
        }
        let r = request
        if r.name == nil, r.status == nil, r.dailySpendCap == nil, r.lifetimeSpendCap == nil, r.startTime == nil, r.endTime == nil {
            throw ValidationError(
                "nothing to change: give at least one of --name, --status, --daily-budget, --lifetime-budget, --no-daily-budget, --no-lifetime-budget, --start, --end, --no-end")
        }
        return request
    }

    func run() throws { try CampaignUpdate.send(try request(), options: options, wait: wait) }
}
