import Fluent
import SQLKit

/// Drill-down (issue 21) lists the first 50 records of a range in day order: these indexes hold
/// them in that order, so that a page stops after 50 instead of sorting every record of a
/// three-year range. Late cases and bad ratings are a few per cent of their tables: partial
/// indexes keep just them.
struct DrillDownIndexes: AsyncMigration {
    var name: String { "040_DrillDownIndexes" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw(
            "CREATE INDEX cases_late ON cases (decided_on, number) WHERE promised_due IS NOT NULL AND decided_on > promised_due"
        ).run()
        try await sql.create(index: "cases_accepted_order").on("cases").column("accepted_on").column("number").run()
        try await sql.raw("CREATE INDEX ratings_bad_at ON ratings (at) WHERE level <= 2").run()
        try await sql.create(index: "bad_ratings_due").on("bad_ratings").column("due_on").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for name in ["cases_late", "cases_accepted_order", "ratings_bad_at", "bad_ratings_due"] {
            try await sql.drop(index: name).run()
        }
    }
}
