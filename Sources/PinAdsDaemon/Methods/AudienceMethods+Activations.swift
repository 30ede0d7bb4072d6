import PinAdsProtocol

/// `audiences.*` methods of activations, syncs and actalikes: requests into the syncer's calls,
/// its answers into the wire's.
extension AudienceMethods {
    func activate(_ request: ActivateAudienceRequest) async throws -> ActivateAudienceResult {
        let outcome = try await syncer.activate(audienceID: request.audienceId, adAccountID: request.adAccountId)
        return ActivateAudienceResult(activation: ActivationInfo(outcome.activation), created: outcome.created, sync: outcome.sync.map(QueuedSync.init))
    }

    func deactivate(_ request: DeactivateAudienceRequest) async throws -> DeactivateAudienceResult {
        let activation = try await syncer.deactivate(audienceID: request.audienceId, adAccountID: request.adAccountId)
        return DeactivateAudienceResult(
            activation: ActivationInfo(activation),
            note: "no longer synced; the customer list and audience stay at Pinterest (activating again resumes the same list)")
    }

    func activations(_ request: ListActivationsRequest) async throws -> ListActivationsResult {
        ListActivationsResult(activations: try await syncer.activations(audienceID: request.audienceId).map(ActivationInfo.init))
    }

    func sync(_ request: SyncAudienceRequest) async throws -> SyncAudiencesResult {
        SyncAudiencesResult(syncs: try await syncer.sync(audienceID: request.audienceId, adAccountID: request.adAccountId).map(QueuedSync.init))
    }

    func syncAll(_ request: SyncAllAudiencesRequest) async throws -> SyncAudiencesResult {
        SyncAudiencesResult(syncs: try await syncer.syncAll().map(QueuedSync.init))
    }

    func createActalike(_ request: CreateActalikeRequest) async throws -> CreateActalikeResult {
        let outcome = try await syncer.createActalike(
            ActalikeOrder(
                audienceID: request.audienceId, adAccountID: request.adAccountId, country: request.country, percentage: request.percentage,
                name: request.name))
        return CreateActalikeResult(actalike: ActalikeInfo(outcome.actalike), created: outcome.created)
    }
}
