#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// The C library's `close(2)`, out of reach of `TrafficRecorder.close()`'s name.
private func closeFileDescriptor(_ fd: Int32) -> Int32 { close(fd) }

/// Appends one JSON object per `/v5` exchange to a file (JSON Lines), for the contract check:
///
/// ```
/// {"method":"POST","path":"/v5/ad_accounts/1/events","query":"test=true",
///  "request_headers":{"authorization":"Bearer ***","content-type":"application/json"},
///  "request_body":"{...}","status":200,
///  "response_headers":{"content-type":"application/json","x-pinterest-rid":"..."},
///  "response_body":"{...}"}
/// ```
///
/// Header names are lowercase; the `Authorization` value keeps only its scheme (`Bearer ***`,
/// `Basic ***`). Tokens never reach the file: in `oauth/token` exchanges the form fields
/// `refresh_token`, `code` and `client_secret` and the response's `access_token` and
/// `refresh_token` are replaced by `***` (still strings, so the shapes stay valid), and so is the
/// `access_token` of `oauth/conversion_token` responses. Each line is
/// written with one `write(2)` as soon as the response is ready, so readers see whole lines.
final class TrafficRecorder: Sendable {
    static let redaction = "***"
    static let redactedFormFields: Set<String> = ["refresh_token", "code", "client_secret", "access_token"]

    private let descriptor: NIOLockedValueBox<Int32>

    struct OpenError: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "cannot open traffic record file \(path) (errno \(errno))" }
    }

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OpenError(path: path, errno: errno) }
        descriptor = NIOLockedValueBox(fd)
    }

    func record(request: SandboxRequest, operation: Operation?, response: SandboxResponse) {
        var requestHeaders = JSONObject()
        for (name, value) in request.headers {
            let shown = name == "authorization" ? TrafficRecorder.redactAuthorization(value) : value
            if case .string(let existing)? = requestHeaders[name] {
                requestHeaders[name] = .string(existing + ", " + shown)
            } else {
                requestHeaders[name] = .string(shown)
            }
        }
        var responseHeaders = JSONObject()
        for (name, value) in response.headers {
            responseHeaders[name.lowercased()] = .string(value)
        }
        let requestBody: String =
            operation == .oauthToken ? TrafficRecorder.redactForm(request.bodyText) : request.bodyText
        let line: JSONValue = [
            "method": .string(request.method),
            "path": .string(request.path),
            "query": .string(request.rawQuery),
            "request_headers": .object(requestHeaders),
            "request_body": .string(requestBody),
            "status": JSONValue(response.status),
            "response_headers": .object(responseHeaders),
            "response_body": .string(response.recordedBody ?? response.body),
        ]
        let text = line.serialized() + "\n"
        descriptor.withLockedValue { fd in
            guard fd >= 0 else { return }
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                bytes = bytes.dropFirst(written)
            }
        }
    }

    func close() {
        descriptor.withLockedValue { fd in
            if fd >= 0 {
                _ = closeFileDescriptor(fd)
                fd = -1
            }
        }
    }

    static func redactAuthorization(_ value: String) -> String {
        let scheme = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        return scheme.isEmpty ? redaction : scheme + " " + redaction
    }

    static func redactForm(_ body: String) -> String {
        guard !body.isEmpty else { return body }
        let items = FormCoding.decode(body).map { item in
            redactedFormFields.contains(item.name) ? (name: item.name, value: redaction) : item
        }
        return FormCoding.encode(items)
    }
}
