import Foundation
import PinAdsStore
import PinterestAPI

/// Actalike (lookalike) audiences, seeded from an activation's Pinterest audience. Each is
/// reserved in the store before it is created at Pinterest, so a retry adopts a create whose
/// answer was lost instead of making a second one.
extension AudienceSyncer {
    /// Creates the actalike at Pinterest once: an order already fulfilled answers the actalike
    /// it made (`created` false). Needs the activation's first sync (its Pinterest audience).
    public func createActalike(_ order: ActalikeOrder) async throws -> ActalikeOutcome {
        let country = order.country.uppercased()
        guard ["US", "CA", "GB"].contains(country) else {
            throw InvalidInput(field: "country", reason: "must be US, CA or GB, got '\(order.country)'")
        }
        guard (1...10).contains(order.percentage) else {
            throw InvalidInput(field: "percentage", reason: "must be 1 to 10, got \(order.percentage)")
        }
        if let name = order.name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 256 {
            throw InvalidInput(field: "name", reason: "must be 1 to 256 characters")
        }
        let audience = try await existingAudience(order.audienceID)
        let activation = try await existingActivation(audienceID: order.audienceID, adAccountID: order.adAccountID)
        guard let seed = activation.pinterestAudienceID else {
            throw AudienceError.noSeedAudience(
                audienceID: audience.id, adAccountID: activation.adAccountID, activationID: activation.id, state: activation.state)
        }
        let name = order.name ?? "\(audience.name) actalike \(country) \(order.percentage)%"
        let (reserved, existed) = try await store.reserveActalike(
            audienceID: audience.id, activationID: activation.id, adAccountID: activation.adAccountID, name: name, country: country,
            percentage: order.percentage, now: clock.now())
        if existed, reserved.pinterestAudienceID != nil {
            return ActalikeOutcome(actalike: reserved, created: false)
        }
        let session = try await tokens.session(adAccountID: activation.adAccountID)
        do {
            // A previous try may have been created at Pinterest with its answer lost: adopt it.
            if existed, let found = try await session.audiences().first(where: { $0.name == reserved.name && $0.audienceType == "ACTALIKE" }) {
                return try await completed(reserved, found)
            }
            let created = try await session.createAudience(
                AudienceCreate.actalike(
                    name: reserved.name, seedAudienceIDs: [seed], country: country, percentage: order.percentage,
                    description: "Lookalike of pinads audience \(audience.id)"))
            logger.notice("actalike audience created", metadata: ["audience_id": "\(audience.id)", "actalike_id": "\(reserved.id)"])
            return try await completed(reserved, created)
        } catch let error as PinterestError {
            // Refused: nothing was created, so the reservation goes. Otherwise it stays, and a
            // retry looks for the audience at Pinterest before creating one.
            if !error.isRetryable { try await store.dropActalike(id: reserved.id) }
            throw error
        }
    }

    private func completed(_ reserved: ActalikeRecord, _ audience: Audience) async throws -> ActalikeOutcome {
        guard let record = try await store.completeActalike(id: reserved.id, pinterestAudienceID: audience.id, status: audience.status, now: clock.now())
        else { throw AudienceError.actalikeVanished(id: reserved.id) }
        return ActalikeOutcome(actalike: record, created: true)
    }
}
