import NIOCore
import NIOEmbedded
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

@Suite("NIO frame reader")
struct FrameReaderHandlerTests {
    private func channel(maximum: Int = 1024, timeout: TimeAmount = .seconds(30), account: BudgetAccount? = nil) -> EmbeddedChannel {
        EmbeddedChannel(handler: FrameReaderHandler(maximumLength: maximum, frameTimeout: timeout, account: account))
    }

    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    @Test func splitAndCoalescedFrames() throws {
        let channel = channel()
        let stream = Frame.encode(Array("{\"a\":1}".utf8)) + Frame.encode(Array("{\"b\":2}".utf8))
        try channel.writeInbound(buffer(Array(stream.prefix(3))))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(buffer(Array(stream.dropFirst(3))))
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "{\"a\":1}")
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "{\"b\":2}")
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test func zeroLengthFailsTheStream() {
        let channel = channel()
        #expect(throws: FrameError.emptyFrame) { try channel.writeInbound(buffer([0, 0, 0, 0])) }
    }

    @Test func oversizeFailsAsSoonAsTheHeaderIsIn() {
        let channel = channel(maximum: 1024)
        #expect(throws: FrameError.frameTooLarge(length: 2048, maximum: 1024)) {
            try channel.writeInbound(buffer([0, 0, 8, 0]))
        }
    }

    @Test func partialFrameAtEOFIsDropped() throws {
        let channel = channel()
        try channel.writeInbound(buffer(Array(Frame.encode(Array("{\"a\":1}".utf8)).prefix(6))))
        _ = try channel.finish()
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }

    @Test func aLongFrameArrivingInPiecesIsGatheredWhole() throws {
        let channel = channel(maximum: 100_000)
        let payload = Array(repeating: UInt8(ascii: "x"), count: 70_000)
        let stream = Frame.encode(payload) + Frame.encode(Array("{}".utf8))
        var offset = 0
        for size in [1, 2, 3, 5000, 30_000, 40_000] where offset < stream.count {
            let end = min(offset + size, stream.count)
            try channel.writeInbound(buffer(Array(stream[offset..<end])))
            offset = end
        }
        if offset < stream.count { try channel.writeInbound(buffer(Array(stream[offset...]))) }
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 70_000)
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "{}")
        _ = try channel.finish()
    }

    @Test func aFrameThatStopsHalfwayFailsAtTheTimeLimit() throws {
        let channel = channel(maximum: 1024, timeout: .seconds(30))
        try channel.writeInbound(buffer(Array(Frame.encode(Array(repeating: UInt8(ascii: "x"), count: 500)).prefix(104))))
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(throws: FrameError.incomplete(expected: 504, received: 104, seconds: 30)) { try channel.throwIfErrorCaught() }
        // Nothing more is read from it.
        try channel.writeInbound(buffer(Array(repeating: UInt8(ascii: "x"), count: 400)))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }

    @Test func aFrameThatCompletesInTimeCancelsItsTimer() throws {
        let channel = channel(maximum: 1024, timeout: .seconds(30))
        let frame = Frame.encode(Array(repeating: UInt8(ascii: "x"), count: 500))
        try channel.writeInbound(buffer(Array(frame.prefix(100))))
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        try channel.writeInbound(buffer(Array(frame.dropFirst(100))))
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 500)
    }

    @Test func aFrameIsChargedWholeAtItsHeaderAndOneThatDoesNotFitWaitsUnread() throws {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 4000, smallHolding: 100))
        let others = BudgetAccount(budget: budget)
        let taken1 = others.reserve(3000, resume: {})
        #expect(taken1)
        let account = BudgetAccount(budget: budget)
        let channel = channel(maximum: 2048, timeout: .seconds(30), account: account)
        var reads = 0
        try channel.pipeline.syncOperations.addHandler(ReadCounter { reads += 1 }, position: .first)
        // Its header is in: the whole frame is charged, and reading goes on.
        let first = Frame.encode(Array(repeating: UInt8(ascii: "x"), count: 996))
        try channel.writeInbound(buffer(Array(first.prefix(600))))
        #expect(budget.held.now == 4000)
        channel.read()
        #expect(reads == 1)
        // The next frame does not fit: it waits, nothing more is read, its time limit has not started.
        let second = Frame.encode(Array(repeating: UInt8(ascii: "y"), count: 1500))
        try channel.writeInbound(buffer(Array(first.dropFirst(600)) + Array(second.prefix(700))))
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 996)
        channel.read()
        #expect(reads == 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        // Once the first is answered, the second is taken and reading resumes.
        account.releaseInput(1000)
        channel.embeddedEventLoop.run()
        #expect(reads == 2)
        #expect(budget.held.now == 3000 + 1504)
        try channel.writeInbound(buffer(Array(second.dropFirst(700))))
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 1500)
        _ = try channel.finish()
    }

    @Test func anAnswerIsChargedUntilTheSocketTakesIt() throws {
        let budget = BufferBudget(capacity: 1 << 20)
        let account = BudgetAccount(budget: budget)
        let channel = channel(account: account)
        channel.write(ByteBuffer(bytes: Array(repeating: 7, count: 300)), promise: nil)
        #expect(budget.held.now == 300, "written to the channel, not yet to the socket")
        channel.flush()
        #expect(budget.held.now == 0)
        #expect(try channel.readOutbound(as: ByteBuffer.self)?.readableBytes == 300)
    }

}

/// Counts the reads that reach the head of the pipeline.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    let onRead: () -> Void
    init(onRead: @escaping () -> Void) { self.onRead = onRead }
    func read(context: ChannelHandlerContext) {
        onRead()
        context.read()
    }
}
