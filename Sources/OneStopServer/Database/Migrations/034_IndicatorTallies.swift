import Fluent
import SQLKit

/// The GB/T 32169.4 indicators kept current (issue 21): the counters of `IndicatorCounts` (JSON)
/// per period and scope — a day (`2026-12-05`) or a month (`2026-12`), and a center, department,
/// window or staff member — with the center the scope belongs to, so that a table over a
/// center's subtree and any range reads whole months and the days at its edges, never the cases.
/// `indicator_state` holds how far the audit log has been followed (`IndicatorStore.catchUp`).
struct IndicatorTallies: AsyncMigration {
    var name: String { "034_IndicatorTallies" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(table: "indicator_tallies")
            .column("period", type: .text, .notNull)
            .column("scope", type: .text, .notNull)
            .column("kind", type: .text, .notNull)
            .column("center_id", type: .text, .notNull)
            .column("counts", type: .text, .notNull)
            .primaryKey("period", "scope")
            .run()
        try await sql.create(index: "indicator_tallies_center").on("indicator_tallies").column("center_id").column("kind")
            .column("period").run()
        try await sql.create(table: "indicator_state")
            .column("id", type: .int, .primaryKey(autoIncrement: false))
            .column("audit_seq", type: .bigint, .notNull)
            .run()
        try await sql.raw("INSERT INTO indicator_state (id, audit_seq) VALUES (1, 0)").run()
        // The days a catch-up recomputes are read by day: the online decisions of a day come
        // from the case history, the complaints' call-backs from the orders' history.
        try await sql.create(index: "case_events_day").on("case_events").column("day").column("action").run()
        try await sql.create(index: "cases_center_accepted").on("cases").column("center_id").column("accepted_on").run()
        try await sql.create(index: "cases_center_decided").on("cases").column("center_id").column("decided_on").run()
        try await sql.create(index: "anomalies_center_day").on("anomalies").column("center_id").column("day").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in ["case_events_day", "cases_center_accepted", "cases_center_decided", "anomalies_center_day"] {
            try await sql.drop(index: index).run()
        }
        try await sql.drop(table: "indicator_state").run()
        try await sql.drop(table: "indicator_tallies").run()
    }
}
