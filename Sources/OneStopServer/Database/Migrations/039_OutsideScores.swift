import Fluent
import SQLKit

/// Outside evaluators' scorecards (issue 21): a 群众监督员, 行风评议员 or 特邀监察员 scores a rating's
/// subjects on its criteria, one card per evaluator and subject, replaced until the rating is
/// confirmed. Each card counts on the day it was first given (`day`), for the indicator
/// 外部评议得分率, and in the star rating by the scale's outside weight.
struct OutsideScores: AsyncMigration {
    var name: String { "039_OutsideScores" }

    func prepare(on db: any Database) async throws {
        try await db.schema("outside_scores")
            .id()
            .field("rating_id", .uuid, .required, .references("star_ratings", "id"))
            .field("center_id", .uuid, .required)
            .field("subject", .string, .required)
            .field("subject_name", .string, .required)
            .field("department_id", .uuid)
            .field("staff_id", .uuid)
            .field("evaluator_id", .uuid, .required, .references("users", "id"))
            .field("evaluator_role", .string, .required)
            .field("review", .string, .required)
            .field("score", .double, .required)
            .field("day", .string, .required)
            .field("updated_at", .int64, .required)
            .unique(on: "rating_id", "subject", "evaluator_id")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "outside_scores_day").on("outside_scores").column("center_id").column("day").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("outside_scores").delete()
    }
}
