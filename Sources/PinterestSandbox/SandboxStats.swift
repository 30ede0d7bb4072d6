/// What the sandbox has seen so far: the content of `GET /_sandbox/stats`.
///
/// Request counters cover `/v5` requests only (control requests under `/_sandbox` are not
/// counted). Faulted requests count in ``requestsTotal`` and ``byOperation``; those that were
/// answered (500/503/429/latency) also count in ``byStatus``; `hang` and `reset` do not.
/// `apply_then_reset` requests count everywhere as if answered (``byStatus`` gets the status
/// of the response that was processed but never sent).
public struct SandboxStats: Sendable, Equatable {
    /// Every `/v5` request received.
    public var requestsTotal = 0
    /// Requests per spec `operationId` (e.g. `"events/create"`); unknown paths are not listed.
    public var byOperation: [String: Int] = [:]
    /// Responses per HTTP status.
    public var byStatus: [Int: Int] = [:]
    /// The most `/v5` requests received inside any sliding one-second window.
    public var maxRequestsInAnySecond = 0
    /// TCP connections accepted (control connections included).
    public var tcpConnectionsTotal = 0
    /// TCP connections currently open.
    public var tcpConnectionsOpen = 0
    /// Conversion events received in non-test requests that passed request-level validation.
    public var eventsReceived = 0
    /// Events recorded as new conversions (processed and not duplicates).
    public var eventsProcessed = 0
    /// Events answered "processed" but dropped as duplicates of an (event_id, event_name) seen
    /// within the previous 48 sandbox hours in the same ad account.
    public var eventsDeduplicated = 0
    /// Events received in `?test=true` requests (validated, not recorded).
    public var testEventsReceived = 0
    /// Records received in customer-list creates and updates (ADD and REMOVE), duplicates included.
    public var customerListRecordsReceived = 0
    /// Customer lists that exist now.
    public var customerLists = 0
    /// Audiences that exist now.
    public var audiences = 0
    /// Campaigns that exist now.
    public var campaigns = 0
    /// Ad groups that exist now.
    public var adGroups = 0
    /// Ads that exist now.
    public var ads = 0
    /// Conversion tags that exist now.
    public var conversionTags = 0
    /// Keywords that exist now (archived ones included).
    public var keywords = 0

    public init() {}
}
