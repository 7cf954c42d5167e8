import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Tickets, seats, ticket counters and ratings on the hall's hot path, read and written with plain
/// SQL — and, inside a group commit, through the batch's `HallBatch`.
///
/// Every click of a window reads a seat and a ticket and writes them back. Through Fluent each of
/// those costs a reflection of the model's two dozen properties (a profile of the hall-day
/// benchmark put a fifth of the server's CPU there); here the columns are named once and the rows
/// decode into plain structs. The models stay what the rest of OneStop reads; an instance made
/// here must be written back here, never with Fluent's `update`, which does not know it exists.
enum HallRows {
    static func sql(_ db: any Database) throws -> any SQLDatabase { try SQLRows.sql(db) }

    // MARK: tickets

    static let ticketColumns = """
        id, center_id, group_id, day, sequence, number, class, state, source, follow_token, issued_at, queued_at, called_at, \
        started_at, finished_at, window_id, staff_id, return_window_id, previous_id, appointment_id, skips, calls, rated
        """

    struct Ticket: Codable, Sendable {
        var id: UUID
        var centerID: UUID
        var groupID: UUID
        var day: String
        var sequence: Int
        var number: String
        var ticketClass: String
        var state: String
        var source: String
        var followToken: String
        var issuedAt: Int64
        var queuedAt: Int64
        var calledAt: Int64?
        var startedAt: Int64?
        var finishedAt: Int64?
        var windowID: UUID?
        var staffID: UUID?
        var returnWindowID: UUID?
        var previousID: UUID?
        var appointmentID: UUID?
        var skips: Int
        var calls: Int
        var rated: Bool

        enum CodingKeys: String, CodingKey {
            case id, day, sequence, number, state, source, skips, calls, rated
            case centerID = "center_id", groupID = "group_id", ticketClass = "class", followToken = "follow_token"
            case issuedAt = "issued_at", queuedAt = "queued_at", calledAt = "called_at", startedAt = "started_at"
            case finishedAt = "finished_at", windowID = "window_id", staffID = "staff_id", returnWindowID = "return_window_id"
            case previousID = "previous_id", appointmentID = "appointment_id"
        }

        init(_ t: TicketModel) {
            id = t.id!
            centerID = t.centerID
            groupID = t.groupID
            day = t.day
            sequence = t.sequence
            number = t.number
            ticketClass = t.ticketClass
            state = t.state
            source = t.source
            followToken = t.followToken
            issuedAt = t.issuedAt
            queuedAt = t.queuedAt
            calledAt = t.calledAt
            startedAt = t.startedAt
            finishedAt = t.finishedAt
            windowID = t.windowID
            staffID = t.staffID
            returnWindowID = t.returnWindowID
            previousID = t.previousID
            appointmentID = t.appointmentID
            skips = t.skips
            calls = t.calls
            rated = t.rated
        }

        var model: TicketModel {
            let t = TicketModel()
            t.id = id
            t.centerID = centerID
            t.groupID = groupID
            t.day = day
            t.sequence = sequence
            t.number = number
            t.ticketClass = ticketClass
            t.state = state
            t.source = source
            t.followToken = followToken
            t.issuedAt = issuedAt
            t.queuedAt = queuedAt
            t.calledAt = calledAt
            t.startedAt = startedAt
            t.finishedAt = finishedAt
            t.windowID = windowID
            t.staffID = staffID
            t.returnWindowID = returnWindowID
            t.previousID = previousID
            t.appointmentID = appointmentID
            t.skips = skips
            t.calls = calls
            t.rated = rated
            return t
        }

        /// A row of `ticketColumns`, read column by column: through `Decodable` the keyed
        /// containers cost more than the statement, and on SQLite Foundation parsed each of the
        /// five ids with `sscanf` (`text`: ids are stored as text).
        init(row: any SQLRow, text: Bool) throws {
            id = try row.id("id", text: text)
            centerID = try row.id("center_id", text: text)
            groupID = try row.id("group_id", text: text)
            day = try row.decode(column: "day", as: String.self)
            sequence = try row.decode(column: "sequence", as: Int.self)
            number = try row.decode(column: "number", as: String.self)
            ticketClass = try row.decode(column: "class", as: String.self)
            state = try row.decode(column: "state", as: String.self)
            source = try row.decode(column: "source", as: String.self)
            followToken = try row.decode(column: "follow_token", as: String.self)
            issuedAt = try row.decode(column: "issued_at", as: Int64.self)
            queuedAt = try row.decode(column: "queued_at", as: Int64.self)
            calledAt = try row.decode(column: "called_at", as: Int64?.self)
            startedAt = try row.decode(column: "started_at", as: Int64?.self)
            finishedAt = try row.decode(column: "finished_at", as: Int64?.self)
            windowID = try row.optionalID("window_id", text: text)
            staffID = try row.optionalID("staff_id", text: text)
            returnWindowID = try row.optionalID("return_window_id", text: text)
            previousID = try row.optionalID("previous_id", text: text)
            appointmentID = try row.optionalID("appointment_id", text: text)
            skips = try row.decode(column: "skips", as: Int.self)
            calls = try row.decode(column: "calls", as: Int.self)
            rated = try row.decode(column: "rated", as: Bool.self)
        }

        /// The row's columns in `ticketColumns` order, as SQL binds (ids as `sql` stores them).
        func binds(_ sql: any SQLDatabase) -> [any SQLExpression] {
            [
                sql.bind(id: id), sql.bind(id: centerID), sql.bind(id: groupID), SQLBind(day), SQLBind(sequence), SQLBind(number),
                SQLBind(ticketClass), SQLBind(state), SQLBind(source), SQLBind(followToken), SQLBind(issuedAt), SQLBind(queuedAt),
                sql.bind(calledAt), sql.bind(startedAt), sql.bind(finishedAt), sql.bind(id: windowID), sql.bind(id: staffID),
                sql.bind(id: returnWindowID), sql.bind(id: previousID), sql.bind(id: appointmentID), SQLBind(skips), SQLBind(calls),
                SQLBind(rated),
            ]
        }

        /// Rows of `ticketColumns` from `sql`.
        static func all(_ q: SQLQueryString, on sql: any SQLDatabase) async throws -> [Ticket] {
            let text = sql.textIDs
            return try await sql.raw(q).all().map { try Ticket(row: $0, text: text) }
        }
    }

    static func ticket(_ id: UUID, on db: any Database) async throws -> TicketModel? {
        if let batch = HallBatch.current {
            if let hit = batch.ticket(id) { return hit.model }
            guard let row = try await readTickets([id], on: db).first else { return nil }
            batch.loaded(row)
            return row.model
        }
        return try await readTickets([id], on: db).first?.model
    }

    /// What a rating checks before it waits for the writer: where the ticket was served and its
    /// follow token — four columns, not the whole row.
    struct RatingFacts: Sendable {
        var centerID: UUID
        var groupID: UUID
        var windowID: UUID?
        var followToken: String
    }

    static func ratingFacts(_ id: UUID, on db: any Database) async throws -> RatingFacts? {
        let sql = try Self.sql(db)
        let text = sql.textIDs
        return try await sql.raw("SELECT center_id, group_id, window_id, follow_token FROM tickets WHERE id = \(sql.bind(id: id))")
            .first().map {
                RatingFacts(
                    centerID: try $0.id("center_id", text: text), groupID: try $0.id("group_id", text: text),
                    windowID: try $0.optionalID("window_id", text: text),
                    followToken: try $0.decode(column: "follow_token", as: String.self))
            }
    }

    static func readTickets(_ ids: [UUID], on db: any Database) async throws -> [Ticket] {
        guard !ids.isEmpty else { return [] }
        let sql = try Self.sql(db)
        return try await Ticket.all("SELECT \(unsafeRaw: ticketColumns) FROM tickets WHERE id IN \(sql.idList(ids))", on: sql)
    }

    /// The first `limits[group]` waiting tickets of each group and class of a center's day, and the
    /// waiting tickets sent back to `windows`, in one statement.
    ///
    /// The windows' arm names no center (a window has one): with the center in it, SQLite walked the
    /// (center, day, state) index over every ticket waiting in the hall, 2.3 ms for 4,000 on every
    /// batch of calls, rather than the (window, state) index, which finds the few sent back.
    static func queueHeads(
        center: UUID, day: String, limits: [UUID: Int], windows: [UUID], on db: any Database
    ) async throws
        -> [Ticket]
    {
        guard let q = queueHeadsQuery(center: center, day: day, limits: limits, windows: windows) else { return [] }
        return try await Ticket.all(q, on: sql(db))
    }

    /// The statement of `queueHeads`; nil when it would ask for nothing.
    static func queueHeadsQuery(center: UUID, day: String, limits: [UUID: Int], windows: [UUID]) -> SQLQueryString? {
        var q = SQLQueryString("")
        var arms = 0
        func arm(_ body: SQLQueryString) {
            q.appendLiteral(arms == 0 ? "SELECT * FROM (" : " UNION ALL SELECT * FROM (")
            q.appendInterpolation(body)
            q.appendLiteral(") AS arm_\(arms)")
            arms += 1
        }
        for (group, limit) in limits.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            for c in TicketClass.allCases {
                arm(
                    """
                    SELECT \(unsafeRaw: ticketColumns) FROM tickets WHERE group_id = \(bind: group) AND day = \(bind: day)
                    AND state = 'waiting' AND class = \(bind: c.rawValue) AND window_id IS NULL AND center_id = \(bind: center)
                    ORDER BY queued_at, sequence LIMIT \(bind: limit)
                    """)
            }
        }
        if !windows.isEmpty {
            arm(
                """
                SELECT \(unsafeRaw: ticketColumns) FROM tickets WHERE window_id IN (\(binds: windows)) AND state = 'waiting'
                AND day = \(bind: day)
                """)
        }
        return arms > 0 ? q : nil
    }

    /// A new or changed ticket (inside a batch, written with the batch). A ticket read with
    /// `ticket` must be written back here, never with Fluent's `update`.
    static func save(_ t: TicketModel, on db: any Database) async throws {
        if let batch = HallBatch.current { return batch.wrote(Ticket(t)) }
        try await writeTickets([Ticket(t)], on: db)
    }

    /// Inserts new tickets and writes back changed ones. Identity, group, day and number never
    /// change, so only the rest is set on a conflict.
    static func writeTickets(_ rows: [Ticket], on db: any Database) async throws {
        let sql = try Self.sql(db)
        try await SQLRows.insert(
            into: "tickets", columns: ticketColumns, rows.map { $0.binds(sql) },
            onConflict: """
                (id) DO UPDATE SET state = excluded.state, follow_token = excluded.follow_token,
                queued_at = excluded.queued_at, called_at = excluded.called_at, started_at = excluded.started_at,
                finished_at = excluded.finished_at, window_id = excluded.window_id, staff_id = excluded.staff_id,
                return_window_id = excluded.return_window_id, previous_id = excluded.previous_id, skips = excluded.skips,
                calls = excluded.calls, rated = excluded.rated
                """, on: db)
    }

    // MARK: seats

    struct Seat: Codable, Sendable {
        var windowID: UUID
        var centerID: UUID
        var userID: UUID?
        var staffID: UUID?
        var paused: Bool
        var streak: Int
        var ticketID: UUID?
        var changedAt: Int64

        enum CodingKeys: String, CodingKey {
            case paused, streak
            case windowID = "window_id", centerID = "center_id", userID = "user_id", staffID = "staff_id"
            case ticketID = "ticket_id", changedAt = "changed_at"
        }

        /// A row read column by column (see `Ticket.init(row:text:)`).
        init(row: any SQLRow, text: Bool) throws {
            windowID = try row.id("window_id", text: text)
            centerID = try row.id("center_id", text: text)
            userID = try row.optionalID("user_id", text: text)
            staffID = try row.optionalID("staff_id", text: text)
            paused = try row.decode(column: "paused", as: Bool.self)
            streak = try row.decode(column: "streak", as: Int.self)
            ticketID = try row.optionalID("ticket_id", text: text)
            changedAt = try row.decode(column: "changed_at", as: Int64.self)
        }

        init(_ ws: WindowStateModel) {
            windowID = ws.id!
            centerID = ws.centerID
            userID = ws.userID
            staffID = ws.staffID
            paused = ws.paused
            streak = ws.streak
            ticketID = ws.ticketID
            changedAt = ws.changedAt
        }

        var model: WindowStateModel {
            let ws = WindowStateModel()
            ws.id = windowID
            ws.centerID = centerID
            ws.userID = userID
            ws.staffID = staffID
            ws.paused = paused
            ws.streak = streak
            ws.ticketID = ticketID
            ws.changedAt = changedAt
            return ws
        }
    }

    static func seat(_ windowID: UUID, on db: any Database) async throws -> WindowStateModel? {
        if let batch = HallBatch.current {
            if let hit = batch.seat(windowID) { return hit.model }
            guard let row = try await readSeats([windowID], on: db).first else { return nil }
            batch.loaded(row)
            return row.model
        }
        return try await readSeats([windowID], on: db).first?.model
    }

    static func readSeats(_ windows: [UUID], on db: any Database) async throws -> [Seat] {
        guard !windows.isEmpty else { return [] }
        let sql = try Self.sql(db)
        let text = sql.textIDs
        return try await sql.raw(
            """
            SELECT window_id, center_id, user_id, staff_id, paused, streak, ticket_id, changed_at FROM window_states
            WHERE window_id IN \(sql.idList(windows))
            """
        ).all().map { try Seat(row: $0, text: text) }
    }

    /// Writes back a seat read with `seat` (inside a batch, with the batch).
    static func save(_ ws: WindowStateModel, on db: any Database) async throws {
        if let batch = HallBatch.current { return batch.wrote(Seat(ws)) }
        try await writeSeats([Seat(ws)], on: db)
    }

    static func writeSeats(_ seats: [Seat], on db: any Database) async throws {
        let sql = try Self.sql(db)
        try await SQLRows.insert(
            into: "window_states", columns: "window_id, center_id, user_id, staff_id, paused, streak, ticket_id, changed_at",
            seats.map {
                [
                    sql.bind(id: $0.windowID), sql.bind(id: $0.centerID), sql.bind(id: $0.userID), sql.bind(id: $0.staffID),
                    SQLBind($0.paused), SQLBind($0.streak), sql.bind(id: $0.ticketID), SQLBind($0.changedAt),
                ]
            },
            onConflict: """
                (window_id) DO UPDATE SET user_id = excluded.user_id, staff_id = excluded.staff_id,
                paused = excluded.paused, streak = excluded.streak, ticket_id = excluded.ticket_id, changed_at = excluded.changed_at
                """, on: db)
    }

    // MARK: counters

    /// The next number of a group's day, from the batch's counter: read once and written once for
    /// the whole batch, under the write transaction that every ticket write shares (and the unique
    /// (group, day, sequence) key would refuse a repeat anyway). Only inside a group commit.
    static func nextSequence(group: UUID, day: String, on db: any Database) async throws -> Int {
        guard let batch = HallBatch.current else { throw Abort(.internalServerError, reason: "ticket numbers outside a write batch") }
        let key = HallBatch.CounterKey(group: group, day: day)
        if batch.counter(key) == nil { batch.loadedCounter(key, last: try await readCounter(key, on: db)) }
        return batch.increment(key)
    }

    static func readCounter(_ key: HallBatch.CounterKey, on db: any Database) async throws -> Int {
        struct Row: Decodable { var last: Int }
        return try await sql(db).raw(
            "SELECT last FROM ticket_counters WHERE group_id = \(bind: key.group) AND day = \(bind: key.day)"
        ).first(decoding: Row.self)?.last ?? 0
    }

    static func writeCounters(_ counters: [(HallBatch.CounterKey, Int)], on db: any Database) async throws {
        try await SQLRows.insert(
            into: "ticket_counters", columns: "group_id, day, last",
            counters.map { [SQLBind($0.0.group), SQLBind($0.0.day), SQLBind($0.1)] },
            onConflict: "(group_id, day) DO UPDATE SET last = excluded.last", on: db)
    }
}
