import Foundation
import PinterestSandbox
import Testing

/// The SHA-256 of `text` computed outside the sandbox, by the system's `sha256sum` (or
/// `shasum -a 256` on macOS), so the digest check does not lean on the sandbox's own hashing.
func externalSHA256(_ text: String) throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-digest-\(UUID().uuidString)")
    try Data(text.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    #if os(macOS)
    process.arguments = ["shasum", "-a", "256", file.path]
    #else
    process.arguments = ["sha256sum", file.path]
    #endif
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let line = String(decoding: data, as: UTF8.self)
    return String(line.prefix { !$0.isWhitespace })
}

/// Sorted by UTF-8 bytes, as `records` and `records_digest` are.
func byteSorted(_ records: [String]) -> [String] {
    records.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
}

@Suite("Control API: customer lists")
struct CustomerListControlTests {
    static func hashes(_ range: Range<Int>) -> [String] { CustomerListTests.hashes(range) }

    @Test("GET /_sandbox/customer_lists shows record counts, counters and a digest of what landed")
    func listsOverHTTP() async throws {
        try await withSandbox({ $0.matchRate = 1.0 }) { sandbox, client in
            let token = sandbox.seedToken(adAccounts: 2)
            let account = PinterestSandbox.account(token.adAccountIDs[0])
            let otherAccount = PinterestSandbox.account(token.adAccountIDs[1])
            func patch(_ id: String, _ operation: String, _ records: [String]) async throws -> TestResponse {
                try await client.send(
                    "PATCH", "\(account)/customer_lists/\(id)",
                    body: .json(["operation_type": operation, "records": records.joined(separator: ",")]),
                    auth: .bearer(token.accessToken))
            }

            // 60 distinct hashes, 5 of them sent twice.
            let created = try await client.post(
                "\(account)/customer_lists",
                json: ["name": "buyers", "records": (Self.hashes(0..<60) + Self.hashes(0..<5)).joined(separator: ",")],
                token: token.accessToken)
            #expect(created.status == 200)
            let buyers = try #require(created.object["id"] as? String)
            #expect(try await patch(buyers, "ADD", Self.hashes(50..<90)).status == 200)
            #expect(try await patch(buyers, "REMOVE", Self.hashes(80..<100)).status == 200)
            let expectedBuyers = byteSorted(Self.hashes(0..<80))

            let typed = try await client.post(
                "\(otherAccount)/customer_lists",
                json: ["name": "devices", "list_type": "MAID", "records": Self.hashes(200..<203).joined(separator: ",")],
                token: token.accessToken)
            let devices = try #require(typed.object["id"] as? String)
            // Any text goes in LR_ID lists: the order is by bytes (a decomposed "é" before "f").
            let mixed = ["beta", "Zeta", "f", "e\u{0301}", "alpha", "\u{00C9}clair"]
            let ramps = try #require(
                try await client.post(
                    "\(account)/customer_lists",
                    json: ["name": "ramps", "list_type": "LR_ID", "records": mixed.joined(separator: ", ")],
                    token: token.accessToken
                ).object["id"] as? String)
            let emptied = try #require(
                try await client.post(
                    "\(account)/customer_lists", json: ["name": "gone", "records": Self.hashes(300..<302).joined(separator: ",")],
                    token: token.accessToken
                ).object["id"] as? String)
            #expect(try await patch(emptied, "REMOVE", Self.hashes(300..<302)).status == 200)

            let all = try await client.control("GET", "/_sandbox/customer_lists")
            #expect(all.status == 200)
            let items = all.items
            let ids = items.compactMap { $0["id"] as? String }
            #expect(ids == [buyers, devices, ramps, emptied])
            #expect(ids == ids.sorted { ($0.count, $0) < ($1.count, $1) })
            #expect(items.allSatisfy { $0["records"] == nil })
            let keys: Set<String> = [
                "id", "ad_account_id", "name", "list_type", "record_count", "matched", "num_batches",
                "num_uploaded_user_records", "num_removed_user_records", "status", "records_digest",
            ]
            #expect(items.allSatisfy { Set($0.keys) == keys })

            let first = try #require(items.first)
            #expect(first["ad_account_id"] as? String == token.adAccountIDs[0])
            #expect(first["name"] as? String == "buyers")
            #expect(first["list_type"] as? String == "EMAIL")
            #expect(first["record_count"] as? Int == 80)
            #expect(first["matched"] as? Int == 80)
            #expect(first["num_batches"] as? Int == 3)
            #expect(first["num_uploaded_user_records"] as? Int == 65 + 40)
            #expect(first["num_removed_user_records"] as? Int == 20)
            #expect(first["status"] as? String == "TOO_SMALL")
            #expect(first["records_digest"] as? String == (try externalSHA256(expectedBuyers.joined(separator: "\n"))))

            #expect(items[1]["list_type"] as? String == "MAID")
            #expect(items[1]["ad_account_id"] as? String == token.adAccountIDs[1])
            #expect(items[1]["record_count"] as? Int == 3)
            #expect(items[2]["list_type"] as? String == "LR_ID")
            #expect(items[2]["records_digest"] as? String == "6bd0492b4b7cdaf7594542069bf4c5a4711f0177e97b033d4f6e8d4baf499a3a")
            #expect(items[2]["records_digest"] as? String == (try externalSHA256(byteSorted(mixed).joined(separator: "\n"))))
            #expect(items[3]["record_count"] as? Int == 0)
            #expect(items[3]["num_uploaded_user_records"] as? Int == 2)
            #expect(items[3]["num_removed_user_records"] as? Int == 2)
            #expect(items[3]["records_digest"] as? String == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

            // records=true adds the records, sorted by bytes.
            let withRecords = try await client.send("GET", "/_sandbox/customer_lists", query: [("records", "true")])
            #expect(withRecords.status == 200)
            #expect(withRecords.items.count == 4)
            #expect(withRecords.items.first?["records"] as? [String] == expectedBuyers)
            let ramped = try #require(withRecords.items[2]["records"] as? [String])
            #expect(ramped.map { Array($0.utf8) } == byteSorted(mixed).map { Array($0.utf8) })
            #expect(withRecords.items[3]["records"] as? [String] == [])
            let withoutRecords = try await client.send("GET", "/_sandbox/customer_lists", query: [("records", "false")])
            #expect(withoutRecords.items.allSatisfy { $0["records"] == nil })
            #expect(try await client.send("GET", "/_sandbox/customer_lists", query: [("records", "yes")]).status == 400)

            // The ad_account_id filter.
            let filtered = try await client.send(
                "GET", "/_sandbox/customer_lists", query: [("ad_account_id", token.adAccountIDs[1]), ("records", "true")])
            #expect(filtered.items.compactMap { $0["id"] as? String } == [devices])
            #expect(filtered.items.first?["records"] as? [String] == byteSorted(Self.hashes(200..<203)))
            let nobody = try await client.send("GET", "/_sandbox/customer_lists", query: [("ad_account_id", "1")])
            #expect(nobody.status == 200)
            #expect(nobody.items.isEmpty)
            #expect(try await client.control("POST", "/_sandbox/customer_lists").status == 405)

            // The Swift API says the same.
            let lists = sandbox.customerLists()
            #expect(lists.map(\.id) == ids)
            let swiftBuyers = try #require(lists.first)
            #expect(swiftBuyers.adAccountID == token.adAccountIDs[0])
            #expect(swiftBuyers.name == "buyers")
            #expect(swiftBuyers.listType == "EMAIL")
            #expect(swiftBuyers.recordCount == 80)
            #expect(swiftBuyers.matched == 80)
            #expect(swiftBuyers.numBatches == 3)
            #expect(swiftBuyers.numUploadedUserRecords == 105)
            #expect(swiftBuyers.numRemovedUserRecords == 20)
            #expect(swiftBuyers.status == "TOO_SMALL")
            #expect(swiftBuyers.records == expectedBuyers)
            #expect(swiftBuyers.recordsDigest == first["records_digest"] as? String)
            #expect(sandbox.customerLists(adAccountID: token.adAccountIDs[1]).map(\.id) == [devices])
            #expect(sandbox.customerLists(adAccountID: "1").isEmpty)

            // Stats keep working alongside; reset forgets the lists.
            let stats = try await client.control("GET", "/_sandbox/stats")
            #expect(stats.status == 200)
            #expect(stats.object["customer_lists"] as? Int == 4)
            #expect(stats.object["customer_list_records_received"] as? Int == 65 + 40 + 20 + 3 + 6 + 2 + 2)
            #expect(try await client.control("POST", "/_sandbox/reset").status == 200)
            let afterReset = try await client.control("GET", "/_sandbox/customer_lists")
            #expect(afterReset.status == 200)
            #expect(afterReset.object["items"] as? [Any] != nil)
            #expect(afterReset.items.isEmpty)
            #expect(sandbox.customerLists().isEmpty)
            #expect(try await client.control("GET", "/_sandbox/stats").object["customer_lists"] as? Int == 0)
        }
    }

    @Test("status and matched follow the match rate and the processing delay")
    func statusAndMatched() async throws {
        try await withSandbox({
            $0.matchRate = 0.5
            $0.customerListProcessingSeconds = 60
        }) { sandbox, client in
            let token = sandbox.seedToken(adAccounts: 1)
            let account = PinterestSandbox.account(token.adAccountIDs[0])
            let created = try await client.post(
                "\(account)/customer_lists", json: ["name": "half", "records": Self.hashes(0..<400).joined(separator: ",")],
                token: token.accessToken)
            #expect(created.status == 200)
            let list = try #require(sandbox.customerLists().first)
            #expect(list.recordCount == 400)
            #expect((140...260).contains(list.matched))
            #expect(list.status == created.object["status"] as? String)
            #expect(list.status == "PROCESSING")
            sandbox.advanceClock(by: 61)
            #expect(sandbox.customerLists().first?.status == "READY")
            let http = try await client.control("GET", "/_sandbox/customer_lists")
            #expect(http.items.first?["matched"] as? Int == list.matched)
            #expect(http.items.first?["status"] as? String == "READY")
        }
    }
}
