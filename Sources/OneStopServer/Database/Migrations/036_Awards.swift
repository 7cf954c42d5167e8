import Fluent
import SQLKit

/// Awards (issue 21): the red flag, party-member model windows and posts, service pacesetters.
struct Awards: AsyncMigration {
    var name: String { "036_Awards" }

    func prepare(on db: any Database) async throws {
        try await db.schema("awards")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("subject_name", .string, .required)
            .field("period", .string, .required)
            .field("reason", .string, .required)
            .field("granted_by", .string, .required)
            .field("granted_at", .int64, .required)
            .unique(on: "center_id", "kind", "subject", "period")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "awards_subject").on("awards").column("subject").column("period").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("awards").delete()
    }
}
