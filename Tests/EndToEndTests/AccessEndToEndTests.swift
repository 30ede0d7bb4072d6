#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Other programs of the machine as clients (issue 18), run as other users with setpriv: a
/// shop in an allowed group sends conversions and membership changes and is refused the
/// owner's methods; a user allowed with `:admin` may launch; anyone else is refused at connect.
@Suite("Access by group and role, end to end", .serialized)
struct AccessEndToEndTests {
    static let shopGroup: UInt32 = 4242
    static let shop: UInt32 = 12347
    static let admin: UInt32 = 12345
    static let stranger: UInt32 = 12348

    /// `pinads ARGS` as `uid` with these supplementary groups.
    private func pinads(_ daemon: Daemon, uid: UInt32, groups: [UInt32], _ arguments: String...) async throws -> CommandResult {
        let groupFlag = groups.isEmpty ? "--clear-groups" : "--groups=\(groups.map(String.init).joined(separator: ","))"
        return try await runCommand(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", groupFlag, Binaries.pinads] + arguments + ["--socket", daemon.socketPath],
            // As a shop's service would say it: the daemon's user is not the shop's.
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "PINADS_DAEMON_USER": String(getuid())], timeout: 60)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run clients as other users (setpriv)"))
    func aShopInAnAllowedGroupSendsDataAndIsRefusedTheRest() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: [
            "--api-base-url", sandbox.baseURL, "--allow-group", "\(Self.shopGroup)", "--allow-uid", "\(Self.admin):admin",
        ]).start()
        // The test's own folder must let the others reach the socket in it.
        chmod(daemon.folder.path, 0o755)
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660 && info.st_gid == Self.shopGroup, "0660, owned by the allowed group")
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        let audience = try daemon.call(CreateAudienceRequest(name: "Subscribers")).audience.id

        // A client checks who serves the socket: another user's daemon only when told.
        let unsure = try await runCommand(
            "/usr/bin/setpriv", ["--reuid=\(Self.shop)", "--regid=\(Self.shop)", "--groups=\(Self.shopGroup)", Binaries.pinads, "health", "--socket", daemon.socketPath],
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"], timeout: 60)
        #expect(unsure.status != 0 && unsure.stderr.contains("served by another user") && unsure.stderr.contains("--daemon-user"), "\(unsure.stderr)")

        // The shop (role client, through its group).
        let whoami = try await pinads(daemon, uid: Self.shop, groups: [Self.shopGroup], "call", "system.whoami")
        #expect(whoami.status == 0, "\(whoami.stderr)")
        let me = try JSONDecoder().decode(JSONValue.self, from: Data(whoami.stdout.utf8))
        #expect(me["uid"] == .int(Int64(Self.shop)) && me["role"] == "client" && me["granted_by"]?.stringValue == "group \(Self.shopGroup)", "\(whoami.stdout)")
        let sent = try await pinads(
            daemon, uid: Self.shop, groups: [Self.shopGroup], "conversions", "send", "--event", "checkout", "--event-id", "order-1", "--email",
            "jane@example.com", "--value", "49.99")
        #expect(sent.status == 0, "\(sent.stderr)")
        let added = try await pinads(
            daemon, uid: Self.shop, groups: [Self.shopGroup], "call", "audiences.add_members", #"{"audience_id": \#(audience), "members": ["a@example.com"]}"#)
        #expect(added.status == 0, "\(added.stderr)")
        let connect = try await pinads(
            daemon, uid: Self.shop, groups: [Self.shopGroup], "call", "connections.connect", #"{"access_token": "pina_x"}"#)
        #expect(connect.status == 1 && connect.stderr.contains("PERMISSION_DENIED") && connect.stderr.contains("connections.connect needs role admin"), "\(connect.stderr)")
        let plan = daemon.folder.path + "/plan.json"
        let body = try Wire.encoder().encode(CampaignsEndToEndTests.plan("shop-launch"))
        #expect(FileManager.default.createFile(atPath: plan, contents: body))
        chmod(plan, 0o644)
        let launch = try await pinads(daemon, uid: Self.shop, groups: [Self.shopGroup], "campaign", "launch", "--file", plan)
        #expect(launch.status == 1 && launch.stderr.contains("PERMISSION_DENIED"), "\(launch.stdout) \(launch.stderr)")

        // The same kind of peer allowed by uid with :admin may launch.
        let launched = try await pinads(daemon, uid: Self.admin, groups: [Self.shopGroup], "campaign", "launch", "--file", plan)
        #expect(launched.status == 0, "\(launched.stderr)")

        // A uid in no allowed group is refused at connect, even through an open socket file.
        // (The client above that hung up at once may count as refused too: gone before its
        // groups were read, it is no one the daemon knows.)
        let refusedBefore = try daemon.call(StatusRequest()).connections.refusedTotal
        chmod(daemon.socketPath, 0o666)
        let stranger = try await pinads(daemon, uid: Self.stranger, groups: [4243], "health")
        #expect(stranger.status != 0 && stranger.stderr.contains("PERMISSION_DENIED"), "\(stranger.stderr)")

        let status = try daemon.call(StatusRequest())
        #expect(status.connections.refusedTotal == refusedBefore + 1 && status.connections.deniedTotal == 2, "\(status.connections)")
        #expect(daemon.log.contains("refused a method the peer's role does not allow") && daemon.log.contains("method=connections.connect"))
        #expect(!daemon.log.contains("pina_x"), "a parameter's value is never logged")
        let methods = try daemon.call(ListMethodsRequest()).methods
        #expect(methods.first { $0.name == "conversions.send" }?.role == .client && methods.first { $0.name == "campaigns.launch" }?.role == .admin)
        try await daemon.stop()
        try await sandbox.stop()
    }

    @Test func badAccessFlagsAreExplained() async throws {
        let result = try await runCommand(
            Binaries.pinadsd, ["--allow-group", "no-such-group-pinads", "--socket", "/tmp/x.sock"], environment: Daemon.baseEnvironment, timeout: 30)
        #expect(result.status != 0 && result.stderr.contains("--allow-group 'no-such-group-pinads': no such group"), "\(result.stderr)")
        let role = try await runCommand(
            Binaries.pinadsd, ["--allow-uid", "12345:root", "--socket", "/tmp/x.sock"], environment: Daemon.baseEnvironment, timeout: 30)
        #expect(role.status != 0 && role.stderr.contains("client (the default) or admin"), "\(role.stderr)")
    }
}
