import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The managers' hall report over a range of days, per group, window or staff member.
enum QueueReports {
    enum Dimension: String, CaseIterable, Sendable {
        case group, window, staff
    }

    static let maxDays = 366
    static let access = Access.only(.centerAdmin, .supervisor, .chiefRepresentative)

    struct Range: Sendable {
        var from: CivilDate
        var to: CivilDate
    }

    /// Reads `from`, `to` (default: today) and `by` (default: group), with errors for the form and API.
    static func parse(from: String?, to: String?, by: String?, today: CivilDate) throws -> (Range, Dimension) {
        var errors: [FieldError] = []
        let range = parseRange(from: from, to: to, today: today, errors: &errors)
        let dim = Dimension(rawValue: by.flatMap { $0.isEmpty ? nil : $0 } ?? "group")
        if dim == nil { errors.append(FieldError("by", "queue.reportBy")) }
        guard errors.isEmpty, let range, let dim else { throw ValidationFailure(errors) }
        return (range, dim)
    }

    /// A report's days: `from` (default today) to `to` (default `from`), in order, at most
    /// `maxDays`; nil with the errors added otherwise.
    static func parseRange(from: String?, to: String?, today: CivilDate, errors: inout [FieldError]) -> Range? {
        var found: [FieldError] = []
        /// Empty means the default; anything else must be a date.
        func date(_ text: String?, _ field: String, default fallback: CivilDate?) -> CivilDate? {
            guard let text, !text.isEmpty else { return fallback }
            let d = CivilDate(text)
            if d == nil { found.append(FieldError(field, "date")) }
            return d
        }
        let start = date(from, "from", default: today)
        let end = date(to, "to", default: start)
        if let s = start, let e = end {
            if e < s { found.append(FieldError("to", "queue.reportOrder")) }
            if e.dayNumber - s.dayNumber >= maxDays { found.append(FieldError("to", "queue.reportSpan")) }
        }
        errors += found
        guard found.isEmpty, let start, let end else { return nil }
        return Range(from: start, to: end)
    }

    static func report(hall: HallConfig, range: Range, by dim: Dimension, req: Request) async throws -> QueueReportDTO {
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let from = range.from.description
        let to = range.to.description
        struct TicketRow: Decodable {
            var groupID: UUID
            var windowID: UUID?
            var staffID: UUID?
            var issuedAt: Int64
            var calledAt: Int64?
            var startedAt: Int64?
            var finishedAt: Int64?
            var state: String
        }
        let tickets = try await sql.raw(
            """
            SELECT group_id AS "groupID", window_id AS "windowID", staff_id AS "staffID", issued_at AS "issuedAt",
            called_at AS "calledAt", started_at AS "startedAt", finished_at AS "finishedAt", state FROM tickets
            WHERE center_id = \(bind: hall.centerID) AND day >= \(bind: from) AND day <= \(bind: to)
            """
        ).all(decoding: TicketRow.self)
        struct RatingRow: Decodable {
            var groupID: UUID
            var windowID: UUID?
            var staffID: UUID?
            var level: Int?
        }
        let ratings = try await sql.raw(
            """
            SELECT t.group_id AS "groupID", r.window_id AS "windowID", r.staff_id AS "staffID", r.level AS level
            FROM ratings r JOIN tickets t ON t.id = r.ticket_id
            WHERE t.center_id = \(bind: hall.centerID) AND t.day >= \(bind: from) AND t.day <= \(bind: to)
            """
        ).all(decoding: RatingRow.self)
        func key(group: UUID, window: UUID?, staff: UUID?) -> String? {
            switch dim {
            case .group: group.uuidString
            case .window: window?.uuidString
            case .staff: staff?.uuidString
            }
        }
        let visits = tickets.map {
            QueueReport.Visit(
                key: key(group: $0.groupID, window: $0.windowID, staff: $0.staffID), issued: $0.issuedAt, called: $0.calledAt,
                started: $0.startedAt, finished: $0.finishedAt, state: TicketState(rawValue: $0.state) ?? .waiting)
        }
        let rated = ratings.map { (key: key(group: $0.groupID, window: $0.windowID, staff: $0.staffID), level: $0.level) }
        let idle =
            dim == .group
            ? nil
            : try await idleSeconds(
                hall: hall, from: from, to: to, by: dim,
                tickets: tickets.map {
                    (window: $0.windowID, staff: $0.staffID, called: $0.calledAt, finished: $0.finishedAt)
                }, req: req)
        let bookings = dim == .group ? try await bookings(hall: hall, from: from, to: to, on: sql) : nil
        let rows = QueueReport.rows(visits: visits, ratings: rated, idle: idle, bookings: bookings)
        let names = try await labels(dim, hall: hall, keys: rows.map(\.key), req: req)
        let order: [String: Int] =
            switch dim {
            case .group: Dictionary(hall.groups.enumerated().map { ($1.id.uuidString, $0) }, uniquingKeysWith: { a, _ in a })
            case .window: Dictionary(hall.windows.map { ($0.id.uuidString, $0.number) }, uniquingKeysWith: { a, _ in a })
            case .staff: [:]
            }
        let out = rows.map { r -> QueueReport.Row in
            var r = r
            r.label = names[r.key] ?? r.key
            return r
        }
        .sorted { (order[$0.key] ?? Int.max, $0.label) < (order[$1.key] ?? Int.max, $1.label) }
        var total = QueueReport.total(visits: visits, ratings: rated, idle: idle, bookings: bookings)
        total.label = req.t("queue.report.total")
        let trend = tickets.map { QueueTrends.Ticket(group: $0.groupID.uuidString, issued: $0.issuedAt, started: $0.startedAt) }
        let groupNames = try await labels(.group, hall: hall, keys: [], req: req)
        let byGroup = QueueTrends.byGroup(trend, order: hall.groups.map(\.id.uuidString)).map { b -> QueueTrends.Bucket in
            var b = b
            b.label = groupNames[b.key] ?? b.key
            return b
        }
        return QueueReportDTO(
            centerCode: hall.centerCode, centerName: hall.centerName, from: from, to: to, by: dim.rawValue, rows: out, total: total,
            byHour: QueueTrends.byHour(trend, zone: HallClock.zone), byGroup: byGroup,
            byDay: QueueTrends.byDay(trend, zone: HallClock.zone, from: range.from, to: range.to))
    }

    /// Appointments per group over the range: booked (not cancelled) and missed (the sweep marks
    /// a booking nobody checked in for as `no_show` and frees its slot).
    static func bookings(hall: HallConfig, from: String, to: String, on sql: any SQLDatabase) async throws -> [String: QueueReport.Bookings]
    {
        struct Row: Decodable {
            var groupID: UUID
            var state: String
            var n: Int
        }
        let rows = try await sql.raw(
            """
            SELECT group_id AS "groupID", state, COUNT(*) AS n FROM appointments
            WHERE center_id = \(bind: hall.centerID) AND day >= \(bind: from) AND day <= \(bind: to) AND state <> 'cancelled'
            GROUP BY group_id, state
            """
        ).all(decoding: Row.self)
        var out: [String: QueueReport.Bookings] = [:]
        for r in rows {
            var b = out[r.groupID.uuidString] ?? QueueReport.Bookings(booked: 0, missed: 0)
            b.booked += r.n
            if r.state == "no_show" { b.missed += r.n }
            out[r.groupID.uuidString] = b
        }
        return out
    }

    /// Idle seconds per window or staff member over the range, from the sign-in, pause and
    /// resume events and the tickets' called-to-finished spans.
    static func idleSeconds(
        hall: HallConfig, from: String, to: String, by dim: Dimension,
        tickets: [(window: UUID?, staff: UUID?, called: Int64?, finished: Int64?)], req: Request
    ) async throws -> [String: Int] {
        let events = try await WindowEventModel.query(on: req.db).filter(\.$centerID == hall.centerID)
            .filter(\.$day >= from).filter(\.$day <= to).all()
        let nowMillis = HallClock.millis(req.now)
        var out: [String: Int] = [:]
        // Per day, so that a window left signed in overnight does not count the night.
        struct KeyDay: Hashable {
            var key: String
            var day: String
        }
        let byKeyDay = Dictionary(grouping: events) { e in
            KeyDay(key: (dim == .window ? e.windowID.uuidString : e.staffID?.uuidString) ?? "", day: e.day)
        }
        var busy: [String: [(start: Int64, end: Int64)]] = [:]
        for t in tickets {
            guard let c = t.called, let f = t.finished,
                let k = dim == .window ? t.window?.uuidString : t.staff?.uuidString
            else { continue }
            busy[k, default: []].append((c, f))
        }
        for (kd, list) in byKeyDay where !kd.key.isEmpty {
            let k = kd.key
            guard let d = CivilDate(kd.day) else { continue }
            let closing = HallClock.millis(HallClock.instant(d, minute: 24 * 60))
            let until = min(nowMillis, closing)
            let evs = list.compactMap { e in QueueReport.Event.Kind(rawValue: e.kind).map { QueueReport.Event(kind: $0, at: e.at) } }
            let ms = QueueReport.idleMillis(events: evs, busy: busy[k] ?? [], until: until)
            out[k, default: 0] += Int(ms / 1000)
        }
        return out
    }

    static func labels(_ dim: Dimension, hall: HallConfig, keys: [String], req: Request) async throws -> [String: String] {
        switch dim {
        case .group:
            return Dictionary(
                hall.groups.map { ($0.id.uuidString, "\($0.prefix) \($0.name)") }, uniquingKeysWith: { a, _ in a })
        case .window:
            return Dictionary(
                hall.windows.map { ($0.id.uuidString, req.t("queue.atWindow", ["n": String($0.number)]) + " " + $0.name) },
                uniquingKeysWith: { a, _ in a })
        case .staff:
            let ids = keys.compactMap(UUID.init(uuidString:))
            guard !ids.isEmpty else { return [:] }
            let staff = try await StaffModel.query(on: req.db).filter(\.$id ~~ ids).all()
            return Dictionary(staff.map { ($0.id!.uuidString, "\($0.name)（\($0.jobNumber)）") }, uniquingKeysWith: { a, _ in a })
        }
    }

    static let columnKeys = [
        "queue.report.row", "queue.report.tickets", "queue.report.served", "queue.report.noShows", "queue.report.noShowRate",
        "queue.report.meanWait", "queue.report.p90Wait", "queue.report.meanService", "queue.report.p90Service", "queue.report.idle",
        "queue.report.ratings", "queue.report.notRated", "queue.report.meanRating", "queue.report.bad", "queue.report.bookings",
        "queue.report.missedBookings",
    ]

    /// A row's cells in the order of `columnKeys`, times in minutes, with `none` for a figure that does not exist.
    static func cells(_ row: QueueReport.Row, none: String) -> [String] {
        func num(_ d: Double?, _ places: Int = 0) -> String { d.map { String(format: "%.\(places)f", $0) } ?? none }
        /// Seconds shown as minutes with one decimal, as the managers read them.
        func minutes(_ seconds: Double?) -> String { num(seconds.map { $0 / 60 }, 1) }
        return [
            row.label, String(row.tickets), String(row.served), String(row.noShows), num(row.noShowRate.map { $0 * 100 }, 1),
            minutes(row.meanWaitSeconds), minutes(row.p90WaitSeconds), minutes(row.meanServiceSeconds), minutes(row.p90ServiceSeconds),
            minutes(row.idleSeconds.map(Double.init)), String(row.ratings), String(row.notRated), num(row.meanRating, 2),
            String(row.badRatings), row.bookings.map(String.init) ?? none, row.missedBookings.map(String.init) ?? none,
        ]
    }

    /// The report as CSV, headed in the reader's language, with a byte-order mark for spreadsheets.
    static func csv(_ r: QueueReportDTO, req: Request) -> String {
        let lines = [columnKeys.map { req.t($0) }] + (r.rows + [r.total]).map { cells($0, none: "") }
        return "\u{FEFF}" + lines.map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}

enum CSVField {
    /// Quotes a field when it holds a comma, quote or line break, and defuses a leading formula
    /// character so that a spreadsheet shows it as text.
    static func escape(_ s: String) -> String {
        guard let c = s.first, "=+-@".contains(c), Double(s) == nil else { return CSVReader.quote(s) }
        return CSVReader.quote("'" + s)
    }
}

struct QueueReportDTO: Content {
    var centerCode: String
    var centerName: String
    var from: String
    var to: String
    var by: String
    var rows: [QueueReport.Row]
    var total: QueueReport.Row
    /// Tickets issued and their mean wait, by hour of issue, by group and by day.
    var byHour: [QueueTrends.Bucket]
    var byGroup: [QueueTrends.Bucket]
    var byDay: [QueueTrends.Bucket]
}
