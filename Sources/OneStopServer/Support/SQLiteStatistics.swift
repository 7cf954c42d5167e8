import Fluent
import Foundation
import SQLKit
import Vapor

/// SQLite's query planner chooses an index by the statistics `ANALYZE` keeps (`sqlite_stat1`);
/// without them it guesses, and on a table of millions of rows a wrong guess is a sort of the
/// whole range where an ordered index would have stopped at the first page (the drill-down's
/// late cases went through the center's index, then sorted). `PRAGMA optimize=0x10002` analyses
/// every table that has no statistics or has grown tenfold since, and costs milliseconds when
/// nothing needs it. It reads whole indexes (`analysis_limit = 0`): a sample of an index's first
/// rows all share its leading column, so a sampled count of distinct centers came out at 1,001
/// where there are 4, and the planner went back to the center's index. On 10,000,000 cases that
/// is a one-off half-minute after the load. Run at start and with each housekeeping pass;
/// PostgreSQL's autovacuum does the same there.
enum SQLiteStatistics {
    static let analysisLimit = 0

    /// At start, before any other connection writes.
    static func refresh(_ app: Application) async throws {
        guard case .sqlite = app.settings.database else { return }
        try await app.db.withConnection { try await run(on: $0) }
    }

    /// On the writer, between other writes.
    static func refresh(_ app: Application, now: Date) async throws {
        guard case .sqlite = app.settings.database else { return }
        try await app.groupCommit.run(actor: "system", now: now) { w in
            try await run(on: w)
            return ((), [])
        }
    }

    private static func run(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA analysis_limit = \(unsafeRaw: String(analysisLimit))").run()
        try await sql.raw("PRAGMA optimize = 0x10002").run()
    }
}
