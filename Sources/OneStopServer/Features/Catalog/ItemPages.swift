import Fluent
import Foundation
import OneStopCore
import Vapor

/// The item edit page: the form, plus publication, versions, delegations and template files.
struct ItemEditView: Encodable {
    struct Row: Encodable {
        var cells: [String]
        var action: String?
        var hidden: [Hidden] = []
    }

    struct Hidden: Encodable {
        var name: String
        var value: String
    }

    var heading: String
    var action: String
    var cancelHref: String
    var fields: [FormView.Field]
    var errors: [FormView.Summary] = []
    var status: String?
    var statusTag: String?
    var hasDraft = false
    var previewHref: String?
    var canPublish = false
    var canWithdraw = false
    var itemID: String?
    var versions: [Row] = []
    var delegations: [Row] = []
    var files: [Row] = []
    var centerOptions: [FormView.Option] = []
    var materialOptions: [FormView.Option] = []
}

extension CatalogTerm {
    func label(_ req: Request) -> String { req.language == .zh ? chineseName : req.t("term.\(rawValue)") }
}

enum ItemPages {
    static func register(_ r: any RoutesBuilder) {
        let items = r.grouped("admin", "items")
        items.endpoint(.GET, access: CatalogAccess.editors) { req in try await list(req) }
        items.endpoint(.GET, "new", access: CatalogAccess.editors) { req in
            try await edit(req, id: nil, values: FormValues(req.query.decode([String: String].self)), failure: nil)
        }
        items.endpoint(.POST, "new", access: CatalogAccess.editors) { req in try await submit(req, id: nil) }
        items.endpoint(.GET, ":id", access: CatalogAccess.editors) { req in
            let row = try await CatalogAccess.editable(req.uuid("id"), req: req)
            guard let g = try await CatalogService.workingGuide(row, on: req.db) else { throw Abort(.notFound) }
            return try await edit(req, id: row.id, values: ItemForm.values(g, departmentID: row.departmentID), failure: nil)
        }
        items.endpoint(.POST, ":id", access: CatalogAccess.editors) { req in try await submit(req, id: req.uuid("id")) }
        items.endpoint(.POST, ":id", "publish", access: .admins) { req in
            try await act(req) { try await CatalogService.publish($0, req: req) }
        }
        items.endpoint(.POST, ":id", "withdraw", access: .admins) { req in
            try await act(req) { try await CatalogService.withdraw($0, req: req) }
        }
        items.endpoint(.POST, ":id", "delegations", access: CatalogAccess.editors) { req in
            let f = try FormValues(req)
            return try await act(req) {
                if let remove = f["remove"] {
                    guard let c = UUID(uuidString: remove) else { throw Abort(.badRequest) }
                    try await ItemExtrasService.undelegate($0, center: c, req: req)
                } else {
                    try await ItemExtrasService.delegate(
                        $0,
                        DelegationInput(
                            centerID: f["centerID"], windowNumbers: ItemText.windows(f["windowNumbers"]), consultPhone: f["consultPhone"]),
                        req: req)
                }
            }
        }
        items.endpoint(.POST, ":id", "files", access: CatalogAccess.editors, body: .collect(maxSize: "6mb")) { req in
            struct Upload: Content {
                var material: String?
                var kind: String?
                var remove: String?
                var file: File?
            }
            let u = try req.content.decode(Upload.self)
            return try await act(req) {
                if let remove = u.remove.flatMap(UUID.init(uuidString:)) {
                    try await ItemExtrasService.removeFile($0, file: remove, req: req)
                } else {
                    _ = try await ItemExtrasService.addFile(
                        $0, material: u.material, kind: u.kind, filename: u.file?.filename ?? "",
                        bytes: u.file.map { Array($0.data.readableBytesView) } ?? [],
                        req: req)
                }
            }
        }
        ImportPages.register(items)
    }

    /// Runs an action from the edit page and comes back to it, with its outcome as a flash message.
    static func act(_ req: Request, _ body: (UUID) async throws -> some Any) async throws -> Response {
        let id = try req.uuid("id")
        do {
            _ = try await body(id)
            req.flash(req.t("flash.saved"))
        } catch let failure as ValidationFailure {
            req.flash(failure.errors.map { req.application.catalog.fieldMessage($0, req.language) }.joined(separator: "；"))
        }
        return req.redirect(to: "/admin/items/\(id)", redirectType: .normal)
    }

    static func list(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let center = try await req.listCenter(scope, ServiceItemModel.self, \.$centerID)
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$code).all()
        let names = Dictionary(uniqueKeysWithValues: departments.map { ($0.id!, $0.name) })
        let own = scope.principal.role == .chiefRepresentative ? scope.principal.departmentID : nil
        let department = own ?? req.query[String.self, at: "department"].flatMap(UUID.init(uuidString:))
        let status = req.query[String.self, at: "status"].flatMap(ItemStatus.init(rawValue:))
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let size = 100
        var q = ServiceItemModel.query(on: req.db).filter(\.$centerID == center)
        if let department { q = q.filter(\.$departmentID == department) }
        if let status { q = q.filter(\.$status == status.rawValue) }
        let total = try await q.count()
        let rows = try await q.sort(\.$code).range(((page - 1) * size)..<(page * size)).all()
        var filters = [ListView.Filter]()
        if own == nil {
            filters.append(OrgPages.centerFilter(req, scope, center)[0])
            filters.append(
                .init(
                    name: "department", label: req.t("field.departmentID"),
                    options: [.init(value: "", label: req.t("option.all"), selected: department == nil)]
                        + departments.map { .init(value: $0.id!.uuidString, label: $0.name, selected: $0.id == department) }))
        }
        filters.append(
            .init(
                name: "status", label: req.t("field.status"),
                options: [.init(value: "", label: req.t("option.all"), selected: status == nil)]
                    + ItemStatus.allCases.map { .init(value: $0.rawValue, label: $0.label(req), selected: $0 == status) }))
        func link(_ p: Int) -> String {
            var parts = ["center=\(center)", "page=\(p)"]
            if let department { parts.append("department=\(department)") }
            if let status { parts.append("status=\(status.rawValue)") }
            return "/admin/items?" + parts.joined(separator: "&")
        }
        let exportDept = department ?? departments.first?.id
        var view = ListView(
            heading: req.t("nav.items") + "（\(total)）", newHref: "/admin/items/new?departmentID=\(department?.uuidString ?? "")",
            newLabel: req.t("action.newItem"), filterAction: "/admin/items", filters: filters,
            columns: ["field.code", "field.name", "field.departmentID", "field.status", "field.version"].map { req.t($0) },
            rows: rows.map { r in
                let st = ItemStatus(rawValue: r.status) ?? .draft
                return [
                    .init(text: r.code), .init(text: r.name, href: "/admin/items/\(r.id!)"), .init(text: names[r.departmentID] ?? ""),
                    .init(text: st.label(req) + (r.draft != nil && st != .draft ? req.t("item.pendingDraft") : ""), tag: st.rawValue),
                    .init(text: r.versionInForce.map { "v\($0)" } ?? "—"),
                ]
            }, empty: req.t("list.empty"))
        view.previousHref = page > 1 ? link(page - 1) : nil
        view.nextHref = page * size < total ? link(page + 1) : nil
        view.extraLinks = [
            .init(href: "/admin/items/import" + (department.map { "?departmentID=\($0)" } ?? ""), label: req.t("action.importItems"))
        ]
        if let exportDept {
            view.extraLinks.append(
                .init(href: "/api/v1/items/export?department=\(exportDept)&format=csv", label: req.t("action.exportCSV")))
            view.extraLinks.append(
                .init(href: "/api/v1/items/export?department=\(exportDept)&format=json", label: req.t("action.exportJSON")))
        }
        return try await req.page("admin/list", title: req.t("nav.items"), view)
    }

    static func departmentOptions(_ req: Request, selected: String?) async throws -> [FormView.Option] {
        let scope = try await req.scope()
        var q = DepartmentModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).sort(\.$code)
        if scope.principal.role == .chiefRepresentative { q = q.filter(\.$id == (scope.principal.departmentID ?? UUID())) }
        let centers = scope.tree.nodes
        return try await q.all().map { d in
            .init(
                value: d.id!.uuidString, label: "\(centers[d.centerID]?.name ?? "") · \(d.name)",
                selected: selected?.lowercased() == d.id!.uuidString.lowercased())
        }
    }

    static func edit(_ req: Request, id: UUID?, values: FormValues, failure: ValidationFailure?) async throws -> Response {
        let scope = try await req.scope()
        var view = ItemEditView(
            heading: req.t(id == nil ? "action.newItem" : "action.editItem"), action: id.map { "/admin/items/\($0)" } ?? "/admin/items/new",
            cancelHref: "/admin/items",
            fields: ItemForm.fields(req, values, departments: try await departmentOptions(req, selected: values["departmentID"])))
        if let failure {
            var form = FormView(heading: "", action: "", submitLabel: "", cancelHref: "", fields: view.fields)
            form.attach(failure, req: req)
            view.fields = form.fields
            view.errors = form.errors
        }
        if let id, let row = try await ServiceItemModel.find(id, on: req.db) {
            let st = ItemStatus(rawValue: row.status) ?? .draft
            view.itemID = id.uuidString
            view.status = st.label(req)
            view.statusTag = st.rawValue
            view.hasDraft = row.draft != nil
            view.heading = "\(row.name)（\(row.code)）"
            view.previewHref = st == .published ? "/guide/\(row.code)" : nil
            let admin = scope.principal.role == .centerAdmin
            view.canPublish = admin && (row.draft != nil || st == .withdrawn)
            view.canWithdraw = admin && st == .published
            view.versions = try await ItemVersionModel.query(on: req.db).filter(\.$itemID == id).sort(\.$version, .descending)
                .field(\.$version).field(\.$publishedAt).field(\.$publishedBy).all()
                .map {
                    .init(cells: [
                        "v\($0.version)" + ($0.version == row.versionInForce ? req.t("item.inForce") : ""),
                        CivilDate.of($0.publishedAt).description, $0.publishedBy,
                    ])
                }
            for d in try await ItemDelegationModel.query(on: req.db).filter(\.$itemID == id).all() {
                view.delegations.append(
                    .init(
                        cells: [scope.tree.nodes[d.centerID]?.name ?? "", d.windowNumbers, d.consultPhone ?? ""],
                        action: "/admin/items/\(id)/delegations", hidden: [.init(name: "remove", value: d.centerID.uuidString)]))
            }
            view.centerOptions = scope.tree.ordered(within: scope.tree.subtree(row.centerID).subtracting([row.centerID]))
                .filter { scope.contains($0.node.id) }
                .map { .init(value: $0.node.id.uuidString, label: $0.node.name, selected: false) }
            for f in try await ItemExtrasService.files(of: id, on: req.db) {
                view.files.append(
                    .init(
                        cells: [f.material, req.t("file.\(f.kind)"), f.filename, "\(max(1, f.size / 1024)) KB"],
                        action: "/admin/items/\(id)/files",
                        hidden: [.init(name: "remove", value: f.id.uuidString)]))
            }
            let g = try await CatalogService.workingGuide(row, on: req.db)
            view.materialOptions = (g?.materials ?? []).map { .init(value: $0.name, label: $0.name, selected: false) }
        }
        return try await req.page("catalog/item-edit", title: view.heading, view, status: failure == nil ? .ok : .unprocessableEntity)
    }

    static func submit(_ req: Request, id: UUID?) async throws -> Response {
        let values = try FormValues(req)
        do {
            let row = try await CatalogService.save(ItemForm.input(values), existing: id, req: req)
            req.flash(req.t(row.versionInForce == nil ? "flash.saved" : "item.savedDraft"))
            return req.redirect(to: "/admin/items/\(row.id!)", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await edit(req, id: id, values: values, failure: failure)
        }
    }
}
