import PinAdsProtocol

@testable import PinAdsDaemon

/// The wire's `conversions.*` calls, made through the methods a client's request reaches, so
/// tests assert what a client would receive.
extension ConversionDispatcher {
    func send(_ request: SendConversionsRequest) async throws -> SendConversionsResult {
        try await atTheEdge { try await ConversionMethods(dispatcher: self).send(request) }
    }

    func stats(_ request: ConversionStatsRequest) async throws -> ConversionStats {
        try await atTheEdge { try await ConversionMethods(dispatcher: self).stats(request) }
    }
}

extension ConversionNormalizer {
    /// The wire's event, as `conversions.send` hands it on.
    func prepare(_ input: ConversionEventInput) -> Outcome { prepare(SubmittedConversion(input)) }
}
