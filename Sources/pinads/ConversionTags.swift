import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - tags list / create

struct ConversionTagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Conversion tags (the Pinterest tag on your site): what WEB_CONVERSION ad groups optimize for.",
        discussion: """
            A conversion tag belongs to an ad account. Its code snippet must be installed on every page of the \
            site (before the closing </head>) before Pinterest sees any event; `pinads tags list` shows when it \
            last fired. Pinterest cannot delete a tag, so `pinads tags create` with a name the ad account has \
            already returns that tag instead of making a second.

            Typical use:
              pinads tags create "shop.example.com" --enhanced-match email
              pinads ad-group create 5 --name Checkouts --billable-event IMPRESSION \\
                  --budget 30 --locations US --conversion-tag 2612345678901 \\
                  --conversion-event CHECKOUT
            """,
        subcommands: [ListConversionTags.self, CreateConversionTag.self],
        defaultSubcommand: ListConversionTags.self)
}

struct ListConversionTags: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The ad account's conversion tags, read from Pinterest.",
        discussion: "`--json` includes each tag's code snippet; `pinads tags create NAME` prints it for one tag.")
    @OptionGroup var options: ClientOptions
    @Option(help: "The ad account (default: the default one; see `pinads accounts`).") var adAccount: String?

    func run() throws {
        let result = try options.call(ListConversionTagsRequest(adAccountId: adAccount))
        if options.printJSONIfAsked(result) { return }
        if result.tags.isEmpty {
            print("no conversion tags on \(adAccount.map { "ad account \($0)" } ?? "the default ad account"); make one with `pinads tags create NAME`")
            return
        }
        Output.table(
            ["ID", "AD ACCOUNT", "NAME", "STATUS", "ENHANCED MATCH", "LAST FIRED"],
            result.tags.map { t in
                [t.id, t.adAccountId, t.name, t.status ?? "-", t.enhancedMatchStatus ?? "-", t.lastFiredAt.map(Timestamp.format) ?? "never"]
            })
    }
}

struct CreateConversionTag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "A conversion tag on an ad account (or the one of that name it has), with its code snippet.",
        discussion: """
            Prints the tag's id (for `pinads ad-group create --conversion-tag ID`) and the code snippet to \
            install on every page of the site. Pinterest cannot delete a tag: a name the ad account has \
            already returns that tag, unchanged, instead of making a second.

            --enhanced-match lists what Automatic Enhanced Match may read from the site's pages to match \
            visitors: email, name, phone, gender, birthdate, location, external_id (none by default).

            Examples:
              pinads tags create "shop.example.com"
              pinads tags create "shop.example.com" --ad-account 549755885175 --enhanced-match email,phone
            """)
    static let enhancedMatchFields = ["email", "name", "phone", "gender", "birthdate", "location", "external_id"]

    @OptionGroup var options: ClientOptions
    @Argument(help: "Its name, e.g. the site's domain.") var name: String
    @Option(help: "The ad account (default: the default one; see `pinads accounts`).") var adAccount: String?
    @Option(help: ArgumentHelp("What Enhanced Match may read: email, name, phone, gender, birthdate, location, external_id.", valueName: "list"))
    var enhancedMatch: [String] = []

    func validate() throws { _ = try request() }

    func request() throws -> CreateConversionTagRequest {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ValidationError("the tag's name must not be empty") }
        let fields = Lists.items(enhancedMatch)?.map { $0.lowercased() }
        if let unknown = fields?.first(where: { !Self.enhancedMatchFields.contains($0) }) {
            throw ValidationError("--enhanced-match takes \(Self.enhancedMatchFields.joined(separator: ", ")), got '\(unknown)'")
        }
        return CreateConversionTagRequest(adAccountId: adAccount, name: trimmed, enhancedMatch: fields)
    }

    func run() throws {
        let result = try options.call(try request())
        if options.printJSONIfAsked(result) { return }
        let t = result.tag
        if result.created {
            print("conversion tag \(t.id) '\(t.name)' created on ad account \(t.adAccountId)")
        } else {
            print("conversion tag \(t.id) '\(t.name)' already existed on ad account \(t.adAccountId): returned as it is, not made again")
        }
        if let snippet = t.codeSnippet, !snippet.isEmpty {
            print("install this on every page of the site, before </head> (Pinterest sees no event until it is):")
            print(snippet)
        } else {
            print("Pinterest sent no code snippet; Ads Manager (Conversions → Tag manager) shows it")
        }
        print("optimize an ad group of a WEB_CONVERSION campaign for it: pinads ad-group create CAMPAIGN_ID … --conversion-tag \(t.id) --conversion-event CHECKOUT")
    }
}
