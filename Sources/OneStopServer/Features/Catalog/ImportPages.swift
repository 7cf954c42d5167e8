import Foundation
import OneStopCore
import Vapor

/// `/admin/items/import`: upload a department's list, see every bad row, import when clean.
struct ImportView: Encodable {
    var departments: [FormView.Option]
    var columns: String
    var report: ImportReport?
    var dryRun: Bool
    var format: String
    var canPublish: Bool
}

enum ImportPages {
    static func register(_ items: any RoutesBuilder) {
        items.endpoint(.GET, "import", access: CatalogAccess.editors) { req in
            try await render(req, selected: req.query[String.self, at: "departmentID"], report: nil, dryRun: true, format: "csv")
        }
        items.endpoint(.POST, "import", access: CatalogAccess.editors, body: .collect(maxSize: "20mb")) { req in
            struct Upload: Content {
                var departmentID: String?
                var format: String?
                var dryRun: String?
                var publish: String?
                var file: File?
            }
            let u = try req.content.decode(Upload.self)
            let dryRun = u.dryRun != nil
            let format = CatalogImportService.Format(rawValue: u.format ?? "csv") ?? .csv
            let text = u.file.flatMap { $0.data.getString(at: $0.data.readerIndex, length: $0.data.readableBytes) } ?? ""
            do {
                let report = try await CatalogImportService.run(
                    text, format: format, departmentID: u.departmentID.flatMap(UUID.init(uuidString:)), dryRun: dryRun,
                    publish: u.publish != nil, req: req)
                if report.imported {
                    req.flash(req.t("import.done", "count", String(report.rows)))
                    return req.redirect(to: "/admin/items?department=\(u.departmentID ?? "")", redirectType: .normal)
                }
                return try await render(req, selected: u.departmentID, report: report, dryRun: dryRun, format: format.rawValue)
            } catch let failure as ValidationFailure {
                let report = CatalogImportService.report(
                    dryRun: dryRun, rows: 0, errors: failure.errors.map { .init(line: 0, field: $0.field, code: $0.code) }, req: req)
                return try await render(req, selected: u.departmentID, report: report, dryRun: dryRun, format: format.rawValue)
            }
        }
    }

    static func render(_ req: Request, selected: String?, report: ImportReport?, dryRun: Bool, format: String) async throws -> Response {
        let view = ImportView(
            departments: try await ItemPages.departmentOptions(req, selected: selected), columns: ItemCSV.columns.joined(separator: ","),
            report: report, dryRun: dryRun, format: format, canPublish: req.principal?.role == .centerAdmin)
        let failed = report.map { !$0.errors.isEmpty } ?? false
        return try await req.page("catalog/import", title: req.t("action.importItems"), view, status: failed ? .unprocessableEntity : .ok)
    }
}
