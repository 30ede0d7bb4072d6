#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1

/// Collects one HTTP/1.1 request (head, body, end), hands it to the ``SandboxEngine`` and writes
/// the answer, late (latency fault), never (hang) or as a TCP reset. Keep-alive and pipelining
/// come from NIO's `HTTPServerPipelineHandler`, which releases the next request only after the
/// previous response ended.
final class SandboxHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let engine: SandboxEngine
    private let maximumBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    /// Set by a hang fault: nothing more is answered on this connection.
    private var hanging = false

    init(engine: SandboxEngine) {
        self.engine = engine
        maximumBodyBytes = engine.configuration.maximumBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            bodyTooLarge = false
            // libcurl sends `Expect: 100-continue` before bodies over 1 KiB and otherwise waits a
            // second for this interim answer, as a real server gives it.
            if !hanging, requestHead.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: requestHead.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(let chunk):
            guard !bodyTooLarge else { return }
            if body.count + chunk.readableBytes > maximumBodyBytes {
                bodyTooLarge = true
                body = []
            } else {
                body.append(contentsOf: chunk.readableBytesView)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let requestBody = body
            body = []
            respond(context: context, head: requestHead, body: requestBody)
        }
    }

    private func respond(context: ChannelHandlerContext, head requestHead: HTTPRequestHead, body requestBody: [UInt8]) {
        guard !hanging else { return }
        let keepAlive = requestHead.isKeepAlive
        if bodyTooLarge {
            let error = APIError(
                status: 413, code: 1, message: "Request body larger than \(maximumBodyBytes) bytes.")
            write(context: context, response: error.response.rendered(), version: requestHead.version, keepAlive: false)
            return
        }
        let request = SandboxRequest(
            method: requestHead.method.rawValue, target: requestHead.uri,
            headers: requestHead.headers.map { (name: $0.name, value: $0.value) }, body: requestBody)
        switch engine.handle(request) {
        case .respond(let response, let delay) where delay > 0:
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(delay))) {
                self.write(context: context, response: response, version: requestHead.version, keepAlive: keepAlive)
            }
        case .respond(let response, _):
            write(context: context, response: response, version: requestHead.version, keepAlive: keepAlive)
        case .hang:
            hanging = true
        case .reset:
            hanging = true
            resetConnection(context: context)
        }
    }

    private func write(
        context: ChannelHandlerContext, response: SandboxResponse, version: HTTPVersion, keepAlive: Bool
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if !headers.contains(name: "content-length") {
            headers.add(name: "content-length", value: String(response.body.utf8.count))
        }
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        let buffer = context.channel.allocator.buffer(string: response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Closes with SO_LINGER 0, so the peer sees a reset instead of an orderly close.
    private func resetConnection(context: ChannelHandlerContext) {
        guard let provider = context.channel as? SocketOptionProvider else {
            context.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        engine.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
