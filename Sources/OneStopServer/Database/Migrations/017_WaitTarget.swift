import Fluent
import SQLKit

/// A center's target wait: the live hall view warns of a group waiting longer, and the staffing
/// forecast plans windows to keep the 90th percentile of waits within it.
struct WaitTarget: AsyncMigration {
    var name: String { "017_WaitTarget" }

    func prepare(on db: any Database) async throws {
        try await db.schema("queue_settings").field("wait_target_minutes", .int, .required, .sql(.default(20))).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("queue_settings").deleteField("wait_target_minutes").update()
    }
}
