import Fluent

/// Each center chooses whether one person may both accept and decide a case (受理与审批相分离);
/// every center starts separating them for 承诺件.
struct DutySeparationColumn: AsyncMigration {
    var name: String { "018_DutySeparation" }

    func prepare(on db: any Database) async throws {
        try await db.schema("centers").field("duty_separation", .string, .required, .sql(.default("promised"))).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("centers").deleteField("duty_separation").update()
    }
}
