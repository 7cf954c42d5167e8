import Fluent
import Foundation
import OneStopCore
import Vapor

/// A table page: heading, an optional "new" link and filters, rows of cells.
struct ListView: Encodable {
    struct Cell: Encodable {
        var text: String
        var href: String? = nil
        var tag: String? = nil
    }

    struct Filter: Encodable {
        var name: String
        var label: String
        var options: [FormView.Option]
    }

    var heading: String
    var newHref: String?
    var newLabel: String?
    var filterAction: String?
    var filters: [Filter] = []
    var columns: [String]
    var rows: [[Cell]]
    var empty: String
    /// Links to the previous and next pages of a long list.
    var previousHref: String? = nil
    var nextHref: String? = nil
    var extraLinks: [Link] = []

    struct Link: Encodable {
        var href: String
        var label: String
    }
}

/// A form page. Every field shows its own error beside it, and a summary at the top lists them
/// all with links, so a keyboard or screen-reader user finds each one.
struct FormView: Encodable {
    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
        /// Shown beside the label where a list is searched by typing (an item's pinyin initials).
        var hint: String = ""
    }

    struct Field: Encodable {
        var name: String
        var label: String
        var type: String
        var value: String = ""
        var options: [Option] = []
        var required: Bool = false
        var hint: String? = nil
        var error: String? = nil
        var checked: Bool = false
        var max: Int? = nil
    }

    struct Summary: Encodable {
        var field: String
        var message: String
    }

    var heading: String
    var action: String
    var submitLabel: String
    var cancelHref: String
    var multipart = false
    var fields: [Field]
    var errors: [Summary] = []
    var extraActions: [ExtraAction] = []
    /// A separate multipart form beside the main one (a staff member's photo).
    var upload: Upload? = nil

    struct Upload: Encodable {
        var action: String
        var heading: String
        var label: String
        var hint: String
        var accept: String
        var button: String
        var current: String?
    }

    struct ExtraAction: Encodable {
        var action: String
        var label: String
    }

    /// Puts each error beside its field (or in the summary only, for fields the form lacks).
    mutating func attach(_ failure: ValidationFailure, req: Request) {
        let catalog = req.application.catalog
        for e in failure.errors {
            let message = catalog.fieldMessage(e, req.language)
            // `materials.3.name` belongs to the `materials` box.
            let i = fields.firstIndex(where: { $0.name == e.field || e.field.hasPrefix($0.name + ".") })
            errors.append(Summary(field: i.map { fields[$0].name } ?? e.field, message: message))
            if let i {
                fields[i].error = [fields[i].error, message].compactMap { $0 }.joined(separator: "；")
            }
        }
    }
}

/// A submitted form as plain strings; checkboxes are present ("on") or absent.
struct FormValues: Sendable {
    var values: [String: String]

    init(_ req: Request) throws {
        values = (try? req.content.decode([String: String].self)) ?? [:]
        values[CSRFMiddleware.field] = nil
    }

    init(_ values: [String: String]) { self.values = values }

    subscript(_ key: String) -> String? {
        guard let v = values[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }

    func flag(_ key: String) -> Bool { values[key] != nil && values[key] != "false" }

    /// A whole number, nil when left empty; anything else not a number adds a `number` error.
    func int(_ key: String, errors: inout [FieldError]) -> Int? {
        guard let raw = self[key] else { return nil }
        guard let n = Int(raw) else {
            errors.append(FieldError(key, "number"))
            return nil
        }
        return n
    }
}

extension Request {
    /// Options for choosing a center, indented by depth, within the caller's scope.
    func centerOptions(_ scope: Scope, selected: String?, includeNone: String? = nil) -> [FormView.Option] {
        var out: [FormView.Option] = []
        if let none = includeNone { out.append(.init(value: "", label: none, selected: (selected ?? "").isEmpty)) }
        for (node, depth) in scope.tree.ordered(within: scope.centers) {
            let id = node.id.uuidString
            out.append(
                .init(
                    value: id, label: String(repeating: "　", count: depth) + node.name,
                    selected: selected?.lowercased() == id.lowercased()))
        }
        return out
    }

    func enumOptions(_ values: [String], prefix: String, selected: String?) -> [FormView.Option] {
        values.map { .init(value: $0, label: t("\(prefix).\($0)"), selected: $0 == selected) }
    }

    /// The center a list page is filtered to (`?center=`), defaulting to the caller's own.
    /// The center a hall page opens on: the one asked for, else the viewer's own if it has a hall
    /// (windows), else the first center in view that has one (a province's manager has no hall of
    /// their own, and its zeros told them nothing).
    func hallCenter(_ scope: Scope) async throws -> UUID { try await listCenter(scope, WindowModel.self, \.$centerID) }

    /// The center a list opens on: the one asked for; else the viewer's own when it has rows of
    /// the kind (or nothing in scope has); else the first center in scope, in tree order, that
    /// has — a province's administrator lands on the county with the windows, not on zeros.
    func listCenter<M: Model>(_ scope: Scope, _ type: M.Type, _ center: KeyPath<M, FieldProperty<M, UUID>>) async throws -> UUID {
        if query[String.self, at: "center"] != nil { return try chosenCenter(scope) }
        let own = scope.principal.centerID
        let rows = try await M.query(on: db).filter(center ~~ Array(scope.centers)).field(center).unique().all()
        let have = Set(rows.map { $0[keyPath: center].wrappedValue })
        if have.contains(own) || have.isEmpty { return own }
        return scope.tree.ordered(within: scope.centers).first { have.contains($0.node.id) }?.node.id ?? own
    }

    /// The center named by `?center=` (its id or its code), within the viewer's scope; else their own.
    func chosenCenter(_ scope: Scope) throws -> UUID {
        guard let raw = query[String.self, at: "center"] else { return scope.principal.centerID }
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        if let id = UUID(uuidString: raw) ?? scope.tree.nodes.values.first(where: { $0.code == code })?.id {
            try scope.require(id)
            return id
        }
        return scope.principal.centerID
    }
}
