#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Audiences synced by the real pinadsd to a real pinads-sandbox, driven by the real pinads.
@Suite("Audience sync end to end", .serialized)
struct AudiencesEndToEndTests {
    /// SHA-256 of the normalized email, as the daemon stores and sends it.
    static func hash(_ email: String) -> String {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let bytes = Array(email.trimmingCharacters(in: .whitespaces).lowercased().utf8)
        _ = EVP_Digest(bytes, bytes.count, &output, &length, EVP_sha256(), nil)
        return output.map { String(format: "%02x", $0) }.joined()
    }

    static func emails(_ range: Range<Int>) -> [String] { range.map { "Shopper.\($0)@Example.com" } }

    static func sortedHashes(_ emails: [String]) -> [String] {
        emails.map(hash).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private func connect(_ daemon: Daemon, _ sandbox: SandboxProcess, adAccounts: Int = 2) async throws -> SandboxProcess.Token {
        let token = try await sandbox.seedToken(adAccounts: adAccounts)
        // The seeded pair as given, with its expiry (so the daemon keeps it rather than refreshing to learn it).
        let lines = "access_token=\(token.access)\nrefresh_token=\(token.refresh)\nexpires_in=\(token.expiresIn)\nclient_id=\(SandboxProcess.appID)\nclient_secret=\(SandboxProcess.appSecret)\n"
        let connected = try await runCommand(
            Binaries.pinads, ["connect", "--stdin", "--socket", daemon.socketPath], environment: Daemon.baseEnvironment, stdin: lines)
        #expect(connected.status == 0, "\(connected.stderr)")
        return token
    }

    private func writeLines(_ lines: [String], in folder: TemporaryFolder, name: String) throws -> String {
        let path = folder.path + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The sandbox's lists, with their records.
    private func lists(_ sandbox: SandboxProcess, adAccount: String? = nil) async throws -> [JSONValue] {
        var path = "/_sandbox/customer_lists?records=true"
        if let adAccount { path += "&ad_account_id=\(adAccount)" }
        guard case .array(let items)? = try await sandbox.control("GET", path)["items"] else { throw TestFailure("no items") }
        return items
    }

    private func records(_ list: JSONValue) -> [String] {
        guard case .array(let values)? = list["records"] else { return [] }
        return values.compactMap(\.stringValue)
    }

    private func activation(_ daemon: Daemon, audience: Int64) throws -> ActivationInfo? {
        try daemon.call(ListActivationsRequest(audienceId: audience)).activations.first
    }

    @Test func activateSyncsAndChangesArePushedWithinSeconds() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL, "--audience-records-per-request", "60"]).start()
        let token = try await connect(daemon, sandbox)

        #expect(try await daemon.pinads("audience", "create", "buyers").status == 0)
        let members = Self.emails(0..<150)
        let file = try writeLines(["email,name"] + members.map { "\($0),x" }, in: daemon.folder, name: "buyers.csv")
        #expect(try await daemon.pinads("audience", "add", "1", "--file", file, "--column", "email").stdout == "150 added, 0 removed, 0 unchanged, 0 rejected\n")

        let activated = try await daemon.pinads("audience", "activate", "1", "--wait")
        #expect(activated.status == 0, "\(activated.stdout)\(activated.stderr)")
        #expect(activated.stdout.contains("activated on ad account \(token.adAccountIDs[0])"))
        #expect(activated.stdout.contains("SYNCED"), "\(activated.stdout)")
        var lists = try await lists(sandbox)
        #expect(lists.count == 1)
        #expect(records(lists[0]) == Self.sortedHashes(members))
        #expect(lists[0]["num_batches"] == 3, "150 members at 60 per request: a create and two ADDs")
        #expect(try await sandbox.count("audiences/create") == 1)

        // A change is pushed by itself within 5 seconds, additions and removals together.
        let started = Date()
        let more = Self.emails(150..<170)
        #expect(try await daemon.pinads("audience", "add", "1", "--file", try writeLines(more, in: daemon.folder, name: "more.txt")).status == 0)
        #expect(try await daemon.pinads("audience", "remove", "1", "--file", try writeLines(Array(members.prefix(10)), in: daemon.folder, name: "gone.txt")).status == 0)
        let expected = Self.sortedHashes(Array(members.dropFirst(10)) + more)
        try await eventually("the sandbox's list has the change", timeout: 5) {
            self.records(try await self.lists(sandbox).first ?? [:]) == expected
        }
        #expect(Date().timeIntervalSince(started) < 5)
        try await eventually("the activation says SYNCED") { try self.activation(daemon, audience: 1)?.state == .synced && (try self.activation(daemon, audience: 1)?.pendingChanges == 0) }
        lists = try await self.lists(sandbox)
        #expect(lists.count == 1, "the same list, never a second")
        #expect(lists[0]["num_uploaded_user_records"] == 170 && lists[0]["num_removed_user_records"] == 10)
        let updates = try await sandbox.count("customer_lists/update")
        #expect(updates == 4, "two ADDs for the first sync, then one ADD and one REMOVE for the coalesced change")

        let shown = try await daemon.pinads("audience", "show", "1")
        #expect(shown.stdout.contains("ad account \(token.adAccountIDs[0]): SYNCED"), "\(shown.stdout)")
        let listed = try await daemon.pinads("audience", "list")
        #expect(listed.stdout.contains("\(token.adAccountIDs[0]): SYNCED"))

        // A second ad account: its own list, equal to the audience.
        let second = try await daemon.pinads("audience", "activate", "1", "--ad-account", token.adAccountIDs[1], "--wait")
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let other = try await self.lists(sandbox, adAccount: token.adAccountIDs[1])
        #expect(other.count == 1 && records(other[0]) == expected)

        // Actalike from the synced audience.
        let actalike = try await daemon.pinads("audience", "actalike", "1", "--country", "US", "--percentage", "5")
        #expect(actalike.status == 0 && actalike.stdout.contains("created"), "\(actalike.stdout)\(actalike.stderr)")

        // Deactivated: changes stay here.
        #expect(try await daemon.pinads("audience", "deactivate", "1", "--ad-account", token.adAccountIDs[1]).status == 0)

        // Only hashes reach the disk.
        try await daemon.stop()
        for suffix in ["", "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: daemon.stateDirectory + "/pinads.db" + suffix))) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self).lowercased()
            #expect(!text.contains("shopper.1@example.com") && !text.contains("shopper.151@"), "a raw email in pinads.db\(suffix)")
        }
        #expect(!daemon.log.lowercased().contains("@example.com"), "a raw email in the log")
        try await sandbox.stop()
    }

    @Test func killedDuringAMultiChunkSyncResumesWithoutLossOrRepeat() async throws {
        let sandbox = try await SandboxProcess()
        let arguments = ["--api-base-url", sandbox.baseURL, "--audience-records-per-request", "200"]
        let daemon = try await Daemon(arguments: arguments).start()
        _ = try await connect(daemon, sandbox)
        let members = Self.emails(0..<3000)
        let audience = try daemon.call(CreateAudienceRequest(name: "big")).audience.id
        _ = try daemon.call(AddMembersRequest(audienceId: audience, members: members))
        // Slow list writes, so the kill lands in the middle.
        try await sandbox.control(
            "POST", "/_sandbox/faults", ["kind": "latency", "count": 1000, "path_contains": "/customer_lists", "latency_ms": 120])

        _ = try daemon.call(ActivateAudienceRequest(audienceId: audience))
        try await eventually("some chunks are at Pinterest") { (try self.activation(daemon, audience: audience)?.progress?.added ?? 0) >= 600 }
        try await daemon.stop(signal: SIGKILL)
        let partial = try await lists(sandbox)
        #expect(partial.count == 1 && records(partial[0]).count < 3000, "the kill came mid-sync")

        // A restart resumes where the kill stopped it.
        try await daemon.start()
        try await eventually("the activation is synced again", timeout: 60) {
            let activation = try self.activation(daemon, audience: audience)
            return activation?.state == .synced && activation?.pendingChanges == 0
        }
        #expect(daemon.log.contains("requeued jobs interrupted by the last stop"), "the sync resumed after the restart")
        var lists = try await lists(sandbox)
        #expect(lists.count == 1, "no second list after the restart")
        #expect(records(lists[0]) == Self.sortedHashes(members), "the list equals the audience exactly")
        #expect(lists[0]["num_uploaded_user_records"] == 3000, "no chunk of records was sent twice")

        // And later changes go as a delta to the same list.
        try await sandbox.control("DELETE", "/_sandbox/faults")
        _ = try daemon.call(RemoveMembersRequest(audienceId: audience, members: Array(members.suffix(100))))
        try await eventually("the removal reached the list") {
            self.records(try await self.lists(sandbox).first ?? [:]).count == 2900
        }
        lists = try await self.lists(sandbox)
        #expect(records(lists[0]) == Self.sortedHashes(Array(members.dropLast(100))))
        #expect(lists[0]["num_removed_user_records"] == 100 && lists[0]["num_uploaded_user_records"] == 3000)
        #expect(try await sandbox.count("customer_lists/create") == 1)
        #expect(try await sandbox.count("audiences/create") == 1)
        try await daemon.stop()
        try await sandbox.stop()
    }

    @Test func syncAllReportsWhatCannotBeSent() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await connect(daemon, sandbox)
        let small = try daemon.call(CreateAudienceRequest(name: "small")).audience.id
        _ = try daemon.call(AddMembersRequest(audienceId: small, members: Self.emails(0..<50)))
        _ = try daemon.call(ActivateAudienceRequest(audienceId: small))
        let all = try await daemon.pinads("audience", "sync", "--all")
        #expect(all.status == 1, "an activation in ERROR fails the command")
        #expect(all.stdout.contains("needs at least 100 members, has 50"), "\(all.stdout)")
        #expect(try await sandbox.count("customer_lists/create") == 0)
        // Grown past the floor, it syncs by itself.
        _ = try daemon.call(AddMembersRequest(audienceId: small, members: Self.emails(50..<120)))
        try await eventually("it synced once it had enough members") { try self.activation(daemon, audience: small)?.state == .synced }
        let usage = try await daemon.pinads("audience", "sync", "1", "--all")
        #expect(usage.status == 64 && usage.stderr.contains("an audience id or --all"))

        // Pinterest refuses the tokens: `pinads audience sync` says the sync waits for a
        // reconnect and exits, instead of watching a job that cannot end.
        for secret in [token.access, token.refresh] { try await sandbox.control("POST", "/_sandbox/tokens/revoke", ["token": .string(secret)]) }
        _ = try daemon.call(AddMembersRequest(audienceId: small, members: Self.emails(120..<125)))
        let blocked = try await daemon.pinads("audience", "sync", String(small), timeout: 30)
        #expect(blocked.status == 1, "\(blocked.stdout)\(blocked.stderr)")
        #expect(blocked.stderr.contains("waits for its Pinterest connection"), "\(blocked.stderr)")
        try await daemon.stop()
        try await sandbox.stop()
    }
}
