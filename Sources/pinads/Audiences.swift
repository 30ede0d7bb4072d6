import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct Audience: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audiences (cohorts of emails or device ids), kept as SHA-256 hashes.",
        subcommands: [CreateAudience.self, ListAudiences.self, ShowAudience.self, DeleteAudience.self, AddMembers.self, RemoveMembers.self],
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
            ["ID", "NAME", "TYPE", "MEMBERS", "VERSION", "UPDATED"],
            result.audiences.map { [String($0.id), $0.name, $0.listType, String($0.memberCount), String($0.version), Timestamp.format($0.updatedAt)] })
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
    @Option(help: "For a CSV file: the column holding the member, by header name or 1-based number.") var column: String?

    /// Lines before the first member: the CSV header when the column is named.
    var headerLines: Int {
        guard let column else { return 0 }
        return Int(column) == nil ? 1 : 0
    }

    /// The members, read and parsed; raw values stay in this process until they are sent.
    func members() throws -> [String] {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            data = contents
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        guard let column else { return lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let header = lines.first else { return [] }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let index: Int
        if let number = Int(column), number >= 1 {
            index = number - 1
        } else if let found = names.firstIndex(where: { $0.caseInsensitiveCompare(column) == .orderedSame }) {
            index = found
        } else {
            throw ValidationError("--column \(column): no such column; the header has \(names.joined(separator: ", "))")
        }
        let rows = Array(lines.dropFirst(headerLines))
        return rows.compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return index < fields.count ? String(fields[index]) : nil
        }
    }

    /// Sends the members in chunks of 100,000 and prints the total.
    func send(options: ClientOptions, remove: Bool) throws {
        let members = try members()
        var total = MembersChangeResult(added: 0, removed: 0, unchanged: 0, rejected: [])
        var offset = 0
        repeat {
            let chunk = Array(members[offset..<min(offset + 100_000, members.count)])
            let result =
                remove
                ? try options.call(RemoveMembersRequest(audienceId: id, members: chunk))
                : try options.call(AddMembersRequest(audienceId: id, members: chunk))
            total.added += result.added
            total.removed += result.removed
            total.unchanged += result.unchanged
            total.rejected += result.rejected.map { RejectedMember(index: $0.index + offset, reason: $0.reason) }
            offset += chunk.count
        } while offset < members.count
        if options.printJSONIfAsked(total) { return }
        print("\(total.added) added, \(total.removed) removed, \(total.unchanged) unchanged, \(total.rejected.count) rejected")
        for rejection in total.rejected.prefix(20) {
            print("  line \(rejection.index + 1 + headerLines): \(rejection.reason)")
        }
        if total.rejected.count > 20 { print("  … and \(total.rejected.count - 20) more") }
    }
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
