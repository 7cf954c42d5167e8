import Fluent
import SQLKit

/// The service catalog: items with their draft and frozen published versions, delegations to
/// sub-centers, template files, life-event bundles, and the commitments of centers and departments.
struct CreateCatalog: AsyncMigration {
    var name: String { "006_CreateCatalog" }

    func prepare(on db: any Database) async throws {
        try await db.schema("centers").field("commitment", .string, .required, .sql(.default(""))).update()
        try await db.schema("departments").field("commitment", .string, .required, .sql(.default(""))).update()

        try await db.schema("service_items")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("department_id", .uuid, .required, .references("departments", "id"))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("tier", .string, .required)
            .field("parent_id", .uuid, .references("service_items", "id"))
            .field("status", .string, .required)
            .field("draft", .string)
            .field("version_in_force", .int)
            .field("versions", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await db.schema("service_item_versions")
            .id()
            .field("item_id", .uuid, .required, .references("service_items", "id"))
            .field("version", .int, .required)
            .field("content", .string, .required)
            .field("published_at", .datetime, .required)
            .field("published_by", .string, .required)
            .unique(on: "item_id", "version")
            .create()
        try await db.schema("item_delegations")
            .id()
            .field("item_id", .uuid, .required, .references("service_items", "id"))
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("window_numbers", .string, .required)
            .field("consult_phone", .string)
            .unique(on: "item_id", "center_id")
            .create()
        try await db.schema("item_files")
            .id()
            .field("item_id", .uuid, .required, .references("service_items", "id"))
            .field("material", .string, .required)
            .field("kind", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("bundles")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("name", .string, .required)
            .field("summary", .string, .required)
            .field("theme", .string, .required)
            .field("item_codes", .string, .required)
            .field("created_at", .datetime)
            .create()
        let generation = CounterModel()
        generation.id = CatalogStore.counter
        generation.value = 0
        try await generation.create(on: db)
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "service_items_center").on("service_items").column("center_id").run()
        try await sql.create(index: "service_items_department").on("service_items").column("department_id").run()
        try await sql.create(index: "item_delegations_center").on("item_delegations").column("center_id").run()
        try await sql.create(index: "item_files_item").on("item_files").column("item_id").run()
    }

    func revert(on db: any Database) async throws {
        try await CounterModel.query(on: db).filter(\.$id == CatalogStore.counter).delete()
        for table in ["bundles", "item_files", "item_delegations", "service_item_versions", "service_items"] {
            try await db.schema(table).delete()
        }
        try await db.schema("departments").deleteField("commitment").update()
        try await db.schema("centers").deleteField("commitment").update()
    }
}
