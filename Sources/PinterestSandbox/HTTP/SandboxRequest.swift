/// One HTTP request as the sandbox's logic sees it, independent of NIO.
struct SandboxRequest: Sendable {
    var method: String
    /// The path without the query, percent-encoding kept (IDs are plain digits anyway).
    var path: String
    /// The raw query string without `?`; empty when there is none.
    var rawQuery: String
    /// Header names lowercased, in arrival order.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            rawQuery = String(target[target.index(after: question)...])
        } else {
            path = target
            rawQuery = ""
        }
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.body = body
    }

    /// The first value of a header (name matched case-insensitively).
    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Query parameters in order; keys may repeat.
    var queryItems: [(name: String, value: String)] { FormCoding.decode(rawQuery) }
}

/// One HTTP response produced by the sandbox's logic.
///
/// JSON bodies are kept as values until ``render()``, so that handlers running under the state
/// lock do not pay for serialization there.
struct SandboxResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    /// The body text; empty until ``render()`` for JSON responses.
    private(set) var body: String
    /// The body as written to the traffic record, when it must differ from ``body`` (tokens).
    private(set) var recordedBody: String?
    private var pendingJSON: JSONValue?
    private var pendingRecordedJSON: JSONValue?

    init(status: Int, headers: [(name: String, value: String)] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(
        _ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = [],
        recorded: JSONValue? = nil
    ) -> SandboxResponse {
        var response = SandboxResponse(
            status: status, headers: [(name: "content-type", value: "application/json")] + headers, body: "")
        response.pendingJSON = value
        response.pendingRecordedJSON = recorded
        return response
    }

    /// Serializes a pending JSON body. Idempotent.
    mutating func render() {
        if let value = pendingJSON {
            body = value.serialized()
            pendingJSON = nil
        }
        if let value = pendingRecordedJSON {
            recordedBody = value.serialized()
            pendingRecordedJSON = nil
        }
    }

    func rendered() -> SandboxResponse {
        var copy = self
        copy.render()
        return copy
    }
}

/// `application/x-www-form-urlencoded` and query-string coding.
enum FormCoding {
    static func decode(_ text: String) -> [(name: String, value: String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (
                    name: percentDecode(pair[..<equals]),
                    value: percentDecode(pair[pair.index(after: equals)...])
                )
            }
            return (name: percentDecode(pair), value: "")
        }
    }

    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next()
                let low = iterator.next()
                if let high, let low, let h = hexValue(high), let l = hexValue(low) {
                    bytes.append(h << 4 | l)
                } else {
                    bytes.append(UInt8(ascii: "%"))
                    if let high { bytes.append(high) }
                    if let low { bytes.append(low) }
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func percentEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "*"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                output += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    static func encode(_ items: [(name: String, value: String)]) -> String {
        items.map { percentEncode($0.name) + "=" + percentEncode($0.value) }.joined(separator: "&")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
