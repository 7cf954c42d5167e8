import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 预约取号: booking a slot of a group, cancelling it, and checking in at the hall.
enum AppointmentService {
    struct BookInput: Content {
        var center: String?
        var group: String?
        var date: String?
        var slot: String?
        var name: String?
        var idNumber: String?
        var phone: String?
    }

    struct SlotInfo: Content {
        var start: String
        var end: String
        var capacity: Int
        var booked: Int
        var available: Bool
        /// Begun already (today).
        var past: Bool
        /// Extended hours (延时服务), outside office hours.
        var extended: Bool
    }

    /// The slots of a group on a day with what is left of each.
    static func slots(hall: HallConfig, group: HallConfig.Group, date: CivilDate, req: Request) async throws -> (open: Bool, [SlotInfo]) {
        let kind = try await req.application.halls.dayKind(date, center: hall.centerID, app: req.application, on: req.db)
        let today = HallClock.day(req.now)
        let nowMinute = HallClock.minuteOfDay(req.now)
        let inRange = date >= today && date.dayNumber <= today.dayNumber + group.plan.daysAhead
        let slots = group.plan.slots(on: kind)
        guard !slots.isEmpty, inRange, group.plan.capacity > 0 else { return (false, []) }
        let counts = try await bookedCounts(group: group.id, day: date.description, on: req.db)
        return (
            true,
            slots.map { s in
                let n = counts[s.start] ?? 0
                let past = date == today && s.start <= nowMinute
                return SlotInfo(
                    start: SlotPlan.clock(s.start), end: SlotPlan.clock(s.end), capacity: group.plan.capacity,
                    booked: n, available: !past && n < group.plan.capacity, past: past, extended: s.extended)
            }
        )
    }

    static func bookedCounts(group: UUID, day: String, on db: any Database) async throws -> [Int: Int] {
        let rows = try await AppointmentModel.query(on: db).filter(\.$groupID == group).filter(\.$day == day)
            .filter(\.$state ~~ ["booked", "checked_in"]).all()
        var out: [Int: Int] = [:]
        for r in rows { out[r.slotStart, default: 0] += 1 }
        return out
    }

    /// The person's key: a keyed hash of the ID number, so bookings can be matched without
    /// keeping the number.
    /// The blind index of a visitor's ID number (a keyed hash: an ID number cannot be found from it).
    static func personKey(_ id: String) -> String { PersonalData.index(id, "appointments.person") }

    static func book(hall: HallConfig, input: BookInput, req: Request) async throws -> AppointmentModel {
        var v = Validator()
        let name = v.text("name", input.name, max: 40)
        let id = v.residentID("idNumber", input.idNumber, required: true)
        let phone = v.phone("phone", input.phone, required: true)
        let date = CivilDate(input.date ?? "")
        if date == nil { v.add("date", "date") }
        let group = input.group.flatMap { UUID(uuidString: $0) }.flatMap(hall.group) ?? input.group.flatMap(hall.group(prefix:))
        if group == nil || group?.active == false { v.add("group", input.group == nil ? "required" : "invalidReference") }
        guard v.isValid, let date, let group, let id, let phone else { throw ValidationFailure(v.errors) }
        let kind = try await req.application.halls.dayKind(date, center: hall.centerID, app: req.application, on: req.db)
        let slot = group.plan.slot(startingAt: input.slot ?? "", on: kind)
        let today = HallClock.day(req.now)
        let nowMinute = HallClock.minuteOfDay(req.now)
        let key = personKey(id)
        let millis = HallClock.millis(req.now)
        let center = hall.centerID
        return try await req.audited { db -> (AppointmentModel, [AuditEvent]) in
            let counts = try await bookedCounts(group: group.id, day: date.description, on: db)
            let mine = try await AppointmentModel.query(on: db).filter(\.$groupID == group.id).filter(\.$day == date.description)
                .filter(\.$personKey == key).filter(\.$state ~~ ["booked", "checked_in"]).count()
            if let problem = BookingRule.problem(
                plan: group.plan, date: date, today: today, nowMinute: nowMinute, kind: kind, slot: slot,
                booked: slot.map { counts[$0.start] ?? 0 } ?? 0, personHasBooking: mine > 0)
            {
                throw ValidationFailure([problem])
            }
            let a = AppointmentModel()
            a.id = UUID.timeOrdered()
            a.centerID = center
            a.groupID = group.id
            a.day = date.description
            a.slotStart = slot!.start
            a.slotEnd = slot!.end
            a.personKey = key
            a.name = name
            a.idMasked = ResidentID.masked(id)
            a.phone = phone
            a.code = try await freshCode(on: db)
            a.state = "booked"
            a.createdAt = millis
            a.extended = slot!.extended
            try await a.create(on: db)
            var detail = ["group": group.prefix, "day": a.day]
            if a.extended { detail["extended"] = "true" }
            return (a, [AuditEvent("appointment.book", "appointment", id: a.id, center: center, detail: detail)])
        }
    }

    /// An eight-digit booking code, unused so far.
    static func freshCode(on db: any Database) async throws -> String {
        for _ in 0..<20 {
            let code = String(format: "%08d", Int.random(in: 0..<100_000_000))
            if try await AppointmentModel.query(on: db).filter(\.$code == code).count() == 0 { return code }
        }
        throw Abort(.internalServerError)
    }

    /// Cancelling needs the code and the ID number it was booked with.
    static func cancel(code: String, idNumber: String?, req: Request) async throws -> AppointmentModel {
        let key = personKey((idNumber ?? "").trimmingCharacters(in: .whitespaces))
        return try await req.audited { db -> (AppointmentModel, [AuditEvent]) in
            guard let a = try await AppointmentModel.query(on: db).filter(\.$code == code).first(), a.personKey == key else {
                throw ValidationFailure([FieldError("code", "queue.noSuchBooking")])
            }
            guard a.state == "booked" else { throw ValidationFailure([FieldError("code", "queue.bookingNotOpen")]) }
            a.state = "cancelled"
            try await a.update(on: db)
            return (a, [AuditEvent("appointment.cancel", "appointment", id: a.id, center: a.centerID)])
        }
    }

    /// 签到: on time → an appointment-class ticket; late → an ordinary one; too early → refused.
    /// Missed slots of earlier days are counted as no-shows when the day is looked at.
    static func checkIn(code: String, hall: HallConfig, req: Request) async throws -> (AppointmentModel, TicketModel) {
        let now = req.now
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        // Out of office days only a booking of the weekend's extended hours checks in.
        let working = try await req.application.halls.isWorkingDay(today, center: hall.centerID, app: req.application, on: req.db)
        let center = hall.centerID
        let policy = hall.policy
        let result = try await req.audited { db -> ((AppointmentModel, TicketModel), [AuditEvent]) in
            guard let a = try await AppointmentModel.query(on: db).filter(\.$code == code).first(), a.centerID == center else {
                throw ValidationFailure([FieldError("code", "queue.noSuchBooking")])
            }
            guard working || a.extended else { throw ValidationFailure([FieldError("code", "queue.closedToday")]) }
            guard a.state == "booked" else { throw ValidationFailure([FieldError("code", "queue.bookingNotOpen")]) }
            guard a.day == today.description else { throw ValidationFailure([FieldError("code", "queue.notToday")]) }
            guard let group = hall.group(a.groupID), group.active else {
                throw ValidationFailure([FieldError("group", "invalidReference")])
            }
            let slotStart = Int64(HallClock.instant(today, minute: a.slotStart).timeIntervalSince1970)
            guard let cls = policy.checkInClass(now: millis / 1000, slotStart: slotStart) else {
                throw ValidationFailure([FieldError("code", "queue.tooEarly")])
            }
            let seq = try await HallRows.nextSequence(group: group.id, day: today.description, on: db)
            let t = TicketIssue.make(
                center: center, group: group, day: today.description, sequence: seq, ticketClass: cls, source: .appointment, at: millis)
            t.appointmentID = a.id
            try await t.create(on: db)
            a.state = "checked_in"
            a.ticketID = t.id
            try await a.update(on: db)
            return (
                (a, t),
                [
                    AuditEvent("appointment.checkIn", "appointment", id: a.id, center: center, detail: ["class": cls.rawValue]),
                    AuditEvent(
                        "queue.issue", "ticket", id: t.id, center: center,
                        detail: ["number": t.number, "class": cls.rawValue, "source": "appointment"]),
                ]
            )
        }
        req.application.hub.publish(center: center, HallEvent(kind: .issued, group: result.1.groupID))
        return result
    }
}
