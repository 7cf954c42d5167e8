import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The indicator table (issue 21): every indicator of DOMAIN.md section 8 for a period and a
/// scope, with its formula, numerator and denominator, the previous period beside it, and the
/// departments of the scope one row each. Figures come from `IndicatorStore`'s tallies after it
/// has caught up with the audit log; the catalog's indicators from the catalog as published now.
enum IndicatorService {
    /// A chief representative sees their own department only.
    static let access = Access.only(.centerAdmin, .supervisor, .campaignOffice, .chiefRepresentative)

    /// What a table is asked for.
    struct Query {
        var center: UUID
        /// `subtree`, `center`, or `department:`/`window:`/`staff:` with an id.
        var scope: String
        var period: EvaluationPeriod
    }

    struct FigureDTO: Content {
        var indicator: String
        var name: String
        var group: String
        var formula: String
        var unit: String
        var numerator: Int
        var denominator: Int?
        var value: Double?
        var text: String
        /// false: the records it needs are not kept yet (the note says which).
        var available: Bool
        var note: String
        var previousValue: Double?
        var previousText: String
        var change: Double?
        var improved: Bool?
        /// The records behind the figure (`getIndicatorRecords`), and how many there are.
        var records: String?
        var recordCount: Int?
    }

    struct DepartmentRow: Content {
        var departmentID: UUID
        var department: String
        var values: [String: Double?]
        var texts: [String: String]
    }

    struct Table: Content {
        var centerID: UUID
        var centerName: String
        var scope: String
        var scopeName: String
        var period: String
        var label: String
        var from: String
        var to: String
        var previousPeriod: String
        var previousLabel: String
        var figures: [FigureDTO]
        var departments: [DepartmentRow]
    }

    /// The columns of the departments' table: every indicator counted from records (the catalog's
    /// are the catalog's, not a period's).
    static let departmentColumns = Indicator.allCases.filter { $0.recordKind != nil }

    /// Indicators whose records OneStop does not keep yet: the items that should be served in a
    /// center (进驻, issue 23) and the window's authorisation per item.
    static let unavailable: Set<Indicator> = [.itemResidency, .windowAuthorisation]

    /// Reads the query (`center`, `scope`, and `period` as a key, or `kind` with `date`, or
    /// `from`/`to`); nil with errors when something is wrong.
    static func query(_ req: Request) async throws -> Query {
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        var errors: [FieldError] = []
        let period = Self.period(req, errors: &errors)
        var chosen = req.query[String.self, at: "scope"]?.trimmingCharacters(in: .whitespaces) ?? "subtree"
        if chosen.isEmpty { chosen = "subtree" }
        let p = try req.requirePrincipal()
        if p.role == .chiefRepresentative {
            guard let own = p.departmentID else { throw Abort(.forbidden) }
            chosen = "department:" + own.uuidString.lowercased()
        }
        if !["subtree", "center"].contains(chosen) {
            let parts = chosen.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count != 2 || !["department", "window", "staff"].contains(parts[0]) || UUID(uuidString: parts[1]) == nil {
                errors.append(FieldError("scope", "invalidChoice"))
            } else {
                chosen = parts[0] + ":" + parts[1].lowercased()
            }
        }
        guard errors.isEmpty, let period else { throw ValidationFailure(errors) }
        if let owner = try await owner(of: chosen, on: req.db) {
            try scope.require(owner)
        } else if !["subtree", "center"].contains(chosen) {
            throw ValidationFailure([FieldError("scope", "invalidReference")])
        }
        return Query(center: center, scope: chosen, period: period)
    }

    static func period(_ req: Request, errors: inout [FieldError]) -> EvaluationPeriod? {
        let today = HallClock.day(req.now)
        if let key = req.query[String.self, at: "period"], !key.isEmpty {
            guard let p = EvaluationPeriod(key: key) else {
                errors.append(FieldError("period", "invalidChoice"))
                return nil
            }
            return p
        }
        let kindText = req.query[String.self, at: "kind"] ?? ""
        let kind = kindText.isEmpty ? .month : EvaluationPeriod.Kind(rawValue: kindText)
        guard let kind else {
            errors.append(FieldError("kind", "invalidChoice"))
            return nil
        }
        if kind == .range {
            let from = (req.query[String.self, at: "from"]).flatMap(CivilDate.init)
            let to = (req.query[String.self, at: "to"]).flatMap(CivilDate.init)
            if from == nil { errors.append(FieldError("from", "date")) }
            if to == nil { errors.append(FieldError("to", "date")) }
            guard let from, let to else { return nil }
            guard let p = EvaluationPeriod(from: from, to: to) else {
                errors.append(FieldError("to", to < from ? "queue.reportOrder" : "indicator.span"))
                return nil
            }
            return p
        }
        let text = req.query[String.self, at: "date"] ?? ""
        guard let date = text.isEmpty ? today : CivilDate(text) else {
            errors.append(FieldError("date", "date"))
            return nil
        }
        return EvaluationPeriod(kind, containing: date)
    }

    /// The center a department, window or staff member belongs to; nil for `subtree`/`center` or
    /// when there is none.
    static func owner(of scope: String, on db: any Database) async throws -> UUID? {
        let parts = scope.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = UUID(uuidString: parts[1]) else { return nil }
        switch parts[0] {
        case "department": return try await DepartmentModel.find(id, on: db)?.centerID
        case "window": return try await WindowModel.find(id, on: db)?.centerID
        case "staff": return try await StaffModel.find(id, on: db)?.centerID
        default: return nil
        }
    }

    /// The centers a scope reads: the center with its subtree, or the one center (a department,
    /// window or staff member lives in one center: its owner's).
    static func centers(_ q: Query, req: Request) async throws -> Set<UUID> {
        if q.scope == "subtree" {
            let scope = try await req.scope()
            return scope.tree.subtree(q.center).intersection(scope.centers)
        }
        if q.scope == "center" { return [q.center] }
        return [try await owner(of: q.scope, on: req.db) ?? q.center]
    }

    /// The counters of a scope over a period.
    static func counts(_ q: Query, period: EvaluationPeriod, centers: Set<UUID>, on db: any Database) async throws -> IndicatorCounts {
        if q.scope == "subtree" || q.scope == "center" {
            return try await IndicatorStore.read(centers: centers, kind: "center", period: period, on: db).values
                .reduce(IndicatorCounts(), +)
        }
        let kind = String(q.scope.prefix { $0 != ":" })
        return try await IndicatorStore.read(centers: centers, kind: kind, period: period, on: db)[q.scope] ?? IndicatorCounts()
    }

    /// The catalog's items in the scope as published now: how many have both a legal and a
    /// promised limit, and the sum of their speed-ups in basis points.
    static func itemCounts(_ q: Query, centers: Set<UUID>, req: Request) async throws -> IndicatorCounts {
        var department: UUID?
        if q.scope.hasPrefix("department:") { department = UUID(uuidString: String(q.scope.dropFirst("department:".count))) }
        if q.scope.hasPrefix("window:") || q.scope.hasPrefix("staff:") { return IndicatorCounts() }
        let snapshot = try await req.catalog()
        var c = IndicatorCounts()
        for item in snapshot.items.values where !item.centers.isDisjoint(with: centers) {
            if let department, item.departmentID != department { continue }
            guard let bp = IndicatorRules.speedUp(legalDays: item.guide.legalDays, promisedDays: item.guide.promisedDays) else { continue }
            c[.itemsWithLimits] += 1
            c[.speedUpBasisPoints] += bp
        }
        return c
    }

    static func table(_ q: Query, req: Request) async throws -> Table {
        try await IndicatorStore.catchUp(app: req.application, now: req.now)
        let tree = try await req.scope().tree
        let centers = try await centers(q, req: req)
        let items = try await itemCounts(q, centers: centers, req: req)
        let now = try await counts(q, period: q.period, centers: centers, on: req.db) + items
        let before = try await counts(q, period: q.period.previous, centers: centers, on: req.db) + items
        let figures = Indicator.allCases.map { i -> FigureDTO in
            figure(i, now: now, before: before, q: q, req: req)
        }
        var rows: [DepartmentRow] = []
        if q.scope == "subtree" || q.scope == "center" {
            let byDepartment = try await IndicatorStore.read(centers: centers, kind: "department", period: q.period, on: req.db)
            let ids = byDepartment.keys.compactMap { UUID(uuidString: String($0.dropFirst("department:".count))) }
            let names = try await WorkOrderPages.departmentNames(ids, on: req.db)
            rows = ids.map { id in
                let c = byDepartment["department:" + id.uuidString.lowercased()] ?? IndicatorCounts()
                var values: [String: Double?] = [:]
                var texts: [String: String] = [:]
                for i in departmentColumns {
                    let f = i.figure(c)
                    values[i.rawValue] = f.value
                    texts[i.rawValue] = f.text
                }
                return DepartmentRow(departmentID: id, department: names[id] ?? id.uuidString, values: values, texts: texts)
            }.sorted { ($0.department, $0.departmentID.uuidString) < ($1.department, $1.departmentID.uuidString) }
        }
        return Table(
            centerID: q.center, centerName: tree.nodes[q.center]?.name ?? "", scope: q.scope,
            scopeName: try await scopeName(q, tree: tree, req: req), period: q.period.description, label: q.period.label,
            from: q.period.first.description, to: q.period.last.description, previousPeriod: q.period.previous.description,
            previousLabel: q.period.previous.label, figures: figures, departments: rows)
    }

    static func figure(_ i: Indicator, now: IndicatorCounts, before: IndicatorCounts, q: Query, req: Request) -> FigureDTO {
        let f = i.figure(now)
        let p = i.figure(before)
        let available = !unavailable.contains(i)
        let perItem = [.speedUp, .itemResidency, .windowAuthorisation].contains(i)
        return FigureDTO(
            indicator: i.rawValue, name: req.t("indicator.\(i.rawValue)"), group: req.t("indicator.group.\(i.group.rawValue)"),
            formula: req.t("indicator.\(i.rawValue).formula"), unit: "\(i.unit)", numerator: f.numerator, denominator: f.denominator,
            value: available ? f.value : nil, text: available ? f.text : "—",
            available: available,
            note: !available ? req.t("indicator.unavailable") : perItem ? req.t("indicator.catalogNow") : "",
            previousValue: available && !perItem ? p.value : nil, previousText: available && !perItem ? p.text : "—",
            change: available && !perItem ? f.change(from: p) : nil, improved: available && !perItem ? f.improved(from: p) : nil,
            records: available ? i.recordKind?.rawValue : nil, recordCount: available ? i.recordCount(f) : nil)
    }

    static func scopeName(_ q: Query, tree: CenterTree, req: Request) async throws -> String {
        let center = tree.nodes[q.center]?.name ?? ""
        switch q.scope {
        case "subtree": return req.t("indicator.scope.subtreeOf", ["center": center])
        case "center": return center
        default:
            let parts = q.scope.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = UUID(uuidString: parts[1]) else { return q.scope }
            switch parts[0] {
            case "department": return try await DepartmentModel.find(id, on: req.db)?.name ?? q.scope
            case "window": return try await WindowModel.find(id, on: req.db)?.name ?? q.scope
            default: return try await StaffModel.find(id, on: req.db)?.name ?? q.scope
            }
        }
    }
}
