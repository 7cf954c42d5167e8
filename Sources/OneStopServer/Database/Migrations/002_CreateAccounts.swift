import Fluent

struct CreateAccounts: AsyncMigration {
    var name: String { "002_CreateAccounts" }

    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("staff_id", .uuid, .references("staff", "id"))
            .field("phone", .string)
            .field("failed_logins", .int, .required)
            .field("locked_until", .double)
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
        try await db.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("expires_at", .double, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema("devices")
            .id()
            .field("label", .string, .required)
            .field("role", .string, .required)
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("window_id", .uuid, .references("windows", "id"))
            .field("token_hash", .string, .required)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("devices").delete()
        try await db.schema("api_tokens").delete()
        try await db.schema("users").delete()
    }
}
