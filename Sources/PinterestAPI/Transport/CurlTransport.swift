import CCurl
import Foundation
import NIOConcurrencyHelpers

/// HTTP through libcurl: one curl multi handle driven by its own thread, so requests never
/// block Swift's cooperative threads. Connections are kept alive and reused across requests
/// (the multi handle's connection cache); any number of requests may be in flight; connect
/// and total timeouts apply to each; libcurl honours `http_proxy`, `https_proxy`, `no_proxy`.
public final class CurlTransport: HTTPTransport, Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration = .seconds(10)
        public var requestTimeout: Duration = .seconds(60)
        /// Connections kept open for reuse.
        public var maximumCachedConnections = 64
        /// Connections at once to one host; more requests wait for a free one (HTTP/1.1).
        public var maximumConnectionsPerHost = 64
        public var userAgent = "pinads/0.1 (+libcurl)"
        public init() {}
    }

    private let engine: CurlEngine

    public init(configuration: Configuration = Configuration()) {
        engine = CurlEngine(configuration: configuration)
    }

    deinit { engine.stop() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let exchange = CurlExchange(request: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                exchange.continuation = continuation
                engine.submit(exchange)
            }
        } onCancel: {
            engine.cancel(exchange)
        }
    }
}

private let curlGlobalInit: Void = {
    curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// One request's state while libcurl works on it. Touched by the submitting task until
/// submitted, then only by the engine thread; `continuation` is resumed exactly once.
private final class CurlExchange: @unchecked Sendable {
    let request: HTTPRequest
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    var handle: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var responseBody: [UInt8] = []
    var responseHeaders: [String: String] = [:]
    /// Set under the engine's inbox lock: a cancel that comes before the exchange starts.
    var cancelRequested = false

    init(request: HTTPRequest) { self.request = request }

    func finish(_ result: Result<HTTPResponse, any Error>) {
        continuation?.resume(with: result)
        continuation = nil
    }
}

/// The curl multi loop and its thread.
private final class CurlEngine: @unchecked Sendable {
    private let configuration: CurlTransport.Configuration
    private let multi: UnsafeMutableRawPointer
    private struct Inbox {
        var submitted: [CurlExchange] = []
        /// The exchanges themselves, not their ids: an id could be reused by a newer exchange.
        var cancelled: [CurlExchange] = []
        var stopping = false
    }
    private let inbox = NIOLockedValueBox(Inbox())
    /// Only the loop thread reads and writes this.
    private var active: [ObjectIdentifier: CurlExchange] = [:]
    private var byHandle: [UnsafeMutableRawPointer: CurlExchange] = [:]

    init(configuration: CurlTransport.Configuration) {
        _ = curlGlobalInit
        self.configuration = configuration
        guard let multi = curl_multi_init() else {
            fatalError("curl_multi_init failed: libcurl cannot allocate")
        }
        self.multi = multi
        pinads_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maximumCachedConnections)
        pinads_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maximumConnectionsPerHost)
        let thread = Thread { [self] in self.loop() }
        thread.name = "pinads-curl"
        thread.start()
    }

    func submit(_ exchange: CurlExchange) {
        enum Verdict { case queued, stopping, cancelled }
        let verdict = inbox.withLockedValue { inbox -> Verdict in
            if inbox.stopping { return .stopping }
            // The task was cancelled before its request was handed over: never send it.
            if exchange.cancelRequested { return .cancelled }
            inbox.submitted.append(exchange)
            return .queued
        }
        switch verdict {
        case .stopping: exchange.finish(.failure(TransportError.cancelled))
        case .cancelled: exchange.finish(.failure(CancellationError()))
        case .queued: curl_multi_wakeup(multi)
        }
    }

    func cancel(_ exchange: CurlExchange) {
        inbox.withLockedValue { inbox in
            exchange.cancelRequested = true
            inbox.cancelled.append(exchange)
        }
        curl_multi_wakeup(multi)
    }

    deinit { curl_multi_cleanup(multi) }

    func stop() {
        inbox.withLockedValue { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    private func loop() {
        var running: Int32 = 0
        while true {
            let (submitted, cancelled, stopping) = inbox.withLockedValue { inbox in
                defer {
                    inbox.submitted.removeAll()
                    inbox.cancelled.removeAll()
                }
                return (inbox.submitted, inbox.cancelled, inbox.stopping)
            }
            for exchange in submitted {
                if cancelled.contains(where: { $0 === exchange }) {
                    exchange.finish(.failure(CancellationError()))
                } else {
                    start(exchange)
                }
            }
            for exchange in cancelled where active[ObjectIdentifier(exchange)] === exchange {
                complete(exchange, .failure(CancellationError()))
            }
            if stopping {
                for exchange in Array(active.values) { complete(exchange, .failure(TransportError.cancelled)) }
                let leftovers = inbox.withLockedValue { inbox in
                    defer { inbox.submitted.removeAll() }
                    return inbox.submitted
                }
                for exchange in leftovers { exchange.finish(.failure(TransportError.cancelled)) }
                // The multi handle is freed in deinit: stop() may still be waking it up.
                return
            }
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let exchange = byHandle[handle]
                else { continue }
                let code = message.pointee.data.result
                complete(exchange, result(of: exchange, code: code))
            }
            // Sleeps until a socket is ready, a timeout of libcurl's is due, or a wakeup.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func start(_ exchange: CurlExchange) {
        guard let easy = curl_easy_init() else {
            exchange.finish(.failure(TransportError.other("curl_easy_init failed")))
            return
        }
        let request = exchange.request
        exchange.handle = easy
        pinads_curl_setopt_string(easy, CURLOPT_URL, request.url)
        pinads_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        pinads_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        pinads_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        pinads_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout ?? configuration.requestTimeout))
        pinads_curl_setopt_string(easy, CURLOPT_USERAGENT, configuration.userAgent)
        pinads_curl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        if !request.mayReplay { pinads_curl_forbid_replay(easy) }
        switch request.method {
        case "GET":
            pinads_curl_setopt_long(easy, CURLOPT_HTTPGET, 1)
        default:
            pinads_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PATCH" {
            pinads_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, request.body.count)
            // COPYPOSTFIELDS: libcurl keeps its own copy, so the array may go. An empty body
            // still needs a valid pointer.
            let bytes = request.body.isEmpty ? [UInt8(0)] : request.body
            bytes.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress {
                    pinads_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        // No "Expect: 100-continue" round trip before bodies.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            list = curl_slist_append(list, line)
        }
        exchange.headerList = list
        pinads_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        pinads_curl_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody)
        pinads_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        pinads_curl_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        pinads_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        active[ObjectIdentifier(exchange)] = exchange
        byHandle[easy] = exchange
        if curl_multi_add_handle(multi, easy) != CURLM_OK {
            complete(exchange, .failure(TransportError.other("libcurl refused the request (curl_multi_add_handle)")))
        }
    }

    private func result(of exchange: CurlExchange, code: CURLcode) -> Result<HTTPResponse, any Error> {
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_OPERATION_TIMEDOUT:
                return .failure(exchange.responseHeaders.isEmpty && !connected(exchange) ? TransportError.connectTimedOut : TransportError.timedOut)
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
                return .failure(TransportError.connectionFailed(message))
            case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
                return .failure(TransportError.connectionLost(message))
            default:
                return .failure(TransportError.other("libcurl: \(message)"))
            }
        }
        var status = 0
        if let handle = exchange.handle { pinads_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
        return .success(HTTPResponse(status: status, headers: exchange.responseHeaders, body: exchange.responseBody))
    }

    private func connected(_ exchange: CurlExchange) -> Bool {
        var connectTime = 0.0
        if let handle = exchange.handle { pinads_curl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &connectTime) }
        return connectTime > 0
    }

    private func complete(_ exchange: CurlExchange, _ result: Result<HTTPResponse, any Error>) {
        if let handle = exchange.handle {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            byHandle[handle] = nil
        }
        curl_slist_free_all(exchange.headerList)
        exchange.handle = nil
        exchange.headerList = nil
        active[ObjectIdentifier(exchange)] = nil
        exchange.finish(result)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

private let curlWriteBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        exchange.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private let curlWriteHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new response begins (after a 100 Continue, say): forget the previous one's headers.
        exchange.responseHeaders.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        exchange.responseHeaders[name] = value
    }
    return length
}
