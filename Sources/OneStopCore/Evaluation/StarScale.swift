/// The 十星级 scale of 一诺双评 (issue 21, DOMAIN.md section 8): the combined score is a weighted
/// mean of the public evaluation (群众评议) and the leader review (领导点评), each on 0–100, and of the
/// outside evaluators' score where the center gives it a weight; a center
/// may let the period's 好差评 satisfaction count inside the public evaluation (default weight 0).
/// Stars are the score's tens digit (100 = 10 stars) unless the center sets its own bands.
public struct StarScale: Sendable, Equatable, Codable {
    /// Weights of the public evaluation and the leader review; they need not sum to 1 (the
    /// combined score divides by their sum).
    public var publicWeight: Double
    public var leaderWeight: Double
    /// Share of the public evaluation taken by the period's rating satisfaction (0…1).
    public var ratingWeight: Double
    /// The least score for 1, 2, … 10 stars, ascending; nil: 10, 20, … 100.
    public var bands: [Double]?
    /// Weight of the outside evaluators' score (群众监督员, 行风评议员, 特邀监察员), beside the other
    /// two; 0 (the default): their scores are shown but do not count.
    public var outsideWeight: Double

    public init(
        publicWeight: Double = 0.5, leaderWeight: Double = 0.5, ratingWeight: Double = 0, bands: [Double]? = nil, outsideWeight: Double = 0
    ) {
        (self.publicWeight, self.leaderWeight, self.ratingWeight, self.bands) = (publicWeight, leaderWeight, ratingWeight, bands)
        self.outsideWeight = outsideWeight
    }

    enum CodingKeys: String, CodingKey {
        case publicWeight, leaderWeight, ratingWeight, bands, outsideWeight
    }

    /// Scales stored before outside evaluators counted have no `outsideWeight`: 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        publicWeight = try c.decode(Double.self, forKey: .publicWeight)
        leaderWeight = try c.decode(Double.self, forKey: .leaderWeight)
        ratingWeight = try c.decode(Double.self, forKey: .ratingWeight)
        bands = try c.decodeIfPresent([Double].self, forKey: .bands)
        outsideWeight = try c.decodeIfPresent(Double.self, forKey: .outsideWeight) ?? 0
    }

    public static let standard = StarScale()

    /// The public evaluation: the survey's mean (0–100) with the rating satisfaction (0…1) mixed in
    /// by `ratingWeight`. With no satisfaction figure, the survey alone; with no survey, nil.
    public func publicScore(survey: Double?, satisfaction: Double?) -> Double? {
        guard let survey else { return nil }
        guard ratingWeight > 0, let satisfaction else { return survey }
        return (1 - ratingWeight) * survey + ratingWeight * satisfaction * 100
    }

    /// The combined score, 0–100 to two decimals; nil until both evaluations exist, and the
    /// outside evaluators' score too when it has a weight.
    public func combined(publicScore: Double?, leaderScore: Double?, outsideScore: Double? = nil) -> Double? {
        guard let p = publicScore, let l = leaderScore, publicWeight + leaderWeight > 0 else { return nil }
        guard outsideWeight > 0 else { return ScoringRule.rounded((publicWeight * p + leaderWeight * l) / (publicWeight + leaderWeight)) }
        guard let o = outsideScore else { return nil }
        return ScoringRule.rounded(
            (publicWeight * p + leaderWeight * l + outsideWeight * o) / (publicWeight + leaderWeight + outsideWeight))
    }

    /// 0–10 stars for a combined score.
    public func stars(_ score: Double) -> Int {
        let s = min(max(score, 0), 100)
        guard let bands else { return min(10, Int((s + 1e-9) / 10)) }
        return bands.filter { s + 1e-9 >= $0 }.count
    }

    /// What is wrong with the scale, as message keys; empty when fine.
    public var problems: [String] {
        var out: [String] = []
        if publicWeight < 0 || leaderWeight < 0 || publicWeight + leaderWeight <= 0 || outsideWeight < 0 || !outsideWeight.isFinite {
            out.append("star.weights")
        }
        if !(0...1).contains(ratingWeight) { out.append("star.ratingWeight") }
        if let b = bands,
            b.count != 10 || zip(b, b.dropFirst()).contains(where: { $0 >= $1 }) || b.contains(where: { !(0...100).contains($0) })
        {
            out.append("star.bands")
        }
        return out
    }
}
