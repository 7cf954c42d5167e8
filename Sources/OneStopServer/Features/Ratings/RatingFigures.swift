import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The 好差评 figures by day and scope (`RatingTally`, table `rating_tallies`), changed inside the
/// transaction of the change they count. On PostgreSQL the row is locked before it is read, so
/// two instances never lose each other's counts; SQLite has one writer.
enum RatingFigures {
    /// The scopes a rating counts in.
    static func scopes(center: UUID, department: UUID?, window: UUID?, staff: UUID?, item: UUID? = nil) -> [String] {
        var s = ["center:" + center.uuidString.lowercased()]
        if let department { s.append("department:" + department.uuidString.lowercased()) }
        if let window { s.append("window:" + window.uuidString.lowercased()) }
        if let staff { s.append("staff:" + staff.uuidString.lowercased()) }
        if let item { s.append("item:" + item.uuidString.lowercased()) }
        return s
    }

    static func scopes(_ r: RatingModel) -> [String] {
        scopes(center: r.centerID, department: r.departmentID, window: r.windowID, staff: r.staffID, item: r.itemID)
    }

    /// The sum over days `from`…`to` of every scope of a kind (`department`, `window`, `staff`,
    /// `item`), by scope id.
    static func byScope(kind: String, from: CivilDate, to: CivilDate, on db: any Database) async throws -> [UUID: RatingTally] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.raw(
            """
            SELECT scope, tally FROM rating_tallies WHERE scope >= \(bind: kind + ":") AND scope < \(bind: kind + ";")
            AND day >= \(bind: from.description) AND day <= \(bind: to.description)
            """
        ).all()
        var out: [UUID: RatingTally] = [:]
        for r in rows {
            let scope = try r.decode(column: "scope", as: String.self)
            guard let id = UUID(uuidString: String(scope.dropFirst(kind.count + 1))),
                let t = try decode(try r.decode(column: "tally", as: String.self))
            else { continue }
            out[id] = (out[id] ?? RatingTally()) + t
        }
        return out
    }

    /// Where a tally row is: its day and scope.
    struct Key: Hashable, Sendable, Comparable {
        var day: String
        var scope: String

        static func < (a: Key, b: Key) -> Bool { (a.day, a.scope) < (b.day, b.scope) }
    }

    /// Changes the tallies of `day` in `scopes` by `change`, which must only add counts (every
    /// change of a tally does): what it adds to an empty tally is what it adds to any. Inside a
    /// batch of queue actions (`HallBatch`) the change waits with the batch's others and they are
    /// written together (`apply`); otherwise it is applied at once.
    static func change(day: String, scopes: [String], on db: any Database, _ change: (inout RatingTally) -> Void) async throws {
        guard !scopes.isEmpty else { return }
        var delta = RatingTally()
        change(&delta)
        var deltas: [Key: RatingTally] = [:]
        for scope in scopes { deltas[Key(day: day, scope: scope)] = delta }
        try await add(deltas, on: db)
    }

    /// Inside a batch of queue actions (`HallBatch`), kept to be written with the batch's others;
    /// otherwise applied at once.
    private static func add(_ deltas: [Key: RatingTally], on db: any Database) async throws {
        if let batch = HallBatch.current { return batch.wrote(deltas) }
        try await apply(deltas, on: db)
    }

    /// Adds `deltas` to their tally rows: one read and one write for all of them. On PostgreSQL
    /// the rows are made first and locked in (day, scope) order, so two writers never lose a count
    /// nor deadlock.
    static func apply(_ deltas: [Key: RatingTally], on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, !deltas.isEmpty else { return }
        let keys = deltas.keys.sorted()
        let pairs = SQLList(
            SQLRows.padded(keys, shapes: sql.textIDs).map { SQLGroupExpression([SQLBind($0.day), SQLBind($0.scope)]) })
        let postgres = sql.dialect.name == "postgresql"
        if postgres {
            let blanks = SQLList(keys.map { SQLGroupExpression([SQLBind($0.day), SQLBind($0.scope), SQLLiteral.string("{}")]) })
            try await sql.raw("INSERT INTO rating_tallies (day, scope, tally) VALUES \(blanks) ON CONFLICT (day, scope) DO NOTHING").run()
        }
        let lock: SQLQueryString = postgres ? " ORDER BY day, scope FOR UPDATE" : ""
        let rows = try await sql.raw("SELECT day, scope, tally FROM rating_tallies WHERE (day, scope) IN (\(pairs))\(lock)").all()
        var stored: [Key: RatingTally] = [:]
        for r in rows {
            let key = Key(day: try r.decode(column: "day", as: String.self), scope: try r.decode(column: "scope", as: String.self))
            stored[key] = try decode(try r.decode(column: "tally", as: String.self))
        }
        var upserts: [[any SQLExpression]] = []
        for key in keys {
            let tally = ((stored[key] ?? RatingTally()) + deltas[key]!).withoutZeros
            let text = String(decoding: try JSONEncoder.sorted.encode(tally), as: UTF8.self)
            upserts.append([SQLBind(key.day), SQLBind(key.scope), SQLBind(text)])
        }
        try await SQLRows.insert(
            into: "rating_tallies", columns: "day, scope, tally", upserts, onConflict: "(day, scope) DO UPDATE SET tally = excluded.tally",
            on: db)
    }

    /// What every new rating does inside its transaction: it counts in the day's figures, it is
    /// looked at by the fraud rules (`RatingFlags`; `askedAt`: when an evaluator put the question),
    /// and a bad first-round one is assigned to its department (`due` given) and counts on its
    /// deadline's day.
    static func recorded(
        _ r: RatingModel, due: CivilDate?, today: CivilDate, millis: Int64, askedAt: Int64? = nil, on db: any Database
    ) async throws
        -> [AuditEvent]
    {
        try await change(day: today.description, scopes: scopes(r), on: db) { $0.add(entry(r)) }
        var events = try await RatingFlags.raise(r, askedAt: askedAt, on: db)
        guard let due else { return events }
        events.append(try await BadRatingService.assign(r, due: due, today: today, millis: millis, on: db))
        try await change(day: due.description, scopes: scopes(r), on: db) { $0.addDue(onTime: false) }
        return events
    }

    /// Visits recorded "not rated" together (the hall's sweep): their counts added in one read and
    /// one write of the tallies. Such a record raises no flag and assigns no bad rating.
    static func recordedNotRated(_ rs: [RatingModel], today: CivilDate, on db: any Database) async throws {
        var deltas: [Key: RatingTally] = [:]
        for r in rs {
            var one = RatingTally()
            one.add(entry(r))
            for scope in scopes(r) {
                let key = Key(day: today.description, scope: scope)
                deltas[key] = (deltas[key] ?? RatingTally()) + one
            }
        }
        try await add(deltas, on: db)
    }

    /// Takes a rating out of every figure (an appeal upheld, a fraud flag confirmed): the rating as
    /// counted comes off its day and is counted as excluded; a bad one's deadline comes off its
    /// deadline's day. The caller marks the rating `excluded`.
    static func exclude(_ r: RatingModel, bad b: BadRatingModel?, on db: any Database) async throws {
        let scopes = scopes(r)
        let ratedOn = HallClock.day(Date(timeIntervalSince1970: Double(r.at) / 1000)).description
        var counted = entry(r, calledBack: b?.calledBackOn != nil)
        counted.excluded = false
        try await change(day: ratedOn, scopes: scopes, on: db) {
            $0.add(counted, sign: -1)
            $0.excluded += 1
        }
        guard let b, r.round == 1 else { return }
        let onTime = b.flow.resolvedOnTime
        try await change(day: b.dueOn, scopes: scopes, on: db) { $0.addDue(onTime: onTime, sign: -1) }
    }

    /// A rating as typed, checked (`RatingInput.checkedWithPraise`), with its tags as stored: a bad
    /// rating's reasons, or a good one's praise, in one comma-separated column.
    static func checked(level: Int?, tags: [String]?, text: String?) throws -> (level: RatingLevel, tags: String, text: String) {
        switch RatingInput(level: level, tags: tags ?? [], text: text ?? "").checkedWithPraise() {
        case .failure(let f): throw f
        case .success(let v): return (v.0, (v.reasons.map(\.rawValue) + v.praise.map(\.rawValue)).joined(separator: ","), v.text)
        }
    }

    static func decode(_ text: String) throws -> RatingTally? {
        text == "{}" ? nil : try JSONDecoder().decode(RatingTally.self, from: Data(text.utf8))
    }

    /// The tally of a rating as stored.
    static func entry(_ r: RatingModel, calledBack: Bool = false) -> RatingTally.Rating {
        .init(
            level: r.level, channel: r.channel, round: r.round, reasons: r.tags.split(separator: ",").map(String.init),
            realName: !(r.raterIdentity ?? "").isEmpty, calledBack: calledBack, excluded: r.excluded)
    }

    /// The sum over days `from`…`to` of the scopes given (a center's subtree: its centers).
    static func sum(
        scopes: [String], from: CivilDate, to: CivilDate, on db: any Database
    ) async throws -> (RatingTally, [String: RatingTally]) {
        guard let sql = db as? any SQLDatabase, !scopes.isEmpty else { return (RatingTally(), [:]) }
        let rows = try await sql.raw(
            """
            SELECT day, tally FROM rating_tallies WHERE scope IN (\(SQLList(scopes.map { SQLBind($0) })))
            AND day >= \(bind: from.description) AND day <= \(bind: to.description)
            """
        ).all()
        var total = RatingTally()
        var byDay: [String: RatingTally] = [:]
        for r in rows {
            guard let t = try decode(try r.decode(column: "tally", as: String.self)) else { continue }
            total = total + t
            let day = try r.decode(column: "day", as: String.self)
            byDay[day] = (byDay[day] ?? RatingTally()) + t
        }
        return (total, byDay)
    }
}
