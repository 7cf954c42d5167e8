import Foundation
import OneStopCore
import Vapor

/// The managers' pages: the hall now (live), and the report over a range of days with CSV.
enum HallManagePages {
    struct LiveView: Encodable {
        struct Group: Encodable {
            var prefix: String
            var name: String
            var waiting: Int
            var serving: Int
            var openWindows: Int
            var longestWait: String
        }

        struct Window: Encodable {
            var number: Int
            var name: String
            var status: String
            var statusLabel: String
            var current: String
        }

        var centerID: String
        var centerCode: String
        var centerName: String
        var centerOptions: [FormView.Option]
        var openToday: Bool
        var waiting: Int
        var serving: Int
        var openWindows: Int
        var idleWindows: Int
        var noShows: Int
        var longestWait: String
        var groups: [Group]
        var windows: [Window]
        var alerts: [String]
    }

    struct ReportView: Encodable {
        struct Cell: Encodable {
            var text: String
            var numeric: Bool
        }

        var centerID: String
        var centerName: String
        var centerOptions: [FormView.Option]
        var from: String
        var to: String
        var byOptions: [FormView.Option]
        var columns: [String]
        var rows: [[Cell]]
        var total: [Cell]
        var csvHref: String
        var errors: [String]
        var charts: [QueueReportCharts.Chart]
        /// The line a printed copy carries: the range and when it was printed, in the center's zone.
        var printed: String
    }

    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "manage", "hall", access: QueueReports.access) { req in
            let scope = try await req.scope()
            let center = try await req.hallCenter(scope)
            let hall = try await req.application.halls.config(for: center, on: req.db)
            let s = try await QueueQueries.status(hall: hall, req: req)
            func wait(_ seconds: Int) -> String { seconds == 0 ? "—" : req.t("queue.minutes", ["n": String(max(1, seconds / 60))]) }
            let windows = s.windows.map { w -> LiveView.Window in
                let status = !w.open ? "closed" : w.paused ? "paused" : w.current == nil ? "idle" : "busy"
                return .init(
                    number: w.number, name: w.name, status: status, statusLabel: req.t("queue.manage.\(status)"),
                    current: w.current.map { n in n + " · " + req.t("queue.state.\(w.currentState ?? "called")") } ?? "—")
            }
            let view = LiveView(
                centerID: center.uuidString, centerCode: hall.centerCode, centerName: hall.centerName,
                centerOptions: req.centerOptions(scope, selected: center.uuidString), openToday: s.openToday, waiting: s.waiting,
                serving: s.serving, openWindows: windows.filter { $0.status != "closed" }.count,
                idleWindows: windows.filter { $0.status == "idle" }.count, noShows: s.noShowsToday, longestWait: wait(s.longestWaitSeconds),
                groups: s.groups.map {
                    .init(
                        prefix: $0.prefix, name: $0.name, waiting: $0.waiting, serving: $0.serving, openWindows: $0.openWindows,
                        longestWait: wait($0.longestWaitSeconds))
                }, windows: windows,
                alerts: s.alerts.map { a in
                    let name = s.groups.first { $0.prefix == a.group }.map { "\($0.prefix) \($0.name)" } ?? a.group
                    return a.kind == "noOpenWindow"
                        ? req.t("queue.alert.noOpenWindow", ["group": name, "n": String(a.waiting ?? 0)])
                        : req.t(
                            "queue.alert.overTarget",
                            ["group": name, "n": String((a.waitedSeconds ?? 0) / 60), "target": String(s.waitTargetMinutes)])
                })
            return try await req.page("queue/manage", title: req.t("queue.manage.title"), view)
        }
        r.endpoint(.GET, "manage", "hall", "report", access: QueueReports.access) { req in
            let scope = try await req.scope()
            let center = try await req.hallCenter(scope)
            let hall = try await req.application.halls.config(for: center, on: req.db)
            let today = HallClock.day(req.now)
            let from: String? = req.query["from"]
            let to: String? = req.query["to"]
            let by: String? = req.query["by"]
            var errors: [String] = []
            var report: QueueReportDTO?
            do {
                let (range, dim) = try QueueReports.parse(from: from, to: to, by: by, today: today)
                report = try await QueueReports.report(hall: hall, range: range, by: dim, req: req)
            } catch let v as ValidationFailure {
                errors = v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
            }
            let columns = QueueReports.columnKeys.map { req.t($0) }
            func cells(_ r: QueueReport.Row) -> [ReportView.Cell] {
                QueueReports.cells(r, none: "—").enumerated().map { .init(text: $1, numeric: $0 > 0) }
            }
            let chosenBy = report?.by ?? by ?? "group"
            let stamp = DateFormatter()
            stamp.timeZone = HallClock.zone
            stamp.dateFormat = "yyyy-MM-dd HH:mm"
            var csv = URLComponents()
            csv.path = "/api/v1/centers/\(center)/queue/report"
            csv.queryItems = [
                .init(name: "from", value: report?.from ?? today.description), .init(name: "to", value: report?.to ?? today.description),
                .init(name: "by", value: chosenBy), .init(name: "format", value: "csv"),
            ]
            let view = ReportView(
                centerID: center.uuidString, centerName: hall.centerName,
                centerOptions: req.centerOptions(scope, selected: center.uuidString), from: report?.from ?? from ?? today.description,
                to: report?.to ?? to ?? today.description,
                byOptions: QueueReports.Dimension.allCases.map {
                    .init(value: $0.rawValue, label: req.t("queue.report.by.\($0.rawValue)"), selected: $0.rawValue == chosenBy)
                }, columns: columns, rows: report?.rows.map(cells) ?? [], total: report.map { cells($0.total) } ?? [],
                csvHref: csv.string ?? "", errors: errors, charts: report.map { QueueReportCharts.charts($0, req: req) } ?? [],
                printed: req.t(
                    "queue.report.printed",
                    [
                        "from": report?.from ?? "", "to": report?.to ?? "", "at": stamp.string(from: req.now),
                        "zone": HallClock.zone.identifier,
                    ]))
            return try await req.page(
                "queue/report", title: req.t("queue.report.title"), view, status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
    }
}
