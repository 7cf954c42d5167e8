import Fluent
import SQLKit

/// Running the center (issue 23): the center's 文明用语规范, the window units' weekly summaries
/// (一周一小结) and the volunteer ledger (志愿服务台帐).
struct HallRulesMigration: AsyncMigration {
    var name: String { "048_HallRules" }

    func prepare(on db: any Database) async throws {
        // JSON {"polite": [String], "banned": [String]}; "" reads as the defaults.
        try await db.schema("center_rules").field("courtesy", .string, .required, .sql(.default(""))).update()
        try await db.schema("patrol_findings").field("phrase", .string).update()
        try await db.schema("conduct_findings").field("phrase", .string).update()
        try await db.schema("weekly_summaries")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid, .required, .references("departments", "id"))
            .field("week", .string, .required)
            .field("summary", .string, .required)
            .field("late", .bool, .required)
            .field("filed_by", .string, .required)
            .field("filed_at", .int64, .required)
            .unique(on: "department_id", "week")
            .create()
        try await db.schema("volunteer_services")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("volunteer", .string, .required)
            .field("day", .string, .required)
            .field("activity", .string, .required)
            .field("hours_tenths", .int, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .int64, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "weekly_summaries_center").on("weekly_summaries").column("center_id").column("week").run()
        try await sql.create(index: "volunteer_services_center").on("volunteer_services").column("center_id").column("day").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("volunteer_services").delete()
        try await db.schema("weekly_summaries").delete()
        try await db.schema("conduct_findings").deleteField("phrase").update()
        try await db.schema("patrol_findings").deleteField("phrase").update()
        try await db.schema("center_rules").deleteField("courtesy").update()
    }
}
