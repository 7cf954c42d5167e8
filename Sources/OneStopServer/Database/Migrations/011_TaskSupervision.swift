import Fluent
import SQLKit

/// Supervision of the co-departments' tasks of joint cases: each open task keeps its warning level,
/// the last reminder sent and the day supervision next has to look at it, like a case.
struct TaskSupervision: AsyncMigration {
    var name: String { "011_TaskSupervision" }

    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await db.schema("case_tasks").field("level", .string, .required, .sql(.default("normal"))).update()
        try await db.schema("case_tasks").field("reminded", .int).update()
        try await db.schema("case_tasks").field("next_check", .string).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "case_tasks_next_check").on("case_tasks").column("next_check").run()
        try await sql.create(index: "case_tasks_open_due").on("case_tasks").column("state").column("due_on").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "case_tasks_open_due").run()
        try await sql.drop(index: "case_tasks_next_check").run()
        for field in ["next_check", "reminded", "level"] { try await db.schema("case_tasks").deleteField(.string(field)).update() }
    }
}
