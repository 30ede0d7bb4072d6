import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - JSON given on the command line or in files

/// Checks that read files run in `run()`, not `validate()` (standard input can be read once); a
/// ValidationError there ends the program as a usage error would.
enum Usage {
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            Output.printError(error.message)
            throw ExitCode(64)
        }
    }
}

enum JSONInput {
    /// The bytes with a space after them, for Foundation's JSON parsers: a text that ends just as
    /// it opens its 513th nested array (513 `[`) makes them trap instead of throwing (Foundation
    /// on Linux, Swift 6). Trailing whitespace is still the same JSON.
    static func padded(_ data: Data) -> Data { data + Data(" ".utf8) }

    /// Decodes a file (- for standard input) in the protocol's shape, refusing fields the type
    /// does not know: a misspelt field would otherwise vanish.
    static func load<T: Codable>(_ type: T.Type, path: String, flag: String, shape: String) throws -> T {
        let data: Data
        if path == "-" {
            data = padded(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw ValidationError("\(flag): cannot read \(path)") }
            data = padded(contents)
        }
        let name = "\(flag) \(path == "-" ? "(standard input)" : path)"
        let given: JSONValue
        do {
            given = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ValidationError("\(name) is not valid JSON\(JSONPlanError.position(data).map { " (\($0))" } ?? "")")
        }
        let value: T
        do {
            value = try Wire.decoder().decode(T.self, from: data)
        } catch {
            throw ValidationError("\(name) must hold \(shape): \(LaunchPlan.describe(error))")
        }
        let known = try JSONDecoder().decode(JSONValue.self, from: Wire.encoder().encode(value))
        let unknown = LaunchPlan.unknownFields(given, known: known, path: "")
        if !unknown.isEmpty {
            throw ValidationError(
                "\(name): unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); names are the protocol's (snake_case)")
        }
        return value
    }
}
