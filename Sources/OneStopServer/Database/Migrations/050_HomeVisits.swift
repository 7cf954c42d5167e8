import Fluent
import SQLKit

/// 上门办 (issue 23): home visits asked for by citizens who cannot come, and the items a center
/// offers that way.
struct HomeVisits: AsyncMigration {
    var name: String { "050_HomeVisits" }

    func prepare(on db: any Database) async throws {
        // JSON [item code]; "" reads as none.
        try await db.schema("center_rules").field("home_visit_items", .string, .required, .sql(.default(""))).update()
        try await db.schema("home_visits")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("item_code", .string, .required)
            .field("item_name", .string, .required)
            // Sealed (PersonalData): name, phone, address.
            .field("name", .string, .required)
            .field("phone", .string)
            .field("address", .string, .required)
            .field("reason", .string, .required)
            .field("preferred_day", .string)
            .field("state", .string, .required)
            .field("tracking", .string, .required)
            .field("scheduled_day", .string)
            .field("staff_id", .uuid, .references("staff", "id"))
            .field("outcome", .string)
            .field("requested_at", .int64, .required)
            .field("updated_by", .string)
            .field("updated_at", .int64)
            .unique(on: "tracking")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "home_visits_center").on("home_visits").column("center_id").column("state").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("home_visits").delete()
        try await db.schema("center_rules").deleteField("home_visit_items").update()
    }
}
