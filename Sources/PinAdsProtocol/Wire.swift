import Foundation

/// The protocol version this build speaks. It rises only for incompatible changes; new methods
/// and new optional fields do not change it.
public enum ProtocolVersion {
    public static let current = 1
}

/// JSON coding shared by every side of the wire, so dates and key order agree.
public enum Wire {
    /// Timestamps are RFC 3339 in UTC with milliseconds: `2026-11-25T16:06:35.123Z`.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "expected an RFC 3339 timestamp such as 2026-11-25T16:06:35Z, got '\(text)'"
                )
            }
            return date
        }
        return decoder
    }

    /// What a request without `params` is decoded from: the method's defaults.
    static let emptyParamsDecoder = decoder()
    static let emptyObject = Data("{}".utf8)
}

/// The version of this build of pinads, reported by `system.health` and `pinads --version`.
public enum PinAdsVersion {
    public static let current = "0.1.0"
}
