import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol
import Synchronization

/// Printing for people, and the exits that go with failures.
enum Output {
    static func printJSON(_ value: some Encodable, pretty: Bool = true) {
        let encoder = Wire.encoder()
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        guard let data = try? encoder.encode(value) else { return }
        print(String(decoding: data, as: UTF8.self))
    }

    private static let jsonErrors = Mutex(false)

    /// --json: errors go to stdout as `{"error": {"code", "message", "details"}}` as well.
    static func reportAsJSON(_ on: Bool) {
        jsonErrors.withLock { $0 = on }
    }

    /// The daemon said no: print its code and message, exit 1. DEADLINE_EXCEEDED is the daemon
    /// keeping the client's deadline: the same exit as a timeout, 75.
    static func fail(_ error: ResponseError, client: PinAdsClient? = nil, hint: String? = nil) -> Never {
        var message = "\(error.code.rawValue): \(error.message)"
        if error.code == .deadlineExceeded, let client, let timeout = client.timeout {
            message += " (socket \(client.connection.path), --timeout \(ClientError.seconds(timeout)))"
        }
        report(ErrorReport(code: error.code.rawValue, message: error.message, details: error.details), text: message, hint: hint)
        exit(error.code == .deadlineExceeded ? 75 : 1)
    }

    /// The daemon could not be reached, did not answer in time, or did not make sense.
    static func fail(_ error: any Error) -> Never {
        switch error {
        case let error as ResponseError:
            // Named arguments: `fail(error)` would pick this overload again, forever.
            fail(error, client: nil, hint: nil)
        case let error as ClientError:
            let (code, status): (ErrorCode, Int32)
            var details: [String: JSONValue] = [:]
            switch error {
            case .noDaemon(let path), .connectFailed(let path, _), .pathTooLong(let path):
                (code, status) = (.unavailable, 69)
                details["socket"] = .string(path)
            case .accessDenied(let path), .foreignDaemon(let path, _):
                (code, status) = (.permissionDenied, 69)
                details["socket"] = .string(path)
            case .timedOut(let path, let timeout):
                (code, status) = (.deadlineExceeded, 75)
                details["socket"] = .string(path)
                details["timeout_s"] = .double(Double(timeout.milliseconds) / 1000)
            case .closedByDaemon, .io:
                (code, status) = (.unavailable, 70)
            case .frame, .malformedResponse:
                (code, status) = (.internal, 70)
            }
            report(ErrorReport(code: code.rawValue, message: error.description, details: details.isEmpty ? nil : .object(details)), text: error.description)
            exit(status)
        default:
            let text = String(describing: error)
            report(ErrorReport(code: ErrorCode.internal.rawValue, message: text, details: nil), text: text)
            exit(70)
        }
    }

    /// The `{"error": ...}` that --json prints.
    private struct ErrorReport: Encodable {
        var code: String
        var message: String
        var details: JSONValue?
        var hint: String?
    }

    private struct ErrorEnvelope: Encodable {
        var error: ErrorReport
    }

    private static func report(_ error: ErrorReport, text: String, hint: String? = nil) {
        if jsonErrors.withLock({ $0 }) {
            var error = error
            error.hint = hint
            printJSON(ErrorEnvelope(error: error))
            fflush(nil)
        }
        printError(text)
        if let hint { printError(hint) }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("pinads: \(message)\n".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total < 60 { return String(format: "%.1fs", seconds) }
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60)
        if h >= 24 { return "\(h / 24)d\(h % 24)h" }
        return h > 0 ? "\(h)h\(m)m" : "\(m)m\(s)s"
    }

    static func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1024 * 1024 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return String(format: "%.1f MiB", Double(count) / 1024 / 1024)
    }

    /// A bar of `width` cells, `#` for the part done: `[######--------------]`.
    static func bar(_ fraction: Double, width: Int) -> String {
        let filled = Int(min(1, max(0, fraction)) * Double(width))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    static func progress(_ progress: JobProgress?) -> String {
        guard let progress else { return "" }
        if let total = progress.total { return "\(progress.done)/\(total)" }
        return "\(progress.done)"
    }

    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(render(header))
        for row in rows { print(render(row)) }
    }

    /// One line per job change, for `jobs watch`.
    static func line(for job: Job) {
        var text = "job \(job.id) \(job.kind): \(job.state.rawValue)"
        if job.state == .running || job.state == .succeeded, let progress = job.progress {
            text += " \(Output.progress(progress))"
            if let message = progress.message { text += " (\(message))" }
        }
        if job.state == .running { text += ", attempt \(job.attempts) of \(job.maxAttempts)" }
        if job.state == .waiting, let next = job.nextRunAt {
            text += ", retry at \(Timestamp.format(next))"
        }
        if job.state == .waiting || job.state == .failed || job.state == .cancelled, let error = job.lastError {
            text += " — \(error)"
        }
        print(text)
        fflush(nil)
    }

    static func describe(_ job: Job) {
        var rows: [(String, String)] = [
            ("id", String(job.id)), ("kind", job.kind), ("state", job.state.rawValue),
            ("attempts", "\(job.attempts) of \(job.maxAttempts)"),
        ]
        if let progress = job.progress {
            rows.append(("progress", Output.progress(progress) + (progress.message.map { " (\($0))" } ?? "")))
        }
        if let next = job.nextRunAt { rows.append(("next run", Timestamp.format(next))) }
        if job.cancelRequested { rows.append(("cancel", "requested")) }
        if let error = job.lastError { rows.append(("last error", error)) }
        rows.append(("created", Timestamp.format(job.createdAt)))
        if let started = job.startedAt { rows.append(("started", Timestamp.format(started))) }
        if let finished = job.finishedAt { rows.append(("finished", Timestamp.format(finished))) }
        rows.append(("payload", compact(job.payload)))
        if let result = job.result { rows.append(("result", compact(result))) }
        for (key, value) in rows { print("\(key.padding(toLength: 11, withPad: " ", startingAt: 0)) \(value)") }
    }

    private static func compact(_ value: JSONValue) -> String {
        guard let data = try? Wire.encoder().encode(value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A progress line redrawn in place on standard error, and only when standard error is a
/// terminal: output that is piped, captured or parsed never sees it.
final class ProgressLine {
    let enabled: Bool
    private var drawn = false

    init(enabled: Bool = true) { self.enabled = enabled && isatty(STDERR_FILENO) == 1 }

    /// Redraws the line: a bar with its percentage when `fraction` is known, then `text`.
    func draw(fraction: Double?, _ text: String) {
        guard enabled else { return }
        var line = "\r\u{1B}[2K"
        if let fraction {
            let clamped = min(1, max(0, fraction))
            line += Output.bar(clamped, width: 20) + String(format: " %3.0f%% ", clamped * 100)
        }
        line += text
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    /// Ends the line (it stays on screen); call before printing anything else.
    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }
}

/// Reads a file, or standard input for "-", one line at a time through a buffer of about
/// `blockSize` bytes: a file of any size takes the memory of one block and its longest line.
/// Lines are numbered from 1 (blank ones count), lose their "\n" and a trailing "\r", and the
/// first loses a UTF-8 byte-order mark. A line longer than `maximumLineLength` is skipped
/// without being held and comes back as `.tooLong`.
final class LineReader {
    enum Line {
        case text(number: Int, bytes: [UInt8])
        case tooLong(number: Int, length: Int)

        var number: Int {
            switch self {
            case .text(let number, _), .tooLong(let number, _): return number
            }
        }
    }

    struct ReadError: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }

    let maximumLineLength: Int
    /// The size of a regular file (or of standard input redirected from one); nil for a pipe.
    private(set) var size: Int64?
    /// Bytes consumed so far, line ends included.
    private(set) var offset: Int64 = 0
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let blockSize: Int
    private var buffer: [UInt8]
    private var start = 0, end = 0
    private var atEnd = false
    private var lineNumber = 0

    /// Opens `path` ("-": standard input).
    init(path: String, maximumLineLength: Int, blockSize: Int = 1 << 20) throws {
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ReadError(errno: errno) }
            ownsDescriptor = true
        }
        self.maximumLineLength = maximumLineLength
        self.blockSize = blockSize
        buffer = [UInt8](repeating: 0, count: blockSize)
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o170000 == 0o100000 {
            size = Int64(info.st_size) - max(0, Int64(lseek(fd, 0, SEEK_CUR)))
        }
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// The next line; nil at the end of the input.
    func next() throws -> Line? {
        var skipped = 0  // bytes of a line too long to keep, discarded so far
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { all in
                guard end > start, let base = all.baseAddress,
                    let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start)
                else { return nil }
                return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            }
            if let newline = found {
                return take(upTo: newline, consumed: newline + 1 - start, skipped: skipped)
            }
            if atEnd {
                if start == end && skipped == 0 { return nil }
                return take(upTo: end, consumed: end - start, skipped: skipped)
            }
            if end - start > maximumLineLength {
                // Too long to be a line worth keeping: drop what is buffered, keep counting.
                skipped += end - start
                offset += Int64(end - start)
                start = end
            }
            try fill()
        }
    }

    private func take(upTo lineEnd: Int, consumed: Int, skipped: Int) -> Line {
        lineNumber += 1
        let length = skipped + (lineEnd - start)
        defer {
            start += consumed
            offset += Int64(consumed)
        }
        if length > maximumLineLength { return .tooLong(number: lineNumber, length: length) }
        var from = start, to = lineEnd
        if to > from, buffer[to - 1] == UInt8(ascii: "\r") { to -= 1 }
        if lineNumber == 1, to - from >= 3, buffer[from] == 0xEF, buffer[from + 1] == 0xBB, buffer[from + 2] == 0xBF { from += 3 }
        return .text(number: lineNumber, bytes: Array(buffer[from..<to]))
    }

    /// Reads more bytes after the unconsumed ones, moving them to the front first.
    private func fill() throws {
        if start > 0 {
            if start < end {
                buffer.withUnsafeMutableBufferPointer { all in
                    _ = memmove(all.baseAddress!, all.baseAddress! + start, end - start)
                }
            }
            end -= start
            start = 0
        }
        if buffer.count - end < blockSize / 2 { buffer.append(contentsOf: repeatElement(0, count: max(blockSize, buffer.count))) }
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { all in read(fd, all.baseAddress! + end, all.count - end) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(errno: errno)
            }
            if n == 0 { atEnd = true } else { end += n }
            return
        }
    }
}
