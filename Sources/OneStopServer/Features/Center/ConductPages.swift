import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/center/conduct` (issue 23): the conduct inspections (作风督查) — the team starts one, records
/// findings per window against the checklist; the department explains and corrects; the center
/// closes or sends back.
enum ConductPages {
    struct FindingRow: Encodable {
        var id: String
        var window: String
        var department: String
        var item: String
        var text: String
        var state: String
        var stateKey: String
        var explainBy: String
        var overdue: Bool
        var answer: String
        var canExplain: Bool
        var canClose: Bool
    }

    struct InspectionRow: Encodable {
        var id: String
        var day: String
        var team: String
        var checklist: [FormView.Option]
        var findings: [FindingRow]
    }

    struct View: Encodable {
        var centerName: String
        var isInspector: Bool
        var checklist: String
        var windows: [FormView.Option]
        var banned: [FormView.Option]
        var inspections: [InspectionRow]
        var today: String
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "conduct", access: ConductService.readers) { req in try await page(req, errors: [], form: [:]) }
        func post(_ path: PathComponent..., access: Access, act: @escaping @Sendable (Request) async throws -> (String, String, String)) {
            CenterForms.post(
                app, ["center", "conduct"] + path, access: access, base: "/center/conduct",
                page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
        }
        post("start", access: ConductService.inspectors) { req in
            let f = try req.content.decode([String: String].self)
            let center = try await DutyPages.center(req)
            let asked = (f["checklist"] ?? "").split(whereSeparator: \.isNewline).map(String.init)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let current = try await ConductService.checklist(center, on: req.db)
            let i = try await ConductService.start(
                center, .init(day: f["day"], team: f["team"], checklist: asked == current || asked.isEmpty ? nil : asked), req: req)
            return (req.t("conduct.started", ["day": i.day]), "inspection-\(i.id.uuidString.lowercased())", "")
        }
        post(":id", "finding", access: ConductService.inspectors) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await ConductService.record(
                try req.uuid("id"),
                .init(
                    windowID: f["windowID"].flatMap { UUID(uuidString: $0) }, criterion: f["criterion"], text: f["text"],
                    days: f["days"].flatMap { Int($0) }, phrase: f["phrase"]), req: req)
            return (req.t("conduct.findingSaved"), "inspection-\(try req.uuid("id").uuidString.lowercased())", "")
        }
        post("findings", ":id", "explain", access: ConductService.explainers) { req in
            let f = try req.content.decode([String: String].self)
            let x = try await ConductService.explain(
                try req.uuid("id"), .init(explanation: f["explanation"], rectification: f["rectification"]), req: req)
            return (req.t("conduct.explained"), "inspection-\(x.inspectionID.uuidString.lowercased())", "")
        }
        post("findings", ":id", "close", access: ConductService.inspectors) { req in
            let f = try req.content.decode([String: String].self)
            let x = try await ConductService.close(
                try req.uuid("id"), .init(accept: f["accept"].map { $0 == "true" }, note: f["note"]), req: req)
            return (
                req.t(x.state == "closed" ? "conduct.closed" : "conduct.returned"), "inspection-\(x.inspectionID.uuidString.lowercased())",
                ""
            )
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let inspections = try await ConductService.list(center, req: req)
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all()
        let isInspector = [.centerAdmin, .supervisor].contains(p.role)
        let checklist = try await ConductService.checklist(center, on: req.db)
        let banned = try await HallRulesService.bannedOptions(center, req: req)
        let view = View(
            centerName: c.name, isInspector: isInspector, checklist: form["checklist"] ?? checklist.joined(separator: "\n"),
            windows: windows.map {
                FormView.Option(value: $0.id!.uuidString.lowercased(), label: "\($0.number) 号 \($0.name)", selected: false)
            },
            banned: banned,
            inspections: inspections.map { i in
                InspectionRow(
                    id: i.id.uuidString.lowercased(), day: i.day, team: i.team,
                    checklist: i.checklist.map { FormView.Option(value: $0, label: $0, selected: false) },
                    findings: i.findings.map { f in
                        let state = ConductRules.State(rawValue: f.state) ?? .notified
                        return FindingRow(
                            id: f.id.uuidString.lowercased(), window: f.window ?? "", department: f.department ?? "", item: f.criterion,
                            text: HallRulesService.withPhrase(f.text, f.phrase, req: req),
                            state: req.t("conduct.state.\(f.state)"), stateKey: f.state, explainBy: f.explainBy, overdue: f.overdue,
                            answer: [f.explanation, f.rectification, f.closeNote].compactMap { $0 }.filter { !$0.isEmpty }.joined(
                                separator: " / "),
                            canExplain: state == .notified
                                && (p.role == .centerAdmin || (p.role == .chiefRepresentative && f.departmentID == p.departmentID)),
                            canClose: state == .explained && isInspector)
                    })
            }, today: HallClock.day(req.now).description, errors: errors, form: form)
        return try await req.page("center/conduct", title: req.t("conduct.title"), view, status: status)
    }
}
