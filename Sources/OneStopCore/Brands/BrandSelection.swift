import Foundation

/// The selection (评选) of service brands (issue 22, DOMAIN.md section 9): the five standards an
/// expert scores, who may score, the expert score, the social score, and their combination into
/// the ranking from which the office determines the typical brands.
public enum BrandSelection {
    /// The five standards, with the points each is scored within (100 in all by default).
    public enum Standard: String, Codable, Sendable, CaseIterable {
        case name, logo, culture, system, benefit

        public static let defaultPoints: [Standard: Double] = [.name: 15, .logo: 15, .culture: 20, .system: 25, .benefit: 25]
    }

    /// Why an expert may not score a brand: they belong to its department, or declared a conflict.
    public enum Exclusion: String, Sendable, Equatable {
        case ownDepartment = "own_department"
        case declared
    }

    public static func exclusion(expertDepartment: UUID?, brandDepartment: UUID, declaredConflict: Bool) -> Exclusion? {
        if expertDepartment == brandDepartment { return .ownDepartment }
        return declaredConflict ? .declared : nil
    }

    /// The faults of one expert's scores: every standard scored, each within 0…its points.
    public static func scoreProblems(
        _ scores: [Standard: Double], points: [Standard: Double] = Standard.defaultPoints
    ) -> [(
        field: String, code: String
    )] {
        Standard.allCases.compactMap { s in
            guard let v = scores[s] else { return ("scores.\(s.rawValue)", "required") }
            return v.isFinite && v >= 0 && v <= (points[s] ?? 0) ? nil : ("scores.\(s.rawValue)", "brand.scoreRange")
        }
    }

    /// The expert score: the mean of the experts' totals, dropping the highest and the lowest once
    /// each when at least `dropFrom` experts scored; nil before any.
    public static func expertScore(_ totals: [Double], dropFrom: Int = 5) -> Double? {
        guard !totals.isEmpty else { return nil }
        var kept = totals.sorted()
        if kept.count >= dropFrom {
            kept.removeFirst()
            kept.removeLast()
        }
        return ScoringRule.rounded(kept.reduce(0, +) / Double(kept.count))
    }

    /// Whether the experts' scores may be shown to each other: once every assigned expert who is
    /// not excluded has scored.
    public static func scoresVisible(assigned: Int, scored: Int) -> Bool { assigned > 0 && scored >= assigned }

    /// The social score, 0–100: the survey's mean (answers 1–5 as 0, 25, 50, 75, 100) with the
    /// period's rating satisfaction (0…1) and valid complaints weighed in. A valid complaint takes
    /// `complaintPenalty` points, down to 0.
    public struct Social: Sendable, Equatable {
        public var surveyWeight: Double
        public var ratingWeight: Double
        public var complaintPenalty: Double

        public init(surveyWeight: Double = 1, ratingWeight: Double = 0, complaintPenalty: Double = 0) {
            (self.surveyWeight, self.ratingWeight, self.complaintPenalty) = (surveyWeight, ratingWeight, complaintPenalty)
        }

        public func score(survey: Double?, satisfaction: Double?, validComplaints: Int) -> Double? {
            var parts: [(Double, Double)] = []
            if let survey { parts.append((survey, surveyWeight)) }
            if let satisfaction, ratingWeight > 0 { parts.append((satisfaction * 100, ratingWeight)) }
            let weight = parts.map(\.1).reduce(0, +)
            guard weight > 0 else { return nil }
            let mean = parts.map { $0.0 * $0.1 }.reduce(0, +) / weight
            return ScoringRule.rounded(max(0, mean - complaintPenalty * Double(validComplaints)))
        }
    }

    /// Combined = expert × weight + social × (1 − weight) (default 60 / 40); nil until both exist.
    public static func combined(expert: Double?, social: Double?, expertWeight: Double = 0.6) -> Double? {
        guard let expert, let social else { return nil }
        return ScoringRule.rounded(expert * expertWeight + social * (1 - expertWeight))
    }

    public struct Entry: Sendable, Equatable {
        public var brand: String
        public var name: String
        public var expert: Double?
        public var social: Double?
        public var combined: Double?

        public init(brand: String, name: String, expert: Double?, social: Double?, combined: Double?) {
            (self.brand, self.name, self.expert, self.social, self.combined) = (brand, name, expert, social, combined)
        }
    }

    /// The ranking: by combined score; on a tie the higher expert score, then the higher social
    /// score; still tied, the same rank ("1, 2, 2, 4"). Brands without a combined score come last,
    /// unranked.
    public static func rank(_ entries: [Entry]) -> [(rank: Int?, entry: Entry)] {
        let scored = entries.filter { $0.combined != nil }.sorted {
            ($0.combined!, $0.expert ?? -1, $0.social ?? -1, $1.name) > ($1.combined!, $1.expert ?? -1, $1.social ?? -1, $0.name)
        }
        var out: [(rank: Int?, entry: Entry)] = []
        for (i, e) in scored.enumerated() {
            if i > 0, let previous = out.last, previous.entry.combined == e.combined, previous.entry.expert == e.expert,
                previous.entry.social == e.social
            {
                out.append((previous.rank, e))
            } else {
                out.append((i + 1, e))
            }
        }
        return out + entries.filter { $0.combined == nil }.sorted { $0.name < $1.name }.map { (nil, $0) }
    }
}

/// A campaign's phases (培育打造 → 实践推进 → 典型推介 → 巩固优化), each a range of days, in order.
public struct BrandCampaignPhases: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable, CaseIterable {
        case cultivation, practice, selection, consolidation
    }

    public struct Span: Codable, Sendable, Equatable {
        public var phase: Phase
        public var from: CivilDate
        public var to: CivilDate

        public init(_ phase: Phase, from: CivilDate, to: CivilDate) { (self.phase, self.from, self.to) = (phase, from, to) }
    }

    public var spans: [Span]

    public init(_ spans: [Span]) { self.spans = spans }

    /// The phase on `day`, nil outside every span.
    public func phase(on day: CivilDate) -> Phase? { spans.first { $0.from <= day && day <= $0.to }?.phase }

    /// The faults, as message keys: all four phases, once each, in their order, each ending no
    /// earlier than it starts and starting after the one before ends.
    public var problems: [String] {
        var out: [String] = []
        if spans.map(\.phase) != Phase.allCases { out.append("brand.phasesOrder") }
        if spans.contains(where: { $0.to < $0.from }) { out.append("brand.phaseDates") }
        if zip(spans, spans.dropFirst()).contains(where: { $1.from <= $0.to }) { out.append("brand.phasesOverlap") }
        return out
    }

    /// What the phase allows: weekly reports in practice; declarations, expert scores and the
    /// survey in selection; naming in consolidation. Inspections run in any phase.
    /// `evaluate`: the yearly social evaluation (年度社会评价) of a typical or named brand.
    public enum Act: Sendable { case weeklyReport, declare, score, vote, decide, name, inspect, evaluate }

    public func allows(_ act: Act, on day: CivilDate) -> Bool {
        guard let p = phase(on: day) else { return false }
        switch act {
        case .inspect: return true
        case .weeklyReport: return p == .practice
        case .declare, .score, .vote, .decide: return p == .selection
        case .name, .evaluate: return p == .consolidation
        }
    }
}

extension BrandSelection {
    /// The weights of a campaign's selection (all configurable): the expert share of the combined
    /// score (default 60 %), the social score's parts, and from how many experts the highest and
    /// the lowest are dropped.
    public struct Weights: Codable, Sendable, Equatable {
        public var expert: Double
        public var social: Social
        public var dropFrom: Int
        /// A named brand whose commitments are missed this many months in a row goes under review.
        public var reviewMonths: Int

        public init(expert: Double = 0.6, social: Social = .init(), dropFrom: Int = 5, reviewMonths: Int = 3) {
            (self.expert, self.social, self.dropFrom, self.reviewMonths) = (expert, social, dropFrom, reviewMonths)
        }

        enum CodingKeys: String, CodingKey { case expert, survey, rating, complaintPenalty, dropFrom, reviewMonths }

        /// Any part may be left out (its default); a campaign stored without weights reads as the
        /// defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            expert = try c.decodeIfPresent(Double.self, forKey: .expert) ?? 0.6
            social = Social(
                surveyWeight: try c.decodeIfPresent(Double.self, forKey: .survey) ?? 1,
                ratingWeight: try c.decodeIfPresent(Double.self, forKey: .rating) ?? 0,
                complaintPenalty: try c.decodeIfPresent(Double.self, forKey: .complaintPenalty) ?? 0)
            dropFrom = try c.decodeIfPresent(Int.self, forKey: .dropFrom) ?? 5
            reviewMonths = try c.decodeIfPresent(Int.self, forKey: .reviewMonths) ?? 3
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(expert, forKey: .expert)
            try c.encode(social.surveyWeight, forKey: .survey)
            try c.encode(social.ratingWeight, forKey: .rating)
            try c.encode(social.complaintPenalty, forKey: .complaintPenalty)
            try c.encode(dropFrom, forKey: .dropFrom)
            try c.encode(reviewMonths, forKey: .reviewMonths)
        }

        /// The faults, as (field, message key): the expert share within 0…1, the social parts not
        /// negative with some weight, the penalty within 0…100, dropping from 3 experts on.
        public var problems: [(field: String, code: String)] {
            var out: [(String, String)] = []
            if !(0...1).contains(expert) || !expert.isFinite { out.append(("weights.expert", "brand.weightRange")) }
            let s = social
            if ![s.surveyWeight, s.ratingWeight].allSatisfy({ $0.isFinite && $0 >= 0 }) || s.surveyWeight + s.ratingWeight <= 0 {
                out.append(("weights.survey", "brand.weightRange"))
            }
            if !(0...100).contains(s.complaintPenalty) { out.append(("weights.complaintPenalty", "brand.weightRange")) }
            if dropFrom < 3 || dropFrom > 100 { out.append(("weights.dropFrom", "brand.weightRange")) }
            if reviewMonths < 1 || reviewMonths > 24 { out.append(("weights.reviewMonths", "brand.weightRange")) }
            return out
        }
    }

    /// A survey answer: 1 (very dissatisfied) … 5 (very satisfied).
    public static let surveyLevels = 1...5

    /// The survey's score, 0–100: the mean of the answers with 1…5 read as 0, 25, 50, 75, 100;
    /// nil without answers.
    public static func surveyScore(_ levels: [Int]) -> Double? {
        let valid = levels.filter { surveyLevels.contains($0) }
        guard !valid.isEmpty else { return nil }
        return ScoringRule.rounded(valid.map { Double($0 - 1) * 25 }.reduce(0, +) / Double(valid.count))
    }

    /// The last day of the public announcement (公示): `days` working days from the day after the
    /// decision, by `addWorkingDays` (the center's calendar).
    public static let announceDays = 5
}

extension BrandSelection {
    /// What a brand's survey is for: the selection's social evaluation (a candidate), or the
    /// yearly social evaluation of the consolidation phase (a typical, named or reviewed brand).
    public enum SurveyPurpose: String, Sendable {
        case selection, consolidation
    }

    /// The survey a brand in `state` may have, or nil.
    public static func surveyPurpose(_ state: BrandRules.State) -> SurveyPurpose? {
        switch state {
        case .candidate: return .selection
        case .typical, .named, .underReview: return .consolidation
        default: return nil
        }
    }

    /// Whether a yearly evaluation may open in `year`, given the years the brand's earlier ones
    /// opened: one a year.
    public static func mayEvaluate(in year: Int, evaluatedIn years: [Int]) -> Bool { !years.contains(year) }

    /// The key that makes one vote per person per survey round: the first round keeps the bare
    /// identity, so that votes given before rounds existed still count as the first round's.
    public static func voterKey(_ identity: String, round: Int) -> String { round <= 1 ? identity : identity + "#round\(round)" }
}
