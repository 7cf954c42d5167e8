import Fluent
import Foundation
import OneStopCore
import Vapor

/// The managers' view of 好差评 (issue 19): a month's figures by department, window, member of
/// staff or item, from the day figures, within the caller's scope (a chief representative: their
/// department's), the least satisfied first, each with what is still owed on its bad ratings.
enum RatingBreakdown {
    enum By: String, CaseIterable {
        case department, window, staff, item
    }

    struct Row: Content {
        var id: UUID
        var name: String
        var rated: Int
        var bad: Int
        var satisfaction: Double?
        var average: Double?
        var callBackRate: Double?
        var onTimeRate: Double?
        var excluded: Int
    }

    struct DTO: Content {
        var month: String
        var by: String
        var rows: [Row]
        /// Bad ratings of these units still owed something, by what.
        var callBacksDue: Int
        var resolutionsDue: Int
        var appealsPending: Int
        var overdue: Int
    }

    static func of(_ req: Request) async throws -> DTO {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        let today = HallClock.day(req.now)
        guard let (label, first, last) = RatingDisclosure.month(req.query[String.self, at: "month"], today: today) else {
            throw ValidationFailure([FieldError("month", "rating.month")])
        }
        let raw = req.query[String.self, at: "by"] ?? "department"
        guard let by = By(rawValue: raw) else { throw ValidationFailure([FieldError("by", "invalidChoice")]) }
        let centers = Array(scope.centers)
        let mine = p.role == .chiefRepresentative ? p.departmentID : nil
        if p.role == .chiefRepresentative, mine == nil {
            return DTO(month: label, by: by.rawValue, rows: [], callBacksDue: 0, resolutionsDue: 0, appealsPending: 0, overdue: 0)
        }
        // The units the caller may see, with their names.
        var names: [UUID: String] = [:]
        switch by {
        case .department:
            var q = DepartmentModel.query(on: req.db).filter(\.$centerID ~~ centers)
            if let mine { q = q.filter(\.$id == mine) }
            for d in try await q.all() { names[d.id!] = d.name }
        case .window:
            var q = WindowModel.query(on: req.db).filter(\.$centerID ~~ centers)
            if let mine { q = q.filter(\.$departmentID == mine) }
            for w in try await q.all() { names[w.id!] = req.t("window.numbered", "n", String(w.number)) + " " + w.name }
        case .staff:
            var q = StaffModel.query(on: req.db).filter(\.$centerID ~~ centers)
            if let mine { q = q.filter(\.$departmentID == mine) }
            for s in try await q.all() { names[s.id!] = s.name + "（" + s.jobNumber + "）" }
        case .item:
            var q = ServiceItemModel.query(on: req.db).filter(\.$centerID ~~ centers)
            if let mine { q = q.filter(\.$departmentID == mine) }
            for i in try await q.all() { names[i.id!] = i.name }
        }
        let figures = try await RatingFigures.byScope(kind: by.rawValue, from: first, to: last, on: req.db)
        let rows = figures.compactMap { id, t -> Row? in
            guard let name = names[id] else { return nil }
            return Row(
                id: id, name: name, rated: t.rated, bad: t.bad, satisfaction: t.satisfaction, average: t.average,
                callBackRate: t.callBackRate, onTimeRate: t.onTimeRate, excluded: t.excluded)
        }.sorted { ($0.satisfaction ?? 2, $0.name) < ($1.satisfaction ?? 2, $1.name) }
        // What is owed, counted with the worklist's own filters.
        func owed(_ status: BadRatingCase.Status?) async throws -> Int {
            var q = BadRatingModel.query(on: req.db).filter(\.$centerID ~~ centers)
            if let mine { q = q.filter(\.$departmentID == mine) }
            if let status { return try await BadRatingService.filter(q, status: status).count() }
            return try await q.filter(\.$resolution == nil).filter(\.$dueOn < today.description)
                .group(.or) { $0.filter(\.$appeal == nil).filter(\.$appeal != BadRatingCase.Appeal.upheld.rawValue) }.count()
        }
        return DTO(
            month: label, by: by.rawValue, rows: rows, callBacksDue: try await owed(.callBackDue),
            resolutionsDue: try await owed(.resolutionDue), appealsPending: try await owed(.appealPending), overdue: try await owed(nil))
    }
}
