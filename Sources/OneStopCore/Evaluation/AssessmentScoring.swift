/// How a criterion of a 百分制 assessment turns an indicator's figure into points (issue 21,
/// DOMAIN.md section 8): linear between two rates, by thresholds, "zero valid complaints = full
/// marks" with a deduction per complaint, a deduction per count with a floor — or by hand, with a
/// reason. Points never go below zero nor above the criterion's points.
public enum ScoringRule: Sendable, Equatable, Codable {
    /// 0 points at `zeroAt`, full points at `fullAt`, in a straight line between (either way
    /// round: a lower-is-better rate has `zeroAt` above `fullAt`), rates as 0…1.
    case linear(zeroAt: Double, fullAt: Double)
    /// The points of the highest step the value reaches (`atLeast`, points); none reached: 0.
    case thresholds([Step])
    /// Full points less `deduct` per count (valid complaints, anomalies), down to `floor`.
    case perCount(deduct: Double, floor: Double)
    /// Scored by a person, with a reason and evidence.
    case byHand

    public struct Step: Sendable, Equatable, Codable {
        public var atLeast: Double
        public var points: Double

        public init(atLeast: Double, points: Double) { (self.atLeast, self.points) = (atLeast, points) }
    }

    /// "zero valid complaints = full marks, −2 per valid complaint" as the domain writes it.
    public static func zeroIsFull(deduct: Double) -> ScoringRule { .perCount(deduct: deduct, floor: 0) }

    /// The points for `value` out of `points`; nil when the value is missing (no data is not 0
    /// points: the assessment shows it as such) or the rule is by hand.
    public func score(_ value: Double?, points: Double) -> Double? {
        guard let value else { return nil }
        let raw: Double
        switch self {
        case .byHand:
            return nil
        case .linear(let zeroAt, let fullAt):
            guard zeroAt != fullAt else { return value >= fullAt ? points : 0 }
            raw = points * (value - zeroAt) / (fullAt - zeroAt)
        case .thresholds(let steps):
            raw = steps.filter { value >= $0.atLeast - 1e-12 }.max { $0.atLeast < $1.atLeast }?.points ?? 0
        case .perCount(let deduct, let floor):
            raw = max(points - deduct * value, floor)
        }
        return Self.rounded(min(max(raw, 0), points))
    }

    /// Points to two decimals, as the report prints them.
    public static func rounded(_ v: Double) -> Double { (v * 100).rounded() / 100 }

    /// What is wrong with the rule for a criterion of `points`, as message keys; empty when fine.
    public func problems(points: Double) -> [String] {
        switch self {
        case .byHand: return []
        case .linear(let zeroAt, let fullAt):
            return [zeroAt, fullAt].allSatisfy { (0...1).contains($0) } && zeroAt != fullAt ? [] : ["assessment.linearRange"]
        case .thresholds(let steps):
            if steps.isEmpty || steps.contains(where: { $0.points < 0 || $0.points > points }) { return ["assessment.steps"] }
            return Set(steps.map(\.atLeast)).count == steps.count ? [] : ["assessment.steps"]
        case .perCount(let deduct, let floor):
            return deduct > 0 && floor >= 0 && floor <= points ? [] : ["assessment.deduction"]
        }
    }

    /// The rule in words, beside the points on the report.
    public var text: String {
        func pct(_ v: Double) -> String { IndicatorFigure.percent(v) }
        switch self {
        case .byHand: return "人工评分（须写明理由）"
        case .linear(let zeroAt, let fullAt): return "\(pct(zeroAt)) 得 0 分，\(pct(fullAt)) 得满分，其间按比例"
        case .thresholds(let steps):
            return steps.sorted { $0.atLeast > $1.atLeast }.map { "≥\(Self.number($0.atLeast)) 得 \(Self.number($0.points)) 分" }
                .joined(separator: "；")
        case .perCount(let deduct, let floor):
            return "无则满分，每 1 项扣 \(Self.number(deduct)) 分" + (floor > 0 ? "，最低 \(Self.number(floor)) 分" : "，扣完为止")
        }
    }

    public static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String((v * 100).rounded() / 100)
    }
}

/// A template's result: the points it gave out of the points it has, and the percentage (a
/// template's total is what its criteria sum to — the township example sums to 85).
public struct AssessmentTotal: Sendable, Equatable {
    public var points: Double
    public var outOf: Double
    /// Criteria without a score (no data, or not yet scored by hand).
    public var unscored: Int

    public init(scores: [(points: Double?, outOf: Double)]) {
        points = ScoringRule.rounded(scores.compactMap(\.points).reduce(0, +))
        outOf = scores.map(\.outOf).reduce(0, +)
        unscored = scores.filter { $0.points == nil }.count
    }

    /// points ÷ out of, 0…1; nil for an empty template.
    public var share: Double? { outOf > 0 ? points / outOf : nil }
}

/// A qualitative review may move a computed total only within a bound, with a reason.
public enum AssessmentReview {
    /// The adjusted points, or nil when the adjustment is out of bounds (more than `bound` points
    /// either way, or the result outside 0…outOf).
    public static func adjusted(_ total: AssessmentTotal, by delta: Double, bound: Double) -> Double? {
        guard abs(delta) <= bound + 1e-9 else { return nil }
        let v = total.points + delta
        guard v >= -1e-9, v <= total.outOf + 1e-9 else { return nil }
        return ScoringRule.rounded(v)
    }
}
