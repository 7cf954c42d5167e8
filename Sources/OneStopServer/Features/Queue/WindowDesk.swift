import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// A clerk at a window: signing in and out, pausing. Everything a window does is checked against
/// who sits there, inside the same transaction as the change.
enum WindowDesk {
    static let access = Access.only(.windowStaff, .chiefRepresentative, .centerAdmin)

    /// The window as the principal may use it: in their scope.
    static func window(_ id: UUID, req: Request) async throws -> WindowModel {
        guard let w = try await WindowModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(w.centerID)
        return w
    }

    /// A window's action, checked by the seat alone: whoever holds the window's seat was in scope
    /// when they sat down (`signIn`), so the hot path reads no window or scope. When the seat is
    /// not theirs, the answer says why as before: no such window (404), outside the caller's
    /// scope (403), or not signed in there (422).
    static func atSeat<T: Sendable>(
        _ windowID: UUID, req: Request, needs: HallNeeds,
        _ body: @escaping @Sendable (any Database) async throws -> (T, [AuditEvent])
    ) async throws -> T {
        // The hall's set-up, fresh in the cache before the write: inside the transaction a cache
        // entry past its two seconds is read again by every action of the batch, one after the
        // other on the one writer, and not kept (it may not be committed). Outside, one read
        // refreshes it for all, on a reader connection.
        if let center = req.application.halls.cachedWindow(windowID)?.center {
            _ = try await req.application.halls.config(for: center, on: req.db)
        }
        do {
            return try await req.audited(needs: needs, body)
        } catch let f as ValidationFailure where f.errors.contains(where: { $0.code == "queue.notSignedIn" }) {
            _ = try await window(windowID, req: req)
            throw f
        }
    }

    /// The hall of the center a seat belongs to, and the window in it.
    static func hall(
        of ws: WindowStateModel, app: Application, on db: any Database
    ) async throws -> (
        HallConfig, HallConfig.Window
    ) {
        let hall = try await app.halls.config(for: ws.centerID, on: db)
        guard let hw = hall.window(try ws.requireID()) else { throw Abort(.notFound) }
        return (hall, hw)
    }

    /// Inside a transaction: the window's state, which must be held by `user`.
    static func seat(_ windowID: UUID, user: UUID, on db: any Database) async throws -> WindowStateModel {
        guard let ws = try await HallRows.seat(windowID, on: db), ws.userID == user else {
            throw ValidationFailure([FieldError("window", "queue.notSignedIn")])
        }
        return ws
    }

    static func event(_ kind: String, window: UUID, center: UUID, staff: UUID?, at millis: Int64, day: String) -> WindowEventModel {
        let e = WindowEventModel()
        e.windowID = window
        e.centerID = center
        e.staffID = staff
        e.day = day
        e.kind = kind
        e.at = millis
        return e
    }

    static func signIn(_ windowID: UUID, req: Request) async throws -> WindowStateModel {
        let p = try req.requirePrincipal()
        let w = try await window(windowID, req: req)
        let staffID = try await UserModel.find(p.id, on: req.db)?.staffID
        let millis = HallClock.millis(req.now)
        let day = HallClock.day(req.now).description
        let center = w.centerID
        let state = try await req.audited { db in
            var events: [AuditEvent] = []
            // Someone else's seat is theirs until they leave it; a clerk moving windows leaves the old one.
            if let ws = try await WindowStateModel.find(windowID, on: db), let holder = ws.userID, holder != p.id {
                throw ValidationFailure([FieldError("window", "queue.windowTaken")])
            }
            for other in try await WindowStateModel.query(on: db).filter(\.$userID == p.id).all() where other.id != windowID {
                if other.ticketID != nil { throw ValidationFailure([FieldError("window", "queue.windowBusy")]) }
                other.userID = nil
                other.staffID = nil
                other.paused = false
                other.changedAt = millis
                try await other.update(on: db)
                try await event("signout", window: other.id!, center: other.centerID, staff: staffID, at: millis, day: day).create(on: db)
                events.append(AuditEvent("queue.signOut", "window", id: other.id, center: other.centerID))
            }
            let ws = try await WindowStateModel.find(windowID, on: db) ?? WindowStateModel()
            let isNew = ws.id == nil
            ws.id = windowID
            ws.centerID = center
            ws.userID = p.id
            ws.staffID = staffID
            ws.paused = false
            if isNew {
                ws.streak = 0
                ws.ticketID = nil
            }
            ws.changedAt = millis
            if isNew { try await ws.create(on: db) } else { try await ws.update(on: db) }
            try await event("signin", window: windowID, center: center, staff: staffID, at: millis, day: day).create(on: db)
            events.append(AuditEvent("queue.signIn", "window", id: windowID, center: center))
            return (ws, events)
        }
        req.application.hub.publish(center: center, HallEvent(kind: .window, windowID: windowID))
        return state
    }

    static func signOut(_ windowID: UUID, req: Request) async throws {
        let p = try req.requirePrincipal()
        let w = try await window(windowID, req: req)
        let millis = HallClock.millis(req.now)
        let day = HallClock.day(req.now).description
        let center = w.centerID
        try await req.audited { db in
            let ws = try await seat(windowID, user: p.id, on: db)
            if ws.ticketID != nil { throw ValidationFailure([FieldError("window", "queue.windowBusy")]) }
            let staff = ws.staffID
            ws.userID = nil
            ws.staffID = nil
            ws.paused = false
            ws.changedAt = millis
            try await HallRows.save(ws, on: db)
            try await event("signout", window: windowID, center: center, staff: staff, at: millis, day: day).create(on: db)
            return ((), [AuditEvent("queue.signOut", "window", id: windowID, center: center)])
        }
        req.application.hub.publish(center: center, HallEvent(kind: .window, windowID: windowID))
    }

    /// 暂停 and 恢复: a paused window calls no one and counts as not open for estimates.
    static func setPaused(_ windowID: UUID, paused: Bool, req: Request) async throws {
        let p = try req.requirePrincipal()
        let w = try await window(windowID, req: req)
        let millis = HallClock.millis(req.now)
        let day = HallClock.day(req.now).description
        let center = w.centerID
        try await req.audited { db in
            let ws = try await seat(windowID, user: p.id, on: db)
            guard ws.paused != paused else { return ((), []) }
            if paused, ws.ticketID != nil { throw ValidationFailure([FieldError("window", "queue.windowBusy")]) }
            ws.paused = paused
            ws.changedAt = millis
            try await HallRows.save(ws, on: db)
            try await event(paused ? "pause" : "resume", window: windowID, center: center, staff: ws.staffID, at: millis, day: day)
                .create(on: db)
            return ((), [AuditEvent(paused ? "queue.pause" : "queue.resumeWindow", "window", id: windowID, center: center)])
        }
        req.application.hub.publish(center: center, HallEvent(kind: .window, windowID: windowID))
    }
}
