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
