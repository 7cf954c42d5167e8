import Fluent
import SQLKit

/// The half-yearly 十星级 rating of 一诺双评 (issue 21): the rating a center opens, the public's
/// votes, the leaders' reviews, the confirmed results, and the one-time codes that confirm a
/// voter's phone.
struct StarRatings: AsyncMigration {
    var name: String { "038_StarRatings" }

    func prepare(on db: any Database) async throws {
        try await db.schema("star_ratings")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("period", .string, .required)
            .field("criteria", .string, .required)
            .field("scale", .string, .required)
            .field("kinds", .string, .required)
            .field("state", .string, .required)
            .field("opened_by", .string, .required)
            .field("opened_at", .int64, .required)
            .field("confirmed_by", .string, .required)
            .field("confirmed_at", .int64)
            .unique(on: "center_id", "period")
            .create()
        try await db.schema("star_votes")
            .id()
            .field("rating_id", .uuid, .required, .references("star_ratings", "id"))
            .field("subject", .string, .required)
            .field("voter", .string, .required)
            .field("levels", .string, .required)
            .field("comment", .string, .required)
            .field("channel", .string, .required)
            .field("created_at", .int64, .required)
            .unique(on: "rating_id", "subject", "voter")
            .create()
        try await db.schema("star_reviews")
            .id()
            .field("rating_id", .uuid, .required, .references("star_ratings", "id"))
            .field("subject", .string, .required)
            .field("level", .string, .required)
            .field("review", .string, .required)
            .field("updated_at", .int64, .required)
            .unique(on: "rating_id", "subject", "level")
            .create()
        try await db.schema("star_results")
            .id()
            .field("rating_id", .uuid, .required, .references("star_ratings", "id"))
            .field("center_id", .uuid, .required)
            .field("subject", .string, .required)
            .field("subject_name", .string, .required)
            .field("period", .string, .required)
            .field("stars", .int)
            .field("combined", .double)
            .field("breakdown", .string, .required)
            .unique(on: "rating_id", "subject")
            .create()
        try await db.schema("vote_codes")
            .id()
            .field("phone_index", .string, .required)
            .field("phone", .string, .required)
            .field("code", .string, .required)
            .field("created_at", .int64, .required)
            .field("expires_at", .int64, .required)
            .field("attempts", .int, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "star_results_subject").on("star_results").column("subject").column("period").run()
        try await sql.create(index: "vote_codes_phone").on("vote_codes").column("phone_index").column("created_at").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["vote_codes", "star_results", "star_reviews", "star_votes", "star_ratings"] { try await db.schema(t).delete() }
    }
}
