import Foundation

/// 实践推进 (issue 22): the weekly reports (一周一报) a practising brand owes the campaign office,
/// and the inspections (督查) the office records.
public enum BrandPractice {
    /// One reporting week: Monday to Sunday, clipped to the practice phase; the report is due by
    /// its last day.
    public struct Week: Sendable, Equatable, Codable {
        public var start: CivilDate
        public var end: CivilDate

        public init(start: CivilDate, end: CivilDate) { (self.start, self.end) = (start, end) }

        /// The week's key: its first day.
        public var key: String { start.description }
    }

    /// The weeks of the practice phase `from`…`to`.
    public static func weeks(from: CivilDate, to: CivilDate) -> [Week] {
        guard from <= to else { return [] }
        var out: [Week] = []
        var start = from
        while start <= to {
            let sunday = start.adding(days: 7 - start.weekday)
            let end = sunday < to ? sunday : to
            out.append(Week(start: start, end: end))
            start = end.adding(days: 1)
        }
        return out
    }

    /// The week that holds `day`, nil outside the phase.
    public static func week(of day: CivilDate, from: CivilDate, to: CivilDate) -> Week? {
        weeks(from: from, to: to).first { $0.start <= day && day <= $0.end }
    }

    /// A week's report: filed by its last day, filed after it, missing (its last day has passed
    /// and nothing was filed), or still open.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case onTime = "on_time"
        case late, missing, open
    }

    public static func status(_ week: Week, filedOn: CivilDate?, today: CivilDate) -> Status {
        if let filedOn { return filedOn <= week.end ? .onTime : .late }
        return today > week.end ? .missing : .open
    }

    /// The count of a brand's weeks so far: on time, late, missing.
    public struct Tally: Sendable, Equatable, Codable {
        public var onTime = 0
        public var late = 0
        public var missing = 0

        public init(onTime: Int = 0, late: Int = 0, missing: Int = 0) { (self.onTime, self.late, self.missing) = (onTime, late, missing) }
    }

    /// `filed`: the day each week's report was filed, by week key.
    public static func tally(weeks: [Week], filed: [String: CivilDate], today: CivilDate) -> Tally {
        var t = Tally()
        for w in weeks {
            switch status(w, filedOn: filed[w.key], today: today) {
            case .onTime: t.onTime += 1
            case .late: t.late += 1
            case .missing: t.missing += 1
            case .open: break
            }
        }
        return t
    }

    /// The weeks a reminder is due for: ended without a report, and not reminded yet.
    public static func remindersDue(weeks: [Week], filed: Set<String>, reminded: Set<String>, today: CivilDate) -> [Week] {
        weeks.filter { today > $0.end && !filed.contains($0.key) && !reminded.contains($0.key) }
    }

    /// A problem an inspection found, to be corrected by a day.
    public struct Problem: Codable, Sendable, Equatable {
        public var text: String
        public var deadline: CivilDate

        public init(text: String, deadline: CivilDate) { (self.text, self.deadline) = (text, deadline) }
    }

    /// The faults of an inspection: a day not in the future, inspectors named, a finding on at
    /// least one standard, each problem with a deadline after the inspection.
    public static func inspectionProblems(
        day: CivilDate, today: CivilDate, inspectors: String, findings: [BrandSelection.Standard: String], problems: [Problem]
    ) -> [(field: String, code: String)] {
        var out: [(String, String)] = []
        if day > today { out.append(("day", "brand.inFuture")) }
        let names = inspectors.trimmingCharacters(in: .whitespacesAndNewlines)
        if names.isEmpty { out.append(("inspectors", "required")) }
        if names.count > 200 { out.append(("inspectors", "tooLong")) }
        if findings.values.allSatisfy({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            out.append(("findings", "brand.needsFinding"))
        }
        for (s, text) in findings where text.count > 1000 { out.append(("findings.\(s.rawValue)", "tooLong")) }
        for (i, p) in problems.enumerated() {
            if p.text.trimmingCharacters(in: .whitespaces).isEmpty { out.append(("problems.\(i).text", "required")) }
            if p.text.count > 500 { out.append(("problems.\(i).text", "tooLong")) }
            if p.deadline <= day { out.append(("problems.\(i).deadline", "brand.deadlineAfter")) }
        }
        return out
    }
}
