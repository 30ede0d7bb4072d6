/// How a ``PinterestSandbox`` behaves. Every limit Pinterest publishes is a field here so tests
/// can tighten or loosen it.
public struct SandboxConfiguration: Sendable {
    /// The address to bind; keep it on loopback.
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free ephemeral port (read it back from ``PinterestSandbox/port``).
    public var port = 0
    /// The app id expected in the HTTP Basic credentials of `POST /v5/oauth/token`.
    public var appID = "sandbox-app-id"
    /// The app secret expected in the HTTP Basic credentials of `POST /v5/oauth/token`.
    public var appSecret = "sandbox-app-secret"
    /// The redirect URIs registered with the app: `GET /oauth/` refuses any other (exact match).
    /// nil (the default) accepts every absolute http or https URL.
    public var registeredRedirectURIs: Set<String>? = nil
    /// Lifetime of issued access tokens, in seconds (Pinterest: 30 days).
    public var accessTokenLifetime = 2_592_000
    /// Lifetime of issued refresh tokens, in seconds (Pinterest: 60 days, renewed on every refresh).
    public var refreshTokenLifetime = 5_184_000
    /// Fraction (0...1) of customer-list records that match a Pinterest user. The decision is a
    /// deterministic function of the record text, so the same record always matches or never does.
    public var matchRate = 0.8
    /// Requests per second allowed per user (the owner of the access token); the 101st request
    /// inside any one-second window gets a 429.
    public var requestsPerSecondPerToken = 100
    /// Requests per minute allowed per user in each `x-ratelimit-category` of the spec.
    /// A category that is absent here is not limited. `org_write` (`oauth/conversion_token`) is
    /// 100 per the third-party copy of Pinterest's rate-limit table.
    public var categoryLimitsPerMinute: [String: Int] = [
        "ads_read": 1000, "ads_write": 400, "ads_analytics": 300, "ads_conversions": 120_000, "org_read": 1000,
        "org_write": 100,
    ]
    /// When set, every `/v5` request and its response are appended to this file as one JSON
    /// object per line (see ``TrafficRecord``). Tokens never appear in it.
    public var recordPath: String? = nil
    /// Sandbox seconds a customer list stays `PROCESSING` after a create or an update before it
    /// becomes `READY` or `TOO_SMALL`. 0 (the default) makes the status final immediately.
    public var customerListProcessingSeconds = 0
    /// Sandbox seconds a new ad stays `review_status` PENDING before Pinterest's review approves
    /// it. 0 (the default) approves every ad at creation; nil keeps new ads PENDING until
    /// `POST /_sandbox/ads/review` (or ``PinterestSandbox/reviewAd(_:status:rejectedReasons:rejectionLabels:)``)
    /// decides. The control API can reject or approve any ad at any time.
    public var adReviewSeconds: Int? = 0
    /// Largest request body accepted, in bytes; larger bodies get a 413.
    public var maximumBodyBytes = 32 * 1024 * 1024

    public init() {}
}
