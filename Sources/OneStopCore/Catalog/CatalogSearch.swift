/// Text as the search compares it: full-width letters and digits folded to ASCII, lower case,
/// and only letters, digits and CJK characters kept (spaces and punctuation dropped).
public enum SearchText {
    public static func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            var v = s.value
            if (0xFF01...0xFF5E).contains(v) { v -= 0xFEE0 }  // full-width ASCII
            guard let folded = Unicode.Scalar(v) else { continue }
            let p = folded.properties
            guard p.isAlphabetic || p.numericType != nil else { continue }
            out.append(contentsOf: String(folded).lowercased().unicodeScalars)
        }
        return String(out)
    }

    /// The tokens a text is indexed under: every character and every pair of neighbours. Chinese
    /// has no spaces, so pairs (bigrams) are what make 食品 find 食品经营许可证核发 without a
    /// dictionary; single characters let a one-character query work.
    static func tokens(_ normalized: String) -> Set<UInt64> {
        let s = normalized.unicodeScalars.map(\.value)
        var out: Set<UInt64> = []
        for (i, c) in s.enumerated() {
            out.insert(UInt64(c))
            if i + 1 < s.count { out.insert(pair(c, s[i + 1])) }
        }
        return out
    }

    /// What a query looks for: its pairs, or its single character.
    static func queryTokens(_ normalized: String) -> [UInt64] {
        let s = normalized.unicodeScalars.map(\.value)
        if s.count == 1 { return [UInt64(s[0])] }
        var seen: Set<UInt64> = []
        var out: [UInt64] = []
        for i in 0..<max(0, s.count - 1) where seen.insert(pair(s[i], s[i + 1])).inserted { out.append(pair(s[i], s[i + 1])) }
        return out
    }

    static func pair(_ a: UInt32, _ b: UInt32) -> UInt64 { (UInt64(a) << 32 | UInt64(b)) | (1 << 63) }
}

/// An in-memory index of published items for the public search: the same ranking on SQLite and
/// PostgreSQL, and fast enough for a county's thousands of items (see bench/README.md).
///
/// Ranking: every query pair must occur somewhere in an item; then an exact code beats a name
/// that contains the whole query, which beats a name that starts with it, which beats matches in
/// keywords, department and materials. Shorter names first among equals (the main item before its
/// sub-items). When nothing matches every pair, the items matching most pairs are offered as
/// suggestions, which catches a mistyped character.
public struct CatalogSearchIndex: Sendable {
    public struct Document: Sendable {
        public var id: String
        public var code: String
        public var name: String
        public var keywords: [String]
        public var department: String
        public var materials: [String]
        /// Where it is served (owning center and delegated ones), for filtering by center.
        public var centers: Set<String>
        /// The code of the item this one is a sub-item or a handling item of.
        public var parentCode: String?

        public init(
            id: String, code: String, name: String, keywords: [String], department: String, materials: [String], centers: Set<String>,
            parentCode: String? = nil
        ) {
            self.parentCode = parentCode
            self.id = id
            self.code = code
            self.name = name
            self.keywords = keywords
            self.department = department
            self.materials = materials
            self.centers = centers
        }
    }

    public struct Hit: Sendable, Equatable {
        public var id: String
        public var score: Int
        /// Found only in its department or materials: an item that needs what was searched for,
        /// not one that is it (营业执照 as a material to bring, not the licence's own item).
        public var related: Bool = false
        /// Its sub-items and handling items that matched too, folded under it, by code.
        public var children: [String] = []
    }

    public struct Result: Sendable {
        public var hits: [Hit]
        public var total: Int
        /// True when no item matched the whole query and `hits` are near misses.
        public var isSuggestion: Bool

        public init(hits: [Hit], total: Int, isSuggestion: Bool) {
            self.hits = hits
            self.total = total
            self.isSuggestion = isSuggestion
        }
    }

    struct Field: OptionSet, Sendable {
        let rawValue: UInt8
        static let name = Field(rawValue: 1)
        static let keyword = Field(rawValue: 2)
        static let department = Field(rawValue: 4)
        static let material = Field(rawValue: 8)
        static let code = Field(rawValue: 16)
    }

    struct Prepared: Sendable {
        var doc: Document
        var name: String
        var code: String
        var keywords: [String]
        var department: String
        var materials: [String]
        var namePinyin: PinyinSpelling
        var keywordPinyin: [PinyinSpelling]
    }

    /// How many query pairs a document holds, overall and per field.
    struct Tally {
        var count = 0
        var weight = 0
        var name = 0
        var keyword = 0
        var code = 0
        var department = 0
        var material = 0

        mutating func add(_ f: Field) {
            count += 1
            if f.contains(.name) {
                name += 1
                weight += 8
            }
            if f.contains(.keyword) {
                keyword += 1
                weight += 5
            }
            if f.contains(.code) {
                code += 1
                weight += 4
            }
            if f.contains(.department) {
                department += 1
                weight += 3
            }
            if f.contains(.material) {
                material += 1
                weight += 2
            }
        }
    }

    private var docs: [Prepared] = []
    private var postings: [UInt64: [(doc: Int32, fields: Field)]] = [:]
    private let pinyin: PinyinTable
    /// Each item's parent, by normalized code.
    private var parentOf: [String: String] = [:]

    /// `pinyin` lets names and keywords be found by their pinyin and initials.
    public init(_ documents: [Document], pinyin: PinyinTable = .empty) {
        self.pinyin = pinyin
        docs.reserveCapacity(documents.count)
        for d in documents {
            let name = SearchText.normalize(d.name)
            let keywords = d.keywords.map(SearchText.normalize)
            let p = Prepared(
                doc: d, name: name, code: SearchText.normalize(d.code), keywords: keywords,
                department: SearchText.normalize(d.department), materials: d.materials.map(SearchText.normalize),
                namePinyin: pinyin.spell(name), keywordPinyin: pinyin.isEmpty ? [] : keywords.map(pinyin.spell))
            let index = Int32(docs.count)
            docs.append(p)
            if let parent = d.parentCode { parentOf[p.code] = SearchText.normalize(parent) }
            var fields: [UInt64: Field] = [:]
            func add(_ text: String, _ f: Field) { for t in SearchText.tokens(text) { fields[t, default: []].insert(f) } }
            add(p.name, .name)
            add(p.code, .code)
            for k in p.keywords { add(k, .keyword) }
            add(p.department, .department)
            for m in p.materials { add(m, .material) }
            for (t, f) in fields { postings[t, default: []].append((index, f)) }
        }
    }

    public var count: Int { docs.count }

    /// Items whose name holds all of the query's characters but one, weighted by those it holds.
    private func nameCharacterMatches(_ q: String, center: String?) -> [Int32: Tally] {
        let chars = Array(Set(q.unicodeScalars.map(\.value)))
        var counts: [Int32: Int] = [:]
        for c in chars {
            for (doc, fields) in postings[UInt64(c)] ?? [] where fields.contains(.name) {
                if let center, !docs[Int(doc)].doc.centers.contains(center) { continue }
                counts[doc, default: 0] += 1
            }
        }
        var out: [Int32: Tally] = [:]
        for (doc, n) in counts where n >= chars.count - 1 {
            var t = Tally()
            for _ in 0..<n { t.add(.name) }
            out[doc] = t
        }
        return out
    }

    /// Folds each hit under the highest of its ancestors that was hit too (新办, 变更 under 个体工商户
    /// 设立登记, that under 个体工商户登记), so that one service is one entry. A direct hit is not
    /// folded under an ancestor found only by its materials.
    private func fold(_ hits: [(hit: Hit, code: String)]) -> [Hit] {
        var position: [String: Int] = [:]
        for (i, h) in hits.enumerated() { position[h.code] = i }
        var top = [Int](hits.indices)
        for i in hits.indices {
            var code = hits[i].code
            var seen: Set<String> = [code]
            while let parent = parentOf[code], seen.insert(parent).inserted, let at = position[parent] {
                if hits[at].hit.related && !hits[i].hit.related { break }
                top[i] = at
                code = parent
            }
        }
        var children: [Int: [Int]] = [:]
        for i in hits.indices where top[i] != i { children[top[i], default: []].append(i) }
        var out: [Hit] = []
        for i in hits.indices where top[i] == i {
            var h = hits[i].hit
            h.children = (children[i] ?? []).sorted { hits[$0].code < hits[$1].code }.map { hits[$0].hit.id }
            out.append(h)
        }
        return out
    }

    /// Items whose name or a keyword the query spells in pinyin or initials (`yyzz`, `shipin`),
    /// scored as a name or keyword holding the query would be. Only for queries of two or more
    /// Latin letters.
    private func pinyinMatches(_ q: String, center: String?) -> [Int32: Int] {
        guard !pinyin.isEmpty, q.utf8.count >= 2, q.utf8.allSatisfy({ $0 >= 97 && $0 <= 122 }) else { return [:] }
        var out: [Int32: Int] = [:]
        for (i, p) in docs.enumerated() {
            if let center, !p.doc.centers.contains(center) { continue }
            if let m = p.namePinyin.match(q, table: pinyin) {
                // As a name containing the query; a whole name and a name's start above that, and
                // more characters covered (a full spelling) above fewer.
                var score = 10_000 + 80 + m.length * 10
                if m.start == 0 { score += 20_000 }
                if m.whole { score += 50_000 }
                out[Int32(i)] = score
            } else if p.keywordPinyin.contains(where: { $0.match(q, table: pinyin) != nil }) {
                out[Int32(i)] = 5_000 + 50
            }
        }
        return out
    }

    public func search(_ query: String, center: String? = nil, limit: Int = 20, offset: Int = 0) -> Result {
        let q = SearchText.normalize(query)
        let tokens = SearchText.queryTokens(q)
        guard !tokens.isEmpty else { return Result(hits: [], total: 0, isSuggestion: false) }
        var matched: [Int32: Tally] = [:]
        for t in tokens {
            for (doc, fields) in postings[t] ?? [] {
                if let center, !docs[Int(doc)].doc.centers.contains(center) { continue }
                matched[doc, default: Tally()].add(fields)
            }
        }
        let full = matched.filter { $0.value.count == tokens.count }
        let spelled = pinyinMatches(q, center: center)
        var isSuggestion = false
        var pool = full
        if full.isEmpty, spelled.isEmpty {
            // A typo breaks at most two pairs; offer items that share at least half of them.
            let need = max(1, (tokens.count + 1) / 2)
            pool = matched.filter { $0.value.count >= need && $0.value.count < tokens.count }
            isSuggestion = true
            if pool.isEmpty, q.unicodeScalars.count >= 3 {
                // A short query with one wrong character (营页执照) breaks two of its three pairs:
                // then items whose name holds all but one of its characters are the near misses.
                pool = nameCharacterMatches(q, center: center)
            }
        }
        let all = tokens.count
        var hits: [(Hit, Int, String)] = pool.map { doc, m in
            let p = docs[Int(doc)]
            var score = m.weight * 10 + m.count * 100
            // A field can hold the whole query only if it holds every pair of it; most don't, and
            // the substring test is skipped for them.
            if m.code == all, p.code == q { score += 100_000 }
            if m.name == all {
                if p.name == q { score += 50_000 }
                if p.name.hasPrefix(q) { score += 20_000 }
                if p.name.contains(q) { score += 10_000 }
            }
            if m.keyword == all, p.keywords.contains(where: { $0.contains(q) }) { score += 5_000 }
            if m.department == all, p.department.contains(q) { score += 2_000 }
            if m.material == all, p.materials.contains(where: { $0.contains(q) }) { score += 1_000 }
            let related = !isSuggestion && m.name < all && m.keyword < all && m.code < all
            return (Hit(id: p.doc.id, score: score, related: related), p.name.count, p.code)
        }
        if !spelled.isEmpty {
            var at: [String: Int] = [:]
            for (i, h) in hits.enumerated() { at[h.0.id] = i }
            for (doc, score) in spelled {
                let p = docs[Int(doc)]
                if let i = at[p.doc.id] {
                    hits[i].0.score = max(hits[i].0.score, score)
                } else {
                    hits.append((Hit(id: p.doc.id, score: score), p.name.count, p.code))
                }
            }
        }
        hits.sort { a, b in
            if a.0.score != b.0.score { return a.0.score > b.0.score }
            if a.1 != b.1 { return a.1 < b.1 }
            return a.2 < b.2
        }
        let folded = fold(hits.map { ($0.0, $0.2) })
        let page = folded.dropFirst(offset).prefix(limit)
        return Result(hits: Array(page), total: folded.count, isSuggestion: isSuggestion)
    }
}
