import Fluent
import SQLKit

/// The days supervision has to look at cases, as a queue of its own ordered by day.
///
/// The day used to be a column of the case (`next_check`). The sweep of a day then rewrote tens of
/// thousands of wide case rows scattered over the whole table, one page each, although most of
/// them only moved their next look to a later day. In this queue a day's entries are neighbours:
/// the sweep reads them as one range, deletes that range, and adds each case's next look to the
/// range of its new day. A case row is written only when its level or reminder changes.
struct SupervisionQueue: AsyncMigration {
    var name: String { "014_SupervisionQueue" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            // Clustered by day: the rows of a day are stored together.
            try await sql.raw(
                "CREATE TABLE supervision_queue (day TEXT NOT NULL, case_id BLOB NOT NULL, PRIMARY KEY (day, case_id)) WITHOUT ROWID"
            ).run()
        } else {
            try await sql.raw(
                "CREATE TABLE supervision_queue (day TEXT NOT NULL, case_id UUID NOT NULL, PRIMARY KEY (day, case_id))"
            ).run()
        }
        try await sql.raw("INSERT INTO supervision_queue (day, case_id) SELECT next_check, id FROM cases WHERE next_check IS NOT NULL")
            .run()
        try await sql.drop(index: "cases_next_check").run()
        try await db.schema("cases").deleteField("next_check").update()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await db.schema("cases").field("next_check", .string).update()
        try await sql.raw("UPDATE cases SET next_check = (SELECT MIN(day) FROM supervision_queue q WHERE q.case_id = cases.id)").run()
        try await sql.create(index: "cases_next_check").on("cases").column("next_check").run()
        try await sql.raw("DROP TABLE supervision_queue").run()
    }
}
