import Fluent

/// A complaint may cite a banned phrase of the center's 文明用语规范 (issue 23), as patrol and
/// conduct findings do.
struct WorkOrderPhrase: AsyncMigration {
    var name: String { "051_WorkOrderPhrase" }

    func prepare(on db: any Database) async throws {
        try await db.schema("work_orders").field("phrase", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("work_orders").deleteField("phrase").update()
    }
}
