/// Framing of the wire protocol: a 4-byte unsigned big-endian length N, then N bytes of UTF-8
/// JSON. `1 ≤ N ≤ maximumFrameLength`.
public enum Frame {
    /// The default largest frame either side accepts: 16 MiB.
    public static let defaultMaximumLength = 16 * 1024 * 1024
    /// Bytes of the length prefix.
    public static let headerLength = 4

    /// Checks a length read from a frame header.
    public static func validate(length: UInt32, maximum: Int) throws(FrameError) {
        if length == 0 { throw .emptyFrame }
        if Int(length) > maximum { throw .frameTooLarge(length: Int(length), maximum: maximum) }
    }

    /// The header and the payload of one frame.
    public static func encode(_ payload: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(headerLength + payload.count)
        appendHeader(length: payload.count, to: &out)
        out.append(contentsOf: payload)
        return out
    }

    public static func appendHeader(length: Int, to bytes: inout [UInt8]) {
        let n = UInt32(truncatingIfNeeded: length)
        bytes.append(UInt8(truncatingIfNeeded: n >> 24))
        bytes.append(UInt8(truncatingIfNeeded: n >> 16))
        bytes.append(UInt8(truncatingIfNeeded: n >> 8))
        bytes.append(UInt8(truncatingIfNeeded: n))
    }
}

/// Why a byte stream is not a valid sequence of frames. Each is fatal to the connection.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyFrame
    case frameTooLarge(length: Int, maximum: Int)
    /// The stream ended inside a frame.
    case truncated(expected: Int, received: Int)
    /// A frame did not complete within the server's time limit for one frame.
    case incomplete(expected: Int, received: Int, seconds: Int)

    public var description: String {
        switch self {
        case .emptyFrame:
            return "frame length 0 is invalid: a frame carries 1 or more bytes of JSON"
        case .frameTooLarge(let length, let maximum):
            return "frame length \(length) exceeds the maximum of \(maximum) bytes"
        case .truncated(let expected, let received):
            return "stream ended inside a frame: \(received) of \(expected) bytes received"
        case .incomplete(let expected, let received, let seconds):
            return "a frame did not complete within \(seconds) s: \(received) of \(expected) bytes received; "
                + "send each frame whole (the daemon's --frame-timeout sets the limit)"
        }
    }

    /// The error frame a server sends before it closes the connection.
    public var responseError: ResponseError {
        switch self {
        case .emptyFrame, .truncated:
            return ResponseError(code: .invalidArgument, message: description)
        case .incomplete(let expected, let received, let seconds):
            return ResponseError(
                code: .deadlineExceeded,
                message: description,
                details: ["expected": .int(Int64(expected)), "received": .int(Int64(received)), "seconds": .int(Int64(seconds))]
            )
        case .frameTooLarge(let length, let maximum):
            return ResponseError(
                code: .resourceExhausted,
                message: description,
                details: ["length": .int(Int64(length)), "maximum": .int(Int64(maximum))]
            )
        }
    }
}

/// Incremental decoder for a byte stream: feed bytes as they arrive, take whole frames out.
/// Split and coalesced frames both work; a bad length is reported as soon as the header is complete.
public struct FrameDecoder: Sendable {
    public let maximumLength: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(maximumLength: Int = Frame.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame's payload, or nil when more bytes are needed.
    public mutating func next() throws(FrameError) -> [UInt8]? {
        let available = buffer.count - readIndex
        guard available >= Frame.headerLength else { return nil }
        let length =
            UInt32(buffer[readIndex]) << 24 | UInt32(buffer[readIndex + 1]) << 16
            | UInt32(buffer[readIndex + 2]) << 8 | UInt32(buffer[readIndex + 3])
        try Frame.validate(length: length, maximum: maximumLength)
        guard available >= Frame.headerLength + Int(length) else { return nil }
        let start = readIndex + Frame.headerLength
        let payload = Array(buffer[start..<start + Int(length)])
        readIndex = start + Int(length)
        compactIfWorthIt()
        return payload
    }

    /// Call at end of stream: throws when the stream stopped inside a frame.
    public func finish() throws(FrameError) {
        let available = buffer.count - readIndex
        guard available > 0 else { return }
        if available < Frame.headerLength {
            throw .truncated(expected: Frame.headerLength, received: available)
        }
        let length =
            Int(buffer[readIndex]) << 24 | Int(buffer[readIndex + 1]) << 16
            | Int(buffer[readIndex + 2]) << 8 | Int(buffer[readIndex + 3])
        throw .truncated(expected: Frame.headerLength + length, received: available)
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    private mutating func compactIfWorthIt() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 64 * 1024 && readIndex > buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
