import Fluent
import Foundation
import OneStopCore
import Vapor

/// The outcome of an import or its dry run. Nothing is written unless every row is valid.
struct ImportReport: Content {
    struct Problem: Content {
        var line: Int
        var field: String
        var code: String
        var message: String
    }

    var dryRun: Bool
    var imported: Bool
    var rows: Int
    var created: Int
    var updated: Int
    var errors: [Problem]
}

/// Bulk import and export of one department's item list (CSV or JSON).
enum CatalogImportService {
    enum Format: String {
        case csv, json
    }

    /// Reads the file into rows; shape problems (bad CSV, unknown columns, bad JSON) come back as
    /// row errors like any other.
    static func rows(_ body: String, format: Format) -> Result<[ItemCSV.Row], ImportFailure> {
        switch format {
        case .csv: return ItemCSV.parse(body)
        case .json:
            do {
                let list = try JSONDecoder().decode([ItemInput].self, from: Data(body.utf8))
                return .success(list.enumerated().map { ItemCSV.Row(line: $0 + 1, input: $1) })
            } catch {
                return .failure(ImportFailure([.init(line: 1, field: "file", code: "import.badJSON")]))
            }
        }
    }

    static func run(
        _ body: String, format: Format, departmentID: UUID?, dryRun: Bool, publish: Bool = false, req: Request
    ) async throws -> ImportReport {
        let scope = try await req.scope()
        // Publishing is a center administrator's decision, in bulk as one by one.
        if publish, scope.principal.role != .centerAdmin { throw Abort(.forbidden, reason: req.t("import.publishAdminsOnly")) }
        let deptID = departmentID ?? (scope.principal.role == .chiefRepresentative ? scope.principal.departmentID : nil)
        guard let deptID, let department = try await DepartmentModel.find(deptID, on: req.db),
            CatalogAccess.canEdit(scope, center: department.centerID, department: deptID)
        else { throw ValidationFailure([FieldError("departmentID", deptID == nil ? "required" : "invalidReference")]) }
        let parsed: [ItemCSV.Row]
        switch rows(body, format: format) {
        case .failure(let f): return report(dryRun: dryRun, rows: 0, errors: f.errors, req: req)
        case .success(let r): parsed = r
        }
        var errors: [ItemCSV.RowError] = []
        var guides: [(line: Int, guide: ItemGuide)] = []
        for row in parsed {
            switch row.input.validate() {
            case .failure(let f): errors += f.errors.map { .init(line: row.line, field: $0.field, code: $0.code) }
            case .success(let g): guides.append((row.line, g))
            }
        }
        var firstLine: [String: Int] = [:]
        for (line, g) in guides {
            if firstLine[g.code] != nil { errors.append(.init(line: line, field: "code", code: "import.duplicateInFile")) }
            firstLine[g.code] = firstLine[g.code] ?? line
        }
        var lookup = try await ItemLookup.load(
            codes: guides.map(\.guide.code) + guides.compactMap(\.guide.parentCode), center: department.centerID, on: req.db)
        // Rows of the file count as known items, so a sub-item may name a main item of the same file.
        let existing = lookup.items
        for (_, g) in guides where existing[g.code] == nil {
            lookup.items[g.code] = .init(id: nil, tier: g.tier, centerID: department.centerID, departmentID: deptID)
        }
        var created = 0
        var updated = 0
        var plan: [(guide: ItemGuide, existing: UUID?)] = []
        for (line, g) in guides {
            let old = existing[g.code]
            if let old, old.departmentID != deptID {
                errors.append(.init(line: line, field: "code", code: "import.codeTaken"))
                continue
            }
            // The row itself is not a clash with its own code.
            var known = lookup
            known.items[g.code] = nil
            errors += known.check(g, id: old?.id, center: department.centerID, department: deptID, publishedBefore: false, currentCode: nil)
                .map { .init(line: line, field: $0.field, code: $0.code) }
            if old == nil { created += 1 } else { updated += 1 }
            plan.append((g, old?.id))
        }
        if !errors.isEmpty || dryRun {
            var r = report(dryRun: dryRun, rows: parsed.count, errors: errors, req: req)
            r.created = created
            r.updated = updated
            return r
        }
        try await write(plan, department: department, publish: publish, req: req)
        return ImportReport(dryRun: false, imported: true, rows: parsed.count, created: created, updated: updated, errors: [])
    }

    /// New items get their ids first so that sub-items can point at main items of the same file;
    /// rows go in tier order (main, sub, handling) in multi-row inserts.
    static func write(
        _ plan: [(guide: ItemGuide, existing: UUID?)], department: DepartmentModel, publish: Bool, req: Request
    ) async throws {
        let by = try req.requirePrincipal().auditName
        let now = req.now
        var versions: [ItemVersionModel] = []
        var ids: [String: UUID] = [:]
        for p in plan { ids[p.guide.code] = p.existing ?? UUID() }
        let parents = try await ItemLookup.load(codes: plan.compactMap(\.guide.parentCode), center: department.centerID, on: req.db)
        let existing = try await ServiceItemModel.query(on: req.db).filter(\.$id ~~ plan.compactMap(\.existing)).all()
        let byID = Dictionary(uniqueKeysWithValues: existing.map { ($0.id!, $0) })
        var fresh: [ServiceItemModel] = []
        var changed: [ServiceItemModel] = []
        var events: [AuditEvent] = []
        let order: [ItemTier] = [.main, .sub, .handling]
        for p in plan.sorted(by: { order.firstIndex(of: $0.guide.tier)! < order.firstIndex(of: $1.guide.tier)! }) {
            let g = p.guide
            let row = p.existing.flatMap { byID[$0] } ?? ServiceItemModel()
            if row.id == nil {
                row.id = ids[g.code]
                row.status = ItemStatus.draft.rawValue
                row.versions = 0
                row.centerID = department.centerID
                row.departmentID = department.id!
                fresh.append(row)
            } else {
                changed.append(row)
            }
            row.code = g.code
            row.name = g.name
            row.tier = g.tier.rawValue
            row.parentID = g.parentCode.flatMap { ids[$0] ?? parents.items[$0]?.id }
            row.draft = CatalogService.json(g)
            if publish {
                let v = ItemVersionModel()
                v.itemID = row.id!
                v.version = row.versions + 1
                v.content = row.draft!
                v.publishedAt = now
                v.publishedBy = by
                versions.append(v)
                row.versions += 1
                row.versionInForce = row.versions
                row.status = ItemStatus.published.rawValue
                row.draft = nil
                events.append(
                    AuditEvent(
                        "item.publish", "item", id: row.id, center: department.centerID,
                        detail: ["code": g.code, "version": String(v.version)]))
            }
            events.append(
                AuditEvent(
                    p.existing == nil ? "item.create" : "item.update", "item", id: row.id, center: department.centerID,
                    detail: ["code": g.code, "name": g.name, "via": "import"]))
        }
        let (newRows, changedRows, auditEvents, newVersions) = (fresh, changed, events, versions)
        try await req.audited { db in
            let fresh = newRows
            for start in stride(from: 0, to: fresh.count, by: 200) {
                try await fresh[start..<min(start + 200, fresh.count)].create(on: db)
            }
            for row in changedRows { try await row.update(on: db) }
            for start in stride(from: 0, to: newVersions.count, by: 200) {
                try await newVersions[start..<min(start + 200, newVersions.count)].create(on: db)
            }
            if !newVersions.isEmpty { try await CatalogStore.bump(on: db) }
            return ((), auditEvents)
        }
    }

    static func report(dryRun: Bool, rows: Int, errors: [ItemCSV.RowError], req: Request) -> ImportReport {
        let catalog = req.application.catalog
        return ImportReport(
            dryRun: dryRun, imported: false, rows: rows, created: 0, updated: 0,
            errors: errors.sorted { ($0.line, $0.field) < ($1.line, $1.field) }.map {
                .init(
                    line: $0.line, field: $0.field, code: $0.code,
                    message: catalog.fieldMessage(FieldError($0.field, $0.code), req.language))
            })
    }

    /// The department's items as they stand for editing: each draft, or the version in force.
    static func export(departmentID: UUID, format: Format, req: Request) async throws -> Response {
        let scope = try await req.scope()
        guard let d = try await DepartmentModel.find(departmentID, on: req.db),
            CatalogAccess.canEdit(scope, center: d.centerID, department: departmentID)
        else { throw OutsideScope() }
        let rows = try await ServiceItemModel.query(on: req.db).filter(\.$departmentID == departmentID).sort(\.$code).all()
        // Versions in force are fetched together, not one query per item.
        let inForce = Dictionary(
            uniqueKeysWithValues: rows.filter { $0.draft == nil }.compactMap { r in r.versionInForce.map { (r.id!, $0) } })
        let ids = Array(inForce.keys)
        var contents: [UUID: String] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for v in try await ItemVersionModel.query(on: req.db).filter(\.$itemID ~~ chunk).all() where inForce[v.itemID] == v.version {
                contents[v.itemID] = v.content
            }
        }
        let guides0 = try rows.compactMap { r in try (r.draft ?? contents[r.id!]).map(CatalogService.guide) }
        var guides = guides0
        let order: [ItemTier] = [.main, .sub, .handling]
        guides.sort { (order.firstIndex(of: $0.tier)!, $0.code) < (order.firstIndex(of: $1.tier)!, $1.code) }
        let body: String
        let type: String
        switch format {
        case .csv:
            body = "\u{FEFF}" + ItemCSV.export(guides)
            type = "text/csv; charset=utf-8"
        case .json:
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            body = String(decoding: try e.encode(guides.map { ItemInput($0) }), as: UTF8.self)
            type = "application/json; charset=utf-8"
        }
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.replaceOrAdd(
            name: .contentDisposition, value: "attachment; filename=\"items-\(d.code).\(format.rawValue)\"")
        return response
    }
}
