import Foundation
import PinAdsJSON
import PinterestAPI
import Testing

@Suite("Conversion events written by hand")
struct ConversionEventJSONTests {
    @Test func theHandWrittenJSONEqualsFoundations() throws {
        let events = [
            ConversionEvent(
                eventName: "checkout", actionSource: "web", eventTime: 1_800_000_000, eventID: "o-\"1\"\\\n\u{1}é",
                eventSourceURL: "https://shop.example/a?b=c&d=\"e\"", optOut: false,
                userData: .init(em: ["a", "b"], hashedMaids: ["c"], ph: ["d"], externalID: ["e"], clientIPAddress: "::1", clientUserAgent: "Mozilla/5.0 \"x\""),
                customData: .init(
                    currency: "USD", value: "49.99", contentIDs: ["sku-1", "sku-2"], numItems: 2, orderID: "A-1",
                    contents: [
                        .init(id: "sku-1", itemPrice: "14.99", quantity: 3, itemName: "Shirt \"blue\"", itemCategory: "shirts", itemBrand: "pinads"),
                        .init(quantity: 1), .init(),
                    ])),
            ConversionEvent(eventName: "lead", actionSource: "offline", eventTime: 1, eventID: "x", userData: .init(clientIPAddress: "1.2.3.4", clientUserAgent: "UA")),
            ClientScenarios.everyField(now: 1_800_000_000),
        ]
        for event in events {
            let mine = try JSONDecoder().decode(JSONValue.self, from: Data(event.json.utf8))
            let foundation = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(event))
            #expect(mine == foundation, "\(event.json)")
        }
    }
}
