import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOPosix
import PinAdsProtocol
import PinAdsStore
import PinterestAPI

/// Sends a streaming method's events to its caller.
struct EventSink<Event: Encodable & Sendable>: Sendable {
    let emit: @Sendable (Event) async throws -> Void
    func send(_ event: Event) async throws { try await emit(event) }
}

/// The one place a method name becomes a call: every request gets exactly one final frame.
struct MethodDispatcher: Sendable {
    let system: SystemMethods
    let jobs: JobMethods
    let connections: ConnectionMethods
    let scheduler: Scheduler
    let audiences: AudienceMethods
    let campaigns: CampaignMethods
    let conversions: ConversionMethods
    let logger: Logger
    /// Heavy reads (``RequestLane/heavy``) in progress at once, daemon-wide.
    static let heavyReadConcurrency = 2
    let heavyReads = ConcurrencyGate(limit: MethodDispatcher.heavyReadConcurrency)

    /// Runs the request and hands its final frame (result or error) to `answer`. Streaming
    /// methods send their events through `emitFrame` before that. Returns once the work is over:
    /// what the request holds (its frame's share of the buffer budget, its place among the
    /// connection's requests in flight) is its until then.
    ///
    /// With `deadline_ms`, the answer is DEADLINE_EXCEEDED at the deadline and the work is
    /// cancelled; this returns when the cancelled work has stopped. The deadline is an
    /// event-loop timer, cancelled (and freed) with the answer: a `Task.sleep` per request
    /// would keep its timer alive until its deadline even when cancelled, so a busy connection
    /// with 30 s deadlines would hold 30 s of them.
    ///
    /// Requests of the `normal` and `heavy` lanes start once the connection has `room` for
    /// their answer; a heavy one then waits for its turn, and checks the room again once it has
    /// it (another request of the connection may have filled it meanwhile). Both waits count in
    /// the deadline.
    func handle(
        _ request: DecodedRequest, lane: RequestLane, room: (any AnswerRoom)?, peer: Peer = .owner,
        emitFrame: @escaping @Sendable (ByteBuffer) async throws -> Void, answer: @Sendable (ByteBuffer) async -> Void
    ) async {
        let header = request.header
        // Who the peer is: the connection's to answer, not a method's.
        if header.method == WhoAmIRequest.method {
            await answer(await unary(request) { (_: WhoAmIRequest) in
                WhoAmIResult(uid: peer.uid, gid: peer.gid, role: peer.grant.role, grantedBy: peer.grant.grantedBy)
            })
            return
        }
        guard let deadlineMs = header.deadlineMs else {
            await answer(await routeInLane(request, lane: lane, room: room, emitFrame: emitFrame))
            return
        }
        let first = FirstAnswer()
        let work = Task {
            let frame = await routeInLane(request, lane: lane, room: room, emitFrame: emitFrame)
            first.offer(frame)
        }
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .milliseconds(deadlineMs)) {
            first.offer(encodeError(
                id: header.id,
                ResponseError(code: .deadlineExceeded, message: "\(header.method) did not finish within deadline_ms \(deadlineMs)")))
            work.cancel()
        }
        await withTaskCancellationHandler {
            await answer(await first.value())
            timer.cancel()
            // The caller is told at the deadline; what the work holds is held until it stops.
            await work.value
        } onCancel: {
            work.cancel()
        }
    }

    private func routeInLane(
        _ request: DecodedRequest, lane: RequestLane, room: (any AnswerRoom)?, emitFrame: @escaping @Sendable (ByteBuffer) async throws -> Void
    ) async -> ByteBuffer {
        switch lane {
        case .control:
            return await route(request, emitFrame: emitFrame)
        case .normal:
            await room?.waitForRoom()
            // Past its deadline (or its client gone) while it waited: nothing is started.
            if Task.isCancelled { return cancelled(request) }
            return await route(request, emitFrame: emitFrame)
        case .heavy:
            do {
                while true {
                    await room?.waitForRoom()
                    try Task.checkCancellation()
                    let frame: ByteBuffer? = try await heavyReads.run {
                        guard room?.hasRoom ?? true else { return nil }
                        return await route(request, emitFrame: emitFrame)
                    }
                    if let frame { return frame }
                }
            } catch {
                return cancelled(request)
            }
        }
    }

    private func cancelled(_ request: DecodedRequest) -> ByteBuffer {
        encodeError(id: request.header.id, ResponseError(code: .cancelled, message: "\(request.header.method) was cancelled"))
    }

    private func route(_ request: DecodedRequest, emitFrame: @escaping @Sendable (ByteBuffer) async throws -> Void) async -> ByteBuffer {
        switch request.header.method {
        case HealthRequest.method: return await unary(request) { (_: HealthRequest) in await system.health() }
        case StatusRequest.method: return await unary(request) { (_: StatusRequest) in try await system.status() }
        case ListMethodsRequest.method: return await unary(request) { (_: ListMethodsRequest) in system.methods() }
        case SelfTestRequest.method: return await unary(request, system.selfTest)
        case ListJobsRequest.method: return await unary(request, jobs.list)
        case GetJobRequest.method: return await unary(request, jobs.get)
        case WatchJobsRequest.method: return await streaming(request, emitFrame: emitFrame, jobs.watch)
        case RetryJobRequest.method: return await unary(request, jobs.retry)
        case CancelJobRequest.method: return await unary(request, jobs.cancel)
        case ConnectRequest.method: return await unary(request, connections.connect)
        case ListConnectionsRequest.method: return await unary(request, connections.list)
        case GetConnectionRequest.method: return await unary(request, connections.get)
        case SetDefaultAdAccountRequest.method: return await unary(request, connections.setDefaultAdAccount)
        case DisconnectRequest.method: return await unary(request, connections.disconnect)
        case RefreshConnectionRequest.method: return await unary(request, connections.refresh)
        case ListAdAccountsRequest.method: return await unary(request, connections.listAdAccounts)
        case ListScheduleRequest.method: return await unary(request) { (_: ListScheduleRequest) in try await listSchedule() }
        case CreateAudienceRequest.method: return await unary(request, audiences.create)
        case GetAudienceRequest.method: return await unary(request, audiences.get)
        case ListAudiencesRequest.method: return await unary(request, audiences.list)
        case DeleteAudienceRequest.method: return await unary(request, audiences.delete)
        case AddMembersRequest.method: return await unary(request, audiences.add)
        case RemoveMembersRequest.method: return await unary(request, audiences.remove)
        case ActivateAudienceRequest.method: return await unary(request, audiences.activate)
        case DeactivateAudienceRequest.method: return await unary(request, audiences.deactivate)
        case ListActivationsRequest.method: return await unary(request, audiences.activations)
        case SyncAudienceRequest.method: return await unary(request, audiences.sync)
        case SyncAllAudiencesRequest.method: return await unary(request, audiences.syncAll)
        case CreateActalikeRequest.method: return await unary(request, audiences.createActalike)
        case CreateCampaignRequest.method: return await unary(request, campaigns.create)
        case CreateAdGroupRequest.method: return await unary(request, campaigns.createAdGroup)
        case CreateAdRequest.method: return await unary(request, campaigns.createAd)
        case LaunchCampaignRequest.method: return await unary(request, campaigns.launch)
        case ListCampaignsRequest.method: return await unary(request, campaigns.list)
        case GetCampaignRequest.method: return await unary(request, campaigns.get)
        case ListAdGroupsRequest.method: return await unary(request, campaigns.listAdGroups)
        case ListAdsRequest.method: return await unary(request, campaigns.listAds)
        case TrackCampaignRequest.method: return await unary(request, campaigns.track)
        case CampaignMetricsRequest.method: return await unary(request, campaigns.metrics)
        // Issue 17: running campaigns after their launch.
        case UpdateCampaignRequest.method: return await unary(request, campaigns.update)
        case UpdateAdGroupRequest.method: return await unary(request, campaigns.updateAdGroup)
        case UpdateAdRequest.method: return await unary(request, campaigns.updateAd)
        case ListConversionTagsRequest.method: return await unary(request, campaigns.conversionTags)
        case CreateConversionTagRequest.method: return await unary(request, campaigns.createConversionTag)
        case SendConversionsRequest.method: return await unary(request, conversions.send)
        case ConversionStatsRequest.method: return await unary(request, conversions.stats)
        case GetConversionRequest.method: return await unary(request, conversions.get)
        case ListConversionsRequest.method: return await unary(request, conversions.list)
        case SetConversionTokenRequest.method: return await unary(request, connections.setConversionToken)
        // Issue 16: connecting without help.
        case AuthorizeURLRequest.method: return await unary(request, connections.authorizeURL)
        case RunScheduledTaskRequest.method:
            return await unary(request) { (run: RunScheduledTaskRequest) in JobResult(job: Job(try await scheduler.runNow(run.task))) }
        default:
            return encodeError(id: request.header.id, .unimplemented(method: request.header.method))
        }
    }

    private func unary<R: PinAdsRequest>(
        _ request: DecodedRequest, _ body: (R) async throws -> R.Result
    ) async -> ByteBuffer {
        do {
            let params = try Self.params(R.self, of: request)
            let result = try await body(params)
            return try WireCoders.encoder.encodeFrame(ResponseFrame<R.Result, Empty>(id: request.header.id, result: result))
        } catch {
            return encodeError(id: request.header.id, responseError(for: error, method: R.method))
        }
    }

    private func streaming<R: PinAdsStreamingRequest>(
        _ request: DecodedRequest, emitFrame: @escaping @Sendable (ByteBuffer) async throws -> Void,
        _ body: (R, EventSink<R.Event>) async throws -> R.Result
    ) async -> ByteBuffer {
        let id = request.header.id
        let sink = EventSink<R.Event> { event in
            try await emitFrame(try WireCoders.encoder.encodeFrame(ResponseFrame<Empty, R.Event>(id: id, event: event)))
        }
        do {
            let params = try Self.params(R.self, of: request)
            let result = try await body(params, sink)
            return try WireCoders.encoder.encodeFrame(ResponseFrame<R.Result, Empty>(id: id, result: result))
        } catch {
            return encodeError(id: id, responseError(for: error, method: R.method))
        }
    }

    private func listSchedule() async throws -> ListScheduleResult {
        ListScheduleResult(
            tasks: try await scheduler.list().map {
                ScheduledTaskInfo(
                    name: $0.name, spec: $0.spec, jobKind: $0.jobKind, enabled: $0.enabled, state: $0.state.rawValue,
                    nextRunAt: $0.nextRunAt, lastRunAt: $0.lastRunAt, lastOutcome: $0.lastOutcome?.rawValue, lastJobId: $0.lastJobID,
                    lastJobState: $0.lastJobState.map(JobState.init), lastError: $0.lastError)
            })
    }

    /// The params the frame decoder read for this method (the frame is parsed once, by
    /// `DecodedRequest.decode`).
    private static func params<R: PinAdsRequest>(_ type: R.Type, of request: DecodedRequest) throws -> R {
        switch request.params {
        case .success(let params as R): return params
        case .failure(let error): throw error
        case .success, nil: throw ResponseError.internal("\(R.method) was routed without its params")
        }
    }

    private func responseError(for error: any Error, method: String) -> ResponseError {
        if let unavailable = system.store.unavailability(error) {
            // A full or read-only state directory, or a failing disk: nothing is wrong with the
            // request, and it works again once the cause is gone.
            logger.error(
                "the store cannot write",
                metadata: ["method": "\(method)", "problem": "\(unavailable.problem.rawValue)", "error": "\(unavailable.underlying)"])
            system.storeFailed(unavailable)
            return .unavailable(unavailable.description)
        }
        if let known = ResponseError(translating: error, method: method) { return known }
        // The detail goes to the log, not to the caller: it may name files or SQL.
        logger.error("method failed", metadata: ["method": "\(method)", "error": "\(error)"])
        return .internal("\(method) failed inside the daemon; its log has the details")
    }
}

/// The error frame for `id` (null when the request's id could not be read).
func encodeError(id: RequestID?, _ error: ResponseError) -> ByteBuffer {
    let frame = ResponseFrame<Empty, Empty>(id: id, error: error)
    if let bytes = try? WireCoders.encoder.encodeFrame(frame) { return bytes }
    // Encoding a fixed shape of strings cannot fail; keep a literal fallback all the same.
    return ByteBuffer(string: #"{"id":null,"error":{"code":"INTERNAL","message":"could not encode an error"}}"#)
}

/// One encoder and one decoder for every request: built once, never reconfigured (both are
/// Sendable), instead of twice per request on the hot path.
enum WireCoders {
    static let encoder = Wire.encoder()
    static let decoder = Wire.decoder()
}

extension JSONEncoder {
    /// One copy of the JSON, into the buffer the channel writes.
    func encodeFrame(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(data: try encode(value))
    }
}

/// The first of several answers to one request (its work's, or the deadline's); later ones
/// are dropped. Whoever waits gets it whether it came before or after they began waiting.
final class FirstAnswer: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<ByteBuffer, Never>)
        case answered(ByteBuffer)
        case taken
    }

    private let state = NIOLockedValueBox(State.empty)

    func offer(_ frame: ByteBuffer) {
        let waiter: CheckedContinuation<ByteBuffer, Never>? = state.withLockedValue { state in
            switch state {
            case .empty:
                state = .answered(frame)
                return nil
            case .waiting(let continuation):
                state = .taken
                return continuation
            case .answered, .taken:
                return nil
            }
        }
        waiter?.resume(returning: frame)
    }

    func value() async -> ByteBuffer {
        await withCheckedContinuation { continuation in
            let ready: ByteBuffer? = state.withLockedValue { state in
                switch state {
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .answered(let frame):
                    state = .taken
                    return frame
                case .waiting, .taken:
                    // One waiter per request: the dispatcher's.
                    return encodeError(id: nil, .internal("a request was answered twice"))
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
