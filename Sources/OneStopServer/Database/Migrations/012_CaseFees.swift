import Fluent

/// The fee charged on a decision, in cents, checked against the guide's published standard.
struct CaseFeeColumn: AsyncMigration {
    var name: String { "012_CaseFees" }

    func prepare(on db: any Database) async throws {
        try await db.schema("cases").field("fee_cents", .int).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("cases").deleteField("fee_cents").update()
    }
}
