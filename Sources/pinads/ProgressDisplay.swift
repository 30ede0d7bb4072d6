import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

/// Job progress: one redrawn bar per job on a terminal, plain lines otherwise.
final class ProgressDisplay {
    private let labels: [Int64: String]
    private let terminal = isatty(STDOUT_FILENO) == 1
    private var drawn = false

    init(labels: [Int64: String]) { self.labels = labels }

    func update(_ job: Job) {
        let label = labels[job.id] ?? "job \(job.id)"
        guard terminal else {
            print("\(label): ", terminator: "")
            Output.line(for: job)
            return
        }
        var text = "\(label) "
        if let progress = job.progress, let total = progress.total, total > 0 {
            let fraction = min(1, Double(progress.done) / Double(total))
            text += Output.bar(fraction, width: 30) + " "
            text += String(format: "%3.0f%% ", fraction * 100) + "\(progress.done)/\(total)"
        } else {
            text += job.state.rawValue
        }
        if job.state == .waiting, let error = job.lastError { text += " (retrying: \(error.prefix(60)))" }
        print("\r\u{1B}[2K" + text, terminator: job.state == .running || job.state == .queued ? "" : "\n")
        drawn = job.state == .running || job.state == .queued
        fflush(nil)
    }

    func finish() {
        if terminal && drawn { print("") }
    }
}
