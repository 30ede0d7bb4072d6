import Foundation
import PinAdsStore

/// `audiences.sync`: one attempt of one activation's sync.
struct AudienceSyncJob: JobHandler {
    static var kind: String { AudienceSyncer.syncKind }
    /// Transient failures: three retries with backoff; progress is kept between them.
    let retryPolicy = RetryPolicy.default
    let syncer: AudienceSyncer

    struct Payload: Codable, Sendable, Equatable {
        var activationID: Int64
        enum CodingKeys: String, CodingKey { case activationID = "activation_id" }
    }

    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> SyncOutcome {
        try await syncer.runSync(activationID: payload.activationID, job: job, context: context)
    }

    func gaveUp(_ payload: Payload, job: JobRecord) async {
        await syncer.syncGaveUp(activationID: payload.activationID, job: job)
    }
}

/// What a sync job did: its result, as `jobs.get` shows it. A member is absent where it says
/// nothing (a skipped sync has no state; only a sync that sent a version reports it).
struct SyncOutcome: Codable, Sendable, Equatable {
    /// Why nothing (more) was sent: the activation is gone or deactivated.
    var skipped: String?
    var state: ActivationRecord.State?
    /// The version Pinterest has now; set when this sync sent one, with `listStatus`.
    var version: Int64?
    /// The audience's members, when too few to be sent.
    var members: Int?
    /// Records added and removed by the job (every attempt of the same sync counts).
    var added: Int?
    var removed: Int?
    /// The list's status at Pinterest after the sync (null when Pinterest gave none).
    var listStatus: String?

    static func skipped(_ reason: String) -> SyncOutcome { SyncOutcome(skipped: reason) }

    enum CodingKeys: String, CodingKey {
        case skipped, state, version, members, added, removed
        case listStatus = "list_status"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(skipped, forKey: .skipped)
        try container.encodeIfPresent(state, forKey: .state)
        if let version {
            try container.encode(version, forKey: .version)
            // Reported with the version even when Pinterest gave none.
            try container.encode(listStatus, forKey: .listStatus)
        }
        try container.encodeIfPresent(members, forKey: .members)
        try container.encodeIfPresent(added, forKey: .added)
        try container.encodeIfPresent(removed, forKey: .removed)
    }
}

/// `audiences.sync_all`: queues a sync for every activation that needs one (the daily task).
struct AudienceSyncAllJob: JobHandler {
    static var kind: String { AudienceSyncer.syncAllKind }
    let retryPolicy = RetryPolicy.default
    let syncer: AudienceSyncer

    struct Result: Codable, Sendable, Equatable {
        var queued: Int64
        var jobIDs: [Int64]
        enum CodingKeys: String, CodingKey {
            case queued
            case jobIDs = "job_ids"
        }
    }

    func run(_ payload: NoPayload, job: JobRecord, context: JobContext) async throws -> Result {
        let syncs = try await syncer.syncAll()
        await context.reportProgress(done: Int64(syncs.count), total: Int64(syncs.count), message: "syncs queued")
        return Result(queued: Int64(syncs.count), jobIDs: syncs.map(\.jobID))
    }
}
