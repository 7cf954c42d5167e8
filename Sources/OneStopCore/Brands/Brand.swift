import Foundation

/// 机关服务品牌 (issue 22, DOMAIN.md section 9): what a brand is, the states it goes through, and
/// the checks on its definition.
public enum BrandRules {
    /// The department's category: 党群, 行政 or 政法.
    public enum Category: String, Codable, Sendable, CaseIterable {
        case party, administrative, legal
    }

    /// cultivating → practising (the office approved the definition) → candidate (declared) →
    /// typical (典型确定) → named (优质服务品牌) → under review → revoked; a candidate not chosen goes
    /// back to practice, a brand under review that recovers is named again.
    public enum State: String, Codable, Sendable, CaseIterable {
        case cultivating, practising, candidate, typical, named
        case underReview = "under_review"
        case revoked

        /// The states the office or the department may move a brand to from this one.
        public var next: Set<State> {
            switch self {
            case .cultivating: return [.practising]
            case .practising: return [.candidate, .named]
            case .candidate: return [.typical, .practising, .named]
            case .typical: return [.named, .practising]
            case .named: return [.underReview]
            case .underReview: return [.named, .revoked]
            case .revoked: return []
            }
        }

        public func may(become s: State) -> Bool { next.contains(s) }

        /// Shown to the public: approved and not revoked.
        public var isPublic: Bool { ![.cultivating, .revoked].contains(self) }
    }

    /// A brand name is short and memorable: more than this many characters draws a warning.
    public static let shortName = 8

    /// Warnings on a name (message keys), which do not stop it: too long, or already another
    /// brand's (`others`: the names in use, compared without spaces and case).
    public static func nameWarnings(_ name: String, others: [String]) -> [String] {
        func key(_ s: String) -> String { s.filter { !$0.isWhitespace }.lowercased() }
        var out: [String] = []
        if name.trimmingCharacters(in: .whitespaces).count > shortName { out.append("brand.nameLong") }
        if others.map(key).contains(key(name)) { out.append("brand.nameTaken") }
        return out
    }

    /// The culture: 宗旨, spirit, service idea, goal, and any number of named 理念.
    public struct Culture: Codable, Sendable, Equatable {
        public var purpose: String
        public var spirit: String
        public var idea: String
        public var goal: String
        public var ideas: [Named]

        public init(purpose: String = "", spirit: String = "", idea: String = "", goal: String = "", ideas: [Named] = []) {
            (self.purpose, self.spirit, self.idea, self.goal, self.ideas) = (purpose, spirit, idea, goal, ideas)
        }

        /// Any part may be left out (empty).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            purpose = try c.decodeIfPresent(String.self, forKey: .purpose) ?? ""
            spirit = try c.decodeIfPresent(String.self, forKey: .spirit) ?? ""
            idea = try c.decodeIfPresent(String.self, forKey: .idea) ?? ""
            goal = try c.decodeIfPresent(String.self, forKey: .goal) ?? ""
            ideas = try c.decodeIfPresent([Named].self, forKey: .ideas) ?? []
        }

        enum CodingKeys: String, CodingKey { case purpose, spirit, idea, goal, ideas }
    }

    public struct Named: Codable, Sendable, Equatable {
        public var name: String
        public var text: String

        public init(name: String, text: String) { (self.name, self.text) = (name, text) }
    }

    /// The service system, each a list: who serves, what, measures, commitments, rules.
    public struct ServiceSystem: Codable, Sendable, Equatable {
        public var who: [String]
        public var what: [String]
        public var measures: [String]
        public var commitments: [String]
        public var rules: [String]

        public init(who: [String] = [], what: [String] = [], measures: [String] = [], commitments: [String] = [], rules: [String] = []) {
            (self.who, self.what, self.measures, self.commitments, self.rules) = (who, what, measures, commitments, rules)
        }

        /// Any list may be left out (empty).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            who = try c.decodeIfPresent([String].self, forKey: .who) ?? []
            what = try c.decodeIfPresent([String].self, forKey: .what) ?? []
            measures = try c.decodeIfPresent([String].self, forKey: .measures) ?? []
            commitments = try c.decodeIfPresent([String].self, forKey: .commitments) ?? []
            rules = try c.decodeIfPresent([String].self, forKey: .rules) ?? []
        }

        enum CodingKeys: String, CodingKey { case who, what, measures, commitments, rules }

        var lists: [(String, [String])] {
            [("who", who), ("what", what), ("measures", measures), ("commitments", commitments), ("rules", rules)]
        }
    }

    /// The faults of a definition that stop it, as (field, message key) pairs: a name (1–30
    /// characters), the culture's 宗旨, at least one commitment, and no text over its length.
    public static func definitionProblems(name: String, culture: Culture, system: ServiceSystem) -> [(field: String, code: String)] {
        var out: [(String, String)] = []
        let n = name.trimmingCharacters(in: .whitespaces)
        if n.isEmpty { out.append(("name", "required")) }
        if n.count > 30 { out.append(("name", "tooLong")) }
        if culture.purpose.trimmingCharacters(in: .whitespaces).isEmpty { out.append(("culture.purpose", "required")) }
        for (field, text) in [("purpose", culture.purpose), ("spirit", culture.spirit), ("idea", culture.idea), ("goal", culture.goal)]
        where text.count > 200 {
            out.append(("culture." + field, "tooLong"))
        }
        for (i, idea) in culture.ideas.enumerated() {
            if idea.name.trimmingCharacters(in: .whitespaces).isEmpty { out.append(("culture.ideas.\(i).name", "required")) }
            if idea.name.count > 20 || idea.text.count > 200 { out.append(("culture.ideas.\(i)", "tooLong")) }
        }
        if system.commitments.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            out.append(("system.commitments", "brand.needsCommitment"))
        }
        for (field, list) in system.lists {
            if list.count > 30 { out.append(("system." + field, "tooLong")) }
            for (i, line) in list.enumerated() where line.count > 200 { out.append(("system.\(field).\(i)", "tooLong")) }
        }
        return out
    }
}
