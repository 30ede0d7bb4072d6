import NIOCore
import PinAdsProtocol

/// Splits a connection's byte stream into frame payloads and keeps what the connection holds
/// within bounds:
/// - a bad length fails the inbound stream with a `FrameError` as soon as the header is in;
/// - a frame that does not complete within `frameTimeout` of its header fails it too
///   (``FrameError/incomplete(expected:received:seconds:)``): a sender that stops halfway does
///   not keep its buffer for ever;
/// - every byte read is charged to the connection's ``BudgetAccount`` (the server gives a
///   frame's bytes back once its request is answered), and the next read is not asked for
///   while the budget says this connection must wait: its sender then blocks in `write`,
///   instead of the daemon growing.
///
/// A frame that arrived whole in one read is passed on as a slice of that read; a longer one
/// is gathered into a buffer that grows as its bytes come. Going out, every frame is charged
/// to the account until the socket has taken it.
final class FrameReaderHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let maximumLength: Int
    private let frameTimeout: TimeAmount
    private let account: BudgetAccount?

    /// Header bytes of the next frame, when fewer than four have come.
    private var header = ByteBuffer()
    /// The frame being gathered: its bytes so far, and how many it has in all.
    private var partial: (buffer: ByteBuffer, length: Int)?
    private var timer: Scheduled<Void>?
    private var failed = false
    private var readWithheld = false
    private var context: ChannelHandlerContext?

    static let initialFrameCapacity = 256 * 1024

    init(maximumLength: Int, frameTimeout: TimeAmount, account: BudgetAccount?) {
        self.maximumLength = maximumLength
        self.frameTimeout = frameTimeout
        self.account = account
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A partial frame at EOF is dropped: its sender is gone and nothing of it was acted on.
        timer?.cancel()
        timer = nil
        partial = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !failed else { return }
        account?.chargeInput(bytes.readableBytes)
        do {
            while bytes.readableBytes > 0 {
                if let frame = try take(from: &bytes, context: context) {
                    context.fireChannelRead(wrapInboundOut(frame))
                }
            }
        } catch {
            fail(error, context: context)
        }
    }

    /// Every frame going out is charged from when it reaches the channel until the socket has
    /// taken it (or the channel closes), so answers waiting for a client that does not read
    /// count, wherever they wait.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let account else { return context.write(data, promise: promise) }
        let bytes = unwrapOutboundIn(data).readableBytes
        account.chargeOutput(bytes)
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.whenComplete { _ in account.releaseOutput(bytes) }
        context.write(data, promise: written)
    }

    func read(context: ChannelHandlerContext) {
        guard !failed else { return }
        guard let account else { return context.read() }
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let mayRead = account.mayRead(resume: { loop.execute { handler.value.resumeRead() } })
        if mayRead {
            context.read()
        } else {
            readWithheld = true
        }
    }

    private func resumeRead() {
        guard readWithheld, !failed, let context else { return }
        readWithheld = false
        read(context: context)
    }

    /// The next whole frame from `bytes`, if one completes; consumes what it used.
    private func take(from bytes: inout ByteBuffer, context: ChannelHandlerContext) throws -> ByteBuffer? {
        if var gathering = partial {
            // Taken out while it grows: a second reference would make each write copy it whole.
            partial = nil
            let count = min(gathering.length - gathering.buffer.readableBytes, bytes.readableBytes)
            if var piece = bytes.readSlice(length: count) { gathering.buffer.writeBuffer(&piece) }
            guard gathering.buffer.readableBytes == gathering.length else {
                partial = gathering
                return nil
            }
            timer?.cancel()
            timer = nil
            return gathering.buffer
        }
        // The header, perhaps split across reads.
        let length: Int
        if header.readableBytes == 0, let whole = bytes.readInteger(endianness: .big, as: UInt32.self) {
            try Frame.validate(length: whole, maximum: maximumLength)
            length = Int(whole)
        } else {
            var piece = bytes.readSlice(length: min(Frame.headerLength - header.readableBytes, bytes.readableBytes)) ?? ByteBuffer()
            header.writeBuffer(&piece)
            guard let whole = header.readInteger(endianness: .big, as: UInt32.self) else { return nil }
            header.clear()
            try Frame.validate(length: whole, maximum: maximumLength)
            length = Int(whole)
        }
        if let frame = bytes.readSlice(length: length) { return frame }
        // Grown as the bytes come (in place: it has one owner), not reserved at the header: a
        // header alone costs no memory.
        var buffer = context.channel.allocator.buffer(capacity: min(length, Self.initialFrameCapacity))
        buffer.writeBuffer(&bytes)
        partial = (buffer, length)
        let timeout = frameTimeout
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            handler.value.frameTimedOut()
        }
        return nil
    }

    private func frameTimedOut() {
        guard let context, let gathering = partial else { return }
        fail(
            FrameError.incomplete(
                expected: Frame.headerLength + gathering.length, received: Frame.headerLength + gathering.buffer.readableBytes,
                seconds: Int((frameTimeout.nanoseconds + 999_999_999) / 1_000_000_000)),
            context: context)
    }

    /// Ends reading: the inbound stream fails with `error` (the server answers it and closes),
    /// and what was buffered is dropped.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        guard !failed else { return }
        failed = true
        partial = nil
        header = ByteBuffer()
        timer?.cancel()
        timer = nil
        context.fireErrorCaught(error)
    }
}
