import Fluent
import SQLKit

/// A brand's survey has rounds (issue 22): the selection's social evaluation (社会评价) is round 1;
/// a typical or named brand is evaluated again each year of the consolidation phase (年度社会评价)
/// on the same survey, in a new round. A vote belongs to its round, and one person votes once a
/// round.
struct BrandSurveyRounds: AsyncMigration {
    var name: String { "044_BrandSurveyRounds" }

    func prepare(on db: any Database) async throws {
        // selection or consolidation.
        try await db.schema("brand_surveys").field("purpose", .string, .required, .sql(.default("selection"))).update()
        try await db.schema("brand_surveys").field("round", .int, .required, .sql(.default(1))).update()
        try await db.schema("brand_votes").field("round", .int, .required, .sql(.default(1))).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "brand_surveys_brand").on("brand_surveys").column("brand_id").column("opened_at").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("brand_votes").deleteField("round").update()
        try await db.schema("brand_surveys").deleteField("round").update()
        try await db.schema("brand_surveys").deleteField("purpose").update()
    }
}
