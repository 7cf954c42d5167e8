import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// State that the jobs of one batch share: read together before them, written together after
/// them, inside the batch's transaction (the hall's `HallBatch`). A job that declared no needs does
/// not use it, so it is written out and forgotten before and after such a job.
protocol BatchState: AnyObject, Sendable {
    /// Reads what the batch's jobs declared they need.
    func prefetch(_ needs: [any Sendable], on db: any Database) async throws
    /// Writes out what the jobs changed so far.
    func flush(on db: any Database) async throws
    /// Forgets everything read, so that the next job reads the database afresh.
    func forget()
    var isEmpty: Bool { get }
    func snapshot() -> any Sendable
    func restore(_ snapshot: any Sendable)
    /// Runs a job with the state at hand.
    func run<T>(_ body: () async throws -> T) async throws -> T
}

/// Group commit for audited writes: the changes that arrive while a transaction commits wait,
/// then go together in the next one.
///
/// A commit costs a disk sync; a queue action costs a fraction of a millisecond of SQL. Run one
/// transaction per action and a hall of 100 windows waits on the disk; run the actions that are
/// waiting together and each still commits atomically with its audit entries, but the sync is
/// shared. A batch first runs without savepoints; when an action fails, its caller gets the error
/// and the others run again in a new transaction, each inside its own savepoint, so that a second
/// failure touches nobody else. A caller hears of success only after the commit. Batches run on
/// the `CommitLane` when there is one.
final class GroupCommit: Sendable {
    private struct Job: Sendable {
        var actor: String
        var millis: Int64
        /// What the job will read through the batch state; nil: it does not use it.
        var needs: (any Sendable)?
        /// Whether its new rows may wait in the batch's `RowBuffer`.
        var defers: Bool
        var run: @Sendable (any Database) async throws -> [AuditEvent]
        var done: @Sendable (Result<Void, any Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var running = false
    }

    private let state = NIOLockedValueBox(State())
    private let database: @Sendable () -> any Database
    private let gate: WriteGate
    private let maxBatch: Int
    private let makeState: @Sendable () -> any BatchState
    private let lane: LaneExecutor?

    init(
        gate: WriteGate, maxBatch: Int = 200, lane: LaneExecutor? = nil, state: @escaping @Sendable () -> any BatchState,
        database: @escaping @Sendable () -> any Database
    ) {
        self.gate = gate
        self.lane = lane
        self.maxBatch = maxBatch
        self.makeState = state
        self.database = database
    }

    /// Runs `body` in the next batch. `needs` declares what it reads through the batch state.
    func run<T: Sendable>(
        actor: String, now: Date, needs: (any Sendable)? = nil, defers: Bool = false,
        _ body: @escaping @Sendable (any Database) async throws -> (T, [AuditEvent])
    ) async throws -> T {
        let box = NIOLockedValueBox<T?>(nil)
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let job = Job(
                actor: actor, millis: millis, needs: needs, defers: defers,
                run: { db in
                    let (value, events) = try await body(db)
                    box.withLockedValue { $0 = value }
                    return events
                }, done: { c.resume(with: $0) })
            let start = state.withLockedValue { s -> Bool in
                s.jobs.append(job)
                if s.running { return false }
                s.running = true
                return true
            }
            if start { Task(executorPreference: lane) { await self.drain() } }
        }
        guard let value = box.withLockedValue({ $0 }) else { throw Abort(.internalServerError) }
        return value
    }

    /// Jobs waiting for the next batch (tests wait on it).
    var waiting: Int { state.withLockedValue { $0.jobs.count } }

    private func drain() async {
        while true {
            let batch = state.withLockedValue { s -> [Job] in
                let n = min(s.jobs.count, maxBatch)
                let out = Array(s.jobs.prefix(n))
                s.jobs.removeFirst(n)
                if out.isEmpty { s.running = false }
                return out
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    /// Runs a batch in one transaction. First without savepoints (each costs two statements per
    /// job): if a job fails, the transaction rolls back, its caller gets the error, and the rest
    /// run again, this time each inside its own savepoint, so a second failure costs no more.
    private func commit(_ batch: [Job]) async {
        // The jobs that declared their needs first, then the others. Each of those writes out and
        // forgets the batch state, and every job after it would read what it needs again, one
        // statement at a time on the writer (the hall's sweep, every 20 s, lands in the middle of
        // a batch of window actions). Jobs of one batch arrived together, and none has been
        // answered: their order among themselves is free.
        var pending = batch.filter { $0.needs != nil } + batch.filter { $0.needs == nil }
        var careful = false
        while !pending.isEmpty {
            let outcome = await attempt(pending, savepoints: careful && pending.count > 1)
            switch outcome {
            case .committed(let failed):
                for (i, job) in pending.enumerated() where !failed.contains(i) { job.done(.success(())) }
                return
            case .retryCarefully:
                careful = true
            case .jobFailed(let i, let error):
                pending[i].done(.failure(error))
                pending.remove(at: i)
                careful = true
            case .failed(let error, let answered):
                // Nothing of this batch was committed: every caller not yet answered hears the error.
                for (i, job) in pending.enumerated() where !answered.contains(i) { job.done(.failure(error)) }
                return
            }
        }
    }

    private enum Outcome {
        /// Committed; the jobs at these indexes failed alone (savepoints) and were answered.
        case committed(failed: Set<Int>)
        /// Without savepoints, the job at this index failed and the whole transaction rolled back.
        case jobFailed(Int, any Error)
        /// Nothing committed, nobody answered: run again, each job in its own savepoint.
        case retryCarefully
        /// Nothing committed; the jobs at these indexes had already been answered.
        case failed(any Error, answered: Set<Int>)
    }

    private struct JobFailed: Error {
        var index: Int
        var error: any Error
    }

    /// The database refused the batch's shared writes: which job's, only a careful run can tell.
    private struct FlushFailed: Error { var error: any Error }

    private static func flush(_ shared: any BatchState, on db: any Database) async throws {
        do {
            try await shared.flush(on: db)
        } catch {
            throw FlushFailed(error: error)
        }
    }

    private static func flush(_ rows: RowBuffer, on db: any Database) async throws {
        guard !rows.isEmpty else { return }
        do {
            try await rows.flush(on: db)
        } catch {
            throw FlushFailed(error: error)
        }
    }

    private func attempt(_ batch: [Job], savepoints: Bool) async -> Outcome {
        let failed = NIOLockedValueBox<Set<Int>>([])
        let shared = makeState()
        let rows = RowBuffer()
        do {
            try await gate.withGate {
                try await database().transaction { tx in
                    // Fluent runs the transaction's body in a task of its own, which does not keep
                    // the lane: ask for it again.
                    try await withTaskExecutorPreference(self.lane) {
                        guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
                        let head = try await AuditedWrite.lockHead(tx)
                        try await shared.prefetch(batch.compactMap(\.needs), on: tx)
                        var entries: [(Int, AuditEvent)] = []
                        for (i, job) in batch.enumerated() {
                            // Kept rows go out before a job that keeps none may read or refer to them.
                            if !job.defers { try await Self.flush(rows, on: tx) }
                            let buffer = job.defers ? rows : nil
                            let alone = job.needs == nil
                            if alone, !shared.isEmpty {
                                try await Self.flush(shared, on: tx)
                                shared.forget()
                            }
                            if !savepoints {
                                do {
                                    entries += try await shared.run {
                                        try await RowBuffer.$current.withValue(buffer) { try await job.run(tx) }
                                    }.map { (i, $0) }
                                } catch {
                                    throw JobFailed(index: i, error: error)
                                }
                                if alone {
                                    try await Self.flush(shared, on: tx)
                                    shared.forget()
                                }
                                continue
                            }
                            // Carefully: each job's writes go out inside its own savepoint, so that
                            // a write the database refuses fails that job alone.
                            try await sql.raw("SAVEPOINT onestop_job").run()
                            let before = shared.snapshot()
                            do {
                                let events = try await shared.run {
                                    try await RowBuffer.$current.withValue(buffer) { try await job.run(tx) }
                                }
                                try await shared.flush(on: tx)
                                try await rows.flush(on: tx)
                                try await sql.raw("RELEASE SAVEPOINT onestop_job").run()
                                entries += events.map { (i, $0) }
                            } catch {
                                try await sql.raw("ROLLBACK TO SAVEPOINT onestop_job").run()
                                try await sql.raw("RELEASE SAVEPOINT onestop_job").run()
                                shared.restore(before)
                                rows.discard()
                                failed.withLockedValue { _ = $0.insert(i) }
                                job.done(.failure(error))
                            }
                            if alone { shared.forget() }
                        }
                        try await Self.flush(rows, on: tx)
                        try await Self.flush(shared, on: tx)
                        try await AuditedWrite.append(
                            entries.map { (batch[$0.0].actor, batch[$0.0].millis, $0.1) }, after: head, on: tx)
                    }
                }
            }
        } catch let f as FlushFailed {
            return savepoints || batch.count == 1 ? .failed(f.error, answered: failed.withLockedValue { $0 }) : .retryCarefully
        } catch let f as JobFailed {
            return .jobFailed(f.index, f.error)
        } catch {
            return .failed(error, answered: failed.withLockedValue { $0 })
        }
        return .committed(failed: failed.withLockedValue { $0 })
    }
}
