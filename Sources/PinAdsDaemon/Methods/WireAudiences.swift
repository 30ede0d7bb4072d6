import PinAdsProtocol
import PinAdsStore

// The wire's audience types from the syncer's: the edge's one translation of audiences,
// activations, actalikes and queued syncs.

extension AudienceInfo {
    init(_ summary: AudienceSummary) {
        let audience = summary.audience
        self.init(
            id: audience.id, name: audience.name, listType: audience.listType, description: audience.description,
            memberCount: audience.memberCount, version: audience.version, createdAt: audience.createdAt, updatedAt: audience.updatedAt,
            activations: summary.activations.map(ActivationInfo.init), actalikes: summary.actalikes.map(ActalikeInfo.init))
    }
}

extension ActivationInfo {
    init(_ view: ActivationView) {
        let record = view.record
        self.init(
            id: record.id, audienceId: record.audienceID, adAccountId: record.adAccountID, connectionId: record.connectionID,
            active: record.active, state: ActivationState(rawValue: record.state.rawValue) ?? .error,
            error: record.errorMessage.map { ActivationError(message: $0, pinterestCode: record.errorCode, at: record.errorAt ?? record.updatedAt) },
            customerListName: record.customerListName, customerListId: record.customerListID, pinterestAudienceId: record.pinterestAudienceID,
            listStatus: record.listStatus, audienceStatus: record.audienceStatus, syncedVersion: record.syncedVersion,
            pendingChanges: view.pendingChanges, recordsAdded: record.recordsAdded, recordsRemoved: record.recordsRemoved,
            progress: record.operation.map {
                ActivationProgress(targetVersion: $0.targetVersion, phase: $0.phase.rawValue, added: $0.added, removed: $0.removed)
            },
            lastSyncedAt: record.lastSyncedAt, createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}

extension ActalikeInfo {
    init(_ record: ActalikeRecord) {
        self.init(
            id: record.id, audienceId: record.audienceID, activationId: record.activationID, adAccountId: record.adAccountID, name: record.name,
            country: record.country, percentage: record.percentage, pinterestAudienceId: record.pinterestAudienceID, status: record.status,
            createdAt: record.createdAt)
    }
}

extension QueuedSync {
    init(_ sync: QueuedActivationSync) {
        self.init(jobId: sync.jobID, activationId: sync.activationID, audienceId: sync.audienceID, adAccountId: sync.adAccountID)
    }
}
