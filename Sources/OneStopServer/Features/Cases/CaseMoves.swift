import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Moving a case through its procedure: the table's check, the clock, the notice, supervision.
extension CaseService {
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
        guard let first = try await CaseModel.find(caseID, on: req.db) else { throw Abort(.notFound) }
        if byApplicant {
            guard let own = try await ApplicantService.own(req), own.id == first.applicantID else { throw Abort(.notFound) }
        } else {
            guard CaseAccess.staffMay(scope, see: first) else { throw Abort(.notFound) }
        }
        // A chief representative decides, forwards and extends only with the authorisation the
        // center gave them for the item (all four unless restricted).
        if p.role == .chiefRepresentative, let type = CaseType(rawValue: first.caseType),
            try await Authorisations.held(department: first.departmentID, item: first.itemID, on: req.db).covers(action, caseType: type)
                == false
        {
            throw Abort(
                .forbidden,
                reason: req.t("case.notAuthorised", ["authorisation": req.t(ChiefAuthorisations.key(for: action, caseType: type))]))
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
            // The guide's own limit for a procedure it publishes (听证 20 个工作日…).
            if let days = try await guideMaterials(first, req: req).1?.specialProcedures.first(where: { $0.name == name })?.days {
                extra["days"] = String(days)
            }
        case .deliver:
            let method = input.method ?? "window"
            guard ["window", "mail", "electronic"].contains(method) else {
                throw ValidationFailure([FieldError("method", "invalidChoice")])
            }
            let recipient = (input.recipient ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard recipient.count <= 100 else { throw ValidationFailure([FieldError("recipient", "tooLong")]) }
            extra["method"] = method
            extra["recipient"] = recipient
        case .approve, .disapprove:
            if let typed = input.fee {
                guard let cents = CaseFees.cents(typed) else { throw ValidationFailure([FieldError("fee", "case.feeAmount")]) }
                extra["fee"] = CaseFees.yuan(cents)
            }
            let licence = (input.licenceNumber ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard licence.count <= 60, !licence.contains(where: \.isNewline) else {
                throw ValidationFailure([FieldError("licenceNumber", "case.licenceNumber")])
            }
            if action == .approve, !licence.isEmpty {
                // A number identifies one licence: another decision's number is refused.
                if try await CaseModel.query(on: req.db).filter(\.$licenceNumber == licence).filter(\.$id != caseID).first() != nil {
                    throw ValidationFailure([FieldError("licenceNumber", "case.licenceTaken")])
                }
                extra["licence"] = licence
            }
            let until = (input.validUntil ?? "").trimmingCharacters(in: .whitespaces)
            if action == .approve, !until.isEmpty {
                guard let d = CivilDate(until), d > HallClock.day(req.now) else {
                    throw ValidationFailure([FieldError("validUntil", "case.validUntil")])
                }
                extra["validUntil"] = d.description
            }
        default: break
        }
        let now = HallClock.millis(req.now)
        let base = QueuePages.publicBase(req)
        let today = HallClock.day(req.now)
        let actor = p.auditName
        let actorName = p.displayName
        let fields = extra
        // The calendar is read before the transaction: it is cached, and the clock only needs it.
        let calendar = try await req.application.calendars.calendar(for: first.centerID, on: req.db)
        let (guideNeeds, guide) = try await guideMaterials(first, req: req)
        let limits = try await req.application.thresholdCache.thresholds(item: first.itemID, on: req.db)
        // What the move's notice prints besides the case, read before the transaction too.
        var known: CaseNotices.Known?
        if NoticeKind.issued(by: action) != nil, let center = try await CenterModel.find(first.centerID, on: req.db),
            let applicant = try await ApplicantModel.find(first.applicantID, on: req.db)
        {
            known = .init(
                centerName: center.name, centerPhone: center.phone, applicant: applicant, guide: guide,
                authority: try await CaseNotices.authority(for: first, centerName: center.name, on: req.db))
        }
        let noticeSources = known
        let separation =
            DutySeparation(rawValue: try await CenterModel.find(first.centerID, on: req.db)?.dutySeparation ?? "") ?? .promised
        return try await req.audited { db in
            guard let c = try await CaseModel.find(caseID, on: db) else { throw Abort(.notFound) }
            let from = CaseState(rawValue: c.state) ?? .terminated
            let type = CaseType(rawValue: c.caseType) ?? .promised
            let deadline = CaseClock.supplementNoticeDeadline(received: CivilDate(c.receivedOn)!, calendar: calendar)
            let facts = CaseFlow.Facts(
                caseType: type, supplementRequestedBefore: c.supplementAsked,
                supplementWindowPassed: deadline.map { today > $0 } ?? false,
                openTasks: try await CaseTaskModel.query(on: db).filter(\.$caseID == caseID).filter(\.$state == "open").count(),
                decidedByAcceptor: [.approve, .disapprove].contains(action) && separation.applies(to: type)
                    ? try await CaseService.accepted(caseID, by: actor, on: db) : false)
            let to: CaseState
            switch CaseFlow.next(from: from, by: action, facts: facts) {
            case .success(let s): to = s
            case .failure(let refusal): throw refusal
            }
            var detail: [String: String] = ["number": c.number, "from": from.rawValue, "to": to.rawValue]
            var held: [CaseMaterialModel]?
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
                held = rows
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
                held = rows
            } else if [.accept, .requestSupplement].contains(action) {
                let rows = try await CaseMaterialModel.query(on: db).filter(\.$caseID == caseID).sort(\.$position).all()
                let marks = rows.map { (status: MaterialStatus(rawValue: $0.status) ?? .missing, note: $0.note) }
                let problems = CaseIntake.check(marks, needs: guideNeeds, for: action)
                if !problems.isEmpty { throw ValidationFailure(problems) }
                held = rows
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
                c.stepDue = nil
            case .suspend:
                try await addStop(.special, case: caseID, from: today, on: db)
                c.stepDue = fields["days"].flatMap(Int.init).flatMap { calendar.addWorkingDays($0, to: today) }?.description
            case .extend:
                c.extensionDays += Int(fields["days"]!)!
            case .approve, .disapprove:
                c.decidedOn = today.description
                c.feeCents = fields["fee"].flatMap(CaseFees.cents)
                c.licenceNumber = fields["licence"]
                // An item that issues a licence gets one numbered from the case when none was typed.
                if action == .approve, guide?.result != nil, c.licenceNumber == nil { c.licenceNumber = c.number + "-Z" }
                if let licence = c.licenceNumber { detail["licence"] = licence }
            case .deliver:
                c.deliveredOn = today.description
                // 一事一评: the invitation to rate, to the inbox and the SMS gateway.
                try await RatingLinks.invite(c, base: base, millis: now, on: db)
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
            // A fee outside the guide's published standard (or any fee for a free item).
            if let cents = c.feeCents, let fee = guide?.fee,
                CaseFees.outside(charged: cents, free: fee.free, standard: fee.standard) == true
            {
                events += try await Supervision.anomaly(
                    c, kind: "fee_outside_standard",
                    detail: "收取 \(CaseFees.yuan(cents)) 元；公示标准：\(fee.free ? "不收费" : fee.standard ?? "")",
                    .init(today: today, millis: now, calendar: calendar, thresholds: limits), on: db)
            }
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
            if action == .approve, let kind = guide?.result, let sources = noticeSources {
                let l = try await Licences.issue(
                    for: c, kind: kind, applicant: sources.applicant, authority: sources.authority ?? sources.centerName,
                    validUntil: fields["validUntil"], today: today, millis: now, req: req, on: db)
                detail["eLicence"] = l.number
            }
            if let kind = NoticeKind.issued(by: action) {
                var noticeFields = fields
                noticeFields["reason"] = reason
                var sources = noticeSources
                sources?.materials = held.map(CaseNotices.lines)
                let notice = try await CaseNotices.issue(
                    kind, for: c, by: actorName, at: now, extra: noticeFields, known: sources, req: req, on: db)
                detail["notice"] = notice.serial
            }
            if !reason.isEmpty { detail["reason"] = reason }
            return (c, [AuditEvent("case." + action.rawValue, "case", id: c.id, center: c.centerID, detail: detail)] + events)
        }
    }

    /// The needs of the case's materials, from the guide version it was received under.
    static func guideMaterials(_ c: CaseModel, req: Request) async throws -> ([MaterialNeed], ItemGuide?) {
        guard let guide = try await CatalogService.publishedGuide(c.itemID, c.guideVersion, on: req.db) else { return ([], nil) }
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
        let e = event(
            c, seq: last + 1, action: action, from: from, to: to, actor: actor, actorName: actorName, at: at, day: day, reason: reason,
            detail: detail)
        try await CaseRows.insert([e], on: db)
    }

    /// A timeline entry, not yet stored.
    static func event(
        _ c: CaseModel, seq: Int, action: String, from: CaseState, to: CaseState, actor: String, actorName: String, at: Int64,
        day: CivilDate, reason: String = "", detail: [String: String] = [:]
    ) -> CaseEventModel {
        let e = CaseEventModel()
        e.id = UUID.timeOrdered()
        e.caseID = c.id!
        e.seq = seq
        e.action = action
        e.fromState = from.rawValue
        e.toState = to.rawValue
        e.actor = actor
        e.actorName = actorName
        e.atMillis = at
        e.day = day.description
        e.reason = reason
        e.detail = AuditEvent.encode(detail)
        return e
    }
}

extension CaseService {
    /// Whether `actor` (an audit name) accepted the case.
    static func accepted(_ caseID: UUID, by actor: String, on db: any Database) async throws -> Bool {
        try await CaseEventModel.query(on: db).filter(\.$caseID == caseID).filter(\.$action == CaseAction.accept.rawValue)
            .filter(\.$actor == actor).count() > 0
    }
}
