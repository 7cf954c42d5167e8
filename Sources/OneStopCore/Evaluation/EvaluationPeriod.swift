import Foundation

/// A period the indicators and assessments are reported over (issue 21): a day, an ISO week, a
/// month, a quarter, a half-year, a year, or any range of days. Every period knows the one before
/// it, for the comparison shown beside each figure.
public struct EvaluationPeriod: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case day, week, month, quarter, halfYear = "half_year", year, range
    }

    public let kind: Kind
    /// First and last day, both included.
    public let first: CivilDate
    public let last: CivilDate

    /// The period of `kind` that contains `date` (a range is the day itself).
    public init(_ kind: Kind, containing date: CivilDate) {
        self.kind = kind
        switch kind {
        case .day, .range:
            (first, last) = (date, date)
        case .week:
            let monday = date.adding(days: 1 - date.weekday)
            (first, last) = (monday, monday.adding(days: 6))
        case .month:
            (first, last) = Self.months(date.year, date.month, 1)
        case .quarter:
            (first, last) = Self.months(date.year, (date.month - 1) / 3 * 3 + 1, 3)
        case .halfYear:
            (first, last) = Self.months(date.year, date.month <= 6 ? 1 : 7, 6)
        case .year:
            (first, last) = Self.months(date.year, 1, 12)
        }
    }

    /// Any range of days; nil when it ends before it starts or spans more than ten years.
    public init?(from first: CivilDate, to last: CivilDate) {
        guard first <= last, last.dayNumber - first.dayNumber < 3_660 else { return nil }
        (kind, self.first, self.last) = (.range, first, last)
    }

    private init(kind: Kind, first: CivilDate, last: CivilDate) {
        (self.kind, self.first, self.last) = (kind, first, last)
    }

    static func months(_ year: Int, _ month: Int, _ count: Int) -> (CivilDate, CivilDate) {
        let first = CivilDate(year: year, month: month, day: 1)!
        let endMonth = month + count - 1
        let last = CivilDate(year: year, month: endMonth, day: CivilDate.daysIn(month: endMonth, year: year))!
        return (first, last)
    }

    public var days: Int { last.dayNumber - first.dayNumber + 1 }

    public func contains(_ d: CivilDate) -> Bool { first <= d && d <= last }

    /// The period just before: the previous day, week, month…; for a range, as many days again
    /// ending the day before it starts.
    public var previous: EvaluationPeriod {
        switch kind {
        case .range:
            return EvaluationPeriod(kind: .range, first: first.adding(days: -days), last: first.adding(days: -1))
        default:
            return EvaluationPeriod(kind, containing: first.adding(days: -1))
        }
    }

    /// The next period of the same kind (a range: as many days again after it).
    public var next: EvaluationPeriod {
        switch kind {
        case .range: return EvaluationPeriod(kind: .range, first: last.adding(days: 1), last: last.adding(days: days))
        default: return EvaluationPeriod(kind, containing: last.adding(days: 1))
        }
    }

    /// How the period is named in Chinese: 2026年12月, 2026年第4季度, 2026年上半年, 2026-11-30 至 2026-12-06.
    public var label: String {
        switch kind {
        case .day: return first.description
        case .week, .range: return "\(first) 至 \(last)"
        case .month: return "\(first.year)年\(first.month)月"
        case .quarter: return "\(first.year)年第\((first.month - 1) / 3 + 1)季度"
        case .halfYear: return "\(first.year)年\(first.month == 1 ? "上" : "下")半年"
        case .year: return "\(first.year)年"
        }
    }

    /// The period's key in links and the API: `month:2026-12`, `range:2026-11-01..2026-11-15`.
    public var description: String {
        switch kind {
        case .day: return "day:\(first)"
        case .week: return "week:\(first)"
        case .month: return "month:\(String(first.description.prefix(7)))"
        case .quarter: return "quarter:\(first.year)-Q\((first.month - 1) / 3 + 1)"
        case .halfYear: return "half_year:\(first.year)-H\(first.month == 1 ? 1 : 2)"
        case .year: return "year:\(first.year)"
        case .range: return "range:\(first)..\(last)"
        }
    }

    /// Reads a key as `description` writes it; nil when it names no period.
    public init?(key: String) {
        let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0]) else { return nil }
        let v = parts[1]
        func int(_ s: Substring) -> Int? { Int(s) }
        switch kind {
        case .day, .week:
            guard let d = CivilDate(v) else { return nil }
            self.init(kind, containing: d)
        case .month:
            let p = v.split(separator: "-")
            guard p.count == 2, let y = int(p[0]), let m = int(p[1]), let d = CivilDate(year: y, month: m, day: 1) else { return nil }
            self.init(kind, containing: d)
        case .quarter, .halfYear:
            let p = v.split(separator: "-")
            let tag: Character = kind == .quarter ? "Q" : "H"
            guard p.count == 2, let y = int(p[0]), p[1].first == tag, let n = Int(p[1].dropFirst()),
                (1...(kind == .quarter ? 4 : 2)).contains(n),
                let d = CivilDate(year: y, month: (n - 1) * (kind == .quarter ? 3 : 6) + 1, day: 1)
            else { return nil }
            self.init(kind, containing: d)
        case .year:
            guard let y = Int(v), let d = CivilDate(year: y, month: 1, day: 1) else { return nil }
            self.init(kind, containing: d)
        case .range:
            let p = v.components(separatedBy: "..")
            guard p.count == 2, let a = CivilDate(p[0]), let b = CivilDate(p[1]) else { return nil }
            self.init(from: a, to: b)
        }
    }
}
