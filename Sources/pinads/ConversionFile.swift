import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

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
                        event = try decoder.decode(ConversionEventInput.self, from: JSONInput.padded(Data(bytes)))
                    } catch {
                        unreadable.append(RejectedEvent(index: number, reason: ConversionFile.describe(error)))
                        continue
                    }
                    // A field unknown or of the wrong type: refused here, as the daemon would.
                    if let problem = event.problem {
                        let notAnObject = event.unread.map { $0.objectValue == nil } ?? false
                        unreadable.append(RejectedEvent(index: number, reason: notAnObject ? "not a JSON object" : problem))
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
}
