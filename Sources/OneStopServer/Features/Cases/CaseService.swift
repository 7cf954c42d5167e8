import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Who may see a case and move it (DOMAIN.md §1): staff of its center — a chief representative
/// only for their department's cases — and its own applicant, who only looks.
enum CaseAccess {
    static let handlers = Access.only(.windowStaff, .chiefRepresentative, .centerAdmin)
    static let viewers = Access.only(.applicant, .windowStaff, .chiefRepresentative, .centerAdmin, .supervisor)
    static let handlersAndApplicants = Access.only(.applicant, .windowStaff, .chiefRepresentative, .centerAdmin)
    /// Moves that decide or stretch a case: the department's chief representative (who holds the
    /// authority to approve) or the center's administrator.
    static let approvers: Set<Role> = [.chiefRepresentative, .centerAdmin]

    static func staffMay(_ scope: Scope, see c: CaseModel) -> Bool {
        guard scope.contains(c.centerID) else { return false }
        if scope.principal.role == .chiefRepresentative { return scope.principal.departmentID == c.departmentID }
        return [.windowStaff, .centerAdmin, .supervisor].contains(scope.principal.role)
    }

    /// The case, if the caller may see it: 404 when there is none or it is someone else's.
    static func visible(_ id: UUID, req: Request) async throws -> (CaseModel, ownApplicant: Bool) {
        guard let c = try await CaseModel.find(id, on: req.db) else { throw Abort(.notFound) }
        let p = try req.requirePrincipal()
        if p.role == .applicant {
            guard let a = try await ApplicantService.own(req), a.id == c.applicantID else { throw Abort(.notFound) }
            return (c, true)
        }
        let scope = try await req.scope()
        if staffMay(scope, see: c) { return (c, false) }
        // A co-department's chief representative sees the joint cases it has a task in.
        if p.role == .chiefRepresentative, scope.contains(c.centerID), let d = p.departmentID,
            try await CaseTaskModel.query(on: req.db).filter(\.$caseID == c.id!).filter(\.$departmentID == d).first() != nil
        {
            return (c, false)
        }
        throw Abort(.notFound)
    }
}

enum CaseService {
    // MARK: intake

    /// Takes in an application at a window: the item's guide in force, the applicant, the checklist
    /// against the guide's materials and the form. The case starts `submitted` and a 服务告知单
    /// records what was received.
    static func intake(_ input: IntakeInput, req: Request) async throws -> CaseModel {
        let scope = try await req.scope()
        let center = try await intakeCenter(input.center, scope: scope, req: req)
        let (item, guide, version) = try await itemInForce(input.item, center: center.id!, req: req)
        if scope.principal.role == .chiefRepresentative, scope.principal.departmentID != item.departmentID {
            throw ValidationFailure([FieldError("item", "case.notYourDepartment")])
        }
        let marks = try checklist(input.materials, count: guide.materials.count)
        var errors = CaseIntake.check(marks, needs: guide.materials.map(\.need), for: .supplyMaterials)
        let form = input.form ?? [:]
        if form.count > 100 || form.contains(where: { $0.key.count > 100 || $0.value.count > 4000 }) {
            errors.append(FieldError("form", "tooLong"))
        }
        if let ticket = input.ticket, try await TicketModel.find(ticket, on: req.db)?.centerID != center.id {
            errors.append(FieldError("ticket", "invalidReference"))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let opening = Opening(
            center: center, item: item, guide: guide, version: version, channel: "window", ticket: input.ticket,
            handler: scope.principal.id, actor: scope.principal.auditName, actorName: scope.principal.displayName,
            form: String(decoding: try JSONEncoder.sorted.encode(form), as: UTF8.self), marks: marks, at: req.now)
        let firstCheck = try await Supervision.firstCheck(center: center.id!, received: opening.today, app: req.application, on: req.db)
        return try await req.audited { db in
            let applicant = try await ApplicantService.resolve(id: input.applicantID, typed: input.applicant, now: opening.millis, on: db)
            return try await open(opening, applicant: applicant, firstCheck: firstCheck, req: req, on: db)
        }
    }

    /// What a new case is made of, whichever way it came in.
    struct Opening: Sendable {
        var center: CenterModel
        var item: ServiceItemModel
        var guide: ItemGuide
        var version: Int
        var channel: String
        var ticket: UUID?
        var handler: UUID?
        var actor: String
        /// Who the timeline and the service information sheet name.
        var actorName: String
        var form: String
        var marks: [(status: MaterialStatus, note: String)]
        var millis: Int64
        var today: CivilDate

        init(
            center: CenterModel, item: ServiceItemModel, guide: ItemGuide, version: Int, channel: String, ticket: UUID?, handler: UUID?,
            actor: String, actorName: String, form: String, marks: [(status: MaterialStatus, note: String)], at now: Date
        ) {
            (self.center, self.item, self.guide, self.version, self.channel, self.ticket) = (center, item, guide, version, channel, ticket)
            (self.handler, self.actor, self.actorName, self.form, self.marks) = (handler, actor, actorName, form, marks)
            millis = HallClock.millis(now)
            today = HallClock.day(now)
        }
    }

    /// Makes the case `submitted` with its number, checklist, first timeline entry and 服务告知单,
    /// inside the caller's audited transaction; returns it with its audit event.
    static func open(
        _ o: Opening, applicant: ApplicantModel, firstCheck: String?, issuer: String? = nil, extraDetail: [String: String] = [:],
        req: Request, on db: any Database
    ) async throws -> (CaseModel, [AuditEvent]) {
        let c = CaseModel()
        c.id = UUID()
        c.number = CaseNumber.make(
            center: o.center.code, day: o.today, sequence: try await nextSequence(o.center.id!, day: o.today, on: db))
        c.centerID = o.center.id!
        c.departmentID = o.item.departmentID
        c.itemID = o.item.id!
        c.itemCode = o.item.code
        c.itemName = o.guide.name
        c.guideVersion = o.version
        c.caseType = o.guide.caseType.rawValue
        c.channel = o.channel
        c.applicantID = applicant.id!
        c.ticketID = o.ticket
        c.state = CaseState.submitted.rawValue
        c.receivedOn = o.today.description
        c.promisedDays = o.guide.promisedDays
        c.legalDays = o.guide.legalDays
        c.extensionDays = 0
        c.supplementAsked = false
        c.level = WarningLevel.normal.rawValue
        c.nextCheck = firstCheck
        c.handlerID = o.handler
        c.form = o.form
        c.createdAt = o.millis
        c.updatedAt = o.millis
        try await c.create(on: db)
        for (i, (m, mark)) in zip(o.guide.materials, o.marks).enumerated() {
            let row = CaseMaterialModel()
            row.caseID = c.id!
            row.position = i + 1
            row.name = m.name
            row.need = m.need.rawValue
            row.status = mark.status.rawValue
            row.note = mark.note
            try await row.create(on: db)
        }
        try await record(
            c, action: "submit", from: .submitted, to: .submitted, actor: o.actor, actorName: o.actorName, at: o.millis, day: o.today,
            reason: "", on: db)
        let notice = try await CaseNotices.issue(
            .serviceInfo, for: c, by: issuer ?? o.actorName, at: o.millis, extra: [:], req: req, on: db)
        let detail = ["number": c.number, "item": c.itemCode, "channel": c.channel, "notice": notice.serial].merging(extraDetail) { a, _ in
            a
        }
        return (c, [AuditEvent("case.submit", "case", id: c.id, center: c.centerID, detail: detail)])
    }

    static func intakeCenter(_ raw: String?, scope: Scope, req: Request) async throws -> CenterModel {
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        let center: CenterModel?
        if text.isEmpty {
            center = try await CenterModel.find(scope.principal.centerID, on: req.db)
        } else if let id = UUID(uuidString: text) {
            center = try await CenterModel.find(id, on: req.db)
        } else {
            center = try await CenterModel.query(on: req.db).filter(\.$code == text.uppercased()).first()
        }
        guard let center else { throw ValidationFailure([FieldError("center", "invalidReference")]) }
        try scope.require(center.id)
        return center
    }

    /// A published item served at the center (its own or delegated to it), with the guide in force.
    static func itemInForce(_ raw: String?, center: UUID, req: Request) async throws -> (ServiceItemModel, ItemGuide, Int) {
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !text.isEmpty else { throw ValidationFailure([FieldError("item", "required")]) }
        let row: ServiceItemModel?
        if let id = UUID(uuidString: text) {
            row = try await ServiceItemModel.find(id, on: req.db)
        } else {
            row = try await ServiceItemModel.query(on: req.db).filter(\.$code == text).first()
        }
        guard let row, row.status == ItemStatus.published.rawValue, let version = row.versionInForce,
            let content = try await CatalogService.version(row.id!, version, on: req.db)?.content
        else { throw ValidationFailure([FieldError("item", "case.itemNotInForce")]) }
        if row.centerID != center {
            let delegated = try await ItemDelegationModel.query(on: req.db).filter(\.$itemID == row.id!).filter(\.$centerID == center)
                .first()
            if delegated == nil { throw ValidationFailure([FieldError("item", "case.itemNotServedHere")]) }
        }
        return (row, try CatalogService.guide(content), version)
    }

    /// The checklist as typed: one mark per material of the guide, in its order.
    static func checklist(_ marks: [MaterialMark]?, count: Int) throws -> [(status: MaterialStatus, note: String)] {
        let marks = marks ?? []
        guard marks.count == count else { throw ValidationFailure([FieldError("materials", "case.checklistIncomplete")]) }
        var errors: [FieldError] = []
        let out = marks.enumerated().map { i, m -> (status: MaterialStatus, note: String) in
            guard let s = MaterialStatus(rawValue: m.status ?? "") else {
                errors.append(FieldError("materials.\(i + 1)", "invalidChoice"))
                return (.missing, "")
            }
            return (s, (m.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return out
    }

    /// The next number of the center's day, atomically: an upsert that increments and returns.
    static func nextSequence(_ center: UUID, day: CivilDate, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable { var last: Int }
        let row = try await sql.raw(
            """
            INSERT INTO case_counters (center_id, day, last) VALUES (\(bind: center), \(bind: day.description), 1)
            ON CONFLICT (center_id, day) DO UPDATE SET last = case_counters.last + 1 RETURNING last
            """
        ).first(decoding: Row.self)
        guard let row else { throw Abort(.internalServerError) }
        return row.last
    }
}

extension JSONEncoder {
    /// Sorted keys: the same value always encodes the same way.
    static let sorted: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}
