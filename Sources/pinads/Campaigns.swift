import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

// MARK: - Command groups

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Pinterest campaigns: create or launch them (campaign → ad group → ad), track them, read their metrics.",
        discussion: """
            pinads keeps each campaign, ad group and ad as a row first and creates it at Pinterest in a job: its \
            state is PENDING until Pinterest has it, then CREATED with its Pinterest id, or ERROR with Pinterest's \
            reason. Campaigns start PAUSED unless --status ACTIVE: nothing spends until you say so.

            Money on the command line is in units of the ad account's currency (50 or 12.5); the protocol and \
            --json carry micro-currency (1 unit = 1,000,000).

            Metrics of every campaign made here (and of those tracked) are pulled from Pinterest every 6 hours by \
            the campaign_metrics task; `pinads schedule run campaign_metrics` pulls now.

            All three levels at once (safe to run again):
              pinads campaign launch --file plan.json --client-request-id spring-27 --wait
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
            CreateCampaign.self, LaunchCampaign.self, ListCampaigns.self, ShowCampaign.self, TrackCampaign.self, CampaignMetrics.self,
        ],
        defaultSubcommand: ListCampaigns.self)
}

struct AdGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ad-group",
        abstract: "Ad groups: budget, bid and targeting inside a campaign made by pinads.",
        discussion: """
            An ad group is created at Pinterest by a job, after its campaign (which is created first if Pinterest \
            does not have it yet). Audiences in its targeting are pinads audience ids, synced to the campaign's ad \
            account.

            Example:
              pinads ad-group create 3 --name Subscribers --billable-event CLICKTHROUGH \\
                  --budget 20 --bid 1.5 --locations US,CA --audiences 3
            """,
        subcommands: [CreateAdGroup.self, ListAdGroups.self],
        defaultSubcommand: ListAdGroups.self)
}

struct AdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ad",
        abstract: "Ads: a promoted Pin in an ad group made by pinads.",
        discussion: """
            An ad is created at Pinterest by a job, after its ad group and campaign (created first when Pinterest \
            does not have them yet).

            Example:
              pinads ad create 1 --pin 813744226420795884 \\
                  --destination-url https://shop.example.com/winter --wait
            """,
        subcommands: [CreateAd.self, ListAds.self],
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

// MARK: - campaign launch

struct LaunchCampaign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Campaign, ad group and ad from one plan file, built at Pinterest as one job; safe to run again.",
        discussion: """
            The plan is a JSON object in the protocol's shape: snake_case names, money in micro-currency \
            (1 unit = 1,000,000), times RFC 3339. Fields pinads does not know are refused rather than ignored.
              {
                "campaign": {"name": "Spring 2027", "objective_type": "AWARENESS",
                             "lifetime_spend_cap": 300000000},
                "ad_group": {"name": "Spring: lookalikes", "billable_event": "IMPRESSION",
                             "budget_in_micro_currency": 10000000,
                             "bid_in_micro_currency": 3000000,
                             "targeting": {"locations": ["US"], "audiences_include": [3]}},
                "ad": {"pin_id": "813744226420801337", "creative_type": "VIDEO",
                       "destination_url": "https://shop.example.com/spring"},
                "client_request_id": "spring-2027"
              }

            The client request id (in the file, or --client-request-id, which wins) names the launch: running it \
            again with the same id resumes it from the first level Pinterest does not have, and retries levels \
            Pinterest refused; it never makes a second campaign. Use a new id for a new launch.
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: ArgumentHelp("The plan (JSON); - reads standard input.", valueName: "plan.json")) var file: String
    @Option(help: ArgumentHelp("Names this launch (overrides the file's client_request_id).", valueName: "id"))
    var clientRequestId: String?
    @Flag(help: "Follow the job until all three levels exist at Pinterest, then print their Pinterest ids.") var wait = false

    func run() throws {
        let request: LaunchCampaignRequest
        do {
            request = try LaunchPlan.load(path: file, clientRequestId: clientRequestId)
        } catch let error as ValidationError {
            Output.printError(error.message)
            throw ExitCode(64)
        }
        let result = try options.call(request)
        let following = wait && result.jobId != nil
        if options.json {
            Output.printJSON(result, pretty: !following)
        } else {
            if result.resumed {
                print("launch '\(request.clientRequestId)' was started before; resuming it:")
            } else {
                print("launch '\(request.clientRequestId)' queued:")
            }
            BuildText.levels(campaign: result.campaign, adGroup: result.adGroup, ad: result.ad)
            if result.jobId == nil { print("all three exist at Pinterest; nothing to do") }
        }
        try BuildText.finish(
            job: result.jobId, wait: wait, options: options,
            hint: { "job \($0) builds what is missing; follow it with: pinads jobs watch \($0) (then pinads campaign show \(result.campaign.id))" }
        ) { ok in
            let detail = try options.call(GetCampaignRequest(campaignId: result.campaign.id))
            if options.json {
                Output.printJSON(detail, pretty: false)
            } else {
                BuildText.levels(
                    campaign: detail.campaign, adGroup: detail.adGroups.first { $0.id == result.adGroup.id } ?? result.adGroup,
                    ad: detail.ads.first { $0.id == result.ad.id } ?? result.ad)
                if !ok {
                    print("run `pinads campaign launch --file \(file) --client-request-id \(request.clientRequestId)` again to resume once the cause is fixed")
                }
            }
        }
    }
}

/// Where JSONSerialization found a JSON syntax error, if it says.
enum JSONPlanError {
    static func position(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }
}

/// Reading a launch plan file into the protocol's request.
enum LaunchPlan {
    static func load(path: String, clientRequestId: String?) throws -> LaunchCampaignRequest {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw ValidationError("--file: cannot read \(path)") }
            data = contents
        }
        return try parse(data, name: path == "-" ? "the plan" : path, clientRequestId: clientRequestId)
    }

    static func parse(_ data: Data, name: String, clientRequestId: String?) throws -> LaunchCampaignRequest {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            // Foundation's JSONDecoder does not say where; JSONSerialization does.
            let detail = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil
                ? JSONPlanError.position(data) : nil
            throw ValidationError("\(name) is not valid JSON\(detail.map { " (\($0))" } ?? "")")
        }
        guard case .object(var object) = value else {
            throw ValidationError("\(name) must hold a JSON object {\"campaign\": {…}, \"ad_group\": {…}, \"ad\": {…}}, got \(value.typeName)")
        }
        if let clientRequestId {
            object["client_request_id"] = .string(clientRequestId)
        }
        let given = object["client_request_id"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        if given.isEmpty {
            throw ValidationError(
                """
                a launch needs a client request id: give --client-request-id ID (or "client_request_id" in \(name)). \
                It is what makes a retry safe: launching again with the same id resumes that launch where it stopped \
                instead of creating a second campaign at Pinterest. Choose one per launch (e.g. spring-2027 or a UUID) and keep it.
                """)
        }
        let request: LaunchCampaignRequest
        do {
            request = try Wire.decoder().decode(LaunchCampaignRequest.self, from: Wire.encoder().encode(JSONValue.object(object)))
        } catch {
            throw ValidationError("\(name): \(describe(error))")
        }
        // JSON decoding drops fields it does not know: a misspelt budget would vanish silently.
        let known = try JSONDecoder().decode(JSONValue.self, from: Wire.encoder().encode(request))
        let unknown = unknownFields(.object(object), known: known, path: "")
        if !unknown.isEmpty {
            throw ValidationError(
                "\(name): unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); pinads would ignore \(unknown.count == 1 ? "it" : "them"). Names are the protocol's (snake_case), money is micro-currency: \"daily_spend_cap\": 50000000 is 50.")
        }
        return request
    }

    /// Paths of non-null fields in `given` that do not survive a decode and encode.
    static func unknownFields(_ given: JSONValue, known: JSONValue, path: String) -> [String] {
        switch (given, known) {
        case (.object(let object), .object(let knownObject)):
            return object.keys.sorted().flatMap { key -> [String] in
                let value = object[key] ?? .null
                if value == .null { return [] }
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = knownObject[key] else { return [child] }
                return unknownFields(value, known: knownValue, path: child)
            }
        case (.array(let items), .array(let knownItems)):
            return items.enumerated().flatMap { index, item in
                index < knownItems.count ? unknownFields(item, known: knownItems[index], path: "\(path)[\(index)]") : []
            }
        default:
            return []
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the top level" : text
        }
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is Int64.Type, is Int.Type: return "a whole number"
            case is String.Type: return "a string"
            case is Bool.Type: return "true or false"
            case is Date.Type: return "an RFC 3339 time"
            case is [String].Type: return "an array of strings"
            case is [Int64].Type: return "an array of whole numbers"
            default: return "\(type)"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be \(kind(type)), not null"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(kind(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? context.debugDescription : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
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
        commandName: "show", abstract: "One campaign with its ad groups and ads: states, Pinterest ids, errors.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (pinads', as in `pinads campaign list`).") var id: Int64
    @Flag(help: "Read the campaign's status from Pinterest first.") var refresh = false

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

// MARK: - campaign metrics

struct CampaignMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Daily spend, impressions, clicks, saves and conversions, with totals and rates.",
        discussion: """
            Read from what pinads stored; the campaign_metrics task pulls from Pinterest every 6 hours \
            (`pinads schedule run campaign_metrics` pulls now). Dates are UTC days, both ends included; by \
            default the last 7 days ending today. Money is in units of the ad account's currency.

            Rates: CTR = clicks / impressions, CPC = spend / clicks, CPM = spend per 1,000 impressions, \
            ROAS = conversion value / spend ("-" when there is nothing to divide by).

            Examples:
              pinads campaign metrics
              pinads campaign metrics 3 --from 2026-11-01 --to 2026-11-30
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (every tracked campaign when omitted).") var id: Int64?
    @Option(help: ArgumentHelp("First day, YYYY-MM-DD (UTC; default: 6 days before --to).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Last day, YYYY-MM-DD (UTC; default: today).", valueName: "date")) var to: String?

    func validate() throws { _ = try range(now: Date()) }

    func range(now: Date) throws -> (from: String, to: String) {
        if let from, !Day.isDay(from) { throw ValidationError("--from must be a date as YYYY-MM-DD, got '\(from)'") }
        if let to, !Day.isDay(to) { throw ValidationError("--to must be a date as YYYY-MM-DD, got '\(to)'") }
        let last = to ?? Day.string(now)
        let first = from ?? Day.string(Day.date(last).addingTimeInterval(-6 * 86_400))
        guard first <= last else { throw ValidationError("--from (\(first)) is after --to (\(last))") }
        return (first, last)
    }

    func run() throws {
        let (first, last) = try range(now: Date())
        let result = try options.call(CampaignMetricsRequest(campaignId: id, from: first, to: last))
        if options.printJSONIfAsked(result) { return }
        let what = id.map { "campaign \($0)" } ?? "tracked campaigns"
        if result.rows.isEmpty {
            print("no metrics for \(what) from \(first) to \(last); they are pulled every 6 hours (`pinads schedule run campaign_metrics` pulls now)")
            return
        }
        let t = result.totals
        var rows = result.rows.map { r in
            [
                r.date, String(r.campaignId), Money.cents(r.spendMicro), String(r.impressions), String(r.clicks), String(r.saves),
                r.conversions.map(String.init) ?? "-", r.conversionValueMicro.map(Money.cents) ?? "-",
            ]
        }
        rows.append([
            "total", "", Money.cents(t.spendMicro), String(t.impressions), String(t.clicks), String(t.saves), String(t.conversions),
            Money.cents(t.conversionValueMicro),
        ])
        print("\(what), \(first) to \(last) (UTC)")
        Output.table(["DATE", "CAMPAIGN", "SPEND", "IMPRESSIONS", "CLICKS", "SAVES", "CONVERSIONS", "VALUE"], rows)
        print(MetricsText.rates(t))
        if let pulled = result.pulledAt { print("pulled from Pinterest \(Timestamp.format(pulled))") }
    }
}

enum MetricsText {
    static func rates(_ t: MetricsTotals) -> String {
        let ctr = t.ctr.map { String(format: "%.2f%%", $0 * 100) } ?? "-"
        let roas = t.roas.map { String(format: "%.2f", $0) } ?? "-"
        return "CTR \(ctr)  CPC \(Money.cents(t.cpcMicro))  CPM \(Money.cents(t.cpmMicro))  ROAS \(roas)"
    }
}

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

// MARK: - ad create / list

struct CreateAd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "An ad (a promoted Pin) in a pinads ad group, created at Pinterest by a job.",
        discussion: """
            Creative types: REGULAR (default), VIDEO, SHOPPING, CAROUSEL, MAX_VIDEO, SHOP_THE_PIN, COLLECTION, \
            IDEA, SHOWCASE, QUIZ, COLLAGE, MAX_WIDTH_REGULAR_COLLECTION, MAX_WIDTH_VIDEO_COLLECTION. The Pin's \
            own kind decides which fits (a video Pin is VIDEO).

            Example:
              pinads ad create 1 --pin 813744226420795884 \\
                  --destination-url https://shop.example.com/winter --wait
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "The pinads ad group id.") var adGroupId: Int64
    @Option(help: ArgumentHelp("The Pin to promote (Pinterest's Pin id, digits).", valueName: "pin-id")) var pin: String
    @Option(help: "How the Pin is shown: REGULAR, VIDEO, SHOPPING, CAROUSEL… (see above).") var creativeType = "REGULAR"
    @Option(help: "Its name.") var name: String?
    @Option(help: ArgumentHelp("Where a click goes (http or https).", valueName: "url")) var destinationUrl: String?
    @Option(help: ArgumentHelp("A URL Pinterest calls on each click, for your tracking.", valueName: "url")) var clickTrackingUrl: String?
    @Option(help: "ACTIVE (Pinterest's default) or PAUSED.") var status: String?
    @Flag(help: "Follow the job until Pinterest has the ad, then print its Pinterest id.") var wait = false

    func run() throws {
        let spec = AdSpec(
            pinId: pin, creativeType: creativeType.uppercased(), name: name, clickTrackingUrl: clickTrackingUrl, destinationUrl: destinationUrl,
            status: status?.uppercased())
        let result = try options.call(CreateAdRequest(adGroupId: adGroupId, ad: spec))
        let following = wait && result.jobId != nil
        if options.json {
            Output.printJSON(result, pretty: !following)
        } else {
            let a = result.ad
            print("ad \(a.id) (Pin \(a.spec.pinId), \(a.spec.creativeType)) in ad group \(a.adGroupId): \(BuildText.state(a.state, a.pinterestId, a.error))")
        }
        try BuildText.finish(
            job: result.jobId, wait: wait, options: options,
            hint: { "job \($0) creates it at Pinterest (its ad group and campaign first, if need be); follow it with: pinads jobs watch \($0)" }
        ) { _ in
            let ads = try options.call(ListAdsRequest(adGroupId: adGroupId)).ads
            guard let a = ads.first(where: { $0.id == result.ad.id }) else { return }
            if options.json {
                Output.printJSON(AdJobResult(ad: a, jobId: result.jobId), pretty: false)
            } else {
                print("ad \(a.id): \(BuildText.state(a.state, a.pinterestId, a.error))")
            }
        }
    }
}

struct ListAds: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Ads of one ad group, or all.")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only this pinads ad group's.") var adGroup: Int64?

    func run() throws {
        let result = try options.call(ListAdsRequest(adGroupId: adGroup))
        if options.printJSONIfAsked(result) { return }
        if result.ads.isEmpty {
            print("no ads; add one with `pinads ad create AD_GROUP_ID --pin PIN_ID`")
            return
        }
        Output.table(
            ["ID", "AD GROUP", "NAME", "PIN", "TYPE", "STATE", "PINTEREST ID", "ERROR"],
            result.ads.map { a in
                [
                    String(a.id), String(a.adGroupId), a.spec.name ?? "-", a.spec.pinId, a.spec.creativeType, a.state.rawValue,
                    a.pinterestId ?? "-", a.error?.message ?? "",
                ]
            })
    }
}

// MARK: - Text

/// Campaigns, ad groups and ads as text, and following their build jobs.
enum BuildText {
    static func state(_ state: BuildState, _ pinterestId: String?, _ error: BuildError?) -> String {
        switch state {
        case .created: return "CREATED, Pinterest id \(pinterestId ?? "?")"
        case .pending: return "PENDING (not at Pinterest yet)"
        case .error: return "ERROR — \(error.map(message) ?? "Pinterest refused it")"
        }
    }

    static func message(_ error: BuildError) -> String {
        error.message + (error.pinterestCode.map { " (Pinterest code \($0))" } ?? "")
    }

    /// What a create ends with: without --wait, how to follow its job (`hint`, given the job id);
    /// with it, the job followed, then `after` (told whether it succeeded) shows the result, and
    /// a failed job makes the exit status 1. Nothing when no job was needed.
    static func finish(
        job: Int64?, wait: Bool, options: ClientOptions, hint: (Int64) -> String, after: (_ succeeded: Bool) throws -> Void
    ) throws {
        guard let job else { return }
        guard wait else {
            if !options.json { print(hint(job)) }
            return
        }
        let succeeded = try follow(job: job, options: options)
        try after(succeeded)
        if !succeeded { throw ExitCode(1) }
    }

    /// Follows a build job with one line per change (JSON lines with --json); true when it succeeded.
    static func follow(job: Int64, options: ClientOptions) throws -> Bool {
        do {
            try WatchJobs.follow(ids: [job], options: options)
            return true
        } catch is ExitCode {
            return false
        }
    }

    static func levels(campaign: CampaignInfo, adGroup: AdGroupInfo, ad: AdInfo) {
        Output.table(
            ["LEVEL", "ID", "NAME", "STATE", "PINTEREST ID"],
            [
                ["campaign", String(campaign.id), campaign.spec?.name ?? "-", campaign.state.rawValue, campaign.pinterestId ?? "-"],
                ["ad group", String(adGroup.id), adGroup.spec.name, adGroup.state.rawValue, adGroup.pinterestId ?? "-"],
                ["ad", String(ad.id), ad.spec.name ?? "Pin \(ad.spec.pinId)", ad.state.rawValue, ad.pinterestId ?? "-"],
            ])
        for (level, id, error) in [("campaign", campaign.id, campaign.error), ("ad group", adGroup.id, adGroup.error), ("ad", ad.id, ad.error)] {
            if let error { print("\(level) \(id) error: \(message(error))") }
        }
    }

    static func describe(_ detail: CampaignDetail) {
        let c = detail.campaign
        print("campaign \(c.id) '\(c.spec?.name ?? "(tracked, made outside pinads)")' on ad account \(c.adAccountId): \(state(c.state, c.pinterestId, c.error))")
        if let spec = c.spec {
            var parts = ["objective \(spec.objectiveType)", "asked status \(spec.status ?? "PAUSED")"]
            if let daily = spec.dailySpendCap { parts.append("daily budget \(Money.units(daily))") }
            if let lifetime = spec.lifetimeSpendCap { parts.append("lifetime budget \(Money.units(lifetime))") }
            if spec.startTime != nil || spec.endTime != nil {
                parts.append("runs \(spec.startTime.map(Timestamp.format) ?? "now") to \(spec.endTime.map(Timestamp.format) ?? "no end")")
            }
            print("  " + parts.joined(separator: ", "))
        }
        var facts: [String] = []
        if let status = c.pinterestStatus { facts.append("Pinterest status \(status)") }
        facts.append(c.tracked ? "metrics pulled" : "metrics not pulled")
        if let crid = c.clientRequestId { facts.append("client request id \(crid)") }
        facts.append("created \(Timestamp.format(c.createdAt))")
        facts.append("updated \(Timestamp.format(c.updatedAt))")
        print("  " + facts.joined(separator: ", "))
        if detail.adGroups.isEmpty, c.spec != nil {
            print("no ad groups; add one with `pinads ad-group create \(c.id) --name NAME --billable-event CLICKTHROUGH --locations US`")
        }
        for g in detail.adGroups {
            print("ad group \(g.id) '\(g.spec.name)': \(state(g.state, g.pinterestId, g.error))")
            var parts = ["pays per \(g.spec.billableEvent)"]
            if let budget = g.spec.budgetInMicroCurrency { parts.append("budget \(Money.units(budget))\(g.spec.budgetType.map { " \($0)" } ?? "")") }
            if let bid = g.spec.bidInMicroCurrency { parts.append("bid \(Money.units(bid))") }
            if let status = g.spec.status { parts.append("status \(status)") }
            parts.append("auto targeting \(g.spec.autoTargetingEnabled == true ? "on" : "off")")
            if g.spec.startTime != nil || g.spec.endTime != nil {
                parts.append("runs \(g.spec.startTime.map(Timestamp.format) ?? "with the campaign") to \(g.spec.endTime.map(Timestamp.format) ?? "no end")")
            }
            print("  " + parts.joined(separator: ", "))
            if let targeting = g.spec.targeting.map(self.targeting), !targeting.isEmpty { print("  targeting: \(targeting)") }
            let ads = detail.ads.filter { $0.adGroupId == g.id }
            if ads.isEmpty { print("  no ads; add one with `pinads ad create \(g.id) --pin PIN_ID`") }
            for a in ads {
                print("  ad \(a.id)\(a.spec.name.map { " '\($0)'" } ?? "") (Pin \(a.spec.pinId), \(a.spec.creativeType)): \(state(a.state, a.pinterestId, a.error))")
                if let url = a.spec.destinationUrl { print("    destination \(url)") }
                if let url = a.spec.clickTrackingUrl { print("    click tracking \(url)") }
            }
        }
    }

    static func targeting(_ t: TargetingSpec) -> String {
        var parts: [String] = []
        func add(_ label: String, _ values: [String]?) {
            if let values, !values.isEmpty { parts.append("\(label) \(values.joined(separator: ","))") }
        }
        add("locations", t.locations)
        add("audiences", t.audiencesInclude?.map(String.init))
        add("excluding audiences", t.audiencesExclude?.map(String.init))
        add("ages", t.ageBuckets)
        add("genders", t.genders)
        add("locales", t.locales)
        add("devices", t.devices)
        add("interests", t.interests)
        add("keywords", t.keywords)
        return parts.joined(separator: "; ")
    }
}

// MARK: - Calls

extension ClientOptions {
    /// `call` for requests that carry amounts typed in currency units: when the daemon refuses a
    /// money field, its message speaks micro-currency, so say how the two relate.
    func callWithAmounts<R: PinAdsRequest>(_ request: R) throws -> R.Result {
        let client = try connect()
        let outcome: PinAdsClient.Outcome<R.Result>
        do {
            outcome = try client.call(request)
        } catch {
            Output.fail(error)
        }
        switch outcome {
        case .result(let result):
            return result
        case .error(let error):
            if error.code == .invalidArgument, let field = error.details?["field"]?.stringValue,
                field.hasSuffix("_micro_currency") || field.hasSuffix("_spend_cap")
            {
                Output.fail(
                    error, client: client,
                    hint: "(the daemon counts micro-currency: 1,000,000 is 1 unit of currency as typed here; the default budget is 5, the default bid 2)")
            }
            Output.fail(error, client: client)
        }
    }
}

// MARK: - Pure helpers

/// Money on the command line is in currency units; Pinterest and the protocol count micro-currency.
enum Money {
    static let microPerUnit: Int64 = 1_000_000

    /// "50" → 50,000,000; "12.5" → 12,500,000; "0.000001" → 1. Exact (no floating point); more than
    /// 6 decimals, zero, negative or non-numbers are a ValidationError naming the flag.
    static func micro(fromUnits text: String, flag: String) throws -> Int64 {
        func invalid(_ reason: String) -> ValidationError { ValidationError("\(flag) \(reason), got '\(text)'") }
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("-") { throw invalid("must be a positive amount in currency units (e.g. 50 or 12.5)") }
        if body.hasPrefix("+") { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        func digits(_ s: Substring) -> Bool { s.allSatisfy { $0.isASCII && $0.isNumber } }
        guard digits(whole), digits(fraction), !(whole.isEmpty && fraction.isEmpty), !(parts.count == 2 && fraction.isEmpty) else {
            throw invalid("must be an amount in currency units such as 50 or 12.5")
        }
        guard fraction.count <= 6 else {
            throw invalid("has more than 6 decimals (Pinterest counts money in millionths of a unit)")
        }
        guard let units = whole.isEmpty ? 0 : Int64(whole),
            let micros = Int64(fraction + String(repeating: "0", count: 6 - fraction.count))
        else { throw invalid("is too large") }
        let (scaled, overflow) = units.multipliedReportingOverflow(by: microPerUnit)
        let (total, overflow2) = scaled.addingReportingOverflow(micros)
        guard !overflow, !overflow2 else { throw invalid("is too large") }
        guard total > 0 else { throw invalid("must be positive") }
        return total
    }

    /// Exact currency units with at least 2 decimals: 50,000,000 → "50.00", 1 → "0.000001".
    static func units(_ micro: Int64) -> String {
        let magnitude = micro.magnitude
        var fraction = String(magnitude % 1_000_000 + 1_000_000).dropFirst()
        while fraction.count > 2, fraction.last == "0" { fraction = fraction.dropLast() }
        return "\(micro < 0 ? "-" : "")\(magnitude / 1_000_000).\(fraction)"
    }

    /// Currency units rounded to 2 decimals (half away from zero): 12,345,000 → "12.35".
    static func cents(_ micro: Int64) -> String {
        let cents = (micro.magnitude + 5_000) / 10_000
        let text = "\(cents / 100)." + String(cents % 100 + 100).dropFirst()
        return micro < 0 && cents > 0 ? "-" + text : text
    }

    /// A derived amount (CPC, CPM) in currency units with 2 decimals; "-" when there is none.
    static func cents(_ micro: Double?) -> String {
        guard let micro, micro.isFinite else { return "-" }
        return String(format: "%.2f", micro / Double(microPerUnit))
    }
}

/// Times given on the command line.
enum When {
    /// RFC 3339 (Z or an offset, optional fraction), or YYYY-MM-DD for 00:00 UTC.
    static func parse(_ text: String, flag: String) throws -> Date {
        if let date = Timestamp.parse(text) { return date }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        if Day.isDay(text), let date = Timestamp.parse(text + "T00:00:00Z") { return date }
        throw ValidationError(
            "\(flag) must be an RFC 3339 time such as 2027-03-01T00:00:00Z or 2027-03-01T09:00:00+01:00 (or a date, for 00:00 UTC), got '\(text)'")
    }
}

/// UTC days as YYYY-MM-DD.
enum Day {
    static func calendar() -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }

    static func string(_ date: Date) -> String {
        let parts = calendar().dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// 00:00 UTC of a YYYY-MM-DD day (checked with isDay first).
    static func date(_ day: String) -> Date {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return Date(timeIntervalSince1970: 0) }
        return calendar().date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) ?? Date(timeIntervalSince1970: 0)
    }

    /// A real calendar day written as YYYY-MM-DD (2026-02-30 is not).
    static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return false }
        return string(date(text)) == text
    }
}

/// Lists given as commas, repeated options, or both.
enum Lists {
    static func items(_ values: [String]) -> [String]? {
        let items = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.isEmpty ? nil : items
    }

    static func ids(_ values: [String], flag: String) throws -> [Int64]? {
        try items(values)?.map { item in
            guard let id = Int64(item), id > 0 else { throw ValidationError("\(flag) takes pinads audience ids (numbers), got '\(item)'") }
            return id
        }
    }
}
