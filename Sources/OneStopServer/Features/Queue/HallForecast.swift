import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// How many windows each group needs on a coming day, hour by hour, to keep the 90th-percentile
/// wait within the center's target: Erlang C over the arrivals of the same weekday in the last four
/// weeks and each group's mean service time, beside the windows set to serve the group.
struct StaffingForecastDTO: Content {
    struct Hour: Content {
        var hour: Int
        var arrivalsPerHour: Double
        /// Nil when no number of windows would keep up.
        var windows: Int?
        var p90WaitSeconds: Double?
    }

    struct Group: Content {
        var id: UUID
        var prefix: String
        var name: String
        var meanServiceSeconds: Double
        /// Whether the mean is the group's own (at least 5 visits served) or the 10-minute default.
        var measuredService: Bool
        /// Windows set to serve the group and open.
        var plannedWindows: Int
        var hours: [Hour]
    }

    var date: String
    var weekday: Int
    /// The days of that weekday observed (hall open, tickets taken).
    var daysObserved: Int
    var targetMinutes: Int
    var groups: [Group]
}

enum HallForecast {
    static let weeks = 4
    static let defaultService = 600.0

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "centers", ":id", "queue", "forecast", access: QueueReports.access,
            operation: .init(
                id: "queueStaffingForecast",
                summary: "Windows needed per group and hour on a day (next working day by default), by Erlang C over the last four weeks",
                tag: "Queue reports", response: "StaffingForecast")
        ) { req in
            let center = try req.uuid("id")
            try await req.scope().require(center)
            return try await forecast(center: center, date: try date(req, center: center), req: req)
        }
    }

    /// The day asked for, else the next working day after today.
    static func date(_ req: Request, center: UUID) async throws -> CivilDate {
        if let raw = req.query[String.self, at: "date"], !raw.isEmpty {
            guard let d = CivilDate(raw) else { throw ValidationFailure([FieldError("date", "invalidDate")]) }
            return d
        }
        let cal = try await req.application.calendars.calendar(for: center, on: req.db)
        return cal.addWorkingDays(1, to: HallClock.day(req.now)) ?? HallClock.day(req.now).adding(days: 1)
    }

    static func forecast(center: UUID, date: CivilDate, req: Request) async throws -> StaffingForecastDTO {
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let hall = try await req.application.halls.config(for: center, on: req.db)
        let today = HallClock.day(req.now)
        let from = today.adding(days: -7 * weeks)
        struct Row: Decodable {
            var groupID: UUID
            var day: String
            var queuedAt: Int64
            var startedAt: Int64?
            var finishedAt: Int64?
        }
        let rows = try await sql.raw(
            """
            SELECT group_id AS "groupID", day, queued_at AS "queuedAt", started_at AS "startedAt", finished_at AS "finishedAt" FROM tickets
            WHERE center_id = \(bind: center) AND day >= \(bind: from.description) AND day < \(bind: today.description)
            """
        ).all(decoding: Row.self)
        let sameDay = rows.filter { CivilDate($0.day)?.weekday == date.weekday }
        let days = Set(sameDay.map(\.day)).count
        let target = Double(hall.waitTargetMinutes * 60)
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).all()
        let open = Set(windows.filter(\.isOpen).compactMap(\.id))
        let groups = hall.groups.filter(\.active).map { g -> StaffingForecastDTO.Group in
            var arrivals: [Int: Int] = [:]
            for r in sameDay where r.groupID == g.id {
                arrivals[HallClock.minuteOfDay(Date(timeIntervalSince1970: Double(r.queuedAt) / 1000)) / 60, default: 0] += 1
            }
            let served = rows.filter { $0.groupID == g.id }.compactMap { r -> Double? in
                guard let s = r.startedAt, let f = r.finishedAt, f > s else { return nil }
                return Double(f - s) / 1000
            }
            let measured = served.count >= 5
            let mean = measured ? served.reduce(0, +) / Double(served.count) : defaultService
            let plan = StaffingForecast.plan(arrivals: arrivals, days: days, meanServiceSeconds: mean, targetSeconds: target)
            return .init(
                id: g.id, prefix: g.prefix, name: g.name, meanServiceSeconds: mean.rounded(), measuredService: measured,
                plannedWindows: hall.windows(serving: g.id).filter { open.contains($0.id) }.count,
                hours: plan.map {
                    .init(
                        hour: $0.hour, arrivalsPerHour: ($0.arrivalsPerHour * 10).rounded() / 10, windows: $0.windows,
                        p90WaitSeconds: $0.p90WaitSeconds?.rounded())
                })
        }
        return StaffingForecastDTO(
            date: date.description, weekday: date.weekday, daysObserved: days, targetMinutes: hall.waitTargetMinutes, groups: groups)
    }
}

/// The forecast as managers read it: hours down, groups across, a cell short of windows marked.
enum HallForecastPage {
    struct View: Encodable {
        struct Column: Encodable {
            var name: String
            var planned: Int
            var service: String
        }

        struct Cell: Encodable {
            var text: String
            var note: String
            var short: Bool
        }

        struct Row: Encodable {
            var hour: String
            var cells: [Cell]
        }

        var centerID: String
        var centerName: String
        var centerOptions: [FormView.Option]
        var date: String
        var summary: String
        var columns: [Column]
        var rows: [Row]
    }

    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "manage", "hall", "forecast", access: QueueReports.access) { req in
            let scope = try await req.scope()
            let center = try await req.hallCenter(scope)
            let f = try await HallForecast.forecast(center: center, date: try await HallForecast.date(req, center: center), req: req)
            let hours = Set(f.groups.flatMap { $0.hours.map(\.hour) }).sorted()
            let rows = hours.map { h in
                View.Row(
                    hour: String(format: "%02d:00–%02d:00", h, h + 1),
                    cells: f.groups.map { g in
                        guard let x = g.hours.first(where: { $0.hour == h }) else { return .init(text: "—", note: "", short: false) }
                        let text = x.windows.map { req.t("queue.forecast.windows", "n", String($0)) } ?? req.t("queue.forecast.tooMany")
                        return .init(
                            text: text, note: req.t("queue.forecast.arrivals", "n", String(format: "%.1f", x.arrivalsPerHour)),
                            short: (x.windows ?? Int.max) > g.plannedWindows)
                    })
            }
            let view = View(
                centerID: center.uuidString, centerName: scope.tree.nodes[center]?.name ?? "",
                centerOptions: req.centerOptions(scope, selected: center.uuidString), date: f.date,
                summary: req.t(
                    "queue.forecast.summary",
                    ["days": String(f.daysObserved), "weekday": req.t("weekday.\(f.weekday)"), "target": String(f.targetMinutes)]),
                columns: f.groups.map {
                    .init(
                        name: "\($0.prefix) \($0.name)", planned: $0.plannedWindows,
                        service: req.t(
                            $0.measuredService ? "queue.forecast.service" : "queue.forecast.serviceDefault", "n",
                            String(Int(($0.meanServiceSeconds / 60).rounded()))))
                }, rows: rows)
            return try await req.page("queue/forecast", title: req.t("queue.forecast.title"), view)
        }
    }
}
