/// The browser step of OAuth on the sandbox's root, outside `/v5`: `GET /oauth/` (and `/oauth`)
/// stands in for www.pinterest.com/oauth/. Not a `/v5` operation: it is not counted in the
/// statistics, not subject to faults or rate limits, and not written to the traffic record.
extension SandboxEngine {
    static func isAuthorizePath(_ path: String) -> Bool { path == "/oauth" || path == "/oauth/" }

    /// `GET /oauth/?client_id=APP&redirect_uri=URI&response_type=code&scope=S&state=X`.
    ///
    /// The sandbox approves at once as its authorizer (``SandboxAuthorizer``) and answers
    /// `302 Found` with `Location: URI?code=CODE&state=X` (`&` when URI has a query already;
    /// values percent-encoded). Each parameter is required and may appear once; a bad one is a 400
    /// `{"code": 1, "message", "error", "parameter"}` naming it, and nothing is approved. Any
    /// other method is a 405.
    func handleAuthorize(_ request: SandboxRequest) -> SandboxResponse {
        guard request.method == "GET" else {
            return APIError(
                status: 405, code: 1, message: "Use GET on /oauth/.", headers: [(name: "allow", value: "GET")]
            ).response
        }
        let authorization: AuthorizationRequest
        do throws(AuthorizationError) {
            authorization = try AuthorizationRequest(
                QueryParameters(request.queryItems), appID: configuration.appID,
                registeredRedirectURIs: configuration.registeredRedirectURIs)
        } catch {
            logger.debug("authorize refused", metadata: ["parameter": "\(error.parameter)"])
            return error.response
        }
        let code = state.withLockedValue { $0.approve(authorization) }
        let location = authorization.location(code: code)
        return SandboxResponse(
            status: 302,
            headers: [
                (name: "location", value: location), (name: "content-type", value: "text/plain; charset=utf-8"),
                (name: "cache-control", value: "no-store"),
            ],
            body: "Found. Redirecting to \(location)\n")
    }
}
