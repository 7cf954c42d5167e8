import Fluent
import Foundation
import OneStopCore
import Vapor

/// The years around now on a center's calendar: which have an imported national arrangement.
struct CalendarYearsDTO: Content {
    struct Year: Content {
        var year: Int
        /// confirmed or provisional.
        var status: String
        var provisional: Bool
        var source: String?
        var importedAt: Date?
        var importedBy: String?
        /// A local arrangement imported for this center or one above it.
        var localSource: String?
        /// The statutory days a provisional year counts as off.
        var statutoryDays: [String]
    }

    var centerID: UUID
    var lastConfirmedYear: Int?
    var years: [Year]

    static func load(center: UUID, req: Request) async throws -> CalendarYearsDTO {
        let confirmed = try await req.application.calendars.confirmedYears(on: req.db)
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let ancestry = tree.ancestry(center).map { $0.uuidString.lowercased() }
        let local = try await CalendarYearModel.query(on: req.db).filter(\.$scope ~~ ancestry).all()
        let now = HallClock.day(req.now).year
        let years = ((now - 5)...(now + 2)).map { y -> Year in
            let c = confirmed[y]
            return Year(
                year: y, status: c == nil ? "provisional" : "confirmed", provisional: c == nil, source: c?.source,
                importedAt: c.map { Date(timeIntervalSince1970: Double($0.importedAt) / 1000) }, importedBy: c?.importedBy,
                localSource: local.last { $0.year == y }?.source,
                statutoryDays: c == nil ? NationalCalendar.statutoryDays(of: y).map(\.date.description) : [])
        }
        return CalendarYearsDTO(centerID: center, lastConfirmedYear: confirmed.keys.max(), years: years)
    }
}

/// A re-timing job as the API and the calendar page show it.
struct RetimingDTO: Content {
    var id: UUID
    var scope: String
    var centerID: UUID?
    var cause: String
    var firstDay: String
    var lastDay: String
    var days: Int
    var status: String
    var cases: Int
    var tasks: Int
    var steps: Int
    var withdrawn: Int
    var notified: Int
    var actor: String
    var error: String
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    /// The first cases it moved (up to 200): number and the date before and after.
    var sample: [RetimedCase]?

    init(_ m: CalendarRetimingModel, withSample: Bool) {
        func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        id = m.id!
        scope = m.scope
        centerID = m.centerID
        cause = m.cause
        firstDay = m.firstDay
        lastDay = m.lastDay
        days = m.changeList.count
        status = m.status
        cases = m.cases
        tasks = m.tasks
        steps = m.steps
        withdrawn = m.withdrawn
        notified = m.notified
        actor = m.actor
        error = m.error
        createdAt = date(m.createdAt)!
        startedAt = date(m.startedAt)
        finishedAt = date(m.finishedAt)
        sample = withSample ? m.sampleList : nil
    }

    /// Jobs of the national calendar and of the centers in the caller's scope.
    static func visible(_ req: Request) async throws -> (Scope, QueryBuilder<CalendarRetimingModel>) {
        let scope = try await req.scope()
        let q = CalendarRetimingModel.query(on: req.db).group(.or) {
            $0.filter(\.$centerID == nil).filter(\.$centerID ~~ Array(scope.centers))
        }
        return (scope, q)
    }

    static func list(_ req: Request) async throws -> [RetimingDTO] {
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 20, 1), 100)
        let (_, q) = try await visible(req)
        return try await q.sort(\.$createdAt, .descending).limit(limit).all().map { RetimingDTO($0, withSample: false) }
    }

    static func one(_ id: UUID, _ req: Request) async throws -> RetimingDTO {
        let (_, q) = try await visible(req)
        guard let m = try await q.filter(\.$id == id).first() else { throw Abort(.notFound) }
        return RetimingDTO(m, withSample: true)
    }
}
