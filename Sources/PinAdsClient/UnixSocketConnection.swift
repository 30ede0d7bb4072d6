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

    public var description: String {
        switch self {
        case .noDaemon(let path):
            return "no pinads daemon is running at \(path); start it with `pinadsd` (or `systemctl --user start pinadsd`), or point --socket / PINADS_SOCKET at its socket"
        case .accessDenied(let path):
            return "permission denied opening \(path): the daemon serves only the user it runs as"
        case .foreignDaemon(let path, let uid):
            return "the socket \(path) is served by another user (uid \(uid)), not by this user's pinadsd; refusing to talk to it"
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
        }
    }
}

/// A blocking connection to the daemon's Unix socket, speaking whole frames. Not thread-safe:
/// one owner at a time.
public final class UnixSocketConnection {
    public let path: String
    private let fd: Int32
    private var decoder: FrameDecoder
    private var closed = false

    public init(path: String, maximumFrameLength: Int = Frame.defaultMaximumLength) throws(ClientError) {
        self.path = path
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
            default: throw .connectFailed(path: path, errno: code)
            }
        }
        #if os(Linux)
        // Whoever serves the socket must be us: a socket in a shared folder could be anyone's.
        struct PeerCredentials { var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0 }  // struct ucred
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        if getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, credentials.uid != getuid() {
            close(fd)
            throw .foreignDaemon(path: path, uid: credentials.uid)
        }
        #endif
        self.fd = fd
    }

    deinit { closeNow() }

    public func closeNow() {
        if !closed {
            closed = true
            close(fd)
        }
    }

    /// Writes bytes as they are: a whole frame, or a deliberately broken one in tests.
    public func writeRaw(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "send", errno: errno)
            }
            offset += n
        }
    }

    public func writeFrame(_ payload: [UInt8]) throws(ClientError) {
        try writeRaw(Frame.encode(payload))
    }

    /// The next frame's payload; nil when the daemon closed the connection between frames.
    public func readFrame() throws(ClientError) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                throw .frame(error)
            }
            let n = chunk.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
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

    /// Makes `readFrame` fail with `.io` instead of waiting longer than this for bytes.
    public func setReceiveTimeout(seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}
