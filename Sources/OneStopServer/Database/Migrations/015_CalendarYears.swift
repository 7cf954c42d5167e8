import Fluent
import Foundation
import OneStopCore
import SQLKit

/// The work calendar past the published years (DOMAIN.md §4):
/// - `calendar_years`: which years of which calendar an arrangement was imported for, from where,
///   by whom — a national year without one is provisional;
/// - `calendar_retimings`: the jobs that re-time open clocks after a day changed, with their counts;
/// - cards and anomalies that a calendar change makes void are withdrawn, not deleted: their
///   uniqueness per case and kind now holds among those in force only;
/// - an index on the legal deadline, by which a re-timing finds the clocks that span a day.
/// 2025's national arrangement ships now beside 2026's; a database that already has open cases
/// gets a re-timing job for the days this changes.
struct CalendarYears: AsyncMigration {
    var name: String { "015_CalendarYears" }

    func prepare(on db: any Database) async throws {
        try await db.schema("calendar_years")
            .id()
            .field("scope", .string, .required)
            .field("year", .int, .required)
            .field("source", .string, .required)
            .field("days", .int, .required)
            .field("imported_at", .int64, .required)
            .field("imported_by", .string, .required)
            .unique(on: "scope", "year")
            .create()
        try await db.schema("calendar_retimings")
            .id()
            .field("scope", .string, .required)
            .field("center_id", .uuid)
            .field("cause", .string, .required)
            .field("changes", .string, .required)
            .field("first_day", .string, .required)
            .field("last_day", .string, .required)
            .field("status", .string, .required)
            .field("cases", .int, .required)
            .field("tasks", .int, .required)
            .field("steps", .int, .required)
            .field("withdrawn", .int, .required)
            .field("notified", .int, .required)
            .field("sample", .string, .required)
            .field("actor", .string, .required)
            .field("error", .string, .required)
            .field("created_at", .int64, .required)
            .field("started_at", .int64)
            .field("finished_at", .int64)
            .field("heartbeat_at", .int64)
            .create()
        try await db.schema("anomalies").field("withdrawn", .string, .required, .sql(.default(""))).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "calendar_retimings_status").on("calendar_retimings").column("status").column("created_at").run()
        try await sql.create(index: "cases_legal_due").on("cases").column("legal_due").run()
        try await Self.dropUnique("cards", constraint: "uq:cards.case_id+cards.kind", on: sql)
        try await Self.dropUnique("anomalies", constraint: "uq:anomalies.case_id+anomalies.kind", on: sql)
        try await sql.raw("CREATE UNIQUE INDEX cards_in_force ON cards (case_id, kind) WHERE status <> 'withdrawn'").run()
        try await sql.raw("CREATE UNIQUE INDEX anomalies_in_force ON anomalies (case_id, kind) WHERE withdrawn = ''").run()

        // The shipped national years are confirmed; 2025 ships now.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let have2025 = try await CalendarDayModel.query(on: db).filter(\.$scope == CalendarDayModel.national)
            .filter(\.$date >= "2025-01-01").filter(\.$date <= "2025-12-31").count()
        var changes: [RetimingChange] = []
        if have2025 == 0 {
            for d in NationalCalendar.year2025 {
                try await CalendarDayModel(scope: CalendarDayModel.national, date: d.date.description, kind: d.kind.rawValue, name: d.name)
                    .create(on: db)
            }
        }
        for (year, source, days) in NationalCalendar.shippedYears {
            let row = CalendarYearModel()
            row.scope = CalendarDayModel.national
            row.year = year
            row.source = source
            row.days = days.count
            row.importedAt = now
            row.importedBy = "system"
            try await row.create(on: db)
        }
        // What this changes for clocks already running: 2025's days, and the statutory days of the
        // years now provisional, which counted as working days before.
        struct Count: Decodable { var n: Int }
        let open =
            try await sql.raw(
                "SELECT COUNT(*) AS n FROM cases WHERE state NOT IN ('delivered', 'refused', 'withdrawn', 'terminated')"
            ).first(decoding: Count.self)?.n ?? 0
        guard open > 0 else { return }
        if have2025 == 0 {
            changes += NationalCalendar.year2025.map { RetimingChange(date: $0.date.description, old: nil, new: $0.kind.rawValue) }
        }
        let thisYear = CivilDate.of(Date()).year
        for year in 2027...max(2027, thisYear + 3) {
            changes += NationalCalendar.statutoryDays(of: year).map { RetimingChange(date: $0.date.description, old: nil, new: "holiday") }
        }
        let job = CalendarRetimingModel(
            scope: CalendarDayModel.national, centerID: nil, cause: "upgrade", changes: changes, actor: "system")
        job.createdAt = now
        try await job.create(on: db)
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX anomalies_in_force").run()
        try await sql.raw("DROP INDEX cards_in_force").run()
        // Withdrawn cards and anomalies keep their rows under a kind of their own.
        try await sql.raw("UPDATE cards SET kind = kind || '~withdrawn~' || id WHERE status = 'withdrawn'").run()
        try await sql.raw("UPDATE anomalies SET kind = kind || '~withdrawn~' || id WHERE withdrawn <> ''").run()
        try await Self.addUnique("cards", constraint: "uq:cards.case_id+cards.kind", on: sql)
        try await Self.addUnique("anomalies", constraint: "uq:anomalies.case_id+anomalies.kind", on: sql)
        try await sql.drop(index: "cases_legal_due").run()
        try await db.schema("anomalies").deleteField("withdrawn").update()
        try await db.schema("calendar_retimings").delete()
        try await db.schema("calendar_years").delete()
        try await CalendarDayModel.query(on: db).filter(\.$scope == CalendarDayModel.national)
            .filter(\.$date >= "2025-01-01").filter(\.$date <= "2025-12-31").delete()
    }

    /// PostgreSQL drops a constraint; SQLite cannot, so the table is rebuilt from its own
    /// definition without it, and its indexes made again.
    static func dropUnique(_ table: String, constraint: String, on sql: any SQLDatabase) async throws {
        if sql.dialect.name != "sqlite" {
            try await sql.raw("ALTER TABLE \(ident: table) DROP CONSTRAINT \(ident: constraint)").run()
            return
        }
        try await rebuild(table, on: sql) { definition in
            definition.replacingOccurrences(of: ", CONSTRAINT \"\(constraint)\" UNIQUE (\"case_id\", \"kind\")", with: "")
        }
    }

    static func addUnique(_ table: String, constraint: String, on sql: any SQLDatabase) async throws {
        if sql.dialect.name != "sqlite" {
            try await sql.raw("ALTER TABLE \(ident: table) ADD CONSTRAINT \(ident: constraint) UNIQUE (case_id, kind)").run()
            return
        }
        try await rebuild(table, on: sql) { definition in
            String(definition.dropLast()) + ", CONSTRAINT \"\(constraint)\" UNIQUE (\"case_id\", \"kind\"))"
        }
    }

    static func rebuild(_ table: String, on sql: any SQLDatabase, _ edit: (String) -> String) async throws {
        struct Definition: Decodable {
            var name: String
            var sql: String?
        }
        let rows = try await sql.raw("SELECT name, sql FROM sqlite_master WHERE tbl_name = \(bind: table)").all(decoding: Definition.self)
        guard let create = rows.first(where: { $0.name == table })?.sql else { return }
        let edited = edit(create)
        guard edited != create else { throw MigrationFailure("\(table): unexpected definition") }
        let indexes = rows.filter { $0.name != table }.compactMap(\.sql)
        let staged = edited.replacingOccurrences(of: "CREATE TABLE \"\(table)\"", with: "CREATE TABLE \"\(table)_rebuilt\"")
        try await sql.raw("\(unsafeRaw: staged)").run()
        try await sql.raw("INSERT INTO \(ident: table + "_rebuilt") SELECT * FROM \(ident: table)").run()
        try await sql.raw("DROP TABLE \(ident: table)").run()
        try await sql.raw("ALTER TABLE \(ident: table + "_rebuilt") RENAME TO \(ident: table)").run()
        for index in indexes { try await sql.raw("\(unsafeRaw: index)").run() }
    }
}

struct MigrationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
