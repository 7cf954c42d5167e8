import Fluent
import Foundation
import OneStopCore
import Vapor

/// 一诺 and 回头看 (issue 21): a staff member, a department or a center makes a public commitment
/// for a half-year (`createCommitment`); at the end it is reviewed pledge by pledge against the
/// measured figures (`reviewCommitment`), and the next half-year's commitment renews it. Shown on
/// the staff profile (五亮 亮承诺).
enum CommitmentService {
    static let makers = Access.only(.centerAdmin, .chiefRepresentative, .windowStaff)
    static let reviewers = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice)

    struct PledgeDTO: Content {
        var text: String
        var indicator: String?
        var target: Double?
        var measured: String?
        var result: String?
        var note: String?

        init(_ p: Pledge) {
            (text, indicator, target, measured, result, note) = (
                p.text, p.indicator?.rawValue, p.target, p.measured, p.result?.rawValue, p.note
            )
        }
    }

    struct Input: Content {
        /// `staff:`, `department:` or `center:` with an id.
        var committer: String?
        var period: String?
        var pledges: [PledgeDTO]?
    }

    struct DTO: Content {
        var id: UUID
        var centerID: UUID
        var subject: String
        var subjectName: String
        var period: String
        var periodLabel: String
        var state: String
        var pledges: [PledgeDTO]
        var renews: UUID?
        var madeBy: String
        var reviewedBy: String
    }

    static func dto(_ c: CommitmentModel) -> DTO {
        DTO(
            id: c.id!, centerID: c.centerID, subject: c.subject, subjectName: c.subjectName, period: c.period,
            periodLabel: EvaluationPeriod(key: c.period)?.label ?? c.period, state: c.state, pledges: c.pledgesValue.map(PledgeDTO.init),
            renews: c.renews, madeBy: c.madeBy, reviewedBy: c.reviewedBy)
    }

    /// Whether the principal may make or review the subject's commitment: an administrator or
    /// supervisor within scope; a chief representative for their department and its staff; window
    /// staff for themselves.
    static func mayAct(on subject: String, owner: UUID, req: Request) async throws -> Bool {
        let p = try req.requirePrincipal()
        guard try await req.scope().contains(owner) else { return false }
        let parts = subject.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = UUID(uuidString: parts[1]) else { return false }
        switch p.role {
        case .centerAdmin, .supervisor, .campaignOffice: return true
        case .chiefRepresentative:
            guard let own = p.departmentID else { return false }
            if parts[0] == "department" { return id == own }
            if parts[0] == "staff" { return try await StaffModel.find(id, on: req.db)?.departmentID == own }
            return false
        case .windowStaff:
            guard parts[0] == "staff" else { return false }
            return try await UserModel.find(p.id, on: req.db)?.staffID == id
        default: return false
        }
    }

    static func create(_ input: Input, req: Request) async throws -> CommitmentModel {
        let p = try req.requirePrincipal()
        var errors: [FieldError] = []
        let subject = (input.committer ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let kind = String(subject.prefix { $0 != ":" })
        let owner = ["staff", "department", "center"].contains(kind) ? try await AwardService.resolve(subject, on: req.db) : nil
        if owner == nil { errors.append(FieldError("committer", subject.isEmpty ? "required" : "invalidReference")) }
        let period = (input.period).flatMap(CommitmentRules.period)
        if period == nil { errors.append(FieldError("period", input.period == nil ? "required" : "commitment.halfYear")) }
        var pledges: [Pledge] = []
        for (i, d) in (input.pledges ?? []).enumerated() {
            var indicator: Indicator?
            if let raw = d.indicator, !raw.isEmpty {
                indicator = Indicator(rawValue: raw)
                if indicator == nil { errors.append(FieldError("pledges.\(i).indicator", "invalidChoice")) }
            }
            pledges.append(Pledge(text: d.text.trimmingCharacters(in: .whitespacesAndNewlines), indicator: indicator, target: d.target))
        }
        errors += CommitmentRules.problems(pledges).map { FieldError($0.field, $0.code) }
        guard errors.isEmpty, let owner, let period else { throw ValidationFailure(errors) }
        guard try await mayAct(on: subject, owner: owner.center, req: req) else { throw Abort(.forbidden) }
        let previous = try await CommitmentModel.query(on: req.db).filter(\.$subject == subject)
            .filter(\.$period == period.previous.description).first()
        let c = CommitmentModel()
        c.id = UUID.timeOrdered()
        c.centerID = owner.center
        c.subject = subject
        c.subjectName = owner.name
        c.period = period.description
        c.pledgesValue = pledges
        c.state = "published"
        c.renews = previous?.id
        c.madeBy = p.displayName
        c.madeAt = HallClock.millis(req.now)
        c.reviewedBy = ""
        let count = String(pledges.count)
        return try await req.audited { db -> (CommitmentModel, [AuditEvent]) in
            if try await CommitmentModel.query(on: db).filter(\.$subject == subject).filter(\.$period == period.description).count() > 0 {
                throw Abort(.conflict, reason: req.t("commitment.exists"))
            }
            try await c.storeNew(on: db)
            // A center's or a department's commitment shows on the guide pages, which are cached
            // per catalog generation.
            if !subject.hasPrefix("staff:") { try await CatalogStore.bump(on: db) }
            return (
                c,
                [
                    AuditEvent(
                        "commitment.create", "commitment", id: c.id, center: c.centerID,
                        detail: ["subject": c.subjectName, "period": c.period, "pledges": count])
                ]
            )
        }
    }

    struct ReviewInput: Content {
        struct Item: Content {
            var result: String?
            var note: String?
        }
        var results: [Item]?
    }

    /// The measured figure of a pledge's indicator over the commitment's period, for its subject.
    static func measured(_ c: CommitmentModel, _ i: Indicator, req: Request) async throws -> IndicatorFigure {
        let kind = String(c.subject.prefix { $0 != ":" })
        guard let period = EvaluationPeriod(key: c.period) else { return i.figure(IndicatorCounts()) }
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let centers: Set<UUID> = kind == "center" ? tree.subtree(c.centerID) : [c.centerID]
        let rows = try await IndicatorStore.read(centers: centers, kind: kind, period: period, on: req.db)
        let counts = kind == "center" ? rows.values.reduce(IndicatorCounts(), +) : rows[c.subject] ?? IndicatorCounts()
        return i.figure(counts)
    }

    static func review(_ id: UUID, _ input: ReviewInput, req: Request) async throws -> CommitmentModel {
        let p = try req.requirePrincipal()
        guard let c = try await CommitmentModel.find(id, on: req.db) else { throw Abort(.notFound) }
        guard try await mayAct(on: c.subject, owner: c.centerID, req: req), p.role != .windowStaff else { throw Abort(.forbidden) }
        guard c.state == "published" else { throw Abort(.conflict, reason: req.t("commitment.reviewed")) }
        var pledges = c.pledgesValue
        let results = input.results ?? []
        var v = Validator()
        if results.count != pledges.count { v.add("results", "commitment.everyPledge") }
        try await IndicatorStore.catchUp(app: req.application, now: req.now)
        for (i, r) in results.enumerated() where i < pledges.count {
            guard let result = PledgeResult(rawValue: r.result ?? "") else {
                v.add("results.\(i).result", r.result == nil ? "required" : "invalidChoice")
                continue
            }
            let note = v.text("results.\(i).note", r.note, max: 500, required: result != .kept)
            pledges[i].result = result
            pledges[i].note = note
            if let indicator = pledges[i].indicator { pledges[i].measured = try await measured(c, indicator, req: req).text }
        }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let reviewed = pledges
        return try await req.audited { db -> (CommitmentModel, [AuditEvent]) in
            guard let fresh = try await CommitmentModel.find(id, on: db), fresh.state == "published" else {
                throw Abort(.conflict, reason: req.t("commitment.reviewed"))
            }
            fresh.pledgesValue = reviewed
            fresh.state = "reviewed"
            fresh.reviewedBy = p.displayName
            fresh.reviewedAt = HallClock.millis(req.now)
            try await fresh.save(on: db)
            if !fresh.subject.hasPrefix("staff:") { try await CatalogStore.bump(on: db) }
            let kept = reviewed.filter { $0.result == .kept }.count
            return (
                fresh,
                [
                    AuditEvent(
                        "commitment.review", "commitment", id: id, center: fresh.centerID,
                        detail: ["subject": fresh.subjectName, "period": fresh.period, "kept": "\(kept)/\(reviewed.count)"])
                ]
            )
        }
    }

    /// What the guide pages publish of `subjects`' commitments, in their order: each one's of the
    /// half-year `today` is in, else of the one before, pledge by pledge with its 回头看 result.
    static func shown(_ subjects: [String], today: CivilDate, req: Request) async throws -> [PledgeBlock] {
        let half = EvaluationPeriod(.halfYear, containing: today)
        let recent = [half.description, half.previous.description]
        let found = try await of(subjects, on: req.db).filter { recent.contains($0.period) }
        return subjects.compactMap { s in found.first { $0.subject == s.lowercased() } }.map { c in
            PledgeBlock(
                name: c.subjectName, period: EvaluationPeriod(key: c.period)?.label ?? c.period,
                pledges: c.pledgesValue.map { p in
                    p.text + (p.result.map { "（" + req.t("commitment.result.\($0.rawValue)") + "）" } ?? "")
                })
        }
    }

    /// The commitments of subjects, newest period first.
    static func of(_ subjects: [String], on db: any Database) async throws -> [CommitmentModel] {
        try await CommitmentModel.query(on: db).filter(\.$subject ~~ subjects.map { $0.lowercased() }).sort(\.$period, .descending)
            .all()
    }
}
