import Fluent
import Foundation
import OneStopCore
import Vapor

/// The assessments' API and pages (issue 21): `/assessments` (templates, runs, a new template or
/// run) and `/assessments/{id}` (the report, with the scoring, review and sign-off forms of its
/// step, printable on A4), and the rankings.
enum AssessmentRoutes {
    typealias S = AssessmentService

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let number: JSONValue = ["type": "number"]
        let optionalNumber: JSONValue = ["type": ["number", "null"]]
        let rule = O.object(
            [
                "kind": ["enum": ["linear", "thresholds", "per_count", "by_hand"]], "zeroAt": number, "fullAt": number,
                "steps": ["type": "array", "items": O.object(["atLeast": number, "points": number], required: ["atLeast", "points"])],
                "deduct": number, "floor": number,
            ], required: ["kind"])
        let criterion = O.object(
            [
                "key": O.string, "name": O.string, "points": number, "indicator": ["type": ["string", "null"]], "rule": rule,
                "ruleText": ["type": ["string", "null"]],
            ], required: ["key", "name", "points", "rule"])
        let criteria: JSONValue = ["type": "array", "items": criterion]
        let numbers: JSONValue = ["type": "object", "additionalProperties": optionalNumber]
        let texts: JSONValue = ["type": "object", "additionalProperties": O.string]
        return [
            "AssessmentTemplate": O.object([
                "id": O.uuid, "centerID": O.uuid, "year": O.integer, "name": O.string, "criteria": criteria, "points": number,
                "createdBy": O.string,
            ]),
            "AssessmentTemplateInput": O.object([
                "center": O.string, "year": O.integer, "name": O.string, "criteria": criteria, "example": ["enum": ["township"]],
            ]),
            "AssessmentRun": O.object([
                "id": O.uuid, "name": O.string, "subjects": O.string, "period": O.string, "periodLabel": O.string, "version": O.integer,
                "state": CaseSchemas.names(AssessmentState.self), "startedBy": O.string,
            ]),
            "AssessmentStartInput": O.object([
                "template": O.uuid, "center": O.string, "subjects": ["enum": ["window", "department", "center"]], "period": O.string,
            ]),
            "AssessmentScoreInput": O.object([
                "subject": O.string, "criterion": O.string, "points": number, "reason": O.string, "evidence": O.string,
            ]),
            "AssessmentImportInput": O.object(
                ["criterion": O.string, "source": O.string, "csv": O.string], required: ["criterion", "source", "csv"]),
            "AssessmentReviewInput": O.object(["subject": O.string, "adjustment": number, "reason": O.string, "comment": O.string]),
            "AssessmentReport": O.object([
                "id": O.uuid, "templateID": O.uuid, "centerID": O.uuid, "centerName": O.string, "name": O.string, "subjects": O.string,
                "period": O.string, "periodLabel": O.string, "version": O.integer, "state": CaseSchemas.names(AssessmentState.self),
                "frozenOn": O.string, "startedBy": O.string, "reviewedBy": O.string, "signedBy": O.string, "signedAt": O.optionalDateTime,
                "comment": O.string, "criteria": criteria, "outOf": number, "rankRule": O.string,
                "lines": [
                    "type": "array",
                    "items": O.object([
                        "rank": O.integer, "subject": O.string, "name": O.string, "scores": numbers, "figures": texts, "reasons": texts,
                        "adjustment": number, "adjustmentReason": O.string, "comment": O.string, "points": number, "outOf": number,
                        "percent": optionalNumber, "unscored": O.integer,
                    ]),
                ],
            ]),
        ]
    }()

    struct ReportLine: Content {
        var rank: Int
        var subject: String
        var name: String
        var scores: [String: Double?]
        var figures: [String: String]
        var reasons: [String: String]
        var adjustment: Double
        var adjustmentReason: String
        var comment: String
        var points: Double
        var outOf: Double
        var percent: Double?
        var unscored: Int
    }

    struct Report: Content {
        var id: UUID
        var templateID: UUID
        var centerID: UUID
        var centerName: String
        var name: String
        var subjects: String
        var period: String
        var periodLabel: String
        var version: Int
        var state: String
        var frozenOn: String
        var startedBy: String
        var reviewedBy: String
        var signedBy: String
        var signedAt: Date?
        var comment: String
        var criteria: [S.CriterionDTO]
        var outOf: Double
        var rankRule: String
        var lines: [ReportLine]
    }

    static func report(_ run: AssessmentModel, req: Request) async throws -> Report {
        let criteria = run.criteriaValue
        let lines = try await AssessmentLineModel.query(on: req.db).filter(\.$assessmentID == run.requireID()).all()
        let byLine = Dictionary(uniqueKeysWithValues: lines.map { ($0.subject, $0) })
        let ranked = AssessmentRanking.rank(lines.map(\.line), criteria: criteria)
        let tree = try await req.scope().tree
        return Report(
            id: try run.requireID(), templateID: run.templateID, centerID: run.centerID, centerName: tree.nodes[run.centerID]?.name ?? "",
            name: run.name, subjects: run.subjectKind, period: run.period,
            periodLabel: EvaluationPeriod(key: run.period)?.label ?? run.period, version: run.version, state: run.state,
            frozenOn: run.frozenOn, startedBy: run.startedBy, reviewedBy: run.reviewedBy, signedBy: run.signedBy,
            signedAt: run.signedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }, comment: run.comment,
            criteria: criteria.map(S.CriterionDTO.init), outOf: criteria.map(\.points).reduce(0, +), rankRule: req.t("assessment.rankRule"),
            lines: ranked.map { r in
                let m = byLine[r.line.subject]
                let scores = m?.scoresValue ?? [:]
                return ReportLine(
                    rank: r.rank, subject: r.line.subject, name: r.line.name, scores: r.line.scores,
                    figures: scores.compactMapValues { $0.figure.isEmpty ? nil : $0.figure },
                    reasons: scores.compactMapValues {
                        $0.reason.isEmpty ? nil : $0.reason + ($0.evidence.isEmpty ? "" : "（\($0.evidence)）")
                    },
                    adjustment: r.line.adjustment, adjustmentReason: m?.adjustmentReason ?? "", comment: m?.comment ?? "",
                    points: r.total.points, outOf: r.total.outOf, percent: r.total.share.map { ScoringRule.rounded($0 * 100) },
                    unscored: r.total.unscored)
            })
    }

    /// The report's table for a file: rank, subject, each criterion's points, the adjustment, the
    /// total and the percentage.
    static func export(_ r: Report, _ format: TableExport.Format, req: Request) -> Response {
        let head =
            [req.t("assessment.rank"), req.t("assessment.subject")] + r.criteria.map { "\($0.name)（\(ScoringRule.number($0.points))）" }
            + [req.t("assessment.adjustment"), req.t("assessment.total"), req.t("assessment.percent")]
        let rows: [[XLSX.Cell]] = r.lines.map { l in
            [.number(Double(l.rank)), .text(l.name)] + r.criteria.map { c in (l.scores[c.key] ?? nil).map { .number($0) } ?? .empty }
                + [.number(l.adjustment), .number(l.points), l.percent.map { .number($0) } ?? .empty]
        }
        return TableExport.response(format, file: "assessment-\(r.period)-v\(r.version)", sheet: r.name, head: head, rows: rows)
    }

    struct RunSummary: Content {
        var id: UUID
        var name: String
        var subjects: String
        var period: String
        var periodLabel: String
        var version: Int
        var state: String
        var startedBy: String
    }

    static func runs(center: UUID, req: Request) async throws -> [RunSummary] {
        try await AssessmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$startedAt, .descending).limit(100).all().map {
            RunSummary(
                id: $0.id!, name: $0.name, subjects: $0.subjectKind, period: $0.period,
                periodLabel: EvaluationPeriod(key: $0.period)?.label ?? $0.period, version: $0.version, state: $0.state,
                startedBy: $0.startedBy)
        }
    }

    /// The ranking of a period: the last signed run of the center for those subjects.
    static func rankings(_ req: Request) async throws -> Report? {
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        let kind = req.query[String.self, at: "subjects"] ?? "window"
        guard ["window", "department", "center"].contains(kind) else { throw ValidationFailure([FieldError("subjects", "invalidChoice")]) }
        var q = AssessmentModel.query(on: req.db).filter(\.$centerID == center).filter(\.$subjectKind == kind)
            .filter(\.$state == AssessmentState.signed.rawValue)
        if let period = req.query[String.self, at: "period"], !period.isEmpty {
            guard EvaluationPeriod(key: period) != nil else { throw ValidationFailure([FieldError("period", "invalidChoice")]) }
            q = q.filter(\.$period == period)
        }
        guard let run = try await q.sort(\.$signedAt, .descending).first() else { return nil }
        return try await report(run, req: req)
    }

    static func register(api: any RoutesBuilder) {
        let tag = "Evaluation"
        api.endpoint(
            .GET, "assessment-templates", access: S.readers,
            operation: .init(
                id: "listAssessmentTemplates", summary: "The 百分制 templates of a center and the centers above it", tag: tag,
                response: "AssessmentTemplate", responseIsList: true,
                query: [.init(name: "center", type: "string", description: "code or id (default the caller's)")])
        ) { req in
            let scope = try await req.scope()
            return try await S.templates(center: try req.chosenCenter(scope), req: req).map(S.dto)
        }
        api.endpoint(
            .POST, "assessment-templates", access: S.leaders,
            operation: .init(
                id: "createAssessmentTemplate",
                summary:
                    "A 百分制 template for a center and year: criteria with points, computed from an indicator by a rule or scored by hand; `example: township` takes DOMAIN.md's example (85 points)",
                tag: tag, request: "AssessmentTemplateInput", response: "AssessmentTemplate", successStatus: 201)
        ) { req in
            let m = try await S.createTemplate(try req.content.decode(S.TemplateInput.self), req: req)
            return try await OrgAPIController.created(S.dto(m), req)
        }
        api.endpoint(
            .GET, "assessments", access: S.readers,
            operation: .init(
                id: "listAssessments", summary: "A center's assessment runs, newest first", tag: tag, response: "AssessmentRun",
                responseIsList: true, query: [.init(name: "center", type: "string", description: "code or id (default the caller's)")])
        ) { req in try await runs(center: try req.chosenCenter(try await req.scope()), req: req) }
        api.endpoint(
            .POST, "assessments", access: S.scorers,
            operation: .init(
                id: "startAssessment",
                summary:
                    "Start a run of a template over a center's windows, departments or centers for a period: the computed criteria are filled in from the indicators and frozen (data analysis)",
                tag: tag, request: "AssessmentStartInput", response: "AssessmentReport", successStatus: 201)
        ) { req in
            let run = try await S.start(try req.content.decode(S.StartInput.self), req: req)
            return try await OrgAPIController.created(try await report(run, req: req), req)
        }
        api.endpoint(
            .POST, "assessments", ":id", "scores", access: S.scorers,
            operation: .init(
                id: "scoreAssessmentCriterion",
                summary: "Score a hand criterion of one subject, with a reason and evidence (quantitative scoring)", tag: tag,
                request: "AssessmentScoreInput", response: "AssessmentReport")
        ) { req in
            let run = try await S.score(try req.uuid("id"), try req.content.decode(S.ScoreInput.self), req: req)
            return try await report(run, req: req)
        }
        api.endpoint(
            .POST, "assessments", ":id", "import", access: S.scorers,
            operation: .init(
                id: "importAssessmentScores",
                summary:
                    "第三方评估: a third party's results as one hand criterion's scores, from CSV (subject name or key, points, note) — all lines or none",
                tag: tag, request: "AssessmentImportInput", response: "AssessmentReport")
        ) { req in
            let run = try await AssessmentImport.importScores(
                try req.uuid("id"), try req.content.decode(AssessmentImport.Input.self), req: req)
            return try await report(run, req: req)
        }
        api.endpoint(
            .POST, "assessments", ":id", "review", access: S.leaders,
            operation: .init(
                id: "reviewAssessment",
                summary:
                    "The qualitative review: a subject's comment and an adjustment of at most 5 points with a reason, or the run's comment; once every hand criterion is scored",
                tag: tag, request: "AssessmentReviewInput", response: "AssessmentReport")
        ) { req in
            let run = try await S.review(try req.uuid("id"), try req.content.decode(S.ReviewInput.self), req: req)
            return try await report(run, req: req)
        }
        api.endpoint(
            .POST, "assessments", ":id", "sign-off", access: S.leaders,
            operation: .init(
                id: "signOffAssessment", summary: "Sign the reviewed report off: from then on it never changes", tag: tag,
                response: "AssessmentReport")
        ) { req in try await report(try await S.signOff(try req.uuid("id"), req: req), req: req) }
        api.endpoint(
            .GET, "assessments", ":id", access: S.readers,
            operation: .init(
                id: "getAssessmentReport",
                summary: "A run's report: criteria, each subject's points, total and rank; a file with format=csv or xlsx",
                tag: tag, response: "AssessmentReport",
                query: [.init(name: "format", type: "string", description: "json (default), csv or xlsx")])
        ) { req -> Response in
            let r = try await report(try await S.run(try req.uuid("id"), req: req), req: req)
            if let format = TableExport.format(req) { return export(r, format, req: req) }
            return try await r.encodeResponse(for: req)
        }
        api.endpoint(
            .GET, "rankings", access: S.readers,
            operation: .init(
                id: "listRankings",
                summary: "The ranking of a center's windows, departments or centers: its last signed assessment (of the period, if given)",
                tag: tag, response: "AssessmentReport",
                query: [
                    .init(name: "center", type: "string", description: "code or id (default the caller's)"),
                    .init(name: "subjects", type: "string", description: "window (default), department or center"),
                    .init(name: "period", type: "string", description: "a period key, e.g. month:2026-11"),
                ])
        ) { req -> Response in
            guard let r = try await rankings(req) else { throw Abort(.notFound, reason: req.t("assessment.noRanking")) }
            return try await r.encodeResponse(for: req)
        }
    }
}
