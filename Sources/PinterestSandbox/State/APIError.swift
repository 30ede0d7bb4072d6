/// A non-2xx answer in Pinterest's error shape `{"code": Int, "message": String}`.
struct APIError: Error, Sendable {
    var status: Int
    var code: Int
    var message: String
    var headers: [(name: String, value: String)] = []

    var response: SandboxResponse {
        .json(status, ["code": .int(Int64(code)), "message": .string(message)], headers: headers)
    }

    /// 401, code 2: missing, unknown, expired or revoked credentials.
    static func authenticationFailed(_ detail: String? = nil) -> APIError {
        APIError(status: 401, code: 2, message: detail.map { "Authentication failed: \($0)" } ?? "Authentication failed.")
    }

    /// 400, code 1: a parameter or body the operation cannot accept.
    static func invalidParameters(_ detail: String) -> APIError {
        APIError(status: 400, code: 1, message: "Invalid parameters: \(detail)")
    }

    /// 400 with the code and message a list/analytics operation documents, plus the detail.
    static func invalid(code: Int = 400, _ documented: String, _ detail: String) -> APIError {
        APIError(status: 400, code: code, message: "\(documented) \(detail)")
    }

    static func malformedJSON(_ error: JSONParseError) -> APIError {
        APIError(status: 400, code: 1, message: "Invalid JSON body: \(error.reason) at byte \(error.offset).")
    }

    static func notFound(_ what: String) -> APIError {
        APIError(status: 404, code: 2, message: "\(what) not found.")
    }

    /// 401, code 3: the access token was not granted the scope the operation's `security` asks for.
    static let insufficientScope = APIError(
        status: 401, code: 3,
        message: "Your token does not have sufficient permissions to perform this operation. Please ensure your token is authorized with the correct set of scopes.")

    /// 403, code 29: the token's user may not touch this resource.
    static let notPermitted = APIError(
        status: 403, code: 29, message: "You are not permitted to access that resource.")
}
