import Foundation

/// 第三方评估 (issue 21): a third-party assessment body's results, imported into an assessment as
/// the scores of one hand-scored criterion — all of the file or none of it. A row is the subject
/// (its name as the assessment lists it, or its key such as `department:<id>`), the points, and an
/// optional note; a first row whose points are not a number is a header.
public enum ThirdPartyScores {
    public struct Row: Sendable, Equatable {
        public var subject: String
        public var points: Double
        public var note: String

        public init(subject: String, points: Double, note: String) { (self.subject, self.points, self.note) = (subject, points, note) }
    }

    /// What is wrong with a line of the file (message keys `assessment.import.*`).
    public struct Problem: Sendable, Equatable {
        public var line: Int
        public var code: String

        public init(line: Int, code: String) { (self.line, self.code) = (line, code) }
    }

    /// Every problem of a file.
    public struct Failure: Error, Sendable, Equatable {
        public var problems: [Problem]
    }

    /// The rows of `text`, each subject resolved through `subjects` (names and keys to keys), or
    /// every problem found; `maxPoints` bounds the points.
    public static func parse(_ text: String, subjects: [String: String], maxPoints: Double) -> Result<[Row], Failure> {
        let records: [(line: Int, cells: [String])]
        switch CSVReader.records(text) {
        case .success(let r): records = r.filter { !$0.cells.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        case .failure(let e): return .failure(Failure(problems: [Problem(line: e.line, code: "assessment.import.csv")]))
        }
        var rows: [Row] = []
        var problems: [Problem] = []
        var seen: Set<String> = []
        for (n, r) in records.enumerated() {
            let cells = r.cells.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let raw = cells.count > 1 ? cells[1] : ""
            if n == 0, Double(raw) == nil, cells.count > 1 { continue }
            guard cells.count >= 2 else {
                problems.append(Problem(line: r.line, code: "assessment.import.columns"))
                continue
            }
            guard let key = subjects[cells[0]] ?? subjects[cells[0].lowercased()] else {
                problems.append(Problem(line: r.line, code: "assessment.import.subject"))
                continue
            }
            guard let points = Double(raw), points.isFinite, points >= 0, points <= maxPoints + 1e-9 else {
                problems.append(Problem(line: r.line, code: "assessment.import.points"))
                continue
            }
            if !seen.insert(key).inserted {
                problems.append(Problem(line: r.line, code: "assessment.import.repeated"))
                continue
            }
            let note = cells.count > 2 ? String(cells[2].prefix(200)) : ""
            rows.append(Row(subject: key, points: ScoringRule.rounded(points), note: note))
        }
        if rows.isEmpty, problems.isEmpty { problems.append(Problem(line: 1, code: "assessment.import.empty")) }
        return problems.isEmpty ? .success(rows) : .failure(Failure(problems: problems))
    }
}
