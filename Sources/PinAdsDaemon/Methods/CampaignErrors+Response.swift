import PinAdsProtocol

extension ResponseError {
    /// NOT_FOUND for an unknown campaign, ad group or ad; FAILED_PRECONDITION for a refused
    /// parent or a client request id used for something else. Each names the request's field.
    init(_ error: CampaignError) {
        switch error {
        case .unknown(_, _, let field):
            self = ResponseError(code: .notFound, message: error.description, details: ["field": .string(field)])
        case .parentRefused(let level, _, _):
            self = ResponseError(
                code: .failedPrecondition, message: error.description, details: ["field": level == .campaign ? "campaign_id" : "ad_group_id"])
        case .createRequestIDReused(_, let campaignID), .launchRequestIDReused(_, let campaignID):
            self = ResponseError(
                code: .failedPrecondition, message: error.description, details: ["field": "client_request_id", "campaign_id": .int(campaignID)])
        }
    }
}
