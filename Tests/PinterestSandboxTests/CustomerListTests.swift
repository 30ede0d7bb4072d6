import Foundation
import PinterestSandbox
import Testing

@Suite("Customer lists and audiences")
struct CustomerListTests {
    static func hashes(_ range: Range<Int>) -> [String] { range.map { fakeSHA256("user-\($0)@example.com") } }

    @Test("create, ADD and REMOVE keep Pinterest's counters; status follows matched users")
    func counters() async throws {
        try await withSandbox({ $0.matchRate = 1.0 }) { sandbox, client in
            let token = sandbox.seedToken()
            let account = PinterestSandbox.account(token.adAccountIDs[0])
            let created = try await client.post(
                "\(account)/customer_lists",
                json: ["name": "buyers", "records": Self.hashes(0..<60).joined(separator: ","), "list_type": "EMAIL"],
                token: token.accessToken)
            #expect(created.status == 200)
            let list = created.object
            let id = try #require(list["id"] as? String)
            #expect(list["num_uploaded_user_records"] as? Int == 60)
            #expect(list["num_removed_user_records"] as? Int == 0)
            #expect(list["status"] as? String == "TOO_SMALL")
            #expect(list["type"] as? String == "customerlist")
            #expect(list["ad_account_id"] as? String == token.adAccountIDs[0])

            // ADD 40 of which 10 are already in the list: uploaded counts all 40, matched grows by 30 to 90.
            let added = try await client.send(
                "PATCH", "\(account)/customer_lists/\(id)",
                body: .json(["operation_type": "ADD", "records": Self.hashes(50..<90).joined(separator: ",")]),
                auth: .bearer(token.accessToken))
            #expect(added.status == 200)
            #expect(added.object["num_uploaded_user_records"] as? Int == 100)
            #expect(added.object["status"] as? String == "TOO_SMALL")

            // 30 more make 120 matched users: READY.
            let more = try await client.send(
                "PATCH", "\(account)/customer_lists/\(id)",
                body: .json(["operation_type": "ADD", "records": Self.hashes(90..<120).joined(separator: ",")]),
                auth: .bearer(token.accessToken))
            #expect(more.object["status"] as? String == "READY")

            // REMOVE 30, of which 5 are not in the list: removed counts all 30, 95 users remain.
            let removed = try await client.send(
                "PATCH", "\(account)/customer_lists/\(id)",
                body: .json(["operation_type": "REMOVE", "records": Self.hashes(95..<125).joined(separator: ",")]),
                auth: .bearer(token.accessToken))
            #expect(removed.status == 200)
            #expect(removed.object["num_removed_user_records"] as? Int == 30)
            #expect(removed.object["num_uploaded_user_records"] as? Int == 130)
            #expect(removed.object["num_batches"] as? Int == 4)
            #expect(removed.object["status"] as? String == "TOO_SMALL")

            let fetched = try await client.get("\(account)/customer_lists/\(id)", token: token.accessToken)
            #expect(fetched.object["num_removed_user_records"] as? Int == 30)
            let listed = try await client.get("\(account)/customer_lists", token: token.accessToken)
            #expect(listed.items.compactMap { $0["id"] as? String } == [id])

            let stats = sandbox.stats()
            #expect(stats.customerListRecordsReceived == 60 + 40 + 30 + 30)
            #expect(stats.customerLists == 1)
        }
    }

    @Test("matchRate decides matches deterministically per record")
    func matchRate() async throws {
        let records = Self.hashes(0..<400).joined(separator: ",")
        func status(rate: Double) async throws -> (String?, Int?) {
            try await withSandbox({ $0.matchRate = rate }) { sandbox, client in
                let token = sandbox.seedToken()
                let account = PinterestSandbox.account(token.adAccountIDs[0])
                let list = try await client.post(
                    "\(account)/customer_lists", json: ["name": "l", "records": records], token: token.accessToken)
                let listID = try #require(list.object["id"] as? String)
                let audience = try await client.post(
                    "\(account)/audiences",
                    json: ["name": "a", "audience_type": "CUSTOMER_LIST", "rule": ["customer_list_id": listID]],
                    token: token.accessToken)
                return (list.object["status"] as? String, audience.object["size"] as? Int)
            }
        }
        let none = try await status(rate: 0)
        #expect(none.0 == "TOO_SMALL")
        #expect(none.1 == 0)
        let all = try await status(rate: 1)
        #expect(all.0 == "READY")
        #expect(all.1 == 400)
        let some = try await status(rate: 0.5)
        let again = try await status(rate: 0.5)
        #expect(some.1 == again.1)
        let size = try #require(some.1)
        #expect((140...260).contains(size))
    }

    @Test("records must be lowercase emails or hex hashes; MAID lists take hashes only")
    func recordFormats() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let account = PinterestSandbox.account(token.adAccountIDs[0])
            func create(_ records: String, type: String = "EMAIL") async throws -> TestResponse {
                try await client.post(
                    "\(account)/customer_lists", json: ["name": "x", "records": records, "list_type": type],
                    token: token.accessToken)
            }
            #expect(try await create("a@example.com, b@example.com").status == 200)
            #expect(try await create(String(repeating: "ab", count: 20)).status == 200)
            #expect(try await create("Alice@Example.com").status == 400)
            #expect(try await create(String(repeating: "AB", count: 32)).status == 400)
            #expect(try await create("38400000-8cf0-11bd-b23e-10b96e40000d").status == 400)
            #expect(try await create(fakeSHA256("maid"), type: "MAID").status == 200)
            #expect(try await create("a@example.com", type: "MAID").status == 400)
            #expect(try await create("x", type: "PHONE").status == 400)
            let missing = try await client.post("\(account)/customer_lists", json: ["name": "x"], token: token.accessToken)
            #expect(missing.status == 400)
            #expect(missing.code == 1)
            let malformed = try await client.send(
                "POST", "\(account)/customer_lists", body: .rawJSON("{\"name\": "), auth: .bearer(token.accessToken))
            #expect(malformed.status == 400)
            #expect(malformed.code == 1)
        }
    }

    @Test("audiences reference customer lists of the same ad account")
    func audiences() async throws {
        try await withSandbox({ $0.matchRate = 1.0 }) { sandbox, client in
            let token = sandbox.seedToken()
            let account = PinterestSandbox.account(token.adAccountIDs[0])
            let otherAccount = PinterestSandbox.account(token.adAccountIDs[1])
            let list = try await client.post(
                "\(account)/customer_lists", json: ["name": "l", "records": Self.hashes(0..<150).joined(separator: ",")],
                token: token.accessToken)
            let listID = try #require(list.object["id"] as? String)

            let audience = try await client.post(
                "\(account)/audiences",
                json: [
                    "name": "buyers", "audience_type": "CUSTOMER_LIST", "rule": ["customer_list_id": listID],
                    "description": "people who bought",
                ], token: token.accessToken)
            #expect(audience.status == 200)
            #expect(audience.object["size"] as? Int == 150)
            #expect(audience.object["status"] as? String == "READY")
            #expect(audience.object["type"] as? String == "audience")
            let audienceID = try #require(audience.object["id"] as? String)
            #expect((audience.object["rule"] as? [String: Any])?["customer_list_id"] as? String == listID)

            let elsewhere = try await client.post(
                "\(otherAccount)/audiences",
                json: ["name": "x", "audience_type": "CUSTOMER_LIST", "rule": ["customer_list_id": listID]],
                token: token.accessToken)
            #expect(elsewhere.status == 400)
            let badType = try await client.post(
                "\(account)/audiences", json: ["name": "x", "audience_type": "customer_list", "rule": [:] as [String: Any]],
                token: token.accessToken)
            #expect(badType.status == 400)

            // The audience follows its list.
            _ = try await client.send(
                "PATCH", "\(account)/customer_lists/\(listID)",
                body: .json(["operation_type": "REMOVE", "records": Self.hashes(0..<100).joined(separator: ",")]),
                auth: .bearer(token.accessToken))
            let fetched = try await client.get("\(account)/audiences/\(audienceID)", token: token.accessToken)
            #expect(fetched.object["size"] as? Int == 50)
            #expect(fetched.object["status"] as? String == "TOO_SMALL")
            let listed = try await client.get("\(account)/audiences", token: token.accessToken)
            #expect(listed.items.count == 1)
            #expect(try await client.get("\(account)/audiences/1", token: token.accessToken).status == 404)
        }
    }
}
