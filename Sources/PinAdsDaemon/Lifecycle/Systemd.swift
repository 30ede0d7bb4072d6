#if canImport(Glibc)
import Glibc
#endif

/// The two systemd integrations: readiness notification (Type=notify) and socket activation.
public enum Systemd {
    /// Sends a state line (`READY=1`, `STOPPING=1`, `STATUS=...`) to `$NOTIFY_SOCKET`, if systemd
    /// gave one. Returns false when there is no such socket or sending failed.
    @discardableResult
    public static func notify(_ state: String, environment: [String: String]) -> Bool {
        guard var path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return false }
        // A leading '@' names a socket in the abstract namespace.
        let abstract = path.hasPrefix("@")
        if abstract { path.removeFirst() }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let offset = abstract ? 1 : 0
        guard bytes.count + offset < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            for (i, byte) in bytes.enumerated() { raw[i + offset] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + offset + bytes.count + (abstract ? 0 : 1))
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { raw in
                    sendto(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length)
                }
            }
        }
        return sent == message.count
    }

    /// The listening socket systemd passed (`LISTEN_PID` = this process, `LISTEN_FDS` ≥ 1): the
    /// first one, fd 3, with the path it is bound to. Descriptors after the first are closed:
    /// pinadsd serves one socket. When fd 3 is not a listening Unix stream socket, every passed
    /// descriptor is closed and this throws, naming the fix. The variables are removed so
    /// children do not inherit them. Nil when nothing was passed to this process.
    public static func takeListeningSocket(environment: [String: String]) throws(SocketActivationError) -> PassedSocket? {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let count = passedDescriptorCount(environment: environment) else { return nil }
        let fd: Int32 = 3
        for extra in (fd + 1)..<(fd + Int32(min(count, 1024))) { close(extra) }
        guard let path = listeningUnixSocketPath(fd) else {
            close(fd)
            throw SocketActivationError(
                message: "systemd passed descriptor 3, which is not a listening Unix stream socket (closed it); "
                    + "pinadsd serves one: give its .socket unit a single ListenStream=%t/pinads/pinadsd.sock")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return PassedSocket(fd: fd, path: path, extraDescriptorsClosed: count - 1)
    }

    /// The path of the socket systemd passed, without taking it: what the daemon will serve.
    public static func passedSocketPath(environment: [String: String]) -> String? {
        guard passedDescriptorCount(environment: environment) != nil else { return nil }
        return listeningUnixSocketPath(3)
    }

    /// Closes every descriptor systemd passed (a process that will not serve them must not
    /// keep clients waiting on a socket nobody accepts on).
    public static func closePassedDescriptors(environment: [String: String]) {
        guard let count = passedDescriptorCount(environment: environment) else { return }
        for fd in Int32(3)..<(3 + Int32(min(count, 1024))) { close(fd) }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
    }

    private static func passedDescriptorCount(environment: [String: String]) -> Int? {
        guard let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == getpid(),
            let countText = environment["LISTEN_FDS"], let count = Int(countText), count >= 1
        else { return nil }
        return count
    }

    /// The bound path of `fd` when it is a listening Unix stream socket ("@name" for an
    /// abstract one, "" for an unnamed one); nil otherwise.
    static func listeningUnixSocketPath(_ fd: Int32) -> String? {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting != 0 else { return nil }
        var type: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else { return nil }
        var address = sockaddr_un()
        var addressLength = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
        }
        guard named == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let pathLength = Int(addressLength) - MemoryLayout<sa_family_t>.size
        guard pathLength > 0 else { return "" }
        return withUnsafeBytes(of: address.sun_path) { raw in
            let bytes = Array(raw.prefix(min(pathLength, raw.count)))
            if bytes.first == 0 { return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self) }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// A listening socket handed over by systemd.
public struct PassedSocket: Sendable {
    public var fd: Int32
    /// The path it is bound to: what `system.status` reports.
    public var path: String
    public var extraDescriptorsClosed: Int
}

/// systemd passed something pinadsd cannot serve.
public struct SocketActivationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
