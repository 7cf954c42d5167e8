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
        guard staffMay(try await req.scope(), see: c) else { throw Abort(.notFound) }
        return (c, false)
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
        let now = HallClock.millis(req.now)
        let today = HallClock.day(req.now)
        let handler = scope.principal.id
        let actor = scope.principal.auditName
        let actorName = scope.principal.displayName
        let formJSON = String(decoding: try JSONEncoder.sorted.encode(form), as: UTF8.self)
        let firstCheck = try await Supervision.firstCheck(center: center.id!, received: today, app: req.application, on: req.db)
        return try await req.audited { db in
            let applicant = try await ApplicantService.resolve(id: input.applicantID, typed: input.applicant, now: now, on: db)
            let c = CaseModel()
            c.id = UUID()
            c.number = CaseNumber.make(center: center.code, day: today, sequence: try await nextSequence(center.id!, day: today, on: db))
            c.centerID = center.id!
            c.departmentID = item.departmentID
            c.itemID = item.id!
            c.itemCode = item.code
            c.itemName = guide.name
            c.guideVersion = version
            c.caseType = guide.caseType.rawValue
            c.channel = "window"
            c.applicantID = applicant.id!
            c.ticketID = input.ticket
            c.state = CaseState.submitted.rawValue
            c.receivedOn = today.description
            c.promisedDays = guide.promisedDays
            c.legalDays = guide.legalDays
            c.extensionDays = 0
            c.supplementAsked = false
            c.level = WarningLevel.normal.rawValue
            c.nextCheck = firstCheck
            c.handlerID = handler
            c.form = formJSON
            c.createdAt = now
            c.updatedAt = now
            try await c.create(on: db)
            for (i, (m, mark)) in zip(guide.materials, marks).enumerated() {
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
                c, action: "submit", from: .submitted, to: .submitted, actor: actor, actorName: actorName, at: now, day: today, reason: "",
                on: db)
            let notice = try await CaseNotices.issue(.serviceInfo, for: c, by: actorName, at: now, extra: [:], req: req, on: db)
            return (
                c,
                [
                    AuditEvent(
                        "case.submit", "case", id: c.id, center: c.centerID,
                        detail: ["number": c.number, "item": c.itemCode, "channel": c.channel, "notice": notice.serial])
                ]
            )
        }
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

    // MARK: moves

    /// Moves a case by the transition table, with what the move needs: a reason, the checklist, the
    /// days of an extension, a decision's outcome. Issues the move's notice and keeps the clock.
    ///
    /// An applicant may take two moves on their own case: supply what a supplement notice asked for,
    /// as uploads (`uploads`, by material position), and withdraw it.
    static func act(
        _ action: CaseAction, caseID: UUID, input: CaseActionInput, uploads: [Int: [OnlineApplication.Checked]] = [:], req: Request
    ) async throws -> CaseModel {
        let scope = try await req.scope()
        let p = scope.principal
        let byApplicant = p.role == .applicant
        if byApplicant, ![.supplyMaterials, .withdraw].contains(action) { throw Abort(.forbidden) }
        // Who may, before what is missing: a refused caller learns nothing about the case.
        if [.approve, .disapprove, .forward, .extend].contains(action), !CaseAccess.approvers.contains(p.role) {
            throw Abort(.forbidden, reason: req.t("case.approversOnly"))
        }
        let reasonErrors = CaseIntake.reason(input.reason, for: action)
        guard reasonErrors.isEmpty else { throw ValidationFailure(reasonErrors) }
        let reason = (input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var extra: [String: String] = [:]
        switch action {
        case .extend:
            guard let days = input.days, (1...60).contains(days) else {
                throw ValidationFailure([FieldError("days", "case.extensionDays")])
            }
            extra["days"] = String(days)
        case .suspend:
            let name = (input.procedure ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= 100 else { throw ValidationFailure([FieldError("procedure", "required")]) }
            extra["procedure"] = name
        case .deliver:
            let method = input.method ?? "window"
            guard ["window", "mail", "electronic"].contains(method) else {
                throw ValidationFailure([FieldError("method", "invalidChoice")])
            }
            let recipient = (input.recipient ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard recipient.count <= 100 else { throw ValidationFailure([FieldError("recipient", "tooLong")]) }
            extra["method"] = method
            extra["recipient"] = recipient
        default: break
        }
        let now = HallClock.millis(req.now)
        let today = HallClock.day(req.now)
        let actor = p.auditName
        let actorName = p.displayName
        let fields = extra
        // The calendar is read before the transaction: it is cached, and the clock only needs it.
        guard let first = try await CaseModel.find(caseID, on: req.db) else { throw Abort(.notFound) }
        if byApplicant {
            guard let own = try await ApplicantService.own(req), own.id == first.applicantID else { throw Abort(.notFound) }
        } else {
            guard CaseAccess.staffMay(scope, see: first) else { throw Abort(.notFound) }
        }
        let calendar = try await req.application.calendars.calendar(for: first.centerID, on: req.db)
        let (guideNeeds, _) = try await guideMaterials(first, req: req)
        let limits = try await Supervision.thresholds(item: first.itemID, on: req.db)
        return try await req.audited { db in
            guard let c = try await CaseModel.find(caseID, on: db) else { throw Abort(.notFound) }
            let from = CaseState(rawValue: c.state) ?? .terminated
            let type = CaseType(rawValue: c.caseType) ?? .promised
            let deadline = CaseClock.supplementNoticeDeadline(received: CivilDate(c.receivedOn)!, calendar: calendar)
            let facts = CaseFlow.Facts(
                caseType: type, supplementRequestedBefore: c.supplementAsked,
                supplementWindowPassed: deadline.map { today > $0 } ?? false, openTasks: 0)
            let to: CaseState
            switch CaseFlow.next(from: from, by: action, facts: facts) {
            case .success(let s): to = s
            case .failure(let refusal): throw refusal
            }
            var detail: [String: String] = ["number": c.number, "from": from.rawValue, "to": to.rawValue]
            // The checklist, for the moves that look at it.
            if byApplicant, action == .supplyMaterials {
                // Every material the notice named gets a file; those become provided.
                let rows = try await CaseMaterialModel.query(on: db).filter(\.$caseID == caseID).sort(\.$position).all()
                let asked = rows.filter { $0.status == MaterialStatus.missing.rawValue || $0.status == MaterialStatus.defective.rawValue }
                let unanswered = asked.filter { uploads[$0.position] == nil }
                if !unanswered.isEmpty {
                    throw ValidationFailure(unanswered.map { FieldError("materials.\($0.position)", "case.uploadRequired") })
                }
                if uploads.isEmpty { throw ValidationFailure([FieldError("materials", "case.uploadRequired")]) }
                try await OnlineApplication.store(uploads, case: caseID, by: actor, at: now, on: db)
                for row in rows where uploads[row.position] != nil && row.status != MaterialStatus.provided.rawValue {
                    row.status = MaterialStatus.provided.rawValue
                    try await row.save(on: db)
                }
                detail["files"] = String(uploads.values.map(\.count).reduce(0, +))
            } else if [.accept, .requestSupplement, .supplyMaterials].contains(action), let marks = input.materials {
                let rows = try await CaseMaterialModel.query(on: db).filter(\.$caseID == caseID).sort(\.$position).all()
                let typed = try checklist(marks, count: rows.count)
                let problems = CaseIntake.check(typed, needs: guideNeeds, for: action)
                if !problems.isEmpty { throw ValidationFailure(problems) }
                for (row, mark) in zip(rows, typed) where row.status != mark.status.rawValue || row.note != mark.note {
                    row.status = mark.status.rawValue
                    row.note = mark.note
                    try await row.save(on: db)
                }
            } else if [.accept, .requestSupplement].contains(action) {
                let rows = try await CaseMaterialModel.query(on: db).filter(\.$caseID == caseID).sort(\.$position).all()
                let marks = rows.map { (status: MaterialStatus(rawValue: $0.status) ?? .missing, note: $0.note) }
                let problems = CaseIntake.check(marks, needs: guideNeeds, for: action)
                if !problems.isEmpty { throw ValidationFailure(problems) }
            }
            switch action {
            case .accept:
                // Past the 5 working days without a supplement notice, the law counts the
                // application as accepted on the day its materials were received.
                let late = facts.supplementWindowPassed && !c.supplementAsked
                c.acceptedOn = late ? c.receivedOn : today.description
                if late { detail["deemedAcceptedOn"] = c.receivedOn }
            case .requestSupplement:
                if from == .submitted {
                    c.supplementAsked = true
                } else {
                    try await addStop(.supplement, case: caseID, from: today, on: db)
                }
            case .supplyMaterials where from == .reviewSupplement, .resume:
                try await closeStop(case: caseID, on: today, on: db)
            case .suspend:
                try await addStop(.special, case: caseID, from: today, on: db)
            case .extend:
                c.extensionDays += Int(fields["days"]!)!
            case .approve, .disapprove:
                c.decidedOn = today.description
            case .deliver:
                c.deliveredOn = today.description
            default: break
            }
            if c.acceptedOn != nil, type != .immediate {
                try setDues(c, stops: try await stops(caseID, on: db), calendar: calendar)
            }
            c.state = to.rawValue
            c.updatedAt = now
            // Supervision looks again at once: a move can end a step, stop or restart the clock.
            var events = try await Supervision.review(
                c, .init(today: today, millis: now, calendar: calendar, thresholds: limits), on: db)
            if action == .refuse {
                let rows = try await CaseMaterialModel.query(on: db).filter(\.$caseID == caseID).all()
                if rows.allSatisfy({ $0.status == MaterialStatus.provided.rawValue || $0.status == MaterialStatus.notApplicable.rawValue })
                {
                    events += try await Supervision.anomaly(
                        c, kind: "refused_complete", detail: reason,
                        .init(today: today, millis: now, calendar: calendar, thresholds: limits), on: db)
                }
            }
            try await c.save(on: db)
            try await record(
                c, action: action.rawValue, from: from, to: to, actor: actor, actorName: actorName, at: now, day: today, reason: reason,
                detail: fields, on: db)
            if let kind = NoticeKind.issued(by: action) {
                var noticeFields = fields
                noticeFields["reason"] = reason
                let notice = try await CaseNotices.issue(kind, for: c, by: actorName, at: now, extra: noticeFields, req: req, on: db)
                detail["notice"] = notice.serial
            }
            if !reason.isEmpty { detail["reason"] = reason }
            return (c, [AuditEvent("case." + action.rawValue, "case", id: c.id, center: c.centerID, detail: detail)] + events)
        }
    }

    /// The needs of the case's materials, from the guide version it was received under.
    static func guideMaterials(_ c: CaseModel, req: Request) async throws -> ([MaterialNeed], ItemGuide?) {
        guard let content = try await CatalogService.version(c.itemID, c.guideVersion, on: req.db)?.content else { return ([], nil) }
        let guide = try CatalogService.guide(content)
        return (guide.materials.map(\.need), guide)
    }

    static func stops(_ caseID: UUID, on db: any Database) async throws -> [CaseClock.Stop] {
        try await CaseStopModel.query(on: db).filter(\.$caseID == caseID).all().compactMap { s in
            guard let kind = CaseClock.Stop.Kind(rawValue: s.kind), let from = CivilDate(s.fromDay) else { return nil }
            return CaseClock.Stop(kind, from: from, to: s.toDay.flatMap(CivilDate.init))
        }
    }

    static func addStop(_ kind: CaseClock.Stop.Kind, case id: UUID, from day: CivilDate, on db: any Database) async throws {
        let s = CaseStopModel()
        s.caseID = id
        s.kind = kind.rawValue
        s.fromDay = day.description
        try await s.create(on: db)
    }

    static func closeStop(case id: UUID, on day: CivilDate, on db: any Database) async throws {
        for s in try await CaseStopModel.query(on: db).filter(\.$caseID == id).filter(\.$toDay == nil).all() {
            s.toDay = day.description
            try await s.save(on: db)
        }
    }

    static func clock(_ c: CaseModel, stops: [CaseClock.Stop]) -> CaseClock? {
        guard let accepted = c.acceptedOn.flatMap(CivilDate.init), c.caseType != CaseType.immediate.rawValue else { return nil }
        return CaseClock(
            started: accepted, promisedDays: c.promisedDays, legalDays: c.legalDays, extensionDays: c.extensionDays, stops: stops)
    }

    /// Stores the due dates (nil while the clock is stopped), for lists and the supervision board.
    static func setDues(_ c: CaseModel, stops: [CaseClock.Stop], calendar: WorkCalendar) throws {
        guard let clock = clock(c, stops: stops) else { return }
        c.promisedDue = clock.due(after: c.promisedDays + c.extensionDays, calendar: calendar)?.description
        c.legalDue = clock.due(after: c.legalDays + c.extensionDays, calendar: calendar)?.description
    }

    static func record(
        _ c: CaseModel, action: String, from: CaseState, to: CaseState, actor: String, actorName: String, at: Int64, day: CivilDate,
        reason: String, detail: [String: String] = [:], on db: any Database
    ) async throws {
        let last = try await CaseEventModel.query(on: db).filter(\.$caseID == c.id!).max(\.$seq) ?? 0
        let e = CaseEventModel()
        e.caseID = c.id!
        e.seq = last + 1
        e.action = action
        e.fromState = from.rawValue
        e.toState = to.rawValue
        e.actor = actor
        e.actorName = actorName
        e.atMillis = at
        e.day = day.description
        e.reason = reason
        e.detail = AuditEvent.encode(detail)
        try await e.create(on: db)
    }

    // MARK: reading

    static func dto(_ c: CaseModel, unmasked: Bool, req: Request) async throws -> CaseDTO {
        let id = c.id!
        guard let applicant = try await ApplicantModel.find(c.applicantID, on: req.db) else { throw Abort(.internalServerError) }
        let events = try await CaseEventModel.query(on: req.db).filter(\.$caseID == id).sort(\.$seq).all()
        let materials = try await CaseMaterialModel.query(on: req.db).filter(\.$caseID == id).sort(\.$position).all()
        let files = try await CaseFileModel.query(on: req.db).filter(\.$caseID == id).sort(\.$position).sort(\.$uploadedAt)
            .field(\.$id).field(\.$caseID).field(\.$position).field(\.$filename).field(\.$contentType).field(\.$size).field(\.$sha256)
            .field(\.$uploadedAt).field(\.$uploadedBy).all()
        let notices = try await NoticeModel.query(on: req.db).filter(\.$caseID == id).sort(\.$seq)
            .field(\.$id).field(\.$caseID).field(\.$seq).field(\.$kind).field(\.$serial).field(\.$issuedAt).field(\.$issuedBy).field(
                \.$sha256
            ).all()
        var clockDTO: CaseClockDTO?
        if let clock = clock(c, stops: try await stops(id, on: req.db)) {
            let calendar = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
            let asOf = c.decidedOn.flatMap(CivilDate.init) ?? HallClock.day(req.now)
            let r = clock.reading(on: asOf, calendar: calendar)
            let open = !(CaseState(rawValue: c.state)?.isClosed ?? true) && c.decidedOn == nil
            clockDTO = CaseClockDTO(
                promisedDays: c.promisedDays, legalDays: c.legalDays, extensionDays: c.extensionDays, used: r?.used,
                promisedLeft: r?.promisedLeft, legalLeft: r?.legalLeft, promisedDue: r?.promisedDue?.description,
                legalDue: r?.legalDue?.description, stopped: r?.stopped ?? false,
                level: open
                    ? r.map { SupervisionThresholds.standard.level(promisedLeft: $0.promisedLeft, legalLeft: $0.legalLeft).rawValue } : nil)
        }
        let form = (try? JSONDecoder().decode([String: String].self, from: Data(c.form.utf8))) ?? [:]
        return CaseDTO(
            id: id, number: c.number, centerID: c.centerID, departmentID: c.departmentID, itemID: c.itemID, itemCode: c.itemCode,
            itemName: c.itemName, guideVersion: c.guideVersion, caseType: c.caseType, channel: c.channel, state: c.state,
            receivedOn: c.receivedOn, acceptedOn: c.acceptedOn, decidedOn: c.decidedOn, deliveredOn: c.deliveredOn,
            applicant: ApplicantDTO(applicant, unmasked: unmasked), clock: clockDTO,
            materials: materials.map { .init(position: $0.position, name: $0.name, need: $0.need, status: $0.status, note: $0.note) },
            files: files.map {
                .init(
                    id: $0.id!, position: $0.position, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                    sha256: $0.sha256, uploadedAt: Date(timeIntervalSince1970: Double($0.uploadedAt) / 1000),
                    downloadURL: "/api/v1/cases/\(id)/files/\($0.id!)")
            },
            form: form,
            events: events.map {
                .init(
                    seq: $0.seq, action: $0.action, fromState: $0.fromState, toState: $0.toState, actor: $0.actorName,
                    at: Date(timeIntervalSince1970: Double($0.atMillis) / 1000), day: $0.day, reason: $0.reason)
            },
            notices: notices.map(NoticeSummaryDTO.init))
    }

    /// Tracking without signing in: the case number and the last 4 characters of the applicant's
    /// ID number or credit code. Both must match; any miss is the same 404, so that numbers cannot
    /// be probed.
    static func track(number: String?, idTail: String?, req: Request) async throws -> TrackedCaseDTO {
        let tail = (idTail ?? "").uppercased().filter { !$0.isWhitespace }
        guard let parsed = CaseNumber.parse(number ?? ""), tail.count == 4 else { throw Abort(.notFound) }
        let number = CaseNumber.make(center: parsed.center, day: parsed.day, sequence: parsed.sequence)
        guard let c = try await CaseModel.query(on: req.db).filter(\.$number == number).first(),
            let a = try await ApplicantModel.find(c.applicantID, on: req.db), a.idNumber.hasSuffix(tail)
        else { throw Abort(.notFound) }
        let events = try await CaseEventModel.query(on: req.db).filter(\.$caseID == c.id!).sort(\.$seq).all()
        return TrackedCaseDTO(
            number: c.number, itemName: c.itemName, state: c.state, receivedOn: c.receivedOn, acceptedOn: c.acceptedOn,
            promisedDue: c.promisedDue, applicantName: Masking.keep(a.name, head: 1, tail: 0),
            events: events.map {
                .init(action: $0.action, toState: $0.toState, day: $0.day, at: Date(timeIntervalSince1970: Double($0.atMillis) / 1000))
            })
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
