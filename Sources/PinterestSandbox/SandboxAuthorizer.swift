/// Who approves the sandbox's browser step of OAuth (`GET /oauth/`), the stand-in for the
/// Pinterest user who logs in at www.pinterest.com/oauth/ and clicks "Give access".
///
/// The sandbox approves every valid authorization request at once, as the authorizer set here
/// (``PinterestSandbox/setAuthorizer(_:)`` or `POST /_sandbox/authorizer`); the code it redirects
/// with is exchanged for tokens of that user.
public enum SandboxAuthorizer: Sendable, Equatable {
    /// Every approval is by a new user owning `adAccounts` new ad accounts (0 allowed) in
    /// `currency` (a code of the spec's `Currency` enum).
    case newUser(adAccounts: Int = 2, currency: String = "USD")
    /// Every approval is by this existing user (its ad accounts, owned and shared, unchanged).
    case existingUser(id: String)

    /// What a sandbox starts with, and what `POST /_sandbox/authorizer {}` and
    /// ``PinterestSandbox/reset()`` go back to: a new user with 2 USD ad accounts per approval.
    public static let `default` = SandboxAuthorizer.newUser()
}

/// A control request (seeding a token, setting the authorizer) the sandbox cannot carry out;
/// over HTTP it is a 400 (``Kind/invalid``) or a 404 (``Kind/notFound``) with `message`.
public struct SandboxControlError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A value the control API does not accept (an unknown currency, a role that cannot be
        /// granted, an ad account the user already owns, …).
        case invalid
        /// A user or ad account that does not exist.
        case notFound
    }

    public var kind: Kind
    /// The control field at fault, e.g. `currency`, `share_ad_accounts[1]`.
    public var field: String
    public var message: String

    public var description: String { message }

    static func invalid(_ field: String, _ reason: String) -> SandboxControlError {
        SandboxControlError(kind: .invalid, field: field, message: "\(field) \(reason)")
    }

    static func notFound(_ field: String, _ what: String) -> SandboxControlError {
        SandboxControlError(kind: .notFound, field: field, message: "\(field): \(what) not found.")
    }

    var apiError: APIError {
        APIError(status: kind == .notFound ? 404 : 400, code: kind == .notFound ? 2 : 1, message: message)
    }
}
