import Fluent
import Foundation
import OneStopCore
import Vapor

/// Outside evaluators (issue 21, DOMAIN.md section 8): 群众监督员, 行风评议员 and 特邀监察员 have accounts
/// of their own, in a center, and see only this. They score the subjects of the center's open
/// 十星级 rating — staff at the windows, window units and party organisations — on the criteria
/// the rating sets (a score 0–100 and a comment per criterion, and a summary), one scorecard per
/// evaluator and subject, replaced until confirmation. Their scores count:
/// - in the rating, by the scale's `outsideWeight` (0 by default: shown, not counted);
/// - as the indicator 外部评议得分率 on the day each card was first given, so that an assessment
///   template's criterion computed from that indicator counts them where the template says.
enum OutsideEvaluation {
    static let evaluators = Access.roles(Role.outsideEvaluators)
    /// Who reads the scorecards: the evaluators (their own) and the center's leaders (all).
    static let readers = Access.roles(Role.outsideEvaluators.union([.centerAdmin, .supervisor, .campaignOffice]))

    /// Stores the principal's scorecard for one subject of an open rating.
    static func score(_ ratingID: UUID, _ input: StarRatingService.ReviewInput, req: Request) async throws -> StarRules.Review {
        let p = try req.requirePrincipal()
        guard p.role.isOutsideEvaluator else { throw Abort(.forbidden) }
        let r = try await StarRatingService.find(ratingID, on: req.db)
        guard try await req.scope().contains(r.centerID) else { throw Abort(.notFound) }
        guard let subject = try await StarRatingService.subject(r, input.ratee ?? "", on: req.db) else {
            throw ValidationFailure([FieldError("ratee", (input.ratee ?? "").isEmpty ? "required" : "invalidReference")])
        }
        guard r.state == "open" else { throw Abort(.conflict, reason: req.t("star.closed")) }
        let review = StarRules.Review(
            level: .outside, reviewer: p.displayName, scores: input.scores ?? [],
            comments: (input.comments ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
            summary: (input.overall ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        let problems = review.problems(criteria: r.criteriaValue.count)
        guard problems.isEmpty else { throw ValidationFailure(problems.map { FieldError($0.field, $0.code) }) }
        let millis = HallClock.millis(req.now)
        let today = HallClock.day(req.now).description
        let centerID = r.centerID
        return try await req.audited { db -> (StarRules.Review, [AuditEvent]) in
            guard let fresh = try await StarRatingModel.find(ratingID, on: db), fresh.state == "open" else {
                throw Abort(.conflict, reason: req.t("star.closed"))
            }
            let row =
                try await OutsideScoreModel.query(on: db).filter(\.$ratingID == ratingID).filter(\.$subject == subject.key)
                .filter(\.$evaluatorID == p.id).first() ?? OutsideScoreModel()
            let replaced = row.id != nil
            if !replaced {
                row.id = UUID.timeOrdered()
                row.ratingID = ratingID
                row.centerID = centerID
                row.subject = subject.key
                row.evaluatorID = p.id
                // A card counts on the day it was first given; replacing it keeps that day.
                row.day = today
            }
            row.subjectName = subject.name
            row.departmentID = subject.departmentID
            row.staffID = subject.kind == .staff ? UUID(uuidString: String(subject.key.dropFirst(6))) : nil
            row.evaluatorRole = p.role.rawValue
            row.reviewValue = review
            row.score = ScoringRule.rounded(review.score)
            row.updatedAt = millis
            try await row.save(on: db)
            return (
                review,
                [
                    AuditEvent(
                        replaced ? "outside.score.replace" : "outside.score", "outside_score", id: row.id, center: centerID,
                        detail: [
                            "rating": ratingID.uuidString.lowercased(), "subject": subject.name, "role": p.role.rawValue,
                            "score": ScoringRule.number(review.score),
                        ])
                ]
            )
        }
    }

    /// The outside scorecards of a rating by subject, as reviews at level `outside`.
    static func reviews(_ ratingID: UUID, on db: any Database) async throws -> [String: [StarRules.Review]] {
        var out: [String: [StarRules.Review]] = [:]
        for row in try await OutsideScoreModel.query(on: db).filter(\.$ratingID == ratingID).all() {
            if let review = row.reviewValue { out[row.subject, default: []].append(review) }
        }
        return out
    }

    /// The open ratings of the centers an evaluator belongs to, newest first.
    static func openRatings(req: Request) async throws -> [StarRatingModel] {
        let scope = try await req.scope()
        return try await StarRatingModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).filter(\.$state == "open")
            .sort(\.$period, .descending).limit(20).all()
    }

    struct CardDTO: Content {
        var id: UUID
        var ratingID: UUID
        var subject: String
        var subjectName: String
        var evaluator: String
        var evaluatorRole: String
        var day: String
        var score: Double
        var review: StarRules.Review?
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        return [
            "OutsideScore": O.object([
                "id": O.uuid, "ratingID": O.uuid, "subject": O.string, "subjectName": O.string, "evaluator": O.string,
                "evaluatorRole": ["enum": .array(Role.outsideEvaluators.map(\.rawValue).sorted().map { .string($0) })],
                "day": O.string, "score": ["type": "number"], "review": ["$ref": "#/components/schemas/StarReview"],
            ])
        ]
    }()

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "star-ratings", ":id", "outside-scores", access: evaluators,
            operation: .init(
                id: "submitOutsideScore",
                summary:
                    "An outside evaluator (群众监督员, 行风评议员, 特邀监察员) scores one subject of an open rating on its criteria: a score 0–100 and a comment per criterion and a summary; one scorecard per evaluator and subject, replaced until confirmed",
                tag: "Evaluation", request: "StarReviewInput", response: "StarReview")
        ) { req in try await score(try req.uuid("id"), try req.content.decode(StarRatingService.ReviewInput.self), req: req) }
        api.endpoint(
            .GET, "star-ratings", ":id", "outside-scores", access: readers,
            operation: .init(
                id: "listOutsideScores",
                summary: "A rating's outside scorecards: an evaluator's own, or all of them for the center's leaders",
                tag: "Evaluation", response: "OutsideScore", responseIsList: true)
        ) { req in
            let p = try req.requirePrincipal()
            let r = try await StarRatingService.find(try req.uuid("id"), on: req.db)
            guard try await req.scope().contains(r.centerID) else { throw Abort(.notFound) }
            var q = OutsideScoreModel.query(on: req.db).filter(\.$ratingID == (try r.requireID()))
            if p.role.isOutsideEvaluator { q = q.filter(\.$evaluatorID == p.id) }
            return try await q.sort(\.$subjectName).all().map { row in
                CardDTO(
                    id: row.id!, ratingID: row.ratingID, subject: row.subject, subjectName: row.subjectName,
                    evaluator: row.reviewValue?.reviewer ?? "", evaluatorRole: row.evaluatorRole, day: row.day, score: row.score,
                    review: row.reviewValue)
            }
        }
    }
}
