#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-shot HTTP listener on 127.0.0.1 for OAuth's redirect: the browser that approved the app
/// comes back to `redirectURI` with the code. Blocking POSIX sockets, no NIO: it takes one
/// request at a time, answers requests for other paths (a browser's `/favicon.ico`) with 404,
/// and hands the first request for its path to the caller, who answers it once it knows the
/// outcome. It can watch standard input at the same time, for a redirect pasted by hand when no
/// browser on this machine can reach it.
public final class LoopbackRedirectListener {
    public let port: UInt16
    public let path: String
    private let fd: Int32
    private var pasted: [UInt8] = []

    /// `http://127.0.0.1:PORT/callback`: what to register with the app and send as `redirect_uri`.
    public var redirectURI: String { "http://127.0.0.1:\(port)\(path)" }

    /// Listens on 127.0.0.1:`port` (0: a free port the system picks).
    public init(port: UInt16 = 0, path: String = "/callback") throws(LoopbackError) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .socket(errno: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let code = errno
            close(fd)
            throw .bind(port: port, errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        self.port = UInt16(bigEndian: actual.sin_port)
        self.path = path
    }

    deinit { close(fd) }

    /// What came first.
    public enum Arrival {
        /// A browser asked for the redirect path: its request target (`/callback?code=…`).
        case browser(BrowserRequest)
        /// A line typed or pasted on standard input.
        case pasted(String)
        /// Standard input ended without a line: stop watching it.
        case inputClosed
        case timedOut
    }

    /// Waits until a browser asks for the redirect path, a line arrives on standard input (when
    /// `watchInput`), or `seconds` pass.
    public func next(within seconds: Double, watchInput: Bool) throws(LoopbackError) -> Arrival {
        let deadline = Self.monotonicMilliseconds() + Int64(seconds * 1000)
        while true {
            let remaining = deadline - Self.monotonicMilliseconds()
            guard remaining > 0 else { return .timedOut }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            if watchInput { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1000)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "poll", errno: errno)
            }
            // A closed or broken standard input (POLLNVAL, POLLERR) is input that ended.
            if watchInput, fds[1].revents & Int16(POLLNVAL | POLLERR) != 0 { return .inputClosed }
            if watchInput, fds[1].revents != 0, let line = try readInput() { return line }
            if fds[0].revents & Int16(POLLIN) != 0, let request = acceptRequest() { return .browser(request) }
        }
    }

    /// One read of standard input: a whole line, the end of input, or nothing yet.
    private func readInput() throws(LoopbackError) -> Arrival? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(STDIN_FILENO, &buffer, buffer.count)
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return nil }
            throw .io(operation: "read standard input", errno: errno)
        }
        if count == 0 {
            let rest = String(decoding: pasted, as: UTF8.self)
            pasted = []
            return rest.allSatisfy(\.isWhitespace) ? .inputClosed : .pasted(rest)
        }
        pasted += buffer[0..<count]
        while let newline = pasted.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pasted[..<newline], as: UTF8.self)
            pasted.removeSubrange(...newline)
            if !line.allSatisfy(\.isWhitespace) { return .pasted(line) }
        }
        if pasted.count > 64 * 1024 { pasted = [] }
        return nil
    }

    /// Accepts one connection and reads its request head (at most 16 KiB, 5 s). The redirect
    /// path is handed over; anything else is answered here and nil returned.
    private func acceptRequest() -> BrowserRequest? {
        let client = accept(fd, nil, nil)
        guard client >= 0 else { return nil }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = BrowserRequest(fd: client)
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        // 5 s for the whole head, not per read: a client trickling bytes cannot hold the flow.
        let headDeadline = Self.monotonicMilliseconds() + 5000
        while head.count < 16 * 1024, !Self.endsHead(head), Self.monotonicMilliseconds() < headDeadline {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { break }
            head += buffer[0..<count]
        }
        let line = head.split(separator: UInt8(ascii: "\r"), maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let words = line.split(separator: " ")
        guard words.count == 3, words[0] == "GET", words[2].hasPrefix("HTTP/1.") else {
            request.respond(status: 400, reason: "Bad Request", html: BrowserRequest.page("Not a request pinads understands."))
            return nil
        }
        let target = String(words[1])
        guard target == path || target.hasPrefix(path + "?") else {
            request.respond(status: 404, reason: "Not Found", html: BrowserRequest.page("Nothing here."))
            return nil
        }
        request.target = target
        return request
    }

    private static func endsHead(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[(bytes.count - 4)...].elementsEqual([13, 10, 13, 10])
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

/// A browser's request for the redirect path, held open until it is answered (once).
public final class BrowserRequest {
    /// The request target: `/callback?code=…&state=…`.
    public fileprivate(set) var target = ""
    private var fd: Int32

    fileprivate init(fd: Int32) { self.fd = fd }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends a small HTML page and closes the connection. Later calls do nothing.
    public func respond(status: Int, reason: String, html: String) {
        guard fd >= 0 else { return }
        let body = Array(html.utf8)
        let head =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.count)\r\n"
            + "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8) + body
        while !bytes.isEmpty {
            let written = write(fd, bytes, bytes.count)
            guard written > 0 else { break }
            bytes.removeFirst(written)
        }
        close(fd)
        fd = -1
    }

    /// A page with one paragraph (`message` is escaped).
    public static func page(_ message: String) -> String {
        let escaped = message.replacingAll(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"])
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>pinads</title></head>"
            + "<body style=\"font-family: sans-serif; margin: 3em\"><p>\(escaped)</p></body></html>\n"
    }
}

/// Why the loopback listener cannot listen or wait.
public enum LoopbackError: Error, Sendable, Equatable, CustomStringConvertible {
    case socket(errno: Int32)
    case bind(port: UInt16, errno: Int32)
    case io(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .socket(let code): return "cannot open a socket for the redirect: \(String(cString: strerror(code)))"
        case .bind(let port, let code):
            return "cannot listen on 127.0.0.1:\(port) for the redirect: \(String(cString: strerror(code)))"
                + (port == 0 ? "" : "; choose another --port, or leave it out for a free one")
        case .io(let operation, let code): return "\(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}

extension String {
    /// Each character that is a key replaced by its value.
    func replacingAll(_ replacements: [Character: String]) -> String {
        var result = ""
        for character in self { result += replacements[character] ?? String(character) }
        return result
    }
}
