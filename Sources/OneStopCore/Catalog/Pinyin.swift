/// The toneless pinyin readings of Chinese characters, for finding a name by its pinyin (`shipin`
/// for 食品) or its initials (`yyzz` for 营业执照). Read from `Resources/Pinyin/readings.txt`
/// (written by `scripts/pinyin.py`): up to three readings per character, the commonest first.
public struct PinyinTable: Sendable {
    /// Every syllable, as ASCII bytes.
    let syllables: [[UInt8]]
    private let readings: [UInt32: [UInt16]]

    public static let empty = PinyinTable(syllables: [], readings: [:])

    private init(syllables: [[UInt8]], readings: [UInt32: [UInt16]]) {
        self.syllables = syllables
        self.readings = readings
    }

    /// Parses the file's lines of entries separated by spaces: `syllable=characters` for the
    /// characters whose commonest reading it is, `syllable~characters` for those it is another
    /// reading of (the file lists syllables in alphabetical order, so the order of entries says
    /// nothing of which reading is commonest: 身 is read juan before shen). `#` starts a comment
    /// line.
    public init(text: String) {
        var syllables: [[UInt8]] = []
        var ids: [[UInt8]: UInt16] = [:]
        var readings: [UInt32: [UInt16]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            for entry in line.split(separator: " ") {
                guard let mark = entry.firstIndex(where: { $0 == "=" || $0 == "~" }) else { continue }
                let syllable = Array(entry[..<mark].utf8)
                guard !syllable.isEmpty, syllable.allSatisfy({ $0 >= 97 && $0 <= 122 }) else { continue }
                let id: UInt16
                if let known = ids[syllable] {
                    id = known
                } else {
                    id = UInt16(syllables.count)
                    ids[syllable] = id
                    syllables.append(syllable)
                }
                let commonest = entry[mark] == "="
                for s in entry[entry.index(after: mark)...].unicodeScalars {
                    if commonest {
                        readings[s.value, default: []].insert(id, at: 0)
                    } else {
                        readings[s.value, default: []].append(id)
                    }
                }
            }
        }
        self.syllables = syllables
        self.readings = readings
    }

    public var isEmpty: Bool { syllables.isEmpty }

    /// The readings of a character, as ASCII strings.
    public func readings(of character: Unicode.Scalar) -> [String] {
        (readings[character.value] ?? []).map { String(decoding: syllables[Int($0)], as: UTF8.self) }
    }

    /// The first letters of a text's characters by their commonest readings (营业执照: yyzz);
    /// Latin letters and digits as they are, anything else left out.
    public func initials(_ text: String) -> String {
        var out = ""
        for s in SearchText.normalize(text).unicodeScalars {
            if let first = readings[s.value]?.first, let letter = syllables[Int(first)].first {
                out.unicodeScalars.append(Unicode.Scalar(letter))
            } else if s.isASCII {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// A text (already normalized for search) as what each of its characters may be typed as.
    public func spell(_ normalized: String) -> PinyinSpelling {
        var units: [PinyinSpelling.Unit] = []
        for s in normalized.unicodeScalars {
            if let ids = readings[s.value] {
                units.append(.syllables(ids))
            } else if s.isASCII, let byte = UInt8(exactly: s.value) {
                units.append(.letter(byte))
            } else {
                units.append(.other)
            }
        }
        return PinyinSpelling(units: units)
    }
}

/// A text as its characters' readings; matched by typing, for each character of a run of them,
/// the start of one of its readings: the whole syllable (`shipin`), its first letter (`sp`), or a
/// mix (`ship`).
public struct PinyinSpelling: Sendable {
    enum Unit: Sendable {
        case syllables([UInt16])
        /// A Latin letter or digit of the text, typed as itself.
        case letter(UInt8)
        case other
    }

    let units: [Unit]

    public struct Match: Sendable, Equatable {
        /// The index of the first character matched.
        public var start: Int
        /// How many characters the query covers.
        public var length: Int
        /// The text has no characters beyond those matched.
        public var whole: Bool
    }

    /// Whether a query of lower-case ASCII letters spells a run of this text's characters; the
    /// earliest and then longest such run.
    public func match(_ query: String, table: PinyinTable) -> Match? {
        let q = Array(query.utf8)
        guard !q.isEmpty else { return nil }
        for start in units.indices {
            if let end = run(from: start, query: q, table: table) {
                return Match(start: start, length: end - start, whole: start == 0 && end == units.count)
            }
        }
        return nil
    }

    /// The end of the longest run starting at `start` that the whole query spells.
    private func run(from start: Int, query q: [UInt8], table: PinyinTable) -> Int? {
        // Positions in the query reachable before each character; a small breadth-first walk.
        var reach: Set<Int> = [0]
        var best: Int?
        var i = start
        while i < units.count, !reach.isEmpty {
            var next: Set<Int> = []
            for p in reach {
                switch units[i] {
                case .letter(let b):
                    if q[p] == b { next.insert(p + 1) }
                case .syllables(let ids):
                    for id in ids {
                        let s = table.syllables[Int(id)]
                        var k = 0
                        while k < s.count, p + k < q.count, s[k] == q[p + k] {
                            k += 1
                            next.insert(p + k)
                        }
                    }
                case .other:
                    break
                }
            }
            i += 1
            if next.contains(q.count) {
                best = i
                next.remove(q.count)
            }
            reach = next
        }
        return best
    }
}
