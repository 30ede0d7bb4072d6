import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

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
        if c.pinterest == nil, let status = c.pinterestStatus { facts.append("Pinterest status \(status)") }
        facts.append(c.tracked ? "metrics pulled" : "metrics not pulled")
        if let crid = c.clientRequestId { facts.append("client request id \(crid)") }
        facts.append("created \(Timestamp.format(c.createdAt))")
        facts.append("updated \(Timestamp.format(c.updatedAt))")
        print("  " + facts.joined(separator: ", "))
        printReadings(c.pinterest, c.drift, c.latestUpdate, indent: "  ")
        if detail.adGroups.isEmpty, c.spec != nil {
            print("no ad groups; add one with `pinads ad-group create \(c.id) --name NAME --billable-event CLICKTHROUGH --locations US`")
        }
        for g in detail.adGroups {
            let elsewhere = g.madeElsewhere == true ? " (made outside pinads)" : ""
            print("ad group \(g.id) '\(g.spec.name)'\(elsewhere): \(state(g.state, g.pinterestId, g.error))")
            var parts = ["pays per \(g.spec.billableEvent)"]
            if let budget = g.spec.budgetInMicroCurrency { parts.append("budget \(Money.units(budget))\(g.spec.budgetType.map { " \($0)" } ?? "")") }
            if let bid = g.spec.bidInMicroCurrency { parts.append("bid \(Money.units(bid))") }
            if let strategy = g.spec.bidStrategyType { parts.append(strategy) }
            if let status = g.spec.status { parts.append("status \(status)") }
            parts.append("auto targeting \(g.spec.autoTargetingEnabled == true ? "on" : "off")")
            if g.spec.startTime != nil || g.spec.endTime != nil {
                parts.append("runs \(g.spec.startTime.map(Timestamp.format) ?? "with the campaign") to \(g.spec.endTime.map(Timestamp.format) ?? "no end")")
            }
            print("  " + parts.joined(separator: ", "))
            if let targeting = g.spec.targeting.map(self.targeting), !targeting.isEmpty { print("  targeting: \(targeting)") }
            if let goal = g.spec.optimizationGoal { print("  goal: \(self.goal(goal))") }
            if let keywords = keywords(g), !keywords.isEmpty { print("  keywords: \(keywords)") }
            printReadings(g.pinterest, g.drift, g.latestUpdate, indent: "  ")
            let ads = detail.ads.filter { $0.adGroupId == g.id }
            if ads.isEmpty { print("  no ads; add one with `pinads ad create \(g.id) --pin PIN_ID`") }
            for a in ads {
                let elsewhere = a.madeElsewhere == true ? " (made outside pinads)" : ""
                print("  ad \(a.id)\(a.spec.name.map { " '\($0)'" } ?? "") (Pin \(a.spec.pinId), \(a.spec.creativeType))\(elsewhere): \(state(a.state, a.pinterestId, a.error))")
                if let url = a.spec.destinationUrl { print("    destination \(url)") }
                if let url = a.spec.clickTrackingUrl { print("    click tracking \(url)") }
                if let url = a.spec.viewTrackingUrl { print("    view tracking \(url)") }
                printReadings(a.pinterest, a.drift, a.latestUpdate, indent: "    ")
            }
        }
    }

    /// What Pinterest said when last read, where it differs from pinads, and the latest update.
    static func printReadings(_ reading: PinterestReading?, _ drift: [Drift]?, _ latest: UpdateInfo?, indent: String) {
        if let reading { print(indent + UpdateText.reading(reading)) }
        for d in drift ?? [] { print(indent + UpdateText.drift(d)) }
        if let latest { print(indent + "latest " + UpdateText.latest(latest)) }
    }

    /// "CHECKOUT on tag 2612345678901, CPA goal 12.50, windows click 30 / view 1 / engagement 30 days, ROAS".
    static func goal(_ g: ConversionGoalSpec) -> String {
        var parts = ["\(g.conversionEvent) on tag \(g.conversionTagId)"]
        if let cpa = g.cpaGoalInMicroCurrency { parts.append("CPA goal \(Money.units(cpa))") }
        let windows = [("click", g.clickWindowDays), ("view", g.viewWindowDays), ("engagement", g.engagementWindowDays)]
            .compactMap { name, days in days.map { "\(name) \($0)" } }
        if !windows.isEmpty { parts.append("windows \(windows.joined(separator: " / ")) days") }
        if g.roasOptimized == true { parts.append("ROAS") }
        return parts.joined(separator: ", ")
    }

    /// Its keywords as Pinterest has them (those not created yet marked), else as asked.
    static func keywords(_ g: AdGroupInfo) -> String? {
        if let known = g.keywords {
            return known.map { "\($0.value):\($0.matchType)\($0.pinterestId == nil ? " (not at Pinterest yet)" : "")" }.joined(separator: ", ")
        }
        return g.spec.keywords?.map { "\($0.value):\($0.matchType)" }.joined(separator: ", ")
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
