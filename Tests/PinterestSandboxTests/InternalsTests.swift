import Testing

@testable import PinterestSandbox

@Suite("Internals: JSON, dates, forms, routing")
struct InternalsTests {
    @Test("JSON keeps integers exact, tells 1 from 1.0, and round-trips escapes")
    func json() throws {
        let value = try JSONValue.parse(#"{"id":687195134316007919,"f":1.0,"n":-0,"s":"a\"b\\c\u00e9\ud83d\ude00\n","a":[true,null]}"#)
        #expect(value["id"] == .int(687_195_134_316_007_919))
        #expect(value["f"] == .double(1.0))
        #expect(value["n"] == .int(0))
        #expect(value["s"] == .string("a\"b\\cé😀\n"))
        #expect(value["a"] == .array([.bool(true), .null]))
        // Integral doubles are written without a fraction, as Pinterest writes them ("SPEND_IN_DOLLAR":30).
        #expect(value.serialized().contains(#""f":1,"#))
        let exact: JSONValue = ["id": .int(Int64.max), "s": "tab\t\u{01}", "d": 0.25, "o": [:]]
        #expect(try JSONValue.parse(exact.serialized()) == exact)
        #expect(JSONValue.object(JSONObject(["b": 1, "a": 2])).serialized() == #"{"b":1,"a":2}"#)
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\u{01}\"", "tru", "1 2", "\"\\ud800\""] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
        }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test("civil dates parse strictly and count days across months and leap years")
    func civilDates() {
        #expect(CivilDate("1970-01-01")?.day == 0)
        #expect(CivilDate("2024-02-29").map { ($0 + 1).text } == "2024-03-01")
        #expect(CivilDate("2023-02-29") == nil)
        #expect(CivilDate("2024-1-01") == nil)
        #expect(CivilDate(unixSeconds: 86_399).text == "1970-01-01")
        #expect(CivilDate(unixSeconds: -1).text == "1969-12-31")
        #expect(CivilDate("2024-12-15")?.firstOfNextMonth.text == "2025-01-01")
    }

    @Test("form coding decodes + and %XX and re-encodes")
    func forms() {
        let items = FormCoding.decode("grant_type=refresh_token&scope=ads%3Aread+ads%3Awrite&flag")
        #expect(items.map(\.name) == ["grant_type", "scope", "flag"])
        #expect(items[1].value == "ads:read ads:write")
        #expect(FormCoding.encode([(name: "a b", value: "x/y*")]) == "a+b=x%2Fy*")
        #expect(TrafficRecorder.redactForm("grant_type=refresh_token&refresh_token=pinr_x") == "grant_type=refresh_token&refresh_token=***")
    }

    @Test("routes resolve to the spec's operationIds")
    func routes() {
        func op(_ method: String, _ path: String) -> String? {
            (try? Router.match(method: method, path: path).get())?.operation.rawValue
        }
        #expect(op("POST", "/v5/oauth/token") == "oauth/token")
        #expect(op("GET", "/v5/ad_accounts/1/campaigns/analytics") == "campaigns/analytics")
        #expect(op("GET", "/v5/ad_accounts/1/campaigns/2") == "campaigns/get")
        #expect(op("PATCH", "/v5/ad_accounts/1/customer_lists/2") == "customer_lists/update")
        #expect(op("POST", "/v5/ad_accounts/1/events") == "events/create")
        #expect(op("GET", "/v5/ad_accounts/abc") == nil)
        #expect(op("GET", "/v5/ad_accounts/1234567890123456789") == nil)
        #expect(op("PATCH", "/v5/ad_accounts/1/campaigns") == "campaigns/update")
        #expect(op("PATCH", "/v5/ad_accounts/1/ad_groups") == "ad_groups/update")
        #expect(op("PATCH", "/v5/ad_accounts/1/ads") == "ads/update")
        #expect(op("GET", "/v5/ad_accounts/1/ad_groups/analytics") == "ad_groups/analytics")
        #expect(op("GET", "/v5/ad_accounts/1/ads/analytics") == "ads/analytics")
        #expect(op("POST", "/v5/ad_accounts/1/conversion_tags") == "conversion_tags/create")
        #expect(op("GET", "/v5/ad_accounts/1/conversion_tags") == "conversion_tags/list")
        #expect(op("GET", "/v5/ad_accounts/1/conversion_tags/2") == "conversion_tags/get")
        #expect(op("GET", "/v5/ad_accounts/1/keywords") == "keywords/get")
        #expect(op("POST", "/v5/ad_accounts/1/keywords") == "keywords/create")
        #expect(op("PATCH", "/v5/ad_accounts/1/keywords") == "keywords/update")
        #expect(op("GET", "/v5/ad_accounts/1/audiences/analytics") == nil)
        // The spec has GET, PATCH and POST on /ads (PATCH is ads/update).
        #expect(Router.match(method: "PUT", path: "/v5/ad_accounts/1/ads") == .failure(.methodNotAllowed(allowed: ["GET", "PATCH", "POST"])))
        #expect(Router.match(method: "POST", path: "/v5/ad_accounts/1/ads/analytics") == .failure(.methodNotAllowed(allowed: ["GET"])))
        #expect(Router.match(method: "DELETE", path: "/v5/ad_accounts/1/conversion_tags/2") == .failure(.methodNotAllowed(allowed: ["GET"])))
    }

    @Test("bookmarks page by last id in either order")
    func pagination() throws {
        let ids = (1...7).map { String(100 + $0) }
        var request = try PageRequest(QueryParameters([(name: "page_size", value: "3")]))
        let first = request.page(of: ids)
        #expect(first.ids == ["101", "102", "103"])
        request.afterID = first.bookmark.flatMap(PageRequest.decodeBookmark)
        #expect(request.page(of: ids).ids == ["104", "105", "106"])
        let descending = try PageRequest(
            QueryParameters([(name: "page_size", value: "5"), (name: "order", value: "DESCENDING")]))
        let page = descending.page(of: ids)
        #expect(page.ids == ["107", "106", "105", "104", "103"])
        #expect(page.bookmark != nil)
    }

    @Test("the sandbox's own SHA-256 matches the FIPS 180-4 vectors and every padding boundary")
    func sha256() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // 55, 56, 64 and 119 bytes: the length fits / does not fit the last block, a full block.
        #expect(SHA256.hex(String(repeating: "x", count: 55)) == "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072")
        #expect(SHA256.hex(String(repeating: "x", count: 56)) == "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e")
        #expect(SHA256.hex(String(repeating: "x", count: 64)) == "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c")
        #expect(SHA256.hex(String(repeating: "x", count: 119)) == "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c")
        // Fed in uneven pieces, a million "a".
        var hasher = SHA256()
        var fed = 0
        var piece = 1
        while fed < 1_000_000 {
            let size = min(piece, 1_000_000 - fed)
            hasher.update(repeatElement(UInt8(ascii: "a"), count: size))
            fed += size
            piece = piece % 997 + 13
        }
        #expect(SHA256.hexString(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // records_digest: sorted by UTF-8 bytes (a decomposed "é" sorts before "f", unlike String's
        // order), joined with "\n", no trailing newline.
        let sorted = SandboxCustomerList.sortedByBytes(["beta", "Zeta", "f", "e\u{0301}", "alpha", "\u{00C9}clair"])
        #expect(sorted.map { Array($0.utf8) } == ["Zeta", "alpha", "beta", "e\u{0301}", "f", "\u{00C9}clair"].map { Array($0.utf8) })
        #expect(
            SandboxCustomerList.digest(ofSortedRecords: sorted)
                == "6bd0492b4b7cdaf7594542069bf4c5a4711f0177e97b033d4f6e8d4baf499a3a")
        #expect(SandboxCustomerList.digest(ofSortedRecords: []) == SHA256.hex(""))
    }
}
