#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// Conversions through the real pinadsd to a real pinads-sandbox.
@Suite("Conversions end to end", .serialized)
struct ConversionsEndToEndTests {
    static func events(_ range: Range<Int>) -> [ConversionEventInput] {
        range.map { ConversionEventInput(eventName: "checkout", eventId: "order-\($0)", email: "buyer\($0)@example.com", value: 19.99) }
    }

    @Test func killedDuringALoadEveryAcceptedEventArrivesAndOnlyInFlightBatchesTwice() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        var accepted = 0
        for chunk in 0..<10 {
            accepted += try daemon.call(SendConversionsRequest(events: Self.events(chunk * 10_000..<(chunk + 1) * 10_000))).accepted
        }
        #expect(accepted == 100_000)
        // Killed while batches are on their way.
        let before = try await sandbox.stats()["events_processed"]?.intValue ?? 0
        try await daemon.stop(signal: SIGKILL)
        #expect(before < 100_000, "the kill came while events were still leaving (\(before) delivered)")

        try await daemon.start()
        for chunk in 10..<20 {
            accepted += try daemon.call(SendConversionsRequest(events: Self.events(chunk * 10_000..<(chunk + 1) * 10_000))).accepted
        }
        #expect(accepted == 200_000)
        try await eventually("every accepted event reaches the sandbox", timeout: 120) {
            try await sandbox.stats()["events_processed"]?.intValue == 200_000
        }
        let stats = try await sandbox.stats()
        let twice = stats["events_deduplicated"]?.intValue ?? 0
        #expect(twice <= 8 * 1000, "only the batches in flight at the kill (8 × 1000 at most) went twice: \(twice)")
        try await eventually("the daemon has recorded every answer") { try daemon.call(ConversionStatsRequest()).sent == 200_000 }
        let local = try daemon.call(ConversionStatsRequest())
        #expect(local.queued == 0 && local.inFlight == 0 && local.failed == 0)
        // Repeats of accepted events are duplicates, not sent.
        let repeated = try daemon.call(SendConversionsRequest(events: Self.events(0..<1000)))
        #expect(repeated.duplicates == 1000 && repeated.accepted == 0)
        // No raw email on disk.
        try await daemon.stop()
        for suffix in ["", "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: daemon.stateDirectory + "/pinads.db" + suffix))) ?? Data()
            #expect(bytes.range(of: Data("buyer1@example.com".utf8)) == nil, "a raw email in pinads.db\(suffix)")
        }
        try await sandbox.stop()
    }
}
