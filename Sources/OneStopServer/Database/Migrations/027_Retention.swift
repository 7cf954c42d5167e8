import Fluent
import SQLKit

/// 保存期限 (issue 18): when a closed case's personal data was erased. The partial index finds
/// the closed cases still to erase without reading those already done.
struct Retention: AsyncMigration {
    var name: String { "027_Retention" }

    func prepare(on db: any Database) async throws {
        try await db.schema("cases").field("anonymised_at", .int64).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX cases_retention ON cases (updated_at) WHERE anonymised_at IS NULL").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX cases_retention").run() }
        try await db.schema("cases").deleteField("anonymised_at").update()
    }
}
