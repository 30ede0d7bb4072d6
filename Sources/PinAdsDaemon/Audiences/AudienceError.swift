import PinAdsStore

/// What stops an audience method, in the audience's own words (the edge gives each its code
/// and details).
public enum AudienceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sync of an audience that is activated on no ad account.
    case notActivatedAnywhere(audienceID: Int64)
    /// A sync of an audience whose chosen activations are all deactivated.
    case deactivated(audienceID: Int64)
    /// The audience has no activation on that ad account.
    case notActivated(audienceID: Int64, adAccountID: String)
    /// An actalike is seeded from the activation's Pinterest audience, which its first sync makes.
    case noSeedAudience(audienceID: Int64, adAccountID: String, activationID: Int64, state: ActivationRecord.State)
    /// The actalike reserved for an order was gone when its Pinterest audience came back.
    case actalikeVanished(id: Int64)

    public var description: String {
        switch self {
        case .notActivatedAnywhere(let audienceID):
            return "audience \(audienceID) is not activated on any ad account; `pinads audience activate \(audienceID)` first"
        case .deactivated(let audienceID):
            return "audience \(audienceID) is deactivated there; `pinads audience activate \(audienceID)` to sync it again"
        case .notActivated(let audienceID, let account):
            return "audience \(audienceID) is not activated on ad account \(account); `pinads audience activate \(audienceID) --ad-account \(account)`"
        case .noSeedAudience(let audienceID, let account, _, let state):
            return
                "audience \(audienceID) has no Pinterest audience on ad account \(account) yet (activation is \(state.rawValue)): "
                + "its first sync must finish before an actalike can be seeded from it; `pinads audience sync \(audienceID)` and watch it"
        case .actalikeVanished(let id):
            return "actalike \(id) vanished"
        }
    }
}

extension AudienceSyncer {
    /// The message an activation shows for `error`.
    static func message(of error: any Error) -> String { "\(error)" }
}
