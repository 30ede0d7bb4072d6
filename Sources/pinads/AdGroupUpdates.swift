import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - ad-group pause / resume / archive / update

/// What every ad group change shares: the call, the line printed, and --wait.
enum AdGroupUpdate {
    static func send(_ request: UpdateAdGroupRequest, options: ClientOptions, wait: Bool) throws {
        let result = try options.callWithAmounts(request)
        let g = result.adGroup
        UpdateText.queued(
            what: "ad group \(g.id) '\(g.spec.name)'", jobId: result.jobId, latest: g.latestUpdate, options: options, result: result, wait: wait)
        try UpdateText.finish(
            what: "ad group \(g.id)", jobId: result.jobId, wait: wait, options: options, show: "pinads campaign show \(g.campaignId)"
        ) {
            let groups = try options.call(ListAdGroupsRequest(campaignId: g.campaignId)).adGroups
            let now = groups.first { $0.id == g.id } ?? g
            return (AdGroupJobResult(adGroup: now, jobId: result.jobId), now.latestUpdate)
        }
    }
}

struct PauseAdGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause an ad group at Pinterest: its ads stop (`ad-group resume` starts them again).",
        discussion: CampaignUpdate.howItRuns + "\n\nExample:\n  pinads ad-group pause 1 --wait")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad group id (pinads', as in `pinads ad-group list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try AdGroupUpdate.send(UpdateAdGroupRequest(id: id, status: "PAUSED"), options: options, wait: wait) }
}

struct ResumeAdGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Make an ad group ACTIVE at Pinterest (it spends while its campaign is ACTIVE too).",
        discussion: CampaignUpdate.howItRuns + "\n\nExample:\n  pinads ad-group resume 1 --wait")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad group id (pinads', as in `pinads ad-group list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try AdGroupUpdate.send(UpdateAdGroupRequest(id: id, status: "ACTIVE"), options: options, wait: wait) }
}

struct ArchiveAdGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive an ad group at Pinterest. ARCHIVED is final: it cannot be resumed or changed again.",
        discussion: CampaignUpdate.howItRuns + """


            Archiving asks no confirmation; to stop it for a while, use `pinads ad-group pause ID` instead.

            Example:
              pinads ad-group archive 1
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad group id (pinads', as in `pinads ad-group list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try AdGroupUpdate.send(UpdateAdGroupRequest(id: id, status: "ARCHIVED"), options: options, wait: wait) }
}

struct UpdateAdGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change an ad group at Pinterest: name, status, budget, bid, schedule, targeting, keywords, goal.",
        discussion: CampaignUpdate.howItRuns + """


            Only what you give changes. Money is in currency units. The targeting and the keywords are each \
            replaced whole: the targeting flags (--locations, --audiences, …) or --targeting-file give the \
            complete new targeting (at least one location), and --keyword (repeated) or --keywords-file the \
            complete keyword list: keywords not in it are archived at Pinterest, new ones created. \
            --no-keywords archives them all.

            Bids: --bid-strategy AUTOMATIC_BID lets Pinterest bid and removes the bid; MAX_BID and TARGET_AVG \
            need one (--bid, or the one the ad group has). --no-bid removes the bid and sets AUTOMATIC_BID. \
            VIDEO_COMPLETION campaigns take AUTOMATIC_BID only. The budget type and the billable event cannot \
            be changed once the ad group exists. Status ARCHIVED is final.

            Examples:
              pinads ad-group update 1 --budget 30 --bid 2.25
              pinads ad-group update 1 --locations US,CA --audiences 3 --age-buckets 25-34
              pinads ad-group update 1 --keyword "wool socks:PHRASE" \\
                  --keyword "cheap socks:EXACT_NEGATIVE"
              pinads ad-group update 4 --conversion-tag 2612345678901 \\
                  --conversion-event CHECKOUT --cpa-goal 10 --wait
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad group id (pinads', as in `pinads ad-group list`).") var id: Int64
    @Option(help: "Its new name (1–256 characters).") var name: String?
    @Option(help: "ACTIVE, PAUSED or ARCHIVED (final).") var status: String?
    @Option(help: ArgumentHelp("Budget in currency units.", valueName: "amount")) var budget: String?
    @Option(help: ArgumentHelp("Bid in currency units.", valueName: "amount")) var bid: String?
    @Flag(help: "Remove the bid (and let Pinterest bid: AUTOMATIC_BID).") var noBid = false
    @Option(help: ArgumentHelp("AUTOMATIC_BID (removes the bid), MAX_BID or TARGET_AVG.", valueName: "strategy")) var bidStrategy: String?
    @Option(help: ArgumentHelp("When it starts (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var start: String?
    @Option(help: ArgumentHelp("When it ends (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var end: String?
    @Flag(help: "Remove the end time: it runs with its campaign.") var noEnd = false
    @OptionGroup var targeting: TargetingOptions
    @Flag(inversion: .prefixedNo, help: "Let Pinterest reach beyond the targeting (\"Performance+\"), or not.") var autoTargeting: Bool?
    @OptionGroup var keywords: KeywordOptions
    @Flag(help: "Archive all its keywords at Pinterest.") var noKeywords = false
    @OptionGroup var goal: ConversionGoalOptions
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    /// Files are read in `run()`.
    func validate() throws { if targeting.targetingFile == nil, keywords.keywordsFile == nil { _ = try request() } }

    func request() throws -> UpdateAdGroupRequest {
        if bid != nil, noBid { throw ValidationError("give --bid or --no-bid, not both") }
        if end != nil, noEnd { throw ValidationError("give --end or --no-end, not both") }
        if keywords.given, noKeywords { throw ValidationError("give --keyword (or --keywords-file) or --no-keywords, not both") }
        if targeting.targetingFile == "-", keywords.keywordsFile == "-" {
            throw ValidationError("only one of --targeting-file and --keywords-file can read standard input (-)")
        }
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        var strategy = try bidStrategy.map { try BidStrategy.parse($0, flag: "--bid-strategy") }
        if noBid {
            if let strategy, strategy != "AUTOMATIC_BID" {
                throw ValidationError("--no-bid leaves Pinterest to bid (AUTOMATIC_BID); --bid-strategy \(strategy) needs a bid")
            }
            strategy = "AUTOMATIC_BID"
        }
        if strategy == "AUTOMATIC_BID", bid != nil {
            throw ValidationError("--bid-strategy AUTOMATIC_BID lets Pinterest set the bid: leave out --bid (or choose MAX_BID or TARGET_AVG)")
        }
        let bidPatch: Patch<Int64>? =
            if let bid { .set(try Money.micro(fromUnits: bid, flag: "--bid")) } else if strategy == "AUTOMATIC_BID" { .clear } else { nil }
        let endPatch: Patch<Date>? = if let end { .set(try When.parse(end, flag: "--end")) } else if noEnd { .clear } else { nil }
        let r = UpdateAdGroupRequest(
            id: id, name: name, status: try status.map { try UpdateText.status($0, flag: "--status") },
            budgetInMicroCurrency: try budget.map { try Money.micro(fromUnits: $0, flag: "--budget") }, bidInMicroCurrency: bidPatch,
            bidStrategyType: strategy, startTime: try start.map { try When.parse($0, flag: "--start") }, endTime: endPatch,
            targeting: try targeting.spec(), autoTargetingEnabled: autoTargeting, optimizationGoal: try goal.spec(),
            keywords: noKeywords ? [] : try keywords.specs())
        if r.name == nil, r.status == nil, r.budgetInMicroCurrency == nil, r.bidInMicroCurrency == nil, r.bidStrategyType == nil,
            r.startTime == nil, r.endTime == nil, r.targeting == nil, r.autoTargetingEnabled == nil, r.optimizationGoal == nil, r.keywords == nil
        {
            throw ValidationError(
                "nothing to change: give at least one of --name, --status, --budget, --bid, --no-bid, --bid-strategy, --start, --end, --no-end, targeting (--locations, …, or --targeting-file), --[no-]auto-targeting, --keyword, --keywords-file, --no-keywords, --conversion-tag")
        }
        return r
    }

    func run() throws { try AdGroupUpdate.send(try Usage.checked(request), options: options, wait: wait) }
}
