import Fluent
import SQLKit

/// The re-timing's candidates read from an index alone.
///
/// A calendar change looks for the open cases whose legal deadline falls on or after the changed
/// day; on a million open cases that is a hundred thousand rows. By the plain `legal_due` index
/// each one was a look-up in the case table, scattered over it. This index holds every column the
/// query tests and the id it returns, in the order of the deadline.
struct CaseDueCover: AsyncMigration {
    var name: String { "016_CaseDueCover" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "cases_legal_due_cover").on("cases")
            .column("legal_due").column("received_on").column("state").column("case_type").column("center_id").column("id")
            .run()
        try await sql.drop(index: "cases_legal_due").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "cases_legal_due").on("cases").column("legal_due").run()
        try await sql.drop(index: "cases_legal_due_cover").run()
    }
}
