import Fluent

/// Each department names the authority its notices are issued by (itself, or the center that
/// holds 相对集中行政许可权), and a decision records the licence or document number it issued.
struct NoticeAuthorityColumns: AsyncMigration {
    var name: String { "019_NoticeAuthority" }

    func prepare(on db: any Database) async throws {
        try await db.schema("departments").field("issuer", .string, .required, .sql(.default("department"))).update()
        try await db.schema("departments").field("issuer_name", .string).update()
        try await db.schema("cases").field("licence_number", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("cases").deleteField("licence_number").update()
        try await db.schema("departments").deleteField("issuer_name").update()
        try await db.schema("departments").deleteField("issuer").update()
    }
}
