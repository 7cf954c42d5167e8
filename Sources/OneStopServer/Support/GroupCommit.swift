import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Group commit for audited writes: the changes that arrive while a transaction commits wait,
/// then go together in the next one, each inside its own savepoint.
///
/// A commit costs a disk sync; a queue action costs a fraction of a millisecond of SQL. Run one
/// transaction per action and a hall of 100 windows waits on the disk; run the actions that are
/// waiting together and each still commits atomically with its audit entries, but the sync is
/// shared. An action that fails rolls back to its savepoint and its caller gets the error; the
/// others are unaffected. A caller hears of success only after the commit.
final class GroupCommit: Sendable {
    private struct Job: Sendable {
        var actor: String
        var millis: Int64
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

    init(gate: WriteGate, maxBatch: Int = 200, database: @escaping @Sendable () -> any Database) {
        self.gate = gate
        self.maxBatch = maxBatch
        self.database = database
    }

    func run<T: Sendable>(
        actor: String, now: Date, _ body: @escaping @Sendable (any Database) async throws -> (T, [AuditEvent])
    ) async throws -> T {
        let box = NIOLockedValueBox<T?>(nil)
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let job = Job(
                actor: actor, millis: millis,
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
            if start { Task { await self.drain() } }
        }
        guard let value = box.withLockedValue({ $0 }) else { throw Abort(.internalServerError) }
        return value
    }

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
        var pending = batch
        var careful = false
        while !pending.isEmpty {
            let outcome = await attempt(pending, savepoints: careful && pending.count > 1)
            switch outcome {
            case .committed(let failed):
                for (i, job) in pending.enumerated() where !failed.contains(i) { job.done(.success(())) }
                return
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
        /// Nothing committed; the jobs at these indexes had already been answered.
        case failed(any Error, answered: Set<Int>)
    }

    private struct JobFailed: Error {
        var index: Int
        var error: any Error
    }

    private func attempt(_ batch: [Job], savepoints: Bool) async -> Outcome {
        let failed = NIOLockedValueBox<Set<Int>>([])
        do {
            try await gate.withGate {
                try await database().transaction { tx in
                    guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
                    let head = try await AuditedWrite.lockHead(tx)
                    var entries: [(Int, AuditEvent)] = []
                    for (i, job) in batch.enumerated() {
                        if !savepoints {
                            do {
                                entries += try await job.run(tx).map { (i, $0) }
                            } catch {
                                throw JobFailed(index: i, error: error)
                            }
                            continue
                        }
                        try await sql.raw("SAVEPOINT onestop_job").run()
                        do {
                            let events = try await job.run(tx)
                            try await sql.raw("RELEASE SAVEPOINT onestop_job").run()
                            entries += events.map { (i, $0) }
                        } catch {
                            try await sql.raw("ROLLBACK TO SAVEPOINT onestop_job").run()
                            try await sql.raw("RELEASE SAVEPOINT onestop_job").run()
                            failed.withLockedValue { _ = $0.insert(i) }
                            job.done(.failure(error))
                        }
                    }
                    try await AuditedWrite.append(
                        entries.map { (batch[$0.0].actor, batch[$0.0].millis, $0.1) }, after: head, on: tx)
                }
            }
        } catch let f as JobFailed {
            return .jobFailed(f.index, f.error)
        } catch {
            return .failed(error, answered: failed.withLockedValue { $0 })
        }
        return .committed(failed: failed.withLockedValue { $0 })
    }
}
