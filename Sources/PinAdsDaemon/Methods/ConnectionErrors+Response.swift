import PinAdsProtocol
import PinAdsStore

// The connections' domain types and errors in the wire's words.

extension ResponseError {
    init(_ error: ConnectionError) {
        switch error {
        case .noConnection, .noDefaultAdAccount, .noAdAccounts, .cannotRefresh, .noAppCredentials, .noRefreshTokenGranted,
            .noPinterestUserID:
            self = .failedPrecondition(error.description)
        case .tokenRefused(_, _, let requestID), .userAccountRefused(_, _, let requestID), .grantRefused(_, _, let requestID):
            self = ResponseError(
                code: .unauthenticated, message: error.description, details: requestID.map { ["pinterest_request_id": .string($0)] })
        case .adAccountUnreachable, .adAccountUnknown:
            self = ResponseError(code: .notFound, message: error.description, details: ["field": "ad_account_id"])
        case .reconnectedDuringRefresh:
            self = ResponseError(code: .unavailable, message: error.description)
        }
    }
}

extension ConnectionGrant {
    init(_ request: ConnectRequest) {
        self.init(
            accessToken: request.accessToken, refreshToken: request.refreshToken, expiresIn: request.expiresIn, expiresAt: request.expiresAt,
            refreshTokenExpiresIn: request.refreshTokenExpiresIn, refreshTokenExpiresAt: request.refreshTokenExpiresAt,
            authorizationCode: request.code, redirectURI: request.redirectUri, clientID: request.clientId,
            clientSecret: request.clientSecret, defaultAdAccountID: request.defaultAdAccountId, name: request.name)
    }
}

extension ConnectionInfo {
    init(_ view: ConnectionView) {
        let record = view.record
        self.init(
            id: record.id, name: record.name, status: record.state.rawValue, statusReason: record.stateReason,
            needsReconnect: record.state == .unauthorized, isDefault: record.isDefault,
            defaultAdAccountId: record.defaultAdAccountID, adAccountCount: view.adAccountCount, tokenFingerprint: record.tokenFingerprint,
            accessTokenExpiresAt: record.accessExpiresAt, refreshTokenExpiresAt: record.refreshExpiresAt, canRefresh: view.canRefresh,
            lastRefreshAt: record.lastRefreshAt, lastRefreshError: record.lastRefreshError, refreshSentAt: record.refreshSentAt,
            refreshLostAt: record.refreshLostAt, reconnectBefore: view.reconnectBefore, createdAt: record.createdAt,
            pinterestUserId: record.pinterestUserID, pinterestUsername: record.pinterestUsername)
    }
}

extension AdAccountInfo {
    init(_ account: AdAccountRecord, in detail: ConnectionDetailView) {
        self.init(
            id: account.id, name: account.name, currency: account.currency, country: account.country, connectionId: account.connectionID,
            isDefault: detail.isDefault(account), ownerId: account.ownerID)
    }
}

extension ConnectionDetail {
    init(_ detail: ConnectionDetailView) {
        self.init(connection: ConnectionInfo(detail.connection), adAccounts: detail.adAccounts.map { AdAccountInfo($0, in: detail) })
    }
}
