import Fluent

/// 特事特办 on a case (its kind and why), and a center's switch that admits 外地人员 to the
/// queue's green channel.
struct SpecialHandlingColumns: AsyncMigration {
    var name: String { "021_SpecialHandling" }

    func prepare(on db: any Database) async throws {
        try await db.schema("cases").field("special", .string).update()
        try await db.schema("cases").field("special_reason", .string).update()
        try await db.schema("queue_settings").field("green_non_local", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("queue_settings").deleteField("green_non_local").update()
        try await db.schema("cases").deleteField("special_reason").update()
        try await db.schema("cases").deleteField("special").update()
    }
}
