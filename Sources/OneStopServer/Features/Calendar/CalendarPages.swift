import Fluent
import Foundation
import OneStopCore
import Vapor

/// The year view of a center's calendar: twelve month grids, each day a link to edit it.
struct CalendarYearView: Encodable {
    /// One cell of a month grid; `day == 0` is a blank before the 1st or after the last day.
    struct Day: Encodable {
        var day: Int
        var date: String
        var kind: String
        var kindLabel: String
        var name: String?

        static let blank = Day(day: 0, date: "", kind: "blank", kindLabel: "", name: nil)
    }

    struct Month: Encodable {
        var title: String
        var weeks: [[Day]]
    }

    var centerID: String
    var centerName: String
    var year: Int
    var previousYear: Int
    var nextYear: Int
    var weekdays: [String]
    var months: [Month]
    var canEdit: Bool
    var centerOptions: [FormView.Option]
    var importErrors: [String]
    var legend: [Day]
    /// Whether the year's national arrangement is imported, and from where.
    var provisional: Bool
    var yearStatus: String
    /// Arrived from the banner: the import form is set for the national arrangement.
    var importNational: Bool
    var retimings: [RetimingRow]
}

/// A re-timing job in a list.
struct RetimingRow: Encodable {
    var id: String
    var created: String
    var label: String
    var status: String
    var statusLabel: String
    var counts: String
}

/// One re-timing job and the first cases it moved.
struct RetimingView: Encodable {
    struct Moved: Encodable {
        var id: String
        var number: String
        var what: String
        var from: String
        var to: String
    }

    var row: RetimingRow
    var running: Bool
    var error: String
    var moved: [Moved]
    var more: Int
    var back: String
}

enum CalendarPages {
    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "admin", "calendar", access: .staff) { req in
            try await yearPage(req, importErrors: [])
        }
        r.endpoint(.GET, "admin", "calendar", "day", access: .admins) { req in
            try await dayForm(req, values: FormValues(req.query.decode([String: String].self)), failure: nil)
        }
        r.endpoint(.POST, "admin", "calendar", "day", access: .admins) { req -> Response in
            let f = try FormValues(req)
            do {
                var errors: [FieldError] = []
                let center = parseUUID(f["center"], field: "center", errors: &errors)
                let national = f["scope"] == "national"
                guard let date = CivilDate(f["date"] ?? "") else { throw ValidationFailure([FieldError("date", "date")]) }
                if !errors.isEmpty { throw ValidationFailure(errors) }
                let kind = try CalendarAPIController.parseKind(f["kind"])
                let outcome = try await CalendarService.setDay(
                    centerID: national ? nil : center, date: date, kind: kind, name: f["name"] ?? "", req: req)
                req.flash(req.t("flash.saved"))
                if let job = outcome.retiming { return req.redirect(to: "/admin/calendar/retimings/\(job)") }
                return req.redirect(to: "/admin/calendar?center=\(center?.uuidString ?? "")&year=\(date.year)")
            } catch let v as ValidationFailure {
                return try await dayForm(req, values: f, failure: v)
            }
        }
        r.endpoint(.GET, "admin", "calendar", "retimings", ":id", access: .staff) { req in
            try await retimingPage(req)
        }
        r.endpoint(.POST, "admin", "calendar", "import", access: .admins) { req -> Response in
            struct Upload: Content {
                var year: String?
                var scope: String?
                var center: String?
                var source: String?
                var file: File?
            }
            let u = try req.content.decode(Upload.self)
            let center = u.center.flatMap(UUID.init(uuidString:))
            do {
                guard let year = u.year.flatMap({ Int($0) }) else { throw ValidationFailure([FieldError("year", "number")]) }
                guard let file = u.file, file.data.readableBytes > 0,
                    let text = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes)
                else { throw ValidationFailure([FieldError("file", "required")]) }
                let outcome = try await CalendarService.importYear(
                    centerID: u.scope == "national" ? nil : center, year: year, text: text, source: u.source, req: req)
                req.flash(req.t("calendar.imported", ["n": String(outcome.days), "year": String(year)]))
                if let job = outcome.retiming { return req.redirect(to: "/admin/calendar/retimings/\(job)") }
                return req.redirect(to: "/admin/calendar?center=\(center?.uuidString ?? "")&year=\(year)")
            } catch let v as ValidationFailure {
                let lang = req.language
                let messages = v.errors.map { e in
                    e.field.hasPrefix("line ")
                        ? req.t(
                            "calendar.lineError",
                            ["line": String(e.field.dropFirst(5)), "message": req.t("error.\(e.code)", ["field": ""])])
                        : req.application.catalog.fieldMessage(e, lang)
                }
                return try await yearPage(req, importErrors: messages, status: .unprocessableEntity)
            }
        }
    }

    static func yearPage(_ req: Request, importErrors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        let today = CivilDate.of(req.now)
        let year = req.query[Int.self, at: "year"].flatMap { (1990...2150).contains($0) ? $0 : nil } ?? today.year
        let cal = try await req.application.calendars.calendar(for: center, on: req.db)
        let months = (1...12).map { m -> CalendarYearView.Month in
            let days = cal.month(year: year, month: m)
            var cells = Array(repeating: CalendarYearView.Day.blank, count: days[0].date.weekday - 1)
            cells += days.map { d in
                .init(
                    day: d.date.day, date: d.date.description, kind: d.kind.rawValue, kindLabel: req.t("day.\(d.kind.rawValue)"),
                    name: d.name)
            }
            while cells.count % 7 != 0 { cells.append(.blank) }
            let weeks = stride(from: 0, to: cells.count, by: 7).map { Array(cells[$0..<$0 + 7]) }
            return .init(title: req.t("calendar.month.\(m)"), weeks: weeks)
        }
        let view = CalendarYearView(
            centerID: center.uuidString, centerName: scope.tree.nodes[center]?.name ?? "", year: year, previousYear: year - 1,
            nextYear: year + 1,
            weekdays: (1...7).map { req.t("calendar.weekday.\($0)") }, months: months,
            canEdit: req.principal?.role == .centerAdmin, centerOptions: req.centerOptions(scope, selected: center.uuidString),
            importErrors: importErrors,
            legend: DayKind.allCases.map { .init(day: 0, date: "", kind: $0.rawValue, kindLabel: req.t("day.\($0.rawValue)"), name: nil) },
            provisional: cal.provisionalYears.contains(year), yearStatus: try await yearStatus(year, req: req),
            importNational: req.query[String.self, at: "scope"] == "national",
            retimings: try await RetimingDTO.list(req).prefix(5).map { row($0, req) })
        return try await req.page("calendar/year", title: req.t("nav.calendar"), view, status: status)
    }

    static func yearStatus(_ year: Int, req: Request) async throws -> String {
        guard let c = try await req.application.calendars.confirmedYears(on: req.db)[year] else {
            return req.t("calendar.yearProvisional", ["year": String(year)])
        }
        if c.importedBy == "system" { return req.t("calendar.yearShipped", ["year": String(year), "source": c.source]) }
        let when = HallClock.day(Date(timeIntervalSince1970: Double(c.importedAt) / 1000)).description
        return req.t("calendar.yearConfirmed", ["year": String(year), "source": c.source, "date": when])
    }

    static func row(_ j: RetimingDTO, _ req: Request) -> RetimingRow {
        let f = DateFormatter()
        f.timeZone = HallClock.zone
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let span = j.firstDay == j.lastDay ? j.firstDay : "\(j.firstDay) – \(j.lastDay)"
        return RetimingRow(
            id: j.id.uuidString, created: f.string(from: j.createdAt),
            label: req.t("calendar.retiming.cause.\(j.cause)", ["days": span, "n": String(j.days)]), status: j.status,
            statusLabel: req.t("calendar.retiming.status.\(j.status)"),
            counts: req.t(
                "calendar.retiming.counts",
                ["cases": String(j.cases), "tasks": String(j.tasks), "steps": String(j.steps), "withdrawn": String(j.withdrawn)]))
    }

    static func retimingPage(_ req: Request) async throws -> Response {
        let job = try await RetimingDTO.one(try req.uuid("id"), req)
        let labels = [
            "promised": "calendar.retiming.what.promised", "special": "calendar.retiming.what.special",
            "task": "calendar.retiming.what.task",
        ]
        let moved = (job.sample ?? []).map {
            RetimingView.Moved(
                id: $0.id.uuidString, number: $0.number, what: req.t(labels[$0.what] ?? "calendar.retiming.what.step"), from: $0.from,
                to: $0.to)
        }
        let total = job.cases + job.tasks + job.steps
        let year = CivilDate(job.firstDay)?.year ?? HallClock.day(req.now).year
        let view = RetimingView(
            row: row(job, req), running: job.status == "pending" || job.status == "running", error: job.error, moved: moved,
            more: max(0, total - moved.count), back: "/admin/calendar?center=\(job.centerID?.uuidString ?? "")&year=\(year)")
        let response = try await req.page("calendar/retiming", title: req.t("calendar.retiming.heading"), view)
        // Follows the job to completion without script.
        if view.running { response.headers.replaceOrAdd(name: "Refresh", value: "2") }
        return response
    }

    static func dayForm(_ req: Request, values: FormValues, failure: ValidationFailure?) async throws -> Response {
        let scope = try await req.scope()
        let center = values["center"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
        try scope.require(center)
        let date = CivilDate(values["date"] ?? "") ?? CivilDate.of(req.now)
        let cal = try await req.application.calendars.calendar(for: center, on: req.db)
        let kind =
            values["kind"]
            ?? {
                let k = cal.kind(of: date)
                return k == .workday || k == .weekend ? "normal" : k.rawValue
            }()
        let isTop = scope.tree.nodes[scope.principal.centerID]?.parentID == nil
        var scopes = [
            FormView.Option(value: "center", label: scope.tree.nodes[center]?.name ?? "", selected: values["scope"] != "national")
        ]
        if isTop { scopes.append(.init(value: "national", label: req.t("calendar.national"), selected: values["scope"] == "national")) }
        var view = FormView(
            heading: req.t("calendar.editDay", ["date": date.description]), action: "/admin/calendar/day",
            submitLabel: req.t("action.save"),
            cancelHref: "/admin/calendar?center=\(center)&year=\(date.year)",
            fields: [
                .init(name: "center", label: "", type: "hidden", value: center.uuidString),
                .init(name: "date", label: req.t("field.date"), type: "date", value: date.description, required: true),
                .init(name: "scope", label: req.t("field.scope"), type: "select", options: scopes),
                .init(
                    name: "kind", label: req.t("field.kind"), type: "select",
                    options: ["normal", "holiday", "makeup_workday", "closure"].map {
                        .init(value: $0, label: req.t("day.\($0)"), selected: $0 == kind)
                    }),
                .init(
                    name: "name", label: req.t("field.dayName"), type: "text", value: values["name"] ?? cal.name(of: date) ?? "",
                    hint: req.t("hint.dayName"), max: 60),
            ])
        if let failure { view.attach(failure, req: req) }
        return try await req.page("admin/form", title: view.heading, view, status: failure == nil ? .ok : .unprocessableEntity)
    }
}
