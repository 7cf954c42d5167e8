/// The window-service indicators of GB/T 32169.4 as DOMAIN.md section 8 defines them (issue 21),
/// in one place: each is named, has its formula in words, and is computed from counters that are
/// kept per day and scope (`IndicatorCounts`), so that any period and any scope is a sum of rows
/// and every page, export and assessment reads the same definition.
public enum Indicator: String, CaseIterable, Sendable, Codable {
    case itemResidency = "item_residency"
    case windowAuthorisation = "window_authorisation"
    case speedUp = "speed_up"
    case onTime = "on_time"
    case onSite = "on_site"
    case joint
    case onlineAcceptance = "online_acceptance"
    case firstTimeSuccess = "first_time_success"
    case satisfaction
    case anomalies
    case validComplaints = "valid_complaints"
    case complaintRate = "complaint_rate"
    case complaintSatisfaction = "complaint_satisfaction"
    case rectificationOnTime = "rectification_on_time"
    /// 外部评议得分率: the mean score (0–100, as a share of 100) of the outside evaluators'
    /// scorecards (群众监督员, 行风评议员, 特邀监察员) given on the period's days.
    case outsideEvaluation = "outside_evaluation"
    /// 品牌督查问题: problems the campaign office's inspections found in the scope's service brands
    /// (issue 22), counted on the day the inspection was recorded — for the annual assessment.
    case brandProblems = "brand_problems"
    /// 品牌评选结果: the scope's brands determined typical (典型品牌) or named 优质服务品牌, counted on
    /// the day of the decision.
    case brandHonours = "brand_honours"
    /// 作风督查问题: findings of the center's conduct inspections at the scope's windows (issue 23),
    /// counted on the day they were recorded.
    case conductFindings = "conduct_findings"
    /// 一周小结迟报: the window units' weekly summaries filed after their week (issue 23), counted on
    /// the day they were filed.
    case lateSummaries = "late_summaries"
    /// 志愿服务人次: services entered in the center's volunteer ledger (issue 23), on their day.
    case volunteerServices = "volunteer_services"

    public enum Group: String, CaseIterable, Sendable {
        case efficiency, satisfaction, anomalies, complaints, brands
    }

    public enum Unit: Sendable {
        /// numerator ÷ denominator, shown as a percentage.
        case rate
        /// A mean of per-item ratios (the numerator is their sum), shown as a percentage.
        case meanRate
        /// A count.
        case count
    }

    public var group: Group {
        switch self {
        case .itemResidency, .windowAuthorisation, .speedUp, .onTime, .onSite, .joint, .onlineAcceptance, .firstTimeSuccess:
            return .efficiency
        case .satisfaction, .outsideEvaluation, .volunteerServices: return .satisfaction
        case .anomalies, .conductFindings, .lateSummaries: return .anomalies
        case .validComplaints, .complaintRate, .complaintSatisfaction, .rectificationOnTime: return .complaints
        case .brandProblems, .brandHonours: return .brands
        }
    }

    public var unit: Unit {
        switch self {
        case .anomalies, .validComplaints, .brandProblems, .brandHonours, .conductFindings, .lateSummaries, .volunteerServices:
            return .count
        case .speedUp, .outsideEvaluation: return .meanRate
        default: return .rate
        }
    }

    /// Whether a higher figure is the better one (a complaint rate is better low).
    public var higherIsBetter: Bool {
        switch self {
        case .anomalies, .validComplaints, .complaintRate, .brandProblems, .conductFindings, .lateSummaries: return false
        default: return true
        }
    }

    /// The counters it divides: numerator and denominator (none for a count).
    public var terms: (numerator: IndicatorCounter, denominator: IndicatorCounter?) {
        switch self {
        case .itemResidency: return (.itemsServed, .itemsRequired)
        case .windowAuthorisation: return (.itemsAuthorised, .itemsServed)
        case .speedUp: return (.speedUpBasisPoints, .itemsWithLimits)
        case .onTime: return (.timedClosedOnTime, .timedClosed)
        case .onSite: return (.closedOnAcceptanceDay, .accepted)
        case .joint: return (.jointAccepted, .accepted)
        case .onlineAcceptance: return (.onlineAccepted, .accepted)
        case .firstTimeSuccess: return (.onlineAcceptedFirstTime, .onlineDecided)
        case .satisfaction: return (.ratingsGood, .ratings)
        case .anomalies: return (.anomalies, nil)
        case .validComplaints: return (.validComplaints, nil)
        case .complaintRate: return (.validComplaints, .accepted)
        case .complaintSatisfaction: return (.complaintCallBacksSatisfied, .complaintCallBacks)
        case .rectificationOnTime: return (.badRatingsRectifiedInTime, .badRatingsDue)
        case .outsideEvaluation: return (.outsideScoreBasisPoints, .outsideScored)
        case .brandProblems: return (.brandProblems, nil)
        case .brandHonours: return (.brandHonours, nil)
        case .conductFindings: return (.conductFindings, nil)
        case .lateSummaries: return (.lateSummaries, nil)
        case .volunteerServices: return (.volunteerServices, nil)
        }
    }

    /// The records behind the figure (drill-down): what falls short where a rate is better high
    /// (the late cases of 按时办结率, the bad ratings of 满意率), what is counted where a count or a
    /// rate of events is (anomalies, valid complaints), the cases divided by where the rate is a
    /// share of them. nil for the catalog's indicators, whose records are items.
    public var recordKind: IndicatorRecordKind? {
        switch self {
        case .onTime: return .lateCases
        case .onSite, .joint, .onlineAcceptance: return .acceptedCases
        case .firstTimeSuccess: return .onlineDecisions
        case .satisfaction: return .badRatings
        case .anomalies: return .anomalies
        case .validComplaints, .complaintRate: return .validComplaints
        case .complaintSatisfaction: return .dissatisfiedCallBacks
        case .rectificationOnTime: return .lateRectifications
        case .outsideEvaluation: return .outsideScores
        case .itemResidency, .windowAuthorisation, .speedUp, .brandProblems, .brandHonours, .conductFindings, .lateSummaries,
            .volunteerServices:
            return nil
        }
    }

    /// How many records the drill-down lists for a figure: it must agree with the figure.
    public func recordCount(_ f: IndicatorFigure) -> Int? {
        switch recordKind {
        case nil: return nil
        case .lateCases, .badRatings, .dissatisfiedCallBacks, .lateRectifications: return (f.denominator ?? 0) - f.numerator
        case .acceptedCases, .onlineDecisions, .outsideScores: return f.denominator
        case .anomalies, .validComplaints: return f.numerator
        }
    }

    /// The figure over `counts`: nil value when the denominator is zero (nothing to divide by is
    /// not 0%).
    public func figure(_ counts: IndicatorCounts) -> IndicatorFigure {
        let n = counts[terms.numerator]
        guard let d = terms.denominator else { return IndicatorFigure(indicator: self, numerator: n, denominator: nil) }
        return IndicatorFigure(indicator: self, numerator: n, denominator: counts[d])
    }
}

/// The records behind a figure, for drill-down.
public enum IndicatorRecordKind: String, Sendable, CaseIterable, Codable {
    case lateCases = "late_cases"
    case acceptedCases = "accepted_cases"
    case onlineDecisions = "online_decisions"
    case badRatings = "bad_ratings"
    case anomalies
    case validComplaints = "valid_complaints"
    case dissatisfiedCallBacks = "dissatisfied_call_backs"
    case lateRectifications = "late_rectifications"
    case outsideScores = "outside_scores"

    /// The indicator whose figure counts these records (`Indicator.recordCount`), so that a
    /// drill-down's total is read from the kept figures instead of counting millions of rows.
    public var indicator: Indicator {
        Indicator.allCases.first { $0.recordKind == self }!
    }
}

/// What is counted per day and scope. Each is an integer, so any period's and any subtree's
/// figures are sums.
public enum IndicatorCounter: String, CaseIterable, Sendable, Codable, Comparable {
    /// Items (the catalog's, at the day): that should be served in the center; that are; with full
    /// authorisation at the window; with both a legal and a promised limit, and the sum of their
    /// (legal − promised) ÷ legal in basis points (1/10,000).
    case itemsRequired = "items_required"
    case itemsServed = "items_served"
    case itemsAuthorised = "items_authorised"
    case itemsWithLimits = "items_with_limits"
    case speedUpBasisPoints = "speed_up_bp"
    /// Cases accepted on the day; of them joint, from online applications.
    case accepted
    case jointAccepted = "joint_accepted"
    case onlineAccepted = "online_accepted"
    /// Cases closed on the day of their acceptance (counted on that day).
    case closedOnAcceptanceDay = "closed_same_day"
    /// Cases with a promised limit closed on the day; of them by their promised date.
    case timedClosed = "timed_closed"
    case timedClosedOnTime = "timed_closed_on_time"
    /// Online applications decided on acceptance (accepted or refused) on the day; of them
    /// accepted without a supplement request.
    case onlineDecided = "online_decided"
    case onlineAcceptedFirstTime = "online_first_time"
    /// Ratings of the day (appeal-upheld ones excluded); of them level 3 or better.
    case ratings
    case ratingsGood = "ratings_good"
    /// Anomalies recorded on the day.
    case anomalies
    /// Complaints judged valid, counted on the day they were received.
    case validComplaints = "valid_complaints"
    /// Complaint call-backs (reached) of the day; of them satisfied or basically satisfied.
    case complaintCallBacks = "complaint_call_backs"
    case complaintCallBacksSatisfied = "complaint_call_backs_satisfied"
    /// Bad ratings whose rectification fell due on the day; of them rectified by then.
    case badRatingsDue = "bad_ratings_due"
    case badRatingsRectifiedInTime = "bad_ratings_rectified_in_time"
    /// Outside evaluators' scorecards given on the day, and the sum of their scores in basis
    /// points of 100 (a score of 87.5 adds 8,750).
    case outsideScored = "outside_scored"
    case outsideScoreBasisPoints = "outside_score_bp"
    /// Problems found by brand inspections recorded on the day; brands made typical or named on it.
    case brandProblems = "brand_problems"
    case brandHonours = "brand_honours"
    /// Conduct inspection findings recorded on the day.
    case conductFindings = "conduct_findings"
    /// Weekly summaries filed late on the day; volunteer services of the day.
    case lateSummaries = "late_summaries"
    case volunteerServices = "volunteer_services"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Counters of one day and scope, or the sum of many.
public struct IndicatorCounts: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var values: [IndicatorCounter: Int] = [:]

    public init(_ values: [IndicatorCounter: Int] = [:]) {
        for (k, v) in values where v != 0 { self.values[k] = v }
    }

    public init(dictionaryLiteral elements: (IndicatorCounter, Int)...) {
        self.init(Dictionary(elements, uniquingKeysWith: +))
    }

    public subscript(_ c: IndicatorCounter) -> Int {
        get { values[c] ?? 0 }
        set { values[c] = newValue == 0 ? nil : newValue }
    }

    public mutating func add(_ other: IndicatorCounts) {
        for (k, v) in other.values { self[k] += v }
    }

    public static func += (a: inout IndicatorCounts, b: IndicatorCounts) { a.add(b) }

    public static func + (a: IndicatorCounts, b: IndicatorCounts) -> IndicatorCounts {
        var s = a
        s.add(b)
        return s
    }

    public var isEmpty: Bool { values.isEmpty }
}

/// An indicator's figure: its numerator and denominator and the value they give.
public struct IndicatorFigure: Sendable, Equatable {
    public var indicator: Indicator
    public var numerator: Int
    /// nil for a count.
    public var denominator: Int?

    public init(indicator: Indicator, numerator: Int, denominator: Int?) {
        (self.indicator, self.numerator, self.denominator) = (indicator, numerator, denominator)
    }

    /// The rate (0…1, a mean rate may be negative when promised limits exceed legal ones) or the
    /// count; nil when there is nothing to divide by.
    public var value: Double? {
        guard let d = denominator else { return Double(numerator) }
        guard d > 0 else { return nil }
        switch indicator.unit {
        case .meanRate: return Double(numerator) / 10_000 / Double(d)
        case .rate, .count: return Double(numerator) / Double(d)
        }
    }

    /// The change against an earlier figure, in the figure's unit (percentage points for a rate,
    /// a count for a count); nil when either has no value.
    public func change(from earlier: IndicatorFigure) -> Double? {
        guard let a = value, let b = earlier.value else { return nil }
        return a - b
    }

    /// Whether the change is for the better (nil: no change or no comparison).
    public func improved(from earlier: IndicatorFigure) -> Bool? {
        guard let c = change(from: earlier), abs(c) > 1e-12 else { return nil }
        return (c > 0) == indicator.higherIsBetter
    }

    /// "97.5%", "3"; "—" with no value. One decimal for rates.
    public var text: String {
        guard let v = value else { return "—" }
        switch indicator.unit {
        case .count: return String(numerator)
        case .rate, .meanRate: return Self.percent(v)
        }
    }

    public static func percent(_ v: Double) -> String {
        let tenths = (v * 1000).rounded()
        let whole = Int(tenths) / 10
        let frac = abs(Int(tenths)) % 10
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(frac)%"
    }
}
