import Fluent
import SQLKit

/// A ticket's position (people ahead in its group) and a group's recent service times are read per
/// group and day; without this index both walk every waiting or finished ticket of the center.
struct QueueGroupIndex: AsyncMigration {
    var name: String { "008_QueueGroupIndex" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "tickets_group_day").on("tickets").column("group_id").column("day").column("state")
            .column("class").column("queued_at").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "tickets_group_day").run()
    }
}
