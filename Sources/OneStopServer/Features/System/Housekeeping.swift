import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// The periodic chores that keep the tables from growing without end: expired browser sessions
/// and API tokens are deleted. Each pass that deletes something is one audit entry with its counts.
enum Housekeeping {
    /// How often the server runs a pass.
    static let interval: TimeAmount = .minutes(10)
    /// An anonymous session (a form token only) is kept this long after its last write: its
    /// cookie is renewed on every visit, but its row is written only when it changes.
    static let anonymousSeconds: Double = 24 * 3600

    struct Outcome: Equatable, Sendable {
        var sessions = 0
        var tokens = 0
    }

    static func run(app: Application, now: Date) async throws -> Outcome {
        let db = app.db
        guard let sql = db as? any SQLDatabase else { return Outcome() }
        let t = now.timeIntervalSince1970
        let idle = t - Double(app.settings.sessionIdleMinutes * 60)
        let expired: SQLQueryString =
            "(signed_in = \(bind: true) AND touched_at < \(bind: idle)) OR touched_at < \(bind: t - anonymousSeconds)"
        func count(_ query: SQLQueryString) async throws -> Int {
            try await sql.raw(query).first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
        }
        var o = Outcome()
        o.sessions = try await count("SELECT COUNT(*) AS n FROM _fluent_sessions WHERE \(expired)")
        o.tokens = try await APITokenModel.query(on: db).filter(\.$expiresAt < t).count()
        guard o != Outcome() else { return o }
        let outcome = o
        try await AuditedWrite.run(on: db, gate: app.writeGate, actor: "system", now: now) { tx in
            guard let sql = tx as? any SQLDatabase else { return ((), []) }
            try await sql.raw("DELETE FROM _fluent_sessions WHERE \(expired)").run()
            try await APITokenModel.query(on: tx).filter(\.$expiresAt < t).delete()
            let detail = ["sessions": String(outcome.sessions), "tokens": String(outcome.tokens)]
            return ((), [AuditEvent("housekeeping.purge", "system", id: nil, center: nil, detail: detail)])
        }
        return o
    }
}

/// Runs housekeeping on a timer while the server runs (not in tests, which call it themselves).
struct HousekeepingLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsBackgroundJobs else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(60), delay: Housekeeping.interval) {
            _ in
            app.eventLoopGroup.next().makeFutureWithTask { await Self.round(app) }
        }
    }

    /// A step that takes longer than this is logged with its time: the hall's writes wait on
    /// those that write.
    static let slowStep: Duration = .milliseconds(250)

    /// One round of the chores, one after another; a failure of one does not stop the others.
    static func round(_ app: Application) async {
        func step(_ name: String, failure: Logger.Level = .warning, _ body: () async throws -> Void) async {
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try await body()
            } catch {
                app.logger.log(level: failure, "\(name) failed: \(error)")
            }
            let took = clock.now - start
            if took > slowStep {
                app.logger.warning("housekeeping: \(name) took \(Int(took / .milliseconds(1))) ms")
            }
        }
        await step("housekeeping") { _ = try await Housekeeping.run(app: app, now: app.clock.now()) }
        await step("retention") {
            let erased = try await CaseRetention.run(app: app, now: app.clock.now())
            if erased.cases > 0 {
                app.logger.notice("retention: erased the personal data of \(erased.cases) closed cases, \(erased.applicants) applicants")
            }
        }
        await step("brand watch") {
            let watched = try await BrandFigures.watch(app: app, now: app.clock.now())
            if watched.reviewed > 0 { app.logger.notice("\(watched.reviewed) named brands put under review") }
        }
        await step("brand report reminders") {
            let reminded = try await BrandReportService.remind(app: app, now: app.clock.now())
            if reminded > 0 { app.logger.notice("reminded \(reminded) brands of missing weekly reports") }
        }
        await step("statistics") { try await SQLiteStatistics.refresh(app, now: app.clock.now()) }
        await step("scheduled backup", failure: .error) {
            if let made = try await Backups.scheduled(app, now: app.clock.now()) {
                app.logger.notice("scheduled backup written to \(made.file) (\(made.bytes) bytes) and checked")
            }
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}
