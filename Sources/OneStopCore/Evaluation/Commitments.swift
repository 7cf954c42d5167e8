import Foundation

/// 一诺 — a public commitment for a half-year (issue 21, DOMAIN.md section 8): concrete, checkable
/// pledges, each optionally tied to an indicator with a target, so that the 回头看 at the period's
/// end can put the measured figure beside it; each pledge is then marked kept, partly kept or not
/// kept, and a renewed commitment (再承诺) is made for the next period.
public struct Pledge: Codable, Sendable, Equatable {
    public var text: String
    /// The indicator the pledge is measured by, and the figure promised (a rate 0…1, or a count).
    public var indicator: Indicator?
    public var target: Double?
    /// Filled by the review: the measured figure, the verdict and a note.
    public var measured: String?
    public var result: PledgeResult?
    public var note: String?

    public init(text: String, indicator: Indicator? = nil, target: Double? = nil) {
        (self.text, self.indicator, self.target) = (text, indicator, target)
    }

    /// Whether the measured figure reaches the target (a higher rate, or at most the count where
    /// lower is better); nil without both.
    public func met(_ figure: IndicatorFigure) -> Bool? {
        guard let i = indicator, let target, let v = figure.value else { return nil }
        return i.higherIsBetter ? v + 1e-9 >= target : v <= target + 1e-9
    }
}

public enum PledgeResult: String, Codable, Sendable, CaseIterable {
    case kept, partly, notKept = "not_kept"
}

public enum CommitmentRules {
    /// The pledges' faults, as (field, message key) pairs: one to ten pledges of at most 200
    /// characters; a target needs an indicator and lies in 0…1 for a rate.
    public static func problems(_ pledges: [Pledge]) -> [(field: String, code: String)] {
        var out: [(String, String)] = []
        if pledges.isEmpty { out.append(("pledges", "required")) }
        if pledges.count > 10 { out.append(("pledges", "tooLong")) }
        for (i, p) in pledges.enumerated() {
            let text = p.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { out.append(("pledges.\(i).text", "required")) }
            if text.count > 200 { out.append(("pledges.\(i).text", "tooLong")) }
            if p.target != nil, p.indicator == nil { out.append(("pledges.\(i).indicator", "required")) }
            if let t = p.target, let i2 = p.indicator {
                if i2.unit == .count ? t < 0 : !(0...1).contains(t) { out.append(("pledges.\(i).target", "commitment.target")) }
            }
        }
        return out
    }

    /// A commitment is made for a half-year.
    public static func period(_ key: String) -> EvaluationPeriod? {
        guard let p = EvaluationPeriod(key: key), p.kind == .halfYear else { return nil }
        return p
    }
}
