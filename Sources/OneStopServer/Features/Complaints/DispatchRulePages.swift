import Fluent
import Foundation
import OneStopCore
import Vapor

/// The dispatch directory's page (派单目录, issue 20), `/admin/dispatch-rules`: a center's duties
/// with their department, keywords, item types and codes and Open311 category, a form to add one
/// (lists typed with commas, 、 or one per line) and a button to remove one. The rules themselves
/// are `DispatchService`'s.
enum DispatchRulePages {
    struct Row: Encodable {
        var id: String
        var duty: String
        var department: String
        var keywords: String
        var items: String
        var serviceCode: String
        var inherited: Bool
    }

    struct PageView: Encodable {
        var centerOptions: [FormView.Option]
        var center: String
        var rows: [Row]
        var departments: [FormView.Option]
        var kinds: [FormView.Option]
        var form: Form
        var errors: [String]
    }

    struct Form: Content {
        var center: String?
        var departmentID: String?
        var duty: String?
        var keywords: String?
        var itemKinds: [String]?
        var itemCodes: String?
        var serviceCode: String?

        /// A typed list: commas (either width), 、, semicolons or new lines between entries.
        static func split(_ s: String?) -> [String] {
            (s ?? "").split { ",，、;；\n\r".contains($0) }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        var input: DispatchService.RuleInput {
            .init(
                center: center,
                departmentID: departmentID.flatMap { UUID(uuidString: $0) } ?? (departmentID?.isEmpty == false ? UUID() : nil),
                duty: duty, keywords: Self.split(keywords), itemKinds: itemKinds, itemCodes: Self.split(itemCodes), serviceCode: serviceCode
            )
        }
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "admin", "dispatch-rules", access: .admins) { req in
            try await page(req, form: Form(center: req.query[String.self, at: "center"]), errors: [])
        }
        app.endpoint(.POST, "admin", "dispatch-rules", access: .admins) { req -> Response in
            let f = try req.content.decode(Form.self)
            do {
                let m = try await DispatchService.create(f.input, req: req)
                req.flash(req.t("dispatch.added", "duty", m.duty))
                return req.redirect(to: "/admin/dispatch-rules?center=\(m.centerID)")
            } catch let v as ValidationFailure {
                return try await page(
                    req, form: f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) },
                    status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "admin", "dispatch-rules", ":id", "delete", access: .admins) { req -> Response in
            let id = try req.uuid("id")
            let center = try await DispatchRuleModel.find(id, on: req.db)?.centerID
            try await DispatchService.delete(id, req: req)
            req.flash(req.t("dispatch.removed"))
            return req.redirect(to: "/admin/dispatch-rules" + (center.map { "?center=\($0)" } ?? ""))
        }
    }

    static func page(_ req: Request, form: Form, errors: [String], status: HTTPStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let center = try await WorkOrderService.center(form.center, req: req).requireID()
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let line = tree.ancestry(center)
        let rules = try await DispatchRuleModel.query(on: req.db).filter(\.$centerID ~~ line).sort(\.$duty).sort(\.$id).all()
        let names = try await WorkOrderPages.departmentNames(rules.map(\.departmentID), on: req.db)
        let kindName = { (k: String) in ItemType(rawValue: k)?.label(req) ?? k }
        let rows = rules.map { r in
            Row(
                id: r.id!.uuidString, duty: r.duty, department: names[r.departmentID] ?? "",
                keywords: r.keywords.split(separator: ",").joined(separator: "、"),
                items: (r.itemKinds.split(separator: ",").map { kindName(String($0)) } + r.itemCodes.split(separator: ",").map(String.init))
                    .joined(separator: "、"),
                serviceCode: r.serviceCode, inherited: r.centerID != center)
        }
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        let view = PageView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), center: center.uuidString, rows: rows,
            departments: [.init(value: "", label: "—", selected: (form.departmentID ?? "").isEmpty)]
                + departments.map { .init(value: $0.id!.uuidString, label: $0.name, selected: form.departmentID == $0.id!.uuidString) },
            kinds: ItemType.allCases.map {
                .init(value: $0.rawValue, label: $0.label(req), selected: form.itemKinds?.contains($0.rawValue) == true)
            },
            form: form, errors: errors)
        return try await req.page("admin/dispatch-rules", title: req.t("dispatch.title"), view, status: status)
    }
}
