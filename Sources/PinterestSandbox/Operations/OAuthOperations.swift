import Foundation

extension SandboxState {
    static let grantedScope = "ads:read,ads:write,user_accounts:read"

    /// `POST /v5/oauth/token`: HTTP Basic app credentials, a form body, and one of two grants.
    ///
    /// - `refresh_token`: rotates. The answer carries a new access token and a new refresh
    ///   token; the refresh token sent becomes invalid. `continuous_refresh=true` (and the legacy
    ///   `refresh_on=true`) are accepted; every refresh token here is a continuous one.
    /// - `authorization_code`: `code` and `redirect_uri` are required. A code is either minted by
    ///   `POST /_sandbox/codes` (single use, bound to its `redirect_uri` when one was given) or any
    ///   code starting with `sandbox-code` (single use, creates a new user with 2 ad accounts).
    mutating func oauthToken(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        try checkAppCredentials(call.request.header("authorization"))
        let form = QueryParameters(FormCoding.decode(call.request.bodyText))
        guard let grantType = form.value("grant_type"), !grantType.isEmpty else {
            throw .invalidParameters("grant_type is required.")
        }
        switch grantType {
        case "refresh_token":
            guard let refreshToken = form.value("refresh_token"), !refreshToken.isEmpty else {
                throw .invalidParameters("refresh_token is required for grant_type=refresh_token.")
            }
            guard let record = refreshTokens[refreshToken] else {
                throw .authenticationFailed("invalid refresh token.")
            }
            guard !record.revoked else { throw .authenticationFailed("refresh token revoked or already used.") }
            guard now < record.expiresAt else { throw .authenticationFailed("refresh token expired.") }
            refreshTokens[refreshToken]?.revoked = true
            let pair = mintTokens(userID: record.userID)
            return tokenResponse(pair, responseType: "refresh_token", scope: form.value("scope"))
        case "authorization_code":
            guard let code = form.value("code"), !code.isEmpty else {
                throw .invalidParameters("code is required for grant_type=authorization_code.")
            }
            guard let redirectURI = form.value("redirect_uri"), !redirectURI.isEmpty else {
                throw .invalidParameters("redirect_uri is required for grant_type=authorization_code.")
            }
            let adAccountCount: Int
            if let minted = authorizationCodes[code] {
                if let expected = minted.redirectURI, expected != redirectURI {
                    throw .invalidParameters("redirect_uri does not match the one used to obtain the code.")
                }
                adAccountCount = minted.adAccounts
            } else if code.hasPrefix("sandbox-code"), !usedAuthorizationCodes.contains(code) {
                adAccountCount = 2
            } else {
                throw .authenticationFailed("invalid or already used authorization code.")
            }
            authorizationCodes[code] = nil
            usedAuthorizationCodes.insert(code)
            let user = createUser(adAccounts: adAccountCount)
            let pair = mintTokens(userID: user.id)
            return tokenResponse(pair, responseType: "authorization_code", scope: nil)
        case "client_credentials":
            throw .invalidParameters("grant_type=client_credentials is not supported by the sandbox.")
        default:
            throw .invalidParameters("grant_type must be authorization_code or refresh_token.")
        }
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

    func checkAppCredentials(_ authorization: String?) throws(APIError) {
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
    }

    func tokenResponse(_ pair: TokenPair, responseType: String, scope: String?) -> SandboxResponse {
        func body(access: String, refresh: String) -> JSONValue {
            [
                "access_token": .string(access),
                "token_type": "bearer",
                "expires_in": JSONValue(pair.expiresIn),
                "scope": .string(scope ?? SandboxState.grantedScope),
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
