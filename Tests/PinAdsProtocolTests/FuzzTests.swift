import Foundation
import PinAdsProtocol
import Testing

/// Seeded random input for the frame decoder and the request envelope: every input either
/// decodes or fails with one of the documented errors (protocol/README.md §2 and §4), and
/// nothing crashes.
///
/// The default sizes keep a debug `swift test` short. For a long run:
///
///     PINADS_FUZZ_ITERATIONS=1000000 swift test --filter FuzzTests
///
/// sets both tests to that many inputs; `PINADS_FUZZ_SEED=<n>` changes the seed. A failure
/// names the seed and the input's number, so the same input comes back on the next run.
/// (`contrib/fuzz/run.sh` runs the same decoders under libFuzzer instead.)
@Suite("Fuzzing the frame decoder and the envelope")
struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed: UInt64 = environment["PINADS_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_2026
    static let iterationsOverride: Int? = environment["PINADS_FUZZ_ITERATIONS"].flatMap { Int($0) }
    /// Stop after this many failures: the first few say everything.
    static let maximumFailures = 5

    // MARK: Frames

    @Test func frameDecoderAgreesWithAModelOnRandomStreamsSplitAnywhere() throws {
        let iterations = Self.iterationsOverride ?? 200_000
        var rng = SeededGenerator(seed: Self.seed)
        var failures = 0
        var seen = FrameOutcomeCounts()
        let started = Date()
        for iteration in 0..<iterations {
            let maximum = [8, 64, 1024, Frame.defaultMaximumLength][Int(rng.next() % 4)]
            let stream = FrameStreams.make(&rng, maximum: maximum)
            let expected = FrameStreams.model(stream, maximum: maximum)
            let cuts = FrameStreams.cuts(&rng, count: stream.count)
            let actual = FrameStreams.run(stream, cuts: cuts, maximum: maximum, model: expected)
            seen.count(expected)
            if actual != expected {
                failures += 1
                Issue.record(
                    """
                    frame input #\(iteration) (seed \(Self.seed)), maximum \(maximum), cuts \(cuts):
                    stream \(stream.prefix(256).map { String($0, radix: 16) })
                    expected \(expected)
                    got      \(actual)
                    """)
                if failures >= Self.maximumFailures { break }
            }
        }
        // The generator reaches every outcome, so the run tested what it claims to.
        #expect(seen.clean > iterations / 10)
        #expect(seen.empty > iterations / 50)
        #expect(seen.tooLarge > iterations / 50)
        #expect(seen.truncated > iterations / 10)
        print("frame fuzz: \(iterations) streams (seed \(Self.seed)) in \(String(format: "%.1f", -started.timeIntervalSinceNow)) s: \(seen)")
    }

    // MARK: Envelopes and params

    @Test func envelopeAndParamsGiveOnlyDocumentedErrors() throws {
        let iterations = Self.iterationsOverride ?? 60_000
        let seeds = try EnvelopeSeeds.load()
        #expect(seeds.count == MethodRegistry.all.count, "one golden request per method")
        var rng = SeededGenerator(seed: Self.seed ^ 0xE7E1_09E5)
        let decoder = Wire.decoder()
        var failures = 0
        var seen = EnvelopeOutcomeCounts()
        let started = Date()
        for iteration in 0..<iterations {
            let seed = seeds[Int(rng.next() % UInt64(seeds.count))]
            let (input, mutations) = EnvelopeMutator.mutate(seed, &rng)
            if let problem = EnvelopeOracle.check(input, seedType: seed.type, decoder: decoder, counts: &seen) {
                failures += 1
                Issue.record(
                    """
                    envelope input #\(iteration) (seed \(Self.seed)) from \(seed.type.method), mutations \(mutations):
                    \(problem)
                    input (\(input.count) bytes): \(String(decoding: input.prefix(600), as: UTF8.self))
                    """)
                if failures >= Self.maximumFailures { break }
            }
        }
        #expect(seen.headerOK > iterations / 10)
        #expect(seen.headerRejectedNullID > iterations / 20)
        #expect(seen.headerRejectedWithID > iterations / 100)
        #expect(seen.paramsOK > iterations / 20)
        #expect(seen.paramsRejected > iterations / 20)
        print("envelope fuzz: \(iterations) inputs (seed \(Self.seed)) in \(String(format: "%.1f", -started.timeIntervalSinceNow)) s: \(seen)")
    }

    /// Nesting far beyond any real request: a 1 MiB frame of `[`, and a valid envelope whose
    /// params nest 100,000 deep. JSONDecoder stops at depth 512 with an error instead of
    /// recursing until the stack runs out.
    @Test func deepNestingIsAnErrorNotAStackOverflow() throws {
        let decoder = Wire.decoder()
        let brackets = [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)
        do throws(RequestHeaderError) {
            _ = try RequestHeader.parse(brackets, decoder: decoder)
            Issue.record("a frame of 1 MiB of [ was accepted")
        } catch {
            #expect(error.id == nil)
            #expect(error.error.code == .invalidArgument)
        }
        for depth in [511, 512, 513, 100_000] {
            for (open, close) in [("[", "]"), (#"{"a":"#, "}")] {
                let nested = String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
                let text = #"{"id":1,"method":"jobs.list","params":{"kind":"# + nested + "}}"
                let outcome = EnvelopeOracle.check(Array(text.utf8), seedType: ListJobsRequest.self, decoder: decoder)
                #expect(outcome == nil, "depth \(depth) \(open): \(outcome ?? "")")
            }
        }
    }
}

// MARK: - Random numbers

/// SplitMix64: small, fast and the same on every platform, so a seed names an input forever.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<n
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// true with probability 1/n
    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

// MARK: - Frame streams

/// What a whole stream amounts to: the frames in it, then how it ends.
struct FrameOutcome: Equatable, CustomStringConvertible {
    var frames: [[UInt8]] = []
    /// The error `next()` throws, and the stream offset at which it must be known (the end of
    /// the bad header): it must be thrown by the first `next()` after that byte arrived.
    var error: FrameError?
    var errorKnownAt: Int?
    /// What `finish()` says when the stream ended without a bad header.
    var finishError: FrameError?
    var bufferedAtEnd = 0

    var description: String {
        "\(frames.count) frames \(frames.prefix(3).map(\.count))…, error \(error.map { "\($0)" } ?? "none") at \(errorKnownAt.map(String.init) ?? "-"), finish \(finishError.map { "\($0)" } ?? "ok"), buffered \(bufferedAtEnd)"
    }
}

struct FrameOutcomeCounts: CustomStringConvertible {
    var clean = 0, empty = 0, tooLarge = 0, truncated = 0

    mutating func count(_ outcome: FrameOutcome) {
        switch outcome.error ?? outcome.finishError {
        case nil: clean += 1
        case .emptyFrame: empty += 1
        case .frameTooLarge: tooLarge += 1
        case .truncated: truncated += 1
        case .incomplete: Issue.record("FrameDecoder has no time limit: it never reports an incomplete frame")
        }
    }

    var description: String { "\(clean) clean, \(empty) zero length, \(tooLarge) too large, \(truncated) cut short" }
}

enum FrameStreams {
    static func header(_ length: UInt32) -> [UInt8] {
        [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
    }

    /// A stream of a few pieces: mostly whole frames, sometimes a bad length, random bytes or
    /// a frame cut short.
    static func make(_ rng: inout SeededGenerator, maximum: Int) -> [UInt8] {
        var stream: [UInt8] = []
        for _ in 0..<(1 + rng.below(6)) {
            switch rng.below(20) {
            case 0:  // zero length
                stream += header(0)
            case 1:  // just above the maximum, or far above it
                let length = rng.oneIn(2) ? UInt32(maximum + 1) : UInt32(maximum + 1) + UInt32(rng.below(Int(UInt32.max) - maximum - 1))
                stream += header(length)
            case 2:  // any 4 bytes as a length
                stream += header(UInt32(truncatingIfNeeded: rng.next()))
            case 3:  // a few random bytes
                for _ in 0..<(1 + rng.below(9)) { stream.append(UInt8(truncatingIfNeeded: rng.next())) }
            case 4:  // a frame of exactly the maximum (kept small)
                if maximum <= 1024 { stream += Frame.encode(randomBytes(&rng, maximum)) }
            default:
                let length = 1 + rng.below(min(maximum, 48))
                stream += Frame.encode(randomBytes(&rng, length))
            }
        }
        if rng.oneIn(4), !stream.isEmpty { stream.removeLast(1 + rng.below(min(stream.count, 6))) }
        return stream
    }

    static func randomBytes(_ rng: inout SeededGenerator, _ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var word = rng.next()
        for i in 0..<count {
            if i % 8 == 0 { word = rng.next() }
            bytes[i] = UInt8(truncatingIfNeeded: word >> (UInt64(i % 8) * 8))
        }
        return bytes
    }

    /// Random cut points: the stream arrives in pieces of random sizes (single bytes included).
    static func cuts(_ rng: inout SeededGenerator, count: Int) -> [Int] {
        guard count > 1 else { return [] }
        switch rng.below(4) {
        case 0: return []  // all at once
        case 1: return Array(1..<count)  // byte by byte
        default:
            var points = Set<Int>()
            for _ in 0..<(1 + rng.below(6)) { points.insert(1 + rng.below(count - 1)) }
            return points.sorted()
        }
    }

    /// The reference reading of a stream, written plainly from protocol/README.md §2.
    static func model(_ stream: [UInt8], maximum: Int) -> FrameOutcome {
        var outcome = FrameOutcome()
        var offset = 0
        while true {
            let remaining = stream.count - offset
            if remaining == 0 { break }
            if remaining < 4 {
                outcome.finishError = .truncated(expected: 4, received: remaining)
                outcome.bufferedAtEnd = remaining
                break
            }
            let length = Int(stream[offset]) << 24 | Int(stream[offset + 1]) << 16 | Int(stream[offset + 2]) << 8 | Int(stream[offset + 3])
            if length == 0 {
                outcome.error = .emptyFrame
                outcome.errorKnownAt = offset + 4
                break
            }
            if length > maximum {
                outcome.error = .frameTooLarge(length: length, maximum: maximum)
                outcome.errorKnownAt = offset + 4
                break
            }
            if remaining < 4 + length {
                outcome.finishError = .truncated(expected: 4 + length, received: remaining)
                outcome.bufferedAtEnd = remaining
                break
            }
            outcome.frames.append(Array(stream[offset + 4..<offset + 4 + length]))
            offset += 4 + length
        }
        return outcome
    }

    /// Feeds the stream to `FrameDecoder` in the given pieces, taking frames out after each.
    /// A bad length must be reported by the first `next()` after its header's last byte
    /// arrived: `errorKnownAt` becomes the model's offset when it lies in the piece that made
    /// `next()` throw, and that piece's end otherwise (which then disagrees with the model).
    static func run(_ stream: [UInt8], cuts: [Int], maximum: Int, model: FrameOutcome) -> FrameOutcome {
        var decoder = FrameDecoder(maximumLength: maximum)
        var outcome = FrameOutcome()
        var start = 0
        for end in cuts + [stream.count] {
            decoder.append(stream[start..<end])
            defer { start = end }
            do {
                while let frame = try decoder.next() { outcome.frames.append(frame) }
            } catch {
                outcome.error = error
                if let known = model.errorKnownAt, known > start, known <= end {
                    outcome.errorKnownAt = known
                } else {
                    outcome.errorKnownAt = end
                }
                return outcome
            }
        }
        do { try decoder.finish() } catch { outcome.finishError = error }
        outcome.bufferedAtEnd = decoder.bufferedByteCount
        return outcome
    }
}

// MARK: - Envelopes

struct EnvelopeSeed {
    var type: any PinAdsRequest.Type
    var tree: JSONTree
}

enum EnvelopeSeeds {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/examples")

    /// The golden request of every method (protocol/examples/<method>.request.json).
    static func load() throws -> [EnvelopeSeed] {
        try MethodRegistry.all.map { type in
            let data = try Data(contentsOf: examples.appendingPathComponent("\(type.method).request.json"))
            return EnvelopeSeed(type: type, tree: JSONTree(try JSONDecoder().decode(JSONValue.self, from: data)))
        }
    }
}

/// JSON as a tree whose objects keep their key order and may repeat keys, and whose leaves are
/// raw JSON text: so a mutation can write anything, valid or not.
indirect enum JSONTree {
    case raw(String)
    case array([JSONTree])
    case object([(key: String, value: JSONTree)])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .raw("null")
        case .bool(let b): self = .raw(b ? "true" : "false")
        case .int(let i): self = .raw(String(i))
        case .double(let d): self = .raw(String(d))
        case .string(let s): self = .raw(JSONTree.quote(s))
        case .array(let items): self = .array(items.map(JSONTree.init))
        // Sorted: Dictionary order changes from run to run, and a seed must name one input.
        case .object(let members): self = .object(members.keys.sorted().map { ($0, JSONTree(members[$0]!)) })
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    func write(to out: inout String) {
        switch self {
        case .raw(let text): out += text
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                out += JSONTree.quote(member.key) + ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Number of nodes, to pick one uniformly.
    var size: Int {
        switch self {
        case .raw: return 1
        case .array(let items): return 1 + items.reduce(0) { $0 + $1.size }
        case .object(let members): return 1 + members.reduce(0) { $0 + $1.value.size }
        }
    }

    /// The node with pre-order number `index`.
    func subtree(_ index: Int) -> JSONTree {
        var found = self
        _ = replacing(index) { node in
            found = node
            return node
        }
        return found
    }

    /// Replaces the node with pre-order number `index` by `transform(node)`.
    func replacing(_ index: Int, _ transform: (JSONTree) -> JSONTree) -> JSONTree {
        var counter = index
        return replacing(&counter, transform)
    }

    private func replacing(_ counter: inout Int, _ transform: (JSONTree) -> JSONTree) -> JSONTree {
        if counter == 0 {
            counter = -1
            return transform(self)
        }
        counter -= 1
        switch self {
        case .raw: return self
        case .array(let items):
            var out: [JSONTree] = []
            for item in items { out.append(counter < 0 ? item : item.replacing(&counter, transform)) }
            return .array(out)
        case .object(let members):
            var out: [(key: String, value: JSONTree)] = []
            for member in members { out.append((member.key, counter < 0 ? member.value : member.value.replacing(&counter, transform))) }
            return .object(out)
        }
    }
}

enum EnvelopeMutator {
    static let wrongTypes = [
        "null", "true", "false", "0", "-1", "1.5", "\"\"", "\"x\"", "[]", "{}", "[1,2]", #"{"a":1}"#, #"[null]"#, #"[{}]"#,
    ]
    static let hugeNumbers = [
        "1e999", "-1e999", "1e308", "-1e308", "99999999999999999999999999", "-9223372036854775809", "9223372036854775808",
        "9223372036854775807", "-9223372036854775808", "18446744073709551616", "-0", "0.0000000000000000000000001",
        "1E+2", "1e2", "1.0", "4.9e-324", "2.5e-324", "123456789012345678901234567890.123456789", "1e-999", "00", "01",
        "+1", ".5", "5.", "0x10", "NaN", "Infinity", "-Infinity", "1e", "--1", String(repeating: "9", count: 400),
        "0." + String(repeating: "0", count: 400) + "1",
    ]
    static let oddStrings = [
        #""\u0000""#, #""\ud800""#, #""\udc00\ud800""#, #""\ud83d\ude00""#, #""\uZZZZ""#, #""\""#, #""\q""#, "\"\u{0}\"", "\"\t\"",
        "\"\u{7f}\"", "\"é\"", "\"\u{202e}evil\"", "\"" + String(repeating: "x", count: 5000) + "\"",
        #""2026-11-25T16:06:35Z""#, #""99999999-12-31T23:59:59.999Z""#, #""-0001-01-01T00:00:00Z""#, #""2026-11-25T16:06:35.99999999999999999999Z""#,
        #""2026-11-25T16:06:35.١٢٣Z""#, #""EMAIL""#, #""system.health""#, #""""#, #"" ""#,
    ]
    /// Byte sequences that are not UTF-8 (or are UTF-8 of things JSON forbids raw).
    static let badUTF8: [[UInt8]] = [
        [0xFF], [0xFE], [0xC3, 0x28], [0xA0, 0xA1], [0xE2, 0x28, 0xA1], [0xE2, 0x82, 0x28], [0xF0, 0x28, 0x8C, 0xBC],
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0x80], [0xBF], [0xC2], [0xE2, 0x82], [0x00], [0xEF, 0xBB, 0xBF],
    ]
    static let methods = MethodRegistry.names + ["", "system", ".", "system.health ", "SYSTEM.HEALTH", "no.such", "jobs.get\u{0}"]

    /// One to three mutations of a golden request: in the tree first, then in the bytes.
    static func mutate(_ seed: EnvelopeSeed, _ rng: inout SeededGenerator) -> (input: [UInt8], mutations: [String]) {
        var tree = seed.tree
        var mutations: [String] = []
        for _ in 0..<(1 + rng.below(3)) where rng.below(10) < 7 {
            let (next, name) = mutateTree(tree, &rng)
            tree = next
            mutations.append(name)
        }
        var bytes = Array(tree.text.utf8)
        if mutations.isEmpty || rng.below(10) < 4 {
            for _ in 0..<(1 + rng.below(2)) {
                let name = mutateBytes(&bytes, &rng)
                mutations.append(name)
            }
        }
        return (bytes, mutations)
    }

    static func mutateTree(_ tree: JSONTree, _ rng: inout SeededGenerator) -> (JSONTree, String) {
        let target = rng.below(tree.size)
        switch rng.below(11) {
        case 0:
            let value = rng.pick(wrongTypes)
            return (tree.replacing(target) { _ in .raw(value) }, "wrong type \(value) at node \(target)")
        case 1:
            let value = rng.pick(hugeNumbers)
            return (tree.replacing(target) { _ in .raw(value) }, "number \(value.prefix(40)) at node \(target)")
        case 2:
            let value = rng.pick(oddStrings)
            return (tree.replacing(target) { _ in .raw(value) }, "string \(value.prefix(40)) at node \(target)")
        case 3:
            let depth = rng.pick([2, 10, 100, 500, 511, 512, 513, 1000, 5000]) + (rng.oneIn(20) ? 50_000 : 0)
            let balanced = !rng.oneIn(4)
            let (open, close) = rng.oneIn(2) ? ("[", "]") : (#"{"a":"#, "}")
            let text = String(repeating: open, count: depth) + "1" + (balanced ? String(repeating: close, count: depth) : "")
            return (tree.replacing(target) { _ in .raw(text) }, "nesting \(open) ×\(depth)\(balanced ? "" : " unbalanced") at node \(target)")
        case 4:
            // A key twice, with the copy's value changed, before or after the original.
            return (
                tree.replacing(target) { node in
                    guard case .object(var members) = node, !members.isEmpty else { return node }
                    let i = rng.below(members.count)
                    let copy = (key: members[i].key, value: JSONTree.raw(rng.pick(wrongTypes + hugeNumbers.prefix(6) + oddStrings.prefix(4))))
                    members.insert(copy, at: rng.oneIn(2) ? i : i + 1)
                    return .object(members)
                }, "duplicated key at node \(target)")
        case 5:
            return (
                tree.replacing(target) { node in
                    guard case .object(var members) = node, !members.isEmpty else { return node }
                    members.remove(at: rng.below(members.count))
                    return .object(members)
                }, "removed a key at node \(target)")
        case 6:
            // The envelope's own fields, set to something odd (method: another method's name,
            // so one method's params meet another's type).
            guard case .object(var members) = tree else { return (tree, "none") }
            let (key, value): (String, String) =
                switch rng.below(4) {
                case 0: ("method", JSONTree.quote(rng.pick(methods)))
                case 1: ("id", rng.pick(wrongTypes + hugeNumbers + oddStrings))
                case 2: ("deadline_ms", rng.pick(wrongTypes + hugeNumbers))
                default: ("params", rng.pick(wrongTypes))
                }
            members.removeAll { $0.key == key }
            members.insert((key, .raw(value)), at: rng.below(members.count + 1))
            return (.object(members), "envelope \(key) = \(value.prefix(40))")
        case 7:
            // A key spelt with escapes decodes to the same name; or a near miss.
            return (
                tree.replacing(target) { node in
                    guard case .object(var members) = node, !members.isEmpty else { return node }
                    let i = rng.below(members.count)
                    members[i].key = rng.oneIn(2) ? members[i].key.uppercased() : members[i].key + " "
                    return .object(members)
                }, "renamed a key at node \(target)")
        case 8:
            // Escaped key: "\u0069d" is "id".
            guard case .object(let members) = tree else { return (tree, "none") }
            var text = "{"
            for (i, member) in members.enumerated() {
                if i > 0 { text += "," }
                let key = member.key.unicodeScalars.first.map { String(format: "\\u%04x", $0.value) + String(member.key.dropFirst()) } ?? ""
                text += "\"\(key)\":" + member.value.text
            }
            return (.raw(text + "}"), "escaped keys")
        case 9:
            // An array grown large, or emptied.
            return (
                tree.replacing(target) { node in
                    guard case .array(let items) = node, let first = items.first else { return node }
                    return .array(rng.oneIn(2) ? [] : Array(repeating: first, count: 1 + rng.below(3000)))
                }, "array resized at node \(target)")
        default:
            // Another part of the same request where this node was: valid JSON of the wrong shape.
            let donor = tree.subtree(rng.below(tree.size))
            return (tree.replacing(target) { _ in donor }, "self-splice at node \(target)")
        }
    }

    static func mutateBytes(_ bytes: inout [UInt8], _ rng: inout SeededGenerator) -> String {
        guard !bytes.isEmpty else {
            bytes = [UInt8(truncatingIfNeeded: rng.next())]
            return "one random byte"
        }
        let at = rng.below(bytes.count)
        switch rng.below(8) {
        case 0:
            bytes.removeSubrange(at...)
            if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            return "truncated to \(bytes.count)"
        case 1:
            bytes[at] ^= UInt8(1 << rng.below(8))
            return "bit flip at \(at)"
        case 2:
            bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            return "byte changed at \(at)"
        case 3:
            // Inside a string where possible: just after a quote.
            let quote = bytes[at...].firstIndex(of: UInt8(ascii: "\"")).map { $0 + 1 } ?? at
            let bad = rng.pick(badUTF8)
            bytes.insert(contentsOf: bad, at: quote)
            return "invalid UTF-8 \(bad) at \(quote)"
        case 4:
            let end = min(bytes.count, at + 1 + rng.below(16))
            bytes.removeSubrange(at..<end)
            if bytes.isEmpty { bytes = [UInt8(ascii: "}")] }
            return "deleted \(at)..<\(end)"
        case 5:
            let extra = rng.pick([" ", "\n", "{}", "x", "\u{0}", "]", ",", #"{"id":2,"method":"system.health"}"#])
            bytes += Array(extra.utf8)
            return "trailing \(extra.debugDescription)"
        case 6:
            bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
            return "byte-order mark"
        default:
            let end = min(bytes.count, at + 1 + rng.below(8))
            let copy = Array(bytes[at..<end])
            bytes.insert(contentsOf: copy, at: rng.below(bytes.count))
            return "repeated \(at)..<\(end)"
        }
    }
}

struct EnvelopeOutcomeCounts: CustomStringConvertible {
    var headerOK = 0, headerRejectedNullID = 0, headerRejectedWithID = 0, paramsOK = 0, paramsRejected = 0

    var description: String {
        "header: \(headerOK) routed, \(headerRejectedNullID) refused with id null, \(headerRejectedWithID) refused with the id; params: \(paramsOK) decoded, \(paramsRejected) refused"
    }
}

enum EnvelopeOracle {
    static let envelopeFields: Set<String> = ["id", "method", "params", "deadline_ms"]

    /// Reads `input` as the daemon does (header, then the method's params) and returns what
    /// broke the documented outcomes, or nil.
    static func check(_ input: [UInt8], seedType: any PinAdsRequest.Type, decoder: JSONDecoder) -> String? {
        var counts = EnvelopeOutcomeCounts()
        return check(input, seedType: seedType, decoder: decoder, counts: &counts)
    }

    static func check(_ input: [UInt8], seedType: any PinAdsRequest.Type, decoder: JSONDecoder, counts: inout EnvelopeOutcomeCounts) -> String? {
        let header: RequestHeader
        do throws(RequestHeaderError) {
            header = try RequestHeader.parse(input, decoder: decoder)
        } catch {
            // protocol/README.md §4, rows 1–4: INVALID_ARGUMENT; id null for rows 1–2.
            let field = error.error.details?["field"]?.stringValue
            if error.error.code != .invalidArgument { return "header refused with \(error.error.code), not INVALID_ARGUMENT" }
            if error.error.message.isEmpty { return "header refused with an empty message" }
            if let field, !envelopeFields.contains(field) { return "header refused naming field \(field)" }
            if error.error.details != nil && field == nil { return "header refusal has details without a field: \(error.error)" }
            if field == nil || field == "id" {
                if error.id != nil { return "not JSON / bad id answered with id \(error.id!), not null" }
                counts.headerRejectedNullID += 1
            } else {
                if error.id == nil { return "\(field!) problem answered with id null though the id was readable" }
                counts.headerRejectedWithID += 1
            }
            if let field, !error.error.message.hasPrefix("\(field): ") { return "message does not start with the field: \(error.error.message)" }
            return nil
        }
        counts.headerOK += 1
        if header.method.isEmpty { return "routed with an empty method" }
        if let deadline = header.deadlineMs, deadline <= 0 { return "routed with deadline_ms \(deadline)" }
        let type = MethodRegistry.all.first { $0.method == header.method } ?? seedType
        return checkParams(type, input, decoder: decoder, counts: &counts)
    }

    /// The params as the dispatcher decodes them: `ParamsOnly<R>`, or `{}` when absent.
    static func checkParams<R: PinAdsRequest>(_: R.Type, _ input: [UInt8], decoder: JSONDecoder, counts: inout EnvelopeOutcomeCounts) -> String? {
        do {
            if try decoder.decode(ParamsOnly<R>.self, from: Data(input)).params == nil {
                _ = try? decoder.decode(R.self, from: Data("{}".utf8))
            }
            counts.paramsOK += 1
            return nil
        } catch let error as DecodingError {
            // Row 9: INVALID_ARGUMENT naming the field, its message starting with the path.
            let answer = error.responseError
            guard answer.code == .invalidArgument, let field = answer.details?["field"]?.stringValue, !field.isEmpty else {
                return "params refusal is not INVALID_ARGUMENT with a field: \(answer)"
            }
            guard answer.message.hasPrefix("\(field): ") else { return "params message does not start with its field: \(answer.message)" }
            counts.paramsRejected += 1
            return nil
        } catch {
            return "params decoding threw \(type(of: error)), which the dispatcher answers INTERNAL: \(error)"
        }
    }
}
