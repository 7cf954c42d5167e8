import Fluent
import Foundation
import OneStopCore
import Vapor

/// 第三方评估 (issue 21): `importAssessmentScores` — a third party's results for one hand-scored
/// criterion of a run being scored, from CSV, all or nothing: one bad line and no score changes.
enum AssessmentImport {
    struct Input: Content {
        var criterion: String?
        /// Who assessed (the evidence every imported score carries).
        var source: String?
        var csv: String?
    }

    static func importScores(_ id: UUID, _ input: Input, req: Request) async throws -> AssessmentModel {
        let p = try req.requirePrincipal()
        let run = try await AssessmentService.run(id, req: req)
        var v = Validator()
        let source = v.text("source", input.source, max: 200)
        let criterion = run.criteriaValue.first { $0.key == input.criterion }
        if criterion == nil { v.add("criterion", input.criterion == nil ? "required" : "invalidChoice") }
        if let c = criterion, !c.byHand { v.add("criterion", "assessment.computed") }
        let text = (input.csv ?? "").replacingOccurrences(of: "\u{FEFF}", with: "")
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.add("csv", "required") }
        if text.utf8.count > 2 << 20 { v.add("csv", "tooLong") }
        guard v.isValid, let criterion else { throw ValidationFailure(v.errors) }
        guard AssessmentState(rawValue: run.state)?.allows(.score, allScored: false) == true else {
            throw Abort(.conflict, reason: req.t("assessment.notScoring"))
        }
        let lines = try await AssessmentLineModel.query(on: req.db).filter(\.$assessmentID == id).all()
        var subjects: [String: String] = [:]
        for l in lines {
            subjects[l.name] = l.subject
            subjects[l.subject.lowercased()] = l.subject
        }
        let rows: [ThirdPartyScores.Row]
        switch ThirdPartyScores.parse(text, subjects: subjects, maxPoints: criterion.points) {
        case .success(let r): rows = r
        case .failure(let failure):
            throw ValidationFailure(failure.problems.map { FieldError("csv.\($0.line)", $0.code) })
        }
        let byKey = Dictionary(uniqueKeysWithValues: rows.map { ($0.subject, $0) })
        let evidence = req.t("assessment.import.evidence", ["source": source])
        return try await req.audited { db -> (AssessmentModel, [AuditEvent]) in
            guard let fresh = try await AssessmentModel.find(id, on: db), fresh.state == AssessmentState.scoring.rawValue else {
                throw Abort(.conflict, reason: req.t("assessment.notScoring"))
            }
            for line in try await AssessmentLineModel.query(on: db).filter(\.$assessmentID == id).all() {
                guard let row = byKey[line.subject] else { continue }
                var scores = line.scoresValue
                scores[criterion.key] = AssessmentScore(
                    points: row.points, figure: "", reason: row.note.isEmpty ? evidence : row.note, evidence: evidence, by: p.displayName)
                line.scoresValue = scores
                try await line.save(on: db)
            }
            return (
                fresh,
                [
                    AuditEvent(
                        "assessment.import", "assessment", id: id, center: run.centerID,
                        detail: ["criterion": criterion.name, "source": source, "rows": String(rows.count)])
                ]
            )
        }
    }
}
