#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// The reliability suite's crash part: the real pinadsd is killed with SIGKILL at random points
/// of a conversion load, an audience sync and a campaign launch, 20 times each, and restarted.
/// Afterwards nothing acknowledged is lost, no list or campaign is duplicated, and events went
/// twice only within the in-flight bound. The kill points come from a seeded generator: the
/// seed is printed, and `PINADS_CRASH_SEED=<seed>` replays a run (`PINADS_CRASH_ROUNDS` changes
/// the 20).
@Suite("Crash loops end to end", .serialized)
struct CrashLoopEndToEndTests {
    static let rounds = ProcessInfo.processInfo.environment["PINADS_CRASH_ROUNDS"].flatMap(Int.init) ?? 20

    /// SplitMix64: small, seedable, good enough to pick kill points.
    struct KillPoints: RandomNumberGenerator {
        private var state: UInt64
        let seed: UInt64
        init(_ test: String) {
            seed = ProcessInfo.processInfo.environment["PINADS_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
            state = seed
            print("\(test): kill points from PINADS_CRASH_SEED=\(seed)")
        }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// A random pause before the kill.
        mutating func pause(_ range: ClosedRange<Int>) async throws {
            try await Task.sleep(for: .milliseconds(Int.random(in: range, using: &self)))
        }
    }

    private func connect(_ daemon: Daemon, _ sandbox: SandboxProcess, adAccounts: Int = 1) async throws {
        let token = try await sandbox.seedToken(adAccounts: adAccounts)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
    }

    static func eventID(_ n: Int) -> String { "crash-\(n)" }

    /// Sends requests of `size` events from `first` on until the daemon stops answering (the
    /// kill) or `limit` requests went; returns the ranges the daemon acknowledged and the end of
    /// the last range tried (its events may be stored without an answer).
    static func sendUntilKilled(socket: String, first: Int, size: Int, limit: Int) -> (acknowledged: [Range<Int>], tried: Int) {
        var acknowledged: [Range<Int>] = []
        var next = first
        guard let client = try? PinAdsClient(socketPath: socket) else { return ([], first) }
        for _ in 0..<limit {
            let range = next..<(next + size)
            next += size
            let events = range.map {
                ConversionEventInput(eventName: "checkout", eventId: eventID($0), email: "crash\($0)@example.com", value: 5)
            }
            guard case .result(let result)? = try? client.call(SendConversionsRequest(events: events)), result.accepted == size else { break }
            acknowledged.append(range)
        }
        return (acknowledged, next)
    }

    @Test func conversionsKilledAtRandomPointsLoseNothingAcknowledged() async throws {
        var points = KillPoints("conversions")
        let sandbox = try await SandboxProcess()
        let daemon = try Daemon(arguments: ["--api-base-url", sandbox.baseURL])
        try await daemon.start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        var acknowledged: [Range<Int>] = []
        for round in 0..<Self.rounds {
            if round > 0 { try await daemon.start() }
            let socket = daemon.socketPath
            // The sender blocks on its socket: a thread of its own, not one of Swift's few.
            let sender = Task {
                await withCheckedContinuation { (done: CheckedContinuation<[Range<Int>], Never>) in
                    DispatchQueue.global().async {
                        done.resume(returning: Self.sendUntilKilled(socket: socket, first: round * 100_000, size: 500, limit: 12).acknowledged)
                    }
                }
            }
            try await points.pause(10...400)
            try await daemon.stop(signal: SIGKILL)
            acknowledged += await sender.value
        }
        #expect(!acknowledged.isEmpty, "some requests were answered before the kills")

        try await daemon.start()
        let ids = acknowledged.flatMap { $0 }.map(Self.eventID)
        try await eventually("every acknowledged event reached the sandbox", timeout: 180) {
            try await sandbox.missingEvents(adAccountID: token.adAccountIDs[0], eventName: "checkout", ids: ids) == 0
        }
        try await eventually("nothing is left to send") {
            let stats = try daemon.call(ConversionStatsRequest())
            return stats.queued == 0 && stats.inFlight == 0
        }
        let local = try daemon.call(ConversionStatsRequest())
        #expect(local.failed == 0)
        let twice = Int(try await sandbox.stats()["events_deduplicated"]?.intValue ?? 0)
        // Per kill, at most the batches in flight (8 × 1000 events) can go again.
        #expect(twice <= Self.rounds * 8 * 1000, "events sent twice beyond the in-flight bound: \(twice)")
        print("conversions: \(ids.count) acknowledged events over \(Self.rounds) kills, \(twice) sent twice")
        try await daemon.stop()
        try await sandbox.stop()
    }

    @Test func audienceSyncsKilledAtRandomPointsEndWithTheListEqualToTheAudience() async throws {
        var points = KillPoints("audiences")
        let sandbox = try await SandboxProcess()
        let daemon = try Daemon(
            arguments: ["--api-base-url", sandbox.baseURL, "--audience-records-per-request", "100", "--audience-sync-delay", "0"])
        try await daemon.start()
        try await connect(daemon, sandbox)
        // Each list write takes 25 ms more, so a sync spans many kill points.
        try await sandbox.control(
            "POST", "/_sandbox/faults", ["kind": "latency", "count": 1_000_000, "path_contains": "/customer_lists", "latency_ms": 25])
        let audience = try daemon.call(CreateAudienceRequest(name: "crash")).audience.id
        var members = Set(AudiencesEndToEndTests.emails(0..<1500))
        _ = try daemon.call(AddMembersRequest(audienceId: audience, members: Array(members)))
        _ = try daemon.call(ActivateAudienceRequest(audienceId: audience))
        for round in 0..<Self.rounds {
            if round > 0 {
                try await daemon.start()
                // Changes while the last sync may be unfinished: some new members, some gone.
                let added = AudiencesEndToEndTests.emails((1500 + round * 100)..<(1600 + round * 100))
                let removed = Array(members.sorted().prefix(30))
                _ = try daemon.call(AddMembersRequest(audienceId: audience, members: added))
                _ = try daemon.call(RemoveMembersRequest(audienceId: audience, members: removed))
                members.formUnion(added)
                members.subtract(removed)
            }
            try await points.pause(0...900)
            try await daemon.stop(signal: SIGKILL)
        }

        try await sandbox.control("DELETE", "/_sandbox/faults")
        try await daemon.start()
        // A sync job whose 4 attempts the kills cut short gives up and queues another sync
        // 1 (then 2, 4…) minutes later: the wait allows for that.
        try await eventually("the activation is synced", timeout: 300) {
            let activation = try daemon.call(ListActivationsRequest(audienceId: audience)).activations.first
            return activation?.state == .synced && activation?.pendingChanges == 0
        }
        guard case .array(let lists)? = try await sandbox.control("GET", "/_sandbox/customer_lists?records=true")["items"] else {
            throw TestFailure("no lists")
        }
        #expect(lists.count == 1, "one list after \(Self.rounds) kills, not \(lists.count)")
        let records: [String] = {
            guard case .array(let values)? = lists.first?["records"] else { return [] }
            return values.compactMap(\.stringValue)
        }()
        #expect(records == AudiencesEndToEndTests.sortedHashes(Array(members)), "the list equals the audience exactly")
        #expect(try await sandbox.count("customer_lists/create") == 1)
        #expect(try await sandbox.count("audiences/create") == 1)
        try await daemon.stop()
        try await sandbox.stop()
    }

    /// The activation's sync jobs, newest first.
    static func syncJobs(_ daemon: Daemon, activation: Int64) throws -> [Job] {
        try daemon.call(ListJobsRequest(kind: "audiences.sync", limit: 1000)).jobs.filter { $0.payload["activation_id"] == .int(activation) }
    }

    /// One chain: of the activation's unfinished sync jobs, at most one has begun (the others
    /// wait for it), whether it runs, waits for a retry, or was requeued after a kill.
    static func expectOneChain(_ jobs: [Job], _ when: String) {
        let begun = jobs.filter { !$0.state.isFinished && $0.startedAt != nil }
        #expect(begun.count <= 1, "\(when): \(begun.count) sync jobs of one activation under way at once: \(begun.map(\.id))")
    }

    /// An activation Pinterest is up to date with (synced version the audience's, no sync under
    /// way) is SYNCED: checked while no change is on its way, so the two reads agree.
    static func expectTrueState(_ daemon: Daemon, audience: Int64, _ when: String) throws {
        let info = try daemon.call(GetAudienceRequest(audienceId: audience)).audience
        for activation in info.activations where activation.syncedVersion >= info.version && activation.progress == nil {
            #expect(
                activation.state == .synced,
                "\(when): synced version \(activation.syncedVersion) is the audience's and nothing is under way, yet \(activation.state): \(activation.error?.message ?? "")")
        }
    }

    @Test func audienceSyncsKilledAtRandomPointsKeepOneChainAndATrueState() async throws {
        var points = KillPoints("audience state")
        let sandbox = try await SandboxProcess()
        let daemon = try Daemon(
            arguments: ["--api-base-url", sandbox.baseURL, "--audience-records-per-request", "100", "--audience-sync-delay", "0"])
        try await daemon.start()
        try await connect(daemon, sandbox)
        // Each list write takes 20 ms more, so a sync spans kill points.
        try await sandbox.control(
            "POST", "/_sandbox/faults", ["kind": "latency", "count": 1_000_000, "path_contains": "/customer_lists", "latency_ms": 20])
        let audience = try daemon.call(CreateAudienceRequest(name: "crash state")).audience.id
        var members = Set(AudiencesEndToEndTests.emails(0..<600))
        _ = try daemon.call(AddMembersRequest(audienceId: audience, members: Array(members)))
        let activation = try daemon.call(ActivateAudienceRequest(audienceId: audience)).activation.id
        var next = 600
        for round in 0...Self.rounds {
            if round > 0 {
                try await daemon.start()
                let when = "after kill \(round)"
                Self.expectOneChain(try Self.syncJobs(daemon, activation: activation), when)
                try Self.expectTrueState(daemon, audience: audience, when)
                // Changes while the last sync may be unfinished (each queues a sync, due now).
                let added = AudiencesEndToEndTests.emails(next..<(next + 50))
                next += 50
                let removed = Array(members.sorted().prefix(20))
                _ = try daemon.call(AddMembersRequest(audienceId: audience, members: added))
                _ = try daemon.call(RemoveMembersRequest(audienceId: audience, members: removed))
                members.formUnion(added)
                members.subtract(removed)
                if round % 3 == 0 { _ = try daemon.call(SyncAudienceRequest(audienceId: audience)) }
            }
            // After the last kill's changes it runs undisturbed. (A job whose every attempt the
            // kills cut short gives up; changes after it go to a fresh job at once, else the
            // next sync would wait a minute.)
            if round == Self.rounds { break }
            try await points.pause(0...700)
            // Just before the kill, while the syncs run.
            Self.expectOneChain(try Self.syncJobs(daemon, activation: activation), "before kill \(round + 1)")
            try Self.expectTrueState(daemon, audience: audience, "before kill \(round + 1)")
            try await daemon.stop(signal: SIGKILL)
        }
        try await sandbox.control("DELETE", "/_sandbox/faults")

        try await eventually("the activation is synced with nothing pending and no sync job left", timeout: 60) {
            try Self.expectTrueState(daemon, audience: audience, "while it settles")
            Self.expectOneChain(try Self.syncJobs(daemon, activation: activation), "while it settles")
            let info = try #require(try daemon.call(ListActivationsRequest(audienceId: audience)).activations.first)
            guard info.state == .synced, info.pendingChanges == 0, info.progress == nil else { return false }
            return try Self.syncJobs(daemon, activation: activation).allSatisfy(\.state.isFinished)
        }
        let settled = try #require(try daemon.call(ListActivationsRequest(audienceId: audience)).activations.first)
        let version = try daemon.call(GetAudienceRequest(audienceId: audience)).audience.version
        #expect(settled.error == nil && settled.syncedVersion == version)

        // The jobs as `pinads jobs list --json` shows them: one chain, each job begun only after
        // the one before it finished.
        let listed = try await daemon.pinads("jobs", "list", "--kind", "audiences.sync", "--limit", "1000", "--json")
        #expect(listed.status == 0, "\(listed.stderr)")
        let jobs = try Wire.decoder().decode(ListJobsResult.self, from: Data(listed.stdout.utf8)).jobs
            .filter { $0.payload["activation_id"] == .int(activation) }
        #expect(!jobs.isEmpty && jobs.allSatisfy(\.state.isFinished))
        let begun = jobs.filter { $0.startedAt != nil }.sorted { ($0.finishedAt ?? .distantFuture) < ($1.finishedAt ?? .distantFuture) }
        for (before, after) in zip(begun, begun.dropFirst()) {
            if let finished = before.finishedAt, let started = after.startedAt {
                #expect(started >= finished, "job \(after.id) ran (last at \(started)) before job \(before.id) finished (\(finished))")
            }
        }

        guard case .array(let lists)? = try await sandbox.control("GET", "/_sandbox/customer_lists?records=true")["items"] else {
            throw TestFailure("no lists")
        }
        #expect(lists.count == 1, "one list after \(Self.rounds) kills, not \(lists.count)")
        let records: [String] = {
            guard case .array(let values)? = lists.first?["records"] else { return [] }
            return values.compactMap(\.stringValue)
        }()
        #expect(records == AudiencesEndToEndTests.sortedHashes(Array(members)), "the list equals the audience exactly")
        let outcomes = Dictionary(grouping: jobs, by: \.state).mapValues(\.count)
        let reasons = Set(jobs.filter { $0.state == .failed }.compactMap(\.lastError))
        print("audience state: \(members.count) members, \(jobs.count) sync jobs over \(Self.rounds) kills: \(outcomes); failed: \(reasons)")
        try await daemon.stop()
        try await sandbox.stop()
    }

    static func plan(_ round: Int) -> LaunchCampaignRequest {
        var plan = CampaignsEndToEndTests.plan("crash-\(round)")
        plan.campaign.name = "Crash sale \(round)"
        plan.adGroup.name = "Crash buyers \(round)"
        plan.ad.name = "Crash pin \(round)"
        return plan
    }

    @Test func launchesKilledAtRandomPointsMakeExactlyOneOfEach() async throws {
        var points = KillPoints("campaigns")
        let sandbox = try await SandboxProcess()
        let daemon = try Daemon(arguments: ["--api-base-url", sandbox.baseURL])
        try await daemon.start()
        try await connect(daemon, sandbox)
        let levels = ["/campaigns", "/ad_groups", "/ads"]
        var launched: [String: Int64] = [:]
        for round in 0..<Self.rounds {
            if round > 0 { try await daemon.start() }
            // One level answers late, so the kill can land while its create is on its way.
            let slow = levels[Int.random(in: 0..<levels.count, using: &points)]
            try await sandbox.control(
                "POST", "/_sandbox/faults",
                ["kind": "latency", "count": 1, "path_contains": .string(slow), "latency_ms": .int(Int64.random(in: 50...600, using: &points))])
            let plan = Self.plan(round)
            let answer = try daemon.call(plan)
            #expect(launched[plan.clientRequestId] == nil || launched[plan.clientRequestId] == answer.campaign.id)
            launched[plan.clientRequestId] = answer.campaign.id
            try await points.pause(0...800)
            try await daemon.stop(signal: SIGKILL)
        }

        try await sandbox.control("DELETE", "/_sandbox/faults")
        try await daemon.start()
        // The caller launches each plan again with its client_request_id: it resumes.
        for round in 0..<Self.rounds {
            let again = try daemon.call(Self.plan(round))
            #expect(again.resumed && again.campaign.id == launched["crash-\(round)"])
        }
        for id in launched.values {
            try await eventually("campaign \(id) is built", timeout: 120) {
                try daemon.call(GetCampaignRequest(campaignId: id)).ads.first?.state == .created
            }
        }
        let stats = try await sandbox.stats()
        let made = Int64(Self.rounds)
        #expect(
            stats["campaigns"]?.intValue == made && stats["ad_groups"]?.intValue == made && stats["ads"]?.intValue == made,
            "exactly one campaign, ad group and ad per launch: \(stats)")
        try await daemon.stop()
        try await sandbox.stop()
    }
}
