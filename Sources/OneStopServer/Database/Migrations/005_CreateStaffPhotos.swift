import Fluent

struct CreateStaffPhotos: AsyncMigration {
    var name: String { "005_CreateStaffPhotos" }

    func prepare(on db: any Database) async throws {
        try await db.schema("staff_photos")
            .field("staff_id", .uuid, .identifier(auto: false), .references("staff", "id", onDelete: .cascade))
            .field("content_type", .string, .required)
            .field("data", .data, .required)
            .field("updated_ms", .int64, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("staff_photos").delete()
    }
}
