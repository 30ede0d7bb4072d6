import Foundation
import PinAdsProtocol
import Testing

@Suite("Request envelope")
struct EnvelopeTests {
    private func parse(_ text: String) -> Result<RequestHeader, RequestHeaderError> {
        do throws(RequestHeaderError) {
            return .success(try RequestHeader.parse(Array(text.utf8), decoder: Wire.decoder()))
        } catch {
            return .failure(error)
        }
    }

    private func failure(_ text: String) -> RequestHeaderError? {
        if case .failure(let error) = parse(text) { return error }
        return nil
    }

    @Test func readsIdMethodAndDeadline() throws {
        let header = try parse(#"{"id": 7, "method": "jobs.get", "params": {"id": 1}, "deadline_ms": 500}"#).get()
        #expect(header == RequestHeader(id: .int(7), method: "jobs.get", deadlineMs: 500))
        let stringID = try parse(#"{"id": "abc", "method": "system.health"}"#).get()
        #expect(stringID.id == .string("abc"))
    }

    @Test func notJSONAndNotAnObjectAreInvalidWithNullID() {
        for text in ["hello", "[1,2]", "42", "\"x\"", "{\"id\":1,"] {
            let error = failure(text)
            #expect(error?.id == nil, "\(text)")
            #expect(error?.error.code == .invalidArgument, "\(text)")
        }
    }

    /// Foundation's parser on Linux traps, killing the daemon, when a text ends at its 513th
    /// nested array: such a frame must be an error answer like any other bad JSON.
    @Test func deeplyNestedFramesAreRefusedNotFatal() {
        for depth in [511, 512, 513, 514, 2000] {
            for text in [
                String(repeating: "[", count: depth), String(repeating: "{\"a\":", count: depth),
                #"{"id":1,"method":"x","params":"# + String(repeating: "[", count: depth),
                // Ending in `}` (not padded, not copied): deep, yet the parser's error.
                String(repeating: "[", count: depth) + "{}", String(repeating: "{\"a\":", count: depth) + "{}",
            ] {
                #expect(failure(text)?.error.code == .invalidArgument, "depth \(depth)")
            }
        }
    }

    @Test func badIDIsNamed() {
        for text in [#"{"method":"system.health"}"#, #"{"id":true,"method":"system.health"}"#, #"{"id":null,"method":"x.y"}"#] {
            let error = failure(text)
            #expect(error?.id == nil)
            #expect(error?.error.details?["field"] == "id", "\(text)")
        }
    }

    @Test func badMethodIsNamedAndKeepsTheID() {
        for text in [#"{"id":3}"#, #"{"id":3,"method":5}"#, #"{"id":3,"method":""}"#] {
            let error = failure(text)
            #expect(error?.id == .int(3))
            #expect(error?.error.details?["field"] == "method", "\(text)")
        }
    }

    @Test func paramsMustBeAnObject() {
        for text in [#"{"id":3,"method":"system.health","params":[]}"#, #"{"id":3,"method":"system.health","params":5}"#] {
            let error = failure(text)
            #expect(error?.id == .int(3))
            #expect(error?.error.details?["field"] == "params", "\(text)")
        }
        #expect(failure(#"{"id":3,"method":"system.health","params":null}"#) == nil)
        #expect(failure(#"{"id":3,"method":"system.health","params":{}}"#) == nil)
    }

    @Test func badDeadlineIsNamed() {
        let error = failure(#"{"id":3,"method":"system.health","deadline_ms":-5}"#)
        #expect(error?.id == .int(3))
        #expect(error?.error.details?["field"] == "deadline_ms")
    }

    @Test func decodingErrorsNameTheField() throws {
        let decoder = Wire.decoder()
        do {
            _ = try decoder.decode(ParamsOnly<WatchJobsRequest>.self, from: Data(#"{"params":{"ids":[1,"x"]}}"#.utf8))
            Issue.record("expected a decoding error")
        } catch let error as DecodingError {
            #expect(error.fieldPath == "ids[1]")
            #expect(error.responseError.code == .invalidArgument)
        }
        do {
            _ = try decoder.decode(ParamsOnly<GetJobRequest>.self, from: Data(#"{"params":{}}"#.utf8))
            Issue.record("expected a decoding error")
        } catch let error as DecodingError {
            #expect(error.fieldPath == "id")
            #expect(error.reason == "missing required field")
        }
        do {
            _ = try decoder.decode(ParamsOnly<ListJobsRequest>.self, from: Data(#"{"params":{"state":"sleeping"}}"#.utf8))
            Issue.record("expected a decoding error")
        } catch let error as DecodingError {
            #expect(error.fieldPath == "state")
            #expect(error.reason.contains("queued, running"))
        }
    }

    @Test func oneParseGivesTheHeaderAndTheMethodsOwnParams() throws {
        let decoder = Wire.decoder()
        let watch = try DecodedRequest.decode(Data(#"{"id":4,"method":"jobs.watch","params":{"ids":[7,8]},"deadline_ms":9}"#.utf8), decoder: decoder)
        #expect(watch.header == RequestHeader(id: .int(4), method: "jobs.watch", deadlineMs: 9))
        #expect(try (watch.params?.get() as? WatchJobsRequest)?.ids == [7, 8])
        // Left out or null: the method's defaults, as if {} had been sent.
        for text in [#"{"id":1,"method":"jobs.list"}"#, #"{"id":1,"method":"jobs.list","params":null}"#] {
            let list = try DecodedRequest.decode(Data(text.utf8), decoder: decoder)
            #expect(try (list.params?.get() as? ListJobsRequest)?.limit == nil, "\(text)")
        }
        // Bad params are the method's to answer, with the request's id and the field's path.
        let bad = try DecodedRequest.decode(Data(#"{"id":"a","method":"jobs.watch","params":{"ids":[1,"x"]}}"#.utf8), decoder: decoder)
        #expect(bad.header.id == .string("a"))
        guard case .failure(let error)? = bad.params else {
            Issue.record("expected the params to fail")
            return
        }
        #expect(error.fieldPath == "ids[1]")
        // A method this build does not know is routed (to UNIMPLEMENTED) without params.
        let unknown = try DecodedRequest.decode(Data(#"{"id":2,"method":"x.y","params":{"a":1}}"#.utf8), decoder: decoder)
        #expect(unknown.header.method == "x.y" && unknown.params == nil)
    }

    @Test func errorFramesAlwaysCarryAnID() throws {
        let frame = ResponseFrame<Empty, Empty>(id: nil, error: .invalidArgument("bad"))
        let json = try JSONDecoder().decode(JSONValue.self, from: Wire.encoder().encode(frame))
        #expect(json["id"] == .null)
        #expect(json["error"]?["code"] == "INVALID_ARGUMENT")
    }

    @Test func unknownErrorCodesStillDecode() throws {
        let frame = try Wire.decoder().decode(
            AnyResponseFrame.self, from: Data(#"{"id":1,"error":{"code":"SOMETHING_NEW","message":"m"}}"#.utf8))
        #expect(frame.error?.code.rawValue == "SOMETHING_NEW")
    }

    @Test func timestampsAreRFC3339WithMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_795_622_795.123)
        #expect(Timestamp.format(date) == "2026-11-25T16:06:35.123Z")
        let parsed = try #require(Timestamp.parse("2026-11-25T16:06:35.123Z"))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.0005)
        #expect(Timestamp.format(parsed) == "2026-11-25T16:06:35.123Z")
        #expect(Timestamp.parse("2026-11-25T16:06:35Z") == Date(timeIntervalSince1970: 1_795_622_795))
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test func timestampsRoundTripToTheMillisecond() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let millis = Int64.random(in: 0..<4_000_000_000_000, using: &generator)
            let text = Timestamp.format(Date(timeIntervalSince1970: Double(millis) / 1000))
            let parsed = try #require(Timestamp.parse(text), "\(text)")
            #expect(Int64((parsed.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)")
            #expect(Timestamp.format(parsed) == text)
        }
    }
}
