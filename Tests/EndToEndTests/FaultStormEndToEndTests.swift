#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// The reliability suite's Pinterest-fault part: for a while the sandbox answers a mix of 500,
/// 503, 429, timeouts and resets (each kind on a share of requests, mixed with normal answers)
/// while conversions and membership changes keep coming; afterwards every accepted event and
/// every change has reached it. `PINADS_STORM_SECONDS` sets the storm's length (45 s here;
/// `pinads-bench`-style runs can make it minutes).
@Suite("Pinterest fault storm end to end", .serialized)
struct FaultStormEndToEndTests {
    static let seconds = ProcessInfo.processInfo.environment["PINADS_STORM_SECONDS"].flatMap(Double.init) ?? 45

    @Test func afterAStormEveryAcceptedEventAndMembershipChangeHasArrived() async throws {
        let sandbox = try await SandboxProcess()
        // A hung request is given up after 2 s (the default is 60 s).
        let daemon = try await Daemon(
            arguments: [
                "--api-base-url", sandbox.baseURL, "--pinterest-timeout", "2", "--audience-records-per-request", "100", "--audience-sync-delay", "0.5",
            ]
        ).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        let audience = try daemon.call(CreateAudienceRequest(name: "storm")).audience.id
        var members = Set(AudiencesEndToEndTests.emails(0..<300))
        _ = try daemon.call(AddMembersRequest(audienceId: audience, members: Array(members)))
        _ = try daemon.call(ActivateAudienceRequest(audienceId: audience))

        for kind in ["500", "503", "429", "hang", "reset"] {
            try await sandbox.control("POST", "/_sandbox/faults", ["kind": .string(kind), "count": 1_000_000, "probability": .double(0.06)])
        }
        var acknowledged: [String] = []
        var next = 0, round = 0
        let end = Date().addingTimeInterval(Self.seconds)
        while Date() < end {
            let events = (next..<(next + 200)).map {
                ConversionEventInput(eventName: "checkout", eventId: "storm-\($0)", email: "storm\($0)@example.com", value: 3)
            }
            next += 200
            let sent = try daemon.call(SendConversionsRequest(events: events))
            #expect(sent.accepted == 200, "acceptance does not depend on Pinterest")
            acknowledged += events.map(\.eventId)
            if round % 10 == 0 {
                let added = AudiencesEndToEndTests.emails((1000 + round * 10)..<(1050 + round * 10))
                let removed = Array(members.sorted().prefix(10))
                _ = try daemon.call(AddMembersRequest(audienceId: audience, members: added))
                _ = try daemon.call(RemoveMembersRequest(audienceId: audience, members: removed))
                members.formUnion(added)
                members.subtract(removed)
            }
            round += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        let during = try await sandbox.stats()
        for status in ["500", "503", "429"] {
            #expect((during["by_status"]?[status]?.intValue ?? 0) > 0, "the storm answered some requests with \(status)")
        }
        try await sandbox.control("DELETE", "/_sandbox/faults")

        try await eventually("every accepted event reached the sandbox", timeout: 180) {
            try await sandbox.missingEvents(adAccountID: token.adAccountIDs[0], eventName: "checkout", ids: acknowledged) == 0
        }
        // A sync whose attempts all failed in the storm starts again 1, 2 or 4 minutes later
        // (one minute, doubling): by itself, with no further change to prompt it.
        try await eventually("every membership change reached the list", timeout: 300) {
            let activation = try daemon.call(ListActivationsRequest(audienceId: audience)).activations.first
            guard activation?.state == .synced, activation?.pendingChanges == 0 else { return false }
            guard case .array(let lists)? = try await sandbox.control("GET", "/_sandbox/customer_lists?records=true")["items"],
                case .array(let records)? = lists.first?["records"]
            else { return false }
            return records.compactMap(\.stringValue) == AudiencesEndToEndTests.sortedHashes(Array(members))
        }
        let stats = try daemon.call(ConversionStatsRequest())
        #expect(stats.failed == 0 && stats.queued == 0, "no event was given up: \(stats)")
        print("storm: \(acknowledged.count) events and \(round / 10 + 1) membership changes through \(Int(Self.seconds)) s of faults; sandbox statuses \(String(decoding: try JSONEncoder().encode(during["by_status"] ?? [:]), as: UTF8.self))")
        try await daemon.stop()
        try await sandbox.stop()
    }
}
