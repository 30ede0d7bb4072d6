import PinAdsProtocol
import Testing

@Suite("Frame codec")
struct FrameDecoderTests {
    private func frame(_ text: String) -> [UInt8] { Frame.encode(Array(text.utf8)) }

    @Test func headerIsBigEndianLength() {
        let bytes = Frame.encode(Array(repeating: UInt8(ascii: "a"), count: 258))
        #expect(Array(bytes.prefix(4)) == [0, 0, 1, 2])
        #expect(bytes.count == 262)
    }

    @Test func splitFrameArrivesByteByByte() throws {
        var decoder = FrameDecoder()
        let bytes = frame(#"{"id":1,"method":"system.health"}"#)
        for byte in bytes.dropLast() {
            decoder.append([byte])
            #expect(try decoder.next() == nil)
        }
        decoder.append([bytes[bytes.count - 1]])
        #expect(try decoder.next() == Array(#"{"id":1,"method":"system.health"}"#.utf8))
        #expect(try decoder.next() == nil)
        try decoder.finish()
    }

    @Test func coalescedFramesComeOutInOrder() throws {
        var decoder = FrameDecoder()
        decoder.append(frame("{\"a\":1}") + frame("{\"b\":2}") + frame("{\"c\":3}") + Array(frame("{\"d\":4}").prefix(5)))
        #expect(try decoder.next() == Array("{\"a\":1}".utf8))
        #expect(try decoder.next() == Array("{\"b\":2}".utf8))
        #expect(try decoder.next() == Array("{\"c\":3}".utf8))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 5)
    }

    @Test func zeroLengthIsRejected() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 0])
        #expect(throws: FrameError.emptyFrame) { try decoder.next() }
    }

    @Test func oversizeLengthIsRejectedBeforeThePayloadArrives() {
        var decoder = FrameDecoder(maximumLength: 1024)
        decoder.append([0, 0, 4, 1])  // 1025
        #expect(throws: FrameError.frameTooLarge(length: 1025, maximum: 1024)) { try decoder.next() }
    }

    @Test func defaultMaximumIs16MiBAndTheMaximumItselfIsAllowed() throws {
        #expect(Frame.defaultMaximumLength == 16 * 1024 * 1024)
        try Frame.validate(length: UInt32(Frame.defaultMaximumLength), maximum: Frame.defaultMaximumLength)
        #expect(throws: FrameError.self) {
            try Frame.validate(length: UInt32(Frame.defaultMaximumLength + 1), maximum: Frame.defaultMaximumLength)
        }
        #expect(throws: FrameError.self) { try Frame.validate(length: UInt32.max, maximum: Frame.defaultMaximumLength) }
    }

    @Test func truncatedFrameAtEndOfStreamIsReported() throws {
        var decoder = FrameDecoder()
        decoder.append(Array(frame("{\"id\":1}").prefix(6)))
        #expect(try decoder.next() == nil)
        #expect(throws: FrameError.truncated(expected: 12, received: 6)) { try decoder.finish() }
    }

    @Test func truncatedHeaderAtEndOfStreamIsReported() {
        var decoder = FrameDecoder()
        decoder.append([0, 0])
        #expect(throws: FrameError.truncated(expected: 4, received: 2)) { try decoder.finish() }
    }

    @Test func frameErrorsBecomeErrorFrames() {
        #expect(FrameError.emptyFrame.responseError.code == .invalidArgument)
        let tooLarge = FrameError.frameTooLarge(length: 20, maximum: 10).responseError
        #expect(tooLarge.code == .resourceExhausted)
        #expect(tooLarge.details?["maximum"] == .int(10))
    }

    @Test func manySmallFramesThroughOneDecoder() throws {
        var decoder = FrameDecoder()
        var stream: [UInt8] = []
        for i in 0..<10_000 { stream += frame("{\"id\":\(i)}") }
        var received = 0
        var offset = 0
        // Chunks of an awkward size, so frames straddle every boundary.
        while offset < stream.count {
            let end = min(stream.count, offset + 997)
            decoder.append(stream[offset..<end])
            offset = end
            while let payload = try decoder.next() {
                #expect(payload == Array("{\"id\":\(received)}".utf8))
                received += 1
            }
        }
        #expect(received == 10_000)
        try decoder.finish()
    }
}
