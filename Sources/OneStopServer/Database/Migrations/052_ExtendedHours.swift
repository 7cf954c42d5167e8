import Fluent
import SQLKit

/// 延时服务 (issue 23): a group's extended-hours periods on working days and ordinary weekends,
/// and, on each booking of such a slot, that it is one and the member of staff assigned to it.
struct ExtendedHours: AsyncMigration {
    var name: String { "052_ExtendedHours" }

    func prepare(on db: any Database) async throws {
        // "HH:MM-HH:MM,…" as the group form shows it; "" is none.
        try await db.schema("service_groups")
            .field("extended_periods", .string, .required, .sql(.default("")))
            .update()
        try await db.schema("service_groups")
            .field("weekend_periods", .string, .required, .sql(.default("")))
            .update()
        try await db.schema("appointments").field("extended", .bool, .required, .sql(.default(false))).update()
        try await db.schema("appointments").field("staff_id", .uuid, .references("staff", "id")).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX appointments_extended ON appointments (center_id, extended, day)").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX appointments_extended").run()
        try await db.schema("appointments").deleteField("staff_id").update()
        try await db.schema("appointments").deleteField("extended").update()
        try await db.schema("service_groups").deleteField("weekend_periods").update()
        try await db.schema("service_groups").deleteField("extended_periods").update()
    }
}
