import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A stateful local simulator of the Pinterest API v5 endpoints pinads uses, served over real
/// HTTP/1.1 on loopback.
///
/// It behaves like Pinterest as far as the official OpenAPI description and the contract notes
/// say: OAuth with rotating refresh tokens, ad accounts, customer lists with matching, audiences,
/// campaigns / ad groups / ads with per-item exceptions, their PATCH updates and the bid rules of
/// each objective, keywords, conversion tags, Pinterest's ad review (decided by ``reviewAd(_:status:rejectedReasons:rejectionLabels:)``),
/// the Conversions API with deduplication, synthetic campaign, ad group and ad analytics,
/// Pinterest's rate limits and error shapes. Faults can be injected,
/// the clock advanced, and everything it saw read back through ``stats()``.
///
/// ```swift
/// let sandbox = try await PinterestSandbox.start(SandboxConfiguration())
/// let token = sandbox.seedToken()
/// // point a client at sandbox.baseURL with `Authorization: Bearer \(token.accessToken)`
/// try await sandbox.shutdown()
/// ```
///
/// The same controls exist over HTTP under `/_sandbox` (listed by `pinads-sandbox --help`), so
/// another process can drive a standalone sandbox.
public final class PinterestSandbox: Sendable {
    /// The TCP port the sandbox listens on.
    public let port: Int
    /// The address the sandbox listens on.
    public let host: String

    let engine: SandboxEngine
    private let serverChannel: any Channel
    private let connections: ConnectionRegistry
    private let stopped = NIOLockedValueBox(false)

    /// The API base URL, e.g. `http://127.0.0.1:41234/v5`.
    public var baseURL: String { "\(rootURL)/v5" }

    /// The server root without `/v5`, where the `/_sandbox` control endpoints live.
    public var rootURL: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)"
    }

    private init(
        engine: SandboxEngine, serverChannel: any Channel, connections: ConnectionRegistry, host: String, port: Int
    ) {
        self.engine = engine
        self.serverChannel = serverChannel
        self.connections = connections
        self.host = host
        self.port = port
    }

    /// Binds and starts serving. Throws when the address cannot be bound or the record file
    /// cannot be opened.
    public static func start(
        _ configuration: SandboxConfiguration, logger: Logger = Logger(label: "pinads.sandbox")
    ) async throws -> PinterestSandbox {
        let engine = try SandboxEngine(configuration: configuration, logger: logger)
        let connections = ConnectionRegistry()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                engine.connectionOpened()
                connections.add(channel)
                channel.closeFuture.whenComplete { _ in
                    engine.connectionClosed()
                    connections.remove(channel)
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(SandboxHTTPHandler(engine: engine))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            engine.recorder?.close()
            throw error
        }
        let port = channel.localAddress?.port ?? configuration.port
        logger.info("sandbox listening", metadata: ["url": "http://\(configuration.host):\(port)/v5"])
        return PinterestSandbox(
            engine: engine, serverChannel: channel, connections: connections, host: configuration.host, port: port)
    }

    /// The configuration the sandbox runs with.
    public var configuration: SandboxConfiguration { engine.configuration }

    /// The browser step of OAuth, the stand-in for `https://www.pinterest.com/oauth/`, e.g.
    /// `http://127.0.0.1:41234/oauth/`. Send the user's browser (or an HTTP client that does not
    /// follow redirects) to it with `client_id`, `redirect_uri`, `response_type=code`, `scope` and
    /// `state`; the answer is a `302` to `redirect_uri?code=…&state=…`, approved by the
    /// ``authorizer``.
    public var authorizationURL: String { "\(rootURL)/oauth/" }

    /// Creates a user owning `adAccounts` new USD ad accounts (0 allowed) and mints a token pair
    /// for it, granted `ads:read`, `ads:write` and `user_accounts:read`. Lifetimes default to the
    /// configuration's; negative values make already-expired tokens.
    public func seedToken(adAccounts: Int = 2, accessExpiresIn: Int? = nil, refreshExpiresIn: Int? = nil)
        -> SeededToken
    {
        engine.seedToken(adAccounts: adAccounts, accessExpiresIn: accessExpiresIn, refreshExpiresIn: refreshExpiresIn)
    }

    /// Mints a token pair (as ``seedToken(adAccounts:accessExpiresIn:refreshExpiresIn:)``) for a
    /// new user or an existing one, and gives that user Business Access to other users' ad
    /// accounts: the Swift side of `POST /_sandbox/tokens`.
    ///
    /// - Parameters:
    ///   - adAccounts: for a new user: how many ad accounts it owns (0...10000; nil = 2).
    ///   - currency: for a new user: the currency of its ad accounts, a code of the spec's
    ///     `Currency` enum (nil = USD); the account's `country` follows it (EUR → DE).
    ///   - userID: an existing user to mint the pair for instead of a new one; its ad accounts
    ///     stay as they are, so `adAccounts` and `currency` must then be nil.
    ///   - shareAdAccounts: existing ad accounts owned by other users that the user gets Business
    ///     Access to (granting again replaces the roles).
    ///   - permissions: the roles granted on `shareAdAccounts`: BusinessAccessRole values other
    ///     than OWNER.
    /// - Returns: the pair, the user's owned ad accounts and every ad account shared with it
    ///   (``SeededToken/sharedAdAccountIDs``).
    /// - Throws: ``SandboxControlError`` (nothing changes then): an unknown currency or role, a
    ///   share of an account the user owns, `adAccounts`/`currency` with `userID` (``SandboxControlError/Kind/invalid``);
    ///   an unknown user or ad account (``SandboxControlError/Kind/notFound``).
    @_disfavoredOverload
    public func seedToken(
        adAccounts: Int? = nil, currency: String? = nil, userID: String? = nil, shareAdAccounts: [String] = [],
        permissions: [String] = ["ADMIN"], accessExpiresIn: Int? = nil, refreshExpiresIn: Int? = nil
    ) throws(SandboxControlError) -> SeededToken {
        try engine.seed(
            SandboxState.Seed(
                adAccounts: adAccounts, currency: currency, userID: userID, shareAdAccounts: shareAdAccounts,
                permissions: permissions, accessExpiresIn: accessExpiresIn, refreshExpiresIn: refreshExpiresIn))
    }

    /// Who approves the next requests of the browser step (`GET /oauth/`); see
    /// ``SandboxAuthorizer``. Throws when the user does not exist, or the count or currency is
    /// not one the sandbox accepts.
    public func setAuthorizer(_ authorizer: SandboxAuthorizer) throws(SandboxControlError) {
        try engine.setAuthorizer(authorizer)
    }

    /// The current authorizer of the browser step (``SandboxAuthorizer/default`` at start).
    public var authorizer: SandboxAuthorizer { engine.authorizer }

    /// Mints a single-use authorization code for `grant_type=authorization_code`; exchanging it
    /// creates a new user with `adAccounts` USD ad accounts. When `redirectURI` is given, the
    /// exchange must send the same one. Unlike codes of the browser step, it does not expire.
    public func mintAuthorizationCode(adAccounts: Int = 2, redirectURI: String? = nil) -> String {
        engine.mintAuthorizationCode(adAccounts: adAccounts, redirectURI: redirectURI)
    }

    /// Mints a conversion token for the user of `accessToken`, as `POST /v5/oauth/conversion_token`
    /// does (without counting a request): long-lived (it never expires and outlives the access
    /// token), accepted as a Bearer token only by `POST /v5/ad_accounts/{id}/events` on that
    /// user's ad accounts. Returns nil when `accessToken` is unknown, revoked or expired.
    public func mintConversionToken(forAccessToken accessToken: String) -> String? {
        engine.mintConversionToken(forAccessToken: accessToken)
    }

    /// Revokes an access, refresh or conversion token (later use gets 401 code 2). Returns
    /// whether it existed.
    @discardableResult
    public func revoke(token: String) -> Bool { engine.revoke(token: token) }

    /// Decides Pinterest's review of an ad, as `POST /_sandbox/ads/review` does: `status` is
    /// OTHER, PENDING, REJECTED or APPROVED; `rejectedReasons` (values of the spec's
    /// `rejected_reasons` enum, default OTHER) and `rejectionLabels` (default: the reasons in
    /// words) go only with REJECTED. The ad's `summary_status` follows (REJECTED, PENDING or
    /// APPROVED for an active ad).
    /// - Throws: ``SandboxControlError`` for an unknown ad (``SandboxControlError/Kind/notFound``)
    ///   or a status or reason the spec does not have (``SandboxControlError/Kind/invalid``).
    public func reviewAd(
        _ adID: String, status: String, rejectedReasons: [String]? = nil, rejectionLabels: [String]? = nil
    ) throws(SandboxControlError) {
        _ = try engine.reviewAd(adID, status: status, rejectedReasons: rejectedReasons, rejectionLabels: rejectionLabels)
    }

    /// Makes an ACTIVE conversion tag of an existing ad account (every AEM flag off) without a
    /// `/v5` call, as `POST /_sandbox/conversion_tags` does; returns its id, for
    /// `optimization_goal_metadata.conversion_tag_v3_goal_metadata.conversion_tag_id`.
    /// - Throws: ``SandboxControlError`` for an unknown ad account or an empty name.
    public func seedConversionTag(adAccountID: String, name: String = "Sandbox tag") throws(SandboxControlError) -> String {
        try engine.seedConversionTag(adAccountID: adAccountID, name: name)
    }

    /// Counters of everything seen so far (the content of `GET /_sandbox/stats`).
    public func stats() -> SandboxStats { engine.stats() }

    /// Every customer list the sandbox holds, of one ad account when `adAccountID` is given,
    /// sorted by id, with its distinct records (sorted by UTF-8 bytes) and their digest: the
    /// content of `GET /_sandbox/customer_lists?records=true`.
    public func customerLists(adAccountID: String? = nil) -> [SandboxCustomerList] {
        engine.customerLists(adAccountID: adAccountID)
    }

    /// Queues a fault for the next `fault.count` matching `/v5` requests. Faults apply in the
    /// order they were injected.
    public func inject(_ fault: SandboxFault) { engine.inject(fault) }

    /// Drops every queued fault.
    public func clearFaults() { engine.clearFaults() }

    /// Moves sandbox time forward (token expiry, deduplication and analytics windows). Rate
    /// limits keep using real time.
    public func advanceClock(by seconds: Int) { engine.advanceClock(by: seconds) }

    /// Forgets all users, tokens, codes, objects, faults and counters (connection counters
    /// excepted) and goes back to the default authorizer; the configuration stays.
    public func reset() { engine.reset() }

    /// Stops listening, closes every open connection (hanging ones included) and the record file.
    /// Calling it again does nothing.
    public func shutdown() async throws {
        let alreadyStopped = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        do {
            try await serverChannel.close()
        } catch ChannelError.alreadyClosed {
            // Nothing to do.
        }
        for channel in connections.all() {
            try? await channel.close()
        }
        engine.recorder?.close()
        engine.logger.info("sandbox stopped", metadata: ["port": "\(port)"])
    }
}

/// The open connections, so that shutdown can close the ones a hang fault keeps open.
final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        channels.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        channels.withLockedValue { $0[ObjectIdentifier(channel)] = nil }
    }

    func all() -> [any Channel] {
        channels.withLockedValue { Array($0.values) }
    }
}
