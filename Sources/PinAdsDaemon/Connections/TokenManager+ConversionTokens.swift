import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import PinterestAPI

extension TokenManager {
    // MARK: - Conversion tokens

    /// Stores, mints or clears the conversion token of an ad account (the default when nil).
    public func setConversionToken(adAccountID: String?, _ change: ConversionTokenChange) async throws -> ConversionTokenState {
        let target = try await session(adAccountID: adAccountID)
        conversionTokens[target.adAccountID] = nil
        let token: String
        let source: String
        switch change {
        case .clear:
            try await store.deleteConversionTokens(adAccountID: target.adAccountID)
            logger.notice("conversion token cleared", metadata: ["ad_account_id": "\(target.adAccountID)"])
            return ConversionTokenState(adAccountID: target.adAccountID, hasConversionToken: false, fingerprint: nil, source: nil)
        case .use(let given):
            let given = given.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !given.isEmpty else { throw InvalidInput(field: "token", reason: "must not be empty") }
            token = given
            source = "given"
        case .mint:
            token = try await target.mintConversionToken().accessToken
            source = "minted"
        }
        guard let record = try await store.connection(id: target.connectionID) else {
            throw UnknownObject("connection", id: target.connectionID)
        }
        let fingerprint = TokenVault.fingerprint(token)
        try await store.setConversionToken(
            ConversionTokenRecord(
                adAccountID: target.adAccountID, connectionID: target.connectionID,
                tokenSealed: try vault.seal(token, context: "\(record.userKey) conversion \(target.adAccountID)"), fingerprint: fingerprint,
                source: source, updatedAt: clock.now()))
        logger.notice("conversion token stored", metadata: ["ad_account_id": "\(target.adAccountID)", "source": "\(source)"])
        return ConversionTokenState(adAccountID: target.adAccountID, hasConversionToken: true, fingerprint: fingerprint, source: source)
    }

    /// The ad account's conversion token, if it has one.
    public func conversionToken(adAccountID: String) async throws -> AccessToken? {
        if let cached = conversionTokens[adAccountID] { return cached }
        var token: AccessToken?
        if let stored = try await store.conversionToken(adAccountID: adAccountID), let record = try await store.connection(id: stored.connectionID) {
            token = AccessToken(
                try vault.open(stored.tokenSealed, context: "\(record.userKey) conversion \(adAccountID)"), subject: record.rateLimitKey)
        }
        conversionTokens[adAccountID] = .some(token)
        return token
    }

    /// Pinterest refused the conversion token: it is dropped, and events use OAuth again.
    public func dropConversionToken(adAccountID: String, reason: String) async throws {
        conversionTokens[adAccountID] = .some(nil)
        try await store.deleteConversionTokens(adAccountID: adAccountID)
        logger.error(
            "Pinterest refused the conversion token; it is dropped and events use the connection's OAuth token",
            metadata: ["ad_account_id": "\(adAccountID)", "reason": "\(reason)"])
    }
}
