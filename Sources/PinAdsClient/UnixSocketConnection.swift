#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PinAdsProtocol

/// Why a client could not talk to the daemon.
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing listens at the path (no file, or a stale socket file).
    case noDaemon(path: String)
    /// The socket exists but this user may not open it.
    case accessDenied(path: String)
    case pathTooLong(path: String)
    /// The socket is served by a process of another user: not our daemon.
    case foreignDaemon(path: String, uid: UInt32)
    case connectFailed(path: String, errno: Int32)
    case io(operation: String, errno: Int32)
    /// The daemon closed the connection before answering.
    case closedByDaemon
    case frame(FrameError)
    /// A frame from the daemon was not the JSON the protocol promises.
    case malformedResponse(String)
    /// The daemon did not answer (or, on a stream, fell silent) within the client's timeout.
    case timedOut(path: String, timeout: Duration)

    public var description: String {
        switch self {
        case .noDaemon(let path):
            return "no pinads daemon is running at \(path); start it with `pinadsd` (or `systemctl --user start pinadsd`), or point --socket / PINADS_SOCKET at its socket"
        case .accessDenied(let path):
            return "permission denied opening \(path): the daemon serves only the user it runs as"
        case .foreignDaemon(let path, let uid):
            return "the socket \(path) is served by another user (uid \(uid)), not by this user's pinadsd; refusing to talk to it "
                + "(if that user's pinadsd serves you, through --allow-group or --allow-uid, say so: --daemon-user \(uid), or PINADS_DAEMON_USER=\(uid))"
        case .pathTooLong(let path):
            return "socket path is too long for a Unix socket (max 107 bytes): \(path)"
        case .connectFailed(let path, let code):
            return "cannot connect to \(path): \(String(cString: strerror(code)))"
        case .io(let operation, let code):
            return "\(operation) failed: \(String(cString: strerror(code)))"
        case .closedByDaemon:
            return "the daemon closed the connection before answering"
        case .frame(let error):
            return "bad frame from the daemon: \(error)"
        case .malformedResponse(let why):
            return "malformed response from the daemon: \(why)"
        case .timedOut(let path, let timeout):
            return "no answer from the daemon at \(path) within \(Self.seconds(timeout)) (--timeout); it may be stuck or overloaded: "
                + "`pinads status` or its log (journalctl --user -u pinadsd) tells more, or give a longer --timeout"
        }
    }

    /// "30 s", "1.5 s".
    public static func seconds(_ duration: Duration) -> String {
        let millis = duration.milliseconds
        return millis % 1000 == 0 ? "\(millis / 1000) s" : "\(Double(millis) / 1000) s"
    }
}

extension Duration {
    /// Whole milliseconds, rounded up (a deadline is never shortened).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}

/// A blocking connection to the daemon's Unix socket, speaking whole frames. Not thread-safe:
/// one owner at a time.
///
/// Nothing waits forever: with a `timeout`, connecting, each write and each read that makes no
/// progress for that long fail with `ClientError.timedOut`; calls may pass an earlier deadline.
public final class UnixSocketConnection {
    public let path: String
    /// How long the daemon may be silent (or not read what is sent) before an operation fails;
    /// nil waits as long as it takes.
    public var timeout: Duration?
    private let fd: Int32
    private var decoder: FrameDecoder
    private var closed = false

    /// - Parameter daemonUID: the user whose pinadsd must serve the socket (this user's by
    ///   default): a socket served by anyone else is refused, since a socket in a shared folder
    ///   could be an impostor's.
    public init(
        path: String, timeout: Duration? = nil, maximumFrameLength: Int = Frame.defaultMaximumLength, daemonUID: UInt32? = nil
    ) throws(ClientError) {
        self.path = path
        self.timeout = timeout
        self.decoder = FrameDecoder(maximumLength: maximumFrameLength)
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .io(operation: "socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else {
            close(fd)
            throw .pathTooLong(path: path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        // A daemon whose backlog is full would keep connect() waiting: Linux bounds a Unix
        // socket's connect by the send timeout.
        if let timeout { Self.setTimeout(fd, SO_SNDTIMEO, timeout) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            close(fd)
            switch code {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .noDaemon(path: path)
            case EACCES, EPERM: throw .accessDenied(path: path)
            case EAGAIN, EINPROGRESS, ETIMEDOUT: throw .timedOut(path: path, timeout: timeout ?? .zero)
            default: throw .connectFailed(path: path, errno: code)
            }
        }
        #if os(Linux)
        // Whoever serves the socket must be us: a socket in a shared folder could be anyone's.
        struct PeerCredentials { var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0 }  // struct ucred
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        if getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, credentials.uid != (daemonUID ?? getuid()) {
            close(fd)
            throw .foreignDaemon(path: path, uid: credentials.uid)
        }
        #endif
        if timeout != nil { Self.setTimeout(fd, SO_SNDTIMEO, nil) }
        self.fd = fd
    }

    private static func setTimeout(_ fd: Int32, _ option: Int32, _ duration: Duration?) {
        let millis = duration?.milliseconds ?? 0
        var value = timeval(tv_sec: Int(millis / 1000), tv_usec: Int(millis % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The instant `timeout` from now, or nil when there is no timeout.
    public var idleDeadline: ContinuousClock.Instant? { timeout.map { .now + $0 } }

    /// Waits until the socket can be read (or written) or `deadline` passes; false when it passed.
    private func ready(for events: Int16, until deadline: ContinuousClock.Instant?) throws(ClientError) -> Bool {
        guard let deadline else { return true }
        while true {
            let left = deadline - .now
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&entry, 1, left <= .zero ? 0 : Int32(min(left.milliseconds, 86_400_000)))
            if n > 0 { return true }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw .io(operation: "poll", errno: errno)
        }
    }

    deinit { closeNow() }

    public func closeNow() {
        if !closed {
            closed = true
            close(fd)
        }
    }

    /// Writes bytes as they are: a whole frame, or a deliberately broken one in tests. Fails
    /// with `.timedOut` when the daemon takes none of them for `timeout` (or by `deadline`).
    public func writeRaw(_ bytes: [UInt8], deadline: ContinuousClock.Instant? = nil) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let stall = [deadline, idleDeadline].compactMap { $0 }.min()
            guard try ready(for: Int16(POLLOUT), until: stall) else { throw .timedOut(path: path, timeout: timeout ?? .zero) }
            // With a deadline, poll waits and the send must not; without one, the send waits.
            let flags = Int32(MSG_NOSIGNAL) | (stall == nil ? 0 : Int32(MSG_DONTWAIT))
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, flags)
            }
            if n < 0 {
                if errno == EINTR || (stall != nil && (errno == EAGAIN || errno == EWOULDBLOCK)) { continue }
                throw .io(operation: "send", errno: errno)
            }
            offset += n
        }
    }

    public func writeFrame(_ payload: [UInt8], deadline: ContinuousClock.Instant? = nil) throws(ClientError) {
        try writeRaw(Frame.encode(payload), deadline: deadline)
    }

    /// The next frame's payload; nil when the daemon closed the connection between frames.
    /// Fails with `.timedOut` when no byte comes for `timeout`, or when `deadline` passes first.
    public func readFrame(deadline: ContinuousClock.Instant? = nil) throws(ClientError) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                throw .frame(error)
            }
            let stall = [deadline, idleDeadline].compactMap { $0 }.min()
            guard try ready(for: Int16(POLLIN), until: stall) else { throw .timedOut(path: path, timeout: timeout ?? .zero) }
            let flags = stall == nil ? 0 : Int32(MSG_DONTWAIT)
            let n = chunk.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, flags) }
            if n < 0 {
                if errno == EINTR || (stall != nil && (errno == EAGAIN || errno == EWOULDBLOCK)) { continue }
                if errno == ECONNRESET { return nil }
                throw .io(operation: "recv", errno: errno)
            }
            if n == 0 {
                do { try decoder.finish() } catch { throw .frame(error) }
                return nil
            }
            decoder.append(chunk[0..<n])
        }
    }

    /// Makes `readFrame` and `writeRaw` fail with `.timedOut` after this long without progress.
    public func setReceiveTimeout(seconds: Double) {
        timeout = .milliseconds(Int64(seconds * 1000))
    }
}
