import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 异常办理: the anomalies supervision records (overdue, refused although complete, a step or a
/// co-department task overrunning, a fee outside the published standard), as the indicators a
/// supervisor reads: how many of each kind in a period, and the cases behind them.
struct AnomalyDTO: Content {
    var id: UUID
    var caseID: UUID
    var caseNumber: String
    var itemName: String
    var centerID: UUID
    var departmentID: UUID
    var kind: String
    var day: String
    var detail: String
}

struct AnomalyReport: Content {
    struct Count: Content {
        var kind: String
        var count: Int
    }
    var counts: [Count]
    var anomalies: [AnomalyDTO]
}

enum SupervisionAnomalies {
    /// The kind as the indicator it counts toward: a task's overrun is one kind whatever the task.
    static func indicator(_ kind: String) -> String { kind.hasPrefix("task_overrun") ? "task_overrun" : kind }

    static let indicators = [
        "overdue", "refused_complete", "acceptance_overrun", "delivery_overrun", "special_overrun", "task_overrun", "fee_outside_standard",
    ]

    /// The caller's anomalies, newest first, with counts per indicator over the same filter. A
    /// chief representative sees their department's; window staff, those of the cases they handle.
    static func report(_ req: Request) async throws -> AnomalyReport {
        let scope = try await req.scope()
        let p = scope.principal
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        var errors: [FieldError] = []
        let from = req.query[String.self, at: "from"].flatMap { $0.isEmpty ? nil : $0 }
        let to = req.query[String.self, at: "to"].flatMap { $0.isEmpty ? nil : $0 }
        if let from, CivilDate(from) == nil { errors.append(FieldError("from", "date")) }
        if let to, CivilDate(to) == nil { errors.append(FieldError("to", "date")) }
        let kind = req.query[String.self, at: "kind"].flatMap { $0.isEmpty ? nil : $0 }
        if let kind, !indicators.contains(kind) { errors.append(FieldError("kind", "invalidChoice")) }
        var centers = Array(scope.centers)
        if let raw = req.query[String.self, at: "centerID"], !raw.isEmpty {
            if let id = UUID(uuidString: raw), scope.contains(id) {
                centers = [id]
            } else {
                errors.append(FieldError("centerID", "invalidReference"))
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        func filtered(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            // An anomaly a calendar change made void stays on record but counts no more.
            var q = q.where(SQLColumn("center_id", table: "a"), .in, SQLBind.group(centers))
                .where(SQLColumn("withdrawn", table: "a"), .equal, SQLBind(""))
            if p.role == .chiefRepresentative, let d = p.departmentID {
                q = q.where(SQLColumn("department_id", table: "a"), .equal, SQLBind(d))
            }
            if p.role == .windowStaff { q = q.where(SQLColumn("handler_id", table: "c"), .equal, SQLBind(p.id)) }
            if let from { q = q.where(SQLColumn("day", table: "a"), .greaterThanOrEqual, SQLBind(from)) }
            if let to { q = q.where(SQLColumn("day", table: "a"), .lessThanOrEqual, SQLBind(to)) }
            return q
        }
        func base() -> SQLSelectBuilder {
            sql.select().from(SQLAlias(SQLIdentifier("anomalies"), as: SQLIdentifier("a")))
                .join(
                    SQLAlias(SQLIdentifier("cases"), as: SQLIdentifier("c")), on: SQLColumn("case_id", table: "a"), .equal,
                    SQLColumn("id", table: "c"))
        }
        struct KindRow: Decodable {
            var kind: String
            var n: Int
        }
        var counts: [String: Int] = [:]
        for r in try await filtered(
            base().column(SQLColumn("kind", table: "a")).column(
                SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n"))
            )
            .groupBy(SQLColumn("kind", table: "a"))
        ).all(decoding: KindRow.self) {
            counts[indicator(r.kind), default: 0] += r.n
        }
        struct Row: Decodable {
            var id: UUID
            var caseID: UUID
            var number: String
            var itemName: String
            var centerID: UUID
            var departmentID: UUID
            var kind: String
            var day: String
            var detail: String
            enum CodingKeys: String, CodingKey {
                case id, number, kind, day, detail
                case caseID = "case_id", itemName = "item_name", centerID = "center_id", departmentID = "department_id"
            }
        }
        var q = filtered(
            base().column(SQLColumn("id", table: "a")).column(SQLColumn("case_id", table: "a")).column(SQLColumn("number", table: "c"))
                .column(SQLColumn("item_name", table: "c")).column(SQLColumn("center_id", table: "a"))
                .column(SQLColumn("department_id", table: "a")).column(SQLColumn("kind", table: "a")).column(SQLColumn("day", table: "a"))
                .column(SQLColumn("detail", table: "a")))
        if let kind {
            q =
                kind == "task_overrun"
                ? q.where(SQLColumn("kind", table: "a"), .like, SQLBind("task_overrun%"))
                : q.where(SQLColumn("kind", table: "a"), .equal, SQLBind(kind))
        }
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 100, 1), 500)
        let rows = try await q.orderBy(SQLColumn("day", table: "a"), SQLDirection.descending).orderBy(SQLColumn("number", table: "c"))
            .limit(limit)
            .all(decoding: Row.self)
        return AnomalyReport(
            counts: indicators.map { .init(kind: $0, count: counts[$0] ?? 0) },
            anomalies: rows.map {
                AnomalyDTO(
                    id: $0.id, caseID: $0.caseID, caseNumber: $0.number, itemName: $0.itemName, centerID: $0.centerID,
                    departmentID: $0.departmentID, kind: $0.kind, day: $0.day, detail: $0.detail)
            })
    }

    // MARK: the page

    struct Line: Encodable {
        var caseID: String
        var number: String
        var itemName: String
        var kindLabel: String
        var day: String
        var detail: String
    }

    struct Indicator: Encodable {
        var label: String
        var count: Int
        /// The list of this indicator alone, keeping the other filters.
        var href: String
    }

    struct PageView: Encodable {
        var counts: [Indicator]
        var kinds: [FormView.Option]
        var centers: [FormView.Option]
        var from: String
        var to: String
        var lines: [Line]
        var errors: [String]
    }

    static func page(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let kind = req.query[String.self, at: "kind"] ?? ""
        var report = AnomalyReport(counts: [], anomalies: [])
        var errors: [String] = []
        var status = HTTPResponseStatus.ok
        do {
            report = try await self.report(req)
        } catch let v as ValidationFailure {
            errors = v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
            status = .unprocessableEntity
        }
        let view = PageView(
            counts: report.counts.map { c in
                var q = ["kind=\(c.kind)"]
                for key in ["centerID", "from", "to"] {
                    if let v = req.query[String.self, at: key], !v.isEmpty {
                        q.append(key + "=" + (v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                    }
                }
                return Indicator(
                    label: req.t("anomaly.kind.\(c.kind)"), count: c.count, href: "/supervision/anomalies?" + q.joined(separator: "&"))
            },
            kinds: [.init(value: "", label: req.t("anomaly.allKinds"), selected: kind.isEmpty)]
                + indicators.map { .init(value: $0, label: req.t("anomaly.kind.\($0)"), selected: $0 == kind) },
            centers: req.centerOptions(
                scope, selected: req.query[String.self, at: "centerID"] ?? "", includeNone: req.t("supervision.allCenters")),
            from: req.query[String.self, at: "from"] ?? "", to: req.query[String.self, at: "to"] ?? "",
            lines: report.anomalies.map {
                Line(
                    caseID: $0.caseID.uuidString, number: $0.caseNumber, itemName: $0.itemName,
                    kindLabel: req.t("anomaly.kind.\(indicator($0.kind))"), day: $0.day, detail: $0.detail)
            }, errors: errors)
        return try await req.page("supervision/anomalies", title: req.t("anomaly.title"), view, status: status)
    }
}
