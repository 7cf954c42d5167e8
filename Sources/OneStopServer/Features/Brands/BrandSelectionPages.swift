import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/brands/selection/{campaign}` (issue 22): before the decision, the standings for the office
/// (with the decision form) and the open surveys for the public; after it, the frozen results, the
/// announcement's notice, and — during the 公示 — the objection form; the office answers each
/// objection here.
enum BrandSelectionPages {
    struct Row: Encodable {
        var id: String
        var rank: String
        var name: String
        var department: String
        var experts: String
        var expert: String
        var survey: String
        var social: String
        var combined: String
        var typical: Bool
        var ranked: Bool
        var surveyHref: String
    }

    struct Objection: Encodable {
        var id: String
        var brand: String
        var who: String
        var text: String
        var at: String
        var answer: String
    }

    struct View: Encodable {
        var campaign: String
        var campaignID: String
        var decided: Bool
        var showScores: Bool
        var isOffice: Bool
        var rows: [Row]
        var expertPercent: String
        var noticeHref: String
        var announceUntil: String
        var objectionOpen: Bool
        var typical: [FormView.Option]
        var objections: [Objection]
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "brands", "selection", ":id", access: .public) { req in try await page(req, errors: [], form: [:]) }
        app.endpoint(.POST, "brands", "selection", ":id", "decide", access: BrandService.approvers) { req -> Response in
            let f = try req.content.decode([String: String].self)
            let c = try await BrandSelectionRoutes.campaign(req)
            var weights = c.weightsValue
            if let raw = f["expertPercent"], !raw.isEmpty {
                weights.expert = (Double(raw) ?? -1) / 100
            }
            let typical = f.keys.filter { $0.hasPrefix("typical_") }.compactMap { UUID(uuidString: String($0.dropFirst(8))) }
            return try await act(req, f) {
                _ = try await BrandDecisionService.decide(
                    c.requireID(), .init(typical: typical, announce: f["announce"] == "on", weights: weights), req: req)
                return req.t("brand.decidedFlash")
            }
        }
        app.endpoint(.POST, "brands", "selection", ":id", "objections", access: .public) { req -> Response in
            let f = try req.content.decode([String: String].self)
            let c = try await BrandSelectionRoutes.campaign(req)
            return try await act(req, f) {
                guard let s = try await BrandSelectionModel.query(on: req.db).filter(\.$campaignID == c.requireID()).first() else {
                    throw Abort(.conflict, reason: req.t("brand.announceOver"))
                }
                _ = try await BrandDecisionService.object(
                    s.requireID(),
                    .init(brand: f["brand"].flatMap(UUID.init(uuidString:)), name: f["name"], contact: f["contact"], text: f["text"]),
                    req: req)
                return req.t("brand.objectionSaved")
            }
        }
        app.endpoint(.POST, "brands", "selection", ":id", "objections", ":objection", access: BrandService.approvers) { req -> Response in
            let f = try req.content.decode([String: String].self)
            return try await act(req, f) {
                _ = try await BrandDecisionService.answer(try req.uuid("objection"), text: f["answer"], req: req)
                return req.t("brand.answerSaved")
            }
        }
    }

    static func act(_ req: Request, _ f: [String: String], _ body: () async throws -> String) async throws -> Response {
        do {
            req.flash(try await body())
            return req.redirect(to: "/brands/selection/\(try req.uuid("id").uuidString.lowercased())")
        } catch let v as ValidationFailure {
            return try await page(req, errors: BrandManagePages.messages(v, req), form: f, status: .unprocessableEntity)
        } catch let x as any AbortError where x.status == .conflict {
            return try await page(req, errors: [x.reason], form: f, status: .conflict)
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let c = try await BrandSelectionRoutes.campaign(req)
        let p = req.principal
        let inScope = p?.isStaff == true ? try await req.scope().contains(c.centerID) : false
        let isOffice = p?.role == .campaignOffice && inScope
        let sel = try await BrandSelectionRoutes.selection(c, req: req)
        let showScores = sel.decided || (inScope && [.campaignOffice, .centerAdmin, .supervisor].contains(p?.role))
        let surveys = try await BrandSurveyModel.query(on: req.db).filter(\.$campaignID == c.requireID())
            .filter(\.$purpose == BrandSelection.SurveyPurpose.selection.rawValue).all()
        let today = HallClock.day(req.now)
        func n(_ v: Double?) -> String { v.map(ScoringRule.number) ?? "—" }
        let typicalIDs = Set(sel.standings.filter { $0.state == "typical" }.map(\.brandID))
        let rows = sel.standings.map { s in
            let survey = surveys.first { $0.brandID == s.brandID && BrandSurveyService.accepting($0, today: today) }
            return Row(
                id: s.brandID.uuidString, rank: s.rank.map(String.init) ?? "—", name: s.name, department: s.department,
                experts: sel.decided ? "" : "\(s.scored) / \(s.experts - s.excluded)", expert: n(s.expert),
                survey: sel.decided ? "" : (s.survey.map(ScoringRule.number) ?? "—") + " (\(s.votes))", social: n(s.social),
                combined: n(s.combined), typical: sel.decided && typicalIDs.contains(s.brandID), ranked: s.combined != nil,
                surveyHref: survey.map { BrandSurveyService.path($0.id!) + "?via=link" } ?? "")
        }
        let staff = inScope
        var objections: [Objection] = []
        if let sid = sel.selectionID {
            for o in try await BrandObjectionModel.query(on: req.db).filter(\.$selectionID == sid).sort(\.$createdAt).all()
            where staff || o.answeredAt != nil {
                objections.append(
                    Objection(
                        id: o.id!.uuidString.lowercased(), brand: rows.first { $0.id == o.brandID.uuidString }?.name ?? "",
                        who: staff ? "\(o.name) \(PhoneNumber.masked(o.contact))" : "", text: o.text,
                        at: HallClock.minuteText(Date(timeIntervalSince1970: Double(o.createdAt) / 1000)), answer: o.answer))
            }
        }
        let objectionOpen = sel.announceUntil.flatMap(CivilDate.init).map { today <= $0 } ?? false
        var echo = Dictionary(uniqueKeysWithValues: ["name", "contact", "text", "brand", "expertPercent"].map { ($0, "") })
        for (k, v) in form where echo[k] != nil { echo[k] = v }
        let view = View(
            campaign: c.name, campaignID: c.id!.uuidString.lowercased(), decided: sel.decided, showScores: showScores,
            isOffice: isOffice, rows: rows, expertPercent: ScoringRule.number(c.weightsValue.expert * 100),
            noticeHref: sel.noticePath ?? "", announceUntil: sel.announceUntil ?? "", objectionOpen: objectionOpen,
            typical: rows.filter(\.typical).map { .init(value: $0.id, label: $0.name, selected: echo["brand"] == $0.id) },
            objections: objections, errors: errors, form: echo)
        return try await req.page("brands/selection", title: req.t("brand.selectionTitle", ["name": c.name]), view, status: status)
    }
}
