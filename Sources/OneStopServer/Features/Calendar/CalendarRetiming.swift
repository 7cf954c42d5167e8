import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import OneStopCore
import SQLKit
import Vapor

/// 因日历调整重新计时 — after a day of a calendar changed, every open clock of every center that
/// inherits the day is laid again on the new calendar (DOMAIN.md §4): promised and legal deadlines
/// from their start, stops and extensions; the deadline of a special procedure under way; the
/// acceptance and delivery steps; co-departments' tasks. Supervision's next looks are queued
/// again, warnings the old calendar raised and the new one would not are withdrawn with the
/// reason, the case timeline records each change, and the applicant is told when the promised
/// date moves. Closed cases and notices already issued are never touched.
///
/// A change queues a job (`calendar_retimings`) in its own transaction; a worker on one instance
/// claims it and runs it a batch at a time, each batch one audited transaction through the group
/// commit, so the hall's writes go on between batches. A job is idempotent: one interrupted by a
/// restart is claimed again (its heartbeat stops) and runs from the start, finding the clocks it
/// already re-timed unchanged. Plain SQL: a job may touch 100,000 cases.
enum CalendarRetiming {
    static let batchSize = 2000
    static let sampleSize = 200

    /// Queues a job inside the caller's transaction.
    static func queue(
        scope: String, centerID: UUID?, cause: String, changes: [RetimingChange], actor: String, now: Date, on db: any Database
    ) async throws -> UUID {
        let job = CalendarRetimingModel(scope: scope, centerID: centerID, cause: cause, changes: changes, actor: actor)
        job.createdAt = HallClock.millis(now)
        try await job.create(on: db)
        return job.id!
    }

    /// Runs every job waiting, and any whose worker stopped, oldest first. Returns how many ran.
    @discardableResult
    static func runPending(app: Application, now: @escaping @Sendable () -> Date) async throws -> Int {
        var ran = 0
        while let job = try await claim(app: app, now: now()) {
            do {
                try await run(job, app: app, now: now)
            } catch {
                app.logger.error("calendar re-timing \(job.id?.uuidString ?? "") failed: \(error)")
                let message = String(describing: error).prefix(500)
                _ = try? await app.groupCommit.run(actor: "system", now: now()) { db -> (Void, [AuditEvent]) in
                    guard let sql = db as? any SQLDatabase else { return ((), []) }
                    try await sql.raw("DELETE FROM calendar_retiming_groups WHERE job_id = \(sql.bind(id: job.id!))").run()
                    try await sql.raw(
                        "UPDATE calendar_retimings SET status = 'failed', error = \(bind: String(message)), finished_at = \(bind: HallClock.millis(now())) WHERE id = \(sql.bind(id: job.id!))"
                    ).run()
                    return ((), [AuditEvent("calendar.retimeFailed", "calendar_retiming", id: job.id, center: job.centerID)])
                }
            }
            ran += 1
        }
        return ran
    }

    /// Takes the oldest job waiting, or one whose worker has not been heard of for a minute.
    private static func claim(app: Application, now: Date) async throws -> CalendarRetimingModel? {
        let millis = HallClock.millis(now)
        let candidates = try await CalendarRetimingModel.query(on: app.reader(for: .retiming)).group(.or) {
            $0.filter(\.$status == "pending").group(.and) {
                $0.filter(\.$status == "running").filter(\.$heartbeatAt < millis - 60_000)
            }
        }.sort(\.$createdAt).limit(5).all()
        for job in candidates {
            let claimed = try await app.groupCommit.run(actor: "system", now: now) { db -> (Bool, [AuditEvent]) in
                guard let sql = db as? any SQLDatabase else { return (false, []) }
                struct Row: Decodable { var id: UUID }
                let rows = try await sql.raw(
                    """
                    UPDATE calendar_retimings SET status = 'running', started_at = COALESCE(started_at, \(bind: millis)),
                    heartbeat_at = \(bind: millis)
                    WHERE id = \(sql.bind(id: job.id!)) AND (status = 'pending' OR (status = 'running' AND heartbeat_at < \(bind: millis - 60_000)))
                    RETURNING id
                    """
                ).all()
                return (!rows.isEmpty, [])
            }
            if claimed { return job }
        }
        return nil
    }

    /// The calendars before and after the change, for each center whose calendar it changed.
    struct Calendars {
        var old: WorkCalendar
        var new: WorkCalendar
    }

    static func run(_ job: CalendarRetimingModel, app: Application, now: @escaping @Sendable () -> Date) async throws {
        let changes = job.changeList
        guard let first = changes.map(\.date).min(), let last = changes.map(\.date).max() else {
            try await finish(job, app: app, now: now())
            return
        }
        let reader = app.reader(for: .retiming)
        let tree = try await CenterTree.load(on: reader)
        let reach = job.centerID.map { tree.subtree($0) } ?? Set(tree.nodes.keys)
        var calendars: [UUID: Calendars] = [:]
        let names = Dictionary(changes.map { ($0.date, "") }, uniquingKeysWith: { a, _ in a })
        for center in reach {
            let layers = try await app.calendars.layers(for: center, on: reader)
            let old = layers.before(job.scope, changes, names: names)
            let new = layers.calendar
            let differs = changes.contains { c in
                guard let d = CivilDate(c.date) else { return false }
                return old.isWorkingDay(d) != new.isWorkingDay(d)
            }
            if differs { calendars[center] = Calendars(old: old, new: new) }
        }
        if calendars.isEmpty {
            try await finish(job, app: app, now: now())
            return
        }
        let today = HallClock.day(now()).description
        // A change on a day already passed also moves how far overdue a clock is.
        let lowest = first <= today ? "0000-00-00" : first
        let within = job.centerID == nil ? nil : Set(calendars.keys)
        let work = RetimingWork(job: job, calendars: calendars, app: app)
        let started = ContinuousClock.now
        func took() -> String {
            let d = (ContinuousClock.now - started).components
            return String(format: "%.2f s", Double(d.seconds) + Double(d.attoseconds) / 1e18)
        }
        // The common clocks in groups, written slice by slice; the others case by case.
        let slices = try await work.plan(lowest: lowest, last: last, centers: within, now: now())
        // The others before the slices change the groups' dates (their cases would then match
        // no group); one that moves meanwhile is left out when written.
        let ids = try await candidates(lowest: lowest, last: last, centers: within, work: work, on: reader)
        app.logger.info("calendar re-timing \(job.id!): \(slices.count) slices and \(ids.count) cases one by one, planned in \(took())")
        // The log is copied back into the database once the job is done (and seen done).
        try await WALCheckpoints.paused(app, reader: reader, now: now) {
            for slice in slices { try await work.fast(slice, lowest: lowest, last: last, now: now()) }
            for start in stride(from: 0, to: ids.count, by: batchSize) {
                try await work.cases(Array(ids[start..<min(start + batchSize, ids.count)]), now: now())
            }
            try await work.tasks(lowest: lowest, last: last, centers: within, now: now)
            try await finish(job, app: app, now: now())
            app.logger.info("calendar re-timing \(job.id!) done in \(took())")
        }
    }

    /// The open timed cases with a legal deadline on or after `lowest`, received by `last`, as `c`.
    static func candidateFilter(lowest: String, last: String, centers: Set<UUID>?, sql: any SQLDatabase) -> SQLQueryString {
        let within: SQLQueryString = centers.map { "AND c.center_id IN \(sql.idList($0))" } ?? ""
        return """
            c.legal_due >= \(bind: lowest) AND c.received_on <= \(bind: last)
            AND c.state NOT IN ('delivered', 'refused', 'withdrawn', 'terminated') AND c.case_type <> 'immediate' \(within)
            """
    }

    /// The open cases whose clocks may span the changed days, by id, but those of `work`'s fast
    /// groups (written slice by slice).
    private static func candidates(
        lowest: String, last: String, centers: Set<UUID>?, work: RetimingWork, on db: any Database
    ) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let within: SQLQueryString = centers.map { "AND c.center_id IN \(sql.idList($0))" } ?? ""
        // Timed clocks by their legal deadline (indexed), and those without one yet: not accepted,
        // stopped, or in a special procedure.
        let lookBack = CivilDate(last).map { $0.adding(days: -60).description } ?? last
        var ids: [UUID] = []
        for query: SQLQueryString in [
            """
            SELECT c.id FROM cases c WHERE \(candidateFilter(lowest: lowest, last: last, centers: centers, sql: sql))
            AND NOT (\(RetimingWork.plainClock) AND EXISTS (SELECT 1 FROM calendar_retiming_groups m WHERE \(RetimingWork.groupMatch(sql, job: work.job.id!))
            AND m.fast = 1))
            """,
            """
            SELECT c.id FROM cases c WHERE c.legal_due IS NULL AND c.received_on <= \(bind: last)
            AND c.state NOT IN ('delivered', 'refused', 'withdrawn', 'terminated') AND c.case_type <> 'immediate' \(within)
            AND (c.state <> 'submitted' OR c.received_on >= \(bind: lookBack))
            """,
        ] {
            ids += try await sql.raw(query).all().map { try $0.id("id", text: sql.textIDs) }
        }
        return Array(Set(ids)).sorted { $0.text < $1.text }
    }

    private static func finish(_ job: CalendarRetimingModel, app: Application, now: Date) async throws {
        let millis = HallClock.millis(now)
        try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
            guard let sql = db as? any SQLDatabase else { return ((), []) }
            try await sql.raw("DELETE FROM calendar_retiming_groups WHERE job_id = \(sql.bind(id: job.id!))").run()
            try await sql.raw(
                "UPDATE calendar_retimings SET status = 'done', finished_at = \(bind: millis), heartbeat_at = \(bind: millis) WHERE id = \(sql.bind(id: job.id!))"
            ).run()
            return ((), [AuditEvent("calendar.retimed", "calendar_retiming", id: job.id, center: job.centerID)])
        }
    }
}

/// Runs re-timing jobs on this instance: at once after a change on it, and every 30 s for jobs
/// queued elsewhere or left by a stopped worker.
final class CalendarRetimer: Sendable {
    private let state = NIOLockedValueBox<(running: Bool, again: Bool)>((false, false))

    func kick(_ app: Application) {
        guard app.runsBackgroundJobs else { return }
        let start = state.withLockedValue { s -> Bool in
            if s.running {
                s.again = true
                return false
            }
            s.running = true
            return true
        }
        guard start else { return }
        Task {
            while true {
                do {
                    try await CalendarRetiming.runPending(app: app, now: { app.clock.now() })
                } catch {
                    app.logger.warning("calendar re-timing: \(error)")
                }
                let again = state.withLockedValue { s -> Bool in
                    if s.again {
                        s.again = false
                        return true
                    }
                    s.running = false
                    return false
                }
                if !again { return }
            }
        }
    }
}

struct CalendarRetimingLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsBackgroundJobs else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedTask(initialDelay: .seconds(3), delay: .seconds(30)) { _ in
            app.calendarRetimer.kick(app)
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}

extension Application {
    private struct RetimerKey: StorageKey { typealias Value = CalendarRetimer }

    var calendarRetimer: CalendarRetimer {
        if let r = storage[RetimerKey.self] { return r }
        let r = CalendarRetimer()
        storage[RetimerKey.self] = r
        return r
    }
}
