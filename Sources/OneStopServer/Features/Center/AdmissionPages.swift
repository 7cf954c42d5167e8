import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/center/admissions` (issue 23): departments moving in (进驻) — asked for, decided, adjusted —
/// and what their items became since: 压缩时限 and 精简材料 per department and for the center.
enum AdmissionPages {
    struct Row: Encodable {
        var id: String
        var department: String
        var state: String
        var stateKey: String
        var items: String
        var entrusted: String
        var equipment: String
        var authorisations: String
        var decision: String
        var events: [String]
        var canDecide: Bool
        var canAdjust: Bool
    }

    struct View: Encodable {
        var centerName: String
        var isAdmin: Bool
        var canAsk: Bool
        var departments: [FormView.Option]
        var ownItems: String
        var rows: [Row]
        var figures: [AdmissionService.UnitFigures]
        var total: AdmissionService.UnitFigures
        var kinds: [FormView.Option]
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "admissions", access: AdmissionService.readers) { req in try await page(req, errors: [], form: [:]) }
        func post(_ path: PathComponent..., access: Access, act: @escaping @Sendable (Request) async throws -> (String, String, String)) {
            CenterForms.post(
                app, ["center", "admissions"] + path, access: access, base: "/center/admissions",
                page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
        }
        post("ask", access: AdmissionService.askers) { req in
            let f = try req.content.decode([String: String].self)
            let a = try await AdmissionService.request(
                try await DutyPages.center(req),
                .init(
                    departmentID: f["department"].flatMap { UUID(uuidString: $0) }, items: HallRules.lines(f["items"] ?? ""), staff: nil,
                    equipment: HallRules.lines(f["equipment"] ?? ""),
                    authorisations: .init(
                        approveOnSpot: f["approveOnSpot"] != nil, reviewReported: f["reviewReported"] != nil,
                        supervisePromised: f["supervisePromised"] != nil, coordinateJoint: f["coordinateJoint"] != nil),
                    entrusted: HallRules.lines(f["entrusted"] ?? ""), note: f["note"]), req: req)
            return (req.t("admission.asked", ["name": a.department]), "admissions", "")
        }
        post(":id", "decide", access: .admins) { req in
            let f = try req.content.decode([String: String].self)
            let a = try await AdmissionService.decide(
                try req.uuid("id"), .init(approve: f["approve"].map { $0 == "true" }, note: f["note"]), req: req)
            return (req.t("admission.decidedNow", ["name": a.department, "state": req.t("admission.state.\(a.state)")]), "admissions", "")
        }
        post(":id", "adjust", access: .admins) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await AdmissionService.adjust(
                try req.uuid("id"), .init(kind: f["kind"], itemCode: f["itemCode"], note: f["note"]), req: req)
            return (req.t("admission.adjusted"), "admissions", "")
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let admissions = try await AdmissionService.list(center, req: req)
        let figures = try await AdmissionService.streamlining(center, req: req)
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        var ownItems = ""
        if p.role == .chiefRepresentative, let d = p.departmentID {
            ownItems = try await ServiceItemModel.query(on: req.db).filter(\.$departmentID == d).sort(\.$code).all()
                .map { "\($0.code) \($0.name)" }.joined(separator: "；")
        }
        func yes(_ b: Bool, _ key: String) -> String? { b ? req.t(key) : nil }
        let view = View(
            centerName: c.name, isAdmin: p.role == .centerAdmin, canAsk: [.centerAdmin, .chiefRepresentative].contains(p.role),
            departments: p.role == .centerAdmin
                ? departments.map {
                    FormView.Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.name,
                        selected: form["department"] == $0.id!.uuidString.lowercased())
                } : [],
            ownItems: ownItems,
            rows: admissions.map { a in
                let auth = a.authorisations
                return Row(
                    id: a.id.uuidString.lowercased(), department: a.department, state: req.t("admission.state.\(a.state)"),
                    stateKey: a.state,
                    items: a.items.joined(separator: "、"), entrusted: a.entrusted.joined(separator: "、"),
                    equipment: a.equipment.joined(separator: "、"),
                    authorisations: [
                        yes(auth.approveOnSpot, "admission.auth.approveOnSpot"), yes(auth.reviewReported, "admission.auth.reviewReported"),
                        yes(auth.supervisePromised, "admission.auth.supervisePromised"),
                        yes(auth.coordinateJoint, "admission.auth.coordinateJoint"),
                    ].compactMap { $0 }.joined(separator: "、"),
                    decision: [a.decidedBy, a.decidedOn, a.decisionNote].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "),
                    events: a.events.map {
                        "\($0.day) " + req.t("admission.kind.\($0.kind)") + " \($0.itemCode)"
                            + ($0.note.isEmpty ? "" : req.t("punct.open") + $0.note + req.t("punct.close"))
                    },
                    canDecide: p.role == .centerAdmin && a.state == "requested", canAdjust: p.role == .centerAdmin && a.state == "approved")
            }, figures: figures.departments.filter { $0.items > 0 }, total: figures.total,
            kinds: AdmissionRules.Adjustment.allCases.map {
                FormView.Option(value: $0.rawValue, label: req.t("admission.kind.\($0.rawValue)"), selected: false)
            },
            errors: errors, form: form)
        return try await req.page("center/admissions", title: req.t("admission.title"), view, status: status)
    }
}
