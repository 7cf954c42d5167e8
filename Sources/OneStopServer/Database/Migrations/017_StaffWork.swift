import Fluent
import SQLKit

/// What the staff's own pages read. A center's target wait: the live hall view warns of a group
/// waiting longer, and the staffing forecast plans windows to keep the 90th percentile of waits
/// within it. And an index of the cases by their handler, for a clerk's home page (their open cases
/// by days left) and `/cases?mine=true`, which scanned every case.
struct StaffWork: AsyncMigration {
    var name: String { "017_StaffWork" }

    func prepare(on db: any Database) async throws {
        try await db.schema("queue_settings").field("wait_target_minutes", .int, .required, .sql(.default(20))).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "cases_handler").on("cases").column("handler_id").column("state").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.drop(index: "cases_handler").run() }
        try await db.schema("queue_settings").deleteField("wait_target_minutes").update()
    }
}
