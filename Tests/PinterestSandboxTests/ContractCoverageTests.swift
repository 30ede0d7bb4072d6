import Foundation
import PinterestSandbox
import Testing

/// The OAuth and Business Access flows, recorded and checked against Pinterest's OpenAPI
/// description by `contrib/contract/validate_traffic.py` (as `PinterestAPITests`'s contract test
/// does for the client's scenarios): `oauth/token` with `authorization_code`, `user_account/get`
/// (the token's user, an account's owner, the 403) and `ad_accounts/list` with shared accounts.
/// The browser step (`GET /oauth/`) is not a `/v5` operation: it never reaches the record.
@Suite("Contract: OAuth and Business Access traffic against Pinterest's OpenAPI description")
struct ContractCoverageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let spec = repository.deletingLastPathComponent().appendingPathComponent("shared/pinterest-api/openapi.yaml").path
    static let python = repository.appendingPathComponent(".build/contract-venv/bin/python").path
    static let validator = repository.appendingPathComponent("contrib/contract/validate_traffic.py").path

    /// Drives every exchange the contract check must see.
    static func drive(_ sandbox: PinterestSandbox, _ client: TestHTTPClient) async throws {
        let code = try AuthorizeTests.code(sandbox)
        let exchanged = try await AuthorizeTests.exchange(client, code)
        #expect(exchanged.status == 200)
        let refresh = try #require(exchanged.object["refresh_token"] as? String)
        _ = try await client.send(
            "POST", "/v5/oauth/token", body: .form([("grant_type", "refresh_token"), ("refresh_token", refresh)]),
            auth: AuthorizeTests.app)

        let owner = sandbox.seedToken(adAccounts: 2)
        let agency = try sandbox.seedToken(adAccounts: 1, shareAdAccounts: [owner.adAccountIDs[1]])
        let euro = try sandbox.seedToken(adAccounts: 1, currency: "EUR")
        let shared = owner.adAccountIDs[1]
        let token = agency.accessToken
        #expect(try await client.get("/v5/user_account", token: token).status == 200)
        #expect(try await client.get("/v5/user_account", query: [("ad_account_id", shared)], token: token).status == 200)
        #expect(try await client.get("/v5/user_account", query: [("ad_account_id", owner.adAccountIDs[0])], token: token).status == 403)
        #expect(try await client.get("/v5/ad_accounts", token: token).items.count == 2)
        #expect(try await client.get("/v5/ad_accounts", query: [("include_shared_accounts", "false")], token: token).status == 200)
        #expect(try await client.get("/v5/ad_accounts", query: [("page_size", "1")], token: token).status == 200)
        #expect(try await client.get("/v5/ad_accounts", token: euro.accessToken).status == 200)
        #expect(try await client.get(PinterestSandbox.account(shared), token: token).status == 200)
        let events = [
            EventTests.event("c1"), EventStrictnessTests.custom("c2", ["value": "-1"]),
            EventStrictnessTests.event("c3") { $0["device_info"] = ["form_factor": "cellphone", "os_family": "android"] },
        ]
        #expect(try await client.post(PinterestSandbox.account(shared) + "/events", json: ["data": events], token: token).status == 200)

        let narrow = try AuthorizeTests.code(sandbox, scope: "ads:read")
        let narrowToken = try await AuthorizeTests.exchange(client, narrow).object["access_token"] as? String ?? ""
        let refused = try await client.post(
            PinterestSandbox.account(shared) + "/events", json: ["data": [EventTests.event("c4")]], token: narrowToken)
        #expect(refused.status == 401)
    }

    @Test("the recorded exchanges are /v5 operations only, and conform to the spec")
    func recordedTrafficConforms() async throws {
        let folder = NSTemporaryDirectory() + "pinads-sandbox-contract-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let traffic = folder + "/traffic.jsonl"
        let base = try await withSandbox({ $0.recordPath = traffic }) { sandbox, client in
            try await Self.drive(sandbox, client)
            return sandbox.baseURL
        }
        let records = try String(contentsOfFile: traffic, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 13)
        #expect(records.allSatisfy { ($0["path"] as? String)?.hasPrefix("/v5/") == true }, "GET /oauth/ is not recorded")
        #expect(records.contains { ($0["request_body"] as? String)?.contains("grant_type=authorization_code") == true })
        #expect(records.contains { $0["path"] as? String == "/v5/user_account" && $0["status"] as? Int == 403 })

        guard FileManager.default.fileExists(atPath: Self.spec), FileManager.default.isExecutableFile(atPath: Self.python)
        else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("the contract virtualenv or the spec is missing: contrib/scripts/test.sh makes .build/contract-venv")
            }
            print("contract check of the sandbox's OAuth and Business Access traffic skipped: no spec or no .build/contract-venv")
            return
        }
        let report = try await Self.validate(traffic: traffic, base: base, folder: folder)
        #expect(report.status == 0, "contract violations:\n\(report.text.suffix(6000))")
        #expect(report.text.contains("contract: \(records.count) passed, 0 failed"), "\(report.text.suffix(2000))")
        for operation in ["oauth/token POST", "user_account/get GET", "ad_accounts/list GET", "events/create POST"] {
            #expect(report.text.contains(operation), "\(operation) was not checked")
        }
    }

    static func validate(traffic: String, base: String, folder: String) async throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [validator, "--spec", spec, "--traffic", traffic, "--server-base", base]
        let output = folder + "/report.txt"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
