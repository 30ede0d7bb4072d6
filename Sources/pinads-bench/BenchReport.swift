#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsProtocol

/// A threshold a measurement should meet.
struct Goal: Codable, Sendable {
    enum Comparison: String, Codable, Sendable {
        case atLeast = "≥", atMost = "≤", below = "<", above = ">", equal = "="
    }
    var comparison: Comparison
    var threshold: Double
    /// As the project states it, e.g. "≥ 95,000 events/s".
    var text: String

    static func atLeast(_ threshold: Double, _ text: String) -> Goal { Goal(comparison: .atLeast, threshold: threshold, text: text) }
    static func atMost(_ threshold: Double, _ text: String) -> Goal { Goal(comparison: .atMost, threshold: threshold, text: text) }
    static func below(_ threshold: Double, _ text: String) -> Goal { Goal(comparison: .below, threshold: threshold, text: text) }
    static func above(_ threshold: Double, _ text: String) -> Goal { Goal(comparison: .above, threshold: threshold, text: text) }
    static func equal(_ threshold: Double, _ text: String) -> Goal { Goal(comparison: .equal, threshold: threshold, text: text) }

    func isMet(by value: Double) -> Bool {
        guard value.isFinite else { return false }
        switch comparison {
        case .atLeast: return value >= threshold
        case .atMost: return value <= threshold
        case .below: return value < threshold
        case .above: return value > threshold
        case .equal: return value == threshold
        }
    }
}

/// One row of the report: a measured value, and its goal if it has one.
struct Metric: Codable, Sendable {
    var name: String
    /// Nil when it could not be measured (then `text` says why).
    var value: Double?
    var unit: String
    /// The value as shown in the table.
    var text: String
    var goal: Goal?
    /// Nil when there is no goal; false when the goal is not met or the value is missing.
    var met: Bool?

    init(_ name: String, _ value: Double?, unit: String, text: String, goal: Goal? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.text = text
        self.goal = goal
        met = goal.map { goal in value.map(goal.isMet(by:)) ?? false }
    }
}

/// The bytes as the goals state them (MB = 10⁶ bytes), with MiB alongside.
func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MB (%.1f MiB)", Double(bytes) / 1e6, Double(bytes) / 1_048_576)
}

/// A number with thousands separators, e.g. 95,000.
func grouped(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let digits = String(Int64(value.rounded()))
    var out = ""
    for (index, character) in digits.reversed().enumerated() {
        if index > 0, index % 3 == 0, character != "-" { out.append(",") }
        out.append(character)
    }
    return String(out.reversed())
}

/// What a scenario measures: a Codable result whose metrics are the report's rows.
protocol ScenarioResult: Codable, Sendable {
    var metrics: [Metric] { get }
    /// Remarks shown under the table (what exactly was measured, caveats).
    var notes: [String] { get }
}

extension ScenarioResult {
    var notes: [String] { [] }
}

/// One scenario in the report: its rows, its notes, and its whole result as JSON.
struct ScenarioReport: Codable, Sendable {
    var scenario: String
    var startedAt: Date
    var seconds: Double
    /// The 1-minute load average when it started: other work on the machine skews the figures.
    var loadAverageAtStart: Double
    /// Why the scenario could not finish, when it could not.
    var error: String?
    var metrics: [Metric]
    var notes: [String]
    var result: JSONValue?
}

struct HostInfo: Codable, Sendable {
    var hostname: String
    var cores: Int
    var kernel: String
    var binaries: String

    static func current(binaries: String) -> HostInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return HostInfo(
            hostname: ProcessInfo.processInfo.hostName, cores: ProcessInfo.processInfo.activeProcessorCount, kernel: release,
            binaries: binaries)
    }
}

struct BenchReport: Codable, Sendable {
    var command: [String]
    var startedAt: Date
    var finishedAt: Date
    var host: HostInfo
    /// Every goal of every scenario was met, and every scenario finished.
    var allGoalsMet: Bool
    var scenarios: [ScenarioReport]

    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) >= 1 ? loads[0] : .nan
    }

    /// Runs one scenario and records it; a failure is recorded (with whatever was measured
    /// before it: nothing) and does not stop the others.
    static func run<R: ScenarioResult>(_ scenario: String, _ body: () async throws -> R) async -> ScenarioReport {
        let started = Date()
        let load = loadAverage()
        progress("== \(scenario) (load average \(String(format: "%.2f", load)))")
        do {
            let result = try await body()
            let encoded = try JSONDecoder().decode(JSONValue.self, from: try reportEncoder().encode(result))
            let report = ScenarioReport(
                scenario: scenario, startedAt: started, seconds: Date().timeIntervalSince(started), loadAverageAtStart: load, error: nil,
                metrics: result.metrics, notes: result.notes, result: encoded)
            for metric in report.metrics {
                progress("  \(metric.name): \(metric.text)" + (metric.goal.map { "  (goal \($0.text): \(metric.met == true ? "met" : "NOT met"))" } ?? ""))
            }
            return report
        } catch {
            progress("  \(scenario) failed: \(error)")
            return ScenarioReport(
                scenario: scenario, startedAt: started, seconds: Date().timeIntervalSince(started), loadAverageAtStart: load,
                error: String(describing: error), metrics: [], notes: [], result: nil)
        }
    }

    init(command: [String], startedAt: Date, host: HostInfo, scenarios: [ScenarioReport]) {
        self.command = command
        self.startedAt = startedAt
        finishedAt = Date()
        self.host = host
        self.scenarios = scenarios
        allGoalsMet = scenarios.allSatisfy { $0.error == nil && $0.metrics.allSatisfy { $0.met != false } }
    }

    static func reportEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    var markdown: String {
        let date = ISO8601DateFormatter().string(from: startedAt)
        var lines = [
            "# pinads-bench report",
            "",
            "`\(command.joined(separator: " "))`, \(date), \(String(format: "%.0f", finishedAt.timeIntervalSince(startedAt))) s; "
                + "\(host.hostname): \(host.cores) cores, Linux \(host.kernel); binaries from `\(host.binaries)`.",
            "",
            allGoalsMet ? "Every goal was met." : "**Not every goal was met** (see the met column).",
            "",
            "| scenario | metric | value | goal | met |",
            "|---|---|---|---|---|",
        ]
        for scenario in scenarios {
            if let error = scenario.error {
                lines.append("| \(scenario.scenario) | (scenario failed) | \(Self.cell(error)) | — | **no** |")
                continue
            }
            for metric in scenario.metrics {
                let met = metric.met.map { $0 ? "yes" : "**no**" } ?? "—"
                lines.append("| \(scenario.scenario) | \(Self.cell(metric.name)) | \(Self.cell(metric.text)) | \(metric.goal.map { Self.cell($0.text) } ?? "—") | \(met) |")
            }
        }
        lines.append("")
        for scenario in scenarios {
            lines.append(
                "- **\(scenario.scenario)**: \(String(format: "%.0f", scenario.seconds)) s, load average \(String(format: "%.2f", scenario.loadAverageAtStart)) at its start."
                    + (scenario.notes.isEmpty ? "" : " " + scenario.notes.joined(separator: " ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    func write(markdownTo markdownPath: String, jsonTo jsonPath: String) throws {
        try markdown.write(toFile: markdownPath, atomically: true, encoding: .utf8)
        try Self.reportEncoder().encode(self).write(to: URL(fileURLWithPath: jsonPath))
        print("report: \(markdownPath), \(jsonPath)")
    }
}
