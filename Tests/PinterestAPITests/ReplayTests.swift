import Foundation
import PinterestAPI
import PinterestSandbox
import Testing

/// libcurl sends a request again, by itself, when a kept-alive connection dies before any
/// answer; the server may have acted on it already. Writes that must not happen twice opt out.
@Suite("No silent replays of writes")
struct ReplayTests {
    @Test func aListWriteWhoseConnectionDiesIsNotSentAgain() async throws {
        let h = try await SandboxHarness.start()
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken)
        let account = seeded.adAccountIDs[0]
        let list = try await h.client.createCustomerList(
            token: token, adAccountID: account, CustomerListCreate(name: "replay", records: [sha256Hex("first")]))
        // Reads keep a connection alive for the next call.
        _ = try await h.client.getCustomerList(token: token, adAccountID: account, customerListID: list.id)
        h.sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/customer_lists/"))
        await #expect(throws: PinterestError.self) {
            try await h.client.updateCustomerList(
                token: token, adAccountID: account, customerListID: list.id, operation: .add, records: ["a", "b", "c"].map(sha256Hex))
        }
        #expect(h.sandbox.stats().byOperation["customer_lists/update"] == 1, "the write reached the sandbox once")
        let after = try await h.client.getCustomerList(token: token, adAccountID: account, customerListID: list.id)
        #expect(after.numUploadedUserRecords == 4)
        try await h.sandbox.shutdown()
    }
}
