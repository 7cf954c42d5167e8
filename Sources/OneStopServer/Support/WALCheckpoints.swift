import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// SQLite copies its write-ahead log back into the database after any commit that leaves more
/// than 1,000 pages in it. A background job that writes thousands of batches — the supervision
/// sweep, a calendar re-timing — would copy the pages every batch changes after each one; with
/// the copies paused for its length they are copied once, afterwards. Committed batches are
/// durable in the log either way. Jobs that overlap share one pause, resumed by the last to end.
enum WALCheckpoints {
    /// Runs `body` with the automatic checkpoints paused (on SQLite; elsewhere just runs it), then
    /// copies the log back with `reader`, a connection the caller does not hold.
    static func paused<T>(
        _ app: Application, reader: any Database, now: @escaping @Sendable () -> Date, _ body: () async throws -> T
    ) async throws -> T {
        guard case .sqlite = app.settings.database else { return try await body() }
        let holders = app.walCheckpointPauses
        if holders.withLockedValue({ n -> Bool in
            n += 1
            return n == 1
        }) {
            try await set(app, pages: 0, now: now())
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        if holders.withLockedValue({ n -> Bool in
            n -= 1
            return n == 0
        }) {
            do {
                try await set(app, pages: 1000, now: now())
                try await (reader as? any SQLDatabase)?.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
            } catch {
                app.logger.warning("automatic checkpoints not resumed: \(error)")
            }
        }
        return try result.get()
    }

    private static func set(_ app: Application, pages: Int, now: Date) async throws {
        try await app.groupCommit.run(actor: "system", now: now) { w in
            try await (w as? any SQLDatabase)?.raw("PRAGMA wal_autocheckpoint = \(unsafeRaw: String(pages))").run()
            return ((), [])
        }
    }
}

extension Application {
    private struct PausesKey: StorageKey { typealias Value = NIOLockedValueBox<Int> }

    /// How many jobs hold the automatic checkpoints paused (made at configuration).
    var walCheckpointPauses: NIOLockedValueBox<Int> {
        if let n = storage[PausesKey.self] { return n }
        let n = NIOLockedValueBox(0)
        storage[PausesKey.self] = n
        return n
    }
}
