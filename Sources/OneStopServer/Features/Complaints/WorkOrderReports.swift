import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The report of 接诉即办 per department and period (issue 20): received, signed in time, returned,
/// replied in time, call-backs solved and satisfied, reopened, valid complaints, and the response,
/// solution and satisfaction rates. Counted from the steps taken in the period
/// (`WorkOrderFigures.tally`), read with one grouped query over the history's (center, at) index.
/// Nothing of any caller is in it.
enum WorkOrderReports {
    /// A chief representative sees their own department's row and nothing else.
    static let access = Access.only(.hotlineOperator, .centerAdmin, .supervisor, .chiefRepresentative)

    struct Row: Content {
        var departmentID: UUID?
        var department: String
        var received: Int
        var dispatched: Int
        var signedInTime: Int
        var returned: Int
        var replied: Int
        var repliedInTime: Int
        var callBacks: Int
        var solved: Int
        var satisfied: Int
        var reopened: Int
        var validComplaints: Int
        var responseRate: Double?
        var replyOnTimeRate: Double?
        var solvedRate: Double?
        var satisfactionRate: Double?
        var figures: WorkOrderFigures {
            var f = WorkOrderFigures()
            (f.received, f.dispatched, f.signedInTime, f.returned) = (received, dispatched, signedInTime, returned)
            (f.replied, f.repliedInTime, f.callBacks, f.solved) = (replied, repliedInTime, callBacks, solved)
            (f.satisfied, f.reopened, f.validComplaints) = (satisfied, reopened, validComplaints)
            return f
        }

        init(_ id: UUID?, _ name: String, _ f: WorkOrderFigures) {
            (departmentID, department) = (id, name)
            (received, dispatched, signedInTime, returned) = (f.received, f.dispatched, f.signedInTime, f.returned)
            (replied, repliedInTime, callBacks, solved) = (f.replied, f.repliedInTime, f.callBacks, f.solved)
            (satisfied, reopened, validComplaints) = (f.satisfied, f.reopened, f.validComplaints)
            (responseRate, replyOnTimeRate, solvedRate, satisfactionRate) = (
                f.responseRate, f.replyOnTimeRate, f.solvedRate, f.satisfactionRate
            )
        }
    }

    struct Report: Content {
        var centerID: UUID
        var centerName: String
        var from: String
        var to: String
        var rows: [Row]
        var total: Row
    }

    static func report(center: UUID, range: QueueReports.Range, req: Request) async throws -> Report {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        try scope.require(center)
        guard let sql = req.db as? any SQLDatabase, let c = try await CenterModel.find(center, on: req.db) else {
            throw Abort(.notFound)
        }
        let start = HallClock.millis(HallClock.instant(range.from, minute: 0))
        let end = HallClock.millis(HallClock.instant(range.to.adding(days: 1), minute: 0))
        struct Line: Decodable {
            var department: UUID?
            var action: String
            var outcome: String
            var times: Int
            var orders: Int
        }
        let own = p.role == .chiefRepresentative ? p.departmentID : nil
        if p.role == .chiefRepresentative, own == nil { throw Abort(.forbidden) }
        let lines = try await sql.raw(
            """
            SELECT department_id AS department, action, outcome, COUNT(*) AS times, COUNT(DISTINCT order_id) AS orders
            FROM work_order_events WHERE center_id = \(bind: center) AND at >= \(bind: start) AND at < \(bind: end)
            GROUP BY department_id, action, outcome
            """
        ).all(decoding: Line.self)
        let groups = lines.filter { own == nil || $0.department == own }.map {
            WorkOrderFigures.Group(
                department: $0.department?.uuidString, action: $0.action, outcome: $0.outcome, times: $0.times, orders: $0.orders)
        }
        let (byDepartment, total) = WorkOrderFigures.tally(groups)
        let ids = byDepartment.keys.compactMap(UUID.init(uuidString:))
        let names = try await WorkOrderPages.departmentNames(ids, on: req.db)
        let rows = ids.map { Row($0, names[$0] ?? $0.uuidString, byDepartment[$0.uuidString]!) }.sorted {
            ($0.department, $0.departmentID?.uuidString ?? "") < ($1.department, $1.departmentID?.uuidString ?? "")
        }
        return Report(
            centerID: center, centerName: c.name, from: range.from.description, to: range.to.description, rows: rows,
            total: Row(nil, req.t(own == nil ? "workOrder.report.total" : "workOrder.report.ownTotal"), total))
    }

    /// The report's cells: the department, the counts, the rates in per cent ("—" when nothing to
    /// divide by, or `none`).
    static func cells(_ r: Row, none: String) -> [String] {
        let values = r.figures.columns
        let counts = values.count - WorkOrderFigures.rateColumns
        return [r.department]
            + values.enumerated().map { i, v in
                guard let v else { return none }
                return i < counts ? String(Int(v)) : String(format: "%.1f", v * 100)
            }
    }

    static func columns(_ req: Request) -> [String] {
        [req.t("workOrder.report.department")] + WorkOrderFigures.columnNames.map { req.t("workOrder.report.\($0)") }
    }

    static func csv(_ r: Report, req: Request) -> String {
        let lines = [columns(req)] + (r.rows + [r.total]).map { cells($0, none: "") }
        return "\u{FEFF}" + lines.map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// The report from the query (`center`, `from`, `to`), as JSON or, with `format=csv`, a file.
    static func answer(_ req: Request) async throws -> Response {
        let report = try await fromQuery(req)
        if req.query[String.self, at: "format"] == "csv" {
            let response = Response(status: .ok, body: .init(string: csv(report, req: req)))
            response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
            response.headers.replaceOrAdd(
                name: .contentDisposition, value: "attachment; filename=\"work-orders-\(report.from)-\(report.to).csv\"")
            return response
        }
        return try await report.encodeResponse(for: req)
    }

    static func fromQuery(_ req: Request) async throws -> Report {
        var errors: [FieldError] = []
        let range = QueueReports.parseRange(
            from: req.query["from"], to: req.query["to"], today: HallClock.day(req.now), errors: &errors)
        guard let range else { throw ValidationFailure(errors) }
        return try await report(center: req.chosenCenter(req.scope()), range: range, req: req)
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "work-orders", "report", access: access,
            operation: .init(
                id: "workOrderReport",
                summary:
                    "接诉即办 per department and period: received, signed in time, returned, replied in time, solved, satisfied, reopened, valid complaints and the rates; a chief representative gets their department's row",
                tag: "Work orders", response: "WorkOrderReport",
                query: [
                    .init(name: "center", type: "string", description: "code or id (default the caller's)"),
                    .init(name: "from", type: "string", format: "date", description: "YYYY-MM-DD (default today)"),
                    .init(name: "to", type: "string", format: "date", description: "YYYY-MM-DD (default: from)"),
                    .init(name: "format", type: "string", description: "json (default) or csv"),
                ])
        ) { req in try await answer(req) }
    }

    struct PageView: Encodable {
        var centerOptions: [FormView.Option]
        var from: String
        var to: String
        var columns: [String]
        var rows: [[String]]
        var total: [String]
        /// Any step in the period: the center's total row counts orders no department has yet.
        var hasData: Bool
        var csvHref: String
        var errors: [String]
        var printed: String
    }

    static func register(pages app: any RoutesBuilder) {
        app.endpoint(.GET, "work-orders", "report", access: access) { req in
            let scope = try await req.scope()
            let today = HallClock.day(req.now).description
            var errors: [String] = []
            var report: Report?
            do {
                report = try await fromQuery(req)
            } catch let v as ValidationFailure {
                errors = v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
            }
            let from = report?.from ?? req.query["from"] ?? today
            let to = report?.to ?? req.query["to"] ?? today
            var csv = URLComponents()
            csv.path = "/api/v1/work-orders/report"
            csv.queryItems = [
                .init(name: "center", value: (report?.centerID ?? scope.principal.centerID).uuidString), .init(name: "from", value: from),
                .init(name: "to", value: to), .init(name: "format", value: "csv"),
            ]
            let stamp = DateFormatter()
            stamp.timeZone = HallClock.zone
            stamp.dateFormat = "yyyy-MM-dd HH:mm"
            let view = PageView(
                centerOptions: req.centerOptions(scope, selected: (report?.centerID ?? scope.principal.centerID).uuidString),
                from: from, to: to, columns: columns(req), rows: report?.rows.map { cells($0, none: "—") } ?? [],
                total: report.map { cells($0.total, none: "—") } ?? [],
                hasData: report.map {
                    !$0.rows.isEmpty || $0.total.figures.columns.dropLast(WorkOrderFigures.rateColumns).contains { ($0 ?? 0) > 0 }
                }
                    ?? false,
                csvHref: csv.string ?? "", errors: errors,
                printed: req.t(
                    "queue.report.printed",
                    ["from": from, "to": to, "at": stamp.string(from: req.now), "zone": HallClock.zone.identifier]))
            return try await req.page(
                "work-orders/report", title: req.t("workOrder.report.title"), view, status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
    }
}
