import Foundation
import Testing

/// Where the shared Pinterest description and the validator's virtualenv are.
enum ContractPaths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let spec = repository.deletingLastPathComponent().appendingPathComponent("shared/pinterest-api/openapi.yaml").path
    static let python = repository.appendingPathComponent(".build/contract-venv/bin/python").path
    static let validator = repository.appendingPathComponent("contrib/contract/validate_traffic.py").path

    static var specPresent: Bool { FileManager.default.fileExists(atPath: spec) }
    static var venvPresent: Bool { FileManager.default.isExecutableFile(atPath: python) }
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

/// Every request the client sends in the scenarios, and every answer of the sandbox, checked
/// against Pinterest's official OpenAPI description by openapi-core.
@Suite("Contract: recorded traffic against Pinterest's OpenAPI description")
struct ContractTests {
    @Test(.enabled(if: ContractPaths.specPresent, "../shared/pinterest-api/openapi.yaml is absent (a plain clone): contract check skipped"))
    func recordedTrafficConformsToTheSpec() async throws {
        guard ContractPaths.venvPresent else {
            if ContractPaths.inCI {
                Issue.record("the contract virtualenv is missing: contrib/scripts/test.sh makes it at .build/contract-venv")
            }
            // Outside CI without the venv: say so and stop.
            print("contract check skipped: no .build/contract-venv (run contrib/scripts/test.sh once)")
            return
        }
        let folder = NSTemporaryDirectory() + "pinads-contract-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let traffic = folder + "/traffic.jsonl"
        let h = try await SandboxHarness.start(recordPath: traffic)
        for scenario in ClientScenarios.all {
            try await scenario.run(h)
        }
        let base = h.sandbox.baseURL
        try await h.sandbox.shutdown()
        let lines = try String(contentsOfFile: traffic, encoding: .utf8).split(separator: "\n").count
        #expect(lines > 100, "the scenarios recorded \(lines) exchanges")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: ContractPaths.python)
        process.arguments = [ContractPaths.validator, "--spec", ContractPaths.spec, "--traffic", traffic, "--server-base", base]
        let output = folder + "/report.txt"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        let report = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "contract violations:\n\(report.suffix(6000))")
        #expect(report.contains(" 0 failed"), "\(report.suffix(2000))")
    }
}
