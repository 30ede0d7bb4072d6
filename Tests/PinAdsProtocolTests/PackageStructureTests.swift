import Foundation
import Testing

/// The rules of the code's shape (ARCHITECTURE.md, issue 15), checked on the sources themselves
/// so a change that breaks one fails here rather than in a review:
/// - the wire (`PinAdsProtocol`) is known to the clients and to the daemon's edge only: never to
///   the Pinterest client or the store, neither by import nor in Package.swift;
/// - no source file over 500 lines, no function over 80 lines (the sandbox's specification
///   tables excepted).
@Suite("Package structure")
struct PackageStructureTests {
    /// The package's root: this file is `Tests/PinAdsProtocolTests/PackageStructureTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The daemon's edge: the only folders of PinAdsDaemon that speak the wire.
    static let daemonEdge = ["Sources/PinAdsDaemon/Server/", "Sources/PinAdsDaemon/Methods/"]

    static func swiftFiles(under folder: String) throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var files: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let relative = folder + "/" + url.path.dropFirst(base.path.count + 1)
            files.append((relative, try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    static func importsTheWire(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            return words.contains("import") && words.last == "PinAdsProtocol"
        }
    }

    @Test(arguments: ["Sources/PinterestAPI", "Sources/PinAdsStore"])
    func theWireStaysOutOf(_ folder: String) throws {
        let files = try Self.swiftFiles(under: folder)
        #expect(!files.isEmpty, "no sources found under \(folder)")
        for file in files {
            #expect(!Self.importsTheWire(file.text), "\(file.path) imports PinAdsProtocol: speak in the module's own types")
        }
    }

    @Test func packageSwiftGivesTheWireToNeitherThePinterestClientNorTheStore() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        for target in ["PinterestAPI", "PinAdsStore"] {
            let declaration = try #require(Self.targetDeclaration(target, in: manifest), "no .target(name: \"\(target)\") in Package.swift")
            #expect(!declaration.contains("\"PinAdsProtocol\""), "\(target) depends on PinAdsProtocol in Package.swift")
        }
    }

    @Test func theDaemonSpeaksTheWireOnlyAtItsEdge() throws {
        for file in try Self.swiftFiles(under: "Sources/PinAdsDaemon") where Self.importsTheWire(file.text) {
            #expect(
                Self.daemonEdge.contains { file.path.hasPrefix($0) },
                "\(file.path) imports PinAdsProtocol; outside Server/ and Methods/ the daemon speaks its own types")
        }
    }

    @Test func responseErrorsAreBuiltOnlyAtTheEdge() throws {
        for file in try Self.swiftFiles(under: "Sources/PinAdsDaemon") where !Self.daemonEdge.contains(where: { file.path.hasPrefix($0) }) {
            #expect(!file.text.contains("ResponseError"), "\(file.path) names ResponseError; throw a domain error, translated at the edge")
        }
    }

    @Test func noSourceFileIsOver500Lines() throws {
        for file in try Self.swiftFiles(under: "Sources") {
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 500, "\(file.path) has \(lines) lines; split it (Type+Feature.swift)")
        }
    }

    @Test func noFunctionIsOver80Lines() throws {
        for file in try Self.swiftFiles(under: "Sources") where !Self.isSpecificationTable(file.path) {
            for function in Self.functions(in: file.text) {
                #expect(function.lines <= 80, "\(file.path):\(function.line) \(function.name) has \(function.lines) lines")
            }
        }
    }

    /// The sandbox's tables of Pinterest's rules read best whole.
    static func isSpecificationTable(_ path: String) -> Bool {
        path.hasPrefix("Sources/PinterestSandbox/") && (path.contains("/Spec/") || path.hasSuffix("Rules.swift") || path.hasSuffix("Spec.swift"))
    }

    /// `.target(name: "X", …)` up to its closing parenthesis.
    static func targetDeclaration(_ name: String, in manifest: String) -> String? {
        guard let start = manifest.range(of: "name: \"\(name)\"") else { return nil }
        var depth = 1
        var index = start.upperBound
        while index < manifest.endIndex, depth > 0 {
            if manifest[index] == "(" { depth += 1 }
            if manifest[index] == ")" { depth -= 1 }
            index = manifest.index(after: index)
        }
        return String(manifest[start.lowerBound..<index])
    }

    struct Function {
        var name: String
        var line: Int
        var lines: Int
    }

    /// Functions and initializers: from the line of the declaration to the line of the brace
    /// that closes its body. Braces in string literals and comments are skipped; a declaration
    /// without a body (a protocol's requirement) is dropped at the next declaration or `}`.
    static func functions(in text: String) -> [Function] {
        var found: [Function] = []
        var open: [(name: String, line: Int, depth: Int)] = []
        var pending: (name: String, line: Int)?
        var depth = 0
        var inBlockComment = false
        var inMultilineString = false
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !inBlockComment && !inMultilineString {
                if let name = declaredFunction(trimmed) {
                    pending = (name, number)
                } else if startsAnotherDeclaration(trimmed) {
                    pending = nil
                }
            }
            var inString = false
            var escaped = false
            var index = line.startIndex
            while index < line.endIndex {
                let character = line[index]
                let rest = line[index...]
                if inBlockComment {
                    if rest.hasPrefix("*/") { inBlockComment = false; index = line.index(after: index) }
                } else if inMultilineString {
                    if rest.hasPrefix("\"\"\"") { inMultilineString = false; index = line.index(index, offsetBy: 2) }
                } else if inString {
                    if character == "\"" && !escaped { inString = false }
                    escaped = character == "\\" && !escaped
                } else if rest.hasPrefix("//") {
                    break
                } else if rest.hasPrefix("/*") {
                    inBlockComment = true
                } else if rest.hasPrefix("\"\"\"") {
                    inMultilineString = true
                    index = line.index(index, offsetBy: 2)
                } else if character == "\"" {
                    inString = true
                    escaped = false
                } else if character == "{" {
                    depth += 1
                    if let function = pending {
                        open.append((function.name, function.line, depth))
                        pending = nil
                    }
                } else if character == "}" {
                    pending = nil
                    if let last = open.last, last.depth == depth {
                        found.append(Function(name: last.name, line: last.line, lines: number - last.line + 1))
                        open.removeLast()
                    }
                    depth -= 1
                }
                index = line.index(after: index)
            }
        }
        return found
    }

    static func startsAnotherDeclaration(_ line: String) -> Bool {
        let words = line.split(whereSeparator: \.isWhitespace).filter { !modifiers.contains(String($0)) && !$0.hasPrefix("@") }
        guard let first = words.first else { return false }
        return ["struct", "class", "enum", "extension", "actor", "protocol", "var", "let", "case", "typealias", "associatedtype"].contains(String(first))
    }

    static let modifiers: Set<String> = [
        "public", "private", "fileprivate", "internal", "package", "static", "nonisolated", "override", "mutating", "final",
        "convenience", "required", "indirect", "lazy", "weak", "unowned", "private(set)", "public(set)", "nonisolated(unsafe)",
    ]

    /// The name a line declares with `func` or `init`, after any modifiers and attributes.
    static func declaredFunction(_ line: String) -> String? {
        let words = line.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == "<" })
        for (index, word) in words.enumerated() {
            if word == "func" { return index + 1 < words.count ? String(words[index + 1]) : nil }
            if word == "init" || word == "init?" { return "init" }
            if !modifiers.contains(String(word)) && !word.hasPrefix("@") { return nil }
        }
        return nil
    }
}
