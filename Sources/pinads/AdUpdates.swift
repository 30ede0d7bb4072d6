import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - ad pause / resume / archive / update

/// What every ad change shares: the call, the line printed, and --wait.
enum AdUpdate {
    static func send(_ request: UpdateAdRequest, options: ClientOptions, wait: Bool) throws {
        let result = try options.call(request)
        let a = result.ad
        UpdateText.queued(
            what: "ad \(a.id)\(a.spec.name.map { " '\($0)'" } ?? " (Pin \(a.spec.pinId))")", jobId: result.jobId, latest: a.latestUpdate,
            options: options, result: result, wait: wait)
        try UpdateText.finish(what: "ad \(a.id)", jobId: result.jobId, wait: wait, options: options, show: "pinads ad list --ad-group \(a.adGroupId)") {
            let ads = try options.call(ListAdsRequest(adGroupId: a.adGroupId)).ads
            let now = ads.first { $0.id == a.id } ?? a
            return (AdJobResult(ad: now, jobId: result.jobId), now.latestUpdate)
        }
    }
}

struct PauseAd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause an ad at Pinterest (`ad resume` starts it again).",
        discussion: CampaignUpdate.howItRuns + "\n\nExample:\n  pinads ad pause 1 --wait")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad id (pinads', as in `pinads ad list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try AdUpdate.send(UpdateAdRequest(id: id, status: "PAUSED"), options: options, wait: wait) }
}

struct ResumeAd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Make an ad ACTIVE at Pinterest (it runs while its ad group and campaign are ACTIVE too).",
        discussion: CampaignUpdate.howItRuns + "\n\nExample:\n  pinads ad resume 1 --wait")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad id (pinads', as in `pinads ad list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try AdUpdate.send(UpdateAdRequest(id: id, status: "ACTIVE"), options: options, wait: wait) }
}

struct ArchiveAd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive an ad at Pinterest. ARCHIVED is final: it cannot be resumed or changed again.",
        discussion: CampaignUpdate.howItRuns + """


            Archiving asks no confirmation; to stop it for a while, use `pinads ad pause ID` instead.

            Example:
              pinads ad archive 1
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad id (pinads', as in `pinads ad list`).") var id: Int64
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func run() throws { try AdUpdate.send(UpdateAdRequest(id: id, status: "ARCHIVED"), options: options, wait: wait) }
}

struct UpdateAd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change an ad at Pinterest: name, status, destination and tracking URLs.",
        discussion: CampaignUpdate.howItRuns + """


            Only what you give changes. URLs are http or https. The Pin and the creative type cannot be \
            changed once the ad exists: make a new ad (`pinads ad create`) and archive this one. Status ARCHIVED \
            is final. A changed destination may send the ad back to Pinterest's review (`pinads campaign show \
            --refresh` shows its review status).

            Examples:
              pinads ad update 1 --destination-url https://shop.example.com/winter-sale-extended
              pinads ad update 1 --click-tracking-url "https://track.example.com/c?ad=1" --no-view-tracking-url
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad id (pinads', as in `pinads ad list`).") var id: Int64
    @Option(help: "Its new name.") var name: String?
    @Option(help: "ACTIVE, PAUSED or ARCHIVED (final).") var status: String?
    @Option(help: ArgumentHelp("Where a click goes (http or https).", valueName: "url")) var destinationUrl: String?
    @Option(help: ArgumentHelp("A URL Pinterest calls on each click, for your tracking.", valueName: "url")) var clickTrackingUrl: String?
    @Option(help: ArgumentHelp("A URL Pinterest calls on each impression, for your tracking.", valueName: "url")) var viewTrackingUrl: String?
    @Flag(help: "Remove the destination URL.") var noDestinationUrl = false
    @Flag(help: "Remove the click tracking URL.") var noClickTrackingUrl = false
    @Flag(help: "Remove the view tracking URL.") var noViewTrackingUrl = false
    @Flag(help: "Follow the job until Pinterest has the change.") var wait = false

    func validate() throws { _ = try request() }

    func request() throws -> UpdateAdRequest {
        func url(_ value: String?, clear: Bool, flag: String) throws -> Patch<String>? {
            if value != nil, clear { throw ValidationError("give --\(flag) or --no-\(flag), not both") }
            if let value {
                let lower = value.lowercased()
                guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                    throw ValidationError("--\(flag) must be an http or https URL, got '\(value)'")
                }
                return .set(value)
            }
            return clear ? .clear : nil
        }
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        let r = UpdateAdRequest(
            id: id, name: name, status: try status.map { try UpdateText.status($0, flag: "--status") },
            destinationUrl: try url(destinationUrl, clear: noDestinationUrl, flag: "destination-url"),
            clickTrackingUrl: try url(clickTrackingUrl, clear: noClickTrackingUrl, flag: "click-tracking-url"),
            viewTrackingUrl: try url(viewTrackingUrl, clear: noViewTrackingUrl, flag: "view-tracking-url"))
        if r.name == nil, r.status == nil, r.destinationUrl == nil, r.clickTrackingUrl == nil, r.viewTrackingUrl == nil {
            throw ValidationError(
                "nothing to change: give at least one of --name, --status, --destination-url, --click-tracking-url, --view-tracking-url (or a --no- one)")
        }
        return r
    }

    func run() throws { try AdUpdate.send(try request(), options: options, wait: wait) }
}
