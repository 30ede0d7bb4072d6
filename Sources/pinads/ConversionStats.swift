import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

// MARK: - conversions stats

struct ShowConversionStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "The conversions outbox: queued, in flight, sent, failed; events per second, latency, oldest queued.",
        discussion: """
            queued       stored, not sent yet: lingering (up to 20 ms), waiting for
                         a batch slot, or waiting for a retry
            in flight    in batches sent to Pinterest, answer not stored yet
            sent         processed by Pinterest, over about the last 48 hours
                         (answered events are pruned after that)
            failed       refused by Pinterest, not sent again (same window); the
                         latest reason shows as the last error
            duplicates   answered as duplicates by `conversions send`, in all
            rejected     rejected by `conversions send` (name, time, identifiers…),
                         in all
            rate         events answered by Pinterest per second, last minute
            latency      acceptance to Pinterest's answer, p50 and p99, over the
                         latest 100,000 events since the daemon started (of
                         every ad account, whatever --ad-account)
            oldest       age of the oldest event queued or in flight; if it keeps
                         growing, delivery is stuck
            last error   the latest delivery problem since the daemon started, of
                         every ad account

            Passing failures (Pinterest unavailable, a rate limit) are retried \
            without end, so events wait in queued rather than being lost; a \
            connection that needs a reconnect holds its events until \
            `pinads connect`.

            Example:
              pinads conversions stats --ad-account 549755885175
            """)
    @OptionGroup var options: ClientOptions
    @Option(help: ArgumentHelp("Only this ad account's events, real and test (default: every ad account).", valueName: "id"))
    var adAccount: String?

    func run() throws {
        let stats = try options.call(ConversionStatsRequest(adAccountId: adAccount))
        if options.printJSONIfAsked(stats) { return }
        print(adAccount.map { "conversions of ad account \($0)" } ?? "conversions of every ad account")
        Output.table(
            ["QUEUED", "IN FLIGHT", "SENT (48 h)", "FAILED (48 h)", "DUPLICATES", "REJECTED"],
            [[String(stats.queued), String(stats.inFlight), String(stats.sent), String(stats.failed), String(stats.duplicates), String(stats.rejected)]])
        print(String(format: stats.eventsPerSecond < 10 ? "rate        %.2f events/s over the last minute" : "rate        %.0f events/s over the last minute", stats.eventsPerSecond))
        if let p50 = stats.latencyP50Ms, let p99 = stats.latencyP99Ms {
            print("latency     p50 \(Self.milliseconds(p50)), p99 \(Self.milliseconds(p99)) (acceptance to Pinterest's answer, every ad account)")
        } else {
            print("latency     no event answered since the daemon started")
        }
        if let age = stats.oldestQueuedAgeSeconds {
            print("oldest      queued \(Output.duration(age)) ago\(age > 60 ? " — delivery looks stuck; see the last error" : "")")
        } else {
            print("oldest      nothing queued")
        }
        if let error = stats.lastError { print("last error  \(error)") }
    }

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f ms", value) : String(format: "%.0f ms", value)
    }
}
