import Fluent
import Foundation
import SQLKit
import Vapor

/// Tickets, seats and ratings on the hall's hot path, read and written with plain SQL.
///
/// Every click of a window reads a seat and a ticket and writes them back. Through Fluent each of
/// those costs a reflection of the model's two dozen properties (a profile of the hall-day
/// benchmark put a fifth of the server's CPU there); here the columns are named once and the rows
/// decode into plain structs. The models stay what the rest of OneStop reads; an instance made
/// here must be written back here, never with Fluent's `update`, which does not know it exists.
enum HallRows {
    static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        return sql
    }

    // MARK: tickets

    static let ticketColumns = """
        id, center_id, group_id, day, sequence, number, class, state, source, follow_token, issued_at, queued_at, called_at, \
        started_at, finished_at, window_id, staff_id, return_window_id, previous_id, appointment_id, skips, calls, rated
        """

    private struct TicketRow: Decodable {
        var id: UUID
        var center_id: UUID
        var group_id: UUID
        var day: String
        var sequence: Int
        var number: String
        var `class`: String
        var state: String
        var source: String
        var follow_token: String
        var issued_at: Int64
        var queued_at: Int64
        var called_at: Int64?
        var started_at: Int64?
        var finished_at: Int64?
        var window_id: UUID?
        var staff_id: UUID?
        var return_window_id: UUID?
        var previous_id: UUID?
        var appointment_id: UUID?
        var skips: Int
        var calls: Int
        var rated: Bool

        var model: TicketModel {
            let t = TicketModel()
            t.id = id
            t.centerID = center_id
            t.groupID = group_id
            t.day = day
            t.sequence = sequence
            t.number = number
            t.ticketClass = `class`
            t.state = state
            t.source = source
            t.followToken = follow_token
            t.issuedAt = issued_at
            t.queuedAt = queued_at
            t.calledAt = called_at
            t.startedAt = started_at
            t.finishedAt = finished_at
            t.windowID = window_id
            t.staffID = staff_id
            t.returnWindowID = return_window_id
            t.previousID = previous_id
            t.appointmentID = appointment_id
            t.skips = skips
            t.calls = calls
            t.rated = rated
            return t
        }
    }

    static func ticket(_ id: UUID, on db: any Database) async throws -> TicketModel? {
        try await sql(db).raw("SELECT \(unsafeRaw: ticketColumns) FROM tickets WHERE id = \(bind: id)")
            .first(decoding: TicketRow.self)?.model
    }

    static func insert(_ t: TicketModel, on db: any Database) async throws {
        try await sql(db).raw(
            """
            INSERT INTO tickets (\(unsafeRaw: ticketColumns)) VALUES (\(bind: t.id), \(bind: t.centerID), \(bind: t.groupID),
            \(bind: t.day), \(bind: t.sequence), \(bind: t.number), \(bind: t.ticketClass), \(bind: t.state), \(bind: t.source),
            \(bind: t.followToken), \(bind: t.issuedAt), \(bind: t.queuedAt), \(bind: t.calledAt), \(bind: t.startedAt),
            \(bind: t.finishedAt), \(bind: t.windowID), \(bind: t.staffID), \(bind: t.returnWindowID), \(bind: t.previousID),
            \(bind: t.appointmentID), \(bind: t.skips), \(bind: t.calls), \(bind: t.rated))
            """
        ).run()
    }

    /// Writes back everything a ticket's life changes (its identity, group, day and number never do).
    static func update(_ t: TicketModel, on db: any Database) async throws {
        try await sql(db).raw(
            """
            UPDATE tickets SET state = \(bind: t.state), follow_token = \(bind: t.followToken), queued_at = \(bind: t.queuedAt),
            called_at = \(bind: t.calledAt), started_at = \(bind: t.startedAt), finished_at = \(bind: t.finishedAt),
            window_id = \(bind: t.windowID), staff_id = \(bind: t.staffID), return_window_id = \(bind: t.returnWindowID),
            previous_id = \(bind: t.previousID), skips = \(bind: t.skips), calls = \(bind: t.calls), rated = \(bind: t.rated)
            WHERE id = \(bind: t.id)
            """
        ).run()
    }

    // MARK: seats

    private struct SeatRow: Decodable {
        var window_id: UUID
        var center_id: UUID
        var user_id: UUID?
        var staff_id: UUID?
        var paused: Bool
        var streak: Int
        var ticket_id: UUID?
        var changed_at: Int64
    }

    static func seat(_ windowID: UUID, on db: any Database) async throws -> WindowStateModel? {
        guard
            let r = try await sql(db).raw(
                """
                SELECT window_id, center_id, user_id, staff_id, paused, streak, ticket_id, changed_at FROM window_states
                WHERE window_id = \(bind: windowID)
                """
            ).first(decoding: SeatRow.self)
        else { return nil }
        let ws = WindowStateModel()
        ws.id = r.window_id
        ws.centerID = r.center_id
        ws.userID = r.user_id
        ws.staffID = r.staff_id
        ws.paused = r.paused
        ws.streak = r.streak
        ws.ticketID = r.ticket_id
        ws.changedAt = r.changed_at
        return ws
    }

    /// Writes back a seat read with `seat`.
    static func update(_ ws: WindowStateModel, on db: any Database) async throws {
        try await sql(db).raw(
            """
            UPDATE window_states SET user_id = \(bind: ws.userID), staff_id = \(bind: ws.staffID), paused = \(bind: ws.paused),
            streak = \(bind: ws.streak), ticket_id = \(bind: ws.ticketID), changed_at = \(bind: ws.changedAt)
            WHERE window_id = \(bind: ws.id)
            """
        ).run()
    }

    // MARK: ratings

    static func insert(_ r: RatingModel, on db: any Database) async throws {
        try await sql(db).raw(
            """
            INSERT INTO ratings (id, center_id, department_id, window_id, staff_id, item_id, case_id, ticket_id, channel,
            rater_kind, rater_identity, level, tags, text, at, round) VALUES (\(bind: r.id), \(bind: r.centerID),
            \(bind: r.departmentID), \(bind: r.windowID), \(bind: r.staffID), \(bind: r.itemID), \(bind: r.caseID),
            \(bind: r.ticketID), \(bind: r.channel), \(bind: r.raterKind), \(bind: r.raterIdentity), \(bind: r.level),
            \(bind: r.tags), \(bind: r.text), \(bind: r.at), \(bind: r.round))
            """
        ).run()
    }
}
