import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Awards (issue 21): `grantAward`, `listAwards`, the page `/awards`, and what the staff profile,
/// the window screen and the hall board show. The red flag goes from a center to a hall below it
/// or to a window unit (department) of its own or below, one a period; without a subject it goes
/// to the first of the period's signed assessment ranking (ties broken by the ranking's rule).
enum AwardService {
    static let granters = Access.only(.centerAdmin, .campaignOffice)

    struct Input: Content {
        var center: String?
        var kind: String?
        /// `center:`, `department:`, `window:` or `staff:` with an id.
        var awardee: String?
        var period: String?
        var reason: String?
    }

    struct DTO: Content {
        var id: UUID
        var centerID: UUID
        var kind: String
        var name: String
        var subject: String
        var subjectName: String
        var period: String
        var periodLabel: String
        var reason: String
        var grantedBy: String
        var grantedAt: Date
    }

    static func dto(_ a: AwardModel, req: Request) -> DTO {
        DTO(
            id: a.id!, centerID: a.centerID, kind: a.kind, name: req.t("award.kind.\(a.kind)"), subject: a.subject,
            subjectName: a.subjectName, period: a.period, periodLabel: EvaluationPeriod(key: a.period)?.label ?? a.period,
            reason: a.reason, grantedBy: a.grantedBy, grantedAt: Date(timeIntervalSince1970: Double(a.grantedAt) / 1000))
    }

    /// A subject's owner center and name; nil when there is no such subject.
    static func resolve(_ subject: String, on db: any Database) async throws -> (center: UUID, name: String)? {
        let parts = subject.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = UUID(uuidString: parts[1]) else { return nil }
        switch parts[0] {
        case "center": return try await CenterModel.find(id, on: db).map { (id, $0.name) }
        case "department": return try await DepartmentModel.find(id, on: db).map { ($0.centerID, $0.name) }
        case "window": return try await WindowModel.find(id, on: db).map { ($0.centerID, "\($0.number) \($0.name)") }
        case "staff": return try await StaffModel.find(id, on: db).map { ($0.centerID, $0.name) }
        default: return nil
        }
    }

    /// The first subject of the period's last signed ranking of halls or window units at `center`.
    static func rankedFirst(center: UUID, period: EvaluationPeriod, on db: any Database) async throws -> String? {
        guard
            let run = try await AssessmentModel.query(on: db).filter(\.$centerID == center).filter(\.$period == period.description)
                .filter(\.$state == AssessmentState.signed.rawValue).filter(\.$subjectKind ~~ ["center", "department"])
                .sort(\.$signedAt, .descending).first()
        else { return nil }
        let lines = try await AssessmentLineModel.query(on: db).filter(\.$assessmentID == run.requireID()).all()
        let ranked = AssessmentRanking.rank(lines.map(\.line), criteria: run.criteriaValue)
        return AwardRules.redFlag(from: ranked.map { ($0.line.subject, $0.total.points) })
    }

    static func grant(_ input: Input, req: Request) async throws -> AwardModel {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        let center = try await WorkOrderService.center(input.center, req: req)
        let centerID = try center.requireID()
        try scope.require(centerID)
        var v = Validator()
        let kind = AwardKind(rawValue: input.kind ?? "")
        if kind == nil { v.add("kind", input.kind == nil ? "required" : "invalidChoice") }
        let period = (input.period).flatMap(EvaluationPeriod.init(key:))
        if period == nil { v.add("period", input.period == nil ? "required" : "invalidChoice") }
        let reason = v.text("reason", input.reason, max: 500)
        guard v.isValid, let kind, let period else { throw ValidationFailure(v.errors) }
        var subject = (input.awardee ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if subject.isEmpty, kind == .redFlag {
            guard let first = try await rankedFirst(center: centerID, period: period, on: req.db) else {
                throw ValidationFailure([FieldError("awardee", "award.noRanking")])
            }
            subject = first
        }
        guard !subject.isEmpty else { throw ValidationFailure([FieldError("awardee", "required")]) }
        guard kind.subjects.contains(String(subject.prefix { $0 != ":" })) else {
            throw ValidationFailure([FieldError("awardee", "award.wrongSubject")])
        }
        guard let owner = try await resolve(subject, on: req.db) else {
            throw ValidationFailure([FieldError("awardee", "invalidReference")])
        }
        // Given within the giving center's tree; a hall's flag comes from a center above it.
        let below = scope.tree.subtree(centerID)
        if !below.contains(owner.center) || (kind == .redFlag && subject.hasPrefix("center:") && owner.center == centerID) {
            throw ValidationFailure([FieldError("awardee", "award.notBelow")])
        }
        let awardee = subject
        let a = AwardModel()
        a.id = UUID.timeOrdered()
        a.centerID = centerID
        a.kind = kind.rawValue
        a.subject = subject
        a.subjectName = owner.name
        a.period = period.description
        a.reason = reason
        a.grantedBy = p.displayName
        a.grantedAt = HallClock.millis(req.now)
        return try await req.audited { db -> (AwardModel, [AuditEvent]) in
            var q = AwardModel.query(on: db).filter(\.$centerID == centerID).filter(\.$kind == kind.rawValue)
                .filter(\.$period == period.description)
            if !kind.single { q = q.filter(\.$subject == awardee) }
            if try await q.count() > 0 { throw Abort(.conflict, reason: req.t(kind.single ? "award.flagGiven" : "award.given.already")) }
            try await a.storeNew(on: db)
            return (
                a,
                [
                    AuditEvent(
                        "award.grant", "award", id: a.id, center: centerID,
                        detail: ["kind": kind.rawValue, "subject": owner.name, "period": period.description, "reason": reason])
                ]
            )
        }
    }

    /// The awards shown now for these subjects, newest period first.
    static func shown(for subjects: [String], today: CivilDate, on db: any Database) async throws -> [AwardModel] {
        guard !subjects.isEmpty else { return [] }
        return try await AwardModel.query(on: db).filter(\.$subject ~~ subjects.map { $0.lowercased() }).sort(\.$grantedAt, .descending)
            .all().filter { EvaluationPeriod(key: $0.period).map { AwardRules.shown($0, today: today) } ?? false }
    }

    /// Awards given by a center and the centers below it, or to one subject; newest first.
    static func list(_ req: Request) async throws -> [AwardModel] {
        if let subject = req.query[String.self, at: "subject"], !subject.isEmpty {
            return try await AwardModel.query(on: req.db).filter(\.$subject == subject.lowercased()).sort(\.$grantedAt, .descending)
                .limit(200).all()
        }
        let code = req.query[String.self, at: "center"] ?? ""
        let tree = try await req.application.centerTrees.tree(on: req.db)
        guard let center = UUID(uuidString: code) ?? tree.nodes.values.first(where: { $0.code == code.uppercased() })?.id else {
            throw ValidationFailure([FieldError("center", code.isEmpty ? "required" : "invalidReference")])
        }
        return try await AwardModel.query(on: req.db).filter(\.$centerID ~~ Array(tree.subtree(center))).sort(\.$grantedAt, .descending)
            .limit(200).all()
    }
}
