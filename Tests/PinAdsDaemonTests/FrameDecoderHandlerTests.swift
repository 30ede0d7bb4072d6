import NIOCore
import NIOEmbedded
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

@Suite("NIO frame decoder")
struct FrameDecoderHandlerTests {
    private func channel(maximum: Int = 1024) -> EmbeddedChannel {
        EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoderHandler(maximumLength: maximum)))
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
}
