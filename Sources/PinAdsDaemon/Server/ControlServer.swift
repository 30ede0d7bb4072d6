#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOFoundationCompat
import NIOPosix
import PinAdsProtocol
import ServiceLifecycle

/// The socket's group (from `--allow-group`) could not be given to it.
struct SocketGroupError: Error, CustomStringConvertible {
    var path: String
    var gid: UInt32
    var errno: Int32
    var description: String {
        "cannot give the socket \(path) to group \(gid) (--allow-group): \(String(cString: strerror(errno))); "
            + "the daemon's user must be a member of that group"
    }
}

/// Where the control server listens.
public enum ListenTarget: Sendable {
    /// Bind a new socket at this path.
    case path(String)
    /// A listening socket handed over by systemd (socket activation), reported at this path.
    case inherited(fd: Int32, path: String)

    var path: String {
        switch self {
        case .path(let path), .inherited(_, let path): return path
        }
    }
}

/// The Unix-socket server: accepts local clients of the same uid, reads frames, runs requests
/// concurrently and writes each answer as it is ready. Inbound frames are split by our own
/// `FrameReaderHandler` (it rejects zero and oversize lengths, and frames that do not complete
/// in time); outbound payloads get their length from NIOExtras' `LengthFieldPrepender`.
///
/// What clients make the daemon hold is bounded by the ``BufferBudget``: every byte read is
/// charged until its request is answered, every answer until it is written; past the budget,
/// the connections that hold the most are not read from, and a connection whose answers pile
/// up unread starts no more work.
final class ControlServer: Service {
    struct Limits: Sendable {
        var maximumFrameLength: Int
        var maximumRequestsPerConnection: Int
        /// How long one frame may take to arrive, from its header to its last byte.
        var frameTimeout: Duration = .seconds(30)
    }

    private let target: ListenTarget
    private let limits: Limits
    private let dispatcher: MethodDispatcher
    private let connections: ClientConnections
    private let services: ServiceStates
    private let queue: JobQueue
    private let budget: BufferBudget
    private let memory = MemoryReleaser()
    private let logger: Logger
    private let onListening: @Sendable () -> Void
    private let access: AccessPolicy
    /// Where the server is in its life. Changed under the lock only, and read again after every
    /// await in `run()`: a shutdown may have come meanwhile.
    private let state = NIOLockedValueBox(State.idle)

    private enum State: Sendable {
        case idle
        /// Bound; `boundInode` is the socket file it created (nil when systemd passed the socket).
        case listening(boundInode: ino_t?)
        /// A graceful shutdown: no new connections; those open answer what they have, then close.
        case draining(boundInode: ino_t?)
        case stopped

        var boundInode: ino_t? {
            switch self {
            case .listening(let inode), .draining(let inode): return inode
            case .idle, .stopped: return nil
            }
        }
    }

    /// `run()` was called on a server that already ran.
    struct AlreadyRan: Error, CustomStringConvertible {
        var description: String { "the control server runs once" }
    }

    init(
        target: ListenTarget, limits: Limits, dispatcher: MethodDispatcher, connections: ClientConnections,
        services: ServiceStates, queue: JobQueue, logger: Logger, access: AccessPolicy = AccessPolicy(),
        onListening: @escaping @Sendable () -> Void
    ) {
        self.access = access
        self.budget = connections.budget
        self.target = target
        self.limits = limits
        self.dispatcher = dispatcher
        self.connections = connections
        self.services = services
        self.queue = queue
        self.logger = logger
        self.onListening = onListening
    }

    typealias Accepted = (channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: PeerCredentials?, groups: [UInt32], account: BudgetAccount)

    func run() async throws {
        let starting = state.withLockedValue { state -> Bool in
            guard case .idle = state else { return false }
            state = .listening(boundInode: nil)
            return true
        }
        guard starting else { throw AlreadyRan() }
        services.set("control_server", state: .starting)
        let (server, inode) = try await bind()
        // A shutdown may have begun while binding: it finds the server draining at once below.
        state.withLockedValue { state in
            if case .listening = state { state = .listening(boundInode: inode) }
        }
        services.set("control_server", state: .running, detail: "listening on \(target.path)")
        logger.info("listening", metadata: ["socket": "\(target.path)"])
        if !access.uids.isEmpty || !access.groups.isEmpty {
            logger.notice(
                "other users may connect",
                metadata: [
                    "uids": "\(access.uids.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.rawValue)" }.joined(separator: ","))",
                    "groups": "\(access.groups.map { "\($0.gid):\($0.role.rawValue)" }.joined(separator: ","))",
                ])
            if let group = access.socketGroup, let folder = AccessPolicy.unreachableFolder(above: target.path, gid: group) {
                logger.warning(
                    "members of the allowed group cannot reach the socket: a folder above it is closed to them; serve a socket elsewhere (e.g. --socket /run/pinads/pinadsd.sock) or open that folder",
                    metadata: ["folder": "\(folder)", "gid": "\(group)"])
            }
        }
        onListening()

        try await withGracefulShutdownHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        group.addTask { await self.serve(accepted) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.beginDraining(server.channel)
        }
        let bound = state.withLockedValue { state -> ino_t? in
            defer { state = .stopped }
            return state.boundInode
        }
        // Remove our socket file, not one a newer daemon may have bound at the same path since.
        var info = stat()
        if case .path(let path) = target, let bound, stat(path, &info) == 0, info.st_ino == bound { unlink(path) }
        services.set("control_server", state: .stopped)
    }

    /// Stops taking connections and lets those open finish what they have.
    private func beginDraining(_ listener: any Channel) {
        let draining = state.withLockedValue { state -> Bool in
            guard case .listening(let inode) = state else { return false }
            state = .draining(boundInode: inode)
            return true
        }
        guard draining else { return }
        services.set("control_server", state: .stopping, detail: "draining connections")
        listener.close(promise: nil)
        connections.drainAll()
        let queue = self.queue
        Task { await queue.closeWatchers() }
    }

    /// Binds the listening socket: at the path (0600 from the start), or the one systemd passed.
    /// Returns the socket file's inode when it made one.
    private func bind() async throws -> (NIOAsyncChannel<Accepted, Never>, ino_t?) {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
        let initializer = childInitializer()
        switch target {
        case .path(let path):
            // bind() creates the socket file with 0777 less the umask: make that 0600 at once, so
            // it is never reachable by others, not even between bind and chmod.
            let previousMask = umask(0o177)
            defer { umask(previousMask) }
            let server = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
            if let group = access.socketGroup {
                // Allowed groups reach it through its group (0660); the peer check still decides.
                guard chown(path, uid_t.max, group) == 0 else {
                    let code = errno
                    try? await server.channel.close()
                    throw SocketGroupError(path: path, gid: group, errno: code)
                }
                chmod(path, 0o660)
            } else {
                chmod(path, 0o600)
            }
            var info = stat()
            return (server, stat(path, &info) == 0 ? info.st_ino : nil)
        case .inherited(let fd, _):
            return (try await bootstrap.bind(fd, childChannelInitializer: initializer), nil)
        }
    }

    /// Each accepted connection: its peer's credentials, its budget account, and the frame
    /// handlers.
    private func childInitializer() -> @Sendable (any Channel) -> EventLoopFuture<Accepted> {
        let maximumFrameLength = limits.maximumFrameLength
        let frameTimeout = TimeAmount(limits.frameTimeout)
        let budget = self.budget
        let readGroups = !access.groups.isEmpty
        return { channel in
            channel.peerCredentials()
                .map { Optional($0) }
                .recover { _ in nil }
                .flatMapThrowing { peer in
                    let account = BudgetAccount(budget: budget)
                    do {
                        try channel.pipeline.syncOperations.addHandlers(
                            FrameReaderHandler(maximumLength: maximumFrameLength, frameTimeout: frameTimeout, account: account),
                            LengthFieldPrepender(lengthFieldBitLength: .fourBytes, lengthFieldEndianness: .big))
                        let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        // Read at accept, while the peer surely waits for an answer: its groups
                        // are the process's own (as setpriv or a service manager set them).
                        let groups = readGroups ? peer.map { AccessPolicy.groups(ofProcess: $0.pid, uid: $0.uid) } ?? [] : []
                        return (asyncChannel, peer, groups, account)
                    } catch {
                        account.close()
                        throw error
                    }
                }
        }
    }

    /// One client connection, start to end. Never throws: each connection's trouble is its own.
    private func serve(_ accepted: Accepted) async {
        let channel = accepted.channel
        let account = accepted.account
        defer {
            // What the connection held is given back; after large holdings, so is the memory.
            account.close()
            memory.connectionClosed(budget: budget)
        }
        guard let credentials = accepted.peer,
            let grant = access.grant(uid: credentials.uid, gid: credentials.gid, groups: accepted.groups)
        else {
            await refuse(channel, peer: accepted.peer)
            return
        }
        let connection = ClientConnection(channel: channel.channel, peer: Peer(uid: credentials.uid, gid: credentials.gid, grant: grant))
        connections.add(connection)
        defer { connections.remove(connection) }
        do {
            try await channel.executeThenClose { inbound, outbound in
                await self.serveRequests(on: connection, account: account, inbound: inbound, outbound: outbound)
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    /// Tells a client of another user why it is refused, then closes.
    private func refuse(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: PeerCredentials?) async {
        connections.countRefused()
        logger.warning("refused a client of another user", metadata: ["peer_uid": "\(peer.map { String($0.uid) } ?? "unknown")"])
        let allowed = access.uids.isEmpty && access.groups.isEmpty
        let error = ResponseError(
            code: .permissionDenied,
            message: allowed
                ? "pinadsd serves only its own user (uid \(access.ownUID)); connect as that user, or start it with --allow-uid or --allow-group"
                : "pinadsd serves its own user (uid \(access.ownUID)) and the users and groups its --allow-uid and --allow-group name; uid \(peer.map { String($0.uid) } ?? "?") is none of them")
        let refusal = encodeError(id: nil, error)
        do {
            try await channel.executeThenClose { (inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) in
                try await outbound.write(refusal)
                // Close our side only, and read what the client still sends until it hangs
                // up (bounded): closing with its request unread would reset the connection
                // and could destroy the refusal before the client reads it.
                let raw = channel.channel
                let deadline = raw.eventLoop.scheduleTask(in: .seconds(2)) { raw.close(promise: nil) }
                try? await raw.close(mode: .output).get()
                do { for try await _ in inbound {} } catch {}
                deadline.cancel()
            }
        } catch {
            logger.debug("could not tell a refused client why", metadata: ["error": "\(error)"])
        }
    }

    /// Reads frames and hands each admitted request to the connection's workers: a few
    /// long-lived child tasks, started as concurrency needs them and reused, so that what a
    /// connection holds is bounded by the requests in flight on it (at most
    /// `maximumRequestsPerConnection`), however many it carries.
    private func serveRequests(
        on connection: ClientConnection, account: BudgetAccount, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async {
        let maximumFrameLength = limits.maximumFrameLength
        let maximumWorkers = limits.maximumRequestsPerConnection
        // Writes wait while the peer does not read (the channel is not writable). An answer is
        // charged to the budget while it waits here, and from the channel on until the socket
        // has taken it (FrameReaderHandler).
        let write: @Sendable (ByteBuffer) async throws -> Void = { frame in
            let bytes = frame.readableBytes
            account.chargeOutput(bytes)
            defer { account.releaseOutput(bytes) }
            try await outbound.write(frame)
        }
        let queue = RequestQueue()
        await withDiscardingTaskGroup { group in
            do {
                for try await frame in inbound {
                    let frameBytes = Frame.headerLength + frame.readableBytes
                    guard let request = try await admit(frame, on: connection, write: write) else {
                        account.releaseInput(frameBytes)
                        continue
                    }
                    let admitted = AdmittedRequest(request: request, lane: RequestLane.of(request), frameBytes: frameBytes, peer: connection.peer)
                    if queue.push(admitted, maximumWorkers: maximumWorkers) {
                        group.addTask {
                            while let admitted = await queue.next() {
                                await self.answer(admitted, room: account, write: write, maximumFrameLength: maximumFrameLength)
                                account.releaseInput(admitted.frameBytes)
                                connection.finishRequest()
                            }
                        }
                    }
                }
            } catch let error as FrameError {
                try? await write(encodeError(id: nil, error.responseError))
                self.logger.notice("closed a connection on a bad frame", metadata: ["reason": "\(error)"])
            } catch {
                // The peer reset the connection: nothing to answer.
            }
            if connection.isDraining {
                // The requests in flight are answered: the group waits for its workers when this
                // closure returns, and they stop once the queue is empty.
                queue.finish()
                return
            }
            // The client went away: what it asked for is no longer wanted.
            queue.discardPending()
            group.cancelAll()
        }
        if connection.isDraining { await drain(connection) }
    }

    /// The daemon is stopping and the connection's requests are answered. A full close would
    /// drop answers still in the socket buffer: close the output first, which completes once
    /// they are written, bounded in time.
    private func drain(_ connection: ClientConnection) async {
        let channel = connection.channel
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
        try? await channel.close(mode: .output).get()
        deadline.cancel()
    }

    /// Runs one request and writes its answer. A frame the client would refuse (over the
    /// largest frame) is replaced by an error it can read.
    private func answer(
        _ admitted: AdmittedRequest, room: BudgetAccount, write: @escaping @Sendable (ByteBuffer) async throws -> Void,
        maximumFrameLength: Int
    ) async {
        let id = admitted.request.header.id
        let bounded: @Sendable (ByteBuffer) async throws -> Void = { bytes in
            guard bytes.readableBytes <= maximumFrameLength else {
                try await write(encodeError(id: id, .answerTooLarge(bytes.readableBytes, maximum: maximumFrameLength)))
                return
            }
            try await write(bytes)
        }
        // A client whose answers pile up unread gets no new work done until it reads;
        // monitoring's requests (the control lane) do not wait.
        await dispatcher.handle(admitted.request, lane: admitted.lane, room: room, peer: admitted.peer, emitFrame: bounded) { answer in
            try? await bounded(answer)
        }
    }

    /// Parses one frame (once: the routing fields and the method's params in one pass) and
    /// counts it in. Returns nil when the frame was answered here: an unreadable envelope, a
    /// draining daemon, or a connection at its limit.
    private func admit(
        _ frame: ByteBuffer, on connection: ClientConnection, write: @Sendable (ByteBuffer) async throws -> Void
    ) async throws -> DecodedRequest? {
        let request: DecodedRequest
        do throws(RequestHeaderError) {
            // A view of the frame's bytes, not a copy; it lives only as long as the parse.
            let bytes = frame.getData(at: frame.readerIndex, length: frame.readableBytes, byteTransferStrategy: .noCopy) ?? Data()
            request = try DecodedRequest.decode(bytes, decoder: WireCoders.decoder)
        } catch {
            try await write(encodeError(id: error.id, error.error))
            return nil
        }
        // The method's role against the peer's, before anything of it runs.
        if let needed = MethodRegistry.roles[request.header.method], !connection.peer.grant.role.may(needed) {
            connections.countDenied()
            logger.warning(
                "refused a method the peer's role does not allow",
                metadata: ["peer_uid": "\(connection.peer.uid)", "method": "\(request.header.method)", "role": "\(connection.peer.grant.role.rawValue)"])
            try await write(encodeError(
                id: request.header.id,
                ResponseError(
                    code: .permissionDenied,
                    message: "\(request.header.method) needs role \(needed.rawValue); this connection (uid \(connection.peer.uid)) has role \(connection.peer.grant.role.rawValue)",
                    details: ["method": .string(request.header.method), "needed_role": .string(needed.rawValue), "role": .string(connection.peer.grant.role.rawValue)])))
            return nil
        }
        let limit = limits.maximumRequestsPerConnection
        switch connection.admit(limit: limit) {
        case .admitted:
            return request
        case .draining:
            try await write(encodeError(id: request.header.id, .unavailable("the daemon is shutting down; retry once it has restarted")))
            return nil
        case .tooMany:
            try await write(encodeError(
                id: request.header.id,
                ResponseError(
                    code: .resourceExhausted,
                    message: "more than \(limit) requests in flight on this connection; wait for answers or open another connection",
                    details: ["limit": .int(Int64(limit))])))
            return nil
        }
    }
}
