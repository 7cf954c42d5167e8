import Fluent
import NIOConcurrencyHelpers
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
    ///
    /// `deferrable`: inside a job that keeps a `RowBuffer`, the rows wait there for the batch's
    /// other rows of the same table.
    static func insert(
        into table: String, columns: String, _ rows: [[any SQLExpression]], onConflict: String? = nil, deferrable: Bool = false,
        on db: any Database
    ) async throws {
        guard !rows.isEmpty else { return }
        if deferrable, let buffer = RowBuffer.current {
            buffer.add(into: table, columns: columns, rows, onConflict: onConflict)
            return
        }
        let sql = try sql(db)
        let most = min(400, max(1, 30_000 / max(1, rows[0].count)))
        var start = 0
        for size in chunks(rows.count, most: most, shapes: sql.textIDs) {
            var q = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns)) VALUES ")
            for (i, row) in rows[start..<start + size].enumerated() {
                q.appendLiteral(i == 0 ? "(" : ", (")
                q.appendInterpolation(SQLList(row))
                q.appendLiteral(")")
            }
            if let onConflict { q.appendLiteral(" ON CONFLICT " + onConflict) }
            try await sql.raw(q).run()
            start += size
        }
    }

    /// `items` made as long as the next power of two by repeating the last (the same set for an
    /// `IN` list), when `shapes` (SQLite) and there are at most 256: so that the statement has few
    /// shapes, each prepared once on the commit lane (`LaneSQLite`).
    static func padded<T>(_ items: [T], shapes: Bool) -> [T] {
        guard shapes, let last = items.last, items.count <= 256 else { return items }
        let size = 1 << (Int.bitWidth - (items.count - 1).leadingZeroBitCount)
        return items + Array(repeating: last, count: size - items.count)
    }

    /// The sizes of the statements that insert `count` rows, at most `most` each. With `shapes`
    /// (SQLite, whose commit lane keeps its prepared statements) they are powers of two, so that
    /// a table's inserts have a few shapes, each prepared once: a batch's 45 rows go as 32, 8, 4
    /// and 1 rather than as a statement of 45 rows compiled for that batch alone.
    static func chunks(_ count: Int, most: Int, shapes: Bool) -> [Int] {
        var out: [Int] = []
        var left = count
        while left > 0 {
            var size = min(left, most)
            if shapes { size = 1 << (Int.bitWidth - 1 - size.leadingZeroBitCount) }
            out.append(size)
            left -= size
        }
        return out
    }
}

/// New rows that the jobs of one group-commit batch insert into the same tables, kept and written
/// together: a batch of sixteen intakes then inserts its cases, checklists, timelines and notices
/// with four statements instead of sixty-four. Only a job that asks for it (`GroupCommit.run`,
/// `defers`) gets a buffer; its rows are written before any other job of the batch runs, at the
/// end of the batch before its audit entries, and — when the batch runs job by job — inside the
/// job's own savepoint, so a refused row fails its own job alone.
final class RowBuffer: Sendable {
    @TaskLocal static var current: RowBuffer?

    private struct Pending {
        var table: String
        var columns: String
        var onConflict: String?
        var rows: [[any SQLExpression]]
    }

    private let state = NIOLockedValueBox<(order: [String], pending: [String: Pending])>(([], [:]))

    var isEmpty: Bool { state.withLockedValue { $0.order.isEmpty } }

    /// `onConflict` as for `SQLRows.insert`; it must hold for several rows with the same key in
    /// one statement (`DO NOTHING`, or an update that may meet its row twice on SQLite).
    func add(into table: String, columns: String, _ rows: [[any SQLExpression]], onConflict: String? = nil) {
        let key = table + "|" + columns + "|" + (onConflict ?? "")
        state.withLockedValue { s in
            if s.pending[key] == nil {
                s.order.append(key)
                s.pending[key] = Pending(table: table, columns: columns, onConflict: onConflict, rows: [])
            }
            s.pending[key]!.rows += rows
        }
    }

    /// Writes what is kept, table by table in the order first asked for (parents before the rows
    /// that refer to them), and forgets it.
    func flush(on db: any Database) async throws {
        let (order, pending) = state.withLockedValue { s in
            defer { s = ([], [:]) }
            return (s.order, s.pending)
        }
        for key in order {
            guard let p = pending[key] else { continue }
            try await SQLRows.insert(into: p.table, columns: p.columns, p.rows, onConflict: p.onConflict, on: db)
        }
    }

    func discard() { state.withLockedValue { $0 = ([], [:]) } }
}
