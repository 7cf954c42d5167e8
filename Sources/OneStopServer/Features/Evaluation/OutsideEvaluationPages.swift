import Fluent
import Foundation
import OneStopCore
import Vapor

/// An outside evaluator's page, `/outside-evaluation`, which is also their home: the open
/// ratings of their center, every subject with the evaluator's own score or 未评, and the link to
/// score it on the rating's criteria (the star rating's scoring page, as an outside evaluator).
enum OutsideEvaluationPages {
    struct Line: Encodable {
        var name: String
        var kind: String
        var unit: String
        var score: String
        var done: Bool
        var href: String
    }

    /// The subjects of one kind (staff, window units, party organisations), one table each, so a
    /// phone shows two columns: who, and the evaluator's score.
    struct Group: Encodable {
        var kind: String
        var lines: [Line]
    }

    struct Rating: Encodable {
        var id: String
        var heading: String
        var criteria: String
        var done: Int
        var total: Int
        var groups: [Group]
    }

    struct View: Encodable {
        var role: String
        var ratings: [Rating]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "outside-evaluation", access: OutsideEvaluation.evaluators) { req in
            let p = try req.requirePrincipal()
            var out: [Rating] = []
            for r in try await OutsideEvaluation.openRatings(req: req) {
                let id = try r.requireID()
                let mine = try await OutsideScoreModel.query(on: req.db).filter(\.$ratingID == id).filter(\.$evaluatorID == p.id).all()
                let scores = Dictionary(mine.map { ($0.subject, $0.score) }, uniquingKeysWith: { a, _ in a })
                let subjects = try await StarRatingService.subjects(r, on: req.db)
                let units = try await WorkOrderPages.departmentNames(Array(Set(subjects.compactMap(\.departmentID))), on: req.db)
                let center = try await CenterModel.find(r.centerID, on: req.db)?.name ?? ""
                let lines = subjects.map { s in
                    Line(
                        name: s.name, kind: req.t("star.kind.\(s.kind.rawValue)"),
                        unit: s.kind == .staff ? s.departmentID.flatMap { units[$0] } ?? "" : "",
                        score: scores[s.key].map(ScoringRule.number) ?? req.t("outside.notScored"), done: scores[s.key] != nil,
                        href: "/star-ratings/\(id.uuidString.lowercased())/review?ratee=\(s.key)")
                }
                out.append(
                    Rating(
                        id: id.uuidString.lowercased(),
                        heading: center + " · " + (EvaluationPeriod(key: r.period)?.label ?? r.period),
                        criteria: r.criteriaValue.joined(separator: "、"), done: lines.filter(\.done).count, total: lines.count,
                        groups: StarRules.SubjectKind.allCases.map { req.t("star.kind.\($0.rawValue)") }.compactMap { kind in
                            let of = lines.filter { $0.kind == kind }
                            return of.isEmpty ? nil : Group(kind: kind, lines: of)
                        }))
            }
            return try await req.page(
                "evaluation/outside-evaluation", title: req.t("outside.title"), View(role: req.t("role.\(p.role.rawValue)"), ratings: out))
        }
    }
}
