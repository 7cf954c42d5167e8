import Fluent
import Foundation
import OneStopCore
import Vapor

/// 热线评价 (issue 19): a hotline operator records the rating a caller gives by phone, for a case
/// (by its number) or a visit (by the ticket's number and day). The caller is the rater, named and
/// reachable (their name and phone sealed), so a bad one is real-name and called back; the operator
/// is recorded as who entered it, never as the rater. The operator cannot record a rating of their
/// own service or of a case they handle, nor one "from" their own phone.
enum HotlineRating {
    struct Input: Content {
        var caseNumber: String?
        var ticketNumber: String?
        /// The day of the visit ("2026-11-03"); today when absent.
        var day: String?
        var callerName: String?
        var callerPhone: String?
        var level: Int?
        var tags: [String]?
        var text: String?
    }

    static func record(_ input: Input, req: Request) async throws -> RatingModel {
        let p = try req.requirePrincipal()
        guard p.role == .hotlineOperator else { throw Abort(.forbidden) }
        let scope = try await req.scope()
        var v = Validator()
        let name = v.text("callerName", input.callerName, max: 50)
        let phone = v.phone("callerPhone", input.callerPhone, required: true)
        let caseNumber = (input.caseNumber ?? "").trimmingCharacters(in: .whitespaces)
        let ticketNumber = (input.ticketNumber ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        if caseNumber.isEmpty == ticketNumber.isEmpty { v.add("caseNumber", "rating.hotlineSubject") }
        var day = HallClock.day(req.now)
        if let raw = input.day, !raw.isEmpty {
            if let d = CivilDate(raw) { day = d } else { v.add("day", "date") }
        }
        let checked: (level: RatingLevel, tags: String, text: String)?
        do {
            checked = try RatingFigures.checked(level: input.level, tags: input.tags, text: input.text)
        } catch let f as ValidationFailure {
            for e in f.errors { v.add(e.field, e.code) }
            checked = nil
        }
        guard v.isValid, let checked, let phone else { throw ValidationFailure(v.errors) }

        let identity = "phone:" + PersonalData.index(phone, RatingModel.callerPhoneField)
        let me = try await UserModel.find(p.id, on: req.db)
        let r = RatingModel()
        r.id = UUID.timeOrdered()
        r.channel = RatingChannel.hotline.rawValue
        r.raterKind = RaterKind.person.rawValue
        r.raterIdentity = identity
        r.level = checked.level.rawValue
        r.tags = checked.tags
        r.text = checked.text
        r.at = HallClock.millis(req.now)
        r.round = 1
        r.excluded = false
        r.source = identity
        r.operatorName = "user:" + p.name
        r.callerName = name
        r.callerPhone = phone
        var ticketID: UUID?
        var servedBy: UUID?
        // The handler of a case, by account and by staff record (the operator is compared by either).
        var handlers: Set<String> = []
        var subject = ""
        if !caseNumber.isEmpty {
            guard let c = try await CaseModel.query(on: req.db).filter(\.$number == caseNumber).first(), scope.contains(c.centerID) else {
                throw ValidationFailure([FieldError("caseNumber", "rating.caseNotFound")])
            }
            guard let state = CaseState(rawValue: c.state), CaseRating.ratable(state) else {
                throw ValidationFailure([FieldError("caseNumber", "rating.caseNotDone")])
            }
            r.centerID = c.centerID
            r.departmentID = c.departmentID
            r.itemID = c.itemID
            r.caseID = c.id
            if let h = c.handlerID {
                handlers.insert(h.uuidString)
                r.staffID = try await UserModel.find(h, on: req.db)?.staffID
                if let s = r.staffID { handlers.insert(s.uuidString) }
            }
            subject = c.number
        } else {
            guard
                let t = try await TicketModel.query(on: req.db).filter(\.$number == ticketNumber).filter(\.$day == day.description)
                    .filter(\.$centerID ~~ Array(scope.centers)).first()
            else { throw ValidationFailure([FieldError("ticketNumber", "rating.ticketNotFound")]) }
            guard t.state == TicketState.finished.rawValue else {
                throw ValidationFailure([FieldError("ticketNumber", "queue.notFinished")])
            }
            if t.rated { throw ValidationFailure([FieldError("ticketNumber", "queue.alreadyRated")]) }
            let hall = try await req.application.halls.config(for: t.centerID, on: req.db)
            r.centerID = t.centerID
            r.departmentID = VisitRating.responsibleDepartment(t, hall: hall)
            r.windowID = t.windowID
            r.staffID = t.staffID
            r.ticketID = t.id
            ticketID = t.id
            servedBy = t.staffID
            subject = t.number
        }
        let already =
            try await RatingModel.query(on: req.db).filter(\.$raterIdentity == identity).filter(\.$round == 1)
            .group(.or) { g in
                if let c = r.caseID { g.filter(\.$caseID == c) }
                if let t = r.ticketID { g.filter(\.$ticketID == t) }
            }.first() != nil
        let myPhone = me?.phone.flatMap { $0.isEmpty ? nil : $0 }
        if let why = RatingFraud.refusal(
            raterStaffID: me?.staffID?.uuidString ?? p.id.uuidString, servedBy: servedBy?.uuidString,
            handlers: handlers, alreadyRatedThisRound: already, callerIsOperator: myPhone == phone)
        {
            throw ValidationFailure([FieldError(caseNumber.isEmpty ? "ticketNumber" : "caseNumber", why)])
        }
        let today = HallClock.day(req.now)
        let millis = r.at
        let due =
            checked.level.isBad ? try await BadRatingService.dueDate(center: r.centerID, on: today, app: req.application, db: req.db) : nil
        let rating = r
        let number = subject
        let ticket = ticketID
        return try await req.audited(needs: ticket.map { HallNeeds(tickets: [$0]) }) { db -> (RatingModel, [AuditEvent]) in
            if let ticket {
                guard let t = try await HallRows.ticket(ticket, on: db) else { throw Abort(.notFound) }
                if t.rated { throw ValidationFailure([FieldError("ticketNumber", "queue.alreadyRated")]) }
                try await HallRows.insert(rating, on: db)
                t.rated = true
                try await HallRows.save(t, on: db)
            } else {
                try await rating.storeNew(on: db)
            }
            // The caller is not in the audit detail; the operator is the actor.
            var events = [
                AuditEvent(
                    "rating.create", "rating", id: rating.id, center: rating.centerID,
                    detail: [
                        (ticket == nil ? "case" : "ticket"): number, "level": String(rating.level ?? 0), "channel": rating.channel,
                    ])
            ]
            events += try await RatingFigures.recorded(rating, due: due, today: today, millis: millis, on: db)
            return (rating, events)
        }
    }
}
