import Logging
import NIOConcurrencyHelpers
import NIOCore

/// What the HTTP layer does with one request.
enum SandboxOutcome: Sendable {
    /// Answer, after `delayMilliseconds` (0 = now).
    case respond(SandboxResponse, delayMilliseconds: Int)
    /// Never answer; keep the connection open until the peer closes it.
    case hang
    /// Close the connection with a TCP reset, without answering.
    case reset
}

/// The sandbox's logic between HTTP and state: control endpoints, faults, routing,
/// authentication, rate limits, dispatch, statistics and recording. Thread-safe; the state sits
/// behind one lock that is held only for in-memory work (JSON parsing and serialization happen
/// outside it).
final class SandboxEngine: Sendable {
    let configuration: SandboxConfiguration
    let logger: Logger
    let state: NIOLockedValueBox<SandboxState>
    let recorder: TrafficRecorder?

    init(configuration: SandboxConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        state = NIOLockedValueBox(SandboxState(configuration: configuration))
        recorder = try configuration.recordPath.map { try TrafficRecorder(path: $0) }
    }

    // MARK: Connections

    func connectionOpened() {
        state.withLockedValue { state in
            state.stats.tcpConnectionsTotal += 1
            state.stats.tcpConnectionsOpen += 1
        }
    }

    func connectionClosed() {
        state.withLockedValue { $0.stats.tcpConnectionsOpen -= 1 }
    }

    // MARK: Requests

    func handle(_ request: SandboxRequest) -> SandboxOutcome {
        if request.path == "/_sandbox" || request.path.hasPrefix("/_sandbox/") {
            return .respond(handleControl(request).rendered(), delayMilliseconds: 0)
        }
        if SandboxEngine.isAuthorizePath(request.path) {
            return .respond(handleAuthorize(request).rendered(), delayMilliseconds: 0)
        }
        guard request.path == "/v5" || request.path.hasPrefix("/v5/") else {
            let error = APIError(status: 404, code: 2, message: "Not found: the API lives under /v5.")
            return .respond(error.response.rendered(), delayMilliseconds: 0)
        }
        return handleAPI(request)
    }

    private func handleAPI(_ request: SandboxRequest) -> SandboxOutcome {
        let routing = Router.match(method: request.method, path: request.path)
        let route = try? routing.get()
        var parsedBody: Result<JSONValue, JSONParseError>? = nil
        if let route, route.operation.takesJSONBody {
            parsedBody = Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(request.body) }
        }
        let monotonicNow = NIODeadline.now().uptimeNanoseconds
        let query = QueryParameters(request.queryItems)
        let (preparedEvents, preparedRecords) = prepare(route: route, parsedBody: parsedBody, query: query)
        let decision: Decision = state.withLockedValue { state in
            state.countRequest(operation: route?.operation, at: monotonicNow)
            var delay = 0
            var resetAfterwards = false
            if let fault = state.takeFault(path: request.path) {
                switch fault.kind {
                case .hang: return .hang
                case .reset: return .reset
                case .applyThenReset: resetAfterwards = true
                case .latency: delay = max(0, fault.latencyMilliseconds)
                case .internalServerError, .serviceUnavailable, .rateLimited:
                    let response = SandboxEngine.faultResponse(fault.kind, path: request.path, configuration: configuration)
                    state.countStatus(response.status)
                    return .respond(response, 0)
                }
            }
            let response: SandboxResponse
            do throws(APIError) {
                response = try SandboxEngine.process(
                    request, routing: routing, query: query, parsedBody: parsedBody,
                    prepared: (preparedEvents, preparedRecords), state: &state, monotonicNow: monotonicNow)
            } catch {
                response = error.response
            }
            state.countStatus(response.status)
            if resetAfterwards { return .appliedThenReset(status: response.status) }
            return .respond(response, delay)
        }

        return outcome(of: decision, request: request, route: route)
    }

    private enum Decision {
        case respond(SandboxResponse, Int)
        case hang
        case reset
        /// Processed (state changed, counted) but answered with a reset.
        case appliedThenReset(status: Int)
    }

    /// Body work that needs no state, done outside the lock.
    private func prepare(
        route: Route?, parsedBody: Result<JSONValue, JSONParseError>?, query: QueryParameters
    ) -> (Result<SandboxState.PreparedEvents, APIError>?, SandboxState.PreparedRecords?) {
        guard let route, case .success(let body)? = parsedBody else { return (nil, nil) }
        switch route.operation {
        case .eventsCreate:
            let now = state.withLockedValue { $0.now }
            return (SandboxState.prepareEvents(query: query, json: body, now: now), nil)
        case .customerListsCreate, .customerListsUpdate:
            guard let text = body["records"]?.stringValue else { return (nil, nil) }
            return (nil, SandboxState.prepareRecords(text, matchRate: configuration.matchRate))
        default:
            return (nil, nil)
        }
    }

    /// What the connection does with the decision, logged and recorded.
    private func outcome(of decision: Decision, request: SandboxRequest, route: Route?) -> SandboxOutcome {
        switch decision {
        case .hang:
            logger.debug("fault: hang", metadata: ["method": "\(request.method)", "path": "\(request.path)"])
            return .hang
        case .reset:
            logger.debug("fault: reset", metadata: ["method": "\(request.method)", "path": "\(request.path)"])
            return .reset
        case .appliedThenReset(let status):
            logger.debug(
                "fault: apply_then_reset",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.path)", "status": "\(status)",
                    "operation": "\(route?.operation.rawValue ?? "-")",
                ])
            return .reset
        case .respond(var response, let delay):
            response.render()
            response.headers.append((name: "x-pinterest-rid", value: SandboxEngine.requestID()))
            response.headers.append((name: "content-length", value: String(response.body.utf8.count)))
            logger.debug(
                "request",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.status)",
                    "operation": "\(route?.operation.rawValue ?? "-")",
                ])
            recorder?.record(request: request, operation: route?.operation, response: response)
            return .respond(response, delayMilliseconds: delay)
        }
    }

    /// Routing, authentication (and the token's scope), rate limits, body parsing and the
    /// operation, in that order.
    private static func process(
        _ request: SandboxRequest, routing: Result<Route, RouteFailure>, query: QueryParameters,
        parsedBody: Result<JSONValue, JSONParseError>?,
        prepared: (events: Result<SandboxState.PreparedEvents, APIError>?, records: SandboxState.PreparedRecords?),
        state: inout SandboxState, monotonicNow: UInt64
    ) throws(APIError) -> SandboxResponse {
        let route: Route
        switch routing {
        case .success(let matched):
            route = matched
        case .failure(.notFound):
            throw APIError(status: 404, code: 2, message: "Not found: no operation at \(request.path).")
        case .failure(.methodNotAllowed(let allowed)):
            throw APIError(
                status: 405, code: 1,
                message: "Method \(request.method) is not allowed here; use \(allowed.joined(separator: " or ")).",
                headers: [(name: "allow", value: allowed.joined(separator: ", "))])
        }

        var userID = ""
        if route.operation.needsBearer {
            let bearer = try state.authenticate(request.header("authorization"), operation: route.operation)
            if let scopes = bearer.scopes, let required = route.operation.requiredScope, !scopes.contains(required) {
                throw .insufficientScope
            }
            userID = bearer.userID
        }
        let limiterKey = route.operation.needsBearer ? userID : "app:" + state.configuration.appID
        var rateHeaders: [(name: String, value: String)] = []
        switch state.rateLimiter.admit(
            user: limiterKey, category: route.operation.rateLimitCategory, adAccountID: route.adAccountID,
            now: monotonicNow)
        {
        case .limited(let limit, let reset):
            throw SandboxEngine.rateLimited(limit: limit, resetSeconds: reset)
        case .allowed(let limit, let remaining, let reset):
            if let limit {
                rateHeaders = [
                    (name: "x-ratelimit-limit", value: String(limit)),
                    (name: "x-ratelimit-remaining", value: String(remaining)),
                    (name: "x-ratelimit-reset", value: String(reset)),
                ]
            }
        }

        var json: JSONValue? = nil
        if let parsedBody {
            switch parsedBody {
            case .success(let value): json = value
            case .failure(let error): throw APIError.malformedJSON(error)
            }
        }
        var call = OperationRequest(route: route, request: request, query: query, userID: userID, json: json)
        call.preparedEvents = prepared.events
        call.preparedRecords = prepared.records
        var response = try state.perform(call)
        response.headers.append(contentsOf: rateHeaders)
        return response
    }

    static func rateLimited(limit: Int, resetSeconds: Int) -> APIError {
        APIError(
            status: 429, code: 8,
            message: "This request exceeded a rate limit. This can happen if the client exceeds one of the published rate limits within a short time window.",
            headers: [
                (name: "x-ratelimit-limit", value: String(limit)),
                (name: "x-ratelimit-remaining", value: "0"),
                (name: "x-ratelimit-reset", value: String(resetSeconds)),
            ])
    }

    static func faultResponse(_ kind: SandboxFault.Kind, path: String, configuration: SandboxConfiguration)
        -> SandboxResponse
    {
        switch kind {
        case .serviceUnavailable:
            let isEvents = path.hasSuffix("/events")
            return APIError(
                status: 503, code: isEvents ? 4197 : 503,
                message: isEvents
                    ? "The endpoint has been ramped down and is currently not accepting any traffic."
                    : "Service unavailable. Please try again later.",
                headers: [(name: "retry-after", value: "1")]
            ).response
        case .rateLimited:
            return rateLimited(limit: configuration.requestsPerSecondPerToken, resetSeconds: 1).response
        default:
            return APIError(status: 500, code: 500, message: "Internal server error. Please try again later.").response
        }
    }

    static func requestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
