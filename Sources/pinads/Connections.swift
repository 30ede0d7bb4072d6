import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct Connect: ParsableCommand {
    /// The loopback port of the OAuth redirect: fixed, so that its redirect URI can be
    /// registered with the app once (Pinterest matches it exactly).
    static let defaultPort: UInt16 = 8085

    static let configuration = CommandConfiguration(
        abstract: "Connect a Pinterest account: in a browser (--oauth), or with tokens; stored (encrypted) in the daemon.",
        discussion: """
            --oauth: prints Pinterest's authorize page for the app; approve it in a browser, and Pinterest sends
            the browser back to a listener of this command on 127.0.0.1 (--port, default 8085; the redirect
            URI, http://127.0.0.1:8085/callback, must be registered with the app exactly; --port 0 takes a
            free port, for Pinterest sandboxes that register none). When no browser
            on this machine can reach it, paste the address the browser landed on here instead (read from
            standard input with --paste, or when it is a terminal; whichever comes first). The redirect's state
            is checked, then the daemon exchanges the code and connects. The app's id and secret come from
            --client-id and PINADS_CLIENT_SECRET (or --client-secret), else the daemon's own.

            With tokens, they come from, in order: --stdin (a JSON object or KEY=VALUE lines on standard input),
            the flags, or the environment (PINADS_ACCESS_TOKEN, PINADS_REFRESH_TOKEN, PINADS_CLIENT_ID,
            PINADS_CLIENT_SECRET). Prefer --stdin or the environment: flags show in `ps`. A refresh token with
            the app's id and secret is enough: the daemon exchanges it for an access token. Tokens are never
            printed. With a refresh token and the app's id and secret, the daemon renews the tokens itself.

            Examples:
              PINADS_CLIENT_SECRET=... pinads connect --oauth --client-id 1234567 --name shop
              PINADS_ACCESS_TOKEN=pina_... pinads connect --name shop
              printf 'refresh_token=%s\\nclient_id=%s\\nclient_secret=%s\\n' "$R" "$ID" "$S" | pinads connect --stdin
            """)
    @OptionGroup var options: ClientOptions
    @Flag(help: "Authorize in a browser (Pinterest's OAuth page) instead of giving tokens.") var oauth = false
    @Flag(help: "With --oauth: read the address the browser landed on from standard input too.") var paste = false
    @Option(help: "With --oauth: the loopback port of the redirect, as registered with the app (default 8085; 0: a free port).")
    var port: UInt16?
    @Option(help: "With --oauth: seconds to wait for the redirect.") var authorizeTimeout: Double = 600
    @Flag(help: "Read the tokens from standard input.") var stdin = false
    @Option(help: "Access token (prefer --stdin or PINADS_ACCESS_TOKEN).") var accessToken: String?
    @Option(help: "Refresh token (prefer --stdin or PINADS_REFRESH_TOKEN).") var refreshToken: String?
    @Option(help: "Seconds until the access token expires, as oauth/token said.") var expiresIn: Int64?
    @Option(help: "Seconds until the refresh token expires.") var refreshTokenExpiresIn: Int64?
    @Option(help: "The app's id (or PINADS_CLIENT_ID).") var clientId: String?
    @Option(help: "The app's secret (prefer --stdin or PINADS_CLIENT_SECRET).") var clientSecret: String?
    @Option(help: "The ad account to use by default (default: the first one).") var defaultAdAccount: String?
    @Option(help: "A name for this connection.") var name: String?

    func validate() throws {
        if oauth {
            if stdin { throw ValidationError("--oauth takes no --stdin: standard input is where a redirect may be pasted") }
            if accessToken != nil || refreshToken != nil || expiresIn != nil || refreshTokenExpiresIn != nil {
                throw ValidationError("--oauth gets the tokens from Pinterest: give no tokens or expiry times with it")
            }
            guard authorizeTimeout > 0, authorizeTimeout <= 86_400 else {
                throw ValidationError("--authorize-timeout must be above 0 and at most 86400 seconds, got \(authorizeTimeout)")
            }
        } else if paste || port != nil {
            throw ValidationError("--paste and --port go with --oauth")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var given: [String: String] = [:]
        if stdin {
            given = try Self.parse(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))
        }
        func value(_ key: String, _ flag: String?) -> String? {
            given[key] ?? flag ?? environment["PINADS_" + key.uppercased()].flatMap { $0.isEmpty ? nil : $0 }
        }
        if oauth {
            try OAuthConnect(
                options: options, clientID: value("client_id", clientId), clientSecret: value("client_secret", clientSecret),
                name: name, defaultAdAccount: defaultAdAccount, port: port ?? Self.defaultPort, watchInput: paste || isatty(STDIN_FILENO) != 0,
                waitSeconds: authorizeTimeout
            ).run()
            return
        }
        let access = value("access_token", accessToken)
        let refresh = value("refresh_token", refreshToken)
        guard access != nil || refresh != nil else {
            throw ValidationError(
                "no token: give an access token (or a refresh token and the app's id and secret) on --stdin, as PINADS_ACCESS_TOKEN, or with --access-token; or use --oauth")
        }
        let request = ConnectRequest(
            accessToken: access, refreshToken: refresh,
            expiresIn: given["expires_in"].flatMap { Int64($0) } ?? expiresIn,
            refreshTokenExpiresIn: given["refresh_token_expires_in"].flatMap { Int64($0) } ?? refreshTokenExpiresIn,
            clientId: value("client_id", clientId), clientSecret: value("client_secret", clientSecret),
            defaultAdAccountId: defaultAdAccount, name: name)
        let result = try options.call(request)
        if options.printJSONIfAsked(result) { return }
        Self.printConnected(result)
    }

    static func printConnected(_ result: ConnectResult) {
        print("\(result.updated ? "Reconnected" : "Connected") (connection \(result.connectionId)): \(result.adAccounts.count) ad account\(result.adAccounts.count == 1 ? "" : "s")")
        if let id = result.pinterestUserId { print("Pinterest user \(result.pinterestUsername.map { "\($0) (\(id))" } ?? id)") }
        Output.accounts(result.adAccounts)
    }

    /// A JSON object, or KEY=VALUE lines; keys are the protocol's (access_token, …).
    static func parse(_ text: String) throws -> [String: String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: JSONInput.padded(Data(trimmed.utf8))) else {
                throw ValidationError("standard input starts with '{' but is not a JSON object")
            }
            return object.compactMapValues { value in
                if case .string(let s) = value { return s }
                if case .int(let i) = value { return String(i) }
                return nil
            }
        }
        var values: [String: String] = [:]
        for line in trimmed.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("standard input: expected KEY=VALUE lines (access_token=…), got a line without '='")
            }
            values[line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] =
                line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }
}

struct Connections: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pinterest connections, their state and token expiry.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        let result = try options.call(ListConnectionsRequest())
        if options.printJSONIfAsked(result) { return }
        if result.connections.isEmpty {
            print("no connections; add one with `pinads connect`")
            return
        }
        Output.table(
            ["ID", "NAME", "PINTEREST USER", "STATUS", "ACCOUNTS", "DEFAULT ACCOUNT", "TOKEN", "ACCESS EXPIRES", "REFRESH EXPIRES", "NOTE"],
            result.connections.map { c in
                let lost = c.refreshLostAt != nil && c.status == "active"
                let status = c.needsReconnect ? "reconnect needed" : lost ? "refresh lost" : c.status
                let note =
                    lost
                    ? "the answer to a refresh was lost and Pinterest refused the refresh token since: reconnect before "
                        + (c.reconnectBefore.map(Timestamp.format) ?? "the access token expires")
                    : c.statusReason ?? (c.canRefresh ? "" : "no refresh token: reconnect before the access token expires")
                let user = c.pinterestUserId.map { id in c.pinterestUsername.map { "\($0) (\(id))" } ?? id } ?? ""
                return [String(c.id) + (c.isDefault ? "*" : ""), c.name ?? "", user, status, String(c.adAccountCount),
                 c.defaultAdAccountId ?? "", c.tokenFingerprint ?? "", c.accessTokenExpiresAt.map(Timestamp.format) ?? "",
                 c.refreshTokenExpiresAt.map(Timestamp.format) ?? "", note]
            })
    }
}

struct Accounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ad accounts reachable through the connections; set the default.",
        subcommands: [ListAccounts.self, DefaultAccount.self], defaultSubcommand: ListAccounts.self)
}

struct ListAccounts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Ad accounts (* marks the default).")
    @OptionGroup var options: ClientOptions
    @Flag(help: "Read them from Pinterest first.") var refresh = false
    @Option(help: "Only this connection's.") var connection: Int64?

    func run() throws {
        let result = try options.call(ListAdAccountsRequest(connectionId: connection, refresh: refresh ? true : nil))
        if options.printJSONIfAsked(result) { return }
        if result.adAccounts.isEmpty {
            print("no ad accounts; connect one with `pinads connect`")
            return
        }
        Output.accounts(result.adAccounts)
    }
}

struct DefaultAccount: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "default", abstract: "Use this ad account when a command names none.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Ad account id.") var adAccountId: String
    @Option(help: "The connection, when several reach the account.") var connection: Int64?

    func run() throws {
        let result = try options.call(SetDefaultAdAccountRequest(adAccountId: adAccountId, connectionId: connection))
        if options.printJSONIfAsked(result) { return }
        print("default ad account: \(adAccountId) (connection \(result.connection.id))")
    }
}

struct Disconnect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget a connection's tokens and stop its jobs (nothing at Pinterest changes).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Connection id.") var connectionId: Int64

    func run() throws {
        let result = try options.call(DisconnectRequest(connectionId: connectionId))
        if options.printJSONIfAsked(result) { return }
        print("connection \(connectionId) disconnected; its tokens are erased")
    }
}

struct Refresh: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Refresh a connection's tokens now (the default connection if none is named).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Connection id.") var connectionId: Int64?

    func run() throws {
        let result = try options.call(RefreshConnectionRequest(connectionId: connectionId))
        if options.printJSONIfAsked(result) { return }
        let c = result.connection
        print("connection \(c.id) refreshed; access token \(c.tokenFingerprint ?? "") expires \(c.accessTokenExpiresAt.map(Timestamp.format) ?? "?")")
    }
}

extension Output {
    static func accounts(_ accounts: [AdAccountInfo]) {
        table(
            ["ID", "NAME", "CURRENCY", "COUNTRY", "CONNECTION"],
            accounts.map { [($0.isDefault ? "*" : " ") + $0.id, $0.name ?? "", $0.currency ?? "", $0.country ?? "", String($0.connectionId)] })
    }
}
