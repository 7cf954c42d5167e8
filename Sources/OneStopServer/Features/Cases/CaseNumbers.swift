import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import SQLKit
import Vapor

/// Case numbers (center code + day + sequence), reserved before the write transaction so that a
/// case and its notice, which prints the number and its QR code, are ready before the single
/// writer is taken.
///
/// - PostgreSQL: the day's counter row is moved in a statement of its own, which every instance
///   sharing the database sees at once.
/// - SQLite: one process owns the database file, so the counter is kept in memory, seeded from
///   the stored one on first use; the write that stores the case also records the counter, so a
///   restart goes on from there.
///
/// A reservation whose case is then not stored (the write failed) leaves a gap in the day's
/// sequence; numbers are never given twice.
final class CaseNumbers: Sendable {
    private let last = NIOLockedValueBox<[String: Int]>([:])

    /// The next sequence number of the center's day, and (SQLite) the counter value the write has
    /// to record.
    func next(center: UUID, day: CivilDate, req: Request) async throws -> (sequence: Int, record: Int?) {
        guard req.application.settings.database.isSQLite else {
            return (try await Self.increment(center, day: day, on: req.db), nil)
        }
        let key = "\(center)/\(day)"
        if let n = last.withLockedValue({ d -> Int? in
            guard let v = d[key] else { return nil }
            d[key] = v + 1
            return v + 1
        }) {
            return (n, n)
        }
        struct Row: Decodable { var last: Int }
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let stored =
            try await sql.raw("SELECT last FROM case_counters WHERE center_id = \(bind: center) AND day = \(bind: day.description)")
            .first(decoding: Row.self)?.last ?? 0
        let n = last.withLockedValue { d -> Int in
            // Another request may have seeded the day meanwhile: go on from the higher.
            let v = max(d[key] ?? 0, stored) + 1
            d[key] = v
            // Days gone by are not asked for again.
            if d.count > 10_000 { d = d.filter { $0.key.hasSuffix(day.description) } }
            return v
        }
        return (n, n)
    }

    /// Records a counter reserved in memory, inside the write that stores its case.
    /// Within a batch of intakes it waits for the others' (`RowBuffer`): SQLite applies the rows
    /// of one statement in turn, so the highest number stays.
    static func record(_ counter: (center: UUID, day: String, last: Int), on db: any Database) async throws {
        let sql = try SQLRows.sql(db)
        try await SQLRows.insert(
            into: "case_counters", columns: "center_id, day, last",
            [[sql.bind(id: counter.center), SQLBind(counter.day), SQLBind(counter.last)]],
            onConflict: "(center_id, day) DO UPDATE SET last = MAX(case_counters.last, excluded.last)", deferrable: sql.textIDs, on: db)
    }

    /// Moves the day's counter in the database, atomically, and returns the new value.
    static func increment(_ center: UUID, day: CivilDate, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable { var last: Int }
        let row = try await sql.raw(
            """
            INSERT INTO case_counters (center_id, day, last) VALUES (\(bind: center), \(bind: day.description), 1)
            ON CONFLICT (center_id, day) DO UPDATE SET last = case_counters.last + 1 RETURNING last
            """
        ).first(decoding: Row.self)
        guard let row else { throw Abort(.internalServerError) }
        return row.last
    }
}

extension Application {
    private struct CaseNumbersKey: StorageKey { typealias Value = CaseNumbers }

    /// Set in `configure`.
    var caseNumbers: CaseNumbers {
        get { storage[CaseNumbersKey.self]! }
        set { storage[CaseNumbersKey.self] = newValue }
    }
}
