/// The control endpoints for users: seeding tokens (`POST /_sandbox/tokens`) and choosing who
/// approves the browser step of OAuth (`/_sandbox/authorizer`).
extension SandboxEngine {
    static let seedKeys: Set<String> = [
        "ad_accounts", "currency", "user_id", "share_ad_accounts", "permissions", "access_expires_in",
        "refresh_expires_in",
    ]

    /// `POST /_sandbox/tokens`, every field optional:
    /// `{"ad_accounts": 2, "currency": "USD", "user_id": "…", "share_ad_accounts": ["…"],
    ///   "permissions": ["ADMIN"], "access_expires_in": S, "refresh_expires_in": S}`.
    ///
    /// Without `user_id` a new user is made, owning `ad_accounts` (0...10000, default 2) new ad
    /// accounts in `currency` (a code of the spec's `Currency` enum, default USD). With `user_id`
    /// the existing user gets a fresh token pair and keeps its ad accounts (`ad_accounts` and
    /// `currency` are then refused). `share_ad_accounts` gives the user Business Access with
    /// `permissions` (BusinessAccessRole values other than OWNER, default `["ADMIN"]`) to existing
    /// ad accounts other users own (granting again replaces the roles).
    ///
    /// Answers `{access_token, refresh_token, expires_in, refresh_token_expires_in, user_id,
    /// ad_account_ids, shared_ad_account_ids}` (owned and shared accounts, ascending). A bad value
    /// is a 400, an unknown `user_id` or ad account a 404, an unknown field a 400; nothing changes
    /// then.
    func controlSeedToken(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        if let unknown = body.keys.first(where: { !SandboxEngine.seedKeys.contains($0) }) {
            throw .invalidParameters("\(unknown) is not a field of /_sandbox/tokens (\(SandboxEngine.seedKeys.sorted().joined(separator: ", "))).")
        }
        var seed = SandboxState.Seed()
        seed.adAccounts = try integer(body, "ad_accounts", range: 0...10_000)
        seed.currency = try string(body, "currency")
        seed.userID = try string(body, "user_id")
        seed.shareAdAccounts = try strings(body, "share_ad_accounts") ?? []
        if let permissions = try strings(body, "permissions") { seed.permissions = permissions }
        seed.accessExpiresIn = try integer(body, "access_expires_in", range: Int64(Int32.min)...Int64(Int32.max))
        seed.refreshExpiresIn = try integer(body, "refresh_expires_in", range: Int64(Int32.min)...Int64(Int32.max))
        let token: SeededToken
        do { token = try self.seed(seed) } catch { throw error.apiError }
        return [
            "access_token": .string(token.accessToken),
            "refresh_token": .string(token.refreshToken),
            "expires_in": JSONValue(token.expiresIn),
            "refresh_token_expires_in": JSONValue(token.refreshTokenExpiresIn),
            "user_id": .string(token.userID),
            "ad_account_ids": JSONValue(strings: token.adAccountIDs),
            "shared_ad_account_ids": JSONValue(strings: token.sharedAdAccountIDs),
        ]
    }

    /// `POST /_sandbox/authorizer`: `{"user_id": "…"}` makes the next approvals at `GET /oauth/`
    /// be by that existing user; `{"ad_accounts": N, "currency": "EUR"}` (either may be left out:
    /// 2, USD) by a new user each time, owning N new ad accounts in that currency; `{}` goes back
    /// to the default (new users with 2 USD accounts). Answers like `GET /_sandbox/authorizer`:
    /// `{"user_id": "…"|null, "ad_accounts": N|null, "currency": "…"|null}`.
    func controlSetAuthorizer(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        if let unknown = body.keys.first(where: { !["user_id", "ad_accounts", "currency"].contains($0) }) {
            throw .invalidParameters("\(unknown) is not a field of /_sandbox/authorizer (user_id, ad_accounts, currency).")
        }
        let userID = try string(body, "user_id")
        let count = try integer(body, "ad_accounts", range: 0...10_000)
        let currency = try string(body, "currency")
        let authorizer: SandboxAuthorizer
        if let userID {
            guard count == nil, currency == nil else {
                throw .invalidParameters("user_id cannot be given with ad_accounts or currency: an existing user keeps its ad accounts.")
            }
            authorizer = .existingUser(id: userID)
        } else {
            authorizer = .newUser(adAccounts: count ?? 2, currency: currency ?? "USD")
        }
        do { try setAuthorizer(authorizer) } catch { throw error.apiError }
        return try controlAuthorizer(request)
    }

    func controlAuthorizer(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        switch authorizer {
        case .existingUser(let id):
            return ["user_id": .string(id), "ad_accounts": .null, "currency": .null]
        case .newUser(let count, let currency):
            return ["user_id": .null, "ad_accounts": JSONValue(count), "currency": .string(currency)]
        }
    }

    /// A string field; nil when absent or null.
    func string(_ object: JSONObject, _ key: String) throws(APIError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .invalidParameters("\(key) must be a string.") }
        return text
    }

    /// An array-of-strings field; nil when absent or null.
    func strings(_ object: JSONObject, _ key: String) throws(APIError) -> [String]? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let items = value.arrayValue else { throw .invalidParameters("\(key) must be an array of strings.") }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue else { throw .invalidParameters("\(key)[\(index)] must be a string.") }
            texts.append(text)
        }
        return texts
    }
}
