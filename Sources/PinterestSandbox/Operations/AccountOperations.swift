extension SandboxState {
    static let userAccountNotAuthorized = APIError(
        status: 403, code: 403, message: "Not authorized to access the user account.")

    /// `GET /v5/user_account[?ad_account_id=ID]`: the "operation user_account" as a business
    /// account. Without `ad_account_id` it is the token's user; with it (Business Access), the
    /// owner of that ad account, provided the token's user owns it or has Business Access to it,
    /// else 403 `{code: 403, message: "Not authorized to access the user account."}` (an ad
    /// account that does not exist included). An `ad_account_id` that is not `^\d+$` of at most 18
    /// characters is a 400.
    func userAccountGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        guard var user = users[call.userID] else { throw .authenticationFailed() }
        if let adAccountID = call.query.value("ad_account_id") {
            guard Router.isPathID(adAccountID) else {
                throw .invalidParameters("ad_account_id must be a string of 1 to 18 digits.")
            }
            guard let account = adAccounts[adAccountID], account.permissions(of: user.id) != nil,
                let owner = users[account.ownerID]
            else { throw SandboxState.userAccountNotAuthorized }
            user = owner
        }
        return .json(200, accountJSON(user))
    }

    func accountJSON(_ user: UserRecord) -> JSONValue {
        [
            "account_type": "BUSINESS",
            "id": .string(user.id),
            "username": .string(user.username),
            "business_name": .string("Sandbox Business \(user.username)"),
            "profile_image": "https://i.pinimg.com/sandbox/profile.png",
            "website_url": "https://example.com",
            "about": "",
            "follower_count": 0,
            "following_count": 0,
            "board_count": 0,
            "pin_count": 0,
            "monthly_views": 0,
        ]
    }

    // MARK: Ad accounts

    /// One `AdAccount` as `viewer` sees it: `owner` is the real owner, `permissions` the viewer's
    /// roles (`["OWNER"]` for the owner, the granted roles for Business Access).
    func adAccountJSON(_ account: AdAccountRecord, viewer: String) -> JSONValue {
        [
            "id": .string(account.id),
            "name": .string(account.name),
            "owner": ["id": .string(account.ownerID), "username": .string(users[account.ownerID]?.username ?? "")],
            "country": .string(account.country),
            "currency": .string(account.currency),
            "permissions": JSONValue(strings: account.permissions(of: viewer) ?? []),
            "created_time": .int(account.createdAt),
            "updated_time": .int(account.createdAt),
        ]
    }

    /// `GET /v5/ad_accounts[?include_shared_accounts=false]`: the ad accounts the user owns and,
    /// unless `include_shared_accounts=false` (default true), those shared with it through
    /// Business Access; oldest (lowest id) first, bookmark-paginated.
    func adAccountsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let pageRequest: PageRequest
        let includeShared: Bool
        do {
            includeShared = try call.query.boolean("include_shared_accounts") ?? true
            pageRequest = try PageRequest(call.query, allowOrder: false)
        } catch {
            throw .invalidParameters(error.detail)
        }
        let ids = accessibleAdAccountIDs(of: call.userID, includeShared: includeShared)
        let (page, bookmark) = pageRequest.page(of: ids)
        return listResponse(
            page.compactMap { id in adAccounts[id].map { adAccountJSON($0, viewer: call.userID) } }, bookmark: bookmark)
    }

    /// `GET /v5/ad_accounts/{id}`: an account the user owns or has Business Access to.
    func adAccountsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        .json(200, adAccountJSON(try account(call.route.adAccountID, for: call.userID), viewer: call.userID))
    }

    /// 403 code 29 when the user reaches the ad account through Business Access only and holds
    /// none of the roles the operation's description requires (``Operation/businessAccessRoles``).
    /// Owners, unknown accounts (the handler's 404) and users without access (its 403) pass here.
    func checkBusinessAccessRole(_ call: OperationRequest) throws(APIError) {
        guard let allowed = call.route.operation.businessAccessRoles, let id = call.route.adAccountID,
            let account = adAccounts[id], account.ownerID != call.userID,
            let roles = account.businessAccess[call.userID]
        else { return }
        guard roles.contains(where: allowed.contains) else { throw .notPermitted }
    }
}
