import Fluent
import Foundation
import OneStopCore
import Vapor

/// `openStarRating`, `listStarRatings`, `getStarRating`, `requestStarVoteCode`, `voteStarRating`,
/// `submitLeaderReview` and `confirmStarRating` (issue 21).
enum StarRatingRoutes {
    typealias S = StarRatingService

    struct SubjectDTO: Content {
        var subject: String
        var kind: String
        var name: String
        /// The survey page, for the QR code at the window and the link.
        var surveyPath: String
        /// Figures: for the leaders and the person themselves while open; for everyone once confirmed.
        var votes: Int?
        var survey: Double?
        var publicScore: Double?
        var leaderScore: Double?
        var combined: Double?
        var stars: Int?
        var comment: String?
        var reviewedBy: [String]?
    }

    struct ScaleDTO: Content {
        var publicWeight: Double
        var leaderWeight: Double
        var ratingWeight: Double
        var bands: [Double]?
    }

    struct DTO: Content {
        var id: UUID
        var centerID: UUID
        var period: String
        var periodLabel: String
        var criteria: [String]
        var scale: ScaleDTO
        var kinds: [String]
        var state: String
        var openedBy: String
        var confirmedBy: String
        var confirmedAt: Date?
        var subjects: [SubjectDTO]?
        /// With `subject`: how that subject's score was made up, where the viewer may see it.
        var breakdown: StarRules.Breakdown?
    }

    static func surveyPath(_ ratingID: UUID, _ subject: String) -> String {
        "/stars/\(ratingID.uuidString.lowercased())/" + subject.replacingOccurrences(of: ":", with: "/")
    }

    /// Whether the viewer sees `subject`'s figures before confirmation: leaders within scope, and
    /// a member of staff their own.
    static func maySee(_ r: StarRatingModel, subject: String?, req: Request) async throws -> Bool {
        if r.state == "confirmed" { return true }
        guard let p = req.principal, try await req.scope().contains(r.centerID) else { return false }
        switch p.role {
        case .centerAdmin, .supervisor, .campaignOffice, .chiefRepresentative: return true
        case .windowStaff:
            guard let subject, let staff = try await UserModel.find(p.id, on: req.db)?.staffID else { return false }
            return subject == "staff:" + staff.uuidString.lowercased()
        default: return false
        }
    }

    static func dto(_ r: StarRatingModel, subjects: Bool, subject: String? = nil, req: Request) async throws -> DTO {
        let scale = r.scaleValue
        var out = DTO(
            id: r.id!, centerID: r.centerID, period: r.period, periodLabel: EvaluationPeriod(key: r.period)?.label ?? r.period,
            criteria: r.criteriaValue,
            scale: .init(
                publicWeight: scale.publicWeight, leaderWeight: scale.leaderWeight, ratingWeight: scale.ratingWeight, bands: scale.bands),
            kinds: r.kindsValue.map(\.rawValue), state: r.state, openedBy: r.openedBy, confirmedBy: r.confirmedBy,
            confirmedAt: r.confirmedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }, subjects: nil, breakdown: nil)
        guard subjects || subject != nil else { return out }
        let all = try await S.subjects(r, on: req.db)
        let leaders = try await maySee(r, subject: nil, req: req)
        let figures = leaders || subject != nil ? try await S.breakdowns(r, subjects: all, req: req) : [:]
        if subjects {
            out.subjects = all.map { s in
                var d = SubjectDTO(subject: s.key, kind: s.kind.rawValue, name: s.name, surveyPath: surveyPath(r.id!, s.key))
                if leaders, let b = figures[s.key] {
                    (d.votes, d.survey, d.publicScore, d.leaderScore, d.combined, d.stars, d.comment) = (
                        b.votes, b.survey, b.publicScore, b.leaderScore, b.combined, b.stars, b.comment
                    )
                    d.reviewedBy = b.reviews.map(\.level.rawValue)
                }
                return d
            }
        }
        if let subject = subject?.lowercased() {
            guard all.contains(where: { $0.key == subject }) else {
                throw ValidationFailure([FieldError("subject", "star.noSuchSubject")])
            }
            if try await maySee(r, subject: subject, req: req) { out.breakdown = figures[subject] }
        }
        return out
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let review = O.object([
            "level": CaseSchemas.names(StarRules.ReviewLevel.self), "reviewer": O.string,
            "scores": ["type": "array", "items": ["type": "number"]], "comments": ["type": "array", "items": O.string],
            "summary": O.string,
        ])
        return [
            "StarRating": O.object([
                "id": O.uuid, "centerID": O.uuid, "period": O.string, "periodLabel": O.string,
                "criteria": ["type": "array", "items": O.string],
                "scale": O.object([
                    "publicWeight": ["type": "number"], "leaderWeight": ["type": "number"], "ratingWeight": ["type": "number"],
                    "bands": ["type": ["array", "null"], "items": ["type": "number"]],
                ]),
                "kinds": ["type": "array", "items": CaseSchemas.names(StarRules.SubjectKind.self)],
                "state": ["enum": ["open", "confirmed"]],
                "openedBy": O.string, "confirmedBy": O.string, "confirmedAt": O.optionalDateTime,
                "subjects": [
                    "type": ["array", "null"],
                    "items": O.object([
                        "subject": O.string, "kind": O.string, "name": O.string, "surveyPath": O.string, "votes": O.optionalInteger,
                        "survey": O.optionalNumber, "publicScore": O.optionalNumber, "leaderScore": O.optionalNumber,
                        "combined": O.optionalNumber, "stars": O.optionalInteger, "comment": O.optionalString,
                        "reviewedBy": ["type": ["array", "null"], "items": O.string],
                    ]),
                ],
                "breakdown": [
                    "type": ["object", "null"],
                    "properties": [
                        "votes": O.integer, "criterionMeans": ["type": "array", "items": ["type": "number"]], "survey": O.optionalNumber,
                        "satisfaction": O.optionalNumber, "publicScore": O.optionalNumber, "reviews": ["type": "array", "items": review],
                        "leaderScore": O.optionalNumber, "combined": O.optionalNumber, "stars": O.optionalInteger,
                        "comment": O.optionalString,
                    ],
                ],
            ]),
            "StarRatingInput": O.object(
                [
                    "center": O.string, "period": O.string, "criteria": ["type": "array", "items": O.string],
                    "publicWeight": ["type": "number"], "leaderWeight": ["type": "number"], "ratingWeight": ["type": "number"],
                    "bands": ["type": "array", "items": ["type": "number"]], "organisations": O.bool,
                ], required: ["center", "period"]),
            "StarVoteCodeInput": O.object(["phone": O.string], required: ["phone"]),
            "StarVoteCode": O.object(["expiresAt": O.dateTime]),
            "StarVoteInput": O.object(
                [
                    "ratee": O.string, "levels": ["type": "array", "items": ["type": "integer", "minimum": 1, "maximum": 5]],
                    "comment": O.string, "phone": O.string, "smsCode": O.string, "via": ["enum": ["qr", "link"]],
                ], required: ["ratee", "levels"]),
            "StarVoteReceipt": O.object(["ratingID": O.uuid, "subject": O.string, "subjectName": O.string, "votedAt": O.dateTime]),
            "StarReviewInput": O.object(
                [
                    "ratee": O.string, "scores": ["type": "array", "items": ["type": "number"]],
                    "comments": ["type": "array", "items": O.string], "overall": O.string,
                ], required: ["ratee", "scores", "comments", "overall"]),
            "StarReview": review,
        ]
    }()

    struct CodeInput: Content { var phone: String? }
    struct CodeSent: Content { var expiresAt: Date }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "star-ratings", access: S.openers,
            operation: .init(
                id: "openStarRating",
                summary:
                    "Opens a center's half-yearly 十星级 rating (一诺双评): the survey's criteria, the scale (public and leader weights, the share of 好差评 satisfaction, the star bands), and whether window units and party organisations are rated too",
                tag: "Evaluation", request: "StarRatingInput", response: "StarRating", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await dto(try await S.open(try req.content.decode(S.OpenInput.self), req: req), subjects: false, req: req), req)
        }
        api.endpoint(
            .GET, "star-ratings", access: .public,
            operation: .init(
                id: "listStarRatings", summary: "A center's star ratings, newest first", tag: "Evaluation", response: "StarRating",
                responseIsList: true, query: [.init(name: "center", type: "string", required: true, description: "code or id")])
        ) { req in
            let center = try await WorkOrderService.center(req.query[String.self, at: "center"], req: req)
            var out: [DTO] = []
            for r in try await StarRatingModel.query(on: req.db).filter(\.$centerID == center.requireID()).sort(\.$period, .descending)
                .limit(50).all()
            {
                out.append(try await dto(r, subjects: false, req: req))
            }
            return out
        }
        api.endpoint(
            .GET, "star-ratings", ":id", access: .public,
            operation: .init(
                id: "getStarRating",
                summary:
                    "A star rating with its subjects and survey links; their figures for leaders while open and for everyone once confirmed; with `subject`, how that subject's score was made up (to the person themselves too)",
                tag: "Evaluation", response: "StarRating",
                query: [.init(name: "subject", type: "string", description: "staff:, department: or party: with an id")])
        ) { req in
            let r = try await S.find(try req.uuid("id"), on: req.db)
            return try await dto(
                r, subjects: true, subject: req.query[String.self, at: "subject"].flatMap { $0.isEmpty ? nil : $0 }, req: req)
        }
        api.endpoint(
            .POST, "star-ratings", ":id", "codes", access: .public,
            operation: .init(
                id: "requestStarVoteCode",
                summary:
                    "Sends a one-time code to a mobile number through the center's SMS webhook (event vote.code), to confirm a voter; 10 minutes, 5 an hour",
                tag: "Evaluation", request: "StarVoteCodeInput", response: "StarVoteCode", successStatus: 202)
        ) { req -> Response in
            let expires = try await S.requestCode(try req.uuid("id"), phone: try req.content.decode(CodeInput.self).phone, req: req)
            let response = try await CodeSent(expiresAt: expires).encodeResponse(for: req)
            response.status = .accepted
            return response
        }.limited(.surveyCodes)
        api.endpoint(
            .POST, "star-ratings", ":id", "votes", access: .public,
            operation: .init(
                id: "voteStarRating",
                summary:
                    "群众评议: one vote per person per subject and half-year — an answer 1–5 per criterion; the person is a signed-in applicant or a phone confirmed by its code",
                tag: "Evaluation", request: "StarVoteInput", response: "StarVoteReceipt", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await S.vote(try req.uuid("id"), try req.content.decode(S.VoteInput.self), req: req), req)
        }.limited(.proven)
        api.endpoint(
            .POST, "star-ratings", ":id", "reviews", access: S.reviewers,
            operation: .init(
                id: "submitLeaderReview",
                summary:
                    "领导点评: a score 0–100 and a written comment per criterion and a summary, by the department head (its own staff) or the center; replaced until confirmed",
                tag: "Evaluation", request: "StarReviewInput", response: "StarReview")
        ) { req in try await S.review(try req.uuid("id"), try req.content.decode(S.ReviewInput.self), req: req) }
        api.endpoint(
            .POST, "star-ratings", ":id", "confirm", access: S.confirmers,
            operation: .init(
                id: "confirmStarRating",
                summary:
                    "The campaign office confirms the period's results: every subject's stars are fixed and published on the profile and the window screen",
                tag: "Evaluation", response: "StarRating")
        ) { req in try await dto(try await S.confirm(try req.uuid("id"), req: req), subjects: true, req: req) }
    }
}

extension StarRules.Review: Content {}
extension StarRules.Breakdown: Content {}
