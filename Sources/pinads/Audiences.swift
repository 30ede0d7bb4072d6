import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct Audience: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audiences (cohorts of emails or device ids), kept as SHA-256 hashes.",
        discussion: """
            An audience is activated on one or more ad accounts; each activation is kept in sync as its own Pinterest
            customer list and CUSTOMER_LIST audience: additions and removals within seconds of a change, and daily at 06:00 UTC.
            Typical use:
              pinads audience create buyers
              pinads audience add 1 --file buyers.csv --column email
              pinads audience activate 1
              pinads audience sync 1
            """,
        subcommands: [
            CreateAudience.self, ListAudiences.self, ShowAudience.self, DeleteAudience.self, AddMembers.self, RemoveMembers.self,
            ActivateAudience.self, DeactivateAudience.self, ListActivations.self, SyncAudience.self, CreateActalike.self,
        ],
        defaultSubcommand: ListAudiences.self)
}

struct CreateAudience: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "A new, empty audience.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Its name (unique).") var name: String
    @Option(help: "EMAIL (default), MAID or IDFA.") var listType: String?
    @Option(help: "A description.") var description: String?

    func run() throws {
        let result = try options.call(CreateAudienceRequest(name: name, listType: listType, description: description))
        if options.printJSONIfAsked(result) { return }
        print("audience \(result.audience.id) '\(result.audience.name)' (\(result.audience.listType)) created; add members with: pinads audience add \(result.audience.id) --file emails.txt")
    }
}

struct ListAudiences: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every audience.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        let result = try options.call(ListAudiencesRequest())
        if options.printJSONIfAsked(result) { return }
        if result.audiences.isEmpty {
            print("no audiences; create one with `pinads audience create NAME`")
            return
        }
        Output.table(
            ["ID", "NAME", "TYPE", "MEMBERS", "VERSION", "UPDATED", "SYNC (ad account: state)"],
            result.audiences.map { audience in
                let sync = audience.activations.filter(\.active).map { "\($0.adAccountId): \(ActivationText.state($0))" }
                return [
                    String(audience.id), audience.name, audience.listType, String(audience.memberCount), String(audience.version),
                    Timestamp.format(audience.updatedAt), sync.isEmpty ? "not activated" : sync.joined(separator: ", "),
                ]
            })
    }
}

struct ShowAudience: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One audience.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id.") var id: Int64

    func run() throws {
        let result = try options.call(GetAudienceRequest(audienceId: id))
        if options.printJSONIfAsked(result) { return }
        let a = result.audience
        print("audience \(a.id) '\(a.name)' (\(a.listType)): \(a.memberCount) members, version \(a.version), updated \(Timestamp.format(a.updatedAt))")
        if let description = a.description { print(description) }
        if a.activations.isEmpty { print("not activated on any ad account; `pinads audience activate \(a.id)` syncs it to Pinterest") }
        for activation in a.activations { ActivationText.describe(activation) }
        for actalike in a.actalikes {
            print("actalike \(actalike.id) '\(actalike.name)' on \(actalike.adAccountId): \(actalike.country) \(actalike.percentage)%, Pinterest audience \(actalike.pinterestAudienceId ?? "not created yet")\(actalike.status.map { ", \($0)" } ?? "")")
        }
    }
}

struct DeleteAudience: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete it here (Pinterest objects stay).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id.") var id: Int64

    func run() throws {
        let result = try options.call(DeleteAudienceRequest(audienceId: id))
        if options.printJSONIfAsked(result) { return }
        print("audience \(id) \(result.note)")
    }
}

/// Adding and removing share the reading of members and the chunked sending.
struct MemberInput: ParsableArguments {
    @Argument(help: "Audience id.") var id: Int64
    @Option(help: "File with one member per line (or a CSV; see --column); - reads standard input.") var file: String
    @Option(help: "For a CSV file: the column holding the member, by header name (the first line is the header) or 1-based number (no header).") var column: String?

    /// One member as read: its value and the line of the file it came from.
    struct Member {
        var line: Int
        var value: String
    }

    /// The members, read and parsed, and the lines that held none (a CSV row too short);
    /// raw values stay in this process until they are sent. Split on bytes, not characters:
    /// a million-line file takes a fraction of a second.
    func members() throws -> (members: [Member], unreadable: [RejectedMember]) {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            data = contents
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines: [(number: Int, text: Substring.UTF8View)] = []
        for (offset, raw) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            lines.append((offset + 1, line))
        }
        guard let column else {
            return (lines.map { Member(line: $0.number, value: String(Substring($0.text))) }, [])
        }
        var index: Int
        var rows = lines[...]
        if let number = Int(column), number >= 1 {
            index = number - 1
        } else {
            guard let header = lines.first else { return ([], []) }
            let names = Self.csvFields(header.text).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let found = names.firstIndex(where: { $0.caseInsensitiveCompare(column) == .orderedSame }) else {
                throw ValidationError("--column \(column): no such column; the header has \(names.joined(separator: ", "))")
            }
            index = found
            rows = rows.dropFirst()
        }
        var members: [Member] = []
        var unreadable: [RejectedMember] = []
        members.reserveCapacity(rows.count)
        for row in rows {
            let fields = Self.csvFields(row.text)
            if index < fields.count {
                members.append(Member(line: row.number, value: fields[index]))
            } else {
                unreadable.append(RejectedMember(index: row.number, reason: "no column \(index + 1) in this row"))
            }
        }
        return (members, unreadable)
    }

    /// The fields of one CSV line (RFC 4180: a field in double quotes may hold commas and "").
    static func csvFields(_ line: Substring.UTF8View) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var iterator = line.makeIterator()
        var pending: UInt8? = nil
        while let byte = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if let next = iterator.next() {
                        if next == UInt8(ascii: "\"") { current.append(next) } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == UInt8(ascii: "\""), current.allSatisfy({ $0 == 32 }) {
                current.removeAll()
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll()
            } else {
                current.append(byte)
            }
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }

    /// Chunks of at most 100,000 members and about 8 MiB of text, so no request comes near the
    /// daemon's frame limit whatever the members' lengths.
    static func chunks(_ members: [Member]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0, bytes = 0
        for (i, member) in members.enumerated() {
            let size = member.value.utf8.count + 4
            if i > start, i - start >= 100_000 || bytes + size > 8 * 1024 * 1024 {
                chunks.append(start..<i)
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < members.count || chunks.isEmpty { chunks.append(start..<members.count) }
        return chunks
    }

    /// Sends the members in chunks, two requests in flight (the daemon hashes one while it
    /// stores the other), and prints the total with the file lines of refused members. A
    /// failure part-way says what was applied before it.
    func send(options: ClientOptions, remove: Bool) throws {
        let (members, unreadable) = try members()
        let chunks = Self.chunks(members)
        var total = MembersChangeResult(added: 0, removed: 0, unchanged: 0, rejected: unreadable)
        var appliedChunks = 0
        func report() {
            total.rejected.sort { $0.index < $1.index }
            print("\(total.added) added, \(total.removed) removed, \(total.unchanged) unchanged, \(total.rejected.count) rejected")
            for rejection in total.rejected.prefix(20) { print("  line \(rejection.index): \(rejection.reason)") }
            if total.rejected.count > 20 { print("  … and \(total.rejected.count - 20) more") }
        }
        func add(_ result: MembersChangeResult, chunk: Range<Int>) {
            total.added += result.added
            total.removed += result.removed
            total.unchanged += result.unchanged
            // Rejections come back by index in the request: report them by file line.
            total.rejected += result.rejected.map { RejectedMember(index: members[chunk.lowerBound + $0.index].line, reason: $0.reason) }
            appliedChunks += 1
        }
        func failed(_ message: String, chunk: Range<Int>?) -> Never {
            if appliedChunks > 0 {
                print("stopped part-way; applied before the failure:")
                report()
            }
            if let chunk, let first = members[safe: chunk.lowerBound], let last = members[safe: chunk.upperBound - 1] {
                Output.printError("the members on lines \(first.line)–\(last.line) were not applied: \(message)")
            } else {
                Output.printError(message)
            }
            Foundation.exit(appliedChunks > 0 ? 1 : 70)
        }
        let client = try options.connect()
        do {
            let all = members
            func values(_ i: Int) -> [String] { all[chunks[i]].map(\.value) }
            func handle(_ i: Int, _ outcome: PinAdsClient.Outcome<MembersChangeResult>) {
                switch outcome {
                case .result(let result): add(result, chunk: chunks[i])
                case .error(let error):
                    if appliedChunks == 0 { Output.fail(error) }
                    failed("\(error.code.rawValue): \(error.message)", chunk: chunks[i])
                }
            }
            if remove {
                try client.pipeline(count: chunks.count) { i in RemoveMembersRequest(audienceId: id, members: values(i)) } handle: { handle($0, $1) }
            } else {
                try client.pipeline(count: chunks.count) { i in AddMembersRequest(audienceId: id, members: values(i)) } handle: { handle($0, $1) }
            }
        } catch {
            if appliedChunks == 0 { Output.fail(error) }
            failed("\(error)", chunk: nil)
        }
        total.rejected.sort { $0.index < $1.index }
        if options.printJSONIfAsked(total) { return }
        report()
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

struct AddMembers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add members: emails or device ids, plain or SHA-256 hashed; hashed before they are stored.")
    @OptionGroup var options: ClientOptions
    @OptionGroup var input: MemberInput

    func run() throws { try input.send(options: options, remove: false) }
}

struct RemoveMembers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove members (same input as add).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var input: MemberInput

    func run() throws { try input.send(options: options, remove: true) }
}

/// Activations as text.
enum ActivationText {
    static func state(_ activation: ActivationInfo) -> String {
        var text = activation.active ? activation.state.rawValue : "DEACTIVATED"
        if let status = activation.listStatus, activation.state == .synced, status != "READY" { text += " (\(status))" }
        return text
    }

    static func describe(_ a: ActivationInfo) {
        var line = "ad account \(a.adAccountId): \(state(a)), synced version \(a.syncedVersion)"
        if a.pendingChanges > 0 { line += ", \(a.pendingChanges) changes pending" }
        line += "; sent \(a.recordsAdded) additions, \(a.recordsRemoved) removals"
        if let at = a.lastSyncedAt { line += "; last synced \(Timestamp.format(at))" }
        print(line)
        if let list = a.customerListId {
            print("  customer list \(list) (\(a.listStatus ?? "status unknown")), audience \(a.pinterestAudienceId ?? "not created yet")\(a.audienceStatus.map { " (\($0))" } ?? "")")
        }
        if let progress = a.progress {
            print("  syncing to version \(progress.targetVersion): \(progress.phase), \(progress.added) added, \(progress.removed) removed so far")
        }
        if let error = a.error {
            print("  error: \(error.message)\(error.pinterestCode.map { " (Pinterest code \($0))" } ?? "") at \(Timestamp.format(error.at))")
        }
        if a.listStatus == "TOO_SMALL" {
            print("  Pinterest matched fewer than 100 of its members to Pinterest accounts: it cannot be targeted until it grows")
        }
    }
}

struct ActivateAudience: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Keep the audience in sync on an ad account (the default one unless --ad-account), starting now.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id.") var id: Int64
    @Option(help: "The ad account (any of `pinads accounts`).") var adAccount: String?
    @Flag(help: "Follow the first sync until it ends.") var wait = false

    func run() throws {
        let result = try options.call(ActivateAudienceRequest(audienceId: id, adAccountId: adAccount))
        if options.printJSONIfAsked(result) { return }
        let a = result.activation
        print("audience \(id) \(result.created ? "activated" : "active again") on ad account \(a.adAccountId) (activation \(a.id))")
        guard let sync = result.sync else { return }
        if wait {
            try SyncAudience.follow([sync], options: options)
        } else {
            print("sync queued as job \(sync.jobId); follow it with: pinads jobs watch \(sync.jobId)")
        }
    }
}

struct DeactivateAudience: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate", abstract: "Stop syncing the audience to an ad account (Pinterest's list and audience stay).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id.") var id: Int64
    @Option(help: "The ad account (default: the only one the audience is activated on, else the default ad account).") var adAccount: String?

    func run() throws {
        let result = try options.call(DeactivateAudienceRequest(audienceId: id, adAccountId: adAccount))
        if options.printJSONIfAsked(result) { return }
        print("audience \(id) on ad account \(result.activation.adAccountId): \(result.note)")
    }
}

struct ListActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations", abstract: "Where audiences are synced, with each one's state.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id (all audiences when omitted).") var id: Int64?

    func run() throws {
        let result = try options.call(ListActivationsRequest(audienceId: id))
        if options.printJSONIfAsked(result) { return }
        if result.activations.isEmpty {
            print("no activations; `pinads audience activate ID` syncs an audience to Pinterest")
            return
        }
        Output.table(
            ["ID", "AUDIENCE", "AD ACCOUNT", "STATE", "VERSION", "PENDING", "LIST", "LAST SYNCED", "ERROR"],
            result.activations.map { a in
                [
                    String(a.id), String(a.audienceId), a.adAccountId, ActivationText.state(a), String(a.syncedVersion), String(a.pendingChanges),
                    a.customerListId ?? "-", a.lastSyncedAt.map(Timestamp.format) ?? "-", a.error?.message ?? "",
                ]
            })
    }
}

struct SyncAudience: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync now: one audience (every ad account it is active on, or --ad-account), or --all that need it.",
        discussion: "Follows the syncs with a progress bar on a terminal (plain lines otherwise) and exits 1 if any ends in ERROR.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id.") var id: Int64?
    @Option(help: "Only this ad account's activation.") var adAccount: String?
    @Flag(help: "Every activation never synced, in ERROR, or with pending changes.") var all = false
    @Flag(help: "Queue the syncs and return at once.") var noWait = false

    func validate() throws {
        if all == (id != nil) { throw ValidationError("give an audience id or --all (not both)") }
        if all, adAccount != nil { throw ValidationError("--ad-account goes with an audience id, not --all") }
    }

    func run() throws {
        let result =
            if let id { try options.call(SyncAudienceRequest(audienceId: id, adAccountId: adAccount)) } else {
                try options.call(SyncAllAudiencesRequest())
            }
        if noWait || options.json {
            if options.printJSONIfAsked(result) { return }
            for sync in result.syncs { print("audience \(sync.audienceId) → \(sync.adAccountId): job \(sync.jobId)") }
            return
        }
        if result.syncs.isEmpty {
            print("nothing to sync: every active activation is up to date")
            return
        }
        try Self.follow(result.syncs, options: options)
    }

    /// Follows sync jobs to their end, then prints each activation's state. Exits 1 when a job
    /// failed or an activation is in ERROR.
    static func follow(_ syncs: [QueuedSync], options: ClientOptions) throws {
        let client = try options.connect()
        let bar = ProgressDisplay(labels: Dictionary(syncs.map { ($0.jobId, "audience \($0.audienceId) → \($0.adAccountId)") }, uniquingKeysWith: { a, _ in a }))
        struct WaitsForReconnect: Error { var job: Job }
        let outcome: PinAdsClient.Outcome<WatchJobsResult>
        do {
            outcome = try client.stream(WatchJobsRequest(ids: Array(Set(syncs.map(\.jobId))).sorted())) { event in
                bar.update(event.job)
                // A sync waiting for a reconnect would never end while we watch.
                if event.job.state == .waiting, event.job.blockedOn != nil { throw WaitsForReconnect(job: event.job) }
            }
        } catch let waiting as WaitsForReconnect {
            bar.finish()
            Output.printError(
                "job \(waiting.job.id) waits for its Pinterest connection: \(waiting.job.lastError ?? "it needs a reconnect"); it resumes by itself after `pinads connect`")
            throw ExitCode(1)
        } catch {
            Output.fail(error)
        }
        bar.finish()
        guard case .result(let result) = outcome else {
            if case .error(let error) = outcome { Output.fail(error) }
            return
        }
        var ok = result.jobs.allSatisfy { $0.state == .succeeded }
        for audience in Set(syncs.map(\.audienceId)).sorted() {
            let activations = try options.call(ListActivationsRequest(audienceId: audience)).activations
            for activation in activations where syncs.contains(where: { $0.activationId == activation.id }) {
                print("audience \(audience): ", terminator: "")
                ActivationText.describe(activation)
                if activation.state == .error { ok = false }
            }
        }
        if !ok { throw ExitCode(1) }
    }
}

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

struct CreateActalike: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actalike",
        abstract: "Create a Pinterest actalike (lookalike) audience seeded by this audience's synced Pinterest audience.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Audience id.") var id: Int64
    @Option(help: "US, CA or GB.") var country: String
    @Option(help: "1–10: the share of the country's users to reach (1 is closest to the seed).") var percentage: Int
    @Option(help: "The ad account of the seed (the default one unless given).") var adAccount: String?
    @Option(help: "Its name at Pinterest (default: '<audience> actalike <country> <n>%').") var name: String?

    func run() throws {
        let result = try options.call(
            CreateActalikeRequest(audienceId: id, adAccountId: adAccount, country: country, percentage: percentage, name: name))
        if options.printJSONIfAsked(result) { return }
        let a = result.actalike
        print("actalike \(a.id) '\(a.name)' \(result.created ? "created" : "already exists"): Pinterest audience \(a.pinterestAudienceId ?? "?") on ad account \(a.adAccountId)\(a.status.map { " (\($0))" } ?? "")")
    }
}
