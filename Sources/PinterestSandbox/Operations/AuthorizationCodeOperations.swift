/// The `grant_type=authorization_code` form fields.
struct TokenExchange: Sendable {
    var code: String
    var redirectURI: String
    /// The app id of the HTTP Basic credentials.
    var appID: String

    init(form: QueryParameters, appID: String) throws(APIError) {
        guard let code = form.value("code"), !code.isEmpty else {
            throw .invalidParameters("code is required for grant_type=authorization_code.")
        }
        guard let redirectURI = form.value("redirect_uri"), !redirectURI.isEmpty else {
            throw .invalidParameters("redirect_uri is required for grant_type=authorization_code.")
        }
        self.code = code
        self.redirectURI = redirectURI
        self.appID = appID
    }
}

extension SandboxState {
    /// A code of the browser step is good for 10 minutes of sandbox time.
    static let authorizationCodeLifetime: Int64 = 600

    /// Approves `request` as the ``authorizer``: a new user (with its ad accounts) or the existing
    /// one, and returns a single-use code bound to the request's `redirect_uri`, client and
    /// scopes, expiring after ``authorizationCodeLifetime`` sandbox seconds.
    mutating func approve(_ request: AuthorizationRequest) -> String {
        let userID: String
        switch authorizer {
        case .existingUser(let id) where users[id] != nil:
            userID = id
        case .existingUser:
            // Unreachable: the authorizer is checked when set, and users are never deleted.
            userID = createUser(adAccounts: 2).id
        case .newUser(let count, let currency):
            userID = createUser(adAccounts: count, currency: currency).id
        }
        if authorizationCodes.count > 1024 {
            let now = now
            authorizationCodes = authorizationCodes.filter { entry in entry.value.expiresAt.map { $0 > now } ?? true }
        }
        let code = SandboxState.randomToken(prefix: "pinauth_", length: 40)
        authorizationCodes[code] = AuthorizationCodeRecord(
            grantee: .user(userID), redirectURI: request.redirectURI, clientID: request.clientID,
            scopes: request.scopes, expiresAt: now + SandboxState.authorizationCodeLifetime)
        return code
    }

    /// `grant_type=authorization_code`. The code is one of
    /// - a code of the browser step (`GET /oauth/`): single use, for the user who approved, only
    ///   with exactly the `redirect_uri` and the app it was issued to, within 10 sandbox minutes;
    /// - a code minted by `POST /_sandbox/codes`: single use, creates a new user, bound to its
    ///   `redirect_uri` when one was given, never expires;
    /// - any code starting with `sandbox-code`: single use, creates a new user with 2 ad accounts.
    ///
    /// A `redirect_uri` that differs is a 400 (the code stays usable); an unknown, used or
    /// expired code, or one issued to another app, is a 401 code 2. The answer is
    /// ``tokenResponse(_:responseType:)`` with `response_type: authorization_code` and the
    /// granted scopes.
    mutating func exchangeAuthorizationCode(_ exchange: TokenExchange) throws(APIError) -> SandboxResponse {
        let code = exchange.code
        let grantee: AuthorizationCodeRecord.Grantee
        let scopes: [String]
        if let record = authorizationCodes[code] {
            if let expiresAt = record.expiresAt, now >= expiresAt {
                authorizationCodes[code] = nil
                throw .authenticationFailed("authorization code expired.")
            }
            if let expected = record.redirectURI, expected != exchange.redirectURI {
                throw .invalidParameters("redirect_uri does not match the one used to obtain the code.")
            }
            if let clientID = record.clientID, clientID != exchange.appID {
                throw .authenticationFailed("the authorization code was issued to another app.")
            }
            grantee = record.grantee
            scopes = record.scopes
        } else if code.hasPrefix("sandbox-code"), !usedAuthorizationCodes.contains(code) {
            grantee = .newUser(adAccounts: 2, currency: "USD")
            scopes = PinterestScope.pinadsGrant
        } else {
            throw .authenticationFailed("invalid or already used authorization code.")
        }
        authorizationCodes[code] = nil
        if code.hasPrefix("sandbox-code") { usedAuthorizationCodes.insert(code) }
        let userID: String
        switch grantee {
        case .user(let id): userID = id
        case .newUser(let count, let currency): userID = createUser(adAccounts: count, currency: currency).id
        }
        return tokenResponse(mintTokens(userID: userID, scopes: scopes), responseType: "authorization_code")
    }
}
