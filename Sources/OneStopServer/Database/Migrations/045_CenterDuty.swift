import Fluent
import SQLKit

/// Running the center (issue 23), its first part: the duty rota (值班领导, 部门领导带班), the
/// patrols the leader on duty records, their findings as tasks for the windows' departments, the
/// photos those findings carry, and the center's own rules (how many patrols a day).
struct CenterDuty: AsyncMigration {
    var name: String { "045_CenterDuty" }

    func prepare(on db: any Database) async throws {
        try await db.schema("center_rules")
            .field("center_id", .uuid, .identifier(auto: false), .references("centers", "id"))
            .field("patrols_per_day", .int, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .int64, .required)
            .create()
        try await db.schema("duty_shifts")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("day", .string, .required)
            // DutyRules.Kind
            .field("kind", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("set_by", .string, .required)
            .field("set_at", .int64, .required)
            .unique(on: "center_id", "day", "kind", "user_id")
            .create()
        try await db.schema("patrols")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("day", .string, .required)
            .field("at", .int64, .required)
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("recorded_by", .string, .required)
            // JSON [DutyRules.Observation]
            .field("observations", .string, .required)
            .field("note", .string, .required)
            .create()
        try await db.schema("patrol_findings")
            .id()
            .field("patrol_id", .uuid, .required, .references("patrols", "id"))
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("window_id", .uuid, .references("windows", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("text", .string, .required)
            .field("due", .string, .required)
            .field("action", .string)
            .field("closed_by", .string)
            .field("closed_at", .int64)
            .create()
        try await db.schema("patrol_photos")
            .id()
            .field("finding_id", .uuid, .required, .references("patrol_findings", "id"))
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("content_type", .string, .required)
            .field("data", .data, .required)
            .field("uploaded_by", .string, .required)
            .field("uploaded_at", .int64, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "duty_shifts_day").on("duty_shifts").column("center_id").column("day").run()
        try await sql.create(index: "patrols_day").on("patrols").column("center_id").column("day").run()
        try await sql.create(index: "patrol_findings_open").on("patrol_findings").column("center_id").column("closed_at").run()
        try await sql.create(index: "patrol_photos_finding").on("patrol_photos").column("finding_id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["patrol_photos", "patrol_findings", "patrols", "duty_shifts", "center_rules"] { try await db.schema(t).delete() }
    }
}
