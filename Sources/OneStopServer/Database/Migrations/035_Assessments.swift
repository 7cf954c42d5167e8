import Fluent
import SQLKit

/// 百分制 assessments (issue 21): templates, runs and their lines.
struct Assessments: AsyncMigration {
    var name: String { "035_Assessments" }

    func prepare(on db: any Database) async throws {
        try await db.schema("assessment_templates")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("year", .int, .required)
            .field("name", .string, .required)
            .field("criteria", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .int64, .required)
            .create()
        try await db.schema("assessments")
            .id()
            .field("template_id", .uuid, .required, .references("assessment_templates", "id"))
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("subject_kind", .string, .required)
            .field("period", .string, .required)
            .field("state", .string, .required)
            .field("version", .int, .required)
            .field("name", .string, .required)
            .field("criteria", .string, .required)
            .field("frozen_on", .string, .required)
            .field("started_by", .string, .required)
            .field("started_at", .int64, .required)
            .field("reviewed_by", .string, .required)
            .field("reviewed_at", .int64)
            .field("signed_by", .string, .required)
            .field("signed_at", .int64)
            .field("comment", .string, .required)
            .unique(on: "template_id", "center_id", "subject_kind", "period", "version")
            .create()
        try await db.schema("assessment_lines")
            .id()
            .field("assessment_id", .uuid, .required, .references("assessments", "id"))
            .field("subject", .string, .required)
            .field("name", .string, .required)
            .field("scores", .string, .required)
            .field("adjustment", .double, .required)
            .field("adjustment_reason", .string, .required)
            .field("comment", .string, .required)
            .unique(on: "assessment_id", "subject")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "assessments_center_period").on("assessments").column("center_id").column("period").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("assessment_lines").delete()
        try await db.schema("assessments").delete()
        try await db.schema("assessment_templates").delete()
    }
}
