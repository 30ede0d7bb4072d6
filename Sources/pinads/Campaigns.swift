import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - Command groups

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Pinterest campaigns: launch them (campaign → ad group → ad), change, pause, resume or archive them, read their metrics.",
        discussion: """
            pinads keeps each campaign, ad group and ad as a row first and creates it at Pinterest in a job: its \
            state is PENDING until Pinterest has it, then CREATED with its Pinterest id, or ERROR with Pinterest's \
            reason. Campaigns start PAUSED unless --status ACTIVE: nothing spends until you say so. Changes \
            (update, pause, resume, archive) go the same way: recorded, then sent by a job, made once.

            Money on the command line is in units of the ad account's currency (50 or 12.5); the protocol and \
            --json carry micro-currency (1 unit = 1,000,000).

            Metrics of every campaign made here (and of those tracked) are pulled from Pinterest every 6 hours by \
            the campaign_metrics task; `pinads schedule run campaign_metrics` pulls now.

            All three levels at once (safe to run again), then a day's work:
              pinads campaign launch --file plan.json --client-request-id spring-27 --wait
              pinads campaign resume 3           (it was launched PAUSED)
              pinads campaign update 3 --daily-budget 80
              pinads campaign metrics 3 --level ad-group
              pinads campaign show 3 --refresh   (status, review, drift)
              pinads campaign pause 3
            Or level by level:
              pinads campaign create "Winter sale" --objective CONSIDERATION \\
                  --daily-budget 50 --wait
              pinads ad-group create 3 --name Subscribers --billable-event CLICKTHROUGH \\
                  --budget 20 --bid 1.5 --locations US --audiences 3 --wait
              pinads ad create 1 --pin 813744226420795884 \\
                  --destination-url https://shop.example.com/winter --wait
              pinads campaign metrics 3
            """,
        subcommands: [
            CreateCampaign.self, LaunchCampaign.self, ListCampaigns.self, ShowCampaign.self, UpdateCampaign.self, PauseCampaign.self,
            ResumeCampaign.self, ArchiveCampaign.self, TrackCampaign.self, CampaignMetrics.self,
        ],
        defaultSubcommand: ListCampaigns.self)
}

struct AdGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ad-group",
        abstract: "Ad groups: budget, bid, targeting and keywords inside a campaign made by pinads.",
        discussion: """
            An ad group is created at Pinterest by a job, after its campaign (which is created first if Pinterest \
            does not have it yet). Audiences in its targeting are pinads audience ids, synced to the campaign's ad \
            account. Changes (update, pause, resume, archive) are sent by a job too.

            Examples:
              pinads ad-group create 3 --name Subscribers --billable-event CLICKTHROUGH \\
                  --budget 20 --bid 1.5 --locations US,CA --audiences 3 \\
                  --keyword "wool socks:PHRASE"
              pinads ad-group update 1 --budget 30 --bid-strategy TARGET_AVG --bid 1.2
              pinads ad-group pause 1
            """,
        subcommands: [CreateAdGroup.self, ListAdGroups.self, UpdateAdGroup.self, PauseAdGroup.self, ResumeAdGroup.self, ArchiveAdGroup.self],
        defaultSubcommand: ListAdGroups.self)
}

struct AdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ad",
        abstract: "Ads: a promoted Pin in an ad group made by pinads.",
        discussion: """
            An ad is created at Pinterest by a job, after its ad group and campaign (created first when Pinterest \
            does not have them yet). Changes (update, pause, resume, archive) are sent by a job too; \
            `pinads campaign show ID --refresh` shows Pinterest's review of each ad.

            Examples:
              pinads ad create 1 --pin 813744226420795884 \\
                  --destination-url https://shop.example.com/winter --wait
              pinads ad update 1 --destination-url https://shop.example.com/winter-extended
              pinads ad pause 1
            """,
        subcommands: [CreateAd.self, ListAds.self, UpdateAd.self, PauseAd.self, ResumeAd.self, ArchiveAd.self],
        defaultSubcommand: ListAds.self)
}

// MARK: - campaign create

struct CreateCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "A campaign, created at Pinterest by a job (PAUSED unless --status ACTIVE).",
        discussion: """
            Budgets are in units of the ad account's currency, decimals allowed (12.5); give a daily or a \
            lifetime budget, not both. Times are RFC 3339 (2027-03-01T00:00:00Z, or with an offset: \
            2027-03-01T09:00:00+01:00); a bare date means 00:00 UTC.

            --client-request-id makes the call safe to repeat: a second call with the same id returns the first \
            campaign instead of making another.

            Examples:
              pinads campaign create "Winter sale 2026" --objective CONSIDERATION \\
                  --daily-budget 50 --start 2026-12-01 --end 2027-01-06
              pinads campaign create Spring --objective AWARENESS --lifetime-budget 300 \\
                  --client-request-id spring-2027 --wait
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Its name (1–256 characters).") var name: String
    @Option(help: "AWARENESS, CONSIDERATION, WEB_CONVERSION, CATALOG_SALES or VIDEO_COMPLETION.") var objective: String
    @Option(help: ArgumentHelp("Most it may spend a day, in currency units (e.g. 50 or 12.5).", valueName: "amount"))
    var dailyBudget: String?
    @Option(help: ArgumentHelp("Most it may spend in all, in currency units.", valueName: "amount"))
    var lifetimeBudget: String?
    @Option(help: "PAUSED (the default: nothing spends until it is ACTIVE) or ACTIVE.") var status: String?
    @Option(help: ArgumentHelp("When it starts (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var start: String?
    @Option(help: ArgumentHelp("When it ends (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var end: String?
    @Option(help: "The ad account (default: the default one; see `pinads accounts`).") var adAccount: String?
    @Option(help: ArgumentHelp("An id of your choosing that makes a retry return this campaign instead of a second one.", valueName: "id"))
    var clientRequestId: String?
    @Flag(help: "Follow the job until Pinterest has the campaign, then print its Pinterest id.") var wait = false

    func validate() throws { _ = try spec() }

    func spec() throws -> CampaignSpec {
        let daily = try dailyBudget.map { try Money.micro(fromUnits: $0, flag: "--daily-budget") }
        let lifetime = try lifetimeBudget.map { try Money.micro(fromUnits: $0, flag: "--lifetime-budget") }
        if daily != nil, lifetime != nil {
            throw ValidationError("give --daily-budget or --lifetime-budget, not both (Pinterest takes one spend cap per campaign)")
        }
        return CampaignSpec(
            adAccountId: adAccount, name: name, objectiveType: objective.uppercased(), dailySpendCap: daily, lifetimeSpendCap: lifetime,
            status: status?.uppercased(), startTime: try start.map { try When.parse($0, flag: "--start") },
            endTime: try end.map { try When.parse($0, flag: "--end") })
    }

    func run() throws {
        let result = try options.callWithAmounts(CreateCampaignRequest(campaign: try spec(), clientRequestId: clientRequestId))
        let following = wait && result.jobId != nil
        if options.json {
            Output.printJSON(result, pretty: !following)
        } else {
            let c = result.campaign
            print("campaign \(c.id) '\(c.spec?.name ?? name)' on ad account \(c.adAccountId): \(BuildText.state(c.state, c.pinterestId, c.error))")
            if result.jobId == nil, c.state == .created { print("Pinterest has it already (this client request id was used before)") }
        }
        try BuildText.finish(
            job: result.jobId, wait: wait, options: options,
            hint: { "job \($0) creates it at Pinterest; follow it with: pinads jobs watch \($0) (or pinads campaign show \(result.campaign.id))" }
        ) { _ in
            let detail = try options.call(GetCampaignRequest(campaignId: result.campaign.id))
            if options.json {
                Output.printJSON(detail, pretty: false)
            } else {
                let c = detail.campaign
                print("campaign \(c.id): \(BuildText.state(c.state, c.pinterestId, c.error))")
            }
        }
    }
}

// MARK: - campaign list / show / track

struct ListCampaigns: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Campaigns made or tracked by pinads.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this ad account's.") var adAccount: String?

    func run() throws {
        let result = try options.call(ListCampaignsRequest(adAccountId: adAccount))
        if options.printJSONIfAsked(result) { return }
        if result.campaigns.isEmpty {
            print("no campaigns; make one with `pinads campaign create NAME --objective AWARENESS` or follow one with `pinads campaign track PINTEREST_ID`")
            return
        }
        Output.table(
            ["ID", "AD ACCOUNT", "NAME", "OBJECTIVE", "STATUS", "STATE", "PINTEREST ID"],
            result.campaigns.map { c in
                [
                    String(c.id), c.adAccountId, c.spec?.name ?? "(tracked)", c.spec?.objectiveType ?? "-",
                    c.pinterestStatus ?? c.spec?.status ?? "-", c.state.rawValue, c.pinterestId ?? "-",
                ]
            })
    }
}

struct ShowCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One campaign with its ad groups and ads: states, Pinterest ids, errors, what Pinterest says.",
        discussion: """
            For each level: what pinads asked (budgets in currency units, bid strategy, targeting, keywords, \
            conversion goal), Pinterest's state as last read (status, summary status; for ads the review \
            status and rejection reasons), fields changed at Pinterest since pinads set them (drift, e.g. a \
            budget raised in Ads Manager: "changed at Pinterest: daily_spend_cap pinads 50.00 → Pinterest \
            80.00"), and the latest update with its state (QUEUED, APPLIED or REFUSED and why).

            --refresh reads Pinterest first; without it the answer is what pinads last read.

            Example:
              pinads campaign show 3 --refresh
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (pinads', as in `pinads campaign list`).") var id: Int64
    @Flag(help: "Read the campaign, its ad groups and ads from Pinterest first: status, review, changes made there.") var refresh = false

    func run() throws {
        let detail = try options.call(GetCampaignRequest(campaignId: id, refresh: refresh ? true : nil))
        if options.printJSONIfAsked(detail) { return }
        BuildText.describe(detail)
    }
}

struct TrackCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Pull metrics for a campaign made outside pinads (by its Pinterest id).",
        discussion: "A tracked campaign gets a pinads id for `pinads campaign metrics ID`; pinads does not add ad groups to it.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Pinterest's campaign id (digits).") var pinterestCampaignId: String
    @Option(help: "Its ad account (default: the default one).") var adAccount: String?

    func run() throws {
        let result = try options.call(TrackCampaignRequest(campaignId: pinterestCampaignId, adAccountId: adAccount))
        if options.printJSONIfAsked(result) { return }
        let c = result.campaign
        print("Pinterest campaign \(c.pinterestId ?? pinterestCampaignId) on ad account \(c.adAccountId) is tracked as campaign \(c.id)")
        print("metrics are pulled every 6 hours (`pinads schedule run campaign_metrics` pulls now); read them with: pinads campaign metrics \(c.id)")
    }
}
