import NIOCore
import PinAdsProtocol

/// Splits the inbound byte stream into frame payloads. A bad length fails the channel's
/// inbound stream with a `FrameError`, which the connection answers and then closes on.
struct FrameDecoderHandler: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maximumLength: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return .needMoreData
        }
        try Frame.validate(length: length, maximum: maximumLength)
        guard buffer.readableBytes >= Frame.headerLength + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: Frame.headerLength)
        guard let payload = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(payload))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Whole frames still buffered are delivered; a partial frame at EOF is dropped: its
        // sender is gone and nothing of it was acted on.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
