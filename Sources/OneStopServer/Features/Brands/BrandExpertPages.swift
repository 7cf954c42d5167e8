import Fluent
import Foundation
import OneStopCore
import Vapor

/// The expert reviewer's pages (issue 22): `/brands/experts` lists the candidates assigned to
/// them; `/brands/{id}/score` shows the brand's definition, declaration and evidence beside a form
/// scoring each standard within its points — or declaring a conflict. Others' scores stay hidden
/// until every expert has scored.
enum BrandExpertPages {
    struct Row: Encodable {
        var href: String
        var name: String
        var department: String
        var status: String
    }

    struct ListView: Encodable { var rows: [Row] }

    struct Standard: Encodable {
        var key: String
        var label: String
        var points: String
        var value: String
        var comment: String
        var assessment: String
    }

    struct ScoreView: Encodable {
        var id: String
        var name: String
        var department: String
        var publicHref: String
        var system: [String]
        var standards: [Standard]
        var requirements: String
        var evidence: [String]
        var status: String
        var canScore: Bool
        var visible: Bool
        var others: [FormView.Option]
        var errors: [String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "brands", "experts", access: BrandSelectionService.experts) { req -> Response in
            let p = try req.requirePrincipal()
            let cards = try await BrandExpertCardModel.query(on: req.db).filter(\.$expertID == p.id).sort(\.$assignedAt, .descending)
                .limit(200).all()
            let brands = try await BrandModel.query(on: req.db).filter(\.$id ~~ cards.map(\.brandID)).all()
            let names = try await WorkOrderPages.departmentNames(Array(Set(brands.compactMap(\.departmentID))), on: req.db)
            let rows = cards.compactMap { c -> Row? in
                guard let b = brands.first(where: { $0.id == c.brandID }) else { return nil }
                return Row(
                    href: "/brands/\(b.id!.uuidString.lowercased())/score", name: b.name,
                    department: b.departmentID.flatMap { names[$0] } ?? "",
                    status: c.excluded.isEmpty
                        ? req.t(c.total == nil ? "brand.card.waiting" : "brand.card.scored") : req.t("brand.excluded.\(c.excluded)"))
            }
            return try await req.page("brands/experts", title: req.t("nav.brandExperts"), ListView(rows: rows))
        }
        app.endpoint(.GET, "brands", ":id", "score", access: BrandSelectionService.experts) { req in
            try await score(req, errors: [], form: [:])
        }
        app.endpoint(.POST, "brands", ":id", "score", access: BrandSelectionService.experts) { req -> Response in
            let f = try req.content.decode([String: String].self)
            let id = try req.uuid("id")
            var input = BrandSelectionService.ScoreInput(scores: [:], conflict: f["conflict"] == "1" ? true : nil)
            if input.conflict == nil {
                for s in BrandSelection.Standard.allCases {
                    let raw = (f["points_\(s.rawValue)"] ?? "").trimmingCharacters(in: .whitespaces)
                    // An empty or unreadable number is left out, so the rule reports it as required.
                    if let v = Double(raw) { input.scores?[s.rawValue] = .init(points: v, comment: f["comment_\(s.rawValue)"] ?? "") }
                }
            }
            do {
                _ = try await BrandSelectionService.score(id, input, req: req)
                req.flash(req.t(input.conflict == true ? "brand.conflictSaved" : "brand.scoreSaved"))
                return req.redirect(to: "/brands/experts")
            } catch let v as ValidationFailure {
                return try await score(req, errors: BrandManagePages.messages(v, req), form: f, status: .unprocessableEntity)
            } catch let x as any AbortError where x.status == .conflict {
                return try await score(req, errors: [x.reason], form: f, status: .conflict)
            }
        }
    }

    static func score(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(try req.uuid("id"), on: req.db)
        let cards = try await BrandSelectionRoutes.cards(b, req: req)
        guard let mine = cards.cards.first(where: { $0.expertID == p.id }) else { throw Abort(.forbidden) }
        var department = ""
        if let d = b.departmentID { department = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let campaign = try await BrandReportService.campaign(for: b, on: req.db, app: req.application)
        var assessment: [String: String] = [:]
        if let c = campaign,
            let d = try await BrandDeclarationModel.query(on: req.db).filter(\.$brandID == b.requireID()).filter(
                \.$campaignID == c.requireID()
            )
            .first()
        {
            assessment = d.assessmentValue
            assessment["_requirements"] = d.requirements
        }
        let points = BrandSelection.Standard.defaultPoints
        let standards = BrandSelection.Standard.allCases.map { s in
            Standard(
                key: s.rawValue, label: req.t("brand.standard.\(s.rawValue)"), points: ScoringRule.number(points[s] ?? 0),
                value: form["points_\(s.rawValue)"] ?? mine.scores?[s.rawValue].map { ScoringRule.number($0.points) } ?? "",
                comment: form["comment_\(s.rawValue)"] ?? mine.scores?[s.rawValue]?.comment ?? "", assessment: assessment[s.rawValue] ?? "")
        }
        let sys = b.systemValue
        let evidence = try await BrandEvidenceService.list(b.requireID(), on: req.db).map {
            "\($0.day) \(req.t("brand.evidence.\($0.kind)"))：\($0.title)"
        }
        let view = ScoreView(
            id: b.id!.uuidString.lowercased(), name: b.name, department: department,
            publicHref: b.stateValue.isPublic ? "/brands/\(b.id!.uuidString.lowercased())" : "",
            system: sys.commitments + sys.measures, standards: standards, requirements: assessment["_requirements"] ?? "",
            evidence: evidence,
            status: mine.excluded.map { req.t("brand.excluded.\($0)") } ?? req.t(mine.scored ? "brand.card.scored" : "brand.card.waiting"),
            canScore: mine.excluded == nil && b.stateValue == .candidate, visible: cards.visible,
            others: cards.visible
                ? cards.cards.filter { $0.excluded == nil }.map {
                    .init(value: $0.total.map(ScoringRule.number) ?? "—", label: $0.expertName, selected: $0.expertID == p.id)
                } : [], errors: errors)
        return try await req.page("brands/score", title: req.t("brand.scoreTitle", ["name": b.name]), view, status: status)
    }
}
