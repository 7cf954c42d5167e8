import Fluent
import Foundation
import OneStopCore
import Vapor

/// The selection's API (issue 22): `declareCandidate`, `assignExperts`, `scoreBrand`,
/// `openBrandSurvey`, `voteBrand`, `decideSelection`, `objectToSelection`, `nameBrand`,
/// `reviewBrand`, `revokeBrand`, and the reads and answers around them.
enum BrandSelectionRoutes {
    typealias Sel = BrandSelectionService

    struct DeclarationDTO: Content {
        var brandID: UUID
        var campaignID: UUID
        var assessment: [String: String]
        var requirements: String
        var declaredBy: String
        var declaredAt: Date
    }

    struct CardDTO: Content {
        var expertID: UUID
        var expertName: String
        var excluded: String?
        var scored: Bool
        /// Shown to the expert who gave them, and to everyone once all have scored.
        var scores: [String: BrandExpertCardModel.Score]?
        var total: Double?
    }

    struct CardsDTO: Content {
        var brandID: UUID
        var visible: Bool
        var cards: [CardDTO]
    }

    static func cards(_ b: BrandModel, req: Request) async throws -> CardsDTO {
        let p = try req.requirePrincipal()
        guard let c = try await BrandReportService.campaign(for: b, on: req.db, app: req.application) else {
            return CardsDTO(brandID: b.id!, visible: false, cards: [])
        }
        let all = try await BrandExpertCardModel.query(on: req.db).filter(\.$brandID == b.requireID()).filter(
            \.$campaignID == c.requireID()
        )
        .sort(\.$assignedAt).sort(\.$expertName).all()
        if p.role == .expertReviewer, !all.contains(where: { $0.expertID == p.id }) { throw Abort(.forbidden) }
        let counted = all.filter { $0.excluded.isEmpty }
        let visible = BrandSelection.scoresVisible(assigned: counted.count, scored: counted.filter { $0.total != nil }.count)
        return CardsDTO(
            brandID: b.id!, visible: visible,
            cards: all.map { card in
                let shown = visible || card.expertID == p.id
                return CardDTO(
                    expertID: card.expertID, expertName: card.expertName, excluded: card.excluded.isEmpty ? nil : card.excluded,
                    scored: card.total != nil, scores: shown ? card.scoresValue : nil, total: shown ? card.total : nil)
            })
    }

    struct SelectionDTO: Content {
        var campaignID: UUID
        var decided: Bool
        var selectionID: UUID?
        var announceUntil: String?
        var noticePath: String?
        var standings: [BrandSelectionService.Standing]
        var objections: [ObjectionDTO]
    }

    struct ObjectionDTO: Content {
        var id: UUID
        var brandID: UUID
        var name: String
        var contact: String
        var text: String
        var createdAt: Date
        var answer: String
        var answeredBy: String
        var answeredAt: Date?
    }

    static func objectionDTO(_ o: BrandObjectionModel, staff: Bool) -> ObjectionDTO {
        ObjectionDTO(
            id: o.id!, brandID: o.brandID, name: staff ? o.name : "", contact: staff ? PhoneNumber.masked(o.contact) : "", text: o.text,
            createdAt: Date(timeIntervalSince1970: Double(o.createdAt) / 1000), answer: o.answer, answeredBy: o.answeredBy,
            answeredAt: o.answeredAt.map { Date(timeIntervalSince1970: Double($0) / 1000) })
    }

    /// The live standings before the decision; the frozen results after it.
    static func selection(_ c: BrandCampaignModel, req: Request) async throws -> SelectionDTO {
        let id = try c.requireID()
        if let s = try await BrandSelectionModel.query(on: req.db).filter(\.$campaignID == id).first() {
            let results = (try? JSONDecoder().decode([BrandDecisionService.Result].self, from: Data(s.results.utf8))) ?? []
            let staff = req.principal?.isStaff ?? false
            let objections = try await BrandObjectionModel.query(on: req.db).filter(\.$selectionID == s.requireID()).sort(\.$createdAt)
                .all()
            return SelectionDTO(
                campaignID: id, decided: true, selectionID: s.id, announceUntil: s.announceUntil,
                noticePath: s.noticeID.map(BrandNotices.path),
                standings: results.map {
                    .init(
                        brandID: $0.brandID, name: $0.name, department: $0.department, state: $0.typical ? "typical" : "practising",
                        declaredAt: nil, experts: 0, excluded: 0, scored: 0, expert: $0.expert, survey: nil, votes: 0,
                        satisfaction: nil, validComplaints: 0, social: $0.social, combined: $0.combined, rank: $0.rank)
                }, objections: objections.map { objectionDTO($0, staff: staff) })
        }
        return SelectionDTO(
            campaignID: id, decided: false, selectionID: nil, announceUntil: nil, noticePath: nil,
            standings: try await Sel.standings(c, weights: c.weightsValue, on: req.db, app: req.application), objections: [])
    }

    static func campaign(_ req: Request) async throws -> BrandCampaignModel {
        guard let c = try await BrandCampaignModel.find(try req.uuid("id"), on: req.db) else { throw Abort(.notFound) }
        return c
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brands", ":id", "declaration", access: .staff,
            operation: .init(
                id: "declareCandidate",
                summary:
                    "自查申报: the brand's department declares it a candidate of the selection, with a self-assessment against the five standards and how it meets the campaign's requirements",
                tag: "Brands", request: "BrandDeclarationInput", response: "BrandDeclaration", successStatus: 201)
        ) { req in
            let d = try await Sel.declare(try req.uuid("id"), try req.content.decode(Sel.DeclareInput.self), req: req)
            return try await OrgAPIController.created(
                DeclarationDTO(
                    brandID: d.brandID, campaignID: d.campaignID, assessment: d.assessmentValue, requirements: d.requirements,
                    declaredBy: d.declaredBy, declaredAt: Date(timeIntervalSince1970: Double(d.declaredAt) / 1000)), req)
        }
        api.endpoint(
            .POST, "brands", ":id", "experts", access: BrandService.approvers,
            operation: .init(
                id: "assignExperts",
                summary:
                    "The campaign office assigns expert reviewers to a candidate; an expert of the brand's own department is recorded as excluded",
                tag: "Brands", request: "BrandExpertsInput", response: "BrandExpertCards")
        ) { req in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            _ = try await Sel.assign(b.requireID(), try req.content.decode(Sel.AssignInput.self), req: req)
            return try await cards(b, req: req)
        }
        api.endpoint(
            .POST, "brands", ":id", "scores", access: Sel.experts,
            operation: .init(
                id: "scoreBrand",
                summary:
                    "An assigned expert scores each of the five standards within its points with a comment, or declares a conflict of interest (and is excluded); until the decision the card may be replaced",
                tag: "Brands", request: "BrandScoreInput", response: "BrandExpertCards")
        ) { req in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            _ = try await Sel.score(b.requireID(), try req.content.decode(Sel.ScoreInput.self), req: req)
            return try await cards(b, req: req)
        }
        api.endpoint(
            .GET, "brands", ":id", "scores", access: .only(.expertReviewer, .campaignOffice, .centerAdmin, .supervisor),
            operation: .init(
                id: "listBrandScores",
                summary: "A candidate's expert cards: each expert sees their own, and everyone sees all once every expert has scored",
                tag: "Brands", response: "BrandExpertCards")
        ) { req in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            if req.principal?.role != .expertReviewer { try await req.scope().require(b.centerID) }
            return try await cards(b, req: req)
        }
        api.endpoint(
            .POST, "brands", ":id", "survey", access: BrandService.approvers,
            operation: .init(
                id: "openBrandSurvey",
                summary: "Opens a candidate's public survey (社会评价) with its QR code and link, until a day of the selection phase",
                tag: "Brands", request: "BrandSurveyInput", response: "BrandSurvey", successStatus: 201)
        ) { req in
            let s = try await BrandSurveyService.open(
                try req.uuid("id"), try req.content.decode(BrandSurveyService.OpenInput.self), req: req)
            return try await OrgAPIController.created(try await BrandSurveyService.dto(s, on: req.db), req)
        }
        api.endpoint(
            .GET, "brand-surveys", ":id", access: .public,
            operation: .init(
                id: "getBrandSurvey", summary: "A brand survey: its state, last day and count", tag: "Brands", response: "BrandSurvey")
        ) { req in try await BrandSurveyService.dto(try await BrandSurveyService.find(try req.uuid("id"), on: req.db), on: req.db) }
        api.endpoint(
            .POST, "brand-surveys", ":id", "codes", access: .public,
            operation: .init(
                id: "requestBrandVoteCode",
                summary:
                    "Sends a one-time code to a mobile number through the center's SMS webhook (event vote.code); 10 minutes, 5 an hour",
                tag: "Brands", request: "StarVoteCodeInput", response: "StarVoteCode", successStatus: 202)
        ) { req -> Response in
            let expires = try await BrandSurveyService.requestCode(
                try req.uuid("id"), phone: try req.content.decode(StarRatingRoutes.CodeInput.self).phone, req: req)
            let response = try await StarRatingRoutes.CodeSent(expiresAt: expires).encodeResponse(for: req)
            response.status = .accepted
            return response
        }.limited(.surveyCodes)
        api.endpoint(
            .POST, "brand-surveys", ":id", "votes", access: .public,
            operation: .init(
                id: "voteBrand",
                summary:
                    "One vote per person per brand: satisfaction 1–5 and an optional comment, with a phone and its one-time code or as a signed-in applicant",
                tag: "Brands", request: "BrandVoteInput", response: "BrandVoteReceipt", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await BrandSurveyService.vote(try req.uuid("id"), try req.content.decode(BrandSurveyService.VoteInput.self), req: req),
                req)
        }.limited(.proven)
        api.endpoint(
            .GET, "brand-surveys", ":id", "votes", access: BrandService.approvers,
            operation: .init(
                id: "listBrandVotes", summary: "A survey's votes, the flagged first (bursts from one address)", tag: "Brands",
                response: "BrandVote", responseIsList: true)
        ) { req in
            let s = try await BrandSurveyService.find(try req.uuid("id"), on: req.db)
            try await req.scope().require(s.centerID)
            return try await BrandVoteModel.query(on: req.db).filter(\.$surveyID == s.requireID()).filter(\.$round == s.round)
                .sort(\.$flagged, .descending)
                .sort(\.$createdAt, .descending).limit(1000).all().map {
                    BrandSurveyService.VoteDTO(
                        id: $0.id!, level: $0.level, comment: $0.comment, channel: $0.channel, flagged: $0.flagged, excluded: $0.excluded,
                        at: Date(timeIntervalSince1970: Double($0.createdAt) / 1000))
                }
        }
        api.endpoint(
            .POST, "brand-votes", ":id", "exclusion", access: BrandService.approvers,
            operation: .init(
                id: "excludeBrandVote", summary: "Leaves a vote out of the survey with a reason (an empty reason takes it back in)",
                tag: "Brands", request: "BrandReasonInput", response: "BrandVote")
        ) { req in
            let v = try await BrandSurveyService.exclude(
                try req.uuid("id"), reason: (try? req.content.decode(BrandDecisionService.ActInput.self))?.reason, req: req)
            return BrandSurveyService.VoteDTO(
                id: v.id!, level: v.level, comment: v.comment, channel: v.channel, flagged: v.flagged, excluded: v.excluded,
                at: Date(timeIntervalSince1970: Double(v.createdAt) / 1000))
        }
        api.endpoint(
            .GET, "brand-campaigns", ":id", "selection", access: .public,
            operation: .init(
                id: "getSelection",
                summary:
                    "A campaign's selection: the live standings (expert, social and combined scores, ranked) before the decision, the frozen results and the objections after",
                tag: "Brands", response: "BrandSelection")
        ) { req in try await selection(try await campaign(req), req: req) }
        api.endpoint(
            .POST, "brand-campaigns", ":id", "decision", access: BrandService.approvers,
            operation: .init(
                id: "decideSelection",
                summary:
                    "典型确定: the office decides the typical brands; every score freezes, the surveys close, and the decision is announced (公示, 5 working days by default) in a printable notice",
                tag: "Brands", request: "BrandDecisionInput", response: "BrandSelection", successStatus: 201)
        ) { req in
            let c = try await campaign(req)
            _ = try await BrandDecisionService.decide(
                c.requireID(), try req.content.decode(BrandDecisionService.DecideInput.self), req: req)
            return try await OrgAPIController.created(try await selection(c, req: req), req)
        }
        api.endpoint(
            .POST, "brand-selections", ":id", "objections", access: .public,
            operation: .init(
                id: "objectToSelection", summary: "Anyone objects to a typical brand during the announcement; the office answers",
                tag: "Brands", request: "BrandObjectionInput", response: "BrandObjection", successStatus: 201)
        ) { req in
            let o = try await BrandDecisionService.object(
                try req.uuid("id"), try req.content.decode(BrandDecisionService.ObjectionInput.self), req: req)
            return try await OrgAPIController.created(objectionDTO(o, staff: false), req)
        }
        api.endpoint(
            .POST, "brand-objections", ":id", "answer", access: BrandService.approvers,
            operation: .init(
                id: "answerObjection", summary: "The office answers an objection, once", tag: "Brands", request: "BrandAnswerInput",
                response: "BrandObjection")
        ) { req in
            struct In: Content { var answer: String? }
            let o = try await BrandDecisionService.answer(try req.uuid("id"), text: (try? req.content.decode(In.self))?.answer, req: req)
            return objectionDTO(o, staff: true)
        }
        for (path, id, state, summary) in [
            (
                "name", "nameBrand", BrandRules.State.named,
                "In the consolidation phase the office names a brand 优质服务品牌, with a public, printable naming notice"
            ),
            ("review", "reviewBrand", .underReview, "The office puts a named brand under review, with the reason"),
            ("revoke", "revokeBrand", .revoked, "The office revokes a brand under review, with the reason and a public notice"),
        ] {
            api.endpoint(
                .POST, "brands", ":id", .constant(path), access: BrandService.approvers,
                operation: .init(id: id, summary: summary, tag: "Brands", request: "BrandReasonInput", response: "Brand")
            ) { req in
                let b = try await BrandDecisionService.act(
                    try req.uuid("id"), to: state, reason: (try? req.content.decode(BrandDecisionService.ActInput.self))?.reason, req: req)
                return try await BrandRoutes.dto(b, req: req)
            }
        }
    }
}
