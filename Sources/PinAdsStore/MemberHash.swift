/// A member of an audience as stored: the 32 bytes of its SHA-256, held as four big-endian
/// words so that comparing them orders hashes as their bytes (and their lowercase hex) do.
/// Stored as a 32-byte BLOB; sent to Pinterest as 64 lowercase hex digits.
public struct MemberHash: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// From 32 bytes (a digest); nil for any other length.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        func word(_ offset: Int) -> UInt64 { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        self.init(w0: word(0), w1: word(8), w2: word(16), w3: word(24))
    }

    /// From 64 hex digits (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        var words: [UInt64] = [0, 0, 0, 0]
        var count = 0
        for byte in hex.utf8 {
            let nibble: UInt8
            switch byte {
            case 48...57: nibble = byte - 48
            case 97...102: nibble = byte - 87
            case 65...70: nibble = byte - 55
            default: return nil
            }
            guard count < 64 else { return nil }
            words[count / 16] = words[count / 16] << 4 | UInt64(nibble)
            count += 1
        }
        guard count == 64 else { return nil }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    public static func < (a: MemberHash, b: MemberHash) -> Bool {
        if a.w0 != b.w0 { return a.w0 < b.w0 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        return a.w3 < b.w3
    }

    /// The 32 bytes, in order.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try withUnsafeBytes(of: &words) { try body($0) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// 64 lowercase hex digits: what Pinterest is sent.
    public var hex: String {
        withBytes { bytes in
            String(unsafeUninitializedCapacity: 64) { buffer in
                for (i, byte) in bytes.enumerated() {
                    buffer[2 * i] = Self.hexDigits[Int(byte >> 4)]
                    buffer[2 * i + 1] = Self.hexDigits[Int(byte & 0x0f)]
                }
                return 64
            }
        }
    }

    public var description: String { hex }
}

import Foundation

extension MemberHash {
    /// The 32 bytes as Data (for a statement argument).
    var data: Data { withBytes { Data($0) } }

    /// From a stored blob.
    init?(data: Data) {
        guard let hash = data.withUnsafeBytes({ MemberHash(bytes: $0) }) else { return nil }
        self = hash
    }
}
