import Fluent
import Foundation
import NIOCore
import NIOPosix
import Vapor

/// Connections of their own for the long reads of background jobs.
///
/// A job that reads for seconds — the supervision sweep's day of looks, a calendar re-timing's
/// hundred thousand cases — on the request pool holds one of its connections (on SQLite the only
/// one of its event loop) the whole time, and every request on that loop waits for it: the
/// re-timing benchmark's first run saw call-next time out. Here each kind of job has an event loop,
/// a SQLite thread and a connection of its own, so it never takes a connection a request needs.
final class BackgroundReaders: Sendable {
    enum Job: Int, CaseIterable, Sendable {
        case sweep = 0
        case retiming = 1
    }

    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let loops: [any EventLoop]
    /// Nil for an in-memory SQLite database (another connection to it would be another database).
    private let databases: Databases?

    init(configuration: DatabaseConfigurationFactory?) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: Job.allCases.count)
        threadPool = NIOThreadPool(numberOfThreads: Job.allCases.count)
        threadPool.start()
        loops = Array(group.makeIterator())
        if let configuration {
            let dbs = Databases(threadPool: threadPool, on: group)
            dbs.use(configuration, as: .background)
            databases = dbs
        } else {
            databases = nil
        }
    }

    /// The job's own reader, or `fallback` where there is none.
    func database(for job: Job, logger: Logger, fallback: @Sendable () -> any Database) -> any Database {
        databases?.database(.background, logger: logger, on: loops[job.rawValue]) ?? fallback()
    }

    func shutdown() async {
        await databases?.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}

struct BackgroundReadersLifecycle: LifecycleHandler {
    let readers: BackgroundReaders

    func shutdownAsync(_ application: Application) async {
        await readers.shutdown()
    }
}

extension DatabaseID {
    /// The background jobs' readers (see `BackgroundReaders`).
    static let background = DatabaseID(string: "background")
}

extension Application {
    private struct BackgroundReadersKey: StorageKey { typealias Value = BackgroundReaders }

    var backgroundReaders: BackgroundReaders? {
        get { storage[BackgroundReadersKey.self] }
        set { storage[BackgroundReadersKey.self] = newValue }
    }

    /// The reader a background job reads with: its own connection, or the request pool's where
    /// the database has no second connection (in memory).
    func reader(for job: BackgroundReaders.Job) -> any Database {
        backgroundReaders?.database(for: job, logger: logger) { self.db } ?? db
    }
}
