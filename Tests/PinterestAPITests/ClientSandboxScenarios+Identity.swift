import PinterestAPI
import Testing

extension ClientScenarios {
    /// `user_account/get`: the token's own user, the one its ad accounts' owner is.
    static func userAccount(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken)
        let user = try await h.client.userAccount(token: token)
        #expect(user.id == seeded.userID)
        #expect(user.username?.isEmpty == false)
        let accounts = try await h.client.listAdAccounts(token: token)
        #expect(accounts.first?.owner?.id == seeded.userID)
    }
}
