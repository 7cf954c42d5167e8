import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Drill-down (issue 21): the records behind an indicator's figure — the late cases, the bad
/// ratings, the anomalies, the valid complaints… — for the same period and scope, filtered as the
/// figure counted them, 50 a page, or all of them as CSV. Their number is the figure's
/// (`Indicator.recordCount`); the test holds the two together.
enum IndicatorRecords {
    struct Record: Content {
        var day: String
        var reference: String
        var department: String
        var subject: String
        var detail: String
        var link: String
    }

    struct Page: Content {
        var kind: String
        var title: String
        var period: String
        var label: String
        var scope: String
        var centerID: UUID
        var total: Int
        var page: Int
        var pageSize: Int
        var records: [Record]
    }

    static let pageSize = 50
    /// A CSV export holds at most this many rows.
    static let exportLimit = 100_000

    /// One kind's query: the rows' select list, source and conditions (without the scope's).
    struct Source {
        var select: String
        var from: String
        var conditions: SQLQueryString
        var order: String
        /// Columns of the record's center, department, window and staff member.
        var center: String
        var department: String
        var window: String
        var staff: String
    }

    static let casePlace = "LEFT JOIN tickets t ON t.id = c.ticket_id LEFT JOIN users u ON u.id = c.handler_id"

    static func source(_ kind: IndicatorRecordKind, period: EvaluationPeriod) -> Source {
        let from = period.first.description
        let to = period.last.description
        let start = HallClock.millis(HallClock.instant(period.first, minute: 0))
        let end = HallClock.millis(HallClock.instant(period.last.adding(days: 1), minute: 0))
        let caseColumns = (
            center: "c.center_id", department: "c.department_id", window: "t.window_id",
            staff: "COALESCE(t.staff_id, u.staff_id)"
        )
        switch kind {
        case .lateCases:
            return Source(
                select:
                    "c.decided_on AS day, c.number AS reference, c.department_id, c.item_name AS subject, c.promised_due AS detail, c.id AS link",
                from: "cases c " + casePlace,
                conditions:
                    "c.decided_on >= \(bind: from) AND c.decided_on <= \(bind: to) AND c.promised_due IS NOT NULL AND c.decided_on > c.promised_due",
                order: "c.decided_on, c.number", center: caseColumns.center, department: caseColumns.department,
                window: caseColumns.window, staff: caseColumns.staff)
        case .acceptedCases:
            return Source(
                select:
                    "c.accepted_on AS day, c.number AS reference, c.department_id, c.item_name AS subject, c.channel AS detail, c.id AS link",
                from: "cases c " + casePlace, conditions: "c.accepted_on >= \(bind: from) AND c.accepted_on <= \(bind: to)",
                order: "c.accepted_on, c.number", center: caseColumns.center, department: caseColumns.department,
                window: caseColumns.window, staff: caseColumns.staff)
        case .onlineDecisions:
            return Source(
                select: "e.day AS day, c.number AS reference, c.department_id, c.item_name AS subject, e.action AS detail, c.id AS link",
                from: "cases c JOIN case_events e ON e.case_id = c.id " + casePlace,
                conditions:
                    "e.day >= \(bind: from) AND e.day <= \(bind: to) AND e.action IN ('accept', 'refuse') AND c.channel = 'online'",
                order: "e.day, c.number", center: caseColumns.center, department: caseColumns.department, window: caseColumns.window,
                staff: caseColumns.staff)
        case .anomalies:
            return Source(
                select: "a.day AS day, c.number AS reference, a.department_id, a.kind AS subject, a.detail AS detail, c.id AS link",
                from: "anomalies a JOIN cases c ON c.id = a.case_id " + casePlace,
                conditions: "a.day >= \(bind: from) AND a.day <= \(bind: to) AND a.withdrawn = ''", order: "a.day, c.number",
                center: "a.center_id", department: "a.department_id", window: caseColumns.window, staff: caseColumns.staff)
        case .badRatings:
            return Source(
                select: "r.at AS at, r.channel AS reference, r.department_id, r.tags AS subject, r.level AS level, r.id AS link",
                from: "ratings r",
                conditions:
                    "r.at >= \(bind: start) AND r.at < \(bind: end) AND r.round = 1 AND r.excluded = \(bind: false) AND r.level IS NOT NULL AND r.level <= 2",
                order: "r.at", center: "r.center_id", department: "r.department_id", window: "r.window_id", staff: "r.staff_id")
        case .lateRectifications:
            return Source(
                select:
                    "b.due_on AS day, r.channel AS reference, r.department_id, r.tags AS subject, b.resolved_on AS detail, r.id AS link",
                from: "bad_ratings b JOIN ratings r ON r.id = b.id",
                conditions: """
                    b.due_on >= \(bind: from) AND b.due_on <= \(bind: to) AND r.round = 1 AND r.excluded = \(bind: false)
                    AND NOT (b.resolution IS NOT NULL AND b.resolved_on IS NOT NULL AND b.resolved_on <= b.due_on)
                    """, order: "b.due_on, r.at", center: "r.center_id", department: "r.department_id", window: "r.window_id",
                staff: "r.staff_id")
        case .validComplaints:
            return Source(
                select:
                    "o.received_at AS at, o.number AS reference, o.department_id, o.title AS subject, o.judge_note AS detail, o.id AS link",
                from: "work_orders o",
                conditions:
                    "o.received_at >= \(bind: start) AND o.received_at < \(bind: end) AND o.kind = 'complaint' AND o.valid = \(bind: true)",
                order: "o.received_at", center: "o.center_id", department: "o.department_id", window: "o.window_id", staff: "o.staff_id")
        case .dissatisfiedCallBacks:
            return Source(
                select: "e.at AS at, o.number AS reference, e.department_id, o.title AS subject, e.outcome AS detail, o.id AS link",
                from: "work_order_events e JOIN work_orders o ON o.id = e.order_id",
                conditions: """
                    e.at >= \(bind: start) AND e.at < \(bind: end) AND e.action = 'call_back' AND o.kind = 'complaint'
                    AND e.outcome NOT IN ('', 'merged') AND (',' || e.outcome || ',') NOT LIKE '%,not_reached,%'
                    AND (',' || e.outcome || ',') NOT LIKE '%,satisfied,%' AND (',' || e.outcome || ',') NOT LIKE '%,basically,%'
                    """, order: "e.at", center: "e.center_id", department: "e.department_id", window: "o.window_id", staff: "o.staff_id")
        case .outsideScores:
            // A scorecard is of a person or a unit, never of a window: a window's scope has none.
            return Source(
                select:
                    "o.day AS day, o.evaluator_role AS reference, o.department_id, o.subject_name AS subject, CAST(o.score AS TEXT) AS detail, o.rating_id AS link",
                from: "outside_scores o", conditions: "o.day >= \(bind: from) AND o.day <= \(bind: to)", order: "o.day, o.updated_at",
                center: "o.center_id", department: "o.department_id", window: "NULL", staff: "o.staff_id")
        }
    }

    /// The source's conditions with the scope's: its centers, and the department, window or
    /// staff member asked for.
    static func conditions(_ s: Source, centers: Set<UUID>, scope: String, sql: any SQLDatabase) -> SQLQueryString {
        var q = s.conditions
        q.appendLiteral(" AND \(s.center) IN ")
        q.appendInterpolation(sql.idList(centers.sorted { $0.uuidString < $1.uuidString }))
        let parts = scope.split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2, let id = UUID(uuidString: parts[1]) {
            let column = parts[0] == "department" ? s.department : parts[0] == "window" ? s.window : s.staff
            q.appendLiteral(" AND \(column) = ")
            q.appendInterpolation(sql.bind(id: id))
        }
        return q
    }

    static func page(
        _ kind: IndicatorRecordKind, _ q: IndicatorService.Query, page: Int, limit: Int = pageSize, req: Request
    ) async throws -> Page {
        try await IndicatorStore.catchUp(app: req.application, now: req.now)
        let sql = try SQLRows.sql(req.db)
        let centers = try await IndicatorService.centers(q, req: req)
        let s = source(kind, period: q.period)
        let conditions = conditions(s, centers: centers, scope: q.scope, sql: sql)
        // The total is the figure's (which the records agree with: the tests hold them together),
        // read from the kept tallies; counting the rows would visit every one of the range.
        let indicator = kind.indicator
        let counts = try await IndicatorService.counts(q, period: q.period, centers: centers, on: req.db)
        let total = indicator.recordCount(indicator.figure(counts)) ?? 0
        struct Row: Decodable {
            var day: String?
            var at: Int64?
            var reference: String
            var departmentID: UUID?
            var subject: String?
            var detail: String?
            var level: Int?
            var link: UUID

            enum CodingKeys: String, CodingKey {
                case day
                case at
                case reference
                case departmentID = "department_id"
                case subject
                case detail
                case level
                case link
            }
        }
        let rows = try await sql.raw(
            """
            SELECT \(unsafeRaw: s.select) FROM \(unsafeRaw: s.from) WHERE \(conditions)
            ORDER BY \(unsafeRaw: s.order) LIMIT \(bind: limit) OFFSET \(bind: max(0, page - 1) * limit)
            """
        ).all(decoding: Row.self)
        let names = try await WorkOrderPages.departmentNames(Array(Set(rows.compactMap(\.departmentID))), on: req.db)
        let records = rows.map { r in
            Record(
                day: r.day ?? r.at.map { HallClock.day(Date(timeIntervalSince1970: Double($0) / 1000)).description } ?? "",
                reference: reference(kind, r.reference, req: req), department: r.departmentID.flatMap { names[$0] } ?? "",
                subject: subject(kind, r.subject ?? "", req: req), detail: detail(kind, r.detail, level: r.level, req: req),
                link: link(kind, r.link))
        }
        return Page(
            kind: kind.rawValue, title: req.t("indicator.records.\(kind.rawValue)"), period: q.period.description, label: q.period.label,
            scope: q.scope, centerID: q.center, total: total, page: page, pageSize: limit, records: records)
    }

    static func reference(_ kind: IndicatorRecordKind, _ v: String, req: Request) -> String {
        switch kind {
        case .badRatings, .lateRectifications: return req.t("rating.channel.\(v)")
        case .outsideScores: return req.t("role.\(v)")
        default: return v
        }
    }

    static func subject(_ kind: IndicatorRecordKind, _ v: String, req: Request) -> String {
        switch kind {
        case .anomalies: return req.t("anomaly.kind.\(v)")
        case .badRatings, .lateRectifications:
            return v.split(separator: ",").map { req.t("rating.tag.\($0)") }.joined(separator: "、")
        default: return v
        }
    }

    static func detail(_ kind: IndicatorRecordKind, _ v: String?, level: Int?, req: Request) -> String {
        switch kind {
        case .lateCases: return req.t("indicator.records.promisedDue", ["day": v ?? ""])
        case .acceptedCases: return req.t("indicator.records.channel.\(v ?? "")")
        case .onlineDecisions: return req.t("indicator.records.decision.\(v ?? "")")
        case .badRatings: return req.t("rating.level.\(level ?? 0)")
        case .lateRectifications:
            return v.map { req.t("indicator.records.resolvedOn", ["day": $0]) } ?? req.t("indicator.records.unresolved")
        case .dissatisfiedCallBacks:
            return (v ?? "").split(separator: ",").map { req.t("workOrder.outcome.\($0)") }.joined(separator: "、")
        case .anomalies, .validComplaints: return v ?? ""
        case .outsideScores: return req.t("indicator.records.outsideScore", ["score": ScoringRule.number(Double(v ?? "") ?? 0)])
        }
    }

    static func link(_ kind: IndicatorRecordKind, _ id: UUID) -> String {
        switch kind {
        case .lateCases, .acceptedCases, .onlineDecisions, .anomalies: return "/cases/\(id)"
        case .badRatings, .lateRectifications: return "/ratings/\(id)"
        case .validComplaints, .dissatisfiedCallBacks: return "/work-orders/\(id)"
        case .outsideScores: return "/star-ratings/\(id)"
        }
    }

    static func export(_ p: Page, _ format: TableExport.Format, req: Request) -> Response {
        let head = ["day", "reference", "department", "subject", "detail"].map { req.t("indicator.records.column.\($0)") }
        let rows: [[XLSX.Cell]] = p.records.map {
            [.text($0.day), .text($0.reference), .text($0.department), .text($0.subject), .text($0.detail)]
        }
        return TableExport.response(
            format, file: "\(p.kind)-\(p.period.replacingOccurrences(of: ":", with: "-"))", sheet: p.title, head: head, rows: rows)
    }

    /// The kind asked for: `records`, or the indicator's (`indicator`).
    static func kind(_ req: Request) throws -> IndicatorRecordKind {
        if let k = req.query[String.self, at: "records"], !k.isEmpty {
            guard let kind = IndicatorRecordKind(rawValue: k) else { throw ValidationFailure([FieldError("records", "invalidChoice")]) }
            return kind
        }
        guard let i = Indicator(rawValue: req.query[String.self, at: "indicator"] ?? ""), let kind = i.recordKind else {
            throw ValidationFailure([FieldError("indicator", "invalidChoice")])
        }
        return kind
    }
}
