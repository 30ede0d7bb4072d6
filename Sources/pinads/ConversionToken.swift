import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

// MARK: - conversions token

struct ConversionToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Send an ad account's events with a conversion token instead of the connection's OAuth token.",
        discussion: """
            Pinterest's conversion tokens only send conversion events. Either let the daemon ask Pinterest for one
            (--mint, with the connection's OAuth token), or give one made in Ads Manager on standard input (--stdin;
            never on the command line, where `ps` shows it). --clear goes back to the OAuth token. A token Pinterest
            refuses is dropped by itself and events go on with the OAuth token.
              pinads conversions token --mint
              printf '%s' "$CONVERSION_TOKEN" | pinads conversions token --stdin --ad-account 549755885175
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: "The ad account (default: the default ad account).") var adAccount: String?
    @Flag(help: "Ask Pinterest for a conversion token.") var mint = false
    @Flag(help: "Read the token from standard input.") var stdin = false
    @Flag(help: "Forget the conversion token.") var clear = false

    func validate() throws {
        if [mint, stdin, clear].filter({ $0 }).count != 1 { throw ValidationError("give one of --mint, --stdin or --clear") }
    }

    func run() throws {
        var token: String?
        if stdin {
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ValidationError("no token on standard input") }
            token = text
        }
        let result = try options.call(
            SetConversionTokenRequest(adAccountId: adAccount, token: token, mint: mint ? true : nil, clear: clear ? true : nil))
        if options.printJSONIfAsked(result) { return }
        if result.hasConversionToken {
            print("ad account \(result.adAccountId): events now go with a conversion token (\(result.source ?? "?"), fingerprint \(result.fingerprint ?? "?"))")
        } else {
            print("ad account \(result.adAccountId): events go with the connection's OAuth token")
        }
    }
}
