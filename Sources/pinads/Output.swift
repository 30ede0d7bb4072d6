import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

/// Printing for people, and the exits that go with failures.
enum Output {
    static func printJSON(_ value: some Encodable, pretty: Bool = true) {
        let encoder = Wire.encoder()
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        guard let data = try? encoder.encode(value) else { return }
        print(String(decoding: data, as: UTF8.self))
    }

    /// The daemon said no: print its code and message, exit 1.
    static func fail(_ error: ResponseError) -> Never {
        printError("\(error.code.rawValue): \(error.message)")
        exit(1)
    }

    /// The daemon could not be reached or did not make sense.
    static func fail(_ error: any Error) -> Never {
        switch error {
        case let error as ResponseError:
            fail(error)
        case let error as ClientError:
            printError(error.description)
            switch error {
            case .noDaemon, .accessDenied, .connectFailed, .pathTooLong, .foreignDaemon: exit(69)
            default: exit(70)
            }
        default:
            printError(String(describing: error))
            exit(70)
        }
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
