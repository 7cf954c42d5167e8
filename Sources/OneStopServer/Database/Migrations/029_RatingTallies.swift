import Fluent
import SQLKit

/// 好差评 figures kept current (issue 19): one `RatingTally` (JSON) per day and scope — a center,
/// a department, a window, a staff member — changed in the transaction that changes a rating, so
/// that the disclosure of a month adds up thirty rows instead of reading the ratings.
struct RatingTallies: AsyncMigration {
    var name: String { "029_RatingTallies" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(table: "rating_tallies")
            .column("day", type: .text, .notNull)
            .column("scope", type: .text, .notNull)
            .column("tally", type: .text, .notNull)
            .primaryKey("day", "scope")
            .run()
        try await sql.create(index: "rating_tallies_scope").on("rating_tallies").column("scope").column("day").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as? any SQLDatabase)?.drop(table: "rating_tallies").run()
    }
}
