import Foundation
import PinAdsClient
import Testing

/// The pure parts of `pinads connect --oauth` (in PinAdsClient): the redirect parser (a pasted
/// address or a request target), the state check and the state itself. No process, no socket.
@Suite("OAuth redirect and state")
struct OAuthRedirectTests {
    @Test func aPastedAddressARequestTargetOrAQueryGiveTheCodeAndState() throws {
        let expected = OAuthRedirect(code: "c0de/+x", state: "s7a7e")
        for text in [
            "http://127.0.0.1:8085/callback?code=c0de%2F%2Bx&state=s7a7e",
            "  http://127.0.0.1:8085/callback?state=s7a7e&code=c0de%2F%2Bx#_=_  \n",
            "\"http://127.0.0.1:8085/callback?code=c0de%2F%2Bx&state=s7a7e\"",
            "<http://127.0.0.1:8085/callback?code=c0de%2F%2Bx&state=s7a7e>",
            "/callback?code=c0de%2F%2Bx&state=s7a7e",
            "?code=c0de%2F%2Bx&state=s7a7e",
            "code=c0de%2F%2Bx&state=s7a7e&extra=1",
            "http://127.0.0.1:8085/callback?code=c0de%2F%2Bx&code=other&state=s7a7e",
        ] {
            #expect(try OAuthRedirect.parse(text) == expected, "\(text)")
        }
        #expect(try OAuthRedirect.parse("?code=a+b&state=x").code == "a b", "+ is a space in a query")
    }

    @Test func whatIsNotARedirectWithACodeSaysWhy() {
        #expect(throws: OAuthRedirectError.notARedirect) { try OAuthRedirect.parse("http://127.0.0.1:8085/callback") }
        #expect(throws: OAuthRedirectError.notARedirect) { try OAuthRedirect.parse("") }
        #expect(throws: OAuthRedirectError.missing("code")) { try OAuthRedirect.parse("/callback?state=s") }
        #expect(throws: OAuthRedirectError.missing("state")) { try OAuthRedirect.parse("/callback?code=c") }
        #expect(throws: OAuthRedirectError.missing("code")) { try OAuthRedirect.parse("/callback?code=&state=s") }
        #expect(throws: OAuthRedirectError.denied(error: "access_denied", description: "The user declined")) {
            try OAuthRedirect.parse("/callback?error=access_denied&error_description=The+user+declined&state=s")
        }
        // The code never shows in what is said about a redirect.
        let said = OAuthRedirectError.stateMismatch.description + OAuthRedirectError.missing("state").description
        #expect(!said.contains("c0de"))
    }

    @Test func onlyTheStateThisConnectSentPasses() throws {
        let state = OAuthState.generate()
        try OAuthState.check(state, expected: state)
        #expect(throws: OAuthRedirectError.stateMismatch) { try OAuthState.check(state.uppercased() + "x", expected: state) }
        #expect(throws: OAuthRedirectError.stateMismatch) { try OAuthState.check(String(state.dropLast()), expected: state) }
        #expect(throws: OAuthRedirectError.stateMismatch) { try OAuthState.check("", expected: "") }
        #expect(OAuthRedirectError.stateMismatch.description.contains("nothing was connected"))
    }

    @Test func theStateIsThirtyTwoRandomBytesInHex() {
        let states = (0..<200).map { _ in OAuthState.generate() }
        #expect(Set(states).count == 200)
        #expect(states.allSatisfy { $0.utf8.count == 64 && $0.allSatisfy(\.isHexDigit) })
    }
}
