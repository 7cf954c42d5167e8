import Foundation
import OneStopCore
import Vapor

/// The list/new/edit page pattern every organisation entity shares: GET list, GET and POST
/// `new`, GET and POST `:id`. A failed submission re-renders the form with what was typed and
/// every error, status 422; a good one redirects to the list with a flash message.
struct AdminPageKit: Sendable {
    var path: String
    var titleKey: String
    var access: Access = .admins
    var list: @Sendable (Request) async throws -> ListView
    var form: @Sendable (Request, UUID?, FormValues) async throws -> FormView
    var load: @Sendable (Request, UUID) async throws -> FormValues
    var save: @Sendable (Request, UUID?, FormValues) async throws -> String

    func register(_ r: any RoutesBuilder) {
        let base = r.grouped("admin", PathComponent(stringLiteral: path))
        let kit = self
        base.endpoint(.GET, access: access) { req in
            try await req.page("admin/list", title: req.t(kit.titleKey), kit.list(req))
        }
        base.endpoint(.GET, "new", access: access) { req in
            try await kit.render(req, id: nil, values: FormValues(req.query.decode([String: String].self)), failure: nil)
        }
        base.endpoint(.POST, "new", access: access) { req in try await kit.submit(req, id: nil) }
        base.endpoint(.GET, ":id", access: access) { req in
            let id = try req.uuid("id")
            return try await kit.render(req, id: id, values: kit.load(req, id), failure: nil)
        }
        base.endpoint(.POST, ":id", access: access) { req in try await kit.submit(req, id: req.uuid("id")) }
    }

    func render(_ req: Request, id: UUID?, values: FormValues, failure: ValidationFailure?) async throws -> Response {
        var view = try await form(req, id, values)
        if let failure { view.attach(failure, req: req) }
        return try await req.page("admin/form", title: view.heading, view, status: failure == nil ? .ok : .unprocessableEntity)
    }

    func submit(_ req: Request, id: UUID?) async throws -> Response {
        let values = try FormValues(req)
        do {
            let back = try await save(req, id, values)
            req.flash(req.t("flash.saved"))
            return req.redirect(to: back, redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, id: id, values: values, failure: failure)
        }
    }
}

extension FormView.Field {
    static func text(
        _ req: Request, _ name: String, _ values: FormValues, required: Bool = false, max: Int? = nil, type: String = "text",
        hint: String? = nil
    ) -> Self {
        .init(name: name, label: req.t("field.\(name)"), type: type, value: values[name] ?? "", required: required, hint: hint, max: max)
    }

    static func select(_ req: Request, _ name: String, _ options: [FormView.Option], required: Bool = false, hint: String? = nil) -> Self {
        var f = Self(name: name, label: req.t("field.\(name)"), type: "select", options: options, required: required)
        f.hint = hint
        return f
    }

    static func checkbox(_ req: Request, _ name: String, _ values: FormValues) -> Self {
        .init(name: name, label: req.t("field.\(name)"), type: "checkbox", checked: values.flag(name))
    }
}
