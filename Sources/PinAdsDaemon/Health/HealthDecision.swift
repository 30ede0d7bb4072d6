import Foundation
import PinAdsJSON
import PinAdsStore

/// How the daemon is doing, as `system.health` and systemd's STATUS= tell it.
public enum HealthStatus: String, Sendable {
    /// Every part works.
    case ok
    /// The daemon and its store work, but something needs attention (a connection, Pinterest,
    /// conversions, an activation).
    case degraded
    /// The store cannot be read or written: the daemon cannot do its work.
    case unavailable
}

/// What a health problem is about.
public struct HealthSubject: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case connection
        case adAccount = "ad_account"
        case activation
        case store
    }

    public var kind: Kind
    /// A pinads id in decimal, a Pinterest ad account id, or the database's path.
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func connection(_ id: Int64) -> HealthSubject { HealthSubject(kind: .connection, id: String(id)) }
    public static func adAccount(_ id: String) -> HealthSubject { HealthSubject(kind: .adAccount, id: id) }
    public static func activation(_ id: Int64) -> HealthSubject { HealthSubject(kind: .activation, id: String(id)) }
}

/// One thing that is wrong, what it concerns, and what a person can do about it.
///
/// - Important: `message` and `fix` never carry a token, a secret, a raw email or a device id:
///   they are built from ids, times, states and Pinterest's error descriptions only.
public struct HealthProblem: Sendable, Equatable {
    /// Stable snake_case codes: monitors match on them, so they never change meaning.
    public enum Code: String, Sendable, CaseIterable {
        case storeUnreadable = "store_unreadable"
        case storeFull = "store_full"
        case storeReadOnly = "store_read_only"
        case storeIOError = "store_io_error"
        case connectionNeedsReconnect = "connection_needs_reconnect"
        case tokensExpireSoon = "tokens_expire_soon"
        case refreshLost = "refresh_lost"
        case pinterestUnreachable = "pinterest_unreachable"
        case conversionsFailing = "conversions_failing"
        case conversionEventsRefused = "conversion_events_refused"
        case conversionsBacklog = "conversions_backlog"
        case activationError = "activation_error"
    }

    public var code: Code
    public var subject: HealthSubject
    public var message: String
    public var fix: String

    public init(code: Code, subject: HealthSubject, message: String, fix: String) {
        self.code = code
        self.subject = subject
        self.message = message
        self.fix = fix
    }
}

/// The status and its problems, store problems first, then connections, ad accounts and
/// activations.
public struct HealthReport: Sendable, Equatable {
    public var status: HealthStatus
    public var problems: [HealthProblem]

    public init(status: HealthStatus, problems: [HealthProblem]) {
        self.status = status
        self.problems = problems
    }

    /// The text after `STATUS=` for systemd: `ok`, or the status and the first problem.
    public var statusLine: String {
        guard let first = problems.first else { return status.rawValue }
        var message = first.message
        if message.count > 200 { message = String(message.prefix(199)) + "…" }
        let more = problems.count > 1 ? " (+\(problems.count - 1) more; pinads health)" : ""
        return "\(status.rawValue): \(message)\(more)"
    }
}

/// What the daemon observed, gathered cheaply for one health answer.
public struct HealthFacts: Sendable {
    public struct StoreFacts: Sendable {
        public var path: String
        /// Why the store could not be read, when it could not.
        public var readError: String?
        /// The state directory is full or read-only, or its disk failed.
        public var unavailable: StoreUnavailable?

        public init(path: String, readError: String? = nil, unavailable: StoreUnavailable? = nil) {
            self.path = path
            self.readError = readError
            self.unavailable = unavailable
        }
    }

    /// A connection that is not disconnected.
    public struct Connection: Sendable, Equatable {
        public var id: Int64
        public var name: String?
        public var state: ConnectionRecord.State
        public var stateReason: String?
        public var accessExpiresAt: Date?
        public var refreshExpiresAt: Date?
        /// It has a refresh token and app credentials (its own or the daemon's).
        public var canRefresh: Bool
        /// When Pinterest refused its refresh token after a refresh whose answer was lost.
        public var refreshLostAt: Date?
        /// Its Pinterest calls since the daemon started (kept in memory).
        public var calls: PinterestCallRecord

        public init(
            id: Int64, name: String? = nil, state: ConnectionRecord.State = .active, stateReason: String? = nil, accessExpiresAt: Date? = nil,
            refreshExpiresAt: Date? = nil, canRefresh: Bool = true, refreshLostAt: Date? = nil, calls: PinterestCallRecord = PinterestCallRecord()
        ) {
            self.id = id
            self.name = name
            self.state = state
            self.stateReason = stateReason
            self.accessExpiresAt = accessExpiresAt
            self.refreshExpiresAt = refreshExpiresAt
            self.canRefresh = canRefresh
            self.refreshLostAt = refreshLostAt
            self.calls = calls
        }
    }

    /// One lane of the conversions outbox: what its batches met, and its queue's head.
    public struct ConversionLaneFacts: Sendable, Equatable {
        public var adAccountID: String
        public var test: Bool
        public var record: ConversionLaneRecord
        /// Since when the oldest queued event the dispatcher knows of waits: the queue head's
        /// acceptance, or a failed batch's oldest, if earlier (nil: nothing queued).
        public var oldestQueuedAt: Date?

        public init(adAccountID: String, test: Bool = false, record: ConversionLaneRecord = ConversionLaneRecord(), oldestQueuedAt: Date? = nil) {
            self.adAccountID = adAccountID
            self.test = test
            self.record = record
            self.oldestQueuedAt = oldestQueuedAt
        }
    }

    /// An active activation in state ERROR.
    public struct FailedActivation: Sendable, Equatable {
        public var id: Int64
        public var audienceID: Int64
        public var adAccountID: String
        public var errorMessage: String?
        public var errorAt: Date?

        public init(id: Int64, audienceID: Int64, adAccountID: String, errorMessage: String? = nil, errorAt: Date? = nil) {
            self.id = id
            self.audienceID = audienceID
            self.adAccountID = adAccountID
            self.errorMessage = errorMessage
            self.errorAt = errorAt
        }
    }

    public var store: StoreFacts
    public var connections: [Connection]
    public var conversionLanes: [ConversionLaneFacts]
    public var failedActivations: [FailedActivation]

    public init(
        store: StoreFacts, connections: [Connection] = [], conversionLanes: [ConversionLaneFacts] = [], failedActivations: [FailedActivation] = []
    ) {
        self.store = store
        self.connections = connections
        self.conversionLanes = conversionLanes
        self.failedActivations = failedActivations
    }
}

/// The pure health decision: facts and a time in, status and problems out.
public struct HealthDecision: Sendable {
    /// A connection whose calls have all failed for this long (with calls inside it) is
    /// unreachable.
    public var pinterestSilence: TimeInterval = 10 * 60
    /// Tokens that cannot be refreshed and expire within this are a problem.
    public var tokenHorizon: TimeInterval = 7 * 24 * 3600
    /// A queued conversion event older than this is a problem.
    public var conversionQueueAge: TimeInterval = 5 * 60
    /// Conversion failures and refusals count for this long.
    public var conversionFailureWindow: TimeInterval = 10 * 60

    public init() {}

    public func evaluate(_ facts: HealthFacts, now: Date) -> HealthReport {
        var problems = storeProblems(facts.store)
        // A store that cannot be read is unavailable; one that reads but cannot write (a full,
        // read-only or failing disk) is degraded: reads and health answer, writes are refused.
        let storeReads = facts.store.readError == nil
        for connection in facts.connections.sorted(by: { $0.id < $1.id }) {
            problems += connectionProblems(connection, now: now)
        }
        for lane in facts.conversionLanes.sorted(by: { ($0.adAccountID, $0.test ? 1 : 0) < ($1.adAccountID, $1.test ? 1 : 0) }) {
            problems += laneProblems(lane, now: now)
        }
        for activation in facts.failedActivations.sorted(by: { $0.id < $1.id }) {
            problems.append(activationProblem(activation))
        }
        let status: HealthStatus = !storeReads ? .unavailable : problems.isEmpty ? .ok : .degraded
        return HealthReport(status: status, problems: problems)
    }

    // MARK: - Store

    private func storeProblems(_ store: HealthFacts.StoreFacts) -> [HealthProblem] {
        let subject = HealthSubject(kind: .store, id: store.path)
        var problems: [HealthProblem] = []
        if let error = store.readError {
            problems.append(
                HealthProblem(
                    code: .storeUnreadable, subject: subject, message: "the store \(store.path) cannot be read: \(error)",
                    fix: "check the state directory and its disk; the daemon answers again once the database can be read (restart it if it does not)"))
        }
        if let unavailable = store.unavailable {
            let code: HealthProblem.Code
            let fix: String
            switch unavailable.problem {
            case .full:
                code = .storeFull
                fix = "free some space in \(unavailable.directory); writes work again at once"
            case .readOnly:
                code = .storeReadOnly
                fix = "make \(unavailable.directory) writable again (remount it read-write), then restart pinadsd if writes still fail"
            case .io:
                code = .storeIOError
                fix = "check the disk that holds \(unavailable.directory) (dmesg, smartctl); writes are tried again with each request"
            }
            problems.append(HealthProblem(code: code, subject: subject, message: unavailable.description, fix: fix))
        }
        return problems
    }

    // MARK: - Connections

    private func connectionProblems(_ connection: HealthFacts.Connection, now: Date) -> [HealthProblem] {
        let subject = HealthSubject.connection(connection.id)
        let named = "connection \(connection.id)\(connection.name.map { " (\($0))" } ?? "")"
        switch connection.state {
        case .disconnected:
            return []
        case .unauthorized:
            return [
                HealthProblem(
                    code: .connectionNeedsReconnect, subject: subject,
                    message: "\(named) needs a reconnect: \(connection.stateReason ?? "Pinterest refused its tokens")",
                    fix: "run `pinads connect` again with new tokens of the same Pinterest user; its jobs and conversions wait until then")
            ]
        case .active:
            break
        }
        var problems: [HealthProblem] = []
        if let lostAt = connection.refreshLostAt {
            problems.append(refreshLostProblem(connection, named: named, lostAt: lostAt, now: now))
        } else if !connection.canRefresh, let expiry = [connection.accessExpiresAt, connection.refreshExpiresAt].compactMap({ $0 }).min(),
            expiry.timeIntervalSince(now) <= tokenHorizon
        {
            let when =
                expiry <= now
                ? "expired at \(Timestamp.format(expiry))" : "expire at \(Timestamp.format(expiry)) (in \(Self.span(expiry.timeIntervalSince(now))))"
            problems.append(
                HealthProblem(
                    code: .tokensExpireSoon, subject: subject,
                    message: "the tokens of \(named) \(when) and cannot be refreshed here (no refresh token or no app credentials)",
                    fix: "reconnect with a refresh token and the app's id and secret (`pinads connect --stdin` with refresh_token, client_id and client_secret), or start pinadsd with --client-id and its secret"))
        }
        let calls = connection.calls
        if let since = calls.failingSince, let last = calls.lastAttemptAt,
            now.timeIntervalSince(since) >= pinterestSilence, now.timeIntervalSince(last) <= pinterestSilence
        {
            let success = calls.lastSuccessAt.map { "the last one at \(Timestamp.format($0))" } ?? "none since pinadsd started"
            problems.append(
                HealthProblem(
                    code: .pinterestUnreachable, subject: subject,
                    message:
                        "no Pinterest call of \(named) has succeeded for \(Self.span(now.timeIntervalSince(since))) (\(success)); \(calls.failuresSinceSuccess) call\(calls.failuresSinceSuccess == 1 ? "" : "s") failed, the last: \(calls.lastFailure ?? "unknown")",
                    fix: "check the network path to Pinterest (the daemon's --api-base-url) and Pinterest's status; failed work is retried by itself"))
        }
        return problems
    }

    /// The refresh token is spent by a refresh whose answer was lost; the access token in hand
    /// still works (else the connection would be `unauthorized`) until it expires.
    private func refreshLostProblem(_ connection: HealthFacts.Connection, named: String, lostAt: Date, now: Date) -> HealthProblem {
        let fix: String
        let reconnect = "run `pinads connect` again with new tokens of the same Pinterest user"
        if let expiry = connection.accessExpiresAt, expiry > now {
            fix = "reconnect before \(Timestamp.format(expiry)), when the access token expires (in \(Self.span(expiry.timeIntervalSince(now)))): \(reconnect); until then its work goes on"
        } else if let expiry = connection.accessExpiresAt {
            fix = "reconnect now: the access token expired at \(Timestamp.format(expiry)) by its stated lifetime and works only while Pinterest still accepts it: \(reconnect)"
        } else {
            fix = "reconnect soon (the access token's expiry is not known; it works until Pinterest refuses it): \(reconnect)"
        }
        return HealthProblem(
            code: .refreshLost, subject: .connection(connection.id),
            message:
                "\(named) cannot refresh its tokens: the answer to a token refresh was lost, and Pinterest refused the refresh token at \(Timestamp.format(lostAt)) (that refresh had most likely used it); the access token in hand is in use while Pinterest accepts it",
            fix: fix)
    }

    // MARK: - Conversions

    private func laneProblems(_ lane: HealthFacts.ConversionLaneFacts, now: Date) -> [HealthProblem] {
        let subject = HealthSubject.adAccount(lane.adAccountID)
        let events = lane.test ? "test conversion events" : "conversion events"
        let record = lane.record
        var problems: [HealthProblem] = []
        if let since = record.failingSince, let last = record.lastFailureAt, now.timeIntervalSince(last) <= conversionFailureWindow {
            let fix: String
            if let connection = record.blockedByConnection {
                fix = "reconnect connection \(connection) (`pinads connect`); the queued events leave at once after"
            } else {
                fix = "nothing to do while Pinterest is failing: the events stay queued and are retried with backoff; `pinads conversions stats` shows the last error"
            }
            problems.append(
                HealthProblem(
                    code: .conversionsFailing, subject: subject,
                    message:
                        "\(events) of ad account \(lane.adAccountID) are not getting through since \(Timestamp.format(since)) (\(record.failuresSinceDelivery) batch\(record.failuresSinceDelivery == 1 ? "" : "es") failed); the last: \(record.lastFailure ?? "unknown")",
                    fix: fix))
        }
        let recent = record.refusals.filter { now.timeIntervalSince($0.at) <= conversionFailureWindow }
        if let latest = recent.max(by: { $0.at < $1.at }) {
            let count = recent.reduce(0) { $0 + $1.count }
            problems.append(
                HealthProblem(
                    code: .conversionEventsRefused, subject: subject,
                    message:
                        "Pinterest refused \(count) \(events) of ad account \(lane.adAccountID) in the last \(Self.span(conversionFailureWindow)); the last: \(latest.message)",
                    fix: "correct the events as the message says and send them again (a refused event may be sent again with its event_id)"))
        }
        if let oldest = lane.oldestQueuedAt, now.timeIntervalSince(oldest) > conversionQueueAge {
            problems.append(
                HealthProblem(
                    code: .conversionsBacklog, subject: subject,
                    message:
                        "the oldest queued \(lane.test ? "test " : "")conversion event of ad account \(lane.adAccountID) has waited \(Self.span(now.timeIntervalSince(oldest))) (accepted at \(Timestamp.format(oldest)))",
                    fix: "see the other problems (a connection that needs a reconnect, Pinterest failing); `pinads conversions stats` shows the queue and the last error"))
        }
        return problems
    }

    // MARK: - Activations

    private func activationProblem(_ activation: HealthFacts.FailedActivation) -> HealthProblem {
        let since = activation.errorAt.map { " since \(Timestamp.format($0))" } ?? ""
        return HealthProblem(
            code: .activationError, subject: .activation(activation.id),
            message:
                "the sync of audience \(activation.audienceID) to ad account \(activation.adAccountID) (activation \(activation.id)) is in ERROR\(since): \(activation.errorMessage ?? "no message")",
            fix:
                "`pinads audience show \(activation.audienceID)` has the details; once the cause is fixed, `pinads audience sync \(activation.audienceID)` (failed syncs are also retried by themselves)")
    }

    /// "42 s", "7 min", "3 h", "2 days".
    static func span(_ seconds: TimeInterval) -> String {
        let s = max(0, seconds)
        if s < 120 { return "\(Int(s.rounded())) s" }
        if s < 2 * 3600 { return "\(Int((s / 60).rounded())) min" }
        if s < 2 * 86400 { return "\(Int((s / 3600).rounded())) h" }
        return "\(Int((s / 86400).rounded())) days"
    }
}
