import Fluent
import SQLKit

/// 进驻 (issue 23): a department's admission to the center, and its later adjustments.
struct Admissions: AsyncMigration {
    var name: String { "049_Admissions" }

    func prepare(on db: any Database) async throws {
        try await db.schema("admissions")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid, .required, .references("departments", "id"))
            // JSON: [item code], [staff id], [String], Authorisations, [item code]
            .field("items", .string, .required)
            .field("staff", .string, .required)
            .field("equipment", .string, .required)
            .field("authorisations", .string, .required)
            .field("entrusted", .string, .required)
            .field("note", .string, .required)
            .field("state", .string, .required)
            .field("requested_by", .string, .required)
            .field("requested_at", .int64, .required)
            .field("decided_by", .string)
            .field("decided_on", .string)
            .field("decision_note", .string)
            .create()
        try await db.schema("admission_events")
            .id()
            .field("admission_id", .uuid, .required, .references("admissions", "id"))
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("kind", .string, .required)
            .field("item_code", .string, .required)
            .field("note", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .int64, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "admissions_department").on("admissions").column("department_id").run()
        try await sql.create(index: "admission_events_admission").on("admission_events").column("admission_id").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("admission_events").delete()
        try await db.schema("admissions").delete()
    }
}
