import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import SQLKit
import Vapor

/// Builds each center's calendar (national days, then each ancestor's, then its own) and caches
/// it until the shared calendar generation moves, so edits on one instance reach the others.
final class CalendarStore: Sendable {
    private let cache = NIOLockedValueBox<[UUID: (generation: Int64, calendar: WorkCalendar)]>([:])

    func calendar(for centerID: UUID, on db: any Database) async throws -> WorkCalendar {
        // Read at every use (edits on another instance show at once), so plainly.
        struct Row: Decodable { var value: Int64 }
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let generation =
            try await sql.raw("SELECT value FROM counters WHERE name = 'calendar_generation'").first(decoding: Row.self)?.value ?? 0
        if let hit = cache.withLockedValue({ $0[centerID] }), hit.generation == generation { return hit.calendar }
        let tree = try await CenterTree.load(on: db)
        guard tree.nodes[centerID] != nil else { throw Abort(.notFound) }
        let ancestry = tree.ancestry(centerID)
        let scopes = [CalendarDayModel.national] + ancestry.map { $0.uuidString.lowercased() }
        let rows = try await CalendarDayModel.query(on: db).filter(\.$scope ~~ scopes).all()
        var layers = scopes.map { _ in [DayOverride]() }
        for r in rows {
            guard let i = scopes.firstIndex(of: r.scope), let date = CivilDate(r.date),
                let kind = DayOverride.Kind(rawValue: r.kind)
            else { continue }
            layers[i].append(DayOverride(date: date, kind: kind, name: r.name))
        }
        let calendar = WorkCalendar(layers: layers)
        cache.withLockedValue { $0[centerID] = (generation, calendar) }
        return calendar
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

/// Changes to calendars. `scope` is nil for the national calendar.
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

    /// Sets one day. `kind == nil` removes the override, so the day follows its weekday again.
    static func setDay(centerID: UUID?, date: CivilDate, kind: DayOverride.Kind?, name: String, req: Request) async throws {
        _ = try await authorise(centerID: centerID, req: req)
        var v = Validator()
        let name = v.text("name", name, max: 60, required: kind != nil)
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let key = scopeKey(centerID)
        try await req.audited { db in
            try await CalendarDayModel.query(on: db).filter(\.$scope == key).filter(\.$date == date.description).delete()
            if let kind {
                try await CalendarDayModel(scope: key, date: date.description, kind: kind.rawValue, name: name).create(on: db)
            }
            try await bumpGeneration(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "calendar.setDay", "calendar", id: centerID, center: centerID,
                        detail: ["date": date.description, "kind": kind?.rawValue ?? "normal", "name": name])
                ]
            )
        }
    }

    /// Replaces one year of a calendar with the file's days, all or nothing.
    static func importYear(centerID: UUID?, year: Int, text: String, req: Request) async throws -> Int {
        _ = try await authorise(centerID: centerID, req: req)
        let days = try parse(text, year: year)
        return try await replaceYear(
            scope: scopeKey(centerID), centerID: centerID, year: year, days: days, on: req.db,
            gate: req.application.writeGate, actor: req.principal?.auditName ?? "system", now: req.now)
    }

    static func parse(_ text: String, year: Int) throws -> [DayOverride] {
        guard (1990...2150).contains(year) else { throw ValidationFailure([FieldError("year", "calendar.yearRange")]) }
        switch CalendarImport.parse(text, year: year) {
        case .success(let days): return days
        case .failure(let errs): throw ValidationFailure(errs.map { FieldError("line \($0.line) \($0.field)", $0.code) })
        }
    }

    static func replaceYear(
        scope: String, centerID: UUID?, year: Int, days: [DayOverride], on db: any Database, gate: WriteGate,
        actor: String, now: Date
    ) async throws -> Int {
        try await AuditedWrite.run(on: db, gate: gate, actor: actor, now: now) { tx in
            try await CalendarDayModel.query(on: tx).filter(\.$scope == scope)
                .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31").delete()
            for d in days {
                try await CalendarDayModel(scope: scope, date: d.date.description, kind: d.kind.rawValue, name: d.name).create(on: tx)
            }
            try await bumpGeneration(on: tx)
            return (
                days.count,
                [
                    AuditEvent(
                        "calendar.importYear", "calendar", id: centerID, center: centerID,
                        detail: ["year": String(year), "days": String(days.count), "scope": scope])
                ]
            )
        }
    }

    static func bumpGeneration(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("UPDATE counters SET value = value + 1 WHERE name = 'calendar_generation'").run()
    }
}
