import Fluent
import SQLKit

/// 电子证照: each licence an approval issued, its PDF as issued and the SHA-256 it is verified by.
struct ElectronicLicenceTable: AsyncMigration {
    var name: String { "020_ElectronicLicences" }

    func prepare(on db: any Database) async throws {
        try await db.schema("licences")
            .id()
            .field("number", .string, .required)
            .field("kind", .string, .required)
            .field("case_id", .uuid, .required)
            .field("center_id", .uuid, .required)
            .field("department_id", .uuid, .required)
            .field("applicant_id", .uuid, .required)
            .field("item_code", .string, .required)
            .field("item_name", .string, .required)
            .field("authority", .string, .required)
            .field("holder_name", .string, .required)
            .field("holder_id_masked", .string, .required)
            .field("issued_on", .string, .required)
            .field("valid_until", .string)
            .field("verify_token", .string, .required)
            .field("sha256", .string, .required)
            .field("pdf", .data, .required)
            .field("state", .string, .required)
            .field("created_at", .int64, .required)
            .unique(on: "verify_token")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "licences_applicant").on("licences").column("applicant_id").run()
        try await sql.create(index: "licences_number").on("licences").column("number").run()
        try await sql.create(index: "licences_case").on("licences").column("case_id").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("licences").delete()
    }
}
