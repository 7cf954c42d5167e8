import Fluent
import Foundation
import OneStopCore
import Vapor

/// The intake form: a center's items to choose from, the checklist, taking the application in.
extension CasePages {

    /// The items a center takes in, each with its name's pinyin initials for the search field.
    static func itemOptions(
        _ center: UUID, selected: String, pinyin: PinyinTable = .empty, on db: any Database
    ) async throws -> [FormView.Option] {
        let delegated = try await ItemDelegationModel.query(on: db).filter(\.$centerID == center).all().map(\.itemID)
        let items = try await ServiceItemModel.query(on: db).filter(\.$status == ItemStatus.published.rawValue)
            .group(.or) { $0.filter(\.$centerID == center).filter(\.$id ~~ delegated) }.sort(\.$code).all()
        return items.filter { $0.versionInForce != nil }.map {
            .init(value: $0.code, label: $0.code + " " + $0.name, selected: $0.code == selected, hint: pinyin.initials($0.name))
        }
    }

    static func newForm(
        _ req: Request, center chosen: UUID? = nil, item: String, values: [String: String], marks: [MaterialMark]?,
        errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let scope = try await req.scope()
        // From the console: the ticket being served names the center.
        var ticket: TicketModel?
        if let id = (values["ticket"] ?? req.query[String.self, at: "ticket"]).flatMap(UUID.init(uuidString:)) {
            ticket = try await TicketModel.find(id, on: req.db)
        }
        if let ticket { try scope.require(ticket.centerID) }
        var center =
            try chosen.map {
                try scope.require($0); return $0
            } ?? ticket?.centerID ?? (try req.chosenCenter(scope))
        if chosen == nil, ticket == nil, req.query[String.self, at: "center"] == nil,
            try await itemOptions(center, selected: "", on: req.db).isEmpty
        {
            // Someone at a center that serves nothing itself (a province's administrator): the
            // first center below that serves items, in the tree's order.
            for (node, _) in scope.tree.ordered(within: scope.centers) where node.id != center {
                if try await !itemOptions(node.id, selected: "", on: req.db).isEmpty {
                    center = node.id
                    break
                }
            }
        }
        var rows: [MaterialRow] = []
        var name = ""
        let options = try await itemOptions(center, selected: item, pinyin: req.application.catalogStore.pinyin, on: req.db)
        // Typed into the search field: a code, "code name" as the list offers it, a whole name, a
        // part of one, or its pinyin initials.
        let typed = item.trimmingCharacters(in: .whitespaces)
        let initials = typed.lowercased()
        let item =
            options.first { $0.value == typed || $0.label == typed || $0.label.hasSuffix(" " + typed) }?.value
            ?? options.first { !typed.isEmpty && $0.label.contains(typed) }?.value
            ?? options.first { initials.count >= 2 && $0.hint == initials }?.value
            ?? options.first { initials.count >= 2 && $0.hint.hasPrefix(initials) }?.value ?? typed
        if !item.isEmpty, let (_, guide, _) = try? await CaseService.itemInForce(item, center: center, req: req) {
            name = guide.name
            rows = guide.materials.enumerated().map { i, m in
                let mark = marks?.indices.contains(i) == true ? marks![i] : nil
                return MaterialRow(
                    n: i + 1, name: m.name + (m.condition.map { "（\($0)）" } ?? ""), need: m.need.rawValue,
                    needLabel: m.need.label(req),
                    status: mark?.status ?? "", note: mark?.note ?? "",
                    error: errors.first { $0.field == "materials.\(i + 1)" }.map { req.application.catalog.fieldMessage($0, req.language) })
            }
        }
        let view = NewView(
            ticket: ticket?.id?.uuidString ?? "", ticketNumber: ticket?.number ?? "", center: center.uuidString,
            centers: req.centerOptions(scope, selected: center.uuidString),
            items: [.init(value: "", label: req.t("case.new.chooseItem"), selected: item.isEmpty)]
                + options,
            item: item, itemName: name, materials: rows, values: values, kinds: kinds(req, values["kind"] ?? "person"),
            statuses: statuses(req), errors: errors.map { req.application.catalog.fieldMessage($0, req.language) })
        return try await req.page("cases/new", title: req.t("case.new.title"), view, status: status)
    }

    static func formMarks(_ f: [String: String], count: Int) -> [MaterialMark] {
        count > 0 ? (1...min(count, 200)).map { MaterialMark(status: f["m\($0)"], note: f["n\($0)"]) } : []
    }

    static func takeIn(_ req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let item = f["item"] ?? ""
        let count = Int(f["materials"] ?? "") ?? 0
        let marks = formMarks(f, count: count)
        var form: [String: String] = [:]
        if let text = f["summary"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty { form["申请内容"] = text }
        let input = IntakeInput(
            center: f["center"], item: item,
            applicant: ApplicantInput(kind: f["kind"], name: f["name"], idNumber: f["idNumber"], phone: f["phone"], contact: f["contact"]),
            ticket: f["ticket"].flatMap(UUID.init(uuidString:)), materials: marks, form: form, accept: f["accept"] == "1")
        do {
            let c = try await CaseService.intake(input, req: req).model
            req.flash(req.t(input.accept == true ? "case.new.accepted" : "case.new.done", ["number": c.number]))
            return req.redirect(to: "/cases/\(c.id!)")
        } catch let v as ValidationFailure {
            return try await newForm(
                req, center: f["center"].flatMap(UUID.init(uuidString:)), item: item, values: f, marks: marks, errors: v.errors,
                status: .unprocessableEntity)
        }
    }
}
