import Fluent
import Foundation
import OneStopCore
import Vapor

/// `createCommitment`, `reviewCommitment`, `listCommitments` and `/commitments` (issue 21).
enum CommitmentRoutes {
    typealias S = CommitmentService
    static let pageAccess = Access.only(.centerAdmin, .chiefRepresentative, .windowStaff, .supervisor, .campaignOffice)

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let pledge = O.object([
            "text": O.string, "indicator": ["type": ["string", "null"]], "target": ["type": ["number", "null"]],
            "measured": ["type": ["string", "null"]], "result": ["type": ["string", "null"]], "note": ["type": ["string", "null"]],
        ])
        return [
            "Commitment": O.object([
                "id": O.uuid, "centerID": O.uuid, "subject": O.string, "subjectName": O.string, "period": O.string, "periodLabel": O.string,
                "state": ["enum": ["published", "reviewed"]], "pledges": ["type": "array", "items": pledge], "renews": O.optionalUUID,
                "madeBy": O.string, "reviewedBy": O.string,
            ]),
            "CommitmentInput": O.object(
                ["committer": O.string, "period": O.string, "pledges": ["type": "array", "items": pledge]],
                required: ["committer", "period", "pledges"]),
            "CommitmentReviewInput": O.object([
                "results": [
                    "type": "array",
                    "items": O.object(["result": CaseSchemas.names(PledgeResult.self), "note": O.string]),
                ]
            ]),
        ]
    }()

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "commitments", access: S.makers,
            operation: .init(
                id: "createCommitment",
                summary:
                    "一诺: a staff member's, department's or center's public commitment for a half-year — one to ten checkable pledges, each optionally measured by an indicator against a target; renews the last half-year's",
                tag: "Evaluation", request: "CommitmentInput", response: "Commitment", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(S.dto(try await S.create(try req.content.decode(S.Input.self), req: req)), req)
        }
        api.endpoint(
            .POST, "commitments", ":id", "review", access: S.reviewers,
            operation: .init(
                id: "reviewCommitment",
                summary:
                    "回头看: each pledge marked kept, partly kept or not kept (a note unless kept), with the measured figure where an indicator applies",
                tag: "Evaluation", request: "CommitmentReviewInput", response: "Commitment")
        ) { req in S.dto(try await S.review(try req.uuid("id"), try req.content.decode(S.ReviewInput.self), req: req)) }
        api.endpoint(
            .GET, "commitments", access: .public,
            operation: .init(
                id: "listCommitments",
                summary: "The public commitments of a subject, or of a center's staff, departments and itself; newest first",
                tag: "Evaluation", response: "Commitment", responseIsList: true,
                query: [
                    .init(name: "subject", type: "string", description: "staff:, department: or center: with an id"),
                    .init(name: "center", type: "string", description: "code or id"),
                ])
        ) { req in try await list(req).map(S.dto) }
    }

    static func list(_ req: Request) async throws -> [CommitmentModel] {
        if let s = req.query[String.self, at: "subject"], !s.isEmpty { return try await S.of([s], on: req.db) }
        let code = req.query[String.self, at: "center"] ?? ""
        let tree = try await req.application.centerTrees.tree(on: req.db)
        guard let center = UUID(uuidString: code) ?? tree.nodes.values.first(where: { $0.code == code.uppercased() })?.id else {
            throw ValidationFailure([FieldError("center", code.isEmpty ? "required" : "invalidReference")])
        }
        return try await CommitmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$period, .descending)
            .sort(\.$subjectName).limit(500).all()
    }

    // MARK: page

    struct PledgeView: Encodable {
        var text: String
        var measure: String
        var result: String
        var note: String
    }

    struct Item: Encodable {
        var id: String
        var subject: String
        var period: String
        var state: String
        var reviewed: Bool
        var pledges: [PledgeView]
        var canReview: Bool
    }

    struct PageView: Encodable {
        var centerOptions: [FormView.Option]
        var center: String
        var items: [Item]
        var subjectOptions: [FormView.Option]
        var periodOptions: [FormView.Option]
        var indicatorOptions: [FormView.Option]
        var resultOptions: [FormView.Option]
        var rows: [Int]
        var canCreate: Bool
        var errors: [String]
    }

    struct Form: Content {
        var center: String?
        var subject: String?
        var period: String?
        var text: [String]?
        var indicator: [String]?
        var target: [String]?
    }

    static func register(pages app: any RoutesBuilder) {
        app.endpoint(.GET, "commitments", access: pageAccess) { req in try await page(req, errors: []) }
        app.endpoint(.POST, "commitments", access: S.makers) { req -> Response in
            let f = try req.content.decode(Form.self)
            do {
                var pledges: [S.PledgeDTO] = []
                for (i, t) in (f.text ?? []).enumerated() where !t.trimmingCharacters(in: .whitespaces).isEmpty {
                    let indicator = (f.indicator ?? []).indices.contains(i) ? (f.indicator ?? [])[i] : ""
                    let raw = (f.target ?? []).indices.contains(i) ? (f.target ?? [])[i].trimmingCharacters(in: .whitespaces) : ""
                    var target = Double(raw)
                    if !raw.isEmpty, target == nil { throw ValidationFailure([FieldError("pledges.\(pledges.count).target", "number")]) }
                    // Rates are typed in per cent.
                    if let t = target, let i = Indicator(rawValue: indicator), i.unit != .count { target = t / 100 }
                    var d = S.PledgeDTO(Pledge(text: t))
                    d.indicator = indicator.isEmpty ? nil : indicator
                    d.target = target
                    pledges.append(d)
                }
                let c = try await S.create(.init(committer: f.subject, period: f.period, pledges: pledges), req: req)
                req.flash(req.t("commitment.made", ["subject": c.subjectName]))
                return req.redirect(to: "/commitments?center=\(c.centerID)")
            } catch let v as ValidationFailure {
                return try await page(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "commitments", ":id", "review", access: S.reviewers) { req -> Response in
            let id = try req.uuid("id")
            struct F: Content {
                var result: [String]?
                var note: [String]?
            }
            let f = try req.content.decode(F.self)
            let results = (f.result ?? []).enumerated().map { i, r in
                S.ReviewInput.Item(result: r, note: (f.note ?? []).indices.contains(i) ? (f.note ?? [])[i] : nil)
            }
            do {
                let c = try await S.review(id, .init(results: results), req: req)
                req.flash(req.t("commitment.reviewedFlash", ["subject": c.subjectName]))
                return req.redirect(to: "/commitments?center=\(c.centerID)")
            } catch let v as ValidationFailure {
                return try await page(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
    }

    static func page(_ req: Request, errors: [String], status: HTTPStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        let p = try req.requirePrincipal()
        let commitments = try await CommitmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$period, .descending)
            .sort(\.$subjectName).limit(200).all()
        var items: [Item] = []
        for c in commitments {
            var canReview = c.state == "published" && p.role != .windowStaff
            if canReview { canReview = try await S.mayAct(on: c.subject, owner: c.centerID, req: req) }
            items.append(
                Item(
                    id: c.id!.uuidString, subject: c.subjectName, period: EvaluationPeriod(key: c.period)?.label ?? c.period,
                    state: req.t("commitment.state.\(c.state)"), reviewed: c.state == "reviewed",
                    pledges: c.pledgesValue.map { pl in
                        var measure = ""
                        if let i = pl.indicator {
                            let target = pl.target.map { i.unit == .count ? ScoringRule.number($0) : IndicatorFigure.percent($0) } ?? ""
                            measure =
                                req.t("indicator.\(i.rawValue)")
                                + (target.isEmpty ? "" : " " + req.t("commitment.target", ["target": target]))
                            if let m = pl.measured { measure += " · " + req.t("commitment.measured", ["figure": m]) }
                        }
                        return PledgeView(
                            text: pl.text, measure: measure, result: pl.result.map { req.t("commitment.result.\($0.rawValue)") } ?? "",
                            note: pl.note ?? "")
                    }, canReview: canReview))
        }
        // Whom a commitment can be made for: the viewer's own staff record, or the center's staff, departments and itself.
        var subjects: [FormView.Option] = []
        if p.role == .windowStaff {
            if let s = try await UserModel.find(p.id, on: req.db)?.staffID, let staff = try await StaffModel.find(s, on: req.db) {
                subjects.append(.init(value: "staff:" + s.uuidString.lowercased(), label: staff.name, selected: true))
            }
        } else {
            if p.role != .chiefRepresentative, let node = scope.tree.nodes[center] {
                subjects.append(.init(value: "center:" + center.uuidString.lowercased(), label: node.name, selected: false))
            }
            for d in try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
            where p.role != .chiefRepresentative || d.id == p.departmentID {
                subjects.append(.init(value: "department:" + d.id!.uuidString.lowercased(), label: d.name, selected: false))
            }
            for s in try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
            where p.role != .chiefRepresentative || s.departmentID == p.departmentID {
                subjects.append(.init(value: "staff:" + s.id!.uuidString.lowercased(), label: s.name, selected: false))
            }
        }
        let today = HallClock.day(req.now)
        let half = EvaluationPeriod(.halfYear, containing: today)
        let view = PageView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), center: center.uuidString, items: items,
            subjectOptions: subjects,
            periodOptions: [half.previous, half, half.next].map { .init(value: $0.description, label: $0.label, selected: $0 == half) },
            indicatorOptions: [.init(value: "", label: req.t("commitment.noIndicator"), selected: true)]
                + IndicatorService.departmentColumns.map {
                    .init(value: $0.rawValue, label: req.t("indicator.\($0.rawValue)"), selected: false)
                },
            resultOptions: PledgeResult.allCases.map {
                .init(value: $0.rawValue, label: req.t("commitment.result.\($0.rawValue)"), selected: false)
            },
            rows: Array(1...5), canCreate: [.centerAdmin, .chiefRepresentative, .windowStaff].contains(p.role), errors: errors)
        return try await req.page("evaluation/commitments", title: req.t("commitment.title"), view, status: status)
    }
}
