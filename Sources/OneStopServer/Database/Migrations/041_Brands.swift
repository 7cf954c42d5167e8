import Fluent
import SQLKit

/// 机关服务品牌 (issue 22): the brand registry, and each brand's logo apart (a list of brands never
/// reads their images).
struct Brands: AsyncMigration {
    var name: String { "041_Brands" }

    func prepare(on db: any Database) async throws {
        try await db.schema("brands")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("name", .string, .required)
            .field("category", .string, .required)
            .field("culture", .string, .required)
            .field("system", .string, .required)
            .field("covers", .string, .required)
            .field("state", .string, .required)
            .field("owner_id", .uuid)
            .field("created_by", .string, .required)
            .field("created_at", .int64, .required)
            .field("updated_at", .int64, .required)
            .field("approved_by", .string, .required)
            .field("approved_at", .int64)
            .field("logo_type", .string)
            .create()
        try await db.schema("brand_logos")
            .field("brand_id", .uuid, .identifier(auto: false), .references("brands", "id"))
            .field("content_type", .string, .required)
            .field("data", .data, .required)
            .field("updated_at", .int64, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "brands_center").on("brands").column("center_id").column("state").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("brand_logos").delete()
        try await db.schema("brands").delete()
    }
}
