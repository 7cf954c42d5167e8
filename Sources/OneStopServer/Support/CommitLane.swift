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
    /// The writer's databases, on `loop`; nil for an in-memory SQLite database (a second
    /// connection to it would be a different, empty database).
    let databases: Databases?

    init(writer: DatabaseConfigurationFactory?) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        loop = group.next()
        executor = LaneExecutor(loop: loop)
        if let writer {
            let dbs = Databases(threadPool: threadPool, on: group)
            dbs.use(writer, as: .writer)
            databases = dbs
        } else {
            databases = nil
        }
    }

    /// The writer's database on the lane, or `fallback`.
    func database(logger: Logger, fallback: @Sendable () -> any Database) -> any Database {
        databases?.database(.writer, logger: logger, on: loop) ?? fallback()
    }

    func shutdown() async {
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
