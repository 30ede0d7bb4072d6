import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

extension ConversionFile {
    /// Sends the file's events, two requests in flight, and prints the summary with the file
    /// lines of refused events. A failure part-way says what was accepted before it.
    func send(options: ClientOptions, adAccount: String?, test: Bool) throws {
        let reader: LineReader
        do {
            reader = try LineReader(path: path, maximumLineLength: Self.maximumRequestBytes)
        } catch {
            throw ValidationError("cannot read \(path): \(error)")
        }
        try FileSend(file: self, reader: reader, options: options, adAccount: adAccount, test: test).run()
    }
}

/// One `pinads conversions send --file`: the requests made of the file, what the daemon
/// answered for each, and the summary.
private final class FileSend {
    typealias Request = ConversionFile.Request

    let path: String
    let name: String
    let reader: LineReader
    let requests: ConversionFile.Requests
    let options: ClientOptions
    let test: Bool

    var accepted = 0, duplicates = 0
    /// Refused by the daemon, by file line.
    var refused: [RejectedEvent] = []
    var answered = 0, answeredEvents = 0
    var answeredBytes: Int64 = 0

    var waiting: Request?
    var inFlight: [RequestID: Request] = [:]
    var endOfFile = false, stopped = false
    var lastLineSent = 0
    var refusals: [(request: Request, error: ResponseError)] = []
    var readFailure: (any Error)?
    var failure: (any Error)?

    init(file: ConversionFile, reader: LineReader, options: ClientOptions, adAccount: String?, test: Bool) {
        path = file.path
        name = file.path == "-" ? "standard input" : file.path
        self.reader = reader
        requests = ConversionFile.Requests(reader: reader, adAccount: adAccount, test: test)
        self.options = options
        self.test = test
    }

    func run() throws {
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
        let client = try options.connect()
        waiting = first
        do {
            try exchange(client, progress: progress)
        } catch {
            failure = error
        }
        if endOfFile, refusals.isEmpty, failure == nil { drawProgress(progress, done: true) }
        progress.finish()
        if refusals.isEmpty, readFailure == nil, failure == nil {
            printSummary()
            if options.json { return }
            if test { print("test events: Pinterest validates them and records nothing") }
            if accepted > 0 { print("accepted events are stored and on their way to Pinterest; `pinads conversions stats` shows delivery") }
            return
        }
        reportFailure()
    }

    private func rejections() -> [RejectedEvent] { (requests.unreadable + refused).sorted { $0.index < $1.index } }

    private func printSummary() {
        let all = rejections()
        if options.json {
            Output.printJSON(
                ConversionFile.Summary(
                    accepted: accepted, duplicates: duplicates,
                    rejected: all.map { ConversionFile.Summary.Rejection(index: $0.index, line: $0.index, reason: $0.reason) }))
            return
        }
        let bad = requests.unreadable.count
        print("\(accepted) accepted, \(duplicates) duplicates, \(all.count) rejected\(bad > 0 ? " (\(bad) unreadable line\(bad == 1 ? "" : "s"))" : "")")
        for rejection in all.prefix(20) { print("  line \(rejection.index): \(rejection.reason)") }
        if all.count > 20 { print("  … and \(all.count - 20) more") }
    }

    private func drawProgress(_ progress: ProgressLine, done: Bool) {
        // By bytes of the file answered for, when its size is known (not a pipe).
        let fraction = reader.size.flatMap { $0 > 0 ? (done ? 1 : Double(answeredBytes) / Double($0)) : nil }
        progress.draw(
            fraction: fraction,
            "\(answeredEvents) events: \(accepted) accepted, \(duplicates) dup, \(refused.count + requests.unreadable.count) rejected")
    }

    /// Keeps two requests in flight while there are events, and takes their answers; stops
    /// sending after a failure.
    private func exchange(_ client: PinAdsClient, progress: ProgressLine) throws {
        let decoder = Wire.decoder()
        while true {
            try fillFlight(client)
            if inFlight.isEmpty { return }
            guard let payload = try client.connection.readFrame() else { throw ClientError.closedByDaemon }
            let frame: ResponseFrame<SendConversionsResult, JSONValue>
            do {
                frame = try decoder.decode(ResponseFrame<SendConversionsResult, JSONValue>.self, from: Data(payload))
            } catch {
                throw ClientError.malformedResponse(String(describing: error))
            }
            guard let id = frame.id, let request = inFlight.removeValue(forKey: id) else {
                // An error with id null is the daemon refusing a frame; it closes the connection.
                if frame.id == nil, let error = frame.error, let lowest = inFlight.min(by: { $0.value.firstLine < $1.value.firstLine })?.key,
                    let request = inFlight.removeValue(forKey: lowest)
                {
                    refusals.append((request, error))
                    return
                }
                throw ClientError.malformedResponse("answer for id \(frame.id?.description ?? "null"), which was not asked")
            }
            if let error = frame.error {
                refusals.append((request, error))
                stopped = true
                continue
            }
            guard let result = frame.result else { throw ClientError.malformedResponse("frame has no result or error") }
            take(result, of: request)
            drawProgress(progress, done: false)
        }
    }

    /// Writes requests until two are in flight, the file ends, or reading it fails.
    private func fillFlight(_ client: PinAdsClient) throws {
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
                        return
                    }
                    request = next
                } catch {
                    readFailure = error
                    stopped = true
                    return
                }
            }
            try client.connection.writeFrame(request.frame)
            request.frame = []
            inFlight[request.id] = request
            lastLineSent = max(lastLineSent, request.lastLine)
        }
    }

    /// A request's answer: its totals, and its rejections by file line (they come back by
    /// index in the request).
    private func take(_ result: SendConversionsResult, of request: Request) {
        accepted += result.accepted
        duplicates += result.duplicates
        refused += result.rejected.map { rejection in
            if let line = request.lines[safe: rejection.index] { return RejectedEvent(index: line, reason: rejection.reason) }
            return RejectedEvent(
                index: request.firstLine, reason: "\(rejection.reason) (event \(rejection.index) of the request of lines \(request.firstLine)–\(request.lastLine))")
        }
        answered += 1
        answeredEvents += request.lines.count
        answeredBytes += request.bytes
    }

    /// Something failed: says what was accepted before it (if anything) and what was not sent.
    private func reportFailure() -> Never {
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
