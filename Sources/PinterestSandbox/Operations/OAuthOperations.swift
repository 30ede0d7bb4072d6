import Foundation

extension SandboxState {
    /// `POST /v5/oauth/token`: HTTP Basic app credentials, a form body, and one of two grants.
    ///
    /// - `refresh_token`: rotates. The answer carries a new access token and a new refresh
    ///   token; the refresh token sent becomes invalid. `continuous_refresh=true` (and the legacy
    ///   `refresh_on=true`) are accepted; every refresh token here is a continuous one. An
    ///   optional `scope` narrows the new access token to those scopes, which must all have been
    ///   granted (RFC 6749 §6); the new refresh token keeps the grant's scopes.
    /// - `authorization_code`: `code` and `redirect_uri` are required; see
    ///   ``exchangeAuthorizationCode(_:)``.
    mutating func oauthToken(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let appID = try checkAppCredentials(call.request.header("authorization"))
        let form = QueryParameters(FormCoding.decode(call.request.bodyText))
        guard let grantType = form.value("grant_type"), !grantType.isEmpty else {
            throw .invalidParameters("grant_type is required.")
        }
        switch grantType {
        case "refresh_token":
            return try refreshGrant(form)
        case "authorization_code":
            return try exchangeAuthorizationCode(TokenExchange(form: form, appID: appID))
        case "client_credentials":
            throw .invalidParameters("grant_type=client_credentials is not supported by the sandbox.")
        default:
            throw .invalidParameters("grant_type must be authorization_code or refresh_token.")
        }
    }

    private mutating func refreshGrant(_ form: QueryParameters) throws(APIError) -> SandboxResponse {
        guard let refreshToken = form.value("refresh_token"), !refreshToken.isEmpty else {
            throw .invalidParameters("refresh_token is required for grant_type=refresh_token.")
        }
        guard let record = refreshTokens[refreshToken] else {
            throw .authenticationFailed("invalid refresh token.")
        }
        guard !record.revoked else { throw .authenticationFailed("refresh token revoked or already used.") }
        guard now < record.expiresAt else { throw .authenticationFailed("refresh token expired.") }
        var accessScopes = record.scopes
        if let requested = form.value("scope") {
            let scopes = PinterestScope.split(requested)
            guard !scopes.isEmpty else { throw .invalidParameters("scope must name at least one scope.") }
            if let extra = scopes.first(where: { !record.scopes.contains($0) }) {
                throw .invalidParameters("scope \(extra) was not granted; the grant has \(PinterestScope.joined(record.scopes)).")
            }
            accessScopes = scopes
        }
        refreshTokens[refreshToken]?.revoked = true
        let pair = mintTokens(userID: record.userID, scopes: record.scopes, accessScopes: accessScopes)
        return tokenResponse(pair, responseType: "refresh_token")
    }

    /// `POST /v5/oauth/conversion_token`: a valid OAuth access token (Bearer), no body (one sent
    /// is ignored). Answers `ConversionAccessTokenResponse` `{access_token, token_type:
    /// "conversion"}` with a new long-lived token of the bearer's user that authenticates only
    /// `events/create` on that user's ad accounts (see ``authenticate(_:operation:)``).
    mutating func oauthConversionToken(_ call: OperationRequest) -> SandboxResponse {
        let token = mintConversionToken(userID: call.userID)
        return .json(
            200, ["access_token": .string(token), "token_type": "conversion"],
            recorded: ["access_token": .string(TrafficRecorder.redaction), "token_type": "conversion"])
    }

    /// The app id of valid HTTP Basic app credentials.
    @discardableResult
    func checkAppCredentials(_ authorization: String?) throws(APIError) -> String {
        guard let authorization else { throw .authenticationFailed("missing app credentials (HTTP Basic).") }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { throw .authenticationFailed("malformed HTTP Basic credentials.") }
        let id = String(text[..<colon])
        let secret = String(text[text.index(after: colon)...])
        guard id == configuration.appID, secret == configuration.appSecret else {
            throw .authenticationFailed("wrong app id or app secret.")
        }
        return id
    }

    /// The token answer: `access_token`, `token_type`, `expires_in`, `scope` (the access
    /// token's scopes, comma-separated), `refresh_token`, `refresh_token_expires_in`,
    /// `refresh_token_expires_at`, `response_type`. Tokens are redacted in the traffic record.
    func tokenResponse(_ pair: TokenPair, responseType: String) -> SandboxResponse {
        func body(access: String, refresh: String) -> JSONValue {
            [
                "access_token": .string(access),
                "token_type": "bearer",
                "expires_in": JSONValue(pair.expiresIn),
                "scope": .string(PinterestScope.joined(pair.scopes)),
                "refresh_token": .string(refresh),
                "refresh_token_expires_in": JSONValue(pair.refreshExpiresIn),
                "refresh_token_expires_at": .int(pair.refreshExpiresAt),
                "response_type": .string(responseType),
            ]
        }
        return .json(
            200, body(access: pair.accessToken, refresh: pair.refreshToken),
            recorded: body(access: TrafficRecorder.redaction, refresh: TrafficRecorder.redaction))
    }
}
