/// Query parameters of one request, with the parsing rules the spec's parameters need.
struct QueryParameters: Sendable {
    let items: [(name: String, value: String)]

    init(_ items: [(name: String, value: String)]) { self.items = items }

    /// Every value given for `name` (the key may repeat).
    func values(_ name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

    func value(_ name: String) -> String? { items.first { $0.name == name }?.value }

    func contains(_ name: String) -> Bool { items.contains { $0.name == name } }

    /// An array parameter sent either with the key repeated (`a=1&a=2`, the OpenAPI default for
    /// query arrays) or comma-separated (`a=1,2`); both forms are accepted and may be mixed.
    func list(_ name: String) -> [String]? {
        let raw = values(name)
        guard !raw.isEmpty else { return nil }
        return raw.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// An integer parameter within `range`; nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ParameterError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw ParameterError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound).")
        }
        return number
    }

    /// A boolean parameter (`true`/`false`); nil when absent.
    func boolean(_ name: String) throws(ParameterError) -> Bool? {
        guard let text = value(name) else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ParameterError("\(name) must be true or false.")
        }
    }

    /// A string parameter restricted to `allowed`; nil when absent.
    func enumeration(_ name: String, _ allowed: Set<String>) throws(ParameterError) -> String? {
        guard let text = value(name) else { return nil }
        guard allowed.contains(text) else {
            throw ParameterError("\(name) must be one of \(allowed.sorted().joined(separator: ", ")).")
        }
        return text
    }
}

/// A query parameter the operation cannot accept.
struct ParameterError: Error, Sendable {
    var detail: String
    init(_ detail: String) { self.detail = detail }
}
