extension SandboxState {
    /// `GET /v5/user_account`: the token's user as a business account.
    func userAccountGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        guard let user = users[call.userID] else { throw .authenticationFailed() }
        if let adAccountID = call.query.value("ad_account_id") {
            _ = try account(adAccountID, for: user.id)
        }
        return .json(
            200,
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
            ])
    }

    // MARK: Ad accounts

    func adAccountJSON(_ account: AdAccountRecord) -> JSONValue {
        [
            "id": .string(account.id),
            "name": .string(account.name),
            "owner": ["id": .string(account.ownerID), "username": .string(users[account.ownerID]?.username ?? "")],
            "country": "US",
            "currency": "USD",
            "permissions": ["OWNER"],
            "created_time": .int(account.createdAt),
            "updated_time": .int(account.createdAt),
        ]
    }

    /// `GET /v5/ad_accounts`: the user's ad accounts, oldest first, bookmark-paginated.
    func adAccountsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let pageRequest: PageRequest
        do {
            _ = try call.query.boolean("include_shared_accounts")
            pageRequest = try PageRequest(call.query, allowOrder: false)
        } catch {
            throw .invalidParameters(error.detail)
        }
        let ids = users[call.userID]?.adAccountIDs ?? []
        let (page, bookmark) = pageRequest.page(of: ids)
        return listResponse(page.compactMap { adAccounts[$0].map(adAccountJSON) }, bookmark: bookmark)
    }

    func adAccountsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        .json(200, adAccountJSON(try account(call.route.adAccountID, for: call.userID)))
    }
}
