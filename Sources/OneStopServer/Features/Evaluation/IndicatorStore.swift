import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The indicator counters per day and scope (`IndicatorCounts`, table `indicator_tallies`) and
/// their monthly sums, kept current from the audit log (issue 21).
///
/// Every change OneStop makes is audited in one chain whose order is the commit order, so the log
/// says exactly what changed since the last look: `catchUp` reads the entries after the one it
/// last saw, works out which (center, day) pairs their records count on — a case on the days it
/// was accepted and decided, a rating on its day and its rectification deadline's, an outside
/// scorecard on the day it was first given, a work order
/// on the day it was received, and every entry on its own day — and counts those days again from
/// the records (`recount`), then their months. A late change (an appeal upheld, a complaint judged
/// valid a week later) thus moves the figures of the day the record belongs to. Reports catch up
/// first, then read tallies only.
enum IndicatorStore {
    /// The entity types whose changes move indicators.
    /// The audited entities whose changes move a figure. A brand's inspections and its state
    /// (typical, named) count in the brand indicators; its survey's votes do not.
    static let followed: Set<String> = [
        "case", "rating", "work_order", "outside_score", "brand", "conduct_finding", "weekly_summary", "volunteer_service",
    ]

    struct Pair: Hashable, Comparable {
        var center: UUID
        var day: CivilDate

        static func < (a: Pair, b: Pair) -> Bool { (a.day, a.center.uuidString) < (b.day, b.center.uuidString) }
    }

    /// Follows the audit log to its end, recounting what it touched. Runs as a write of its own
    /// (one at a time on every instance: the audit head is locked), a few thousand entries each.
    @discardableResult
    static func catchUp(app: Application, now: Date, batch: Int = 5_000) async throws -> Int {
        var recounted = 0
        while true {
            let (n, more) = try await app.groupCommit.run(actor: "system", now: now) { db -> ((Int, Bool), [AuditEvent]) in
                let sql = try SQLRows.sql(db)
                struct State: Decodable { var seen: Int64 }
                let seen =
                    try await sql.raw("SELECT audit_seq AS seen FROM indicator_state WHERE id = 1").first(decoding: State.self)?.seen ?? 0
                struct Entry: Decodable {
                    var seq: Int64
                    var atMs: Int64
                    var entityType: String
                    var entityID: String
                    var centerID: String

                    enum CodingKeys: String, CodingKey {
                        case seq
                        case atMs = "at_ms"
                        case entityType = "entity_type"
                        case entityID = "entity_id"
                        case centerID = "center_id"
                    }
                }
                let entries = try await sql.raw(
                    """
                    SELECT seq, at_ms, entity_type, entity_id, center_id FROM audit_entries
                    WHERE seq > \(bind: seen) ORDER BY seq LIMIT \(bind: batch)
                    """
                ).all(decoding: Entry.self)
                guard let last = entries.last?.seq else { return ((0, false), []) }
                var pairs = Set<Pair>()
                var ids: [String: Set<UUID>] = [:]
                for e in entries where followed.contains(e.entityType) {
                    guard let center = UUID(uuidString: e.centerID) else { continue }
                    pairs.insert(Pair(center: center, day: HallClock.day(Date(timeIntervalSince1970: Double(e.atMs) / 1000))))
                    if let id = UUID(uuidString: e.entityID) { ids[e.entityType, default: []].insert(id) }
                }
                pairs.formUnion(try await recordDays(ids, on: sql))
                for p in pairs.sorted() { try await recount(center: p.center, day: p.day, on: db) }
                for m in Set(pairs.map { MonthKey(center: $0.center, month: String($0.day.description.prefix(7))) }) {
                    try await rollUp(center: m.center, month: m.month, on: db)
                }
                try await sql.raw("UPDATE indicator_state SET audit_seq = \(bind: last) WHERE id = 1").run()
                return ((pairs.count, entries.count == batch), [])
            }
            recounted += n
            if !more { break }
        }
        return recounted
    }

    struct MonthKey: Hashable {
        var center: UUID
        var month: String
    }

    /// Where a record counts: its center, department, window and staff member.
    struct Place: Decodable {
        var departmentID: UUID?
        var windowID: UUID?
        var staffID: UUID?

        enum CodingKeys: String, CodingKey {
            case departmentID = "department_id"
            case windowID = "window_id"
            case staffID = "staff_id"
        }
    }

    /// A row with its place and what else its query reads, decoded from the same columns.
    struct Placed<Facts: Decodable>: Decodable {
        var place: Place
        var facts: Facts

        init(from decoder: any Decoder) throws {
            place = try Place(from: decoder)
            facts = try Facts(from: decoder)
        }
    }

    /// Counts one center's day again from its records, for every scope, and replaces its rows.
    static func recount(center: UUID, day: CivilDate, on db: any Database) async throws {
        let sql = try SQLRows.sql(db)
        let d = day.description
        var counts: [String: IndicatorCounts] = [:]
        func count(_ p: Place, _ change: (inout IndicatorCounts) -> Void) {
            for scope in RatingFigures.scopes(center: center, department: p.departmentID, window: p.windowID, staff: p.staffID) {
                change(&counts[scope, default: IndicatorCounts()])
            }
        }
        // A case counts at the window that took it in (its ticket's) and with the staff member who served it, else its handler.
        let place = """
            c.department_id, t.window_id AS window_id, COALESCE(t.staff_id, u.staff_id) AS staff_id
            FROM cases c LEFT JOIN tickets t ON t.id = c.ticket_id LEFT JOIN users u ON u.id = c.handler_id
            """
        struct Accepted: Decodable {
            var channel: String
            var decidedOn: String?
            var tasks: Int

            enum CodingKeys: String, CodingKey {
                case channel, tasks
                case decidedOn = "decided_on"
            }
        }
        for row in try await sql.raw(
            """
            SELECT c.channel, c.decided_on, (SELECT COUNT(*) FROM case_tasks k WHERE k.case_id = c.id) AS tasks, \(unsafeRaw: place)
            WHERE c.center_id = \(sql.bind(id: center)) AND c.accepted_on = \(bind: d)
            """
        ).all(decoding: Placed<Accepted>.self) {
            let c = row.facts
            count(row.place) {
                $0[.accepted] += 1
                if c.tasks > 0 { $0[.jointAccepted] += 1 }
                if c.channel == "online" { $0[.onlineAccepted] += 1 }
                if c.decidedOn == d { $0[.closedOnAcceptanceDay] += 1 }
            }
        }
        struct Decided: Decodable {
            var promisedDue: String

            enum CodingKeys: String, CodingKey {
                case promisedDue = "promised_due"
            }
        }
        for row in try await sql.raw(
            """
            SELECT c.promised_due, \(unsafeRaw: place)
            WHERE c.center_id = \(sql.bind(id: center)) AND c.decided_on = \(bind: d) AND c.promised_due IS NOT NULL
            """
        ).all(decoding: Placed<Decided>.self) {
            let due = row.facts.promisedDue
            count(row.place) {
                $0[.timedClosed] += 1
                if d <= due { $0[.timedClosedOnTime] += 1 }
            }
        }
        struct Decision: Decodable {
            var action: String
            var asked: Int
        }
        for row in try await sql.raw(
            """
            SELECT e.action, CASE WHEN c.supplement_asked THEN 1 ELSE 0 END AS asked, \(unsafeRaw: place)
            JOIN case_events e ON e.case_id = c.id
            WHERE e.day = \(bind: d) AND e.action IN ('accept', 'refuse') AND c.center_id = \(sql.bind(id: center)) AND c.channel = 'online'
            """
        ).all(decoding: Placed<Decision>.self) {
            let c = row.facts
            count(row.place) {
                $0[.onlineDecided] += 1
                if c.action == "accept", c.asked == 0 { $0[.onlineAcceptedFirstTime] += 1 }
            }
        }
        for a in try await sql.raw(
            """
            SELECT \(unsafeRaw: place) JOIN anomalies a ON a.case_id = c.id
            WHERE a.center_id = \(sql.bind(id: center)) AND a.day = \(bind: d) AND a.withdrawn = ''
            """
        ).all(decoding: Place.self) {
            count(a) { $0[.anomalies] += 1 }
        }
        let start = HallClock.millis(HallClock.instant(day, minute: 0))
        let end = HallClock.millis(HallClock.instant(day.adding(days: 1), minute: 0))
        for o in try await sql.raw(
            """
            SELECT department_id, window_id, staff_id FROM work_orders
            WHERE center_id = \(sql.bind(id: center)) AND received_at >= \(bind: start) AND received_at < \(bind: end)
            AND kind = 'complaint' AND valid = \(bind: true)
            """
        ).all(decoding: Place.self) {
            count(o) { $0[.validComplaints] += 1 }
        }
        struct CallBack: Decodable {
            var outcome: String
        }
        for row in try await sql.raw(
            """
            SELECT e.department_id, o.window_id, o.staff_id, e.outcome FROM work_order_events e JOIN work_orders o ON o.id = e.order_id
            WHERE e.center_id = \(sql.bind(id: center)) AND e.at >= \(bind: start) AND e.at < \(bind: end)
            AND e.action = 'call_back' AND o.kind = 'complaint'
            """
        ).all(decoding: Placed<CallBack>.self) {
            guard let satisfied = IndicatorRules.callBack(outcome: row.facts.outcome) else { continue }
            count(row.place) {
                $0[.complaintCallBacks] += 1
                if satisfied { $0[.complaintCallBacksSatisfied] += 1 }
            }
        }
        struct Scored: Decodable { var score: Double }
        for row in try await sql.raw(
            """
            SELECT department_id, NULL AS window_id, staff_id, score FROM outside_scores
            WHERE center_id = \(sql.bind(id: center)) AND day = \(bind: d)
            """
        ).all(decoding: Placed<Scored>.self) {
            count(row.place) {
                $0[.outsideScored] += 1
                $0[.outsideScoreBasisPoints] += Int((row.facts.score * 100).rounded())
            }
        }
        // The brand programme (issue 22): inspection problems, and brands made typical or named.
        struct Inspected: Decodable { var problems: String }
        for row in try await sql.raw(
            """
            SELECT b.department_id, NULL AS window_id, NULL AS staff_id, i.problems FROM brand_inspections i JOIN brands b ON b.id = i.brand_id
            WHERE i.center_id = \(sql.bind(id: center)) AND i.recorded_at >= \(bind: start) AND i.recorded_at < \(bind: end)
            """
        ).all(decoding: Placed<Inspected>.self) {
            let n = (try? JSONDecoder().decode([BrandPractice.Problem].self, from: Data(row.facts.problems.utf8)).count) ?? 0
            if n > 0 { count(row.place) { $0[.brandProblems] += n } }
        }
        // 作风督查 (issue 23): each finding at a window.
        struct Found: Decodable { var n: Int }
        for row in try await sql.raw(
            """
            SELECT department_id, window_id, NULL AS staff_id, 1 AS n FROM conduct_findings
            WHERE center_id = \(sql.bind(id: center)) AND recorded_at >= \(bind: start) AND recorded_at < \(bind: end)
            """
        ).all(decoding: Placed<Found>.self) {
            count(row.place) { $0[.conductFindings] += row.facts.n }
        }
        // 一周一小结 filed late, and the volunteer ledger (issue 23), per window unit.
        for row in try await sql.raw(
            """
            SELECT department_id, NULL AS window_id, NULL AS staff_id, 1 AS n FROM weekly_summaries
            WHERE center_id = \(sql.bind(id: center)) AND late = \(bind: true) AND filed_at >= \(bind: start) AND filed_at < \(bind: end)
            """
        ).all(decoding: Placed<Found>.self) {
            count(row.place) { $0[.lateSummaries] += row.facts.n }
        }
        for row in try await sql.raw(
            """
            SELECT department_id, NULL AS window_id, NULL AS staff_id, 1 AS n FROM volunteer_services
            WHERE center_id = \(sql.bind(id: center)) AND day = \(bind: day.description)
            """
        ).all(decoding: Placed<Found>.self) {
            count(row.place) { $0[.volunteerServices] += row.facts.n }
        }
        struct Honoured: Decodable { var typical: String }
        var honoured: [UUID] = []
        for row in try await sql.raw(
            """
            SELECT typical FROM brand_selections WHERE decided_at >= \(bind: start) AND decided_at < \(bind: end)
            """
        ).all(decoding: Honoured.self) {
            honoured += (try? JSONDecoder().decode([UUID].self, from: Data(row.typical.utf8))) ?? []
        }
        struct Named: Decodable {
            var brandID: UUID?
            enum CodingKeys: String, CodingKey { case brandID = "brand_id" }
        }
        for row in try await sql.raw(
            """
            SELECT brand_id FROM brand_notices
            WHERE center_id = \(sql.bind(id: center)) AND kind = 'naming' AND published_at >= \(bind: start) AND published_at < \(bind: end)
            """
        ).all(decoding: Named.self) {
            if let id = row.brandID { honoured.append(id) }
        }
        if !honoured.isEmpty {
            for b in try await BrandModel.query(on: db).filter(\.$id ~~ honoured).filter(\.$centerID == center).all() {
                let times = honoured.filter { $0 == b.id }.count
                count(Place(departmentID: b.departmentID, windowID: nil, staffID: nil)) { $0[.brandHonours] += times }
            }
        }
        // Ratings and their rectification come from the 好差评 tallies of the center's scopes.
        for (scope, tally) in try await ratingTallies(center: center, day: d, on: sql) {
            let rated = IndicatorRules.ratingCounts(tally)
            if !rated.isEmpty { counts[scope, default: IndicatorCounts()] += rated }
        }
        try await sql.raw("DELETE FROM indicator_tallies WHERE center_id = \(bind: center.uuidString.lowercased()) AND period = \(bind: d)")
            .run()
        try await write(period: d, center: center, counts, on: db)
    }

    /// The day's 好差评 tallies of a center's own scopes: the center, its departments, windows and staff.
    static func ratingTallies(center: UUID, day: String, on sql: any SQLDatabase) async throws -> [String: RatingTally] {
        struct Row: Decodable {
            var scope: String
            var tally: String
        }
        let c = center.uuidString.lowercased()
        let rows = try await sql.raw(
            """
            SELECT r.scope, r.tally FROM rating_tallies r WHERE r.day = \(bind: day) AND (r.scope = \(bind: "center:" + c)
            OR r.scope IN (SELECT 'department:' || LOWER(CAST(id AS TEXT)) FROM departments WHERE center_id = \(sql.bind(id: center)))
            OR r.scope IN (SELECT 'window:' || LOWER(CAST(id AS TEXT)) FROM windows WHERE center_id = \(sql.bind(id: center)))
            OR r.scope IN (SELECT 'staff:' || LOWER(CAST(id AS TEXT)) FROM staff WHERE center_id = \(sql.bind(id: center))))
            """
        ).all(decoding: Row.self)
        var out: [String: RatingTally] = [:]
        for r in rows { if let t = try RatingFigures.decode(r.tally) { out[r.scope] = t } }
        return out
    }

    static func kind(of scope: String) -> String { String(scope.prefix { $0 != ":" }) }

    static func write(period: String, center: UUID, _ counts: [String: IndicatorCounts], on db: any Database) async throws {
        let c = center.uuidString.lowercased()
        let rows: [[any SQLExpression]] = counts.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { scope, value in
            [SQLBind(period), SQLBind(scope), SQLBind(kind(of: scope)), SQLBind(c), SQLBind(IndicatorRules.encode(value))]
        }
        try await SQLRows.insert(into: "indicator_tallies", columns: "period, scope, kind, center_id, counts", rows, on: db)
    }

    /// A month's rows: the sums of its days, per scope.
    static func rollUp(center: UUID, month: String, on db: any Database) async throws {
        let sql = try SQLRows.sql(db)
        let c = center.uuidString.lowercased()
        struct Row: Decodable {
            var scope: String
            var counts: String
        }
        var sums: [String: IndicatorCounts] = [:]
        for r in try await sql.raw(
            """
            SELECT scope, counts FROM indicator_tallies WHERE center_id = \(bind: c)
            AND period >= \(bind: month + "-01") AND period <= \(bind: month + "-31")
            """
        ).all(decoding: Row.self) {
            sums[r.scope, default: IndicatorCounts()] += IndicatorRules.decode(r.counts)
        }
        try await sql.raw("DELETE FROM indicator_tallies WHERE center_id = \(bind: c) AND period = \(bind: month)").run()
        try await write(period: month, center: center, sums, on: db)
    }

    /// The sums over `period` of the scopes of `kind` (`center`, `department`, `window`, `staff`)
    /// that belong to `centers`, by scope: whole months from their rows, the days at the edges
    /// from theirs.
    static func read(
        centers: Set<UUID>, kind: String, period: EvaluationPeriod, on db: any Database
    ) async throws
        -> [String: IndicatorCounts]
    {
        let sql = try SQLRows.sql(db)
        let keys = IndicatorRules.periodKeys(period)
        var out: [String: IndicatorCounts] = [:]
        struct Row: Decodable {
            var scope: String
            var counts: String
        }
        let ids = centers.map { $0.uuidString.lowercased() }.sorted()
        for chunk in stride(from: 0, to: ids.count, by: 200).map({ Array(ids[$0..<min($0 + 200, ids.count)]) }) {
            for periods in stride(from: 0, to: keys.count, by: 400).map({ Array(keys[$0..<min($0 + 400, keys.count)]) }) {
                for r in try await sql.raw(
                    """
                    SELECT scope, counts FROM indicator_tallies WHERE center_id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                    AND kind = \(bind: kind) AND period IN \(SQLGroupExpression(periods.map { SQLBind($0) }))
                    """
                ).all(decoding: Row.self) {
                    out[r.scope, default: IndicatorCounts()] += IndicatorRules.decode(r.counts)
                }
            }
        }
        return out
    }
}
