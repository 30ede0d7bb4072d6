import Foundation

/// Where an activation's sync stands.
public enum ActivationState: String, Codable, Sendable, CaseIterable {
    /// Activated, nothing sent yet.
    case notSynced = "NOT_SYNCED"
    /// A sync is under way (or resumes after a restart).
    case syncing = "SYNCING"
    /// Pinterest has every change up to `synced_version`.
    case synced = "SYNCED"
    /// The last sync failed; `error` says why. It is retried by itself where that can help.
    case error = "ERROR"
}

/// Why an activation is in `ERROR`.
public struct ActivationError: Codable, Sendable, Equatable {
    public var message: String
    /// Pinterest's error code, when Pinterest refused something.
    public var pinterestCode: Int?
    public var at: Date

    public init(message: String, pinterestCode: Int? = nil, at: Date) {
        self.message = message
        self.pinterestCode = pinterestCode
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case message, at
        case pinterestCode = "pinterest_code"
    }
}

/// The sync in progress: what it brings Pinterest up to and how far it got.
public struct ActivationProgress: Codable, Sendable, Equatable {
    /// The audience version this sync sends.
    public var targetVersion: Int64
    /// `ADD`, `REMOVE` or `AUDIENCE` (creating the Pinterest audience and reading statuses).
    public var phase: String
    public var added: Int
    public var removed: Int

    public init(targetVersion: Int64, phase: String, added: Int, removed: Int) {
        self.targetVersion = targetVersion
        self.phase = phase
        self.added = added
        self.removed = removed
    }

    enum CodingKeys: String, CodingKey {
        case phase, added, removed
        case targetVersion = "target_version"
    }
}

/// One audience kept in sync on one ad account: its own Pinterest customer list and audience.
public struct ActivationInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var audienceId: Int64
    public var adAccountId: String
    /// The connection used for the last sync (any active connection reaching the ad account is used).
    public var connectionId: Int64
    /// False once deactivated: nothing is sent any more; the Pinterest objects remain.
    public var active: Bool
    public var state: ActivationState
    public var error: ActivationError?
    /// The customer list's name at Pinterest (unique to this activation).
    public var customerListName: String
    public var customerListId: String?
    public var pinterestAudienceId: String?
    /// Pinterest's customer list status after the last upload: `PROCESSING`, `READY`, `TOO_SMALL`.
    public var listStatus: String?
    /// Pinterest's audience status: `READY`, `INITIALIZING`, `TOO_SMALL`.
    public var audienceStatus: String?
    /// The audience version Pinterest is known to have.
    public var syncedVersion: Int64
    /// Member changes since `synced_version`, not yet at Pinterest (a member changed in two
    /// calls counts twice); before the first sync, the audience's members.
    public var pendingChanges: Int
    /// Records sent over the activation's life (additions and removals).
    public var recordsAdded: Int
    public var recordsRemoved: Int
    public var progress: ActivationProgress?
    public var lastSyncedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, audienceId: Int64, adAccountId: String, connectionId: Int64, active: Bool, state: ActivationState,
        error: ActivationError?, customerListName: String, customerListId: String?, pinterestAudienceId: String?,
        listStatus: String?, audienceStatus: String?, syncedVersion: Int64, pendingChanges: Int, recordsAdded: Int,
        recordsRemoved: Int, progress: ActivationProgress?, lastSyncedAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.audienceId = audienceId
        self.adAccountId = adAccountId
        self.connectionId = connectionId
        self.active = active
        self.state = state
        self.error = error
        self.customerListName = customerListName
        self.customerListId = customerListId
        self.pinterestAudienceId = pinterestAudienceId
        self.listStatus = listStatus
        self.audienceStatus = audienceStatus
        self.syncedVersion = syncedVersion
        self.pendingChanges = pendingChanges
        self.recordsAdded = recordsAdded
        self.recordsRemoved = recordsRemoved
        self.progress = progress
        self.lastSyncedAt = lastSyncedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, active, state, error, progress
        case audienceId = "audience_id"
        case adAccountId = "ad_account_id"
        case connectionId = "connection_id"
        case customerListName = "customer_list_name"
        case customerListId = "customer_list_id"
        case pinterestAudienceId = "pinterest_audience_id"
        case listStatus = "list_status"
        case audienceStatus = "audience_status"
        case syncedVersion = "synced_version"
        case pendingChanges = "pending_changes"
        case recordsAdded = "records_added"
        case recordsRemoved = "records_removed"
        case lastSyncedAt = "last_synced_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// An ACTALIKE (lookalike) audience at Pinterest, seeded by an activation's audience.
public struct ActalikeInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var audienceId: Int64
    public var activationId: Int64
    public var adAccountId: String
    public var name: String
    /// `US`, `CA` or `GB`.
    public var country: String
    /// 1–10: the share of the country's users to reach.
    public var percentage: Int
    /// Pinterest's id for the ACTALIKE audience: what campaigns target.
    public var pinterestAudienceId: String?
    public var status: String?
    public var createdAt: Date

    public init(
        id: Int64, audienceId: Int64, activationId: Int64, adAccountId: String, name: String, country: String, percentage: Int,
        pinterestAudienceId: String?, status: String?, createdAt: Date
    ) {
        self.id = id
        self.audienceId = audienceId
        self.activationId = activationId
        self.adAccountId = adAccountId
        self.name = name
        self.country = country
        self.percentage = percentage
        self.pinterestAudienceId = pinterestAudienceId
        self.status = status
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, country, percentage, status
        case audienceId = "audience_id"
        case activationId = "activation_id"
        case adAccountId = "ad_account_id"
        case pinterestAudienceId = "pinterest_audience_id"
        case createdAt = "created_at"
    }
}

/// A sync job queued for one activation.
public struct QueuedSync: Codable, Sendable, Equatable {
    public var jobId: Int64
    public var activationId: Int64
    public var audienceId: Int64
    public var adAccountId: String

    public init(jobId: Int64, activationId: Int64, audienceId: Int64, adAccountId: String) {
        self.jobId = jobId
        self.activationId = activationId
        self.audienceId = audienceId
        self.adAccountId = adAccountId
    }

    enum CodingKeys: String, CodingKey {
        case jobId = "job_id"
        case activationId = "activation_id"
        case audienceId = "audience_id"
        case adAccountId = "ad_account_id"
    }
}

/// `audiences.activate`: keep the audience in sync on an ad account (the default one when
/// omitted). Queues the first sync at once.
public struct ActivateAudienceRequest: PinAdsRequest {
    public static let method = "audiences.activate"
    public typealias Result = ActivateAudienceResult
    public var audienceId: Int64
    public var adAccountId: String?

    public init(audienceId: Int64, adAccountId: String? = nil) {
        self.audienceId = audienceId
        self.adAccountId = adAccountId
    }

    enum CodingKeys: String, CodingKey {
        case audienceId = "audience_id"
        case adAccountId = "ad_account_id"
    }
}

public struct ActivateAudienceResult: Codable, Sendable, Equatable {
    public var activation: ActivationInfo
    /// False when the audience was already active there (or was reactivated).
    public var created: Bool
    /// The sync queued for it.
    public var sync: QueuedSync?

    public init(activation: ActivationInfo, created: Bool, sync: QueuedSync?) {
        self.activation = activation
        self.created = created
        self.sync = sync
    }
}

/// `audiences.deactivate`: stop syncing the audience to an ad account (the default one when
/// omitted). Pinterest's list and audience stay as they are.
public struct DeactivateAudienceRequest: PinAdsRequest {
    public static let method = "audiences.deactivate"
    public typealias Result = DeactivateAudienceResult
    public var audienceId: Int64
    public var adAccountId: String?

    public init(audienceId: Int64, adAccountId: String? = nil) {
        self.audienceId = audienceId
        self.adAccountId = adAccountId
    }

    enum CodingKeys: String, CodingKey {
        case audienceId = "audience_id"
        case adAccountId = "ad_account_id"
    }
}

public struct DeactivateAudienceResult: Codable, Sendable, Equatable {
    public var activation: ActivationInfo
    public var note: String
    public init(activation: ActivationInfo, note: String) {
        self.activation = activation
        self.note = note
    }
}

/// `audiences.activations`: the activations of one audience, or of all.
public struct ListActivationsRequest: PinAdsRequest {
    public static let method = "audiences.activations"
    public static let role = MethodRole.client
    public typealias Result = ListActivationsResult
    public var audienceId: Int64?
    public init(audienceId: Int64? = nil) { self.audienceId = audienceId }
    enum CodingKeys: String, CodingKey { case audienceId = "audience_id" }
}

public struct ListActivationsResult: Codable, Sendable, Equatable {
    public var activations: [ActivationInfo]
    public init(activations: [ActivationInfo]) { self.activations = activations }
}

/// `audiences.sync`: sync now: one ad account's activation, or every active activation of the
/// audience when `ad_account_id` is omitted.
public struct SyncAudienceRequest: PinAdsRequest {
    public static let method = "audiences.sync"
    public static let role = MethodRole.client
    public typealias Result = SyncAudiencesResult
    public var audienceId: Int64
    public var adAccountId: String?

    public init(audienceId: Int64, adAccountId: String? = nil) {
        self.audienceId = audienceId
        self.adAccountId = adAccountId
    }

    enum CodingKeys: String, CodingKey {
        case audienceId = "audience_id"
        case adAccountId = "ad_account_id"
    }
}

/// `audiences.sync_all`: queues a sync for every active activation never synced, in `ERROR`,
/// or with changes Pinterest does not have yet (what the daily 06:00 UTC task does).
public struct SyncAllAudiencesRequest: PinAdsRequest {
    public static let method = "audiences.sync_all"
    public typealias Result = SyncAudiencesResult
    public init() {}
}

public struct SyncAudiencesResult: Codable, Sendable, Equatable {
    /// One per activation; a sync already queued for an activation is reused, not doubled.
    public var syncs: [QueuedSync]
    public init(syncs: [QueuedSync]) { self.syncs = syncs }
}

/// `audiences.create_actalike`: an ACTALIKE audience at Pinterest seeded by the audience's
/// synced Pinterest audience on that ad account (the default one when omitted).
public struct CreateActalikeRequest: PinAdsRequest {
    public static let method = "audiences.create_actalike"
    public typealias Result = CreateActalikeResult
    public var audienceId: Int64
    public var adAccountId: String?
    /// `US`, `CA` or `GB`.
    public var country: String
    /// 1–10.
    public var percentage: Int
    public var name: String?

    public init(audienceId: Int64, adAccountId: String? = nil, country: String, percentage: Int, name: String? = nil) {
        self.audienceId = audienceId
        self.adAccountId = adAccountId
        self.country = country
        self.percentage = percentage
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case country, percentage, name
        case audienceId = "audience_id"
        case adAccountId = "ad_account_id"
    }
}

public struct CreateActalikeResult: Codable, Sendable, Equatable {
    public var actalike: ActalikeInfo
    /// False when the same actalike (activation, country, percentage) existed and is returned.
    public var created: Bool
    public init(actalike: ActalikeInfo, created: Bool) {
        self.actalike = actalike
        self.created = created
    }
}
