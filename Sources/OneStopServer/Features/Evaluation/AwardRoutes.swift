import Fluent
import Foundation
import OneStopCore
import Vapor

/// `grantAward`, `listAwards` and `/awards` (issue 21).
enum AwardRoutes {
    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        return [
            "Award": O.object([
                "id": O.uuid, "centerID": O.uuid, "kind": CaseSchemas.names(AwardKind.self), "name": O.string, "subject": O.string,
                "subjectName": O.string, "period": O.string, "periodLabel": O.string, "reason": O.string, "grantedBy": O.string,
                "grantedAt": O.dateTime,
            ]),
            "AwardInput": O.object(
                [
                    "center": O.string, "kind": CaseSchemas.names(AwardKind.self), "awardee": O.string, "period": O.string,
                    "reason": O.string,
                ], required: ["kind", "period", "reason"]),
        ]
    }()

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "awards", access: AwardService.granters,
            operation: .init(
                id: "grantAward",
                summary:
                    "Give an award for a period with a reason: the red flag (to a hall below or a window unit; without a subject, the first of the period's signed ranking), a party-member model window or pioneer post, a service pacesetter",
                tag: "Evaluation", request: "AwardInput", response: "Award", successStatus: 201)
        ) { req in
            let a = try await AwardService.grant(try req.content.decode(AwardService.Input.self), req: req)
            return try await OrgAPIController.created(AwardService.dto(a, req: req), req)
        }
        api.endpoint(
            .GET, "awards", access: .public,
            operation: .init(
                id: "listAwards", summary: "Awards given by a center and the centers below it, or to one subject; newest first",
                tag: "Evaluation",
                response: "Award", responseIsList: true,
                query: [
                    .init(name: "center", type: "string", description: "code or id"),
                    .init(name: "subject", type: "string", description: "center:, department:, window: or staff: with an id"),
                ])
        ) { req in try await AwardService.list(req).map { AwardService.dto($0, req: req) } }
    }

    struct Row: Encodable {
        var name: String
        var subject: String
        var period: String
        var reason: String
        var grantedBy: String
    }

    struct PageView: Encodable {
        var centerOptions: [FormView.Option]
        var center: String
        var rows: [Row]
        var kindOptions: [FormView.Option]
        var subjectOptions: [FormView.Option]
        var periodKindOptions: [FormView.Option]
        var date: String
        var form: Form
        var errors: [String]
    }

    struct Form: Content {
        var center: String?
        var kind: String?
        var subject: String?
        var periodKind: String?
        var date: String?
        var reason: String?
    }

    static func register(pages app: any RoutesBuilder) {
        app.endpoint(.GET, "awards", access: AwardService.granters) { req in
            try await page(req, form: Form(center: req.query[String.self, at: "center"]), errors: [])
        }
        app.endpoint(.POST, "awards", access: AwardService.granters) { req -> Response in
            let f = try req.content.decode(Form.self)
            do {
                let kind = EvaluationPeriod.Kind(rawValue: f.periodKind ?? "month") ?? .month
                guard let date = (f.date).flatMap(CivilDate.init), kind != .range else {
                    throw ValidationFailure([FieldError("date", "date")])
                }
                let a = try await AwardService.grant(
                    .init(
                        center: f.center, kind: f.kind, awardee: (f.subject ?? "").isEmpty ? nil : f.subject,
                        period: EvaluationPeriod(kind, containing: date).description, reason: f.reason), req: req)
                req.flash(req.t("award.granted", ["name": req.t("award.kind.\(a.kind)"), "subject": a.subjectName]))
                return req.redirect(to: "/awards?center=\(a.centerID)")
            } catch let v as ValidationFailure {
                return try await page(
                    req, form: f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) },
                    status: .unprocessableEntity)
            }
        }
    }

    static func page(_ req: Request, form: Form, errors: [String], status: HTTPStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let center: UUID
        if let c = form.center, let id = UUID(uuidString: c), scope.centers.contains(id) {
            center = id
        } else {
            center = try req.chosenCenter(scope)
        }
        let awards = try await AwardModel.query(on: req.db).filter(
            \.$centerID ~~ Array(scope.tree.subtree(center).intersection(scope.centers))
        )
        .sort(\.$grantedAt, .descending).limit(200).all()
        // Whom an award can go to: the halls below, the units, windows and staff of the tree.
        var subjects: [FormView.Option] = [.init(value: "", label: req.t("award.fromRanking"), selected: (form.subject ?? "").isEmpty)]
        let below = scope.tree.subtree(center)
        for (node, depth) in scope.tree.ordered(within: below) where node.id != center {
            let v = "center:" + node.id.uuidString.lowercased()
            subjects.append(
                .init(
                    value: v, label: req.t("award.subject.center", ["name": String(repeating: "　", count: depth) + node.name]),
                    selected: form.subject == v))
        }
        for d in try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ Array(below)).sort(\.$name).all() {
            let v = "department:" + d.id!.uuidString.lowercased()
            subjects.append(.init(value: v, label: req.t("award.subject.department", ["name": d.name]), selected: form.subject == v))
        }
        for w in try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all() {
            let v = "window:" + w.id!.uuidString.lowercased()
            subjects.append(
                .init(value: v, label: req.t("award.subject.window", ["name": "\(w.number) \(w.name)"]), selected: form.subject == v))
        }
        for s in try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all() {
            let v = "staff:" + s.id!.uuidString.lowercased()
            subjects.append(.init(value: v, label: req.t("award.subject.staff", ["name": s.name]), selected: form.subject == v))
        }
        let today = HallClock.day(req.now)
        let view = PageView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), center: center.uuidString,
            rows: awards.map {
                Row(
                    name: req.t("award.kind.\($0.kind)"), subject: $0.subjectName,
                    period: EvaluationPeriod(key: $0.period)?.label ?? $0.period,
                    reason: $0.reason, grantedBy: $0.grantedBy)
            },
            kindOptions: AwardKind.allCases.map {
                .init(value: $0.rawValue, label: req.t("award.kind.\($0.rawValue)"), selected: $0.rawValue == form.kind)
            },
            subjectOptions: subjects,
            periodKindOptions: EvaluationPeriod.Kind.allCases.filter { $0 != .range && $0 != .day }.map {
                .init(
                    value: $0.rawValue, label: req.t("indicator.kind.\($0.rawValue)"), selected: $0.rawValue == (form.periodKind ?? "month")
                )
            },
            date: form.date ?? EvaluationPeriod(.month, containing: today).previous.first.description, form: form, errors: errors)
        return try await req.page("evaluation/awards", title: req.t("award.title"), view, status: status)
    }
}
