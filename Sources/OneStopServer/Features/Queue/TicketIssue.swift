import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Taking a ticket: numbering and the ticket a visitor is shown.
enum TicketIssue {
    /// Where a ticket came from.
    enum Source: String, Sendable { case kiosk, phone, appointment, transfer, staff, returned }

    /// The next number of a group's day. Runs inside the audited transaction, which every ticket
    /// write shares (SQLite's one writer, PostgreSQL's lock on the audit head), so the read and the
    /// increment cannot interleave; the unique (group, day, sequence) key would refuse it anyway.
    static func nextSequence(group: UUID, day: String, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable { var last: Int }
        if let row = try await sql.raw(
            "UPDATE ticket_counters SET last = last + 1 WHERE group_id = \(bind: group) AND day = \(bind: day) RETURNING last"
        ).first(decoding: Row.self) {
            return row.last
        }
        try await sql.insert(into: "ticket_counters").columns("group_id", "day", "last").values(
            SQLBind(group), SQLBind(day), SQLBind(1)
        ).run()
        return 1
    }

    /// A new waiting ticket (not yet saved).
    static func make(
        center: UUID, group: HallConfig.Group, day: String, sequence: Int, ticketClass: TicketClass, source: Source,
        at millis: Int64
    ) -> TicketModel {
        let t = TicketModel()
        t.id = UUID()
        t.centerID = center
        t.groupID = group.id
        t.day = day
        t.sequence = sequence
        t.number = TicketNumber.format(prefix: group.prefix, sequence: sequence)
        t.ticketClass = ticketClass.rawValue
        t.state = TicketState.waiting.rawValue
        t.source = source.rawValue
        t.followToken = Digest.randomToken(bytes: 12)
        t.issuedAt = millis
        t.queuedAt = millis
        t.skips = 0
        t.calls = 0
        t.rated = false
        return t
    }

    /// Issues a ticket for a group of a center today. The priority class is only for the hall's
    /// own staff and kiosks (the hall guide sets it); anyone else gets an ordinary ticket.
    static func issue(
        hall: HallConfig, groupID: UUID?, prefix: String?, ticketClass: TicketClass, source: Source, req: Request
    ) async throws -> TicketModel {
        let group = try activeGroup(hall, id: groupID, prefix: prefix)
        if req.principal == nil { try req.application.issueLimiter.admit(req) }
        let now = req.now
        let today = HallClock.day(now)
        guard try await req.application.halls.isWorkingDay(today, center: hall.centerID, app: req.application, on: req.db) else {
            throw ValidationFailure([FieldError("group", "queue.closedToday")])
        }
        let millis = HallClock.millis(now)
        let center = hall.centerID
        let ticket = try await req.audited { db in
            let seq = try await nextSequence(group: group.id, day: today.description, on: db)
            let t = make(
                center: center, group: group, day: today.description, sequence: seq, ticketClass: ticketClass, source: source,
                at: millis)
            try await t.create(on: db)
            return (
                t,
                [
                    AuditEvent(
                        "queue.issue", "ticket", id: t.id, center: center,
                        detail: ["number": t.number, "class": t.ticketClass, "source": source.rawValue])
                ]
            )
        }
        req.application.hub.publish(center: center, HallEvent(kind: .issued, group: group.id))
        return ticket
    }

    static func activeGroup(_ hall: HallConfig, id: UUID?, prefix: String?) throws -> HallConfig.Group {
        let g = id.flatMap(hall.group) ?? prefix.flatMap(hall.group(prefix:))
        guard let g, g.active else {
            throw ValidationFailure([FieldError("group", id == nil && prefix == nil ? "required" : "invalidReference")])
        }
        return g
    }

    /// The class a requester may give a ticket: staff and kiosks any, others ordinary only.
    static func permittedClass(_ raw: String?, principal: Principal?) throws -> TicketClass {
        guard let raw, !raw.isEmpty, raw != TicketClass.ordinary.rawValue else { return .ordinary }
        guard let c = TicketClass(rawValue: raw), c != .appointment else {
            throw ValidationFailure([FieldError("class", "invalidChoice")])
        }
        guard let p = principal, p.role == .kiosk || [.windowStaff, .chiefRepresentative, .centerAdmin].contains(p.role) else {
            throw ValidationFailure([FieldError("class", "queue.classForGuides")])
        }
        return c
    }
}

/// Where a ticket stands, as its holder sees it: people ahead and the expected wait.
enum TicketPosition {
    struct Position: Sendable {
        var ahead: Int
        var estimatedWaitSeconds: Int
    }

    /// Waiting tickets of the same group that the calling rule would take first: a better class,
    /// or the same class queued earlier.
    static func of(_ t: TicketModel, hall: HallConfig, on db: any Database) async throws -> Position? {
        guard t.state == TicketState.waiting.rawValue, let mine = TicketClass(rawValue: t.ticketClass) else { return nil }
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable {
            var cls: String
            var qat: Int64
            var sequence: Int
        }
        let rows = try await sql.raw(
            """
            SELECT class AS cls, queued_at AS qat, sequence FROM tickets
            WHERE center_id = \(bind: t.centerID) AND day = \(bind: t.day) AND state = 'waiting' AND group_id = \(bind: t.groupID)
            """
        ).all(decoding: Row.self)
        var ahead = 0
        for r in rows {
            guard let c = TicketClass(rawValue: r.cls) else { continue }
            if c.rank < mine.rank || (c == mine && (r.qat, r.sequence) < (t.queuedAt, t.sequence)) { ahead += 1 }
        }
        let open = try await openWindows(serving: t.groupID, hall: hall, on: db)
        let mean = try await meanServiceSeconds(group: t.groupID, day: t.day, on: db)
        return Position(
            ahead: ahead,
            estimatedWaitSeconds: QueueMeasures.estimatedWaitSeconds(ahead: ahead, openWindows: open, meanServiceSeconds: mean))
    }

    static func openWindows(serving group: UUID, hall: HallConfig, on db: any Database) async throws -> Int {
        let ids = hall.windows(serving: group).map(\.id)
        guard !ids.isEmpty else { return 0 }
        return try await WindowStateModel.query(on: db).filter(\.$id ~~ ids).filter(\.$userID != nil).filter(\.$paused == false)
            .count()
    }

    /// The mean service time of the group's last 20 finished tickets today.
    static func meanServiceSeconds(group: UUID, day: String, on db: any Database) async throws -> Double? {
        let done = try await TicketModel.query(on: db).filter(\.$groupID == group).filter(\.$day == day)
            .filter(\.$state == TicketState.finished.rawValue).sort(\.$finishedAt, .descending).limit(20).all()
        let times = done.compactMap { t -> Double? in
            guard let s = t.startedAt, let f = t.finishedAt, f >= s else { return nil }
            return Double(f - s) / 1000
        }
        return times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
    }
}
