import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - ad-group create / list

struct CreateAdGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "An ad group in a pinads campaign, created at Pinterest by a job.",
        discussion: """
            Money is in currency units (decimals allowed); the bid must not be above the budget. Lists take \
            commas or repeated options (--locations US,CA or --locations US --locations CA). At least one \
            location is required.

            Audiences are pinads audience ids, each already synced to the campaign's ad account \
            (`pinads audience activate ID` and its first sync).

            Allowed values: genders female, male, unknown; age buckets 18-24, 25-34, 35-44, 45-49, 50-54, \
            55-64, 65+ (and 19+, 20+, 21+); devices android_mobile, android_tablet, ipad, iphone, web, \
            web_mobile; locales ISO 639-1 (en, fr); interests Pinterest interest ids.

            Bids: AUTOMATIC_BID lets Pinterest bid (no --bid; the only strategy VIDEO_COMPLETION campaigns \
            take); MAX_BID and TARGET_AVG need --bid. Without --bid-strategy it is MAX_BID with a bid, \
            AUTOMATIC_BID without. Where Pinterest requires a bid (AWARENESS paying per IMPRESSION, \
            CONSIDERATION and CATALOG_SALES paying per CLICKTHROUGH) the default is a bid of 2 with MAX_BID.

            WEB_CONVERSION campaigns need a conversion goal: --conversion-tag (an ad account's tag, from \
            `pinads tags list` or `pinads tags create`) and --conversion-event. Keywords (--keyword, repeated) \
            are created at Pinterest right after the ad group.

            Examples:
              pinads ad-group create 3 --name Subscribers --billable-event CLICKTHROUGH \\
                  --budget 20 --bid 1.5 --locations US,CA --audiences 3 \\
                  --age-buckets 25-34,35-44 --keyword "wool socks:PHRASE" \\
                  --keyword "socks:BROAD"
              pinads ad-group create 5 --name Checkouts --billable-event IMPRESSION \\
                  --budget 30 --locations US --bid-strategy AUTOMATIC_BID \\
                  --conversion-tag 2612345678901 --conversion-event CHECKOUT \\
                  --cpa-goal 12.5 --click-window 30 --view-window 1 \\
                  --engagement-window 30
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The pinads campaign id.") var campaignId: Int64
    @Option(help: "Its name (1–256 characters).") var name: String
    @Option(help: "What is paid for: IMPRESSION, CLICKTHROUGH or VIDEO_V_50_MRC.") var billableEvent: String
    @Option(help: ArgumentHelp("Budget in currency units (default 5).", valueName: "amount")) var budget: String?
    @Option(help: ArgumentHelp("Bid in currency units (default: 2 where Pinterest requires a bid, else none).", valueName: "amount"))
    var bid: String?
    @Option(help: ArgumentHelp("AUTOMATIC_BID (no --bid), MAX_BID or TARGET_AVG (both need --bid).", valueName: "strategy"))
    var bidStrategy: String?
    @Option(help: "DAILY (Pinterest's default), LIFETIME (needs --end) or CBO_ADGROUP.") var budgetType: String?
    @Option(help: ArgumentHelp("When it starts (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var start: String?
    @Option(help: ArgumentHelp("When it ends (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var end: String?
    @OptionGroup var targeting: TargetingOptions
    @Flag(help: "Let Pinterest reach beyond this targeting (\"Performance+\"; off by default here).") var autoTargeting = false
    @OptionGroup var keywords: KeywordOptions
    @OptionGroup var goal: ConversionGoalOptions
    @Option(help: "ACTIVE (Pinterest's default) or PAUSED.") var status: String?
    @Flag(help: "Follow the job until Pinterest has the ad group, then print its Pinterest id.") var wait = false

    /// Files are read in `run()`.
    func validate() throws { if targeting.targetingFile == nil, keywords.keywordsFile == nil { _ = try spec() } }

    func spec() throws -> AdGroupSpec {
        if targeting.targetingFile == "-", keywords.keywordsFile == "-" {
            throw ValidationError("only one of --targeting-file and --keywords-file can read standard input (-)")
        }
        let strategy = try bidStrategy.map { try BidStrategy.parse($0, flag: "--bid-strategy") }
        if strategy == "AUTOMATIC_BID", bid != nil {
            throw ValidationError("--bid-strategy AUTOMATIC_BID lets Pinterest set the bid: leave out --bid (or choose MAX_BID or TARGET_AVG)")
        }
        if let strategy, strategy != "AUTOMATIC_BID", bid == nil {
            throw ValidationError("--bid-strategy \(strategy) needs --bid AMOUNT")
        }
        return AdGroupSpec(
            name: name, budgetInMicroCurrency: try budget.map { try Money.micro(fromUnits: $0, flag: "--budget") },
            bidInMicroCurrency: try bid.map { try Money.micro(fromUnits: $0, flag: "--bid") }, budgetType: budgetType?.uppercased(),
            billableEvent: billableEvent.uppercased(), targeting: try targeting.spec() ?? TargetingSpec(),
            startTime: try start.map { try When.parse($0, flag: "--start") }, endTime: try end.map { try When.parse($0, flag: "--end") },
            autoTargetingEnabled: autoTargeting ? true : nil, status: status?.uppercased(), bidStrategyType: strategy,
            optimizationGoal: try goal.spec(), keywords: try keywords.specs())
    }

    func run() throws {
        let result = try options.callWithAmounts(CreateAdGroupRequest(campaignId: campaignId, adGroup: try Usage.checked(spec)))
        let following = wait && result.jobId != nil
        if options.json {
            Output.printJSON(result, pretty: !following)
        } else {
            let g = result.adGroup
            print("ad group \(g.id) '\(g.spec.name)' in campaign \(g.campaignId): \(BuildText.state(g.state, g.pinterestId, g.error))")
        }
        try BuildText.finish(
            job: result.jobId, wait: wait, options: options,
            hint: { "job \($0) creates it at Pinterest (its campaign first, if need be); follow it with: pinads jobs watch \($0)" }
        ) { _ in
            let groups = try options.call(ListAdGroupsRequest(campaignId: campaignId)).adGroups
            guard let g = groups.first(where: { $0.id == result.adGroup.id }) else { return }
            if options.json {
                Output.printJSON(AdGroupJobResult(adGroup: g, jobId: result.jobId), pretty: false)
            } else {
                print("ad group \(g.id): \(BuildText.state(g.state, g.pinterestId, g.error))")
            }
        }
    }
}

struct ListAdGroups: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Ad groups of one campaign, or all.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this pinads campaign's.") var campaign: Int64?

    func run() throws {
        let result = try options.call(ListAdGroupsRequest(campaignId: campaign))
        if options.printJSONIfAsked(result) { return }
        if result.adGroups.isEmpty {
            print("no ad groups; add one with `pinads ad-group create CAMPAIGN_ID --name NAME --billable-event CLICKTHROUGH --locations US`")
            return
        }
        Output.table(
            ["ID", "CAMPAIGN", "NAME", "BILLABLE", "BUDGET", "BID", "STATE", "PINTEREST ID", "ERROR"],
            result.adGroups.map { g in
                [
                    String(g.id), String(g.campaignId), g.spec.name, g.spec.billableEvent,
                    g.spec.budgetInMicroCurrency.map(Money.units) ?? "-", g.spec.bidInMicroCurrency.map(Money.units) ?? "-",
                    g.state.rawValue, g.pinterestId ?? "-", g.error?.message ?? "",
                ]
            })
    }
}
