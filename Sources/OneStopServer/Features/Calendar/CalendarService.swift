import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import SQLKit
import Vapor

/// Builds each center's calendar (national days, then each ancestor's, then its own) and caches
/// it until the shared calendar generation moves, so edits on one instance reach the others.
///
/// The national layer holds the imported arrangements of the confirmed years and, for every other
/// year, the statutory days derived for it (`NationalCalendar.layer`): such a year is provisional.
final class CalendarStore: Sendable {
    /// A center's layers, national first, with the scope key of each.
    struct Layers: Sendable {
        var scopes: [String]
        var layers: [[DayOverride]]
        var provisional: Set<Int>

        var calendar: WorkCalendar { WorkCalendar(layers: layers, provisionalYears: provisional) }

        /// The calendar as it was before a change of `scope`'s own layer: `changes` give each
        /// touched day's kind on that layer before the change (nil: the weekday rule).
        func before(_ scope: String, _ changes: [RetimingChange], names: [String: String] = [:]) -> WorkCalendar {
            guard let i = scopes.firstIndex(of: scope) else { return calendar }
            var patched = layers
            let touched = Set(changes.map(\.date))
            patched[i].removeAll { touched.contains($0.date.description) }
            patched[i] += changes.compactMap { c in
                guard let old = c.old, let kind = DayOverride.Kind(rawValue: old), let date = CivilDate(c.date) else { return nil }
                return DayOverride(date: date, kind: kind, name: names[c.date] ?? "")
            }
            return WorkCalendar(layers: patched, provisionalYears: provisional)
        }
    }

    private struct Entry {
        var generation: Int64
        var layers: Layers
        var calendar: WorkCalendar
    }

    private let cache = NIOLockedValueBox<[UUID: Entry]>([:])
    private let national = NIOLockedValueBox<(generation: Int64, confirmed: [Int: CalendarYearModel], days: [DayOverride])?>(nil)

    static func generation(on db: any Database) async throws -> Int64 {
        // Read at every use (edits on another instance show at once), so plainly.
        struct Row: Decodable { var value: Int64 }
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        return try await sql.raw("SELECT value FROM counters WHERE name = 'calendar_generation'").first(decoding: Row.self)?.value ?? 0
    }

    func calendar(for centerID: UUID, on db: any Database) async throws -> WorkCalendar {
        try await entry(for: centerID, on: db).calendar
    }

    func layers(for centerID: UUID, on db: any Database) async throws -> Layers {
        try await entry(for: centerID, on: db).layers
    }

    /// The national years with an imported arrangement, with where each came from.
    func confirmedYears(on db: any Database) async throws -> [Int: CalendarYearModel] {
        try await nationalLayer(generation: try await Self.generation(on: db), on: db).confirmed
    }

    private func nationalLayer(
        generation: Int64, on db: any Database
    ) async throws -> (
        generation: Int64, confirmed: [Int: CalendarYearModel], days: [DayOverride]
    ) {
        if let hit = national.withLockedValue({ $0 }), hit.generation == generation { return hit }
        let years = try await CalendarYearModel.query(on: db).filter(\.$scope == CalendarDayModel.national).all()
        let rows = try await CalendarDayModel.query(on: db).filter(\.$scope == CalendarDayModel.national).all()
        let value = (generation, Dictionary(years.map { ($0.year, $0) }, uniquingKeysWith: { a, _ in a }), Self.overrides(rows))
        national.withLockedValue { $0 = value }
        return value
    }

    static func overrides(_ rows: [CalendarDayModel]) -> [DayOverride] {
        rows.compactMap { r in
            guard let date = CivilDate(r.date), let kind = DayOverride.Kind(rawValue: r.kind) else { return nil }
            return DayOverride(date: date, kind: kind, name: r.name)
        }
    }

    private func entry(for centerID: UUID, on db: any Database) async throws -> Entry {
        let generation = try await Self.generation(on: db)
        if let hit = cache.withLockedValue({ $0[centerID] }), hit.generation == generation { return hit }
        let tree = try await CenterTree.load(on: db)
        guard tree.nodes[centerID] != nil else { throw Abort(.notFound) }
        let national = try await nationalLayer(generation: generation, on: db)
        let ancestry = tree.ancestry(centerID).map { $0.uuidString.lowercased() }
        let rows = try await CalendarDayModel.query(on: db).filter(\.$scope ~~ ancestry).all()
        let layer = NationalCalendar.layer(imported: national.days, confirmed: Set(national.confirmed.keys))
        var layers = [layer.days]
        for scope in ancestry { layers.append(Self.overrides(rows.filter { $0.scope == scope })) }
        let built = Layers(scopes: [CalendarDayModel.national] + ancestry, layers: layers, provisional: layer.provisional)
        let entry = Entry(generation: generation, layers: built, calendar: built.calendar)
        cache.withLockedValue { $0[centerID] = entry }
        return entry
    }
}

extension Application {
    private struct StoreKey: StorageKey { typealias Value = CalendarStore }

    var calendars: CalendarStore {
        if let s = storage[StoreKey.self] { return s }
        let s = CalendarStore()
        storage[StoreKey.self] = s
        return s
    }
}

/// Changes to calendars. `scope` is nil for the national calendar. A change that moves any day
/// of the changed layer queues a re-timing job (`CalendarRetiming`) in the same transaction; the
/// job lays every open clock that spans the day on the new calendar.
enum CalendarService {
    /// Who may change which calendar: a center's administrators change it and those below; the
    /// national calendar belongs to the administrators of a top-level center.
    static func authorise(centerID: UUID?, req: Request) async throws -> Scope {
        let scope = try await req.scope()
        if let centerID {
            try scope.require(centerID)
        } else if scope.tree.nodes[scope.principal.centerID]?.parentID != nil {
            throw Abort(.forbidden, reason: req.t("calendar.nationalOnlyTop"))
        }
        return scope
    }

    static func scopeKey(_ centerID: UUID?) -> String { centerID?.uuidString.lowercased() ?? CalendarDayModel.national }

    /// What one calendar change did: the job re-timing its clocks, when a day moved.
    struct Outcome: Sendable {
        var days: Int
        var retiming: UUID?
    }

    /// Sets one day. `kind == nil` removes the override, so the day follows its weekday again.
    @discardableResult
    static func setDay(centerID: UUID?, date: CivilDate, kind: DayOverride.Kind?, name: String, req: Request) async throws -> Outcome {
        let scope = try await authorise(centerID: centerID, req: req)
        var v = Validator()
        let name = v.text("name", name, max: 60, required: kind != nil)
        if !WorkCalendar.defaultSpan.contains(date) { v.add("date", "calendar.outOfRange") }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let key = scopeKey(centerID)
        let centers = centerID.map { scope.tree.subtree($0) }
        let now = req.now
        let actor = req.principal?.auditName ?? "system"
        let outcome = try await req.audited { db -> (Outcome, [AuditEvent]) in
            let before = try await ownLayer(key, year: date.year, on: db)[date.description]
            let after = kind.map { (kind: $0.rawValue, name: name) }
            if before?.kind != after?.kind, date < HallClock.day(now) {
                try await refusePastChange(date, centers: centers, on: db)
            }
            try await CalendarDayModel.query(on: db).filter(\.$scope == key).filter(\.$date == date.description).delete()
            if let kind {
                try await CalendarDayModel(scope: key, date: date.description, kind: kind.rawValue, name: name).create(on: db)
            }
            try await bumpGeneration(on: db)
            var detail = ["date": date.description, "kind": kind?.rawValue ?? "normal", "name": name]
            var job: UUID? = nil
            if before?.kind != after?.kind {
                job = try await CalendarRetiming.queue(
                    scope: key, centerID: centerID, cause: "setDay",
                    changes: [RetimingChange(date: date.description, old: before?.kind, new: after?.kind)], actor: actor, now: now, on: db)
                detail["retiming"] = job?.uuidString.lowercased()
            }
            return (
                Outcome(days: 1, retiming: job), [AuditEvent("calendar.setDay", "calendar", id: centerID, center: centerID, detail: detail)]
            )
        }
        req.application.calendarRetimer.kick(req.application)
        return outcome
    }

    /// Replaces one year of a calendar with the file's days, all or nothing.
    static func importYear(centerID: UUID?, year: Int, text: String, source: String?, req: Request) async throws -> Outcome {
        let scope = try await authorise(centerID: centerID, req: req)
        let days = try parse(text, year: year)
        let outcome = try await replaceYear(
            scope: scopeKey(centerID), centerID: centerID, centers: centerID.map { scope.tree.subtree($0) }, year: year, days: days,
            source: source, on: req.db, groupCommit: req.application.groupCommit, actor: req.principal?.auditName ?? "system",
            now: req.now)
        req.application.calendarRetimer.kick(req.application)
        return outcome
    }

    static func parse(_ text: String, year: Int) throws -> [DayOverride] {
        guard (1990...2150).contains(year) else { throw ValidationFailure([FieldError("year", "calendar.yearRange")]) }
        switch CalendarImport.parse(text, year: year) {
        case .success(let days):
            // A year must keep at least one working day.
            let alone = WorkCalendar(days)
            let lastBefore = CivilDate(year: year - 1, month: 12, day: 31)!
            if alone.countWorkingDays(from: lastBefore, to: CivilDate(year: year, month: 12, day: 31)!) == 0 {
                throw ValidationFailure([FieldError("file", "calendar.noWorkingDay")])
            }
            return days
        case .failure(let errs): throw ValidationFailure(errs.map { FieldError("line \($0.line) \($0.field)", $0.code) })
        }
    }

    static func replaceYear(
        scope: String, centerID: UUID?, centers: Set<UUID>?, year: Int, days: [DayOverride], source: String?, on db: any Database,
        groupCommit: GroupCommit, actor: String, now: Date
    ) async throws -> Outcome {
        let source = (source?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        return try await groupCommit.run(actor: actor, now: now) { tx -> (Outcome, [AuditEvent]) in
            let before = try await ownLayer(scope, year: year, on: tx)
            var after: [String: (kind: String, name: String)] = [:]
            for d in days { after[d.date.description] = (d.kind.rawValue, d.name) }
            let changes = Set(before.keys).union(after.keys).sorted().filter { before[$0]?.kind != after[$0]?.kind }.map {
                RetimingChange(date: $0, old: before[$0]?.kind, new: after[$0]?.kind)
            }
            let today = HallClock.day(now).description
            if let firstPast = changes.first(where: { $0.date < today }), let date = CivilDate(firstPast.date) {
                try await refusePastChange(date, centers: centers, on: tx)
            }
            try await CalendarDayModel.query(on: tx).filter(\.$scope == scope)
                .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31").delete()
            for d in days {
                try await CalendarDayModel(scope: scope, date: d.date.description, kind: d.kind.rawValue, name: d.name).create(on: tx)
            }
            try await CalendarYearModel.query(on: tx).filter(\.$scope == scope).filter(\.$year == year).delete()
            let record = CalendarYearModel()
            record.scope = scope
            record.year = year
            record.source = source ?? "导入文件"
            record.days = days.count
            record.importedAt = HallClock.millis(now)
            record.importedBy = actor
            try await record.create(on: tx)
            try await bumpGeneration(on: tx)
            var job: UUID? = nil
            if !changes.isEmpty {
                job = try await CalendarRetiming.queue(
                    scope: scope, centerID: centerID, cause: "import", changes: changes, actor: actor, now: now, on: tx)
            }
            var detail = ["year": String(year), "days": String(days.count), "scope": scope, "source": record.source]
            if let job { detail["retiming"] = job.uuidString.lowercased() }
            return (
                Outcome(days: days.count, retiming: job),
                [AuditEvent("calendar.importYear", "calendar", id: centerID, center: centerID, detail: detail)]
            )
        }
    }

    /// The days of `year` on one calendar's own layer, as its clocks see them: the stored days,
    /// and for the national calendar in a year without an arrangement the derived statutory days.
    static func ownLayer(_ scope: String, year: Int, on db: any Database) async throws -> [String: (kind: String, name: String)] {
        var out: [String: (kind: String, name: String)] = [:]
        if scope == CalendarDayModel.national,
            try await CalendarYearModel.query(on: db).filter(\.$scope == scope).filter(\.$year == year).count() == 0
        {
            for d in NationalCalendar.statutoryDays(of: year) { out[d.date.description] = (d.kind.rawValue, d.name) }
        }
        for r in try await CalendarDayModel.query(on: db).filter(\.$scope == scope)
            .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31").all()
        {
            out[r.date] = (r.kind, r.name)
        }
        return out
    }

    /// A day before today can change only while no case of the centers it reaches was closed on
    /// or after it with its clock running across it: those cases were timed, and their notices
    /// printed, on the calendar as it stood.
    static func refusePastChange(_ date: CivilDate, centers: Set<UUID>?, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let from = HallClock.millis(HallClock.instant(date, minute: 0))
        let within: SQLQueryString = centers.map { "AND center_id IN \(sql.idList($0))" } ?? ""
        struct Count: Decodable { var n: Int }
        let closed =
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM cases
                WHERE state IN ('delivered', 'refused', 'withdrawn', 'terminated') AND received_on < \(bind: date.description)
                AND updated_at >= \(bind: from) \(within)
                """
            ).first(decoding: Count.self)?.n ?? 0
        if closed > 0 {
            throw ValidationFailure([FieldError("date", "calendar.pastDayClosedCases")])
        }
    }

    static func bumpGeneration(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("UPDATE counters SET value = value + 1 WHERE name = 'calendar_generation'").run()
    }
}
