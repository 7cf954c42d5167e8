import Foundation

/// 双评 of the half-yearly 十星级 rating (issue 21, DOMAIN.md section 8): the public survey
/// (群众评议) and the leaders' review (领导点评) of each staff member and organisation, combined on a
/// `StarScale`.
public enum StarRules {
    /// The criteria a rating asks about unless its center sets others.
    public static let defaultCriteria = ["服务态度", "办事效率", "业务能力", "廉洁自律", "承诺践行"]

    /// Who is rated: staff members, departments' window units (窗口单位) and their party
    /// organisations ("十星级"党组织, keyed by the department).
    public enum SubjectKind: String, Codable, Sendable, CaseIterable {
        case staff, department, party
    }

    /// Who reviews: the department's head (its chief representative) and the center. A
    /// department or party organisation is reviewed by the center only. `outside`: an outside
    /// evaluator's scorecard (群众监督员, 行风评议员, 特邀监察员), which counts apart from the leaders'.
    public enum ReviewLevel: String, Codable, Sendable, CaseIterable {
        case department, center, outside
    }

    /// A survey answer 1–5 (非常不满意 … 非常满意) in points: 0, 25, 50, 75, 100.
    public static func points(level: Int) -> Double { Double(min(max(level, 1), 5) - 1) * 25 }

    /// A vote's score: the mean of its answers' points.
    public static func score(levels: [Int]) -> Double? {
        levels.isEmpty ? nil : levels.map(points).reduce(0, +) / Double(levels.count)
    }

    /// The faults of a rating's criteria, as message keys: one to ten distinct names of at most 20
    /// characters.
    public static func criteriaProblems(_ criteria: [String]) -> [String] {
        var out: [String] = []
        if criteria.isEmpty { out.append("required") }
        if criteria.count > 10 || criteria.contains(where: { $0.count > 20 }) { out.append("tooLong") }
        if criteria.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) { out.append("required") }
        if Set(criteria).count != criteria.count { out.append("star.criteriaRepeated") }
        return out
    }

    /// The faults of a vote: one answer 1–5 per criterion.
    public static func voteProblems(_ levels: [Int], criteria: Int) -> [(field: String, code: String)] {
        if levels.count != criteria { return [("levels", "star.everyCriterion")] }
        return levels.enumerated().filter { !(1...5).contains($0.element) }.map { ("levels.\($0.offset)", "invalidChoice") }
    }

    /// A leader's review of one subject: a score 0–100 and a written comment per criterion, and a
    /// summary that is published with the stars.
    public struct Review: Codable, Sendable, Equatable {
        public var level: ReviewLevel
        public var reviewer: String
        public var scores: [Double]
        public var comments: [String]
        public var summary: String

        public init(level: ReviewLevel, reviewer: String, scores: [Double], comments: [String], summary: String) {
            (self.level, self.reviewer, self.scores, self.comments, self.summary) = (level, reviewer, scores, comments, summary)
        }

        /// The review's score: the mean over the criteria.
        public var score: Double { scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count) }

        /// Its faults, as (field, message key) pairs.
        public func problems(criteria: Int) -> [(field: String, code: String)] {
            var out: [(String, String)] = []
            if scores.count != criteria || comments.count != criteria { out.append(("scores", "star.everyCriterion")) }
            for (i, s) in scores.enumerated() where !(0...100).contains(s) || !s.isFinite { out.append(("scores.\(i)", "star.score")) }
            for (i, c) in comments.enumerated() {
                let t = c.trimmingCharacters(in: .whitespacesAndNewlines)
                if t.isEmpty { out.append(("comments.\(i)", "required")) }
                if t.count > 300 { out.append(("comments.\(i)", "tooLong")) }
            }
            let s = summary.trimmingCharacters(in: .whitespacesAndNewlines)
            if s.isEmpty { out.append(("overall", "required")) }
            if s.count > 300 { out.append(("overall", "tooLong")) }
            return out
        }
    }

    /// The tallies of a subject's votes: how many, and the points summed per criterion.
    public struct VoteTally: Codable, Sendable, Equatable {
        public var votes = 0
        public var points: [Double] = []

        public init() {}

        public mutating func add(levels: [Int]) {
            if points.count < levels.count { points += Array(repeating: 0, count: levels.count - points.count) }
            for (i, l) in levels.enumerated() { points[i] += StarRules.points(level: l) }
            votes += 1
        }

        /// The mean per criterion, and the survey's score: the mean of the criteria's means.
        public var criterionMeans: [Double] { votes == 0 ? [] : points.map { ScoringRule.rounded($0 / Double(votes)) } }
        public var survey: Double? {
            votes == 0 || points.isEmpty ? nil : ScoringRule.rounded(points.reduce(0, +) / Double(votes * points.count))
        }
    }

    /// How a subject's score was made up.
    public struct Breakdown: Codable, Sendable, Equatable {
        public var votes: Int
        public var criterionMeans: [Double]
        public var survey: Double?
        /// The period's 好差评 satisfaction (0…1) when the scale counts it.
        public var satisfaction: Double?
        public var publicScore: Double?
        public var reviews: [Review]
        public var leaderScore: Double?
        /// The outside evaluators' scorecards and their mean (nil before any).
        public var outsideReviews: [Review]?
        public var outsideScore: Double?
        public var combined: Double?
        public var stars: Int?
        /// The published comment: the center's review's summary, else the department's.
        public var comment: String?
    }

    /// The leaders' score: the mean of the reviews' scores; nil before any.
    public static func leaderScore(_ reviews: [Review]) -> Double? {
        reviews.isEmpty ? nil : ScoringRule.rounded(reviews.map(\.score).reduce(0, +) / Double(reviews.count))
    }

    /// A subject's result on `scale`: stars only once both evaluations exist (and the outside
    /// evaluators' when the scale weighs it). `reviews` may hold outside scorecards: they are
    /// kept apart from the leaders'.
    public static func breakdown(tally: VoteTally, satisfaction: Double?, reviews: [Review], scale: StarScale) -> Breakdown {
        let survey = tally.survey
        let publicScore = scale.publicScore(survey: survey, satisfaction: satisfaction).map(ScoringRule.rounded)
        let sorted = reviews.filter { $0.level != .outside }.sorted { $0.level.rawValue < $1.level.rawValue }
        let outside = reviews.filter { $0.level == .outside }.sorted { $0.reviewer < $1.reviewer }
        let leader = leaderScore(sorted)
        let outsideScore = leaderScore(outside)
        let combined = scale.combined(publicScore: publicScore, leaderScore: leader, outsideScore: outsideScore)
        let comment = (sorted.first { $0.level == .center } ?? sorted.first)?.summary
        return Breakdown(
            votes: tally.votes, criterionMeans: tally.criterionMeans, survey: survey,
            satisfaction: scale.ratingWeight > 0 ? satisfaction : nil, publicScore: publicScore, reviews: sorted,
            leaderScore: leader, outsideReviews: outside.isEmpty ? nil : outside, outsideScore: outsideScore, combined: combined,
            stars: combined.map(scale.stars), comment: comment)
    }
}
