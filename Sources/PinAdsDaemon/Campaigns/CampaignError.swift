import PinAdsStore

/// Why the builder will not do what a caller asked. Each names the request field it is about.
enum CampaignError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No campaign, ad group or ad with this id here.
    case unknown(level: BuildLevel, id: Int64, field: String)
    /// Pinterest refused the parent (`level`), so nothing can be added to it.
    case parentRefused(level: BuildLevel, id: Int64, message: String?)
    /// A campaign create's client request id was used for another campaign.
    case createRequestIDReused(clientRequestID: String, campaignID: Int64)
    /// A launch's client request id was used by another launch with a different body.
    case launchRequestIDReused(clientRequestID: String, campaignID: Int64)

    /// The level as messages name it: campaign, ad group, ad.
    static func words(_ level: BuildLevel) -> String { level == .adGroup ? "ad group" : level.name }

    var description: String {
        switch self {
        case .unknown(let level, let id, _):
            return "\(Self.words(level)) \(id) is not known to this daemon"
        case .parentRefused(let level, let id, let message):
            let child = level == .campaign ? "an ad group" : "an ad"
            return "\(Self.words(level)) \(id) was refused by Pinterest (\(message ?? "?")); \(child) cannot be added to it"
        case .createRequestIDReused(let crid, let campaignID):
            return "client_request_id '\(crid)' was used for another campaign (\(campaignID)); use a new id for a new campaign"
        case .launchRequestIDReused(let crid, let campaignID):
            return "client_request_id '\(crid)' was used by another launch (campaign \(campaignID)) with a different body; use a new id for a new launch"
        }
    }
}
