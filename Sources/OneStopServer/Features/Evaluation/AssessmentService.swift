import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 百分制 assessments (issue 21): templates per center and year, and runs of a template over the
/// windows, departments or centers of a center for a period, through the four steps — data
/// analysis at the start (computed criteria filled in from the indicators and frozen), scoring of
/// the hand criteria with a reason, the qualitative review (a comment and an adjustment within ±5
/// points per subject, with a reason) and the sign-off, after which nothing changes; a re-run is a
/// new version. Every step is audited with who took it.
enum AssessmentService {
    static let readers = Access.only(.centerAdmin, .supervisor, .campaignOffice)
    static let scorers = Access.only(.centerAdmin, .supervisor, .campaignOffice)
    /// The review and the sign-off are the center's leadership: its administrators.
    static let leaders = Access.only(.centerAdmin)
    static let reviewBound = 5.0

    // MARK: runs

    struct StartInput: Content {
        var template: UUID?
        var center: String?
        /// `window`, `department` or `center` (the centers below the center).
        var subjects: String?
        var period: String?
    }

    static func subjects(kind: String, center: UUID, req: Request) async throws -> [(scope: String, name: String, centers: Set<UUID>)] {
        switch kind {
        case "window":
            return try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all().compactMap { w in
                w.id.map { ("window:" + $0.uuidString.lowercased(), w.name, [center]) }
            }
        case "department":
            return try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all().compactMap { d in
                d.id.map { ("department:" + $0.uuidString.lowercased(), d.name, [center]) }
            }
        default:
            let scope = try await req.scope()
            return (scope.tree.children[center] ?? []).compactMap { id in
                scope.tree.nodes[id].map { ("center:" + id.uuidString.lowercased(), $0.name, scope.tree.subtree(id)) }
            }
        }
    }

    static func start(_ input: StartInput, req: Request) async throws -> AssessmentModel {
        let p = try req.requirePrincipal()
        var errors: [FieldError] = []
        var template: AssessmentTemplateModel?
        if let id = input.template { template = try await AssessmentTemplateModel.find(id, on: req.db) }
        if template == nil { errors.append(FieldError("template", input.template == nil ? "required" : "invalidReference")) }
        let kind = input.subjects ?? "window"
        if !["window", "department", "center"].contains(kind) { errors.append(FieldError("subjects", "invalidChoice")) }
        let period = (input.period).flatMap(EvaluationPeriod.init(key:))
        if period == nil { errors.append(FieldError("period", input.period == nil ? "required" : "invalidChoice")) }
        guard errors.isEmpty, let template, let period else { throw ValidationFailure(errors) }
        let center = try await WorkOrderService.center(input.center, req: req)
        let centerID = try center.requireID()
        let scope = try await req.scope()
        try scope.require(centerID)
        guard scope.tree.ancestry(centerID).contains(template.centerID) else {
            throw ValidationFailure([FieldError("template", "invalidReference")])
        }
        let list = try await subjects(kind: kind, center: centerID, req: req)
        if list.isEmpty { throw ValidationFailure([FieldError("subjects", "assessment.noSubjects")]) }
        // Data analysis: the indicators as they stand now, frozen into the run.
        try await IndicatorStore.catchUp(app: req.application, now: req.now)
        let criteria = template.criteriaValue
        var counts: [String: IndicatorCounts] = [:]
        if kind == "center" {
            for s in list {
                counts[s.scope] = try await IndicatorStore.read(centers: s.centers, kind: "center", period: period, on: req.db).values
                    .reduce(IndicatorCounts(), +)
            }
        } else {
            counts = try await IndicatorStore.read(centers: [centerID], kind: kind, period: period, on: req.db)
        }
        let millis = HallClock.millis(req.now)
        let previous = try await AssessmentModel.query(on: req.db).filter(\.$templateID == template.requireID())
            .filter(\.$centerID == centerID).filter(\.$subjectKind == kind).filter(\.$period == period.description).count()
        let run = AssessmentModel()
        run.id = UUID.timeOrdered()
        run.templateID = try template.requireID()
        run.centerID = centerID
        run.subjectKind = kind
        run.period = period.description
        run.state = AssessmentState.scoring.rawValue
        run.version = previous + 1
        run.name = template.name
        run.criteria = template.criteria
        run.frozenOn = HallClock.day(req.now).description
        run.startedBy = p.displayName
        run.startedAt = millis
        run.reviewedBy = ""
        run.signedBy = ""
        run.comment = ""
        let lines = list.map { s -> AssessmentLineModel in
            let l = AssessmentLineModel()
            l.id = UUID.timeOrdered()
            l.assessmentID = run.id!
            l.subject = s.scope
            l.name = s.name
            var scores: [String: AssessmentScore] = [:]
            for c in criteria {
                guard let i = c.indicator else { continue }
                let f = i.figure(counts[s.scope] ?? IndicatorCounts())
                scores[c.key] = AssessmentScore(points: c.score(f), figure: f.text, reason: "", evidence: "", by: "")
            }
            l.scoresValue = scores
            l.adjustment = 0
            l.adjustmentReason = ""
            l.comment = ""
            return l
        }
        return try await req.audited { db -> (AssessmentModel, [AuditEvent]) in
            try await run.storeNew(on: db)
            for l in lines { try await l.storeNew(on: db) }
            return (
                run,
                [
                    AuditEvent(
                        "assessment.start", "assessment", id: run.id, center: centerID,
                        detail: [
                            "template": template.name, "period": period.description, "subjects": kind, "version": String(run.version),
                            "lines": String(lines.count),
                        ])
                ]
            )
        }
    }

    struct ScoreInput: Content {
        var subject: String?
        var criterion: String?
        var points: Double?
        var reason: String?
        var evidence: String?
    }

    /// A run, checked to be in the viewer's scope.
    static func run(_ id: UUID, req: Request) async throws -> AssessmentModel {
        guard let run = try await AssessmentModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(run.centerID)
        return run
    }

    static func allScored(_ run: AssessmentModel, on db: any Database) async throws -> Bool {
        let hand = run.criteriaValue.filter(\.byHand).map(\.key)
        guard !hand.isEmpty else { return true }
        return try await AssessmentLineModel.query(on: db).filter(\.$assessmentID == run.requireID()).all().allSatisfy { l in
            let s = l.scoresValue
            return hand.allSatisfy { s[$0]?.points != nil }
        }
    }

    static func score(_ id: UUID, _ input: ScoreInput, req: Request) async throws -> AssessmentModel {
        let p = try req.requirePrincipal()
        let run = try await run(id, req: req)
        var v = Validator()
        let reason = v.text("reason", input.reason, max: 500)
        let evidence = v.text("evidence", input.evidence, max: 500)
        let criterion = run.criteriaValue.first { $0.key == input.criterion }
        if criterion == nil { v.add("criterion", input.criterion == nil ? "required" : "invalidChoice") }
        if let c = criterion, !c.byHand { v.add("criterion", "assessment.computed") }
        if let c = criterion {
            if let points = input.points {
                if !(points >= 0 && points <= c.points) { v.add("points", "assessment.outOfRange") }
            } else {
                v.add("points", "required")
            }
        }
        let line = try await AssessmentLineModel.query(on: req.db).filter(\.$assessmentID == id).filter(\.$subject == (input.subject ?? ""))
            .first()
        if line == nil { v.add("subject", input.subject == nil ? "required" : "invalidChoice") }
        guard v.isValid, let criterion, let line, let points = input.points else { throw ValidationFailure(v.errors) }
        guard AssessmentState(rawValue: run.state)?.allows(.score, allScored: false) == true else {
            throw Abort(.conflict, reason: req.t("assessment.notScoring"))
        }
        let rounded = ScoringRule.rounded(points)
        return try await req.audited { db -> (AssessmentModel, [AuditEvent]) in
            // Inside the write: a run signed off meanwhile takes no score.
            guard let fresh = try await AssessmentModel.find(id, on: db), fresh.state == AssessmentState.scoring.rawValue else {
                throw Abort(.conflict, reason: req.t("assessment.notScoring"))
            }
            var scores = line.scoresValue
            scores[criterion.key] = AssessmentScore(points: rounded, figure: "", reason: reason, evidence: evidence, by: p.displayName)
            line.scoresValue = scores
            try await line.store(on: db)
            return (
                fresh,
                [
                    AuditEvent(
                        "assessment.score", "assessment", id: id, center: run.centerID,
                        detail: [
                            "subject": line.name, "criterion": criterion.name, "points": ScoringRule.number(rounded), "reason": reason,
                        ])
                ]
            )
        }
    }

    struct ReviewInput: Content {
        var subject: String?
        var adjustment: Double?
        var reason: String?
        var comment: String?
    }

    /// The qualitative review of one subject (a comment; an adjustment within ±5 points, with a
    /// reason), or of the whole run without `subject` (its comment). The first review closes the scoring.
    static func review(_ id: UUID, _ input: ReviewInput, req: Request) async throws -> AssessmentModel {
        let p = try req.requirePrincipal()
        let run = try await run(id, req: req)
        var v = Validator()
        let comment = v.text("comment", input.comment, max: 1000, required: input.subject == nil)
        let adjustment = input.adjustment ?? 0
        let reason = v.text("reason", input.reason, max: 500, required: adjustment != 0)
        var line: AssessmentLineModel?
        if let s = input.subject {
            line = try await AssessmentLineModel.query(on: req.db).filter(\.$assessmentID == id).filter(\.$subject == s).first()
            if line == nil { v.add("subject", "invalidChoice") }
            if let l = line {
                var unadjusted = l.line
                unadjusted.adjustment = 0
                if AssessmentReview.adjusted(unadjusted.total(run.criteriaValue), by: adjustment, bound: reviewBound) == nil {
                    v.add("adjustment", "assessment.adjustmentBound")
                }
            }
        } else if adjustment != 0 {
            v.add("subject", "required")
        }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let reviewed = line
        return try await req.audited { db -> (AssessmentModel, [AuditEvent]) in
            let line = reviewed
            guard let fresh = try await AssessmentModel.find(id, on: db), let state = AssessmentState(rawValue: fresh.state) else {
                throw Abort(.notFound)
            }
            guard state.allows(.review, allScored: try await allScored(fresh, on: db)) else {
                throw Abort(.conflict, reason: req.t(state == .signed ? "assessment.signed" : "assessment.notAllScored"))
            }
            fresh.state = AssessmentState.review.rawValue
            fresh.reviewedBy = p.displayName
            fresh.reviewedAt = HallClock.millis(req.now)
            if let line {
                line.adjustment = ScoringRule.rounded(adjustment)
                line.adjustmentReason = reason
                line.comment = comment
                try await line.save(on: db)
            } else {
                fresh.comment = comment
            }
            try await fresh.save(on: db)
            var detail = ["comment": comment]
            if let line {
                detail["subject"] = line.name
                detail["adjustment"] = ScoringRule.number(adjustment)
                detail["reason"] = reason
            }
            return (fresh, [AuditEvent("assessment.review", "assessment", id: id, center: run.centerID, detail: detail)])
        }
    }

    static func signOff(_ id: UUID, req: Request) async throws -> AssessmentModel {
        let p = try req.requirePrincipal()
        let run = try await run(id, req: req)
        return try await req.audited { db -> (AssessmentModel, [AuditEvent]) in
            guard let fresh = try await AssessmentModel.find(id, on: db), let state = AssessmentState(rawValue: fresh.state) else {
                throw Abort(.notFound)
            }
            guard state.allows(.signOff, allScored: true) else {
                throw Abort(.conflict, reason: req.t(state == .signed ? "assessment.signed" : "assessment.notReviewed"))
            }
            fresh.state = AssessmentState.signed.rawValue
            fresh.signedBy = p.displayName
            fresh.signedAt = HallClock.millis(req.now)
            try await fresh.save(on: db)
            return (fresh, [AuditEvent("assessment.signOff", "assessment", id: id, center: run.centerID, detail: ["name": run.name])])
        }
    }
}
