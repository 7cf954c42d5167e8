import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// What a window does to tickets. Each action is one audited transaction that reads the window's
/// seat and the ticket, asks Core whether the move is allowed, and writes it; every ticket write
/// goes through that one serialised path, so two windows can never both take a ticket.
enum TicketActions {
    struct Result: Sendable {
        var ticket: TicketModel?
        /// A ticket the action created: the one a transfer or a return made.
        var created: TicketModel?
    }

    // MARK: call next

    static func callNext(window windowID: UUID, req: Request) async throws -> TicketModel? {
        let p = try req.requirePrincipal()
        let app = req.application
        let now = req.now
        let millis = HallClock.millis(now)
        let day = HallClock.day(now).description
        var needs = HallNeeds(seats: [windowID])
        if let w = app.halls.cachedWindow(windowID) {
            needs.queue = .init(center: w.center, day: day, window: windowID, groups: w.groups)
        }
        let (ticket, hall, hw) = try await WindowDesk.atSeat(windowID, req: req, needs: needs) {
            db -> (Called, [AuditEvent]) in
            let ws = try await WindowDesk.seat(windowID, user: p.id, on: db)
            let (hall, hw) = try await WindowDesk.hall(of: ws, app: app, on: db)
            if ws.paused { throw ValidationFailure([FieldError("window", "queue.windowPaused")]) }
            if ws.ticketID != nil { throw ValidationFailure([FieldError("window", "queue.windowBusy")]) }
            let groups = hw.groups.filter { hall.group($0)?.active ?? false }
            guard
                let choice = try await choose(
                    hall: hall, window: windowID, groups: groups, streak: ws.streak, day: day, now: millis, on: db),
                let t = try await HallRows.ticket(choice.id, on: db)
            else { return ((nil, hall, hw), []) }
            markCalled(t, window: windowID, staff: ws.staffID, at: millis)
            try await HallRows.save(t, on: db)
            ws.ticketID = t.id
            ws.streak = choice.streak
            ws.changedAt = millis
            try await HallRows.save(ws, on: db)
            return (
                (t, hall, hw),
                [
                    AuditEvent(
                        "queue.call", "ticket", id: t.id, center: t.centerID, detail: ["number": t.number, "window": String(hw.number)])
                ]
            )
        }
        if let t = ticket { announce(t, kind: .called, hall: hall, window: hw, req: req) }
        return ticket
    }

    typealias Called = (TicketModel?, HallConfig, HallConfig.Window)

    struct Pick {
        var id: UUID
        var streak: Int
    }

    /// A head of the queue as the calling rule's query returns it: the whole ticket, and whether it
    /// was sent back to this window.
    private struct Head {
        var pinned: Int
        var ticket: HallRows.Ticket

        init(row: any SQLRow, text: Bool) throws {
            pinned = try row.decode(column: "pinned", as: Int.self)
            ticket = try HallRows.Ticket(row: row, text: text)
        }
    }

    /// The calling rule over the head of each class (FIFO within a class makes the head the only
    /// candidate of its class). A ticket sent back to this window (a return after a transfer) goes
    /// first. Inside a batch the heads come from what the batch read for all its calls, else from
    /// the database.
    static func choose(
        hall: HallConfig, window: UUID, groups: [UUID], streak: Int, day: String, now: Int64, on db: any Database
    ) async throws -> Pick? {
        guard !groups.isEmpty else { return nil }
        let batch = HallBatch.current
        let found: (pinned: HallRows.Ticket?, heads: [HallRows.Ticket])
        if let read = batch?.heads(center: hall.centerID, day: day, window: window, groups: groups) {
            found = read
        } else {
            found = try await heads(hall: hall, window: window, groups: groups, day: day, on: db)
        }
        let pick: Pick?
        if let pinned = found.pinned {
            pick = Pick(id: pinned.id, streak: streak)
        } else {
            let waiting = found.heads.compactMap { t -> WaitingTicket? in
                guard let c = TicketClass(rawValue: t.ticketClass) else { return nil }
                return WaitingTicket(
                    id: t.id.text, group: t.groupID.text, ticketClass: c, queuedAt: t.queuedAt / 1000, sequence: t.sequence)
            }
            pick = CallingRule.next(
                from: waiting, groups: Set(groups.map(\.text)), policy: hall.policy, streak: streak, now: now / 1000
            ).flatMap { c in UUID(text: c.ticket.id).map { Pick(id: $0, streak: c.streak) } }
        }
        // The batch keeps the row it was read as, so the call needs no second read.
        if let pick, let batch, let row = ([found.pinned].compactMap { $0 } + found.heads).first(where: { $0.id == pick.id }) {
            batch.loaded(row)
        }
        return pick
    }

    /// The heads from the database. Inside a batch, tickets that earlier actions of the batch took
    /// out of the queue still wait there: each class reads past that many, and they are skipped.
    /// The ticket sent back to the window is found by the (window, state) index (see `HallRows.queueHeads`).
    private static func heads(
        hall: HallConfig, window: UUID, groups: [UUID], day: String, on db: any Database
    ) async throws -> (pinned: HallRows.Ticket?, heads: [HallRows.Ticket]) {
        let taken = Set(HallBatch.current?.takenFromQueue ?? [])
        let limit = 1 + taken.count
        let center = hall.centerID
        var q = SQLQueryString(
            """
            SELECT * FROM (SELECT \(unsafeRaw: HallRows.ticketColumns), 1 AS pinned FROM tickets
            WHERE window_id = \(bind: window) AND state = 'waiting' AND day = \(bind: day)
            ORDER BY queued_at, sequence LIMIT \(unsafeRaw: String(limit))) AS pinned_head
            """)
        for c in TicketClass.allCases {
            q.appendLiteral(" UNION ALL SELECT * FROM (SELECT \(HallRows.ticketColumns), 0 AS pinned FROM tickets WHERE center_id = ")
            q.appendInterpolation(bind: center)
            q.appendLiteral(" AND day = ")
            q.appendInterpolation(bind: day)
            q.appendLiteral(" AND state = 'waiting' AND class = ")
            q.appendInterpolation(bind: c.rawValue)
            q.appendLiteral(" AND window_id IS NULL AND group_id IN (")
            q.appendInterpolation(binds: groups)
            q.appendLiteral(") ORDER BY queued_at, sequence LIMIT \(limit)) AS head_\(c.rawValue)")
        }
        let sql = try HallRows.sql(db)
        let text = sql.textIDs
        let rows = try await sql.raw(q).all().map { try Head(row: $0, text: text) }.filter { !taken.contains($0.ticket.id) }
        // Only the first of each class (and of the pinned) is a head.
        var seen: Set<String> = []
        let heads = rows.filter { seen.insert($0.pinned == 1 ? "pinned" : $0.ticket.ticketClass).inserted }
        return (heads.first { $0.pinned == 1 }?.ticket, heads.filter { $0.pinned == 0 }.map(\.ticket))
    }

    static func markCalled(_ t: TicketModel, window: UUID, staff: UUID?, at millis: Int64) {
        t.state = TicketState.called.rawValue
        t.windowID = window
        t.staffID = staff
        t.calledAt = millis
        t.calls += 1
    }

    // MARK: actions on one ticket

    /// Recall, skip, start, park, resume, finish — and `call` for a ticket called out of order.
    static func act(
        _ action: TicketAction, ticket ticketID: UUID, window windowID: UUID, req: Request
    ) async throws -> Result {
        precondition(action != .transfer)
        let p = try req.requirePrincipal()
        let app = req.application
        let millis = HallClock.millis(req.now)
        let day = HallClock.day(req.now).description
        let needs = HallNeeds(seats: [windowID], tickets: [ticketID])
        let (result, hall, hw) = try await WindowDesk.atSeat(windowID, req: req, needs: needs) {
            db -> ((Result, HallConfig, HallConfig.Window), [AuditEvent]) in
            let ws = try await WindowDesk.seat(windowID, user: p.id, on: db)
            let (hall, hw) = try await WindowDesk.hall(of: ws, app: app, on: db)
            guard let t = try await HallRows.ticket(ticketID, on: db), t.centerID == ws.centerID else { throw Abort(.notFound) }
            let state = TicketState(rawValue: t.state) ?? .expired
            if action != .call, state != .waiting, t.windowID != windowID {
                throw ValidationFailure([FieldError("ticket", "queue.notAtThisWindow")])
            }
            if action == .call || action == .resume, ws.ticketID != nil {
                throw ValidationFailure([FieldError("window", "queue.windowBusy")])
            }
            if action == .call, ws.paused { throw ValidationFailure([FieldError("window", "queue.windowPaused")]) }
            if action == .call, t.day != day { throw ValidationFailure([FieldError("ticket", "queue.ticketClosed")]) }
            switch TicketLifecycle.apply(action, to: state, skips: t.skips, policy: hall.policy) {
            case .refused(let code): throw ValidationFailure([FieldError("ticket", code)])
            case .moved(let next):
                var created: TicketModel?
                switch action {
                case .call: markCalled(t, window: windowID, staff: ws.staffID, at: millis)
                case .recall: t.calls += 1
                case .skip:
                    t.skips += 1
                    if next == .expired {
                        t.finishedAt = millis
                    } else {
                        // Back into the queue behind those of its class already waiting.
                        t.queuedAt = millis
                        t.windowID = nil
                        t.staffID = nil
                    }
                case .start: t.startedAt = millis
                case .park: break
                case .resume: break
                case .finish:
                    t.finishedAt = millis
                    if let back = t.returnWindowID { created = try await sendBack(t, to: back, hall: hall, day: day, at: millis, on: db) }
                case .transfer: break
                }
                t.state = next.rawValue
                try await HallRows.save(t, on: db)
                let holds = next == .called || next == .serving
                let newSeat: UUID? = holds ? t.id : (ws.ticketID == t.id ? nil : ws.ticketID)
                if ws.ticketID != newSeat {
                    ws.ticketID = newSeat
                    ws.changedAt = millis
                    try await HallRows.save(ws, on: db)
                }
                var events = [
                    AuditEvent(
                        "queue.\(action.rawValue)", "ticket", id: t.id, center: t.centerID,
                        detail: ["number": t.number, "window": String(hw.number), "state": next.rawValue])
                ]
                if let c = created {
                    events.append(AuditEvent("queue.return", "ticket", id: c.id, center: c.centerID, detail: ["number": c.number]))
                }
                return ((Result(ticket: t, created: created), hall, hw), events)
            }
        }
        if let t = result.ticket {
            switch action {
            case .call: announce(t, kind: .called, hall: hall, window: hw, req: req)
            case .recall: announce(t, kind: .recalled, hall: hall, window: hw, req: req)
            default: req.application.hub.publish(center: t.centerID, HallEvent(kind: .changed, group: t.groupID, windowID: windowID))
            }
        }
        return result
    }

    /// A visit transferred "and back" returns to the window it came from when the other group is done.
    static func sendBack(
        _ t: TicketModel, to window: UUID, hall: HallConfig, day: String, at millis: Int64, on db: any Database
    )
        async throws -> TicketModel?
    {
        guard let prevID = t.previousID, let prev = try await HallRows.ticket(prevID, on: db), let group = hall.group(prev.groupID)
        else { return nil }
        let seq = try await HallRows.nextSequence(group: group.id, day: day, on: db)
        let back = TicketIssue.make(
            center: t.centerID, group: group, day: day, sequence: seq, ticketClass: TicketClass(rawValue: prev.ticketClass) ?? .ordinary,
            source: .returned, at: millis)
        back.windowID = window
        back.previousID = t.id
        back.followToken = t.followToken
        t.followToken = Digest.randomToken(bytes: 12)
        try await HallRows.save(t, on: db)
        try await HallRows.save(back, on: db)
        return back
    }

    // MARK: transfer

    static func transfer(
        ticket ticketID: UUID, window windowID: UUID, to groupID: UUID, returnHere: Bool, req: Request
    ) async throws -> Result {
        let p = try req.requirePrincipal()
        let app = req.application
        let millis = HallClock.millis(req.now)
        let day = HallClock.day(req.now).description
        let needs = HallNeeds(seats: [windowID], tickets: [ticketID], counters: [.init(group: groupID, day: day)])
        let result = try await WindowDesk.atSeat(windowID, req: req, needs: needs) { db -> (Result, [AuditEvent]) in
            let ws = try await WindowDesk.seat(windowID, user: p.id, on: db)
            let (hall, hw) = try await WindowDesk.hall(of: ws, app: app, on: db)
            guard let target = hall.group(groupID), target.active else {
                throw ValidationFailure([FieldError("group", "invalidReference")])
            }
            guard let t = try await HallRows.ticket(ticketID, on: db), t.centerID == ws.centerID else { throw Abort(.notFound) }
            if t.windowID != windowID { throw ValidationFailure([FieldError("ticket", "queue.notAtThisWindow")]) }
            if t.groupID == groupID { throw ValidationFailure([FieldError("group", "queue.sameGroup")]) }
            let state = TicketState(rawValue: t.state) ?? .expired
            if case .refused(let code) = TicketLifecycle.apply(.transfer, to: state, skips: t.skips, policy: hall.policy) {
                throw ValidationFailure([FieldError("ticket", code)])
            }
            let seq = try await HallRows.nextSequence(group: groupID, day: day, on: db)
            // The visit keeps its place in time: it has waited already.
            let next = TicketIssue.make(
                center: t.centerID, group: target, day: day, sequence: seq, ticketClass: TicketClass(rawValue: t.ticketClass) ?? .ordinary,
                source: .transfer, at: millis)
            next.queuedAt = t.queuedAt
            next.previousID = t.id
            next.returnWindowID = returnHere ? windowID : nil
            next.followToken = t.followToken
            t.followToken = Digest.randomToken(bytes: 12)
            t.state = TicketState.transferred.rawValue
            t.finishedAt = millis
            try await HallRows.save(t, on: db)
            try await HallRows.save(next, on: db)
            if ws.ticketID == t.id {
                ws.ticketID = nil
                ws.changedAt = millis
                try await HallRows.save(ws, on: db)
            }
            return (
                Result(ticket: t, created: next),
                [
                    AuditEvent(
                        "queue.transfer", "ticket", id: t.id, center: t.centerID,
                        detail: ["number": t.number, "to": next.number, "window": String(hw.number), "returnHere": String(returnHere)])
                ]
            )
        }
        if let t = result.ticket {
            req.application.hub.publish(center: t.centerID, HallEvent(kind: .changed, group: groupID, windowID: windowID))
        }
        return result
    }

    static func announce(_ t: TicketModel, kind: HallEvent.Kind, hall: HallConfig, window: HallConfig.Window, req: Request) {
        req.application.hub.publish(
            center: t.centerID,
            HallEvent(
                kind: kind, group: t.groupID, number: t.number, window: window.number, windowID: window.id,
                text: hall.announcement(number: t.number, window: window), callID: "\(t.id!.uuidString.lowercased()):\(t.calls)"))
    }
}
