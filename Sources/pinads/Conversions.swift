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

/// A file of events, one JSON object per line, read while it is sent: only the requests being
/// built or awaiting their answer are in memory (at most three of up to 10,000 events), however
/// large the file.
struct ConversionFile {
    var path: String

    /// Events per request: the daemon's maximum.
    static let eventsPerRequest = 10_000
    /// A request's frame stays within half the daemon's default frame limit (16 MiB), however
    /// long the events: one that would not is split in two.
    static let maximumRequestBytes = Frame.defaultMaximumLength / 2
    /// Lines are gathered up to this many bytes a request, so that a request rarely needs splitting.
    static let lineBytesPerRequest = 6 * 1024 * 1024

    /// One request: its frame (until it is written) and the file line of each of its events.
    struct Request {
        var id: RequestID
        var frame: [UInt8]
        var lines: [Int]
        /// Bytes of the file it accounts for, for the progress bar.
        var bytes: Int64
        var firstLine: Int { lines.first ?? 0 }
        var lastLine: Int { lines.last ?? 0 }
    }

    /// Events read and not yet made into a request.
    struct Chunk {
        var events: [ConversionEventInput] = []
        var lines: [Int] = []
        var bytes: Int64 = 0
    }

    /// Reading the file's lines and making them into requests, one request at a time.
    final class Requests {
        let reader: LineReader
        let adAccount: String?
        let test: Bool
        /// Lines that are not events (or too long to send), by line number, as they are found.
        private(set) var unreadable: [RejectedEvent] = []
        private let decoder = Wire.decoder()
        private let encoder = Wire.encoder()
        private var nextID: Int64 = 1
        /// An event read that did not fit in the previous chunk.
        private var held: (line: Int, event: ConversionEventInput, length: Int)?
        /// The halves of a chunk whose request was too large.
        private var halves: [Chunk] = []
        /// File bytes not yet accounted to a request.
        private var offsetAccounted: Int64 = 0
        private var carried: Int64 = 0

        init(reader: LineReader, adAccount: String?, test: Bool) {
            self.reader = reader
            self.adAccount = adAccount
            self.test = test
        }

        /// The next request; nil when the file has no more events.
        func next() throws -> Request? {
            while true {
                var chunk: Chunk
                if !halves.isEmpty {
                    chunk = halves.removeFirst()
                } else {
                    chunk = try read()
                    if chunk.events.isEmpty { return nil }
                }
                chunk.bytes += carried
                carried = 0
                let id = RequestID.int(nextID)
                let params = SendConversionsRequest(adAccountId: adAccount, test: test ? true : nil, events: chunk.events)
                let frame = try encoder.encode(RequestEnvelope(id: id, method: SendConversionsRequest.method, params: params))
                if frame.count <= maximumRequestBytes {
                    nextID += 1
                    return Request(id: id, frame: Array(frame), lines: chunk.lines, bytes: chunk.bytes)
                }
                carried = chunk.bytes
                if chunk.events.count == 1 {
                    unreadable.append(
                        RejectedEvent(
                            index: chunk.lines[0],
                            reason: "too large: \(Output.bytes(Int64(frame.count))) as a request, over the \(Output.bytes(Int64(maximumRequestBytes))) one may take"))
                    continue
                }
                let half = chunk.events.count / 2
                halves.insert(
                    contentsOf: [
                        Chunk(events: Array(chunk.events[..<half]), lines: Array(chunk.lines[..<half])),
                        Chunk(events: Array(chunk.events[half...]), lines: Array(chunk.lines[half...])),
                    ], at: 0)
            }
        }

        /// Up to 10,000 events and about 6 MiB of lines; none only at the end of the file.
        private func read() throws -> Chunk {
            var chunk = Chunk()
            var lineBytes = 0
            if let held {
                chunk.events.append(held.event)
                chunk.lines.append(held.line)
                lineBytes = held.length
                self.held = nil
            }
            reading: while chunk.events.count < eventsPerRequest, let line = try reader.next() {
                switch line {
                case .tooLong(let number, let length):
                    unreadable.append(
                        RejectedEvent(
                            index: number, reason: "too long: \(Output.bytes(Int64(length))), over the \(Output.bytes(Int64(maximumRequestBytes))) a request may take"))
                case .text(let number, let bytes):
                    if bytes.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
                    let event: ConversionEventInput
                    do {
                        event = try decoder.decode(ConversionEventInput.self, from: Data(bytes))
                    } catch {
                        unreadable.append(RejectedEvent(index: number, reason: ConversionFile.describe(error)))
                        continue
                    }
                    if !chunk.events.isEmpty, lineBytes + bytes.count > lineBytesPerRequest {
                        held = (number, event, bytes.count)
                        break reading
                    }
                    chunk.events.append(event)
                    chunk.lines.append(number)
                    lineBytes += bytes.count
                }
            }
            chunk.bytes = reader.offset - offsetAccounted
            offsetAccounted = reader.offset
            return chunk
        }
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

    /// The summary with --json: the totals, and each line refused (here or by the daemon) with
    /// its line number, as `line` and, as before, `index`.
    struct Summary: Encodable {
        struct Rejection: Encodable {
            var index: Int
            var line: Int
            var reason: String
        }
        var accepted: Int
        var duplicates: Int
        var rejected: [Rejection]
    }

    /// Sends the file's events, two requests in flight, and prints the summary with the file
    /// lines of refused events. A failure part-way says what was accepted before it.
    func send(options: ClientOptions, adAccount: String?, test: Bool) throws {
        let name = path == "-" ? "standard input" : path
        let reader: LineReader
        do {
            reader = try LineReader(path: path, maximumLineLength: Self.maximumRequestBytes)
        } catch {
            throw ValidationError("cannot read \(path): \(error)")
        }
        let requests = Requests(reader: reader, adAccount: adAccount, test: test)
        var accepted = 0, duplicates = 0
        var refused: [RejectedEvent] = []  // by the daemon, by file line
        var answered = 0, answeredEvents = 0
        var answeredBytes: Int64 = 0

        func rejections() -> [RejectedEvent] { (requests.unreadable + refused).sorted { $0.index < $1.index } }
        func printSummary() {
            let all = rejections()
            if options.json {
                Output.printJSON(
                    Summary(
                        accepted: accepted, duplicates: duplicates,
                        rejected: all.map { Summary.Rejection(index: $0.index, line: $0.index, reason: $0.reason) }))
                return
            }
            let bad = requests.unreadable.count
            print("\(accepted) accepted, \(duplicates) duplicates, \(all.count) rejected\(bad > 0 ? " (\(bad) unreadable line\(bad == 1 ? "" : "s"))" : "")")
            for rejection in all.prefix(20) { print("  line \(rejection.index): \(rejection.reason)") }
            if all.count > 20 { print("  … and \(all.count - 20) more") }
        }

        // The first request is made before connecting: a file without events needs no daemon.
        let first: Request?
        do {
            first = try requests.next()
        } catch {
            throw ValidationError("cannot read \(path): \(error)")
        }
        guard let first else {
            // Nothing to send: an empty file is fine, a file of bad lines is not.
            let bad = !requests.unreadable.isEmpty
            if options.json {
                printSummary()
            } else {
                print(bad ? "nothing to send: no line of \(name) is an event" : "nothing to send: \(name) holds no events")
                if bad { printSummary() }
            }
            if bad { throw ExitCode(1) }
            return
        }

        let progress = ProgressLine()
        func drawProgress(done: Bool) {
            // By bytes of the file answered for, when its size is known (not a pipe).
            let fraction = reader.size.flatMap { $0 > 0 ? (done ? 1 : Double(answeredBytes) / Double($0)) : nil }
            progress.draw(
                fraction: fraction,
                "\(answeredEvents) events: \(accepted) accepted, \(duplicates) dup, \(refused.count + requests.unreadable.count) rejected")
        }
        let client = try options.connect()
        let decoder = Wire.decoder()
        var waiting: Request? = first
        var inFlight: [RequestID: Request] = [:]
        var endOfFile = false, stopped = false
        var lastLineSent = 0
        var refusals: [(request: Request, error: ResponseError)] = []
        var readFailure: (any Error)?
        var failure: (any Error)?
        do {
            exchange: while true {
                // Keep two requests in flight while there are events; stop sending after a failure.
                while !stopped, inFlight.count < 2 {
                    var request: Request
                    if let first = waiting {
                        request = first
                        waiting = nil
                    } else {
                        do {
                            guard let next = try requests.next() else {
                                endOfFile = true
                                stopped = true
                                break
                            }
                            request = next
                        } catch {
                            readFailure = error
                            stopped = true
                            break
                        }
                    }
                    try client.connection.writeFrame(request.frame)
                    request.frame = []
                    inFlight[request.id] = request
                    lastLineSent = max(lastLineSent, request.lastLine)
                }
                if inFlight.isEmpty { break }
                guard let payload = try client.connection.readFrame() else { throw ClientError.closedByDaemon }
                let frame: ResponseFrame<SendConversionsResult, JSONValue>
                do {
                    frame = try decoder.decode(ResponseFrame<SendConversionsResult, JSONValue>.self, from: Data(payload))
                } catch {
                    throw ClientError.malformedResponse(String(describing: error))
                }
                guard let id = frame.id, let request = inFlight.removeValue(forKey: id) else {
                    // An error with id null is the daemon refusing a frame; it closes the connection.
                    if frame.id == nil, let error = frame.error, let lowest = inFlight.keys.min(by: { inFlight[$0]!.firstLine < inFlight[$1]!.firstLine }),
                        let request = inFlight.removeValue(forKey: lowest)
                    {
                        refusals.append((request, error))
                        break exchange
                    }
                    throw ClientError.malformedResponse("answer for id \(frame.id?.description ?? "null"), which was not asked")
                }
                if let error = frame.error {
                    refusals.append((request, error))
                    stopped = true
                    continue
                }
                guard let result = frame.result else { throw ClientError.malformedResponse("frame has no result or error") }
                accepted += result.accepted
                duplicates += result.duplicates
                // Rejections come back by index in the request: report them by file line.
                refused += result.rejected.map { rejection in
                    if let line = request.lines[safe: rejection.index] { return RejectedEvent(index: line, reason: rejection.reason) }
                    return RejectedEvent(
                        index: request.firstLine, reason: "\(rejection.reason) (event \(rejection.index) of the request of lines \(request.firstLine)–\(request.lastLine))")
                }
                answered += 1
                answeredEvents += request.lines.count
                answeredBytes += request.bytes
                drawProgress(done: false)
            }
        } catch {
            failure = error
        }
        if endOfFile, refusals.isEmpty, failure == nil { drawProgress(done: true) }
        progress.finish()
        if refusals.isEmpty, readFailure == nil, failure == nil {
            printSummary()
            if options.json { return }
            if test { print("test events: Pinterest validates them and records nothing") }
            if accepted > 0 { print("accepted events are stored and on their way to Pinterest; `pinads conversions stats` shows delivery") }
            return
        }
        // Something failed: say what was accepted before it (if anything) and what was not sent.
        if answered == 0 {
            if let refusal = refusals.first { Output.fail(refusal.error) }
            if let failure { Output.fail(failure) }
            if let readFailure {
                Output.printError("cannot read \(name): \(readFailure)")
                Foundation.exit(1)
            }
        }
        if !options.json { print("stopped part-way; accepted before the failure:") }
        printSummary()
        for refusal in refusals.sorted(by: { $0.request.firstLine < $1.request.firstLine }) {
            Output.printError(
                "the events on lines \(refusal.request.firstLine)–\(refusal.request.lastLine) were not sent: \(refusal.error.code.rawValue): \(refusal.error.message)")
        }
        if let failure { Output.printError("\(failure)") }
        if !inFlight.isEmpty {
            let lines = inFlight.values.sorted { $0.firstLine < $1.firstLine }.map { "\($0.firstLine)–\($0.lastLine)" }
            Output.printError("no answer came for the events on lines \(lines.joined(separator: ", ")): they may or may not have been accepted")
        }
        if let readFailure { Output.printError("cannot read \(name) after line \(lastLineSent): \(readFailure)") }
        if !endOfFile, readFailure == nil { Output.printError("nothing after line \(lastLineSent) was read or sent") }
        Output.printError("sending the file again is safe: events already accepted count as duplicates")
        Foundation.exit(1)
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
