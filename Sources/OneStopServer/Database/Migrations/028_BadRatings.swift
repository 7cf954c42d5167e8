import Fluent
import SQLKit

/// 差评整改 (issue 19): each bad rating's handling — assignment, call-back, rectification or
/// explanation, appeal — one row per bad rating, keyed by the rating's id.
struct BadRatings: AsyncMigration {
    var name: String { "028_BadRatings" }

    func prepare(on db: any Database) async throws {
        try await db.schema("bad_ratings")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid)
            .field("window_id", .uuid)
            .field("staff_id", .uuid)
            .field("level", .int, .required)
            .field("real_name", .bool, .required)
            .field("assigned_on", .string, .required)
            .field("due_on", .string, .required)
            .field("called_back_on", .string)
            .field("call_back_reached", .bool)
            .field("call_back_note", .string, .required, .sql(.default("")))
            .field("resolution", .string)
            .field("resolution_note", .string, .required, .sql(.default("")))
            .field("resolved_on", .string)
            .field("resolved_by", .string, .required, .sql(.default("")))
            .field("appeal", .string)
            .field("appeal_reason", .string, .required, .sql(.default("")))
            .field("appeal_decision_note", .string, .required, .sql(.default("")))
            .field("rated_again", .bool, .required, .sql(.default(false)))
            .field("created_at", .int64, .required)
            .field("updated_at", .int64, .required)
            .create()
        try await db.schema("ratings").field("excluded", .bool, .required, .sql(.default(false))).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "bad_ratings_department_due").on("bad_ratings").column("department_id").column("due_on").run()
        try await sql.create(index: "bad_ratings_center_due").on("bad_ratings").column("center_id").column("due_on").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("bad_ratings").delete()
        try await db.schema("ratings").deleteField("excluded").update()
    }
}
