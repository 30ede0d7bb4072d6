import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct ConversionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversions",
        abstract: "Conversion events (checkouts, sign-ups, page visits…) for Pinterest's Conversions API: send them, watch their delivery.",
        discussion: """
            The daemon checks each event, hashes what identifies the person (emails, phones, device ids, external \
            ids: SHA-256, and the plain values are never stored), stores it, and only then answers. It sends the \
            stored events to Pinterest in the background: batches of up to 1000 that leave when full or after \
            20 ms, up to 8 in flight per ad account. An event whose event_id (with its name, ad account and test \
            flag) was accepted in the last 48 hours is a duplicate and is not sent again, so sending the same \
            events twice is safe.

            Events go with the OAuth token of the connection that reaches the ad account; Pinterest's per-ad-account \
            conversion tokens are not supported yet.

            Typical use:
              pinads conversions send --event checkout --event-id 10482 \\
                  --email jo@shop.com --value 49.99
              pinads conversions send --file events.jsonl --test   (Pinterest
                  validates the events, records nothing)
              pinads conversions send --file events.jsonl
              pinads conversions stats
              pinads conversions show 10482     (what became of one event)
              pinads conversions list --failed  (what Pinterest refused, and why)
            """,
        subcommands: [SendConversions.self, ShowConversionStats.self, ShowConversion.self, ListConversions.self, ConversionToken.self],
        defaultSubcommand: ShowConversionStats.self)
}

// MARK: - conversions send

struct SendConversions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one event (--event …) or a file of events, one JSON object per line (--file).",
        discussion: """
            A file (or - for standard input) holds one event per line: a JSON object \
            with the protocol's field names. For example:

            {"event_name":"checkout","event_id":"10482","email":"jo@shop.com","value":9.99}
            {"event_name":"lead","event_id":"L1","email":"mi@x.io","event_time":1795622531}

            The fields (protocol/methods.md, "The event object", has every rule):
              event_name     checkout, add_to_cart, page_visit, lead, signup, search,
                             view_category, view_content, add_payment_info,
                             add_to_wishlist, app_install, initiate_checkout,
                             subscribe, watch_video or custom
              event_id       unique per event, e.g. the order number; the same id
                             again (within 48 hours) is a duplicate
              event_time     Unix seconds, not milliseconds; default now
              action_source  web (default), app_android, app_ios or offline
              who            at least one of: email (or emails), hashed_maids (device
                             ids), client_ip_address with client_user_agent; and
                             phone, fn, ln, ge, db, ct, st, zp, country,
                             external_id, click_id, partner_id
              money          value (49.99 or "49.99": "…" is sent exactly),
                             currency (default: the ad account's), order_id,
                             content_ids, contents, num_items, content_name, …
              context        opt_out, event_source_url, language, partner_name,
                             app_* and device_* fields, app_info, device_info

            An event may also be written in Pinterest's own shape, as its \
            documentation shows it: user_data {em, ph, …} and custom_data {value, \
            currency, …} objects (plain identifiers are hashed as in the flat \
            shape); one event may not mix the two. A field pinads does not know \
            rejects that event, naming the field: nothing is dropped.

            Send identifiers plain: the daemon trims and lowercases emails, keeps \
            the digits of phones (country code included, leading zeros dropped), \
            lowercases device ids and names, and hashes them with SHA-256 before \
            storing anything. Identifiers may also come hashed already (64 hex \
            digits): those are kept as they are.

            Lines that are not such an object are reported by line number and \
            skipped; blank lines are ignored (and counted). The file is read as it \
            is sent, so it may be of any size: requests of up to 10,000 events (and \
            at most 8 MiB), two in flight, with a progress bar on standard error \
            when it is a terminal. The summary counts the events accepted (stored, \
            on their way to Pinterest), duplicates (accepted in the last 48 hours: \
            not sent again) and rejected, with the line numbers and reasons of the \
            first 20. Sending a file again is safe: what was accepted counts as \
            duplicates. With --json the summary is one JSON object: accepted, \
            duplicates, and rejected as [{"line", "reason", "index"}] (index is the \
            line number too), every rejection listed.

            Accepted means stored by the daemon; delivery follows within moments \
            and shows in `pinads conversions stats`.

            Exit status: 0 the events reached the daemon (rejections and unreadable \
            lines are in the summary); 1 the daemon refused a request, or the file \
            could not be read part-way (what was accepted before is summarised), no \
            line of the file is an event, or the daemon rejected the one event of \
            --event; 64 bad usage or a file that cannot be read.

            Examples:
              pinads conversions send --event checkout --event-id 10482 \\
                  --email jo@shop.com --phone "+1 415 555 0123" --value 49.99
              pinads conversions send --event page_visit --event-id pv-8 \\
                  --ip 203.0.113.7 --user-agent "Mozilla/5.0 (X11; Linux x86_64)"
              pinads conversions send --file events.jsonl --ad-account 549755885175
              export-orders | pinads conversions send --file -
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: ArgumentHelp("A file of events, one JSON object per line; - reads standard input.", valueName: "path"))
    var file: String?
    @Option(help: ArgumentHelp("The ad account (default: the default ad account; `pinads accounts` lists them).", valueName: "id"))
    var adAccount: String?
    @Flag(help: "Send as test events: Pinterest validates them but records nothing.")
    var test = false

    @Option(help: ArgumentHelp("One event: its name, e.g. checkout, lead, signup, page_visit, add_to_cart.", valueName: "name"))
    var event: String?
    @Option(help: ArgumentHelp("Its unique id, e.g. the order number (the same id again is a duplicate).", valueName: "id"))
    var eventId: String?
    @Option(help: ArgumentHelp("When it happened, in Unix seconds (default: now).", valueName: "unix-seconds"))
    var eventTime: Int64?
    @Option(help: "web (default), app_android, app_ios or offline.")
    var actionSource: String?
    @Option(help: "The person's email address, plain or SHA-256 (hashed by the daemon).")
    var email: String?
    @Option(help: "The person's phone number with country code, plain, e.g. \"+1 415 555 0123\" (hashed by the daemon).")
    var phone: String?
    @Option(help: ArgumentHelp("The person's IP address; goes with --user-agent.", valueName: "address"))
    var ip: String?
    @Option(help: ArgumentHelp("The person's browser user agent; goes with --ip.", valueName: "text"))
    var userAgent: String?
    @Option(help: "Your id of the person, e.g. a customer number (hashed by the daemon).")
    var externalId: String?
    @Option(help: "The page where the event happened.")
    var url: String?
    @Option(help: ArgumentHelp("The amount in currency units, e.g. 49.99 (sent with every digit given).", valueName: "amount"))
    var value: String?
    @Option(help: ArgumentHelp("ISO 4217 currency of --value (default: the ad account's currency).", valueName: "code"))
    var currency: String?
    @Option(help: ArgumentHelp("The order number.", valueName: "id"))
    var orderId: String?
    @Option(help: ArgumentHelp("Pinterest's click id: the _epik cookie or the epik= URL parameter (not hashed).", valueName: "id"))
    var clickId: String?
    @Flag(help: "The person opted out of tracking (web, offline) or of ads personalization (apps): Pinterest honours it.")
    var optOut = false

    /// The options that describe one event (not allowed with --file).
    private var singleEventOptions: [(String, Bool)] {
        [
            ("--event-id", eventId != nil), ("--event-time", eventTime != nil), ("--action-source", actionSource != nil),
            ("--email", email != nil), ("--phone", phone != nil), ("--ip", ip != nil), ("--user-agent", userAgent != nil),
            ("--external-id", externalId != nil), ("--url", url != nil), ("--value", value != nil), ("--currency", currency != nil),
            ("--click-id", clickId != nil), ("--opt-out", optOut),
            ("--order-id", orderId != nil),
        ]
    }

    func validate() throws {
        if (file == nil) == (event == nil) {
            throw ValidationError("give --file (events from a file) or --event NAME --event-id ID (one event), not both")
        }
        if file != nil {
            let given = singleEventOptions.filter(\.1).map(\.0)
            if !given.isEmpty {
                throw ValidationError(
                    "\(given.joined(separator: ", ")) \(given.count == 1 ? "describes" : "describe") one event (with --event); in a file each line carries its own fields")
            }
        } else if eventId == nil {
            throw ValidationError("--event needs --event-id (unique per event, e.g. the order number)")
        }
    }

    func run() throws {
        if let file {
            try ConversionFile(path: file).send(options: options, adAccount: adAccount, test: test)
        } else {
            try sendOne()
        }
    }

    private func sendOne() throws {
        guard let event, let eventId else { return }
        var input = ConversionEventInput(
            eventName: event, eventId: eventId, eventTime: eventTime, actionSource: actionSource, email: email, phone: phone,
            clientIpAddress: ip, clientUserAgent: userAgent, externalId: externalId, eventSourceUrl: url, value: value.map { DecimalAmount($0) }, currency: currency,
            orderId: orderId)
        input.clickId = clickId
        input.optOut = optOut ? true : nil
        let result = try options.call(SendConversionsRequest(adAccountId: adAccount, test: test ? true : nil, events: [input]))
        if options.printJSONIfAsked(result) {
            if !result.rejected.isEmpty { throw ExitCode(1) }
            return
        }
        if let rejection = result.rejected.first {
            Output.printError("event rejected: \(rejection.reason)")
            throw ExitCode(1)
        }
        if result.duplicates > 0 {
            print("duplicate: \(event) '\(eventId)' was already accepted in the last 48 hours; not sent again")
            return
        }
        print("accepted \(event) '\(eventId)'\(test ? " as a test event" : ""): stored, on its way to Pinterest (`pinads conversions stats` shows delivery)")
    }
}
