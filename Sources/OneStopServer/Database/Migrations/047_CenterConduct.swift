import Fluent
import SQLKit

/// Running the center (issue 23): conduct inspections (作风督查) with their findings, and the
/// center's checklist for them.
struct CenterConduct: AsyncMigration {
    var name: String { "047_CenterConduct" }

    func prepare(on db: any Database) async throws {
        // JSON [String]; "" reads as ConductRules.defaultChecklist.
        try await db.schema("center_rules").field("checklist", .string, .required, .sql(.default(""))).update()
        try await db.schema("conduct_inspections")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("day", .string, .required)
            .field("team", .string, .required)
            // JSON [String]: the checklist as it stood.
            .field("checklist", .string, .required)
            .field("started_by", .string, .required)
            .field("started_at", .int64, .required)
            .create()
        try await db.schema("conduct_findings")
            .id()
            .field("inspection_id", .uuid, .required, .references("conduct_inspections", "id"))
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("day", .string, .required)
            .field("window_id", .uuid, .references("windows", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("item", .string, .required)
            .field("text", .string, .required)
            .field("state", .string, .required)
            .field("explain_by", .string, .required)
            .field("explanation", .string)
            .field("rectification", .string)
            .field("explained_by", .string)
            .field("explained_at", .int64)
            .field("close_note", .string)
            .field("closed_by", .string)
            .field("closed_at", .int64)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .int64, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "conduct_inspections_center").on("conduct_inspections").column("center_id").column("day").run()
        try await sql.create(index: "conduct_findings_inspection").on("conduct_findings").column("inspection_id").run()
        try await sql.create(index: "conduct_findings_center").on("conduct_findings").column("center_id").column("day").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("conduct_findings").delete()
        try await db.schema("conduct_inspections").delete()
        try await db.schema("center_rules").deleteField("checklist").update()
    }
}
