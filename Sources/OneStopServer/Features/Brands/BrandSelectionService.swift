import Fluent
import Foundation
import OneStopCore
import Vapor

/// 评选 (issue 22): a department declares its brand a candidate with a self-assessment (自查申报);
/// the office assigns experts, who score each standard within its points (专家评审) — an expert of
/// the brand's department, or one who declares a conflict, is excluded, and no expert sees the
/// others' scores until all have scored. The standings combine the expert and social scores.
enum BrandSelectionService {
    static let experts = Access.only(.expertReviewer)

    /// The campaign the brand takes part in, in its selection phase today (else 409).
    static func selectionCampaign(_ b: BrandModel, act: BrandCampaignPhases.Act, req: Request) async throws -> BrandCampaignModel {
        guard let c = try await BrandReportService.campaign(for: b, on: req.db, app: req.application) else {
            throw Abort(.conflict, reason: req.t("brand.noCampaign"))
        }
        guard c.phasesValue.allows(act, on: HallClock.day(req.now)) else { throw Abort(.conflict, reason: req.t("brand.notSelection")) }
        try await notDecided(c, req: req)
        return c
    }

    /// Scores freeze at the decision.
    static func notDecided(_ c: BrandCampaignModel, req: Request) async throws {
        if try await BrandSelectionModel.query(on: req.db).filter(\.$campaignID == c.requireID()).count() > 0 {
            throw Abort(.conflict, reason: req.t("brand.decided"))
        }
    }

    struct DeclareInput: Content {
        /// Standard → self-assessment.
        var assessment: [String: String]?
        /// How the brand meets the campaign's requirements.
        var requirements: String?
    }

    static func declare(_ id: UUID, _ input: DeclareInput, req: Request) async throws -> BrandDeclarationModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(id, on: req.db)
        guard try await BrandService.mayEdit(b, req: req) else { throw Abort(.forbidden) }
        guard b.stateValue == .practising else { throw Abort(.conflict, reason: req.t("brand.notPractising")) }
        let c = try await selectionCampaign(b, act: .declare, req: req)
        var v = Validator()
        var assessment: [String: String] = [:]
        for s in BrandSelection.Standard.allCases {
            assessment[s.rawValue] = v.text("assessment.\(s.rawValue)", input.assessment?[s.rawValue], max: 2000)
        }
        for key in (input.assessment ?? [:]).keys where BrandSelection.Standard(rawValue: key) == nil {
            v.add("assessment.\(key)", "invalidChoice")
        }
        let requirements = v.text("requirements", input.requirements, max: 4000, required: !c.requirements.isEmpty)
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let d = BrandDeclarationModel()
        d.id = UUID.timeOrdered()
        d.brandID = id
        d.campaignID = try c.requireID()
        d.assessmentValue = assessment
        d.requirements = requirements
        d.declaredBy = p.displayName
        d.declaredAt = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandDeclarationModel, [AuditEvent]) in
            guard let fresh = try await BrandModel.find(id, on: db), fresh.stateValue == .practising else {
                throw Abort(.conflict, reason: req.t("brand.notPractising"))
            }
            try await d.storeNew(on: db)
            fresh.state = BrandRules.State.candidate.rawValue
            fresh.updatedAt = d.declaredAt
            try await fresh.save(on: db)
            return (d, [AuditEvent("brand.declare", "brand", id: id, center: fresh.centerID, detail: ["name": fresh.name])])
        }
    }

    struct AssignInput: Content {
        var experts: [UUID]?
    }

    /// Assigns experts to a candidate; one of the brand's department is recorded as excluded.
    static func assign(_ id: UUID, _ input: AssignInput, req: Request) async throws -> [BrandExpertCardModel] {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(id, on: req.db)
        try await req.scope().require(b.centerID)
        guard b.stateValue == .candidate else { throw Abort(.conflict, reason: req.t("brand.notCandidate")) }
        let c = try await selectionCampaign(b, act: .score, req: req)
        let ids = Array(Set(input.experts ?? []))
        guard !ids.isEmpty else { throw ValidationFailure([FieldError("experts", "required")]) }
        let scope = try await req.scope()
        let users = try await UserModel.query(on: req.db).filter(\.$id ~~ ids).all()
        guard users.count == ids.count,
            users.allSatisfy({ $0.role == Role.expertReviewer.rawValue && !$0.disabled && scope.contains($0.centerID) })
        else { throw ValidationFailure([FieldError("experts", "brand.notExpert")]) }
        let campaignID = try c.requireID()
        let millis = HallClock.millis(req.now)
        return try await req.audited { db -> ([BrandExpertCardModel], [AuditEvent]) in
            let existing = Set(
                try await BrandExpertCardModel.query(on: db).filter(\.$brandID == id).filter(\.$campaignID == campaignID).all().map(
                    \.expertID))
            var events: [AuditEvent] = []
            for u in users where !existing.contains(u.id!) {
                let card = BrandExpertCardModel()
                card.id = UUID.timeOrdered()
                card.brandID = id
                card.campaignID = campaignID
                card.expertID = u.id!
                card.expertName = u.displayName
                card.excluded =
                    BrandSelection.exclusion(
                        expertDepartment: u.departmentID, brandDepartment: b.departmentID ?? UUID(), declaredConflict: false)?
                    .rawValue ?? ""
                card.scoresValue = [:]
                card.assignedBy = p.displayName
                card.assignedAt = millis
                try await card.create(on: db)
                events.append(
                    AuditEvent(
                        "brand.expert.assign", "brand", id: id, center: b.centerID,
                        detail: ["expert": u.displayName, "excluded": card.excluded]))
            }
            let all = try await BrandExpertCardModel.query(on: db).filter(\.$brandID == id).filter(\.$campaignID == campaignID)
                .sort(\.$assignedAt).sort(\.$expertName).all()
            return (all, events)
        }
    }

    struct ScoreInput: Content {
        /// Standard → points and comment.
        var scores: [String: BrandExpertCardModel.Score]?
        /// The expert declares a conflict of interest and is excluded.
        var conflict: Bool?
    }

    static func score(_ id: UUID, _ input: ScoreInput, req: Request) async throws -> BrandExpertCardModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(id, on: req.db)
        guard b.stateValue == .candidate else { throw Abort(.conflict, reason: req.t("brand.notCandidate")) }
        let c = try await selectionCampaign(b, act: .score, req: req)
        guard
            let card = try await BrandExpertCardModel.query(on: req.db).filter(\.$brandID == id).filter(\.$campaignID == c.requireID())
                .filter(\.$expertID == p.id).first()
        else { throw Abort(.forbidden, reason: req.t("brand.notAssigned")) }
        guard card.excluded.isEmpty else { throw Abort(.forbidden, reason: req.t("brand.excluded")) }
        let millis = HallClock.millis(req.now)
        if input.conflict == true {
            guard card.scoredAt == nil else { throw Abort(.conflict, reason: req.t("brand.alreadyScored")) }
            card.excluded = BrandSelection.Exclusion.declared.rawValue
        } else {
            var scores: [BrandSelection.Standard: Double] = [:]
            var v = Validator()
            for (key, s) in input.scores ?? [:] {
                guard let standard = BrandSelection.Standard(rawValue: key) else {
                    v.add("scores.\(key)", "invalidChoice")
                    continue
                }
                scores[standard] = s.points
                if s.comment.count > 500 { v.add("scores.\(key).comment", "tooLong") }
            }
            for problem in BrandSelection.scoreProblems(scores) { v.add(problem.field, problem.code) }
            guard v.isValid else { throw ValidationFailure(v.errors) }
            card.scoresValue = Dictionary(
                uniqueKeysWithValues: scores.map {
                    ($0.key.rawValue, BrandExpertCardModel.Score(points: $0.value, comment: input.scores?[$0.key.rawValue]?.comment ?? ""))
                })
            card.total = ScoringRule.rounded(scores.values.reduce(0, +))
            card.scoredAt = millis
        }
        let campaignID = try c.requireID()
        let saved = card
        return try await req.audited { db -> (BrandExpertCardModel, [AuditEvent]) in
            if try await BrandSelectionModel.query(on: db).filter(\.$campaignID == campaignID).count() > 0 {
                throw Abort(.conflict, reason: req.t("brand.decided"))
            }
            try await saved.storeChanges(on: db)
            let detail = saved.excluded.isEmpty ? ["total": String(saved.total ?? 0)] : ["excluded": saved.excluded]
            return (saved, [AuditEvent("brand.expert.score", "brand", id: id, center: b.centerID, detail: detail)])
        }
    }

    /// One brand's standing in the selection: its declaration, its experts and their progress, the
    /// expert, social and combined scores (the expert score once every expert has scored).
    struct Standing: Content {
        var brandID: UUID
        var name: String
        var department: String
        var state: String
        var declaredAt: Date?
        var experts: Int
        var excluded: Int
        var scored: Int
        var expert: Double?
        var survey: Double?
        var votes: Int
        var satisfaction: Double?
        var validComplaints: Int
        var social: Double?
        var combined: Double?
        var rank: Int?
    }

    /// The standings of a campaign's candidates (and the brands decided from them), ranked.
    static func standings(
        _ c: BrandCampaignModel, weights: BrandSelection.Weights, on db: any Database, app: Application
    ) async throws
        -> [Standing]
    {
        let campaignID = try c.requireID()
        let declarations = try await BrandDeclarationModel.query(on: db).filter(\.$campaignID == campaignID).all()
        let brands = try await BrandModel.query(on: db).filter(\.$id ~~ declarations.map(\.brandID)).all()
        let names = try await WorkOrderPages.departmentNames(Array(Set(brands.compactMap(\.departmentID))), on: db)
        let cards = try await BrandExpertCardModel.query(on: db).filter(\.$campaignID == campaignID).all()
        let surveys = try await BrandSurveyModel.query(on: db).filter(\.$campaignID == campaignID)
            .filter(\.$purpose == BrandSelection.SurveyPurpose.selection.rawValue).all()
        let from = c.phasesValue.spans.first { $0.phase == .practice }?.from ?? HallClock.day(Date())
        let since = HallClock.millis(HallClock.instant(from, minute: 0))
        var out: [Standing] = []
        for b in brands {
            let id = b.id!
            let mine = cards.filter { $0.brandID == id }
            let counted = mine.filter { $0.excluded.isEmpty }
            let totals = counted.compactMap(\.total)
            let visible = BrandSelection.scoresVisible(assigned: counted.count, scored: totals.count)
            let expert = visible ? BrandSelection.expertScore(totals, dropFrom: weights.dropFrom) : nil
            var levels: [Int] = []
            if let s = surveys.first(where: { $0.brandID == id }) {
                levels = try await BrandVoteModel.query(on: db).filter(\.$surveyID == s.requireID()).filter(\.$round == 1).filter(
                    \.$excluded == ""
                )
                .field(\.$id).field(\.$level).all().map(\.level)
            }
            let survey = BrandSelection.surveyScore(levels)
            let figures = try await socialFigures(b, since: since, on: db)
            let social = weights.social.score(survey: survey, satisfaction: figures.satisfaction, validComplaints: figures.valid)
            out.append(
                Standing(
                    brandID: id, name: b.name, department: b.departmentID.flatMap { names[$0] } ?? "", state: b.state,
                    declaredAt: declarations.first { $0.brandID == id }.map { Date(timeIntervalSince1970: Double($0.declaredAt) / 1000) },
                    experts: mine.count, excluded: mine.count - counted.count, scored: totals.count, expert: expert, survey: survey,
                    votes: levels.count, satisfaction: figures.satisfaction, validComplaints: figures.valid, social: social,
                    combined: BrandSelection.combined(expert: expert, social: social, expertWeight: weights.expert), rank: nil))
        }
        let ranked = BrandSelection.rank(
            out.map { .init(brand: $0.brandID.uuidString, name: $0.name, expert: $0.expert, social: $0.social, combined: $0.combined) })
        return ranked.compactMap { r in
            guard var s = out.first(where: { $0.brandID.uuidString == r.entry.brand }) else { return nil }
            s.rank = r.rank
            return s
        }
    }

    /// The rating satisfaction of the windows, staff and items the brand covers from `since` (to
    /// `until`), and the valid complaints about it (naming the brand, or its windows, staff and
    /// items).
    static func socialFigures(
        _ b: BrandModel, since: Int64, until: Int64 = .max, on db: any Database
    ) async throws -> (
        satisfaction: Double?, valid: Int
    ) {
        let covers = b.coversValue
        let items =
            covers.items.isEmpty
            ? [] : try await ServiceItemModel.query(on: db).filter(\.$code ~~ covers.items).field(\.$id).all().compactMap(\.id)
        var levels: [Int] = []
        if !covers.windows.isEmpty || !covers.staff.isEmpty || !items.isEmpty {
            let ratings = try await RatingModel.query(on: db).filter(\.$centerID == b.centerID).filter(\.$at >= since)
                .filter(\.$at < until).filter(\.$excluded == false).group(.or) {
                    $0.filter(\.$windowID ~~ covers.windows).filter(\.$staffID ~~ covers.staff).filter(\.$itemID ~~ items)
                }.field(\.$id).field(\.$level).all()
            levels = ratings.compactMap(\.level)
        }
        let satisfaction = levels.isEmpty ? nil : Double(levels.filter { $0 >= 3 }.count) / Double(levels.count)
        let valid = try await WorkOrderModel.query(on: db).filter(\.$centerID == b.centerID).filter(\.$receivedAt >= since)
            .filter(\.$receivedAt < until).filter(\.$valid == true).group(.or) {
                $0.filter(\.$brandRef ~~ [b.name, b.id!.uuidString.lowercased()]).filter(\.$windowID ~~ covers.windows)
                    .filter(\.$staffID ~~ covers.staff).filter(\.$itemID ~~ items)
            }.count()
        return (satisfaction, valid)
    }
}
