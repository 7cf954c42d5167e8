import Fluent
import Foundation
import OneStopCore
import Vapor

/// 差评整改 (issue 19): a bad rating is assigned to the responsible department the moment it is
/// stored, in the same transaction, and its chief representatives and the center's administrators
/// are told through the outbox; then the department calls back, rectifies or explains, and may
/// appeal, and a supervisor decides the appeal. The rules are `BadRatingCase`'s.
enum BadRatingService {
    /// Who handles a department's bad ratings: its chief representatives, and the center's
    /// administrators for any.
    static let handlers = Access.only(.chiefRepresentative, .centerAdmin)
    /// Who may see the worklist: the handlers and the supervisors.
    static let viewers = Access.only(.chiefRepresentative, .centerAdmin, .supervisor)

    /// What assignment needs, read before the transaction: the deadline on the center's calendar.
    static func dueDate(center: UUID, on day: CivilDate, app: Application, db: any Database) async throws -> CivilDate {
        let calendar = try await app.calendars.calendar(for: center, on: db)
        return BadRatingCase.due(assignedOn: day, limit: app.settings.badRatingLimitDays, calendar: calendar)
            ?? day.adding(days: app.settings.badRatingLimitDays * 7 / 5)
    }

    /// Assigns a bad rating (inside the rating's transaction) and queues the notices.
    static func assign(_ r: RatingModel, due: CivilDate, today: CivilDate, millis: Int64, on db: any Database) async throws -> AuditEvent {
        let b = BadRatingModel()
        b.id = r.id
        b.centerID = r.centerID
        b.departmentID = r.departmentID
        b.windowID = r.windowID
        b.staffID = r.staffID
        b.level = r.level ?? 1
        b.realName = !(r.raterIdentity ?? "").isEmpty
        b.assignedOn = today.description
        b.dueOn = due.description
        b.callBackNote = ""
        b.resolutionNote = ""
        b.resolvedBy = ""
        b.appealReason = ""
        b.appealDecisionNote = ""
        b.ratedAgain = false
        b.createdAt = millis
        b.updatedAt = millis
        try await b.create(on: db)
        let users = try await Supervision.responsible(b, on: db)
        let tags = r.tags.split(separator: ",").map(String.init)
        try await Outbox.enqueue(
            "rating.bad",
            .init(
                title: "收到差评（\(b.level) 星），请于 \(b.dueOn) 前整改或说明",
                body: (tags.joined(separator: "、") + " " + r.text).trimmingCharacters(in: .whitespaces),
                link: "/ratings/\(r.id!)", data: ["rating": r.id!.uuidString, "due": b.dueOn]),
            users: users, center: r.centerID, at: millis, on: db)
        return AuditEvent("rating.assign", "rating", id: r.id, center: r.centerID, detail: ["due": b.dueOn])
    }

    /// The bad rating, if the caller may see it: supervisors and administrators of its center's
    /// scope, a chief representative for their own department.
    static func visible(_ id: UUID, req: Request) async throws -> (BadRatingModel, RatingModel) {
        let p = try req.requirePrincipal()
        guard let b = try await BadRatingModel.find(id, on: req.db), let r = try await RatingModel.find(id, on: req.db) else {
            throw Abort(.notFound)
        }
        try await req.scope().require(b.centerID)
        if p.role == .chiefRepresentative, b.departmentID != p.departmentID { throw Abort(.forbidden) }
        return (b, r)
    }

    struct Step: Content {
        var reached: Bool?
        var note: String?
        var kind: String?
        var reason: String?
        var upheld: Bool?
    }

    enum Action: String {
        case callBack = "call_back"
        case resolve, appeal, decideAppeal = "decide_appeal"

        var step: BadRatingCase.Step {
            switch self {
            case .callBack: .callBack
            case .resolve: .resolve
            case .appeal: .appeal
            case .decideAppeal: .decideAppeal
            }
        }
    }

    /// One step of the flow, checked by the rules and audited.
    static func act(_ action: Action, _ id: UUID, _ input: Step, req: Request) async throws -> BadRatingModel {
        let p = try req.requirePrincipal()
        let (b, _) = try await visible(id, req: req)
        switch action {
        case .decideAppeal: guard p.role == .supervisor else { throw Abort(.forbidden) }
        default: guard handlers.admits(p.role) else { throw Abort(.forbidden) }
        }
        var v = Validator()
        let note = v.text(action == .appeal ? "reason" : "note", action == .appeal ? input.reason : input.note ?? input.reason, max: 1000)
        var kind: BadRatingCase.Resolution?
        switch action {
        case .callBack: if input.reached == nil { v.add("reached", "required") }
        case .resolve:
            kind = v.oneOf("kind", input.kind, as: BadRatingCase.Resolution.self)
        case .decideAppeal: if input.upheld == nil { v.add("upheld", "required") }
        case .appeal: break
        }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        if let why = b.flow.refusal(action.step) { throw Abort(.conflict, reason: req.t(why)) }
        let today = HallClock.day(req.now).description
        let millis = HallClock.millis(req.now)
        let actor = "user:\(p.name)"
        let resolution = kind
        return try await req.audited { db in
            guard let row = try await BadRatingModel.find(id, on: db) else { throw Abort(.notFound) }
            // Checked again inside the transaction: two clerks at once.
            if let why = row.flow.refusal(action.step) { throw Abort(.conflict, reason: req.t(why)) }
            var detail: [String: String] = [:]
            switch action {
            case .callBack:
                row.calledBackOn = today
                row.callBackReached = input.reached
                row.callBackNote = note
                detail["reached"] = input.reached == true ? "yes" : "no"
            case .resolve:
                row.resolution = resolution?.rawValue
                row.resolutionNote = note
                row.resolvedOn = today
                row.resolvedBy = actor
                detail["kind"] = resolution?.rawValue ?? ""
                detail["onTime"] = today <= row.dueOn ? "yes" : "no"
            case .appeal:
                row.appeal = BadRatingCase.Appeal.pending.rawValue
                row.appealReason = note
            case .decideAppeal:
                let upheld = input.upheld == true
                row.appeal = (upheld ? BadRatingCase.Appeal.upheld : .rejected).rawValue
                row.appealDecisionNote = note
                detail["upheld"] = upheld ? "yes" : "no"
                if upheld {
                    try await RatingModel.query(on: db).filter(\.$id == id).set(\.$excluded, to: true).update()
                }
            }
            row.updatedAt = millis
            try await row.save(on: db)
            try await figures(action, row, upheld: input.upheld == true, on: db)
            if action == .resolve { try await tellRater(row, millis: millis, on: db) }
            return (row, [AuditEvent("rating.\(action.rawValue)", "rating", id: id, center: row.centerID, detail: detail)])
        }
    }

    /// Whom a real-name bad rating's call-back reaches: the hotline caller, or the applicant of
    /// the case.
    static func contact(_ r: RatingModel, on db: any Database) async throws -> (name: String, phone: String)? {
        if r.channel == RatingChannel.hotline.rawValue, let phone = r.callerPhone { return (r.callerName ?? "", phone) }
        guard let caseID = r.caseID, let c = try await CaseModel.find(caseID, on: db),
            let a = try await ApplicantModel.find(c.applicantID, on: db)
        else { return nil }
        return (a.name, a.phone)
    }

    /// The rater of a case hears what was done and that they may rate again (a visitor without an
    /// account reads it from the ticket's page; the SMS gateway is for a later issue).
    private static func tellRater(_ b: BadRatingModel, millis: Int64, on db: any Database) async throws {
        guard let r = try await RatingModel.find(b.id, on: db), let caseID = r.caseID,
            let c = try await CaseModel.find(caseID, on: db), let a = try await ApplicantModel.find(c.applicantID, on: db),
            let user = a.userID
        else { return }
        let kind = b.resolution == BadRatingCase.Resolution.explained.rawValue ? "情况说明" : "整改"
        try await Outbox.enqueue(
            "rating.resolved",
            .init(
                title: "您对办件 \(c.number) 的评价已处理（\(kind)）", body: b.resolutionNote + " 欢迎您再次评价。", link: "/cases/\(caseID)",
                data: ["rating": b.id!.uuidString, "case": c.number]),
            users: [user], center: b.centerID, at: millis, on: db)
    }

    /// Keeps the day-and-scope figures in step with a step of the flow.
    private static func figures(_ action: Action, _ b: BadRatingModel, upheld: Bool, on db: any Database) async throws {
        guard let r = try await RatingModel.find(b.id, on: db) else { return }
        let scopes = RatingFigures.scopes(r)
        let ratedOn = HallClock.day(Date(timeIntervalSince1970: Double(r.at) / 1000)).description
        switch action {
        case .callBack:
            if b.realName { try await RatingFigures.change(day: ratedOn, scopes: scopes, on: db) { $0.calledBack += 1 } }
        case .resolve:
            if b.flow.resolvedOnTime { try await RatingFigures.change(day: b.dueOn, scopes: scopes, on: db) { $0.dueOnTime += 1 } }
        case .appeal: break
        case .decideAppeal:
            guard upheld else { return }
            try await RatingFigures.exclude(r, bad: b, on: db)
        }
    }

    /// `BadRatingCase.status`, as a query filter.
    static func filter(_ q: QueryBuilder<BadRatingModel>, status s: BadRatingCase.Status) -> QueryBuilder<BadRatingModel> {
        let pending = BadRatingCase.Appeal.pending.rawValue
        let upheld = BadRatingCase.Appeal.upheld.rawValue
        let rejected = BadRatingCase.Appeal.rejected.rawValue
        switch s {
        case .excluded: return q.filter(\.$appeal == upheld)
        case .appealPending: return q.filter(\.$appeal == pending)
        case .resolved, .callBackDue, .resolutionDue:
            let q = q.group(.or) { $0.filter(\.$appeal == nil).filter(\.$appeal == rejected) }
            if s == .resolved { return q.filter(\.$resolution != nil) }
            let open = q.filter(\.$resolution == nil)
            if s == .callBackDue { return open.filter(\.$realName == true).filter(\.$calledBackOn == nil) }
            return open.group(.or) { $0.filter(\.$realName == false).filter(\.$calledBackOn != nil) }
        }
    }

    /// The worklist: bad ratings in the caller's scope (a chief representative's department),
    /// by status, the nearest deadline first.
    static func list(status: String?, overdue: Bool, limit: Int, req: Request) async throws -> [BadRatingModel] {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        var q = BadRatingModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers))
        if p.role == .chiefRepresentative {
            guard let d = p.departmentID else { return [] }
            q = q.filter(\.$departmentID == d)
        }
        let today = HallClock.day(req.now)
        if let raw = status, !raw.isEmpty {
            guard let s = BadRatingCase.Status(rawValue: raw) else { throw ValidationFailure([FieldError("status", "invalidChoice")]) }
            q = filter(q, status: s)
        }
        if overdue { q = q.filter(\.$resolution == nil).filter(\.$dueOn < today.description) }
        return try await q.sort(\.$dueOn).sort(\.$createdAt).limit(limit).all()
    }
}
