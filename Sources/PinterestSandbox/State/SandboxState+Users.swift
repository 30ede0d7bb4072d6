/// Users, the ad accounts they own, and the Business Access they hold on other owners' accounts.
extension SandboxState {
    /// What a seeding asks for (`POST /_sandbox/tokens`, ``PinterestSandbox/seedToken(adAccounts:currency:userID:shareAdAccounts:permissions:accessExpiresIn:refreshExpiresIn:)``).
    struct Seed: Sendable {
        /// For a new user; nil = 2. Must be nil with ``userID``.
        var adAccounts: Int?
        /// For a new user's ad accounts; nil = USD. Must be nil with ``userID``.
        var currency: String?
        /// An existing user to mint tokens for, instead of a new one.
        var userID: String?
        /// Ad accounts of other owners to give the user Business Access to.
        var shareAdAccounts: [String] = []
        /// The roles granted on ``shareAdAccounts``.
        var permissions: [String] = ["ADMIN"]
        var accessExpiresIn: Int?
        var refreshExpiresIn: Int?
    }

    /// A new user owning `count` fresh ad accounts in `currency` (assumed valid).
    mutating func createUser(adAccounts count: Int, currency: String = "USD") -> UserRecord {
        let id = mintID(.user)
        let ordinal = idCounters[.user, default: 0]
        var user = UserRecord(id: id, username: "sandbox_user_\(ordinal)", adAccountIDs: [])
        let created = now
        for index in 0..<max(0, count) {
            let accountID = mintID(.adAccount)
            adAccounts[accountID] = AdAccountRecord(
                id: accountID, name: "Sandbox Ad Account \(ordinal)-\(index + 1)", ownerID: id, createdAt: created,
                currency: currency, country: PinterestCurrency.country(for: currency))
            user.adAccountIDs.append(accountID)
        }
        users[id] = user
        return user
    }

    /// A new user with `adAccounts` USD accounts and a token pair: the seeding that cannot fail.
    mutating func seedToken(adAccounts: Int, accessExpiresIn: Int?, refreshExpiresIn: Int?) -> SeededToken {
        let user = createUser(adAccounts: adAccounts)
        let pair = mintTokens(userID: user.id, accessLifetime: accessExpiresIn, refreshLifetime: refreshExpiresIn)
        return seededToken(pair, of: user)
    }

    /// Mints a token pair for a new user or, with ``Seed/userID``, an existing one, after giving it
    /// Business Access to ``Seed/shareAdAccounts``. Everything is checked before anything changes.
    mutating func seed(_ seed: Seed) throws(SandboxControlError) -> SeededToken {
        let roles = try SandboxState.grantableRoles(seed.permissions)
        var user: UserRecord
        if let id = seed.userID {
            if seed.adAccounts != nil {
                throw .invalid("ad_accounts", "cannot be given with user_id: an existing user keeps its ad accounts.")
            }
            if seed.currency != nil {
                throw .invalid("currency", "cannot be given with user_id: an existing user keeps its ad accounts.")
            }
            guard let existing = users[id] else { throw .notFound("user_id", "User \(id)") }
            user = existing
            try checkShares(seed.shareAdAccounts, for: id)
        } else {
            let currency = try SandboxState.knownCurrency(seed.currency ?? "USD")
            let count = seed.adAccounts ?? 2
            guard (0...10_000).contains(count) else { throw .invalid("ad_accounts", "must be an integer in 0...10000.") }
            try checkShares(seed.shareAdAccounts, for: nil)
            user = createUser(adAccounts: count, currency: currency)
        }
        grantBusinessAccess(to: user.id, on: seed.shareAdAccounts, roles: roles)
        user = users[user.id] ?? user
        let pair = mintTokens(
            userID: user.id, accessLifetime: seed.accessExpiresIn, refreshLifetime: seed.refreshExpiresIn)
        return seededToken(pair, of: user)
    }

    func seededToken(_ pair: TokenPair, of user: UserRecord) -> SeededToken {
        SeededToken(
            accessToken: pair.accessToken, refreshToken: pair.refreshToken, adAccountIDs: user.adAccountIDs,
            userID: user.id, expiresIn: pair.expiresIn, refreshTokenExpiresIn: pair.refreshExpiresIn,
            sharedAdAccountIDs: user.sharedAdAccountIDs)
    }

    /// Sets who approves the next `GET /oauth/` requests.
    mutating func setAuthorizer(_ authorizer: SandboxAuthorizer) throws(SandboxControlError) {
        switch authorizer {
        case .existingUser(let id):
            guard users[id] != nil else { throw .notFound("user_id", "User \(id)") }
        case .newUser(let count, let currency):
            guard (0...10_000).contains(count) else { throw .invalid("ad_accounts", "must be an integer in 0...10000.") }
            _ = try SandboxState.knownCurrency(currency)
        }
        self.authorizer = authorizer
    }

    static func knownCurrency(_ code: String) throws(SandboxControlError) -> String {
        guard PinterestCurrency.codes.contains(code) else {
            throw .invalid(
                "currency",
                "must be a code of the spec's Currency enum (\(PinterestCurrency.all.joined(separator: ", "))); got \"\(code.prefix(40))\".")
        }
        return code
    }

    /// The roles, each a `BusinessAccessRole` other than OWNER, duplicates dropped.
    static func grantableRoles(_ roles: [String]) throws(SandboxControlError) -> [String] {
        guard !roles.isEmpty else { throw .invalid("permissions", "must name at least one role.") }
        var seen = Set<String>()
        for (index, role) in roles.enumerated() where !BusinessAccessRole.grantable.contains(role) {
            let reason =
                role == BusinessAccessRole.owner
                ? "cannot be OWNER: an ad account has one owner; grant ADMIN instead."
                : "must be a BusinessAccessRole other than OWNER (\(BusinessAccessRole.grantable.sorted().joined(separator: ", "))); got \"\(role.prefix(40))\"."
            throw .invalid("permissions[\(index)]", reason)
        }
        return roles.filter { seen.insert($0).inserted }
    }

    /// Every account to share must exist and not be owned by `userID` (nil: a user yet to be made).
    func checkShares(_ accountIDs: [String], for userID: String?) throws(SandboxControlError) {
        for (index, id) in accountIDs.enumerated() {
            let field = "share_ad_accounts[\(index)]"
            guard Router.isPathID(id) else { throw .invalid(field, "must be an ad account id (digits).") }
            guard let account = adAccounts[id] else { throw .notFound(field, "Ad account \(id)") }
            if let userID, account.ownerID == userID {
                throw .invalid(field, "is an ad account user \(userID) owns; an owner needs no Business Access.")
            }
        }
    }

    /// Grants (or replaces) `roles` on each account for `userID`.
    mutating func grantBusinessAccess(to userID: String, on accountIDs: [String], roles: [String]) {
        guard !accountIDs.isEmpty, var user = users[userID] else { return }
        for id in accountIDs where adAccounts[id] != nil {
            adAccounts[id]?.businessAccess[userID] = roles
            if !user.sharedAdAccountIDs.contains(id) { user.sharedAdAccountIDs.append(id) }
        }
        user.sharedAdAccountIDs = SandboxState.ascendingIDs(user.sharedAdAccountIDs)
        users[userID] = user
    }

    /// The ad accounts `userID` may use: owned ones and, when `includeShared`, those shared with
    /// it, in ascending id order (the order bookmarks page in).
    func accessibleAdAccountIDs(of userID: String, includeShared: Bool) -> [String] {
        guard let user = users[userID] else { return [] }
        guard includeShared, !user.sharedAdAccountIDs.isEmpty else { return user.adAccountIDs }
        return SandboxState.ascendingIDs(user.adAccountIDs + user.sharedAdAccountIDs)
    }

    /// Digit-string ids in ascending numeric order.
    static func ascendingIDs(_ ids: [String]) -> [String] {
        ids.sorted { ($0.utf8.count, $0) < ($1.utf8.count, $1) }
    }
}
