import Fluent
import Foundation
import NIOCore
import OneStopCore
import SQLKit
import Vapor

/// The supervision sweep: every 5 minutes, every case and task due a look today, and nothing else.
extension Supervision {
    /// Reviews every case due a look today and nothing else, a batch at a time, each batch one
    /// audited transaction: the day's looks are read from the queue as one range, the cases
    /// decided in memory from their stored due dates, and written back only where their level or
    /// reminder changed (one UPDATE per distinct new state); the range is deleted and each case's
    /// next look queued on its new day. While one batch is written, the next is read and decided.
    /// Returns how many cases it looked at.
    @discardableResult
    static func sweep(app: Application, now: Date, batch: Int = 5000) async throws -> Int {
        // An in-memory database has one connection, which the writes need too.
        if app.settings.database == .sqliteMemory {
            return try await sweepCases(app: app, reader: app.db, now: now, batch: batch)
                + (try await sweepTasks(app: app, now: now, batch: batch)) + (try await sweepRatings(app: app, now: now))
                + (try await sweepWorkOrders(app: app, now: now))
        }
        let looked = try await app.reader(for: .sweep).withConnection { db in
            guard let sql = db as? any SQLDatabase, sql.textIDs else {
                return try await sweepCases(app: app, reader: db, now: now, batch: batch)
            }
            // One reader for the whole sweep, with room to keep the pages it reads (SQLite keeps
            // 2 MB per connection by default; a day's cases of a large center are scattered).
            try await sql.raw("PRAGMA cache_size = -131072").run()
            // The writer copies the log back into the database once, after the sweep.
            return try await WALCheckpoints.paused(app, reader: db, now: { now }) {
                try await sweepCases(app: app, reader: db, now: now, batch: batch)
            }
        }
        return looked + (try await sweepTasks(app: app, now: now, batch: batch)) + (try await sweepRatings(app: app, now: now))
            + (try await sweepWorkOrders(app: app, now: now))
    }

    private static func sweepCases(app: Application, reader: any Database, now: Date, batch: Int) async throws -> Int {
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        guard let sql = reader as? any SQLDatabase else { return 0 }
        var looked = 0
        var calendars: [UUID: WorkCalendar] = [:]
        var thresholds: [UUID: SupervisionThresholds] = [:]
        struct Key {
            var day: String
            var caseID: UUID
        }
        let textIDs = sql.dialect.name == "sqlite"
        // A case queued twice for days gone by is looked at once.
        var seen = Set<UUID>()
        var after: Key?
        var writing: Task<Void, any Error>?
        while true {
            let range: SQLQueryString =
                after.map { "AND (day > \(bind: $0.day) OR (day = \(bind: $0.day) AND case_id > \(sql.bind(id: $0.caseID))))" } ?? ""
            let keys = try await sql.raw(
                """
                SELECT day, case_id FROM supervision_queue WHERE day <= \(bind: today.description) \(range)
                ORDER BY day, case_id LIMIT \(unsafeRaw: String(batch))
                """
            ).all().map { Key(day: try $0.decode(column: "day", as: String.self), caseID: try $0.id("case_id", text: textIDs)) }
            guard let last = keys.last else { break }
            after = last
            let ids = Array(Set(keys.map(\.caseID))).filter { seen.insert($0).inserted }
            var due: [Look] = []
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = sql.idList(ids[start..<min(start + 500, ids.count)])
                due += try await sql.raw("SELECT \(unsafeRaw: Look.columns.joined(separator: ", ")) FROM cases WHERE id IN \(chunk)").all()
                    .map { try Look(row: $0, textIDs: textIDs) }
            }
            for c in due where calendars[c.centerID] == nil {
                calendars[c.centerID] = try await app.calendars.calendar(for: c.centerID, on: reader)
            }
            for c in due where thresholds[c.itemID] == nil { thresholds[c.itemID] = try await Self.thresholds(item: c.itemID, on: reader) }
            var effects = Effects()
            var changes: [String: (level: String, reminded: Int?, cases: [(id: UUID, updatedAt: Int64)])] = [:]
            var next: [(day: String, caseID: UUID)] = []
            for c in due {
                guard let cal = calendars[c.centerID] else { continue }
                let x = Context(today: today, millis: millis, calendar: cal, thresholds: thresholds[c.itemID] ?? .standard)
                let o = decide(c, x)
                effects.add(c, o, x)
                if let day = o.nextCheck { next.append((day, c.id)) }
                if o.level != c.level || o.reminded != c.reminded {
                    changes["\(o.level)|\(o.reminded.map(String.init) ?? "")", default: (o.level, o.reminded, [])].cases.append(
                        (c.id, c.updatedAt))
                }
            }
            // One batch written at a time, in order.
            try await writing?.value
            let write = Write(last: (last.day, last.caseID), changes: Array(changes.values), next: next, effects: effects, millis: millis)
            writing = Task { try await app.groupCommit.run(actor: "system", now: now) { db in ((), try await write.run(on: db)) } }
            looked += due.count
        }
        try await writing?.value
        return looked
    }

    /// What one batch of the sweep writes, inside its audited transaction.
    private struct Write: Sendable {
        var last: (day: String, caseID: UUID)
        var changes: [(level: String, reminded: Int?, cases: [(id: UUID, updatedAt: Int64)])]
        var next: [(day: String, caseID: UUID)]
        var effects: Effects
        var millis: Int64

        func run(on db: any Database) async throws -> [AuditEvent] {
            guard let sql = db as? any SQLDatabase else { return [] }
            if sql.dialect.name == "sqlite" { try await sql.raw("PRAGMA cache_size = -131072").run() }
            // A case that moved since it was read was looked at by its move: leave it.
            var moved = Set<UUID>()
            for g in changes {
                let seen = Dictionary(g.cases.map { ($0.id, $0.updatedAt) }, uniquingKeysWith: { a, _ in a })
                for start in stride(from: 0, to: g.cases.count, by: 500) {
                    let chunk = g.cases[start..<min(start + 500, g.cases.count)].map(\.id)
                    for r in try await sql.raw("SELECT id, updated_at FROM cases WHERE id IN \(sql.idList(chunk))").all() {
                        let id = try r.id("id", text: sql.textIDs)
                        if try r.decode(column: "updated_at", as: Int64.self) != seen[id] { moved.insert(id) }
                    }
                    let unmoved = chunk.filter { !moved.contains($0) }
                    if unmoved.isEmpty { continue }
                    // `OR IGNORE` on SQLite (nothing here can violate a constraint): a statement that
                    // cannot abort half-way keeps no journal of the thousands of pages it changes.
                    try await sql.raw(
                        """
                        UPDATE \(unsafeRaw: sql.textIDs ? "OR IGNORE " : "")cases SET level = \(bind: g.level), reminded = \(bind: g.reminded)
                        WHERE id IN \(sql.idList(unmoved))
                        """
                    ).run()
                }
            }
            try await sql.raw(
                """
                DELETE FROM supervision_queue
                WHERE day < \(bind: last.day) OR (day = \(bind: last.day) AND case_id <= \(sql.bind(id: last.caseID)))
                """
            ).run()
            try await enqueue(next.filter { !moved.contains($0.caseID) }, on: db)
            var effects = effects
            effects.items.removeAll { moved.contains($0.look.id) }
            return try await effects.write(at: millis, on: db)
        }
    }
}

struct SupervisionSweepLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsBackgroundJobs else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(10), delay: .seconds(300)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do {
                    try await Supervision.sweep(app: app, now: app.clock.now())
                } catch {
                    app.logger.warning("supervision sweep failed: \(error)")
                }
                // The indicators follow what the sweep and the day changed, so a report finds
                // little to catch up on.
                do {
                    try await IndicatorStore.catchUp(app: app, now: app.clock.now())
                } catch {
                    app.logger.warning("indicator catch-up failed: \(error)")
                }
            }
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}
