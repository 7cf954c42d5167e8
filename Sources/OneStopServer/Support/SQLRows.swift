import Fluent
import SQLKit
import Vapor

/// Plain multi-row inserts for the hot write paths. The column list is written once as text, so
/// serializing a row costs its binds only (SQLKit's `insert(into:)` quotes every column name
/// anew, which showed in the writer's profile).
enum SQLRows {
    static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        return sql
    }

    /// Inserts `rows` (each in the order of `columns`) with as few statements as both databases'
    /// limits on bound parameters allow.
    static func insert(
        into table: String, columns: String, _ rows: [[any SQLExpression]], onConflict: String? = nil, on db: any Database
    ) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, 30_000 / max(1, rows[0].count))
        for start in stride(from: 0, to: rows.count, by: min(400, perStatement)) {
            var q = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns)) VALUES ")
            for (i, row) in rows[start..<min(start + min(400, perStatement), rows.count)].enumerated() {
                q.appendLiteral(i == 0 ? "(" : ", (")
                q.appendInterpolation(SQLList(row))
                q.appendLiteral(")")
            }
            if let onConflict { q.appendLiteral(" ON CONFLICT " + onConflict) }
            try await sql(db).raw(q).run()
        }
    }
}
