import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

/// `pinads connect --oauth`: Pinterest's authorization-code flow with a loopback redirect. The
/// daemon builds the authorize URL and exchanges the code; this command only listens for the
/// redirect (or reads it pasted), checks its state, and hands the code over. It never talks to
/// Pinterest and never prints the code.
struct OAuthConnect {
    let options: ClientOptions
    let clientID: String?
    let clientSecret: String?
    let name: String?
    let defaultAdAccount: String?
    let port: UInt16
    /// Read a pasted redirect from standard input too (--paste, or a terminal).
    let watchInput: Bool
    let waitSeconds: Double

    func run() throws {
        // Checked before a person spends time in the browser: the exchange would refuse it.
        if (clientID == nil) != (clientSecret == nil) {
            throw ValidationError(
                clientID == nil
                    ? "an app secret without its id: give --client-id (or PINADS_CLIENT_ID) too, or neither to use the daemon's own"
                    : "the app's id without its secret: set PINADS_CLIENT_SECRET (or --client-secret), or give neither to use the daemon's own")
        }
        let listener: LoopbackRedirectListener
        do {
            listener = try LoopbackRedirectListener(port: port)
        } catch {
            throw ValidationError(String(describing: error))
        }
        let state = OAuthState.generate()
        let authorize = try options.call(AuthorizeURLRequest(clientId: clientID, redirectUri: listener.redirectURI, state: state))
        say(
            """
            Open this page in a browser and let the app act for your Pinterest account:

              \(authorize.authorizeUrl)

            Waiting for Pinterest to send the browser back to \(listener.redirectURI)\
            \(watchInput ? " (or paste here the address the browser landed on, then Enter)" : "")…
            """)
        let (text, browser) = try waitForRedirect(listener)
        let redirect: OAuthRedirect
        do {
            redirect = try OAuthRedirect.parse(text)
            try OAuthState.check(redirect.state, expected: state)
        } catch {
            let message = String(describing: error)
            browser?.respond(status: 400, reason: "Bad Request", html: BrowserRequest.page("pinads: \(message)"))
            Output.fail(ResponseError(code: .failedPrecondition, message: message), client: nil, hint: nil)
        }
        let request = ConnectRequest(
            code: redirect.code, redirectUri: listener.redirectURI, clientId: clientID, clientSecret: clientSecret,
            defaultAdAccountId: defaultAdAccount, name: name)
        // A new connection: the one that asked for the URL sat idle while the person approved.
        let client = try options.connect()
        let outcome: PinAdsClient.Outcome<ConnectResult>
        do {
            outcome = try client.call(request)
        } catch {
            browser?.respond(status: 502, reason: "Bad Gateway", html: BrowserRequest.page("pinads could not reach its daemon: \(error)"))
            Output.fail(error)
        }
        switch outcome {
        case .result(let result):
            browser?.respond(
                status: 200, reason: "OK",
                html: BrowserRequest.page("pinads is connected to Pinterest (connection \(result.connectionId)). You can close this tab."))
            if options.printJSONIfAsked(result) { return }
            Connect.printConnected(result)
        case .error(let error):
            browser?.respond(
                status: 502, reason: "Bad Gateway", html: BrowserRequest.page("pinads could not connect: \(error.message)"))
            Output.fail(error, client: client)
        }
    }

    /// The redirect's text (a request target or a pasted address) and the browser to answer, if
    /// it came from one.
    private func waitForRedirect(_ listener: LoopbackRedirectListener) throws -> (String, BrowserRequest?) {
        let deadline = Date().addingTimeInterval(waitSeconds)
        var watching = watchInput
        while true {
            let arrival: LoopbackRedirectListener.Arrival
            do {
                arrival = try listener.next(within: deadline.timeIntervalSinceNow, watchInput: watching)
            } catch {
                Output.fail(ResponseError(code: .unavailable, message: String(describing: error)), client: nil, hint: nil)
            }
            switch arrival {
            case .browser(let request): return (request.target, request)
            case .pasted(let line): return (line, nil)
            case .inputClosed: watching = false
            case .timedOut:
                Output.printError(
                    "no redirect came within \(Int(waitSeconds)) s (--authorize-timeout); nothing was connected. Run `pinads connect --oauth` again")
                throw ExitCode(75)
            }
        }
    }

    /// Instructions: on stdout for people, on stderr with --json (stdout is the answer's).
    private func say(_ text: String) {
        if options.json {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        } else {
            print(text)
            fflush(nil)
        }
    }
}
