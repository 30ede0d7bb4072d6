import Foundation

/// Bookmark pagination as Pinterest lists do it: `page_size` 1...250 (default 25), an opaque
/// `bookmark`, optional `order`. The bookmark names the last id served, so objects created while
/// a client pages neither repeat nor shift the pages.
struct PageRequest: Sendable {
    var pageSize = 25
    var afterID: UInt64?
    var descending = false

    init(_ query: QueryParameters, allowOrder: Bool = true) throws(ParameterError) {
        pageSize = try query.integer("page_size", in: 1...250) ?? 25
        if allowOrder, let order = try query.enumeration("order", ["ASCENDING", "DESCENDING"]) {
            descending = order == "DESCENDING"
        }
        if let bookmark = query.value("bookmark"), !bookmark.isEmpty {
            guard let id = PageRequest.decodeBookmark(bookmark) else {
                throw ParameterError("bookmark is not a bookmark this API returned.")
            }
            afterID = id
        }
    }

    /// One page of `ids` (ascending digit strings) and the bookmark of the next page, if any.
    func page(of ids: [String]) -> (ids: [String], bookmark: String?) {
        let numeric = ids.compactMap { id in UInt64(id).map { (id, $0) } }
        let ordered = descending ? numeric.reversed() : numeric
        let remaining = ordered.filter { _, value in
            guard let afterID else { return true }
            return descending ? value < afterID : value > afterID
        }
        let page = remaining.prefix(pageSize)
        let bookmark: String? =
            remaining.count > pageSize ? page.last.map { PageRequest.encodeBookmark($0.1) } : nil
        return (page.map(\.0), bookmark)
    }

    static func encodeBookmark(_ id: UInt64) -> String {
        Data("sandbox-bookmark:\(id)".utf8).base64EncodedString()
    }

    static func decodeBookmark(_ bookmark: String) -> UInt64? {
        guard let data = Data(base64Encoded: bookmark) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("sandbox-bookmark:") else { return nil }
        return UInt64(text.dropFirst("sandbox-bookmark:".count))
    }
}
