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
        // The agent of the 全程代办 project the case belongs to follows it wherever it is handled.
        if let project = c.projectID, try await AgentProjectModel.find(project, on: req.db)?.agentID == p.id { return (c, false) }
        throw Abort(.notFound)
    }
}

enum CaseService {
    // MARK: intake

    /// Takes in an application at a window: the item's guide in force, the applicant, the checklist
    /// against the guide's materials and the form. The case starts `submitted` and a 服务告知单
    /// records what was received; with `accept` and every required material provided, the window
    /// accepts it on the spot and issues the 受理通知书 instead.
    static func intake(_ input: IntakeInput, req: Request) async throws -> Opened {
        let scope = try await req.scope()
        let center = try await intakeCenter(input.center, scope: scope, req: req)
        let (item, guide, version) = try await itemInForce(input.item, center: center.id, req: req)
        if scope.principal.role == .chiefRepresentative, scope.principal.departmentID != item.departmentID {
            throw ValidationFailure([FieldError("item", "case.notYourDepartment")])
        }
        let accept = input.accept == true
        // The applicant first: materials that OneStop itself issued them (电子证照) are provided.
        var applicant: ApplicantSource?
        var applicantError: (any Error)?
        do { applicant = try await ApplicantSource.window(id: input.applicantID, typed: input.applicant, on: req.db) } catch {
            applicantError = error
        }
        var marks = try checklist(input.materials, count: guide.materials.count)
        if case .known(let a) = applicant {
            marks = Licences.applyExemptions(marks, guide: guide, held: try await Licences.held(by: a.id!, on: req.db))
        }
        var errors = CaseIntake.check(marks, needs: guide.materials.map(\.need), for: accept ? .accept : .supplyMaterials)
        let form = input.form ?? [:]
        if form.count > 100 || form.contains(where: { $0.key.count > 100 || $0.value.count > 4000 }) {
            errors.append(FieldError("form", "tooLong"))
        }
        if let ticket = input.ticket, try await TicketModel.find(ticket, on: req.db)?.centerID != center.id {
            errors.append(FieldError("ticket", "invalidReference"))
        }
        var special: (SpecialHandling?, String) = (nil, "")
        switch SpecialHandling.validate(kind: input.special, reason: input.specialReason) {
        case .success(let s): special = s
        case .failure(let f): errors += f.errors
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        if let applicantError { throw applicantError }
        guard let applicant else { throw ValidationFailure([FieldError("applicant", "required")]) }
        let opening = Opening(
            center: center, item: item, guide: guide, version: version, channel: "window", ticket: input.ticket,
            handler: scope.principal.id, actor: scope.principal.auditName, actorName: scope.principal.displayName,
            form: String(decoding: try JSONEncoder.sorted.encode(form), as: UTF8.self), marks: marks, at: req.now)
        let calendar = try await req.application.calendars.calendar(for: center.id, on: req.db)
        let firstCheck = Supervision.firstCheck(received: opening.today, calendar: calendar)
        let accepting: Supervision.Context? =
            accept
            ? .init(
                today: opening.today, millis: opening.millis, calendar: calendar,
                thresholds: try await req.application.thresholdCache.thresholds(item: item.id, on: req.db)) : nil
        var extra: [String: String] = [:]
        if let kind = special.0 { extra["special"] = kind.rawValue }
        // 分屏: whether the visitor confirmed on the window's screen what was entered.
        if let seat = try await IntakeMirror.window(of: scope.principal, on: req.db), let w = seat.id,
            let draft = req.application.intakeMirror.get(w, now: req.now)
        {
            extra["visitorConfirmed"] = draft.confirmed ? "yes" : draft.disputed ? "disputed" : "no"
            req.application.intakeMirror.clear(w)
        }
        let prepared = try await prepare(
            opening, applicant: applicant, firstCheck: firstCheck, accepting: accepting, extraDetail: extra, req: req)
        prepared.model.special = special.0?.rawValue
        prepared.model.specialReason = special.0 == nil ? nil : special.1
        return try await req.audited(defers: true) { db in try await prepared.write(on: db) }
    }

    /// A case just opened, with the rows it was made of: its view needs no reading back.
    struct Opened: Sendable {
        var model: CaseModel
        var known: Parts
    }

    /// The rows of a case besides its own, when the caller holds them.
    struct Parts: Sendable {
        var applicant: ApplicantModel
        var events: [CaseEventModel]
        var materials: [CaseMaterialModel]
        var notices: [NoticeModel]
    }

    /// What a new case is made of, whichever way it came in.
    struct Opening: Sendable {
        var center: PublicDirectory.Center
        var item: CatalogSnapshot.Item
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
            center: PublicDirectory.Center, item: CatalogSnapshot.Item, guide: ItemGuide, version: Int, channel: String, ticket: UUID?,
            handler: UUID?,
            actor: String, actorName: String, form: String, marks: [(status: MaterialStatus, note: String)], at now: Date
        ) {
            (self.center, self.item, self.guide, self.version, self.channel, self.ticket) = (center, item, guide, version, channel, ticket)
            (self.handler, self.actor, self.actorName, self.form, self.marks) = (handler, actor, actorName, form, marks)
            millis = HallClock.millis(now)
            today = HallClock.day(now)
        }
    }

    /// Who a new case is for: an applicant on record, or one typed in at the window who may be
    /// new (recorded inside the write, where a race with the same new applicant keeps one row).
    enum ApplicantSource: Sendable {
        case known(ApplicantModel)
        case typed(ApplicantInput.Valid)

        /// At a window: the applicant by id, or the one on record with the typed number, or the
        /// typed one. Read before the write; a known applicant's record is not changed.
        static func window(id: UUID?, typed: ApplicantInput?, on db: any Database) async throws -> ApplicantSource {
            if let id {
                guard let a = try await ApplicantModel.find(id, on: db) else {
                    throw ValidationFailure([FieldError("applicantID", "invalidReference")])
                }
                return .known(a)
            }
            guard let typed else { throw ValidationFailure([FieldError("applicant", "required")]) }
            switch typed.validated() {
            case .success(let v):
                let found = try await CaseRows.findApplicant(kind: v.kind.rawValue, idNumber: v.idNumber, on: db)
                return found.map(ApplicantSource.known) ?? .typed(v)
            case .failure(let f):
                // Someone on record needs only their number: the window need not type the rest again.
                if let who = typed.identity(),
                    let found = try await CaseRows.findApplicant(kind: who.kind.rawValue, idNumber: who.idNumber, on: db),
                    f.errors.allSatisfy({ ["name", "phone", "contact"].contains($0.field) && $0.code == "required" })
                {
                    return .known(found)
                }
                throw f
            }
        }

        /// The applicant as the notice prints them.
        var printed: ApplicantModel {
            switch self {
            case .known(let a): return a
            case .typed(let v):
                let a = ApplicantModel()
                a.kind = v.kind.rawValue
                a.name = v.name
                a.idNumber = v.idNumber
                a.phone = v.phone
                a.contact = v.contact
                return a
            }
        }
    }

    /// A new case made ready outside the write transaction — its number reserved, its rows built,
    /// its notice rendered — so that the single writer only stores it (`write`).
    struct Prepared: Sendable {
        var model: CaseModel
        var applicant: ApplicantSource
        var materials: [CaseMaterialModel]
        var events: [CaseEventModel]
        var notice: NoticeModel
        var accepted: CaseState?
        var effects: Supervision.Effects
        var millis: Int64
        var detail: [String: String]
        /// The reserved sequence number, recorded in the day's counter (SQLite keeps it in memory).
        var counter: (center: UUID, day: String, last: Int)?
        /// The day supervision first looks at the case.
        var nextLook: String?

        /// Stores the case inside the caller's audited transaction; returns it with its audit events.
        func write(on db: any Database) async throws -> (Opened, [AuditEvent]) {
            let c = model
            let a: ApplicantModel
            switch applicant {
            case .known(let known): a = known
            case .typed(let v): a = try await CaseRows.applicant(v, now: millis, on: db)
            }
            c.applicantID = a.id!
            if let counter { try await CaseNumbers.record(counter, on: db) }
            try await CaseRows.insert(c, on: db)
            try await CaseRows.insert(materials, on: db)
            try await CaseRows.insert(events, on: db)
            try await CaseRows.insert(notice, on: db)
            if let nextLook { try await Supervision.enqueue([(nextLook, c.id!)], deferrable: true, on: db) }
            var audit = [AuditEvent("case.submit", "case", id: c.id, center: c.centerID, detail: detail)]
            if let accepted {
                audit.append(
                    AuditEvent(
                        "case.accept", "case", id: c.id, center: c.centerID,
                        detail: [
                            "number": c.number, "from": CaseState.submitted.rawValue, "to": accepted.rawValue, "notice": notice.serial,
                        ]))
                // Reminders and cards refer to the case: it goes in first.
                if !effects.items.isEmpty { try await RowBuffer.current?.flush(on: db) }
                audit += try await effects.write(at: millis, on: db)
            }
            return (Opened(model: c, known: Parts(applicant: a, events: events, materials: materials, notices: [notice])), audit)
        }
    }

    /// Makes a new case ready to store: `submitted` with its number, checklist, first timeline
    /// entry and 服务告知单. With `accepting` (checked complete by the caller) it is accepted in the
    /// same step: its clock starts today and the 受理通知书 is issued in place of the 服务告知单.
    static func prepare(
        _ o: Opening, applicant: ApplicantSource, firstCheck: String?, accepting: Supervision.Context? = nil, issuer: String? = nil,
        extraDetail: [String: String] = [:], req: Request
    ) async throws -> Prepared {
        let (sequence, counter) = try await req.application.caseNumbers.next(center: o.center.id, day: o.today, req: req)
        let c = CaseModel()
        c.id = UUID.timeOrdered()
        c.number = CaseNumber.make(center: o.center.code, day: o.today, sequence: sequence)
        c.centerID = o.center.id
        c.departmentID = o.item.departmentID
        c.itemID = o.item.id
        c.itemCode = o.guide.code
        c.itemName = o.guide.name
        c.guideVersion = o.version
        c.caseType = o.guide.caseType.rawValue
        c.channel = o.channel
        if case .known(let a) = applicant { c.applicantID = a.id! }
        c.ticketID = o.ticket
        c.state = CaseState.submitted.rawValue
        c.receivedOn = o.today.description
        c.promisedDays = o.guide.promisedDays
        c.legalDays = o.guide.legalDays
        c.extensionDays = 0
        c.supplementAsked = false
        c.level = WarningLevel.normal.rawValue
        c.handlerID = o.handler
        c.form = o.form
        c.createdAt = o.millis
        c.updatedAt = o.millis
        var accepted: CaseState?
        var effects = Supervision.Effects()
        var nextLook = firstCheck
        if let x = accepting {
            let facts = CaseFlow.Facts(
                caseType: o.guide.caseType, supplementRequestedBefore: false, supplementWindowPassed: false, openTasks: 0)
            let to = try CaseFlow.next(from: .submitted, by: .accept, facts: facts).get()
            c.acceptedOn = o.today.description
            if o.guide.caseType != .immediate { try setDues(c, stops: [], calendar: x.calendar) }
            c.state = to.rawValue
            accepted = to
            (effects, nextLook) = Supervision.apply(c, x)
        }
        let rows = zip(o.guide.materials, o.marks).enumerated().map { i, pair in
            let row = CaseMaterialModel()
            row.id = UUID.timeOrdered()
            row.caseID = c.id!
            row.position = i + 1
            row.name = pair.0.name
            row.need = pair.0.need.rawValue
            row.status = pair.1.status.rawValue
            row.note = pair.1.note
            return row
        }
        var entries = [
            event(
                c, seq: 1, action: "submit", from: .submitted, to: .submitted, actor: o.actor, actorName: o.actorName, at: o.millis,
                day: o.today)
        ]
        if let accepted {
            entries.append(
                event(
                    c, seq: 2, action: "accept", from: .submitted, to: accepted, actor: o.actor, actorName: o.actorName, at: o.millis,
                    day: o.today))
        }
        let known = CaseNotices.Known(
            centerName: o.center.hall.name, centerPhone: o.center.hall.phone, applicant: applicant.printed, guide: o.guide,
            materials: CaseNotices.lines(rows), issued: [])
        let notice = try await CaseNotices.render(
            accepted == nil ? .serviceInfo : .acceptance, for: c, by: issuer ?? o.actorName, at: o.millis, extra: [:], known: known,
            req: req)
        let detail = ["number": c.number, "item": c.itemCode, "channel": c.channel, "notice": notice.serial].merging(extraDetail) { a, _ in
            a
        }
        return Prepared(
            model: c, applicant: applicant, materials: rows, events: entries, notice: notice, accepted: accepted, effects: effects,
            millis: o.millis, detail: detail, counter: counter.map { (o.center.id, o.today.description, $0) }, nextLook: nextLook)
    }

    /// The center a window takes the application in for: the one named (id or code), else the
    /// caller's own; within the caller's scope. From the catalog snapshot (centers are part of it).
    static func intakeCenter(_ raw: String?, scope: Scope, req: Request) async throws -> PublicDirectory.Center {
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        let directory = try await req.catalog().directory
        let center = text.isEmpty ? directory.centers[scope.principal.centerID] : directory.center(text.uppercased())
        guard let center else { throw ValidationFailure([FieldError("center", "invalidReference")]) }
        try scope.require(center.id)
        return center
    }

    /// A published item served at the center (its own or delegated to it), with the guide in force:
    /// from the catalog snapshot, which holds exactly the versions in force.
    static func itemInForce(_ raw: String?, center: UUID, req: Request) async throws -> (CatalogSnapshot.Item, ItemGuide, Int) {
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !text.isEmpty else { throw ValidationFailure([FieldError("item", "required")]) }
        let snapshot = try await req.catalog()
        guard let item = UUID(uuidString: text).flatMap({ snapshot.items[$0] }) ?? snapshot.item(code: text) else {
            throw ValidationFailure([FieldError("item", "case.itemNotInForce")])
        }
        guard item.centers.contains(center) else { throw ValidationFailure([FieldError("item", "case.itemNotServedHere")]) }
        return (item, item.guide, item.version)
    }

    /// The checklist as typed: one mark per material of the guide, in its order.
    static func checklist(_ marks: [MaterialMark]?, count: Int) throws -> [(status: MaterialStatus, note: String)] {
        let marks = marks ?? []
        guard marks.count == count else { throw ValidationFailure([FieldError("materials", "case.checklistIncomplete")]) }
        var errors: [FieldError] = []
        let out = marks.enumerated().map { i, m -> (status: MaterialStatus, note: String) in
            guard let s = MaterialStatus(rawValue: m.status ?? "") else {
                // Left unchecked: the clerk has to look at every material before taking it in.
                errors.append(FieldError("materials.\(i + 1)", (m.status ?? "").isEmpty ? "case.materialUnchecked" : "invalidChoice"))
                return (.missing, "")
            }
            return (s, (m.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return out
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
