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

            Example:
              pinads ad-group create 3 --name Subscribers --billable-event CLICKTHROUGH \\
                  --budget 20 --bid 1.5 --locations US,CA --audiences 3 \\
                  --age-buckets 25-34,35-44
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The pinads campaign id.") var campaignId: Int64
    @Option(help: "Its name (1–256 characters).") var name: String
    @Option(help: "What is paid for: IMPRESSION, CLICKTHROUGH or VIDEO_V_50_MRC.") var billableEvent: String
    @Option(help: ArgumentHelp("Budget in currency units (default 5).", valueName: "amount")) var budget: String?
    @Option(help: ArgumentHelp("Bid in currency units (default 2).", valueName: "amount")) var bid: String?
    @Option(help: "DAILY (Pinterest's default), LIFETIME (needs --end) or CBO_ADGROUP.") var budgetType: String?
    @Option(help: ArgumentHelp("When it starts (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var start: String?
    @Option(help: ArgumentHelp("When it ends (RFC 3339, or a date for 00:00 UTC).", valueName: "time")) var end: String?
    @Option(help: ArgumentHelp("Countries (US) or US DMA codes.", valueName: "list")) var locations: [String] = []
    @Option(help: ArgumentHelp("pinads audience ids to reach.", valueName: "ids")) var audiences: [String] = []
    @Option(help: ArgumentHelp("pinads audience ids to leave out.", valueName: "ids")) var excludeAudiences: [String] = []
    @Option(help: ArgumentHelp("female, male, unknown.", valueName: "list")) var genders: [String] = []
    @Option(help: ArgumentHelp("Age buckets, e.g. 25-34,35-44.", valueName: "list")) var ageBuckets: [String] = []
    @Option(help: ArgumentHelp("Languages, e.g. en,fr.", valueName: "list")) var locales: [String] = []
    @Option(help: ArgumentHelp("e.g. iphone,android_mobile,web.", valueName: "list")) var devices: [String] = []
    @Option(help: ArgumentHelp("Pinterest interest ids.", valueName: "ids")) var interests: [String] = []
    @Flag(help: "Let Pinterest reach beyond this targeting (\"Performance+\"; off by default here).") var autoTargeting = false
    @Option(help: "ACTIVE (Pinterest's default) or PAUSED.") var status: String?
    @Flag(help: "Follow the job until Pinterest has the ad group, then print its Pinterest id.") var wait = false

    func validate() throws { _ = try spec() }

    func spec() throws -> AdGroupSpec {
        let targeting = TargetingSpec(
            audiencesInclude: try Lists.ids(audiences, flag: "--audiences"),
            audiencesExclude: try Lists.ids(excludeAudiences, flag: "--exclude-audiences"), interests: Lists.items(interests),
            ageBuckets: Lists.items(ageBuckets), genders: Lists.items(genders)?.map { $0.lowercased() },
            locations: Lists.items(locations)?.map { $0.uppercased() }, locales: Lists.items(locales)?.map { $0.lowercased() },
            devices: Lists.items(devices)?.map { $0.lowercased() })
        return AdGroupSpec(
            name: name, budgetInMicroCurrency: try budget.map { try Money.micro(fromUnits: $0, flag: "--budget") },
            bidInMicroCurrency: try bid.map { try Money.micro(fromUnits: $0, flag: "--bid") }, budgetType: budgetType?.uppercased(),
            billableEvent: billableEvent.uppercased(), targeting: targeting, startTime: try start.map { try When.parse($0, flag: "--start") },
            endTime: try end.map { try When.parse($0, flag: "--end") }, autoTargetingEnabled: autoTargeting ? true : nil,
            status: status?.uppercased())
    }

    func run() throws {
        let result = try options.callWithAmounts(CreateAdGroupRequest(campaignId: campaignId, adGroup: try spec()))
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
