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
            """,
        subcommands: [SendConversions.self, ShowConversionStats.self, ConversionToken.self],
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
              event_time     Unix seconds, not milliseconds; default now; at most
                             7 days old
              action_source  web (default), app_android, app_ios or offline
              who            at least one of: email (or emails), hashed_maids (device
                             ids), client_ip_address with client_user_agent;
                             phone and external_id may come as well
              money          value in currency units (49.99), currency (default
                             USD), order_id, content_ids, num_items

            Send identifiers plain: the daemon trims and lowercases emails, keeps \
            the digits of phones (country code included, leading zeros dropped), \
            lowercases device ids, and hashes all of them and external_id with \
            SHA-256 before storing anything. Emails and device ids may also come \
            hashed already (64 hex digits); phones may not.

            Lines that are not such an object are reported by line number and \
            skipped; blank lines are ignored. The others go in requests of up to \
            10,000 events, two requests in flight, with a progress line on a \
            terminal. The summary counts the events accepted (stored, on their way \
            to Pinterest), duplicates (accepted in the last 48 hours: not sent \
            again) and rejected, with the line numbers and reasons of the first 20. \
            Sending a file again is safe: what was accepted counts as duplicates. \
            With --json the summary is JSON, each rejection's index its line number.

            Accepted means stored by the daemon; delivery follows within moments \
            and shows in `pinads conversions stats`.

            Exit status: 0 the events reached the daemon (rejections are in the \
            summary); 1 the daemon refused a request (what it accepted before is \
            summarised), or rejected the one event of --event; 64 bad usage.

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
    @Option(help: ArgumentHelp("The amount in currency units, e.g. 49.99.", valueName: "amount"))
    var value: Double?
    @Option(help: ArgumentHelp("ISO 4217 currency of --value (default USD).", valueName: "code"))
    var currency: String?
    @Option(help: ArgumentHelp("The order number.", valueName: "id"))
    var orderId: String?

    /// The options that describe one event (not allowed with --file).
    private var singleEventOptions: [(String, Bool)] {
        [
            ("--event-id", eventId != nil), ("--event-time", eventTime != nil), ("--action-source", actionSource != nil),
            ("--email", email != nil), ("--phone", phone != nil), ("--ip", ip != nil), ("--user-agent", userAgent != nil),
            ("--external-id", externalId != nil), ("--url", url != nil), ("--value", value != nil), ("--currency", currency != nil),
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
        let input = ConversionEventInput(
            eventName: event, eventId: eventId, eventTime: eventTime, actionSource: actionSource, email: email, phone: phone,
            clientIpAddress: ip, clientUserAgent: userAgent, externalId: externalId, eventSourceUrl: url, value: value, currency: currency,
            orderId: orderId)
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

/// A file of events, one JSON object per line: read, decoded, and sent in chunks.
struct ConversionFile {
    var path: String

    /// Events per request: the daemon's maximum.
    static let eventsPerRequest = 10_000
    /// A request stays near half the daemon's default frame limit (16 MiB) however long the events.
    static let bytesPerRequest = 8 * 1024 * 1024

    /// An event as read, with the line it came from and its length in the file.
    struct Line {
        var number: Int
        var bytes: Int
        var event: ConversionEventInput
    }

    /// The events of the file, and the lines that are not events (by line number).
    func read() throws -> (events: [Line], unreadable: [RejectedEvent]) {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            data = contents
        }
        let decoder = Wire.decoder()
        var events: [Line] = []
        var unreadable: [RejectedEvent] = []
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        for (offset, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            do {
                let event = try decoder.decode(ConversionEventInput.self, from: Data(line))
                events.append(Line(number: offset + 1, bytes: line.count, event: event))
            } catch {
                unreadable.append(RejectedEvent(index: offset + 1, reason: Self.describe(error)))
            }
        }
        return (events, unreadable)
    }

    /// Why a line is not an event, in the protocol's words ("event_time: expected an integer").
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not an event: \(error)" }
        if error.fieldPath == "params" {
            if case .dataCorrupted = error { return "not valid JSON" }
            return "not a JSON object"
        }
        return "\(error.fieldPath): \(error.reason)"
    }

    /// Chunks of at most 10,000 events and about 8 MiB.
    static func chunks(_ events: [Line]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0, bytes = 0
        for (i, line) in events.enumerated() {
            let size = line.bytes + 16
            if i > start, i - start >= eventsPerRequest || bytes + size > bytesPerRequest {
                chunks.append(start..<i)
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < events.count { chunks.append(start..<events.count) }
        return chunks
    }

    /// Sends the file's events, two requests in flight, and prints the summary with the file
    /// lines of refused events. A failure part-way says what was accepted before it.
    func send(options: ClientOptions, adAccount: String?, test: Bool) throws {
        let (events, unreadable) = try read()
        let name = path == "-" ? "standard input" : path
        var total = SendConversionsResult(accepted: 0, duplicates: 0, rejected: unreadable)
        func report() {
            total.rejected.sort { $0.index < $1.index }
            let bad = unreadable.count
            print("\(total.accepted) accepted, \(total.duplicates) duplicates, \(total.rejected.count) rejected\(bad > 0 ? " (\(bad) unreadable line\(bad == 1 ? "" : "s"))" : "")")
            for rejection in total.rejected.prefix(20) { print("  line \(rejection.index): \(rejection.reason)") }
            if total.rejected.count > 20 { print("  … and \(total.rejected.count - 20) more") }
        }
        guard !events.isEmpty else {
            // Nothing to send: an empty file is fine, a file of bad lines is not.
            if !options.printJSONIfAsked(total) {
                print(unreadable.isEmpty ? "nothing to send: \(name) holds no events" : "nothing to send: no line of \(name) is an event")
                if !unreadable.isEmpty { report() }
            }
            if !unreadable.isEmpty { throw ExitCode(1) }
            return
        }
        let chunks = Self.chunks(events)
        let progress = SendProgress(total: events.count, enabled: !options.json)
        var answered = 0
        func failed(_ message: String, chunk: Range<Int>?) -> Never {
            progress.finish()
            if answered > 0 {
                print("stopped part-way; accepted before the failure:")
                report()
            }
            if let chunk, let first = events[safe: chunk.lowerBound], let last = events[safe: chunk.upperBound - 1] {
                Output.printError("the events on lines \(first.number)–\(last.number) were not sent: \(message)")
            } else {
                Output.printError(message)
            }
            if answered > 0 { Output.printError("sending the file again is safe: events already accepted count as duplicates") }
            Foundation.exit(answered > 0 ? 1 : 70)
        }
        let client = try options.connect()
        do {
            try client.pipeline(count: chunks.count) { i in
                SendConversionsRequest(adAccountId: adAccount, test: test ? true : nil, events: events[chunks[i]].map(\.event))
            } handle: { i, outcome in
                let chunk = chunks[i]
                switch outcome {
                case .result(let result):
                    total.accepted += result.accepted
                    total.duplicates += result.duplicates
                    // Rejections come back by index in the request: report them by file line.
                    total.rejected += result.rejected.map { RejectedEvent(index: events[chunk.lowerBound + $0.index].number, reason: $0.reason) }
                    answered += 1
                    progress.update(
                        chunk: "lines \(events[chunk.lowerBound].number)–\(events[chunk.upperBound - 1].number)", result: result,
                        sent: chunk.count, total: total)
                case .error(let error):
                    if answered == 0 {
                        progress.finish()
                        Output.fail(error)
                    }
                    failed("\(error.code.rawValue): \(error.message)", chunk: chunk)
                }
            }
        } catch {
            if answered == 0 {
                progress.finish()
                Output.fail(error)
            }
            failed("\(error)", chunk: nil)
        }
        progress.finish()
        total.rejected.sort { $0.index < $1.index }
        if options.printJSONIfAsked(total) { return }
        report()
        if test { print("test events: Pinterest validates them and records nothing") }
        if total.accepted > 0 { print("accepted events are stored and on their way to Pinterest; `pinads conversions stats` shows delivery") }
    }
}

/// Progress of a file being sent: one redrawn line on a terminal, a plain line per request
/// otherwise; nothing with --json.
final class SendProgress {
    private let total: Int
    private let enabled: Bool
    private let terminal = isatty(STDOUT_FILENO) == 1
    private var sent = 0
    private var drawn = false

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(chunk: String, result: SendConversionsResult, sent count: Int, total summary: SendConversionsResult) {
        sent += count
        guard enabled else { return }
        if terminal {
            let fraction = total > 0 ? Double(sent) / Double(total) : 1
            let filled = Int(fraction * 20)
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "]"
            print(
                "\r\u{1B}[2K" + bar + String(format: " %3.0f%% ", fraction * 100)
                    + "\(sent)/\(total): \(summary.accepted) accepted, \(summary.duplicates) dup, \(summary.rejected.count) rejected",
                terminator: "")
            drawn = true
        } else {
            print("\(chunk): \(result.accepted) accepted, \(result.duplicates) duplicates, \(result.rejected.count) rejected")
        }
        fflush(nil)
    }

    func finish() {
        if terminal && drawn {
            print("")
            drawn = false
        }
    }
}

// MARK: - conversions stats

struct ShowConversionStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "The conversions outbox: queued, in flight, sent, failed; events per second, latency, oldest queued.",
        discussion: """
            queued       stored, not sent yet: lingering (up to 20 ms), waiting for
                         a batch slot, or waiting for a retry
            in flight    in batches sent to Pinterest, answer not stored yet
            sent         processed by Pinterest, over about the last 48 hours
                         (answered events are pruned after that)
            failed       refused by Pinterest, not sent again (same window); the
                         latest reason shows as the last error
            duplicates   answered as duplicates by `conversions send`, in all
            rejected     rejected by `conversions send` (name, time, identifiers…),
                         in all
            rate         events answered by Pinterest per second, last minute
            latency      acceptance to Pinterest's answer, p50 and p99, over the
                         latest 100,000 events since the daemon started (of
                         every ad account, whatever --ad-account)
            oldest       age of the oldest event queued or in flight; if it keeps
                         growing, delivery is stuck
            last error   the latest delivery problem since the daemon started, of
                         every ad account

            Passing failures (Pinterest unavailable, a rate limit) are retried \
            without end, so events wait in queued rather than being lost; a \
            connection that needs a reconnect holds its events until \
            `pinads connect`.

            Example:
              pinads conversions stats --ad-account 549755885175
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: ArgumentHelp("Only this ad account's events, real and test (default: every ad account).", valueName: "id"))
    var adAccount: String?

    func run() throws {
        let stats = try options.call(ConversionStatsRequest(adAccountId: adAccount))
        if options.printJSONIfAsked(stats) { return }
        print(adAccount.map { "conversions of ad account \($0)" } ?? "conversions of every ad account")
        Output.table(
            ["QUEUED", "IN FLIGHT", "SENT (48 h)", "FAILED (48 h)", "DUPLICATES", "REJECTED"],
            [[String(stats.queued), String(stats.inFlight), String(stats.sent), String(stats.failed), String(stats.duplicates), String(stats.rejected)]])
        print(String(format: stats.eventsPerSecond < 10 ? "rate        %.2f events/s over the last minute" : "rate        %.0f events/s over the last minute", stats.eventsPerSecond))
        if let p50 = stats.latencyP50Ms, let p99 = stats.latencyP99Ms {
            print("latency     p50 \(Self.milliseconds(p50)), p99 \(Self.milliseconds(p99)) (acceptance to Pinterest's answer, every ad account)")
        } else {
            print("latency     no event answered since the daemon started")
        }
        if let age = stats.oldestQueuedAgeSeconds {
            print("oldest      queued \(Output.duration(age)) ago\(age > 60 ? " — delivery looks stuck; see the last error" : "")")
        } else {
            print("oldest      nothing queued")
        }
        if let error = stats.lastError { print("last error  \(error)") }
    }

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f ms", value) : String(format: "%.0f ms", value)
    }
}

struct ConversionToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Send an ad account's events with a conversion token instead of the connection's OAuth token.",
        discussion: """
            Pinterest's conversion tokens only send conversion events. Either let the daemon ask Pinterest for one
            (--mint, with the connection's OAuth token), or give one made in Ads Manager on standard input (--stdin;
            never on the command line, where `ps` shows it). --clear goes back to the OAuth token. A token Pinterest
            refuses is dropped by itself and events go on with the OAuth token.
              pinads conversions token --mint
              printf '%s' "$CONVERSION_TOKEN" | pinads conversions token --stdin --ad-account 549755885175
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: "The ad account (default: the default ad account).") var adAccount: String?
    @Flag(help: "Ask Pinterest for a conversion token.") var mint = false
    @Flag(help: "Read the token from standard input.") var stdin = false
    @Flag(help: "Forget the conversion token.") var clear = false

    func validate() throws {
        if [mint, stdin, clear].filter({ $0 }).count != 1 { throw ValidationError("give one of --mint, --stdin or --clear") }
    }

    func run() throws {
        var token: String?
        if stdin {
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ValidationError("no token on standard input") }
            token = text
        }
        let result = try options.call(
            SetConversionTokenRequest(adAccountId: adAccount, token: token, mint: mint ? true : nil, clear: clear ? true : nil))
        if options.printJSONIfAsked(result) { return }
        if result.hasConversionToken {
            print("ad account \(result.adAccountId): events now go with a conversion token (\(result.source ?? "?"), fingerprint \(result.fingerprint ?? "?"))")
        } else {
            print("ad account \(result.adAccountId): events go with the connection's OAuth token")
        }
    }
}
