import ArgumentParser
import Foundation
import PinAdsProtocol

/// Updates, Pinterest's readings and drift as text, and following an update's job.
enum UpdateText {
    /// The statuses an update may set; ARCHIVED is final at Pinterest.
    static let statuses = ["ACTIVE", "PAUSED", "ARCHIVED"]

    static func status(_ text: String, flag: String) throws -> String {
        let value = text.uppercased()
        guard statuses.contains(value) else {
            throw ValidationError("\(flag) must be one of \(statuses.joined(separator: ", ")), got '\(text)'")
        }
        return value
    }

    /// "update 7 APPLIED 2026-12-04T10:00:02.000Z: status PAUSED".
    static func latest(_ update: UpdateInfo) -> String {
        var text = "update \(update.id) \(update.state.rawValue)"
        switch update.state {
        case .queued: text += " since \(Timestamp.format(update.createdAt))"
        case .applied: text += update.appliedAt.map { " \(Timestamp.format($0))" } ?? ""
        case .refused: break
        }
        let changes = self.changes(update.changes)
        if !changes.isEmpty { text += ": \(changes)" }
        if let error = update.error { text += " — \(BuildText.message(error))" }
        return text
    }

    /// The fields of an update's `changes`, with money in currency units: "status PAUSED, daily_spend_cap 80.00".
    static func changes(_ value: JSONValue) -> String {
        guard case .object(let fields) = value else { return describe(field: "", value) }
        return fields.keys.sorted().map { "\(label($0)) \(describe(field: $0, fields[$0] ?? .null))" }.joined(separator: ", ")
    }

    /// "changed at Pinterest: daily_spend_cap pinads 50.00 → Pinterest 80.00".
    static func drift(_ drift: Drift) -> String {
        "changed at Pinterest: \(label(drift.field)) pinads \(describe(field: drift.field, drift.pinads)) → Pinterest \(describe(field: drift.field, drift.pinterest))"
    }

    /// "Pinterest: status ACTIVE, summary RUNNING, review REJECTED (reasons …), read …".
    static func reading(_ reading: PinterestReading) -> String {
        var parts: [String] = []
        if let status = reading.status { parts.append("status \(status)") }
        if let summary = reading.summaryStatus { parts.append("summary \(summary)") }
        if let review = reading.reviewStatus {
            let reasons = reading.rejectedReasons ?? []
            parts.append("review \(review)" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"))
        }
        parts.append("read \(Timestamp.format(reading.readAt))")
        return "Pinterest: " + parts.joined(separator: ", ")
    }

    /// Money fields carry micro-currency in their name; shown in units, they drop the suffix.
    static func label(_ field: String) -> String {
        field.hasSuffix("_in_micro_currency") ? String(field.dropLast("_in_micro_currency".count)) : field
    }

    static func isMoney(_ field: String) -> Bool {
        field.hasSuffix("_in_micro_currency") || field.hasSuffix("_spend_cap") || field.hasSuffix("_micro")
    }

    static func describe(field: String, _ value: JSONValue) -> String {
        switch value {
        case .null: return "none"
        case .bool(let b): return b ? "yes" : "no"
        case .int(let i): return isMoney(field) ? Money.units(i) : String(i)
        case .double(let d): return isMoney(field) ? Money.cents(d) : String(d)
        case .string(let s): return s
        case .array(let items):
            if items.isEmpty { return "none" }
            let objects = items.contains { $0.objectValue != nil }
            return items.map { item in
                if case .object(let o) = item, let v = o["value"]?.stringValue, let m = o["match_type"]?.stringValue { return "\(v):\(m)" }
                return describe(field: field, item)
            }.joined(separator: objects ? ", " : ",")
        case .object(let fields):
            if field == "targeting", let spec = try? value.decoded(as: TargetingSpec.self) { return "{\(BuildText.targeting(spec))}" }
            return "{" + fields.keys.sorted().map { "\(label($0)) \(describe(field: $0, fields[$0] ?? .null))" }.joined(separator: ", ") + "}"
        }
    }

    /// What an update command ends with. Without --wait: how to follow its job. With it: the
    /// job followed, then the object read again (`reread`, JSON with --json) and its latest
    /// update's state; exit 1 when the job failed or Pinterest refused the change.
    static func finish(
        what: String, jobId: Int64?, wait: Bool, options: ClientOptions, show: String,
        reread: () throws -> (json: any Encodable, latest: UpdateInfo?)
    ) throws {
        guard let jobId else { return }
        guard wait else {
            if !options.json { print("job \(jobId) sends it to Pinterest; follow it with: pinads jobs watch \(jobId) (or \(show))") }
            return
        }
        let succeeded = try BuildText.follow(job: jobId, options: options)
        let (json, latest) = try reread()
        if options.json {
            Output.printJSON(json, pretty: false)
        } else if let latest {
            print("\(what): \(self.latest(latest))")
        }
        if !succeeded || latest?.state == .refused { throw ExitCode(1) }
    }

    /// The line an update command prints at once: "campaign 3 'Winter sale': update 7 QUEUED …".
    static func queued(what: String, jobId: Int64?, latest: UpdateInfo?, options: ClientOptions, result: some Encodable, wait: Bool) {
        if options.json {
            Output.printJSON(result, pretty: !(wait && jobId != nil))
            return
        }
        // Without a job nothing was recorded: the latest update, if any, is an earlier one.
        if jobId == nil {
            print("\(what): nothing to change (it is so already)" + (latest.map { " (latest \(self.latest($0)))" } ?? ""))
        } else if let latest {
            print("\(what): \(self.latest(latest))")
        }
    }
}
