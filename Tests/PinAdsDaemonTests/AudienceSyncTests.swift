import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import PinterestSandbox
import Testing

@testable import PinAdsDaemon

/// The syncer against a live in-process sandbox over HTTP, one attempt at a time (the worker
/// pool and the real daemon are exercised end to end).
@Suite("Audience sync against the sandbox")
struct AudienceSyncTests {
    final class Harness: Sendable {
        let sandbox: PinterestSandbox
        let store: Store
        let tokens: TokenManager
        let syncer: AudienceSyncer
        let client: PinterestClient
        let limiter: RateLimiter
        let directory: String
        let adAccounts: [String]
        let builder: CampaignBuilder
        /// The token pair the connection was made with.
        let seeded: SeededToken
        let app: AppCredentials

        init(
            recordsPerRequest: Int = 100, matchRate: Double = 0.8, requestTimeout: Duration = .seconds(60), realtimeDelay: TimeInterval = 2
        ) async throws {
            var configuration = SandboxConfiguration()
            configuration.matchRate = matchRate
            sandbox = try await PinterestSandbox.start(configuration, logger: Logger(label: "sandbox"))
            directory = NSTemporaryDirectory() + "pinads-sync-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try Store(path: directory + "/pinads.db")
            let clock = SystemWallClock()
            limiter = RateLimiter(clock: clock, logger: Logger(label: "test"))
            var transport = CurlTransport.Configuration()
            transport.requestTimeout = requestTimeout
            client = PinterestClient(
                baseURL: sandbox.baseURL, transport: CurlTransport(configuration: transport), gate: limiter, logger: Logger(label: "test"))
            tokens = TokenManager(
                store: store, vault: try TokenVault.open(stateDirectory: directory, environment: [:]), client: client, clock: clock,
                logger: Logger(label: "test"), limiter: limiter)
            var syncConfiguration = AudienceSyncer.Configuration()
            syncConfiguration.recordsPerRequest = recordsPerRequest
            syncConfiguration.pendingSettleTime = 0
            syncConfiguration.realtimeDelay = realtimeDelay
            syncer = AudienceSyncer(store: store, tokens: tokens, clock: clock, logger: Logger(label: "test"), configuration: syncConfiguration)
            builder = CampaignBuilder(store: store, tokens: tokens, clock: clock, logger: Logger(label: "test"), settleTime: 0)
            seeded = sandbox.seedToken(adAccounts: 2)
            app = AppCredentials(clientID: configuration.appID, clientSecret: configuration.appSecret)
            adAccounts = seeded.adAccountIDs
            _ = try await tokens.connect(
                ConnectRequest(
                    accessToken: seeded.accessToken, refreshToken: seeded.refreshToken, expiresIn: Int64(seeded.expiresIn),
                    refreshTokenExpiresIn: Int64(seeded.refreshTokenExpiresIn), clientId: configuration.appID,
                    clientSecret: configuration.appSecret))
        }

        /// A second syncer on the same store: what a restarted daemon has.
        func restartedSyncer() -> AudienceSyncer {
            var configuration = AudienceSyncer.Configuration()
            configuration.recordsPerRequest = 100
            configuration.pendingSettleTime = 0
            return AudienceSyncer(store: store, tokens: tokens, clock: SystemWallClock(), logger: Logger(label: "test"), configuration: configuration)
        }

        /// The audience methods as the dispatcher calls them (wire requests and results).
        var methods: AudienceMethods { AudienceMethods(store: store, clock: SystemWallClock(), syncer: syncer) }

        /// A method's call as a client sees it: its error translated as the dispatcher does.
        func wire<T>(_ body: () async throws -> T) async throws -> T {
            do {
                return try await body()
            } catch {
                throw ResponseError(translating: error, method: "test") ?? error
            }
        }

        func shutdown() async throws {
            try await sandbox.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func audience(members: Range<Int>, name: String = "Buyers") async throws -> Int64 {
            let audience = try await store.createAudience(name: name, listType: "EMAIL", description: nil, now: Date())
            try await add(members, to: audience.id)
            return audience.id
        }

        static func hashes(_ members: Range<Int>) -> [MemberHash] {
            let normalizer = MemberNormalizer(kind: .email)
            return members.compactMap { try? normalizer.digest("Person\($0)@Example.com ").get() }
        }

        func add(_ members: Range<Int>, to audience: Int64) async throws {
            _ = try await store.changeMembers(audienceID: audience, hashes: Self.hashes(members), present: true, now: Date())
        }

        func remove(_ members: Range<Int>, from audience: Int64) async throws {
            _ = try await store.changeMembers(audienceID: audience, hashes: Self.hashes(members), present: false, now: Date())
        }

        func activate(_ audience: Int64, on account: String? = nil, with syncer: AudienceSyncer? = nil) async throws -> Int64 {
            try await (syncer ?? self.syncer).activate(audienceID: audience, adAccountID: account).activation.record.id
        }

        /// One attempt of the sync job.
        @discardableResult
        func sync(_ activation: Int64, attempt: Int = 1, with syncer: AudienceSyncer? = nil) async throws -> JSONValue {
            let now = Date()
            let job = JobRecord(
                id: 1, kind: "audiences.sync", state: .running, attempts: attempt, maxAttempts: 4, payload: ["activation_id": .int(activation)],
                createdAt: now, updatedAt: now)
            return try JSONValue(encoding: try await (syncer ?? self.syncer).runSync(activationID: activation, job: job, context: JobContext(clock: SystemWallClock()) { _ in }))
        }

        func activation(_ id: Int64) async throws -> ActivationRecord {
            try #require(try await store.activation(id: id))
        }

        /// What the sandbox holds in the activation's list.
        func list(of activation: Int64) async throws -> SandboxCustomerList {
            let record = try await self.activation(activation)
            let id = try #require(record.customerListID)
            return try #require(sandbox.customerLists().first { $0.id == id })
        }

        func expectListEqualsAudience(_ activation: Int64, _ audience: Int64) async throws {
            let list = try await list(of: activation)
            let members = try await store.presentMemberHashes(audienceID: audience)
            #expect(list.records == members.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }

        func calls(_ operation: String) -> Int { sandbox.stats().byOperation[operation] ?? 0 }
    }

    @Test func firstSyncCreatesTheListInChunksThenItsAudience() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<250)
        let activation = try await h.activate(audience)
        let result = try await h.sync(activation)
        #expect(result["state"] == "SYNCED")
        let record = try await h.activation(activation)
        #expect(record.state == .synced)
        #expect(record.customerListID != nil && record.pinterestAudienceID != nil)
        #expect(record.listStatus == "READY")
        #expect(record.recordsAdded == 250 && record.recordsRemoved == 0)
        #expect(record.syncedVersion == 1 && record.operation == nil && record.pending == nil)
        #expect(h.calls("customer_lists/create") == 1)
        #expect(h.calls("customer_lists/update") == 2, "100 per request: a create with 100, then ADD 100 and ADD 50")
        #expect(h.calls("audiences/create") == 1)
        let list = try await h.list(of: activation)
        #expect(list.numUploadedUserRecords == 250)
        try await h.expectListEqualsAudience(activation, audience)
        // Nothing changed: a second sync sends nothing.
        let before = h.sandbox.stats().customerListRecordsReceived
        #expect(try await h.sync(activation)["added"] == 0)
        #expect(h.sandbox.stats().customerListRecordsReceived == before)
        try await h.shutdown()
    }

    @Test func laterSyncsSendOnlyTheDifference() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<150)
        let activation = try await h.activate(audience)
        try await h.sync(activation)
        let created = try await h.list(of: activation)

        try await h.add(150..<180, to: audience)
        try await h.add(0..<10, to: audience)  // already members: no change, nothing to send
        let received = h.sandbox.stats().customerListRecordsReceived
        let addOnly = try await h.sync(activation)
        #expect(addOnly["added"] == 30 && addOnly["removed"] == 0)
        #expect(h.sandbox.stats().customerListRecordsReceived == received + 30)
        var list = try await h.list(of: activation)
        #expect(list.numUploadedUserRecords == 180 && list.numRemovedUserRecords == 0)
        try await h.expectListEqualsAudience(activation, audience)

        try await h.remove(100..<120, from: audience)
        let removeOnly = try await h.sync(activation)
        #expect(removeOnly["added"] == 0 && removeOnly["removed"] == 20)
        list = try await h.list(of: activation)
        #expect(list.numUploadedUserRecords == 180 && list.numRemovedUserRecords == 20)
        #expect(list.id == created.id, "always the same list")
        #expect(h.sandbox.customerLists().count == 1)
        try await h.expectListEqualsAudience(activation, audience)

        // Added and removed again between two syncs: Pinterest gets the final state only.
        try await h.add(500..<505, to: audience)
        try await h.remove(500..<505, from: audience)
        try await h.remove(0..<1, from: audience)
        let net = try await h.sync(activation)
        #expect(net["added"] == 0 && net["removed"] == 6, "removing never-sent members is harmless and keeps the rule simple")
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func aRestartedDaemonKeepsTheSameListAndAudience() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<120)
        let activation = try await h.activate(audience)
        try await h.sync(activation)
        let restarted = h.restartedSyncer()
        try await h.add(120..<140, to: audience)
        // Activating again (after the restart) is not a new activation.
        #expect(try await h.activate(audience, with: restarted) == activation)
        try await h.sync(activation, with: restarted)
        #expect(h.calls("customer_lists/create") == 1 && h.calls("audiences/create") == 1)
        #expect(h.sandbox.customerLists().count == 1)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func oneAudienceOnTwoAdAccounts() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<130)
        let first = try await h.activate(audience, on: h.adAccounts[0])
        let second = try await h.activate(audience, on: h.adAccounts[1])
        #expect(first != second)
        try await h.sync(first)
        try await h.remove(0..<5, from: audience)
        try await h.sync(second)
        try await h.sync(first)
        #expect(h.sandbox.customerLists(adAccountID: h.adAccounts[0]).count == 1)
        #expect(h.sandbox.customerLists(adAccountID: h.adAccounts[1]).count == 1)
        try await h.expectListEqualsAudience(first, audience)
        try await h.expectListEqualsAudience(second, audience)
        let a = try await h.activation(first), b = try await h.activation(second)
        #expect(a.customerListID != b.customerListID && a.pinterestAudienceID != b.pinterestAudienceID)
        #expect(b.recordsRemoved == 0, "the second account's first sync never sent the removed members")
        #expect(a.recordsRemoved == 5)
        let listed = try await h.methods.activations(ListActivationsRequest(audienceId: audience)).activations
        #expect(listed.map(\.adAccountId) == h.adAccounts && listed.allSatisfy { $0.state == .synced && $0.pendingChanges == 0 })
        try await h.shutdown()
    }

    @Test func belowOneHundredMembersNothingIsSentUntilThereAreEnough() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<50)
        let activation = try await h.activate(audience)
        let result = try await h.sync(activation)
        #expect(result["state"] == "ERROR")
        let record = try await h.activation(activation)
        #expect(record.state == .error && record.errorMessage == "needs at least 100 members, has 50")
        #expect(h.sandbox.stats().requestsTotal == 2, "only the connect's calls (its user, its ad accounts) reached Pinterest")
        try await h.add(50..<110, to: audience)
        #expect(try await h.sync(activation)["state"] == "SYNCED")
        #expect(try await h.activation(activation).errorMessage == nil)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func tooFewMatchesShowAsTooSmall() async throws {
        let h = try await Harness(matchRate: 0.5)
        let audience = try await h.audience(members: 0..<120)
        let activation = try await h.activate(audience)
        try await h.sync(activation)
        let record = try await h.activation(activation)
        #expect(record.state == .synced)
        #expect(record.listStatus == "TOO_SMALL" && record.audienceStatus == "TOO_SMALL")
        let info = try await h.methods.activations(ListActivationsRequest(audienceId: audience)).activations.first
        #expect(info?.listStatus == "TOO_SMALL")
        try await h.shutdown()
    }

    @Test func aWriteWhoseAnswerWasLostIsCheckedNotResent() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<350)
        let activation = try await h.activate(audience)
        // The create lands but its answer is lost; so does the second ADD.
        h.sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/customer_lists"))
        await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 1) }
        var record = try await h.activation(activation)
        #expect(record.pending?.kind == .createList && record.customerListID == nil)
        #expect(record.state == .syncing && record.errorMessage?.contains("retrying") == true)
        h.sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/customer_lists/"))
        await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 2) }
        record = try await h.activation(activation)
        #expect(record.customerListID != nil, "the list made by the lost create was found by name")
        #expect(record.pending?.kind == .add)
        try await h.sync(activation, attempt: 3)
        #expect(h.sandbox.customerLists().count == 1)
        let list = try await h.list(of: activation)
        #expect(list.numUploadedUserRecords == 350, "no record reached the list twice")
        try await h.expectListEqualsAudience(activation, audience)
        #expect(try await h.activation(activation).state == .synced)
        try await h.shutdown()
    }

    @Test func transientFailuresAreRetriedAndRateLimitsWaited() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<250)
        let activation = try await h.activate(audience)
        h.sandbox.inject(SandboxFault(.rateLimited, count: 2, pathContains: "/customer_lists"))
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 1, pathContains: "/customer_lists/"))
        // 429s are waited out inside the attempt; the 503 ends it, keeping the progress.
        let failure = await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 1) }
        #expect(failure?.retryable == true)
        let record = try await h.activation(activation)
        #expect(record.operation?.added == 100 && record.state == .syncing)
        // The 503 was an answer of failure: the next attempt checks and resends that chunk.
        try await h.sync(activation, attempt: 2)
        #expect(h.sandbox.stats().byStatus[429] == 2)
        let list = try await h.list(of: activation)
        #expect(list.numUploadedUserRecords == 250)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func changesMadeWhileASyncWaitedForItsRetryGoOutWithIt() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<250)
        let activation = try await h.activate(audience)
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 1, pathContains: "/customer_lists/"))
        await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 1) }
        // Changes while the job waits for its retry are coalesced into it.
        try await h.add(250..<260, to: audience)
        try await h.remove(0..<5, from: audience)
        let result = try await h.sync(activation, attempt: 2)
        #expect(result["state"] == "SYNCED")
        let record = try await h.activation(activation)
        #expect(record.syncedVersion == 3 && record.state == .synced, "synced to the audience's current version, not the interrupted one's")
        #expect(try await h.store.pendingChangeCount(audienceID: audience, syncedVersion: record.syncedVersion) == 0)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func aDeactivatedOrInterruptedSyncDoesNotClaimToBeSyncing() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<250)
        let activation = try await h.activate(audience)
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 1, pathContains: "/customer_lists/"))
        await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 1) }
        _ = try await h.methods.deactivate(DeactivateAudienceRequest(audienceId: audience))
        try await h.sync(activation, attempt: 2)
        let record = try await h.activation(activation)
        #expect(record.state == .error && record.errorMessage?.contains("deactivated during a sync") == true)
        #expect(record.operation != nil, "the interrupted operation is kept for a reactivation")
        _ = try await h.activate(audience)
        try await h.sync(activation, attempt: 1)
        try await h.expectListEqualsAudience(activation, audience)
        try await h.shutdown()
    }

    @Test func aLastFailedAttemptOrARefusalLeavesTheActivationInError() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<120)
        // An ad account this connection no longer may use (it belongs to another user now):
        // Pinterest refuses with 403, a permanent rejection.
        let foreign = try #require(h.sandbox.seedToken(adAccounts: 1).adAccountIDs.first)
        let connection = try #require(try await h.store.connections().first?.id)
        var accounts = try await h.store.adAccounts(connectionID: connection)
        accounts.append(AdAccountRecord(connectionID: connection, id: foreign, name: "lost", currency: "USD", country: "US"))
        try await h.store.replaceAdAccounts(connectionID: connection, accounts: accounts, now: Date())
        let activation = try await h.activate(audience, on: foreign)
        let failure = await #expect(throws: JobFailure.self) { try await h.sync(activation, attempt: 1) }
        #expect(failure?.retryable == false)
        let record = try await h.activation(activation)
        #expect(record.state == .error && record.errorCode == 29, "Pinterest's code is kept: \(record.errorCode ?? -1)")
        #expect(record.errorMessage?.contains("403") == true, "Pinterest's message is kept: \(record.errorMessage ?? "")")
        #expect(record.pending == nil, "a refused write needs no check")

        let other = try await h.audience(members: 0..<120, name: "Other")
        let second = try await h.activate(other)
        await h.syncer.attach(queue: JobQueue(store: h.store, clock: SystemWallClock(), registry: JobRegistry(h.syncer.jobHandlers), logger: Logger(label: "test")))
        h.sandbox.inject(SandboxFault(.internalServerError, count: 1, pathContains: "/customer_lists"))
        let before = Date()
        await #expect(throws: JobFailure.self) { try await h.sync(second, attempt: 4) }
        let failed = try await h.activation(second)
        #expect(failed.state == .error, "the last attempt leaves ERROR")
        #expect(failed.errorMessage?.contains("another sync starts in 1 min") == true, "\(failed.errorMessage ?? "")")
        // A transient failure of the last attempt is not the end: a new sync is queued for later.
        let queued = try await h.store.listJobs(state: .queued, kind: AudienceSyncer.syncKind, limit: 10, beforeID: nil)
        #expect(queued.count == 1 && queued[0].payload["activation_id"] == .int(second))
        let due = try #require(queued.first?.nextRunAt)
        #expect(due >= before.addingTimeInterval(59) && due <= Date().addingTimeInterval(61))
        #expect(failed.retryRound == 1, "the first sync in a row that gave up (kept with the activation)")
        // Each such sync in a row waits twice as long, up to a day.
        #expect(AudienceSyncer.retryAfterExhaustion(round: 2) == 120 && AudienceSyncer.retryAfterExhaustion(round: 20) == 86_400)
        try await h.shutdown()
    }

    @Test func actalikeNeedsTheFirstSyncThenIsCreatedOnce() async throws {
        let h = try await Harness()
        let audience = try await h.audience(members: 0..<150)
        let activation = try await h.activate(audience)
        let early = await #expect(throws: ResponseError.self) {
            try await h.wire { try await h.methods.createActalike(CreateActalikeRequest(audienceId: audience, country: "US", percentage: 5)) }
        }
        #expect(early?.code == .failedPrecondition && early?.message.contains("first sync") == true)
        try await h.sync(activation)
        let made = try await h.methods.createActalike(CreateActalikeRequest(audienceId: audience, country: "gb", percentage: 3))
        #expect(made.created && made.actalike.country == "GB" && made.actalike.pinterestAudienceId != nil)
        let again = try await h.methods.createActalike(CreateActalikeRequest(audienceId: audience, country: "GB", percentage: 3))
        #expect(!again.created && again.actalike.id == made.actalike.id)
        #expect(h.calls("audiences/create") == 2, "the CUSTOMER_LIST audience and one ACTALIKE")
        let bad = await #expect(throws: ResponseError.self) {
            try await h.wire { try await h.methods.createActalike(CreateActalikeRequest(audienceId: audience, country: "FR", percentage: 3)) }
        }
        #expect(bad?.details?["field"] == "country")
        let described = AudienceInfo(try await h.syncer.describe(try #require(try await h.store.audience(id: audience))))
        #expect(described.actalikes.map(\.id) == [made.actalike.id] && described.activations.count == 1)
        try await h.shutdown()
    }
}
