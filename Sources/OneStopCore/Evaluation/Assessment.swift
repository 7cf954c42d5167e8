import Foundation

/// A 百分制 assessment (issue 21, DOMAIN.md section 8): a template's criteria, each computed from an
/// indicator by a scoring rule or scored by hand with a reason; the four steps a run goes through;
/// the totals, the ranking and its tie rule.
public struct AssessmentCriterion: Codable, Sendable, Equatable {
    /// Unique within its template: `c1`, `c2`…
    public var key: String
    public var name: String
    public var points: Double
    /// The indicator it is computed from; nil: scored by hand.
    public var indicator: Indicator?
    public var rule: ScoringRule

    public init(key: String, name: String, points: Double, indicator: Indicator? = nil, rule: ScoringRule = .byHand) {
        (self.key, self.name, self.points, self.indicator, self.rule) = (key, name, points, indicator, rule)
    }

    public var byHand: Bool { indicator == nil }

    /// The points of a computed criterion for its indicator's figure; nil by hand or without data.
    public func score(_ figure: IndicatorFigure?) -> Double? {
        guard indicator != nil, let figure else { return nil }
        return rule.score(figure.value, points: points)
    }
}

public enum AssessmentTemplates {
    /// The township center's template of DOMAIN.md section 8: 85 points in nine criteria, two of them
    /// computed (the completion rate scaled by the rate, zero valid complaints = full marks).
    public static let township: [AssessmentCriterion] = [
        .init(key: "c1", name: "组织领导", points: 5),
        .init(key: "c2", name: "场所建设", points: 10),
        .init(key: "c3", name: "设施设备", points: 10),
        .init(key: "c4", name: "窗口设置", points: 10),
        .init(key: "c5", name: "部门配合", points: 10),
        .init(key: "c6", name: "办理事项办结率", points: 15, indicator: .onTime, rule: .linear(zeroAt: 0, fullAt: 1)),
        .init(key: "c7", name: "代办服务", points: 10),
        .init(key: "c8", name: "信息报送（每月不少于 5 条）", points: 5),
        .init(key: "c9", name: "投诉情况（无有效投诉得满分）", points: 10, indicator: .validComplaints, rule: .zeroIsFull(deduct: 2)),
    ]

    /// What is wrong with a template's criteria, as (field, message key) pairs; empty when fine.
    public static func problems(name: String, criteria: [AssessmentCriterion]) -> [(field: String, code: String)] {
        var out: [(String, String)] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty { out.append(("name", "required")) }
        if name.count > 100 { out.append(("name", "tooLong")) }
        if criteria.isEmpty { out.append(("criteria", "required")) }
        if criteria.count > 40 { out.append(("criteria", "tooLong")) }
        var keys = Set<String>()
        for (i, c) in criteria.enumerated() {
            let f = "criteria.\(i)"
            if !keys.insert(c.key).inserted || c.key.isEmpty || c.key.count > 20 { out.append((f + ".key", "invalidChoice")) }
            if c.name.trimmingCharacters(in: .whitespaces).isEmpty { out.append((f + ".name", "required")) }
            if c.name.count > 100 { out.append((f + ".name", "tooLong")) }
            if !(c.points > 0 && c.points <= 100) { out.append((f + ".points", "assessment.points")) }
            if c.indicator == nil, c.rule != .byHand { out.append((f + ".rule", "assessment.ruleNeedsIndicator")) }
            if c.indicator != nil, c.rule == .byHand { out.append((f + ".rule", "assessment.indicatorNeedsRule")) }
            for p in c.rule.problems(points: c.points) { out.append((f + ".rule", p)) }
        }
        return out
    }
}

/// The four steps: data analysis (computed criteria filled in and frozen at the start) →
/// quantitative scoring (hand-scored criteria) → qualitative review (comments, adjustments within a
/// bound) → report (signed off, then never changed).
public enum AssessmentState: String, Codable, Sendable, CaseIterable {
    case scoring, review, signed

    public enum Step: String, Sendable {
        case score, review, signOff = "sign_off"
    }

    /// Whether a step may be taken now (`allScored`: every hand criterion of every subject has points).
    public func allows(_ step: Step, allScored: Bool) -> Bool {
        switch (self, step) {
        case (.scoring, .score): return true
        case (.scoring, .review), (.review, .review): return allScored
        case (.review, .signOff): return true
        default: return false
        }
    }
}

/// One subject's line of an assessment (a window, a department or a center).
public struct AssessmentLine: Sendable, Equatable {
    public var subject: String
    public var name: String
    public var scores: [String: Double?]
    public var adjustment: Double

    public init(subject: String, name: String, scores: [String: Double?], adjustment: Double = 0) {
        (self.subject, self.name, self.scores, self.adjustment) = (subject, name, scores, adjustment)
    }

    public func total(_ criteria: [AssessmentCriterion]) -> AssessmentTotal {
        var t = AssessmentTotal(scores: criteria.map { (scores[$0.key] ?? nil, $0.points) })
        t.points = ScoringRule.rounded(min(max(t.points + adjustment, 0), t.outOf))
        return t
    }
}

public enum AssessmentRanking {
    /// Subjects best first: the higher total; on a tie the higher points of the computed criteria
    /// (what the records say before what people scored), then the name. Ranks are shared by equal
    /// totals and computed points ("1, 2, 2, 4").
    public static func rank(
        _ lines: [AssessmentLine], criteria: [AssessmentCriterion]
    ) -> [(rank: Int, line: AssessmentLine, total: AssessmentTotal)] {
        let computed = Set(criteria.filter { !$0.byHand }.map(\.key))
        func measured(_ l: AssessmentLine) -> Double { computed.compactMap { l.scores[$0] ?? nil }.reduce(0, +) }
        let sorted = lines.map { ($0, $0.total(criteria), measured($0)) }.sorted {
            ($0.1.points, $0.2, $1.0.name) > ($1.1.points, $1.2, $0.0.name)
        }
        var out: [(Int, AssessmentLine, AssessmentTotal)] = []
        for (i, s) in sorted.enumerated() {
            let rank = i > 0 && sorted[i - 1].1.points == s.1.points && sorted[i - 1].2 == s.2 ? out[i - 1].0 : i + 1
            out.append((rank, s.0, s.1))
        }
        return out
    }
}
