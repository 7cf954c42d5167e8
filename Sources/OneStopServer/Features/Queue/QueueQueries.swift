import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The live state of a hall, as the board, the kiosk, the console and the managers see it.
enum QueueQueries {
    static func status(hall: HallConfig, req: Request) async throws -> QueueStatusDTO {
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let now = req.now
        let nowMillis = HallClock.millis(now)
        let today = HallClock.day(now)
        let day = today.description
        let open = try await req.application.halls.isWorkingDay(today, center: hall.centerID, app: req.application, on: req.db)
        struct CountRow: Decodable {
            var gid: UUID
            var state: String
            var n: Int
            var oldest: Int64?
            var skipped: Int?
        }
        let counts = try await sql.raw(
            """
            SELECT group_id AS gid, state, COUNT(*) AS n, MIN(queued_at) AS oldest, CAST(SUM(skips) AS BIGINT) AS skipped FROM tickets
            WHERE center_id = \(bind: hall.centerID) AND day = \(bind: day) GROUP BY group_id, state
            """
        ).all(decoding: CountRow.self)
        let seats = try await WindowStateModel.query(on: req.db).filter(\.$centerID == hall.centerID).all()
        let seatByWindow = Dictionary(seats.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let currentIDs = seats.compactMap(\.ticketID)
        let current = currentIDs.isEmpty ? [] : try await TicketModel.query(on: req.db).filter(\.$id ~~ currentIDs).all()
        let currentByID = Dictionary(current.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let calls = try await TicketModel.query(on: req.db).filter(\.$centerID == hall.centerID).filter(\.$day == day)
            .filter(\.$calledAt != nil).filter(\.$windowID != nil).sort(\.$calledAt, .descending).limit(8).all()

        var waiting = 0
        var serving = 0
        var noShows = 0
        var longest = 0
        var groups: [QueueStatusDTO.Group] = []
        for g in hall.groups where g.active {
            let rows = counts.filter { $0.gid == g.id }
            let w = rows.filter { $0.state == TicketState.waiting.rawValue }.reduce(0) { $0 + $1.n }
            let s = rows.filter { ["called", "serving", "parked"].contains($0.state) }.reduce(0) { $0 + $1.n }
            let oldest = rows.first { $0.state == TicketState.waiting.rawValue }?.oldest
            let wait = oldest.map { Int(max(0, nowMillis - $0) / 1000) } ?? 0
            let openWindows = hall.windows(serving: g.id).filter { w in
                seatByWindow[w.id].map { $0.userID != nil && !$0.paused } ?? false
            }.count
            groups.append(
                .init(
                    id: g.id, prefix: g.prefix, name: g.name, waiting: w, serving: s, openWindows: openWindows, longestWaitSeconds: wait,
                    takesAppointments: g.plan.capacity > 0))
            waiting += w
            serving += s
            longest = max(longest, wait)
        }
        noShows = counts.reduce(0) { $0 + ($1.skipped ?? 0) }
        let windows = hall.windows.filter { !$0.groups.isEmpty || seatByWindow[$0.id]?.userID != nil }.map { w in
            let seat = seatByWindow[w.id]
            let t = seat?.ticketID.flatMap { currentByID[$0] }
            return QueueStatusDTO.Window(
                id: w.id, number: w.number, name: w.name, open: seat?.userID != nil, paused: seat?.paused ?? false, current: t?.number,
                currentState: t?.state)
        }
        let lastCalls = calls.compactMap { t -> QueueStatusDTO.Call? in
            guard let wid = t.windowID, let w = hall.window(wid), let at = t.calledAt else { return nil }
            return .init(
                number: t.number, window: w.number, windowName: w.name, at: Date(timeIntervalSince1970: Double(at) / 1000),
                callID: "\(t.id!.uuidString.lowercased()):\(t.calls)")
        }
        return QueueStatusDTO(
            centerCode: hall.centerCode, centerName: hall.centerName, openToday: open, notice: hall.notice, groups: groups,
            windows: windows, lastCalls: lastCalls, waiting: waiting, serving: serving, noShowsToday: noShows,
            longestWaitSeconds: longest, ratingTimeout: hall.ratingTimeout, waitTargetMinutes: hall.waitTargetMinutes,
            alerts: HallAlert.check(
                groups.map {
                    .init(prefix: $0.prefix, waiting: $0.waiting, openWindows: $0.openWindows, longestWaitSeconds: $0.longestWaitSeconds)
                },
                targetMinutes: hall.waitTargetMinutes, hallOpen: open
            ).map {
                switch $0 {
                case .noOpenWindow(let g, let n): .init(kind: "noOpenWindow", group: g, waiting: n)
                case .overTarget(let g, let s, _): .init(kind: "overTarget", group: g, waitedSeconds: s)
                }
            })
    }

    /// The window as its console shows it.
    static func windowState(_ windowID: UUID, hall: HallConfig, req: Request) async throws -> WindowStateDTO {
        guard let w = hall.window(windowID) else { throw Abort(.notFound) }
        let seat = try await WindowStateModel.find(windowID, on: req.db)
        var current: TicketDTO?
        if let id = seat?.ticketID, let t = try await TicketModel.find(id, on: req.db) {
            current = TicketDTO(t, hall: hall, showToken: false)
        }
        var staffName: String?
        if let s = seat?.staffID { staffName = try await StaffModel.find(s, on: req.db)?.name }
        return WindowStateDTO(
            windowID: windowID, number: w.number, name: w.name, signedIn: seat?.userID != nil, staffName: staffName,
            paused: seat?.paused ?? false, current: current, groups: w.groups.compactMap { hall.group($0)?.prefix })
    }

    /// Tickets a window has parked, and those it could call out of order (waiting in the center today).
    static func parked(window: UUID, day: String, on db: any Database) async throws -> [TicketModel] {
        try await TicketModel.query(on: db).filter(\.$windowID == window).filter(\.$day == day)
            .filter(\.$state == TicketState.parked.rawValue).sort(\.$queuedAt).all()
    }

    static func waitingList(center: UUID, day: String, limit: Int, on db: any Database) async throws -> [TicketModel] {
        try await TicketModel.query(on: db).filter(\.$centerID == center).filter(\.$day == day)
            .filter(\.$state == TicketState.waiting.rawValue).sort(\.$queuedAt).sort(\.$sequence).limit(limit).all()
    }
}
