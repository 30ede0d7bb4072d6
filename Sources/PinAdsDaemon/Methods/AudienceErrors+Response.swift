import PinAdsProtocol

extension ResponseError {
    /// The wire error of an audience method: FAILED_PRECONDITION when the audience must be
    /// activated or synced first, NOT_FOUND naming `ad_account_id` when it is not activated there.
    init(_ error: AudienceError) {
        switch error {
        case .notActivatedAnywhere, .deactivated:
            self = .failedPrecondition(error.description)
        case .notActivated:
            self = ResponseError(code: .notFound, message: error.description, details: ["field": "ad_account_id"])
        case .noSeedAudience(_, _, let activationID, _):
            self = ResponseError(
                code: .failedPrecondition, message: error.description, details: ["step": "first_sync", "activation_id": .int(activationID)])
        case .actalikeVanished:
            self = .internal(error.description)
        }
    }
}
