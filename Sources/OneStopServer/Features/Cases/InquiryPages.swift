import Fluent
import Foundation
import OneStopCore
import Vapor

/// The pages of 首问负责 and 一次性告知: the list with a form for a new question, one question with
/// its answer and hand-over forms, and the printable sheet the visitor takes away.
enum InquiryPages {
    struct ListView: Encodable {
        var rows: [InquiryDTO]
        var items: [FormView.Option]
        var values: [String: String]
        var errors: [String]
    }

    struct ShowView: Encodable {
        var inquiry: InquiryDTO
        var statusLabel: String
        var mine: Bool
        var colleagues: [FormView.Option]
        var errors: [String]
    }

    struct PrintView: Encodable {
        var inquiry: InquiryDTO
        var centerName: String
        var day: String
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "inquiries", access: Inquiries.staff) { req in try await list(req, values: [:], errors: []) }
        app.endpoint(.POST, "inquiries", access: Inquiries.staff) { req in
            let f = try req.content.decode([String: String].self)
            do {
                let m = try await Inquiries.create(
                    InquiryInput(visitorName: f["visitorName"], visitorPhone: f["visitorPhone"], question: f["question"], item: f["item"]),
                    req: req)
                return req.redirect(to: "/inquiries/\(m.id!)")
            } catch let v as ValidationFailure {
                return try await list(
                    req, values: f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) },
                    status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "inquiries", ":id", access: Inquiries.staff) { req in try await show(req, errors: []) }
        app.endpoint(.POST, "inquiries", ":id", ":action", access: Inquiries.staff) { req in
            let id = try req.uuid("id")
            let f = try req.content.decode([String: String].self)
            do {
                switch req.parameters.get("action") {
                case "answer": _ = try await Inquiries.answer(id, InquiryInput(answer: f["answer"]), req: req)
                case "handover":
                    _ = try await Inquiries.handOver(
                        id, InquiryInput(answer: f["note"], userID: f["userID"].flatMap(UUID.init(uuidString:))), req: req)
                default: throw Abort(.notFound)
                }
                req.flash(req.t("card.saved"))
                return req.redirect(to: "/inquiries/\(id)")
            } catch let v as ValidationFailure {
                return try await show(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "inquiries", ":id", "print", access: Inquiries.staff) { req in
            let m = try await Inquiries.visible(try req.uuid("id"), req: req)
            let center = try await CenterModel.find(m.centerID, on: req.db)
            return try await req.page(
                "cases/inquiry-print", title: m.serial,
                PrintView(
                    inquiry: InquiryDTO(m), centerName: center?.name ?? "",
                    day: CaseNotices.chinese(HallClock.day(Date(timeIntervalSince1970: Double(m.createdAt) / 1000)).description)))
        }
    }

    static func list(_ req: Request, values: [String: String], errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response
    {
        let p = try req.requirePrincipal()
        let rows = try await Inquiries.list(req).map(InquiryDTO.init)
        let items =
            [FormView.Option(value: "", label: req.t("inquiry.noItem"), selected: (values["item"] ?? "").isEmpty)]
            + (try await CasePages.itemOptions(p.centerID, selected: values["item"] ?? "", on: req.db))
        return try await req.page(
            "cases/inquiries", title: req.t("inquiry.title"), ListView(rows: rows, items: items, values: values, errors: errors),
            status: status)
    }

    static func show(_ req: Request, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let p = scope.principal
        let m = try await Inquiries.visible(try req.uuid("id"), req: req)
        let mine = (m.status == "open" && m.ownerID == p.id) || (m.status == "handed_over" && m.handedTo == p.id)
        var colleagues: [FormView.Option] = []
        if m.status == "open", m.ownerID == p.id {
            colleagues = try await UserModel.query(on: req.db).filter(\.$centerID == m.centerID).filter(\.$disabled == false)
                .filter(\.$role ~~ [Role.windowStaff, .chiefRepresentative, .centerAdmin].map(\.rawValue)).sort(\.$displayName).all()
                .filter { $0.id != p.id }.map { .init(value: $0.id!.uuidString, label: $0.displayName, selected: false) }
        }
        return try await req.page(
            "cases/inquiry", title: m.serial,
            ShowView(
                inquiry: InquiryDTO(m), statusLabel: req.t("inquiry.status.\(m.status)"), mine: mine, colleagues: colleagues, errors: errors
            ),
            status: status)
    }
}
