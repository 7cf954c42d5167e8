import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/admin/bundles`: life-event bundles of a center's items.
enum BundlePages {
    static let kit = AdminPageKit(
        path: "bundles", titleKey: "nav.bundles",
        list: { req in
            let scope = try await req.scope()
            let center = try await req.listCenter(scope, BundleModel.self, \.$centerID)
            let rows = try await BundleModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
            return ListView(
                heading: req.t("nav.bundles"), newHref: "/admin/bundles/new?centerID=\(center)", newLabel: req.t("action.newBundle"),
                filterAction: "/admin/bundles", filters: OrgPages.centerFilter(req, scope, center),
                columns: ["field.name", "field.theme", "field.itemCodes"].map { req.t($0) },
                rows: rows.map { b in
                    [
                        .init(text: b.name, href: "/admin/bundles/\(b.id!)"),
                        .init(text: ItemTheme(rawValue: b.theme)?.label(req) ?? b.theme),
                        .init(text: String(b.codes.count)),
                    ]
                }, empty: req.t("list.empty"))
        },
        form: { req, id, values in
            let scope = try await req.scope()
            return FormView(
                heading: req.t(id == nil ? "action.newBundle" : "action.editBundle"),
                action: id.map { "/admin/bundles/\($0)" } ?? "/admin/bundles/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/bundles",
                fields: [
                    .select(
                        req, "centerID", req.centerOptions(scope, selected: values["centerID"] ?? scope.principal.centerID.uuidString),
                        required: true),
                    .text(req, "name", values, required: true, max: 80),
                    .text(req, "summary", values, max: 1000, type: "textarea"),
                    .select(
                        req, "theme", ItemForm.termOptions(req, ItemTheme.self, selected: values["theme"] ?? "personal"), required: true),
                    .text(req, "itemCodes", values, required: true, type: "textarea", hint: req.t("hint.itemCodes")),
                ])
        },
        load: { req, id in
            guard let b = try await BundleModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(b.centerID)
            return FormValues([
                "centerID": b.centerID.uuidString, "name": b.name, "summary": b.summary, "theme": b.theme, "itemCodes": b.itemCodes,
            ])
        },
        save: { req, id, f in
            let input = BundleInput(
                centerID: f["centerID"], name: f["name"], summary: f.values["summary"], theme: f["theme"],
                itemCodes: (f.values["itemCodes"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," || $0 == "，" }).map(String.init))
            let b = try await BundleService.save(input, existing: id, req: req)
            return "/admin/bundles?center=\(b.centerID)"
        })
}
