import Foundation
import PinterestAPI

/// The `user_data` fields Pinterest takes as SHA-256 of a normalized value (NOTES §8.3), other
/// than emails and device ids (the audiences' `MemberNormalizer` does those): how each is
/// normalized before hashing. A value that is already 64 hex digits is taken as hashed and kept
/// (lowercased).
enum HashedField: String, CaseIterable, Sendable {
    case ph, fn, ln, ge, db, ct, st, zp, country
    case externalID = "external_id"

    /// `value` as Pinterest hashes it, or why it cannot be.
    func normalize(_ value: String) -> Result<String, ConversionNormalizer.Rejection> {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .failure(reject("is empty")) }
        switch self {
        case .ph:
            // Digits only, with the country code, no leading zeros; 7–15 digits is E.164's
            // range, a sanity rule of ours.
            var digits = Self.asciiDigits(trimmed)
            while digits.hasPrefix("0") { digits.removeFirst() }
            guard (7...15).contains(digits.count) else { return .failure(reject("needs 7 to 15 digits with the country code")) }
            return .success(digits)
        case .fn, .ln:
            return .success(trimmed.lowercased())
        case .ge:
            let gender = trimmed.lowercased()
            guard ["f", "m", "n"].contains(gender) else { return .failure(reject("must be f, m or n, got '\(gender.prefix(10))'")) }
            return .success(gender)
        case .db:
            return Self.birthDate(trimmed).map(Result.success) ?? .failure(reject("must be a date of birth as YYYYMMDD or YYYY-MM-DD"))
        case .ct:
            // Lowercase, no spaces or punctuation.
            let city = String(trimmed.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
            guard !city.isEmpty else { return .failure(reject("has no letters")) }
            return .success(city)
        case .st, .country:
            let code = trimmed.lowercased()
            guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                return .failure(reject(self == .st ? "must be a two-letter state code such as ca" : "must be an ISO 3166 two-letter code such as us"))
            }
            return .success(code)
        case .zp:
            let digits = Self.asciiDigits(trimmed)
            guard !digits.isEmpty else { return .failure(reject("needs digits (Pinterest hashes the zip code's digits)")) }
            return .success(digits)
        case .externalID:
            return .success(trimmed)
        }
    }

    private func reject(_ why: String) -> ConversionNormalizer.Rejection {
        ConversionNormalizer.Rejection("\(rawValue): \(why)")
    }

    private static func asciiDigits(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && $0.properties.numericType == .decimal }.map(Character.init))
    }

    /// `YYYYMMDD` from `YYYYMMDD` or `YYYY-MM-DD` (also with `/` or `.`), when it is a date.
    static func birthDate(_ text: String) -> String? {
        let digits = asciiDigits(text)
        guard digits.count == 8, text.count == 8 || text.count == 10 else { return nil }
        let bytes = Array(digits.utf8).map { Int($0) - 48 }
        let year = bytes[0] * 1000 + bytes[1] * 100 + bytes[2] * 10 + bytes[3]
        let month = bytes[4] * 10 + bytes[5], day = bytes[6] * 10 + bytes[7]
        guard (1900...2100).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        return digits
    }

    /// 64 hex digits: a value hashed already.
    static func isHashed(_ value: String) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

extension ConversionNormalizer {
    /// Who did it: every identifier hashed, the plain fields trimmed, and at least one way to
    /// match the event.
    func userData(_ person: SubmittedConversion.Person) throws(Rejection) -> ConversionEvent.UserData {
        var data = ConversionEvent.UserData()
        data.em = try members(person.emails, emails, field: "email")
        data.hashedMaids = try members(person.hashedMaids, devices, field: "hashed_maids")
        data.ph = try hashed(person.phones, .ph)
        data.fn = try hashed(person.firstNames, .fn)
        data.ln = try hashed(person.lastNames, .ln)
        data.ge = try hashed(person.genders, .ge)
        data.db = try hashed(person.birthDates, .db)
        data.ct = try hashed(person.cities, .ct)
        data.st = try hashed(person.states, .st)
        data.zp = try hashed(person.zipCodes, .zp)
        data.country = try hashed(person.countries, .country)
        data.externalID = try hashed(person.externalIDs, .externalID)
        data.clientIPAddress = plain(person.clientIPAddress)
        data.clientUserAgent = plain(person.clientUserAgent)
        data.clickID = plain(person.clickID)
        data.partnerID = plain(person.partnerID)
        guard data.em != nil || data.hashedMaids != nil || (data.clientIPAddress != nil && data.clientUserAgent != nil) else {
            throw Rejection("user_data: needs an email, hashed_maids, or client_ip_address with client_user_agent")
        }
        return data
    }

    private func members(_ values: [String], _ normalizer: MemberNormalizer, field: String) throws(Rejection) -> [String]? {
        guard !values.isEmpty else { return nil }
        var hashes: [String] = []
        hashes.reserveCapacity(values.count)
        for raw in values {
            switch normalizer.hash(raw) {
            case .success(let hash): hashes.append(hash)
            case .failure(let why): throw Rejection("\(field): \(why)")
            }
        }
        return hashes
    }

    private func hashed(_ values: [String], _ field: HashedField) throws(Rejection) -> [String]? {
        guard !values.isEmpty else { return nil }
        var hashes: [String] = []
        hashes.reserveCapacity(values.count)
        for raw in values {
            let value = raw.trimmingCharacters(in: .whitespaces)
            if HashedField.isHashed(value) {
                hashes.append(value.lowercased())
                continue
            }
            switch field.normalize(raw) {
            case .success(let normalized): hashes.append(hasher.hex(normalized))
            case .failure(let rejection): throw rejection
            }
        }
        return hashes
    }

    private func plain(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
