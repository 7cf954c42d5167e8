import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/projects`: the agent-service projects of the caller's centers, with a form for a new one, and
/// one project with its cases and a form to add a case by number.
enum AgentProjectPages {
    struct ListView: Encodable {
        var rows: [AgentProjectDTO]
        var centers: [FormView.Option]
        var agents: [FormView.Option]
        var values: [String: String]
        var errors: [String]
        var kinds: [FormView.Option]
        var methods: [FormView.Option]
    }

    struct ConsentView: Encodable {
        var project: AgentProjectDTO
        var center: String
        var applicantID: String
        var phone: String
        var method: String
    }

    struct ShowView: Encodable {
        struct Row: Encodable {
            var id: String
            var number: String
            var itemName: String
            var stateLabel: String
            var promisedDue: String
        }

        var project: AgentProjectDTO
        var rows: [Row]
        var errors: [String]
        var kindLabel: String
        var consent: String
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "projects", access: CaseAccess.handlers) { req in try await list(req, values: [:], errors: []) }
        app.endpoint(.POST, "projects", access: CaseAccess.handlers) { req in
            let f = try req.content.decode([String: String].self)
            do {
                let p = try await AgentProjects.create(
                    AgentProjectInput(
                        centerID: f["centerID"].flatMap(UUID.init(uuidString:)), name: f["name"], applicantNumber: f["applicantNumber"],
                        agentID: f["agentID"].flatMap(UUID.init(uuidString:)), note: f["note"], kind: f["kind"],
                        consentMethod: f["consentMethod"], consentOn: f["consentOn"], consentNote: f["consentNote"]),
                    req: req)
                return req.redirect(to: "/projects/\(p.id!)")
            } catch let v as ValidationFailure {
                return try await list(
                    req, values: f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) },
                    status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "projects", ":id", access: CaseAccess.handlers) { req in try await show(req, errors: []) }
        // The authorisation a citizen signs (委托代办书), printed from the project.
        app.endpoint(.GET, "projects", ":id", "consent", access: CaseAccess.handlers) { req in
            let model = try await AgentProjects.visible(try req.uuid("id"), req: req)
            let p = try await AgentProjects.dto(model, on: req.db)
            guard p.kind == AgentProjectKind.citizen.rawValue, let a = try await ApplicantModel.find(model.applicantID, on: req.db) else {
                throw Abort(.notFound)
            }
            let center = try await req.scope().tree.nodes[p.centerID]?.name ?? ""
            return try await req.page(
                "cases/project-consent", title: req.t("project.consentTitle"),
                ConsentView(
                    project: p, center: center, applicantID: ResidentID.masked(a.idNumber), phone: PhoneNumber.masked(a.phone),
                    method: p.consentMethod.map { req.t("consent.\($0)") } ?? ""))
        }
        app.endpoint(.POST, "projects", ":id", "cases", access: CaseAccess.handlers) { req in
            let id = try req.uuid("id")
            do {
                _ = try await AgentProjects.addCase(
                    id, AgentProjectInput(caseNumber: try? req.content.get(String.self, at: "caseNumber")), req: req)
                return req.redirect(to: "/projects/\(id)")
            } catch let v as ValidationFailure {
                return try await show(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
    }

    static func list(_ req: Request, values: [String: String], errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response
    {
        let scope = try await req.scope()
        let rows = try await AgentProjects.list(req)
        let agents = try await UserModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).filter(\.$disabled == false)
            .filter(\.$role ~~ [Role.windowStaff, .chiefRepresentative, .centerAdmin].map(\.rawValue)).sort(\.$displayName).all()
            .map { FormView.Option(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == values["agentID"]) }
        return try await req.page(
            "cases/projects", title: req.t("project.title"),
            ListView(
                rows: rows, centers: req.centerOptions(scope, selected: values["centerID"] ?? scope.principal.centerID.uuidString),
                agents: agents, values: values, errors: errors,
                kinds: AgentProjectKind.allCases.map {
                    .init(
                        value: $0.rawValue, label: req.t("project.kind.\($0.rawValue)"),
                        selected: $0.rawValue == (values["kind"] ?? "investment"))
                },
                methods: ConsentMethod.allCases.map {
                    .init(value: $0.rawValue, label: req.t("consent.\($0.rawValue)"), selected: $0.rawValue == values["consentMethod"])
                }), status: status)
    }

    static func show(_ req: Request, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let p = try await AgentProjects.dto(try await AgentProjects.visible(try req.uuid("id"), req: req), on: req.db)
        let rows = p.cases.map {
            ShowView.Row(
                id: $0.id.uuidString, number: $0.number, itemName: $0.itemName, stateLabel: req.t("case.state.\($0.state)"),
                promisedDue: $0.promisedDue ?? "—")
        }
        let consent = p.consentMethod.map { m in
            req.t("consent.\(m)") + " · " + (p.consentOn ?? "") + ((p.consentNote ?? "").isEmpty ? "" : " · " + (p.consentNote ?? ""))
        }
        return try await req.page(
            "cases/project", title: p.name,
            ShowView(
                project: p, rows: rows, errors: errors, kindLabel: req.t("project.kind.\(p.kind)"), consent: consent ?? ""),
            status: status)
    }
}
