import Fluent

/// A brand campaign (issue 22): the campaign office's run of the programme over a center's tree,
/// with its four dated phases, its requirements (三个体现, 两个创新 …) and the departments it covers.
struct BrandCampaigns: AsyncMigration {
    var name: String { "042_BrandCampaigns" }

    func prepare(on db: any Database) async throws {
        try await db.schema("brand_campaigns")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("name", .string, .required)
            .field("phases", .string, .required)
            .field("requirements", .string, .required)
            .field("opened_by", .string, .required)
            .field("opened_at", .int64, .required)
            .create()
    }

    func revert(on db: any Database) async throws { try await db.schema("brand_campaigns").delete() }
}
