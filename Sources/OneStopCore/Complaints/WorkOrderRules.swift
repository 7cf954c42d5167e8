import Foundation

/// A new order as typed (by an operator, on the public form, over Open311), checked.
public struct WorkOrderInput: Sendable, Equatable {
    public var kind: String?
    public var channel: String?
    public var urgency: String?
    public var callerName: String?
    public var callerPhone: String?
    public var callerID: String?
    public var anonymous: Bool
    /// The caller asked that their identity be kept from the department.
    public var confidential: Bool
    public var title: String?
    public var text: String?
    public var address: String?

    public init(
        kind: String?, channel: String?, urgency: String?, callerName: String?, callerPhone: String?, callerID: String? = nil,
        anonymous: Bool = false, confidential: Bool = false, title: String? = nil, text: String?, address: String? = nil
    ) {
        self.kind = kind
        self.channel = channel
        self.urgency = urgency
        self.callerName = callerName
        self.callerPhone = callerPhone
        self.callerID = callerID
        self.anonymous = anonymous
        self.confidential = confidential
        self.title = title
        self.text = text
        self.address = address
    }

    public struct Checked: Sendable, Equatable {
        public var kind: WorkOrderKind
        public var channel: WorkOrderChannel
        public var urgency: WorkOrderUrgency
        public var callerName: String
        public var callerPhone: String?
        public var callerID: String?
        public var confidential: Bool
        public var title: String
        public var text: String
        public var address: String
    }

    /// Checks the input: a kind that needs a reply (consultation, complaint, help) needs a phone
    /// number; anonymous drops the name, phone and ID; a report (举报) is always confidential.
    public func checked() -> Result<Checked, ValidationFailure> {
        var v = Validator()
        let kind = v.oneOf("kind", kind, as: WorkOrderKind.self)
        let channel = v.oneOf("channel", channel, as: WorkOrderChannel.self)
        let urgency = (urgency ?? "").isEmpty ? .general : v.oneOf("urgency", urgency, as: WorkOrderUrgency.self)
        var name = v.text("callerName", callerName, max: 50, required: false)
        var phone = v.phone("callerPhone", callerPhone)
        var id = v.residentID("callerID", callerID)
        if anonymous {
            if let kind, kind.needsReply { v.add("anonymous", "workOrder.replyNeedsContact") }
            (name, phone, id) = ("", nil, nil)
        } else if let kind, kind.needsReply, phone == nil, !v.errors.contains(where: { $0.field == "callerPhone" }) {
            v.add("callerPhone", "workOrder.replyNeedsContact")
        }
        let text = v.text("text", text, max: 4000)
        var title = v.text("subject", title, max: 80, required: false)
        let address = v.text("address", address, max: 200, required: false)
        guard v.isValid, let kind, let channel, let urgency else { return .failure(ValidationFailure(v.errors)) }
        if title.isEmpty { title = String(text.split(whereSeparator: \.isNewline).first?.prefix(40) ?? "") }
        return .success(
            Checked(
                kind: kind, channel: channel, urgency: urgency, callerName: name, callerPhone: phone, callerID: id,
                confidential: confidential || kind == .report, title: title, text: text, address: address))
    }
}

/// Who may see an order's caller (DOMAIN.md §7): for a 举报, or when the caller asked, only the
/// hotline (which takes calls and dispatches); never the department that handles the order, nor
/// anyone else. Otherwise every role that may see the order sees who called, masked where it
/// does not need the number.
public enum WorkOrderPrivacy {
    public static func seesCaller(_ role: Role?, confidential: Bool) -> Bool {
        guard let role else { return false }
        if confidential { return role == .hotlineOperator }
        return Role.people.contains(role) && role != .applicant
    }

    /// Who sees the whole phone number rather than a masked one: the hotline, which calls back.
    public static func seesWholePhone(_ role: Role?, confidential: Bool) -> Bool {
        seesCaller(role, confidential: confidential) && role == .hotlineOperator
    }
}

/// 并单 — which earlier orders a new one probably repeats: the same caller's phone, or a similar
/// text about the same window, item or place, within `days` days.
public enum WorkOrderDuplicates {
    public struct Fact: Sendable, Equatable {
        public var id: String
        public var at: Int64
        /// A keyed hash of the caller's phone, or nil.
        public var phone: String?
        public var windowID: String?
        public var itemID: String?
        public var address: String
        public var text: String

        public init(id: String, at: Int64, phone: String?, windowID: String?, itemID: String?, address: String, text: String) {
            self.id = id
            self.at = at
            self.phone = phone
            self.windowID = windowID
            self.itemID = itemID
            self.address = address
            self.text = text
        }
    }

    public enum Reason: String, Sendable, Codable {
        case samePhone = "same_phone"
        case similarText = "similar_text"
    }

    public struct Match: Sendable, Equatable {
        public var id: String
        public var reason: Reason
        /// The texts' similarity, 0–1.
        public var similarity: Double
    }

    /// How alike two texts are: the Dice coefficient of their character bigrams, ignoring spaces
    /// and punctuation (Chinese has no words to split on).
    public static func similarity(_ a: String, _ b: String) -> Double {
        let x = bigrams(a)
        let y = counted(b)
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        var ys = y
        var shared = 0
        for g in x {
            if let n = ys[g], n > 0 {
                shared += 1
                ys[g] = n - 1
            }
        }
        let total = x.count + y.values.reduce(0, +)
        return 2 * Double(shared) / Double(total)
    }

    static func bigrams(_ s: String) -> [String] {
        let chars = s.lowercased().filter { $0.isLetter || $0.isNumber }.map { $0 }
        guard chars.count >= 2 else { return chars.map(String.init) }
        return (0..<(chars.count - 1)).map { String(chars[$0]) + String(chars[$0 + 1]) }
    }

    private static func counted(_ s: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for g in bigrams(s) { out[g, default: 0] += 1 }
        return out
    }

    /// Likely duplicates of `order` among `earlier`, best first.
    public static func matches(_ order: Fact, among earlier: [Fact], days: Int = 7, threshold: Double = 0.5) -> [Match] {
        let since = order.at - Int64(days) * 86_400_000
        var out: [Match] = []
        for e in earlier where e.id != order.id && e.at >= since && e.at <= order.at {
            let sim = similarity(order.text, e.text)
            if let p = order.phone, p == e.phone {
                out.append(Match(id: e.id, reason: .samePhone, similarity: sim))
                continue
            }
            let sameSubject =
                (order.windowID != nil && order.windowID == e.windowID) || (order.itemID != nil && order.itemID == e.itemID)
                || (!order.address.isEmpty && normalized(order.address) == normalized(e.address))
            if sameSubject, sim >= threshold { out.append(Match(id: e.id, reason: .similarText, similarity: sim)) }
        }
        return out.sorted { ($0.reason == .samePhone ? 1 : 0, $0.similarity) > ($1.reason == .samePhone ? 1 : 0, $1.similarity) }
    }

    static func normalized(_ s: String) -> String { s.filter { $0.isLetter || $0.isNumber }.lowercased() }
}

/// The dispatch directory: which department is responsible for what. A rule names a department
/// and any of keywords, item types, item codes and centers; `rank` scores a new order against
/// every rule (and the catalog's matches, given as item codes with their departments).
public enum DispatchDirectory {
    public struct Rule: Sendable, Equatable {
        public var departmentID: String
        public var keywords: [String]
        public var itemKinds: [String]
        public var itemCodes: [String]
        /// Empty: any center.
        public var centers: [String]

        public init(departmentID: String, keywords: [String], itemKinds: [String] = [], itemCodes: [String] = [], centers: [String] = []) {
            self.departmentID = departmentID
            self.keywords = keywords
            self.itemKinds = itemKinds
            self.itemCodes = itemCodes
            self.centers = centers
        }
    }

    public struct Suggestion: Sendable, Equatable {
        public var departmentID: String
        public var score: Double
        /// What matched: keywords, item codes or kinds.
        public var because: [String]
    }

    /// Departments for an order, best first (see `Index.rank`), from rules not yet compiled: the
    /// rules of other centers are left out.
    public static func rank(
        text: String, center: String, item: (code: String, kind: String)?, rules: [Rule],
        catalog: [(code: String, departmentID: String)] = [], limit: Int = 5
    ) -> [Suggestion] {
        Index(rules: rules.filter { $0.centers.isEmpty || $0.centers.contains(center) })
            .rank(text: text, item: item, catalog: catalog, limit: limit)
    }

    /// A center's rules compiled once for many suggestions: the keywords in a trie of their
    /// lower-cased characters, each with how many rules of each department name it, and the rules
    /// by item code and kind. Ranking an order then walks its text once against the trie rather
    /// than searching the text for every keyword of every rule (10,000 rules, 40,000 keywords).
    public struct Index: Sendable {
        /// The trie: each node's children by character, and the keyword a node ends (-1: none).
        private var children: [[Character: Int32]] = [[:]]
        private var ends: [Int32] = [-1]
        /// Per keyword: its spelling (the first met), its weight and its rules by department.
        private var keywords: [(text: String, weight: Double, departments: [String: Int])] = []
        private var ruleDepartments: [String] = []
        private var ruleCodes: [Set<String>] = []
        private var byCode: [String: [Int]] = [:]
        private var byKind: [String: [Int]] = [:]

        public init(rules: [Rule]) {
            for (r, rule) in rules.enumerated() {
                ruleDepartments.append(rule.departmentID)
                ruleCodes.append(Set(rule.itemCodes))
                for code in Set(rule.itemCodes) { byCode[code, default: []].append(r) }
                for kind in Set(rule.itemKinds) { byKind[kind, default: []].append(r) }
                for k in rule.keywords where !k.isEmpty {
                    let id = keyword(k)
                    keywords[id].departments[rule.departmentID, default: 0] += 1
                }
            }
        }

        /// The id of a keyword, added to the trie when new.
        private mutating func keyword(_ k: String) -> Int {
            var node = 0
            for c in k.lowercased() {
                if let next = children[node][c] {
                    node = Int(next)
                } else {
                    children.append([:])
                    ends.append(-1)
                    children[node][c] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            if ends[node] < 0 {
                ends[node] = Int32(keywords.count)
                keywords.append((k, Double(min(k.count, 6)), [:]))
            }
            return Int(ends[node])
        }

        /// The keywords found in `text`, each once, in the order they first occur.
        func found(in text: String) -> [Int] {
            let chars = Array(text.lowercased())
            var seen = Set<Int32>()
            var out: [Int] = []
            for i in chars.indices {
                var node = 0
                for c in chars[i...] {
                    guard let next = children[node][c] else { break }
                    node = Int(next)
                    let k = ends[node]
                    if k >= 0, seen.insert(k).inserted { out.append(Int(k)) }
                }
            }
            return out
        }

        /// Departments for an order, best first. A keyword found in the text scores by its length
        /// (a longer keyword says more; at most 6) for each rule that names it; the item named on
        /// the order scores 10 for each rule naming its code, else 3 for each naming its kind; the
        /// catalog's matches for the text score by their rank (5, 4, 3…). `because` lists what
        /// matched, each once.
        public func rank(
            text: String, item: (code: String, kind: String)?, catalog: [(code: String, departmentID: String)] = [],
            limit: Int = 5
        ) -> [Suggestion] {
            var score: [String: Double] = [:]
            var because: [String: [String]] = [:]
            func add(_ department: String, _ s: Double, _ why: String) {
                score[department, default: 0] += s
                if !(because[department]?.contains(why) ?? false) { because[department, default: []].append(why) }
            }
            for k in found(in: text) {
                let entry = keywords[k]
                for (department, rules) in entry.departments { add(department, entry.weight * Double(rules), entry.text) }
            }
            if let item {
                for r in byCode[item.code] ?? [] { add(ruleDepartments[r], 10, item.code) }
                for r in byKind[item.kind] ?? [] where !ruleCodes[r].contains(item.code) { add(ruleDepartments[r], 3, item.kind) }
            }
            for (i, m) in catalog.prefix(5).enumerated() { add(m.departmentID, Double(5 - i), m.code) }
            return score.map { Suggestion(departmentID: $0.key, score: $0.value, because: because[$0.key] ?? []) }
                .sorted { ($0.score, $1.departmentID) > ($1.score, $0.departmentID) }.prefix(limit).map { $0 }
        }
    }
}
