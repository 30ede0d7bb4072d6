import NIOCore
import PinAdsProtocol

/// Splits a connection's byte stream into frame payloads and keeps what the connection holds
/// within bounds:
/// - a bad length fails the inbound stream with a `FrameError` as soon as the header is in;
/// - a frame that does not complete within `frameTimeout` of its header fails it too
///   (``FrameError/incomplete(expected:received:seconds:)``): a sender that stops halfway does
///   not keep its buffer for ever;
/// - a frame is admitted to the connection's ``BudgetAccount`` as soon as its header is in,
///   for its whole length (the server gives it back once its request is answered); while the
///   budget cannot take it, nothing more is read from the connection (its sender blocks in
///   `write`, instead of the daemon growing), and its time limit has not started. A frame once
///   admitted is never held up by the daemon, so its time limit measures its sender alone;
/// - a connection whose answers wait unread past its share is not read from.
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
    /// A frame whose header is in but which the budget cannot take yet, and the bytes read
    /// after its header.
    private var waiting: (length: Int, rest: ByteBuffer)?
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
        waiting = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !failed else { return }
        if waiting != nil {
            // A read asked for before the budget said wait: kept with the frame that waits.
            waiting?.rest.writeBuffer(&bytes)
            return
        }
        process(&bytes, context: context)
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
        if waiting != nil {
            readWithheld = true
            return
        }
        guard let account else { return context.read() }
        if account.mayRead(resume: resumer(context)) {
            context.read()
        } else {
            readWithheld = true
        }
    }

    // MARK: - Frames

    private enum Step {
        case frame(ByteBuffer)
        case needMore
        case waitForBudget(length: Int)
    }

    private func process(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) {
        do {
            while bytes.readableBytes > 0 {
                switch try take(from: &bytes, context: context) {
                case .frame(let frame):
                    context.fireChannelRead(wrapInboundOut(frame))
                case .needMore:
                    break
                case .waitForBudget(let length):
                    waiting = (length, bytes)
                    bytes = ByteBuffer()
                }
            }
        } catch {
            fail(error, context: context)
        }
    }

    /// The next step with `bytes`: a whole frame, more bytes needed, or a frame's header whose
    /// frame the budget cannot take yet. Consumes what it used.
    private func take(from bytes: inout ByteBuffer, context: ChannelHandlerContext) throws -> Step {
        if var gathering = partial {
            // Taken out while it grows: a second reference would make each write copy it whole.
            partial = nil
            let count = min(gathering.length - gathering.buffer.readableBytes, bytes.readableBytes)
            if var piece = bytes.readSlice(length: count) { gathering.buffer.writeBuffer(&piece) }
            guard gathering.buffer.readableBytes == gathering.length else {
                partial = gathering
                return .needMore
            }
            timer?.cancel()
            timer = nil
            return .frame(gathering.buffer)
        }
        // The header, perhaps split across reads.
        let length: Int
        if header.readableBytes == 0, let whole = bytes.readInteger(endianness: .big, as: UInt32.self) {
            try Frame.validate(length: whole, maximum: maximumLength)
            length = Int(whole)
        } else {
            var piece = bytes.readSlice(length: min(Frame.headerLength - header.readableBytes, bytes.readableBytes)) ?? ByteBuffer()
            header.writeBuffer(&piece)
            guard let whole = header.readInteger(endianness: .big, as: UInt32.self) else { return .needMore }
            header.clear()
            try Frame.validate(length: whole, maximum: maximumLength)
            length = Int(whole)
        }
        guard admit(length, context: context) else { return .waitForBudget(length: length) }
        if let frame = begin(length, with: &bytes, context: context) { return .frame(frame) }
        return .needMore
    }

    /// Charges a frame of `length` to the budget; false when it must wait (then the budget
    /// calls ``resume()`` once it may be tried again).
    private func admit(_ length: Int, context: ChannelHandlerContext) -> Bool {
        guard let account else { return true }
        return account.reserve(Frame.headerLength + length, resume: resumer(context))
    }

    /// Starts a frame the budget took: the whole frame when `bytes` holds it, else nil (its
    /// bytes are gathered, and its time limit starts).
    private func begin(_ length: Int, with bytes: inout ByteBuffer, context: ChannelHandlerContext) -> ByteBuffer? {
        if let frame = bytes.readSlice(length: length) { return frame }
        // Grown as the bytes come (in place: it has one owner), not allocated whole at the
        // header: a header alone costs no memory.
        var buffer = context.channel.allocator.buffer(capacity: min(length, Self.initialFrameCapacity))
        buffer.writeBuffer(&bytes)
        partial = (buffer, length)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: frameTimeout) {
            handler.value.frameTimedOut()
        }
        return nil
    }

    // MARK: - Waiting for the budget

    /// What the budget calls when this connection may go on: on its event loop, the frame
    /// that waited is admitted (or waits again), then reading resumes.
    private func resumer(_ context: ChannelHandlerContext) -> @Sendable () -> Void {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        return { loop.execute { handler.value.resume() } }
    }

    private func resume() {
        guard !failed, let context else { return }
        if let pending = waiting {
            guard admit(pending.length, context: context) else { return }
            waiting = nil
            var rest = pending.rest
            if let frame = begin(pending.length, with: &rest, context: context) {
                context.fireChannelRead(wrapInboundOut(frame))
            }
            process(&rest, context: context)
            guard waiting == nil else { return }
        }
        if readWithheld {
            readWithheld = false
            read(context: context)
        }
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
        waiting = nil
        header = ByteBuffer()
        timer?.cancel()
        timer = nil
        context.fireErrorCaught(error)
    }
}
