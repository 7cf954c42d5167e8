import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/indicators` and `/indicators/records`, and their API (`getIndicators`,
/// `getIndicatorRecords`): the indicator table of a period and scope, and the records behind a
/// figure (issue 21).
enum IndicatorRoutes {
    static let schemas: [String: JSONValue] = {
        typealias S = OpenAPISchemas
        let optionalNumber: JSONValue = ["type": ["number", "null"]]
        let optionalInteger: JSONValue = ["type": ["integer", "null"]]
        let figure = S.object([
            "indicator": CaseSchemas.names(Indicator.self), "name": S.string, "group": S.string, "formula": S.string, "unit": S.string,
            "numerator": S.integer, "denominator": optionalInteger, "value": optionalNumber, "text": S.string, "available": S.bool,
            "note": S.string, "previousValue": optionalNumber, "previousText": S.string, "change": optionalNumber,
            "improved": ["type": ["boolean", "null"]], "records": ["type": ["string", "null"]], "recordCount": optionalInteger,
        ])
        let row = S.object([
            "departmentID": S.uuid, "department": S.string,
            "values": ["type": "object", "additionalProperties": optionalNumber],
            "texts": ["type": "object", "additionalProperties": S.string],
        ])
        return [
            "IndicatorTable": S.object([
                "centerID": S.uuid, "centerName": S.string, "scope": S.string, "scopeName": S.string, "period": S.string,
                "label": S.string, "from": S.date, "to": S.date, "previousPeriod": S.string, "previousLabel": S.string,
                "figures": ["type": "array", "items": figure], "departments": ["type": "array", "items": row],
            ]),
            "IndicatorRecords": S.object([
                "kind": CaseSchemas.names(IndicatorRecordKind.self), "title": S.string, "period": S.string, "label": S.string,
                "scope": S.string, "centerID": S.uuid, "total": S.integer, "page": S.integer, "pageSize": S.integer,
                "records": [
                    "type": "array",
                    "items": S.object([
                        "day": S.string, "reference": S.string, "department": S.string, "subject": S.string, "detail": S.string,
                        "link": S.string,
                    ]),
                ],
            ]),
        ]
    }()

    static let queryParameters: [APIOperation.QueryParameter] = [
        .init(name: "center", type: "string", description: "code or id (default the caller's)"),
        .init(
            name: "scope", type: "string",
            description: "subtree (default: the center and the centers below it), center, or department:<id>, window:<id>, staff:<id>"),
        .init(
            name: "period", type: "string",
            description:
                "a period key: day:2026-12-05, week:2026-11-30, month:2026-12, quarter:2026-Q4, half_year:2026-H2, year:2026, range:2026-11-01..2026-11-15"
        ),
        .init(name: "kind", type: "string", description: "without period: day, week, month (default), quarter, half_year, year or range"),
        .init(name: "date", type: "string", format: "date", description: "a day in the period (default today)"),
        .init(name: "from", type: "string", format: "date", description: "first day of a range"),
        .init(name: "to", type: "string", format: "date", description: "last day of a range"),
    ]

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "indicators", access: IndicatorService.access,
            operation: .init(
                id: "getIndicators",
                summary:
                    "Every GB/T 32169.4 indicator of a period and scope with its formula, numerator and denominator and the previous period; the scope's departments one row each. A chief representative gets their department",
                tag: "Evaluation", response: "IndicatorTable",
                query: queryParameters + [.init(name: "format", type: "string", description: "json (default), csv or xlsx")])
        ) { req -> Response in
            let table = try await IndicatorService.table(try await IndicatorService.query(req), req: req)
            if let format = TableExport.format(req) { return export(table, format, req: req) }
            return try await table.encodeResponse(for: req)
        }
        api.endpoint(
            .GET, "indicators", "records", access: IndicatorService.access,
            operation: .init(
                id: "getIndicatorRecords",
                summary:
                    "The records behind a figure (late cases, bad ratings, anomalies, valid complaints…), filtered as the figure counted them; 50 a page, or all as CSV",
                tag: "Evaluation", response: "IndicatorRecords",
                query: queryParameters + [
                    .init(name: "indicator", type: "string", description: "the indicator whose records to list"),
                    .init(name: "records", type: "string", description: "or the kind of records itself"),
                    .init(name: "page", type: "integer", description: "1 (default) and on"),
                    .init(name: "format", type: "string", description: "json (default), csv or xlsx"),
                ])
        ) { req in try await records(req) }
    }

    /// The table as a file: each indicator with its value (per cent for a rate), numerator,
    /// denominator, the previous period's value and the formula; then the departments' rows.
    static func export(_ t: IndicatorService.Table, _ format: TableExport.Format, req: Request) -> Response {
        func number(_ v: Double?, _ unit: String) -> XLSX.Cell {
            guard let v else { return .empty }
            return .number(unit == "count" ? v : (v * 1000).rounded() / 10)
        }
        let head = ["name", "value", "numerator", "denominator", "previous", "formula"].map { req.t("indicator.export.\($0)") }
        var rows: [[XLSX.Cell]] = t.figures.map { f in
            [
                .text(f.name), number(f.value, f.unit), f.available ? .number(Double(f.numerator)) : .empty,
                f.denominator.map { .number(Double($0)) } ?? .empty, number(f.previousValue, f.unit), .text(f.formula),
            ]
        }
        if !t.departments.isEmpty {
            rows.append([])
            rows.append(
                [.text(req.t("workOrder.report.department"))]
                    + IndicatorService.departmentColumns.map { .text(req.t("indicator.\($0.rawValue)")) })
            for d in t.departments {
                rows.append(
                    [.text(d.department)]
                        + IndicatorService.departmentColumns.map { i in
                            number(d.values[i.rawValue] ?? nil, i.unit == .count ? "count" : "rate")
                        })
            }
        }
        return TableExport.response(
            format, file: "indicators-\(t.period.replacingOccurrences(of: ":", with: "-"))", sheet: t.label, head: head, rows: rows)
    }

    static func records(_ req: Request) async throws -> Response {
        let kind = try IndicatorRecords.kind(req)
        let q = try await IndicatorService.query(req)
        if let format = TableExport.format(req) {
            let page = try await IndicatorRecords.page(kind, q, page: 1, limit: IndicatorRecords.exportLimit, req: req)
            return IndicatorRecords.export(page, format, req: req)
        }
        let n = max(1, min(req.query[Int.self, at: "page"] ?? 1, 100_000))
        return try await IndicatorRecords.page(kind, q, page: n, req: req).encodeResponse(for: req)
    }

    // MARK: pages

    struct FigureView: Encodable {
        var figure: IndicatorService.FigureDTO
        var recordsHref: String?
        var trend: String
        /// "38 / 40", "3", "163 项" for a mean over items, or "—" when the records are not kept.
        var terms: String
        /// What the records cell says without a link: none to list, or none kept.
        var noRecords: String
    }

    struct GroupView: Encodable {
        var name: String
        var figures: [FigureView]
    }

    struct PageView: Encodable {
        var centerOptions: [FormView.Option]
        var scopeOptions: [FormView.Option]
        var kindOptions: [FormView.Option]
        var date: String
        var from: String
        var to: String
        var isRange: Bool
        var table: IndicatorService.Table?
        /// The period's days when its name does not say them (a month, a quarter…).
        var dates: String
        var groups: [GroupView]
        var columns: [(key: String, name: String)]
        var rows: [(department: String, href: String, cells: [String])]
        var earlier: String
        var later: String
        /// The table as files (the API with `format`).
        var exportCSV: String
        var exportXLSX: String
        var errors: [String]
        var printed: String

        enum CodingKeys: String, CodingKey {
            case centerOptions, scopeOptions, kindOptions, date, from, to, isRange, table, dates, groups, columnNames, rows, earlier, later,
                exportCSV, exportXLSX,
                errors,
                printed
        }

        struct Row: Encodable {
            var department: String
            var href: String
            var cells: [String]
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(centerOptions, forKey: .centerOptions)
            try c.encode(scopeOptions, forKey: .scopeOptions)
            try c.encode(kindOptions, forKey: .kindOptions)
            try c.encode(date, forKey: .date)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(isRange, forKey: .isRange)
            try c.encodeIfPresent(table, forKey: .table)
            try c.encode(dates, forKey: .dates)
            try c.encode(groups, forKey: .groups)
            try c.encode(columns.map(\.name), forKey: .columnNames)
            try c.encode(rows.map { Row(department: $0.department, href: $0.href, cells: $0.cells) }, forKey: .rows)
            try c.encode(earlier, forKey: .earlier)
            try c.encode(later, forKey: .later)
            try c.encode(exportCSV, forKey: .exportCSV)
            try c.encode(exportXLSX, forKey: .exportXLSX)
            try c.encode(errors, forKey: .errors)
            try c.encode(printed, forKey: .printed)
        }
    }

    /// The query string of a table or its records, as links carry it.
    static func href(_ path: String, center: UUID, scope: String, period: EvaluationPeriod, extra: [URLQueryItem] = []) -> String {
        var u = URLComponents()
        u.path = path
        u.queryItems =
            [
                .init(name: "center", value: center.uuidString.lowercased()), .init(name: "scope", value: scope),
                .init(name: "period", value: period.description),
            ] + extra
        return u.string ?? path
    }

    static func register(pages app: any RoutesBuilder) {
        app.endpoint(.GET, "indicators", access: IndicatorService.access) { req in try await page(req) }
        app.endpoint(.GET, "indicators", "records", access: IndicatorService.access) { req in try await recordsPage(req) }
    }

    static func scopeOptions(_ req: Request, center: UUID, selected: String) async throws -> [FormView.Option] {
        var out: [FormView.Option] = [
            .init(value: "subtree", label: req.t("indicator.scope.subtree"), selected: selected == "subtree"),
            .init(value: "center", label: req.t("indicator.scope.center"), selected: selected == "center"),
        ]
        for d in try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all() {
            guard let id = d.id else { continue }
            let v = "department:" + id.uuidString.lowercased()
            out.append(.init(value: v, label: req.t("indicator.scope.department", ["name": d.name]), selected: selected == v))
        }
        for w in try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all() {
            guard let id = w.id else { continue }
            let v = "window:" + id.uuidString.lowercased()
            out.append(.init(value: v, label: req.t("indicator.scope.window", ["name": w.name]), selected: selected == v))
        }
        for s in try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all() {
            guard let id = s.id else { continue }
            let v = "staff:" + id.uuidString.lowercased()
            out.append(.init(value: v, label: req.t("indicator.scope.staff", ["name": s.name]), selected: selected == v))
        }
        if !out.contains(where: \.selected), selected.contains(":") {
            out.append(.init(value: selected, label: selected, selected: true))
        }
        return out
    }

    static func page(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let today = HallClock.day(req.now)
        var errors: [String] = []
        var table: IndicatorService.Table?
        var query: IndicatorService.Query?
        do {
            let q = try await IndicatorService.query(req)
            query = q
            table = try await IndicatorService.table(q, req: req)
        } catch let v as ValidationFailure {
            errors = v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
        }
        let center = query?.center ?? (try? req.chosenCenter(scope)) ?? scope.principal.centerID
        let period = query?.period ?? EvaluationPeriod(.month, containing: today)
        let chosenScope = query?.scope ?? req.query[String.self, at: "scope"] ?? "subtree"
        let kind = query?.period.kind ?? EvaluationPeriod.Kind(rawValue: req.query[String.self, at: "kind"] ?? "") ?? .month
        var groups: [GroupView] = []
        var rows: [(department: String, href: String, cells: [String])] = []
        let columns = IndicatorService.departmentColumns.map { ($0.rawValue, req.t("indicator.\($0.rawValue)")) }
        if let t = table, let q = query {
            for g in Indicator.Group.allCases {
                let figures = t.figures.filter { Indicator(rawValue: $0.indicator)?.group == g }.map { f in
                    FigureView(
                        figure: f,
                        recordsHref: (f.recordCount ?? 0) == 0
                            ? nil
                            : f.records.map { _ in
                                href(
                                    "/indicators/records", center: q.center, scope: q.scope, period: q.period,
                                    extra: [.init(name: "indicator", value: f.indicator)])
                            },
                        trend: f.improved.map { $0 ? req.t("indicator.better") : req.t("indicator.worse") } ?? "",
                        terms: !f.available
                            ? "—"
                            : f.unit == "meanRate"
                                ? req.t("indicator.items", ["n": String(f.denominator ?? 0)])
                                : f.denominator.map { "\(f.numerator) / \($0)" } ?? String(f.numerator),
                        noRecords: f.recordCount == 0 ? req.t("indicator.records.none") : "—")
                }
                groups.append(GroupView(name: req.t("indicator.group.\(g.rawValue)"), figures: figures))
            }
            rows = t.departments.map { r in
                (
                    r.department,
                    href("/indicators", center: q.center, scope: "department:" + r.departmentID.uuidString.lowercased(), period: q.period),
                    IndicatorService.departmentColumns.map { r.texts[$0.rawValue] ?? "—" }
                )
            }
        }
        let stamp = DateFormatter()
        stamp.timeZone = HallClock.zone
        stamp.dateFormat = "yyyy-MM-dd HH:mm"
        let view = PageView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString),
            scopeOptions: try await scopeOptions(req, center: center, selected: chosenScope),
            kindOptions: EvaluationPeriod.Kind.allCases.map {
                .init(value: $0.rawValue, label: req.t("indicator.kind.\($0.rawValue)"), selected: $0 == kind)
            },
            date: req.query[String.self, at: "date"] ?? period.first.description, from: period.first.description,
            to: period.last.description,
            isRange: kind == .range, table: table,
            dates: [.day, .week, .range].contains(period.kind) ? "" : "\(period.first) — \(period.last)", groups: groups, columns: columns,
            rows: rows,
            earlier: href("/indicators", center: center, scope: chosenScope, period: period.previous),
            later: href("/indicators", center: center, scope: chosenScope, period: period.next),
            exportCSV: "/api/v1" + href("/indicators", center: center, scope: chosenScope, period: period) + "&format=csv",
            exportXLSX: "/api/v1" + href("/indicators", center: center, scope: chosenScope, period: period) + "&format=xlsx",
            errors: errors,
            printed: req.t("indicator.printed", ["at": stamp.string(from: req.now), "zone": HallClock.zone.identifier]))
        return try await req.page(
            "evaluation/indicators", title: req.t("indicator.title"), view, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    struct RecordsView: Encodable {
        var page: IndicatorRecords.Page
        var heading: String
        var back: String
        var csv: String
        var xlsx: String
        var previous: String?
        var next: String?
        var pages: String
    }

    static func recordsPage(_ req: Request) async throws -> Response {
        let kind = try IndicatorRecords.kind(req)
        let q = try await IndicatorService.query(req)
        let n = max(1, min(req.query[Int.self, at: "page"] ?? 1, 100_000))
        let page = try await IndicatorRecords.page(kind, q, page: n, req: req)
        let tree = try await req.scope().tree
        let indicator = req.query[String.self, at: "indicator"].flatMap(Indicator.init)
        let base = href(
            "/indicators/records", center: q.center, scope: q.scope, period: q.period,
            extra: [indicator.map { .init(name: "indicator", value: $0.rawValue) } ?? .init(name: "records", value: kind.rawValue)])
        let last = max(1, (page.total + IndicatorRecords.pageSize - 1) / IndicatorRecords.pageSize)
        let view = RecordsView(
            page: page,
            heading: req.t(
                "indicator.records.heading",
                [
                    "what": page.title, "period": q.period.label,
                    "scope": try await IndicatorService.scopeName(q, tree: tree, req: req), "n": String(page.total),
                ]),
            back: href("/indicators", center: q.center, scope: q.scope, period: q.period), csv: "/api/v1" + base + "&format=csv",
            xlsx: "/api/v1" + base + "&format=xlsx",
            previous: n > 1 ? base + "&page=\(n - 1)" : nil, next: n < last ? base + "&page=\(n + 1)" : nil,
            pages: req.t("indicator.records.pages", ["page": String(n), "last": String(last)]))
        return try await req.page("evaluation/records", title: page.title, view)
    }
}
