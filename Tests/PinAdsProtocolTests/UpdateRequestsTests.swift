import Foundation
import PinAdsProtocol
import Testing

/// What protocol/methods.md says of the update methods' params, checked against the wire types.
@Suite("Update requests")
struct UpdateRequestsTests {
    private func params<R: PinAdsRequest>(_ type: R.Type, _ json: String) throws -> R? {
        try Wire.decoder().decode(ParamsOnly<R>.self, from: Data(#"{"params":\#(json)}"#.utf8)).params
    }

    /// The documented error example is what the decoder answers, word for word.
    @Test func anUnknownFieldIsRefusedAsTheExampleSays() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protocol/examples/errors/invalid-argument-unknown-field.json")
        let frame = try Wire.decoder().decode(ResponseFrame<Empty, Empty>.self, from: Data(contentsOf: example))
        do {
            _ = try params(UpdateCampaignRequest.self, #"{"id":3,"daily_budget":80000000}"#)
            Issue.record("expected daily_budget to be refused")
        } catch let error as DecodingError {
            #expect(error.responseError == frame.error)
        }
    }

    @Test func absentLeavesNullClearsAValueSets() throws {
        let request = try #require(try params(UpdateCampaignRequest.self, #"{"id":3,"daily_spend_cap":80000000,"lifetime_spend_cap":null}"#))
        #expect(request.dailySpendCap == .set(80_000_000))
        #expect(request.lifetimeSpendCap == .clear)
        #expect(request.endTime == nil)
        let again = try JSONDecoder().decode(JSONValue.self, from: Wire.encoder().encode(request))
        #expect(again == .object(["id": .int(3), "daily_spend_cap": .int(80_000_000), "lifetime_spend_cap": .null]))
    }

    /// `null` on a field that cannot be cleared is refused, naming it: read as "no change" it
    /// would hide the caller's mistake.
    @Test func nullOnAFieldThatCannotBeClearedIsRefused() throws {
        #expect(try params(UpdateAdGroupRequest.self, #"{"id":1,"bid_in_micro_currency":null}"#)?.bidInMicroCurrency == .clear)
        do {
            _ = try params(UpdateAdGroupRequest.self, #"{"id":1,"name":null,"bid_in_micro_currency":null}"#)
            Issue.record("name: null was taken")
        } catch let error as DecodingError {
            #expect(error.fieldPath == "name" && error.reason.contains("must not be null"), "\(error.fieldPath): \(error.reason)")
        }
    }

    @Test func everyUpdateMethodRefusesUnknownFields() throws {
        #expect(throws: DecodingError.self) { try params(UpdateAdGroupRequest.self, #"{"id":1,"keyword":[]}"#) }
        #expect(throws: DecodingError.self) { try params(UpdateAdRequest.self, #"{"id":1,"destinationUrl":"https://x.example"}"#) }
    }
}
