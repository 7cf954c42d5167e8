import Fluent
import Foundation
import NIOCore
import NIOPosix
import Vapor

/// A thread of its own for the group commit: an event loop that serves no HTTP, the writer's
/// database connections on it, and a task executor that keeps the commit's code there.
///
/// Only one batch is written at a time, so every wait inside a batch — a statement's answer, the
/// commit — is waited by everybody. On the server's own event loops each of those waits also
/// queues behind whatever HTTP work the loop has: the hall-day benchmark measured 1–4 ms per
/// statement there, and a batch of 65 actions took 45 ms although its SQL needed a few. On a loop
/// of its own the answer is picked up at once.
final class CommitLane: Sendable {
    let group: MultiThreadedEventLoopGroup
    /// SQLite runs each statement on a thread pool; the writer's get a thread of their own rather
    /// than queueing behind every request's reads.
    let threadPool: NIOThreadPool
    let loop: any EventLoop
    let executor: LaneExecutor
    /// The writer's databases, on `loop` (PostgreSQL); nil for SQLite, and for an in-memory
    /// SQLite database (a second connection to it would be a different, empty database).
    let databases: Databases?
    /// The writer's own connection to an SQLite file (see `LaneSQLite`).
    let sqlite: LaneSQLite?
    private let sqliteConfiguration: (any DatabaseConfiguration)?

    enum Writer {
        case sqlite(path: String)
        case other(DatabaseConfigurationFactory)
    }

    init(writer: Writer?) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        loop = group.next()
        executor = LaneExecutor(loop: loop)
        switch writer {
        case .sqlite(let path):
            sqlite = LaneSQLite(path: path)
            sqliteConfiguration = DatabaseConfigurationFactory.sqlite(.file(path)).make()
            databases = nil
        case .other(let factory):
            let dbs = Databases(threadPool: threadPool, on: group)
            dbs.use(factory, as: .writer)
            databases = dbs
            sqlite = nil
            sqliteConfiguration = nil
        case nil:
            databases = nil
            sqlite = nil
            sqliteConfiguration = nil
        }
    }

    /// The writer's database on the lane, or `fallback`.
    func database(logger: Logger, fallback: @Sendable () -> any Database) -> any Database {
        if let sqlite, let sqliteConfiguration {
            return LaneSQLiteDatabase(
                connection: sqlite, context: DatabaseContext(configuration: sqliteConfiguration, logger: logger, eventLoop: loop),
                inTransaction: false)
        }
        return databases?.database(.writer, logger: logger, on: loop) ?? fallback()
    }

    func shutdown() async {
        sqlite?.close()
        await databases?.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}

/// Runs a task's jobs on the lane's event loop (Swift's task executor preference), so that code
/// the commit calls — Fluent, SQLKit, the actions' own closures — continues there after each await.
final class LaneExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

struct CommitLaneLifecycle: LifecycleHandler {
    let lane: CommitLane

    func shutdownAsync(_ application: Application) async {
        await lane.shutdown()
    }
}

extension DatabaseID {
    /// The group commit's own connections (see `CommitLane`).
    static let writer = DatabaseID(string: "writer")
}
