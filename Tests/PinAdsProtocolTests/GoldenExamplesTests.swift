import Foundation
import PinAdsProtocol
import Testing

/// Every method has a golden request and response in protocol/examples, and each decodes into
/// the wire types and re-encodes to the same JSON: the docs and the code cannot drift apart.
@Suite("Golden protocol examples")
struct GoldenExamplesTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/examples")

    static let methodNames = MethodRegistry.names

    private func json(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    private func load(_ name: String) throws -> Data {
        try Data(contentsOf: Self.examples.appendingPathComponent(name))
    }

    /// Decodes `data` as `T` and checks that encoding it again gives the same JSON.
    private func roundTrip<T: Codable>(_ type: T.Type, _ data: Data, _ name: String) throws {
        let value = try Wire.decoder().decode(T.self, from: data)
        let again = try Wire.encoder().encode(value)
        #expect(try json(again) == json(data), "\(name) does not round-trip: re-encoded as \(String(decoding: again, as: UTF8.self))")
    }

    private func check<R: PinAdsRequest>(_ type: R.Type) throws {
        let requestName = "\(R.method).request.json"
        let request = try load(requestName)
        try roundTrip(RequestEnvelope<R>.self, request, requestName)
        #expect(try Wire.decoder().decode(RequestEnvelope<R>.self, from: request).method == R.method)

        let responseName = "\(R.method).response.json"
        let response = try load(responseName)
        if let streaming = R.self as? any PinAdsStreamingRequest.Type {
            try checkStream(streaming, response, responseName)
        } else {
            try roundTrip(ResponseFrame<R.Result, Empty>.self, response, responseName)
            let frame = try Wire.decoder().decode(ResponseFrame<R.Result, Empty>.self, from: response)
            #expect(frame.result != nil, "\(responseName) has no result")
        }
    }

    private func checkStream<R: PinAdsStreamingRequest>(_ type: R.Type, _ data: Data, _ name: String) throws {
        guard case .array(let frames) = try json(data), let last = frames.last else {
            Issue.record("\(name) must be an array of frames: events, then the result")
            return
        }
        for frame in frames.dropLast() {
            let bytes = try JSONEncoder().encode(frame)
            try roundTrip(ResponseFrame<Empty, R.Event>.self, bytes, name)
            #expect(frame["event"] != nil, "\(name): every frame but the last is an event")
        }
        try roundTrip(ResponseFrame<R.Result, Empty>.self, try JSONEncoder().encode(last), name)
        #expect(last["result"] != nil, "\(name): the last frame is the result")
    }

    @Test(arguments: MethodRegistry.names)
    func methodHasGoldenExamples(method: String) throws {
        guard let type = MethodRegistry.all.first(where: { $0.method == method }) else {
            Issue.record("no type for \(method)")
            return
        }
        try check(type)
    }

    @Test func everyExampleFileBelongsToAMethod() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".json") }
        for file in files {
            let method = file.replacingOccurrences(of: ".request.json", with: "").replacingOccurrences(of: ".response.json", with: "")
            #expect(Self.methodNames.contains(method), "\(file) documents no method this code knows")
        }
    }

    /// `examples/more/` holds further answers of a method (e.g. `system.health.ok.response.json`):
    /// each round-trips through the result type of the method its name starts with.
    @Test func moreExamplesRoundTrip() throws {
        let folder = Self.examples.appendingPathComponent("more")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".response.json") }
        #expect(!files.isEmpty)
        for file in files {
            guard let type = MethodRegistry.all.filter({ file.hasPrefix($0.method + ".") }).max(by: { $0.method.count < $1.method.count }) else {
                Issue.record("\(file) documents no method this code knows")
                continue
            }
            try checkResponse(type, try Data(contentsOf: folder.appendingPathComponent(file)), file)
        }
    }

    /// `examples/more/` also holds further requests of a method (e.g.
    /// `connections.connect.code.request.json`): each round-trips through its params type.
    @Test func moreRequestExamplesRoundTrip() throws {
        let folder = Self.examples.appendingPathComponent("more")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".request.json") }
        #expect(!files.isEmpty)
        for file in files {
            guard let type = MethodRegistry.all.filter({ file.hasPrefix($0.method + ".") }).max(by: { $0.method.count < $1.method.count }) else {
                Issue.record("\(file) documents no method this code knows")
                continue
            }
            try checkRequest(type, try Data(contentsOf: folder.appendingPathComponent(file)), file)
        }
    }

    private func checkRequest<R: PinAdsRequest>(_ type: R.Type, _ data: Data, _ name: String) throws {
        try roundTrip(RequestEnvelope<R>.self, data, name)
        #expect(try Wire.decoder().decode(RequestEnvelope<R>.self, from: data).method == R.method, "\(name) names another method")
    }

    private func checkResponse<R: PinAdsRequest>(_ type: R.Type, _ data: Data, _ name: String) throws {
        try roundTrip(ResponseFrame<R.Result, Empty>.self, data, name)
        #expect(try Wire.decoder().decode(ResponseFrame<R.Result, Empty>.self, from: data).result != nil, "\(name) has no result")
    }

    /// Old daemons answer health without `problems`; new clients still decode it.
    @Test func healthWithoutProblemsStillDecodes() throws {
        let old = #"{"status":"ok","version":"0.1.0","protocol_version":1,"uptime_s":1.5,"store":{"status":"ok","path":"/p","schema_version":1}}"#
        let health = try Wire.decoder().decode(HealthResult.self, from: Data(old.utf8))
        #expect(health.status == "ok" && health.problems.isEmpty)
    }

    @Test func errorExamplesAreErrorFrames() throws {
        let folder = Self.examples.appendingPathComponent("errors")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            try roundTrip(ResponseFrame<Empty, Empty>.self, data, file)
            let frame = try Wire.decoder().decode(ResponseFrame<Empty, Empty>.self, from: data)
            let code = try #require(frame.error?.code, "\(file) has no error")
            #expect(ErrorCode.all.contains(code), "\(file): \(code) is not a protocol error code")
        }
    }

    @Test func methodsDocumentNamesEveryMethod() throws {
        let methods = try String(contentsOf: Self.examples.deletingLastPathComponent().appendingPathComponent("methods.md"), encoding: .utf8)
        for name in MethodRegistry.names {
            #expect(methods.contains(name), "protocol/methods.md does not document \(name)")
        }
        let readme = try String(contentsOf: Self.examples.deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        for code in ErrorCode.all {
            #expect(readme.contains(code.rawValue), "protocol/README.md does not explain \(code)")
        }
    }
}
