import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Taking a ticket: numbering and the ticket a visitor is shown.
enum TicketIssue {
    /// Where a ticket came from.
    enum Source: String, Sendable { case kiosk, phone, appointment, transfer, staff, returned }

    /// A new waiting ticket (not yet saved).
    static func make(
        center: UUID, group: HallConfig.Group, day: String, sequence: Int, ticketClass: TicketClass, source: Source,
        at millis: Int64
    ) -> TicketModel {
        let t = TicketModel()
        t.id = UUID.timeOrdered()
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
        if req.principal == nil || req.principal?.role == .applicant { try req.application.issueLimiter.admit(req) }
        let now = req.now
        let today = HallClock.day(now)
        guard try await req.application.halls.isWorkingDay(today, center: hall.centerID, app: req.application, on: req.db) else {
            throw ValidationFailure([FieldError("group", "queue.closedToday")])
        }
        let millis = HallClock.millis(now)
        let center = hall.centerID
        let ticket = try await req.audited(needs: HallNeeds(counters: [.init(group: group.id, day: today.description)])) { db in
            let seq = try await HallRows.nextSequence(group: group.id, day: today.description, on: db)
            let t = make(
                center: center, group: group, day: today.description, sequence: seq, ticketClass: ticketClass, source: source,
                at: millis)
            try await HallRows.save(t, on: db)
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
    static func permittedClass(_ raw: String?, principal: Principal?, hall: HallConfig? = nil) throws -> TicketClass {
        guard let raw, !raw.isEmpty, raw != TicketClass.ordinary.rawValue else { return .ordinary }
        guard let c = TicketClass(rawValue: raw), c != .appointment else {
            throw ValidationFailure([FieldError("class", "invalidChoice")])
        }
        // 外地人员 only where the center admits them to the green channel.
        if c == .nonLocal, hall?.greenNonLocal != true { throw ValidationFailure([FieldError("class", "queue.nonLocalOff")]) }
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

    /// Waiting tickets of the same group that the calling rule would take first (a better class,
    /// or the same class queued earlier) and the group's open windows, in one statement; the mean
    /// service time comes from `HallStore`, refreshed every few seconds.
    ///
    /// Each count is a range of the (group, day, state, class, queued_at) index and reads no row:
    /// one condition with OR over the classes made SQLite read every waiting ticket of the group
    /// from the table (2.8 ms for 4,000 waiting, on every ticket issued — the cost of a lifecycle
    /// grew with the queue).
    static func of(_ t: TicketModel, hall: HallConfig, app: Application, on db: any Database) async throws -> Position? {
        guard let q = query(t, hall: hall) else { return nil }
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable {
            var ahead: Int
            var open: Int
        }
        guard let row = try await sql.raw(q).first(decoding: Row.self) else { return nil }
        let mean = try await app.halls.meanServiceSeconds(group: t.groupID, day: t.day, on: db)
        return Position(
            ahead: row.ahead,
            estimatedWaitSeconds: QueueMeasures.estimatedWaitSeconds(ahead: row.ahead, openWindows: row.open, meanServiceSeconds: mean))
    }

    /// The statement of `of`: `ahead` and `open`; nil for a ticket not waiting.
    static func query(_ t: TicketModel, hall: HallConfig) -> SQLQueryString? {
        guard t.state == TicketState.waiting.rawValue, let mine = TicketClass(rawValue: t.ticketClass) else { return nil }
        let better = TicketClass.allCases.filter { $0.rank < mine.rank }.map(\.rawValue)
        let windows = hall.windows(serving: t.groupID).map(\.id)
        let waiting = SQLQueryString("FROM tickets WHERE group_id = \(bind: t.groupID) AND day = \(bind: t.day) AND state = 'waiting'")
        let sameClass = SQLQueryString("\(waiting) AND class = \(bind: mine.rawValue)")
        // `+ 0`: compared bare, SQLite counts along the (group, day, sequence) key instead, every
        // ticket of the day numbered before this one.
        var q = SQLQueryString(
            """
            SELECT (SELECT COUNT(*) \(sameClass) AND queued_at < \(bind: t.queuedAt))
            + (SELECT COUNT(*) \(sameClass) AND queued_at = \(bind: t.queuedAt) AND sequence + 0 < \(bind: t.sequence))
            """)
        if !better.isEmpty { q.appendInterpolation(SQLQueryString(" + (SELECT COUNT(*) \(waiting) AND class IN (\(binds: better)))")) }
        q.appendLiteral(" AS ahead, ")
        if windows.isEmpty {
            q.appendLiteral("0 AS open")
        } else {
            q.appendLiteral("(SELECT COUNT(*) FROM window_states WHERE window_id IN (")
            q.appendInterpolation(binds: windows)
            q.appendLiteral(") AND user_id IS NOT NULL AND paused = ")
            q.appendInterpolation(bind: false)
            q.appendLiteral(") AS open")
        }
        return q
    }

    /// The mean service time of the group's last 20 finished tickets of a day.
    static func meanServiceSeconds(group: UUID, day: String, on db: any Database) async throws -> Double? {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable { var mean: Double? }
        let row = try await sql.raw(
            """
            SELECT AVG(CAST(finished_at - started_at AS DOUBLE PRECISION)) AS mean FROM (SELECT finished_at, started_at FROM tickets
            WHERE group_id = \(bind: group) AND day = \(bind: day) AND state = 'finished' AND started_at IS NOT NULL
            AND finished_at >= started_at ORDER BY finished_at DESC LIMIT 20) AS recent
            """
        ).first(decoding: Row.self)
        return row?.mean.map { $0 / 1000 }
    }
}
