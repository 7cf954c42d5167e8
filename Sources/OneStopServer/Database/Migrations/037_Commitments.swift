import Fluent

/// Public commitments (一诺) and their review (回头看), issue 21.
struct Commitments: AsyncMigration {
    var name: String { "037_Commitments" }

    func prepare(on db: any Database) async throws {
        try await db.schema("commitments")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("subject", .string, .required)
            .field("subject_name", .string, .required)
            .field("period", .string, .required)
            .field("pledges", .string, .required)
            .field("state", .string, .required)
            .field("renews", .uuid)
            .field("made_by", .string, .required)
            .field("made_at", .int64, .required)
            .field("reviewed_by", .string, .required)
            .field("reviewed_at", .int64)
            .unique(on: "subject", "period")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("commitments").delete()
    }
}
