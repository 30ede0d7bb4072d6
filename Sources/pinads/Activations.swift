import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

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
