import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

// MARK: - conversions show

struct ShowConversion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "What became of one event: queued, in flight, sent or failed, with Pinterest's message.",
        discussion: """
            state        queued (stored, waiting for its batch or a retry), in_flight
                         (sent, Pinterest's answer not stored yet), sent (Pinterest
                         processed it) or failed (Pinterest refused it: not retried;
                         send it again corrected, with the same event_id)
            attempts     Pinterest's answers and the tries that did not get through
            error        Pinterest's reason for refusing it
            warning      Pinterest's warning on a processed event
            last try     why the last try did not get through (a queued event)
            duplicates   later submissions of the same event_id and event_name,
                         taken as duplicates of this one and not sent again

            Events are kept 48 hours after they are answered.

            Examples:
              pinads conversions show 10482
              pinads conversions show 10482 --event-name checkout --json
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: ArgumentHelp("The event's event_id.", valueName: "event-id"))
    var eventId: String
    @Option(help: ArgumentHelp("Its event_name, needed when the same event_id was sent under several names.", valueName: "name"))
    var eventName: String?
    @Option(help: ArgumentHelp("The ad account (default: the default ad account).", valueName: "id"))
    var adAccount: String?
    @Flag(help: "A test event (sent with --test).")
    var test = false

    func run() throws {
        let event = try options.call(GetConversionRequest(adAccountId: adAccount, eventId: eventId, eventName: eventName, test: test ? true : nil))
        if options.printJSONIfAsked(event) { return }
        print("\(event.eventName) '\(event.eventId)' of ad account \(event.adAccountId)\(event.test ? " (test)" : "")")
        print("state       \(event.state.rawValue)")
        print("attempts    \(event.attempts)")
        print("accepted    \(Timestamp.format(event.acceptedAt))")
        if let answered = event.answeredAt { print("answered    \(Timestamp.format(answered))") }
        if let due = event.nextAttemptAt { print("due         \(Timestamp.format(due))") }
        if let error = event.errorMessage { print("error       \(error)") }
        if let warning = event.warningMessage { print("warning     \(warning)") }
        if let last = event.lastAttemptError { print("last try    \(last)") }
        if event.duplicates > 0 { print("duplicates  \(event.duplicates) later submission\(event.duplicates == 1 ? "" : "s"), not sent again") }
    }
}

// MARK: - conversions list

struct ListConversions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Events in the order they were accepted, by state: --failed shows what Pinterest refused and why.",
        discussion: """
            Pages of up to --limit events; the last line says how to get the next \
            page (--after). Events are kept 48 hours after they are answered.

            Examples:
              pinads conversions list --failed
              pinads conversions list --state queued --ad-account 549755885175
              pinads conversions list --since 2026-12-01T00:00:00Z --json
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: ArgumentHelp("queued, in_flight, sent or failed (default: every state).", valueName: "state"))
    var state: String?
    @Flag(help: "Only the events Pinterest refused (--state failed).")
    var failed = false
    @Option(help: ArgumentHelp("Only events accepted at or after this time (RFC 3339, e.g. 2026-12-01T00:00:00Z).", valueName: "time"))
    var since: String?
    @Option(help: ArgumentHelp("At most this many events (1–1000).", valueName: "n"))
    var limit = 50
    @Option(help: ArgumentHelp("Only events after this sequence number (the previous page's last).", valueName: "sequence"))
    var after: Int64?
    @Option(help: ArgumentHelp("Only this ad account's events (default: every ad account).", valueName: "id"))
    var adAccount: String?

    func validate() throws {
        if failed, let state, state != "failed" { throw ValidationError("--failed and --state \(state) contradict each other") }
        if let state, ConversionEventState(rawValue: state) == nil {
            throw ValidationError("--state must be queued, in_flight, sent or failed, not '\(state)'")
        }
        if let since, Timestamp.parse(since) == nil { throw ValidationError("--since must be an RFC 3339 time such as 2026-12-01T00:00:00Z") }
        if !(1...1000).contains(limit) { throw ValidationError("--limit must be 1 to 1000") }
    }

    func run() throws {
        let wanted = failed ? .failed : state.flatMap(ConversionEventState.init(rawValue:))
        let page = try options.call(
            ListConversionsRequest(adAccountId: adAccount, state: wanted, since: since.flatMap(Timestamp.parse), limit: limit, after: after))
        if options.printJSONIfAsked(page) { return }
        guard !page.events.isEmpty else {
            print("no \(wanted.map { "\($0.rawValue) " } ?? "")events\(after == nil ? "" : " after \(after ?? 0)")")
            return
        }
        Output.table(
            ["SEQ", "EVENT", "EVENT ID", "AD ACCOUNT", "STATE", "TRIES", "ACCEPTED", "MESSAGE"],
            page.events.map { event in
                [
                    String(event.sequence), event.eventName + (event.test ? " (test)" : ""), event.eventId, event.adAccountId, event.state.rawValue,
                    String(event.attempts), Timestamp.format(event.acceptedAt),
                    event.errorMessage ?? event.warningMessage ?? event.lastAttemptError ?? "",
                ]
            })
        if let next = page.nextAfter {
            var again = ["pinads conversions list"]
            if let wanted { again.append("--state \(wanted.rawValue)") }
            if let since { again.append("--since \(since)") }
            if let adAccount { again.append("--ad-account \(adAccount)") }
            if limit != 50 { again.append("--limit \(limit)") }
            print("more: " + (again + ["--after \(next)"]).joined(separator: " "))
        }
    }
}
