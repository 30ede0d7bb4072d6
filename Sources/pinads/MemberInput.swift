import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

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
