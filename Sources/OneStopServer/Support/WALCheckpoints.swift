import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
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
                try await set(app, pages: app.walWriterPages.withLockedValue { $0 }, now: now())
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

/// Copies the write-ahead log back into the database from a background connection, once a
/// second, instead of in the writer's commit.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages: the
/// one writer, and every action of the hall waiting on it, stands still while the pages are copied
/// and the database file synced (about every 4 MB of log; at 200 lifecycles/s, every few
/// seconds). A passive checkpoint from another connection copies
/// what no reader still needs without blocking the writer or the readers; the writer starts the
/// log again from its beginning once everything in it has been copied. Durability is unchanged:
/// a commit is durable once it is in the log.
enum WALCheckpointer {
    static let interval = TimeAmount.seconds(1)

    /// The writer's automatic checkpoints, when the checkpointer does not take them over.
    static let automaticPages = 1000

    /// Turns the writer's automatic checkpoints off (SQLite in a file only). Called at boot by the
    /// server, which then runs `checkpoint` every `interval`.
    static func takeOver(_ app: Application) async throws {
        guard case .sqlite(let path) = app.settings.database, !path.isEmpty else { return }
        app.walWriterPages.withLockedValue { $0 = 0 }
        try await app.groupCommit.run(actor: "system", now: app.clock.now()) { w in
            try await (w as? any SQLDatabase)?.raw("PRAGMA wal_autocheckpoint = 0").run()
            return ((), [])
        }
    }

    struct Outcome: Decodable, Sendable {
        var busy: Int
        /// Pages in the log, and how many of them are now in the database.
        var log: Int
        var checkpointed: Int
    }

    /// One passive checkpoint on the background connection; nil while a long job holds the
    /// checkpoints paused (`WALCheckpoints.paused`), or where there is no log.
    @discardableResult
    static func checkpoint(_ app: Application) async throws -> Outcome? {
        guard case .sqlite = app.settings.database, app.walCheckpointPauses.withLockedValue({ $0 }) == 0 else { return nil }
        let db = app.backgroundReaders?.database(for: .sweep, logger: app.logger) { app.db } ?? app.db
        return try await db.withConnection { conn in
            guard let sql = conn as? any SQLDatabase else { return nil }
            return try await walCheckpoint("PASSIVE", on: sql)
        }
    }

    /// `PRAGMA wal_checkpoint(mode)` on one connection. A connection that has read nothing since
    /// the database turned to WAL does not know the log yet and answers -1 having done nothing
    /// (a test met it under load, when the pool handed out such a connection): it reads once, and
    /// asks again.
    static func walCheckpoint(_ mode: String, on sql: any SQLDatabase) async throws -> Outcome? {
        let outcome = try await sql.raw("PRAGMA wal_checkpoint(\(unsafeRaw: mode))").first(decoding: Outcome.self)
        guard outcome?.log == -1 else { return outcome }
        _ = try await sql.raw("SELECT 1 FROM sqlite_master LIMIT 1").all()
        return try await sql.raw("PRAGMA wal_checkpoint(\(unsafeRaw: mode))").first(decoding: Outcome.self)
    }
}

struct WALCheckpointerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsBackgroundJobs, case .sqlite(let path) = app.settings.database, !path.isEmpty else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(
            initialDelay: WALCheckpointer.interval, delay: WALCheckpointer.interval
        ) {
            _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do {
                    try await WALCheckpointer.checkpoint(app)
                } catch {
                    app.logger.warning("checkpoint failed: \(error)")
                }
            }
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}

extension Application {
    private struct WriterPagesKey: StorageKey { typealias Value = NIOLockedValueBox<Int> }

    /// The writer's `wal_autocheckpoint` outside a pause: 1,000 (SQLite's default), or 0 once the
    /// checkpointer has taken the checkpoints over.
    var walWriterPages: NIOLockedValueBox<Int> {
        if let n = storage[WriterPagesKey.self] { return n }
        let n = NIOLockedValueBox(WALCheckpointer.automaticPages)
        storage[WriterPagesKey.self] = n
        return n
    }
}
