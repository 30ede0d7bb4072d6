#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import PinterestAPI
import Testing

/// Connecting without help, with the real pinadsd, pinads and pinads-sandbox: the OAuth
/// authorization-code flow (the browser simulated by HTTP GETs: the authorize page's 302, then
/// the loopback redirect), a wrong state refused, a refresh token alone, expiry times learned,
/// and the token's user as the connection's identity (two users sharing an ad account).
@Suite("Connecting without help end to end", .serialized)
struct OAuthEndToEndTests {
    static let app = ["PINADS_CLIENT_SECRET": SandboxProcess.appSecret]

    private func daemon(_ sandbox: SandboxProcess) async throws -> Daemon {
        try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
    }

    private let http = CurlTransport()

    private func get(_ url: String) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: "GET", url: url))
    }

    /// The authorize URL `pinads connect --oauth` printed, once it has.
    private func printedAuthorizeURL(_ command: RunningCommand) async throws -> String {
        var found: String?
        try await eventually("pinads prints the authorize URL", timeout: 20) {
            found = command.output.split(whereSeparator: \.isWhitespace).first { $0.contains("/oauth/?") }.map(String.init)
            if found == nil, !command.isRunning { throw TestFailure("pinads exited: \(command.output)") }
            return found != nil
        }
        return found ?? ""
    }

    /// What the browser does at the authorize page: the sandbox approves and answers 302 to the
    /// redirect URI with the code and state.
    private func approve(_ authorizeURL: String) async throws -> String {
        let approved = try await get(authorizeURL)
        #expect(approved.status == 302, "\(String(decoding: approved.body, as: UTF8.self))")
        return try #require(approved.headers["location"], "the 302 names the redirect")
    }

    private func connections(_ daemon: Daemon) throws -> [ConnectionInfo] { try daemon.call(ListConnectionsRequest()).connections }

    @Test func theOAuthFlowConnectsThroughTheLoopbackRedirect() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let command = try RunningCommand(
            Binaries.pinads, ["connect", "--oauth", "--port", "0", "--client-id", SandboxProcess.appID, "--name", "shop", "--socket", daemon.socketPath],
            environment: Self.app)
        let authorizeURL = try await printedAuthorizeURL(command)
        #expect(authorizeURL.hasPrefix(sandbox.rootURL + "/oauth/?client_id=\(SandboxProcess.appID)&redirect_uri=http%3A%2F%2F127.0.0.1%3A"))
        let query = Dictionary(
            (URLComponents(string: authorizeURL)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(query["response_type"] == "code" && query["scope"] == "ads:read,ads:write,user_accounts:read")
        #expect(query["state"]?.count == 64, "a random state")
        let redirect = try #require(URL(string: query["redirect_uri"] ?? ""))
        #expect(redirect.host == "127.0.0.1" && redirect.path == "/callback" && (redirect.port ?? 0) > 0)

        // The browser follows the 302 to pinads' loopback listener.
        let location = try await approve(authorizeURL)
        #expect(location.hasPrefix(query["redirect_uri"] ?? "?"))
        let page = try await get(location)
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("You can close this tab"))
        let finished = try await command.finish()
        #expect(finished.status == 0, "\(finished.output)")
        #expect(finished.output.contains("Connected (connection 1): 2 ad accounts"), "\(finished.output)")
        let code = URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value ?? "?"
        #expect(!finished.output.contains(code) && !daemon.log.contains(code), "the code is never printed or logged")

        let listed = try connections(daemon)
        #expect(listed.count == 1)
        let connection = try #require(listed.first)
        #expect(connection.name == "shop" && connection.status == "active" && connection.canRefresh)
        #expect(connection.pinterestUserId != nil && connection.accessTokenExpiresAt != nil && connection.refreshTokenExpiresAt != nil)
        // It works: its ad accounts are read from the sandbox with the exchanged token.
        #expect(try daemon.call(ListAdAccountsRequest(refresh: true)).adAccounts.count == 2)
        #expect(try await sandbox.count("oauth/token") == 1, "one exchange, by the daemon")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    /// `pinadsd --sandbox` brings its sandbox's app: `pinads connect --oauth` needs nothing more.
    @Test func underSandboxModeTheOAuthFlowNeedsNoCredentials() async throws {
        let daemon = try await Daemon(arguments: ["--sandbox"]).start()
        let command = try RunningCommand(
            Binaries.pinads, ["connect", "--oauth", "--port", "0", "--socket", daemon.socketPath], environment: Daemon.baseEnvironment)
        let location = try await approve(try await printedAuthorizeURL(command))
        #expect(try await get(location).status == 200)
        let finished = try await command.finish()
        #expect(finished.status == 0, "\(finished.output)")
        #expect(try connections(daemon).count == 2, "the sandbox user connected at start, and the one who approved")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aRedirectWithAnotherStateIsRefusedAndNothingIsConnected() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let command = try RunningCommand(
            Binaries.pinads, ["connect", "--oauth", "--port", "0", "--client-id", SandboxProcess.appID, "--socket", daemon.socketPath], environment: Self.app)
        let location = try await approve(try await printedAuthorizeURL(command))
        var forged = try #require(URLComponents(string: location))
        forged.queryItems = forged.queryItems?.map { $0.name == "state" ? URLQueryItem(name: "state", value: String(repeating: "0", count: 64)) : $0 }
        let page = try await get(try #require(forged.string))
        #expect(page.status == 400)
        #expect(String(decoding: page.body, as: UTF8.self).contains("nothing was connected"))
        let finished = try await command.finish()
        #expect(finished.status == 1)
        #expect(finished.output.contains("the redirect's state is not the one this connect sent"), "\(finished.output)")
        #expect(try connections(daemon).isEmpty)
        #expect(try await sandbox.count("oauth/token") == 0, "the code was never exchanged")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func aPastedRedirectConnectsWhenNoBrowserReachesTheListener() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let command = try RunningCommand(
            Binaries.pinads, ["connect", "--oauth", "--port", "0", "--paste", "--json", "--client-id", SandboxProcess.appID, "--socket", daemon.socketPath],
            environment: Self.app, pipeInput: true)
        let location = try await approve(try await printedAuthorizeURL(command))
        // The person copies the address the browser could not open and pastes it.
        command.type("  \(location)\n")
        let finished = try await command.finish()
        #expect(finished.status == 0, "\(finished.output)")
        let result = try Wire.decoder().decode(ConnectResult.self, from: Data(finished.stdout.utf8))
        #expect(result.connectionId == 1 && result.pinterestUserId != nil)
        #expect(try connections(daemon).count == 1)
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func aRefreshTokenAloneConnects() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let token = try await sandbox.seedToken(adAccounts: 1)
        let lines = "refresh_token=\(token.refresh)\nclient_id=\(SandboxProcess.appID)\nclient_secret=\(SandboxProcess.appSecret)\n"
        let connected = try await runCommand(
            Binaries.pinads, ["connect", "--stdin", "--json", "--socket", daemon.socketPath], environment: Daemon.baseEnvironment, stdin: lines)
        #expect(connected.status == 0, "\(connected.stderr)")
        let result = try Wire.decoder().decode(ConnectResult.self, from: Data(connected.stdout.utf8))
        #expect(result.adAccounts.map(\.id) == token.adAccountIDs)
        #expect(result.pinterestUserId == token.userID)
        let connection = try #require(try connections(daemon).first)
        #expect(connection.accessTokenExpiresAt != nil && connection.refreshTokenExpiresAt != nil && connection.canRefresh)
        #expect(try await sandbox.count("oauth/token") == 1)
        // The daemon holds the rotated pair: it refreshes again (the seeded refresh token is spent).
        #expect(try await daemon.pinads("refresh").status == 0)
        #expect(try await sandbox.count("oauth/token") == 2)
        #expect(!connected.stdout.contains(token.refresh) && !daemon.log.contains(token.refresh))
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func aConnectionGivenWithoutExpiresInKnowsItsExpiriesWithinSeconds() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let token = try await sandbox.seedToken(adAccounts: 1)
        // The README's own example: tokens and the app's credentials, no expires_in.
        let lines = "access_token=\(token.access)\nrefresh_token=\(token.refresh)\nclient_id=\(SandboxProcess.appID)\nclient_secret=\(SandboxProcess.appSecret)\n"
        let connected = try await runCommand(
            Binaries.pinads, ["connect", "--stdin", "--socket", daemon.socketPath], environment: Daemon.baseEnvironment, stdin: lines)
        #expect(connected.status == 0, "\(connected.stderr)")
        let started = Date()
        try await eventually("the connection listing shows both expiry times", timeout: 5) {
            let listed = try await daemon.pinads("connections", "--json")
            let connection = try Wire.decoder().decode(ListConnectionsResult.self, from: Data(listed.stdout.utf8)).connections.first
            return connection?.accessTokenExpiresAt != nil && connection?.refreshTokenExpiresAt != nil
        }
        print("expiry times known \(Date().timeIntervalSince(started)) s after connect returned")
        let connection = try #require(try connections(daemon).first)
        let days = (connection.accessTokenExpiresAt ?? .distantPast).timeIntervalSinceNow / 86_400
        #expect(days > 29 && days <= 30, "Pinterest's 30 days, not a guess")
        #expect(connection.canRefresh && connection.status == "active")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func twoUsersSharingAnAdAccountAreTwoConnectionsAndNeitherTokenIsOverwritten() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let owner = try await sandbox.seedToken(adAccounts: 2)
        let shared = try #require(owner.adAccountIDs.first)
        let agency = try await sandbox.seedToken(adAccounts: 1, shareAdAccounts: [shared])
        #expect(agency.sharedAdAccountIDs == [shared], "the sandbox shares the owner's account with the agency")
        func connect(_ token: SandboxProcess.Token, _ name: String) throws -> ConnectResult {
            try daemon.call(
                ConnectRequest(
                    accessToken: token.access, refreshToken: token.refresh, expiresIn: token.expiresIn,
                    refreshTokenExpiresIn: token.refreshExpiresIn, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret,
                    name: name))
        }
        let first = try connect(owner, "owner")
        let before = try #require(try connections(daemon).first?.tokenFingerprint)
        let second = try connect(agency, "agency")
        #expect(first.connectionId != second.connectionId && !second.updated)
        #expect(first.pinterestUserId == owner.userID && second.pinterestUserId == agency.userID)
        #expect(second.adAccounts.contains { $0.id == shared && $0.ownerId == owner.userID })

        let listed = try await daemon.pinads("connections")
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("owner") && listed.stdout.contains("agency"), "\(listed.stdout)")
        let infos = try connections(daemon)
        #expect(infos.count == 2 && infos.allSatisfy { $0.status == "active" })
        #expect(infos.first { $0.id == first.connectionId }?.tokenFingerprint == before, "the owner's tokens were not overwritten")
        // Both still work, each with its own token.
        for connection in [first.connectionId, second.connectionId] {
            #expect(try daemon.call(ListAdAccountsRequest(connectionId: connection, refresh: true)).adAccounts.contains { $0.id == shared })
            #expect(try await daemon.pinads("refresh", String(connection)).status == 0)
        }
        // The shared account is served by the default connection (the owner's, connected first).
        let accounts = try daemon.call(ListAdAccountsRequest()).adAccounts.filter { $0.id == shared }
        #expect(Set(accounts.map(\.connectionId)) == [first.connectionId, second.connectionId])
        // Another pair of the agency's user updates the agency's connection only.
        let agencyAgain = try await sandbox.seedToken(userID: agency.userID)
        let again = try connect(agencyAgain, "agency")
        #expect(again.updated && again.connectionId == second.connectionId)
        #expect(try connections(daemon).count == 2)
        #expect(try daemon.call(ListAdAccountsRequest(connectionId: first.connectionId, refresh: true)).adAccounts.count == 2)
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }
}

/// A command left running while the test acts (`runCommand` waits for the end): its output is
/// read as it comes, and its standard input may be a pipe the test writes to.
final class RunningCommand {
    let process = Process()
    let folder: TemporaryFolder
    private let input: Pipe?

    init(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:], pipeInput: Bool = false) throws {
        folder = try TemporaryFolder()
        _ = FileManager.default.createFile(atPath: folder.path + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: folder.path + "/err", contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = Daemon.baseEnvironment.merging(extra) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path + "/err"))
        input = pipeInput ? Pipe() : nil
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOfFile: folder.path + "/out", encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: folder.path + "/err", encoding: .utf8)) ?? "" }
    /// Both streams, for searching and for failure messages.
    var output: String { stdout + stderr }

    func type(_ text: String) { input?.fileHandleForWriting.write(Data(text.utf8)) }

    /// Waits for the end (bounded) and returns how it ended.
    func finish(timeout: TimeInterval = 30) async throws -> (status: Int32, stdout: String, output: String) {
        do {
            try await eventually("the command exits", timeout: timeout) { !self.process.isRunning }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        return (process.terminationStatus, stdout, output)
    }
}
