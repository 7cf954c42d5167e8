import Fluent
import Foundation
import OneStopCore
import Vapor

struct CalendarDayDTO: Content {
    var date: String
    var kind: String
    var isWorkingDay: Bool
    var name: String?
    /// The day's year has no imported national arrangement: only its statutory days are off.
    var provisional: Bool
    /// After a change: the job re-timing the open clocks that span the day.
    var retimingID: UUID?

    init(_ cal: WorkCalendar, _ date: CivilDate, retimingID: UUID? = nil) {
        let kind = cal.kind(of: date)
        self.date = date.description
        self.kind = kind.rawValue
        self.isWorkingDay = kind.isWorkingDay
        self.name = cal.name(of: date)
        self.provisional = cal.isProvisional(date)
        self.retimingID = retimingID
    }
}

struct SetDayInput: Content {
    var kind: String?
    var name: String?
}

/// Calendar arithmetic is public: anyone may ask when a time limit ends.
enum CalendarAPIController {
    static func register(_ api: any RoutesBuilder) {
        let c = api.grouped("centers", ":id", "calendar")
        c.endpoint(
            .GET, "days", ":date", access: .public,
            operation: .init(
                id: "getCalendarDay", summary: "What a date is on a center's calendar", tag: "Calendar", response: "CalendarDay")
        ) { req in
            let (cal, _) = try await calendar(req)
            let date = try civilDate(req.parameters.get("date"), field: "date")
            try inSpan(cal, date)
            return CalendarDayDTO(cal, date)
        }
        c.endpoint(
            .PUT, "days", ":date", access: .admins,
            operation: .init(
                id: "setCalendarDay", summary: "Make a day a holiday, make-up workday or closure; kind \"normal\" clears it",
                tag: "Calendar", request: "SetDayInput", response: "CalendarDay")
        ) { req in
            let centerID = try req.uuid("id")
            let date = try civilDate(req.parameters.get("date"), field: "date")
            let input = try req.content.decode(SetDayInput.self)
            let kind = try parseKind(input.kind)
            let outcome = try await CalendarService.setDay(centerID: centerID, date: date, kind: kind, name: input.name ?? "", req: req)
            let cal = try await req.application.calendars.calendar(for: centerID, on: req.db)
            return CalendarDayDTO(cal, date, retimingID: outcome.retiming)
        }
        c.endpoint(
            .GET, "add-working-days", access: .public,
            operation: .init(
                id: "addWorkingDays", summary: "The date N working days after start (before it when N < 0)", tag: "Calendar",
                response: "WorkingDaySum",
                query: [
                    .init(name: "start", type: "string", format: "date", required: true, description: "YYYY-MM-DD"),
                    .init(name: "days", type: "integer", required: true, description: "-10000…10000"),
                ])
        ) { req in
            let (cal, _) = try await calendar(req)
            var errors: [FieldError] = []
            let start = queryDate(req, "start", &errors)
            let days = req.query[String.self, at: "days"].flatMap { Int($0) }
            if days == nil || !(-10000...10000).contains(days!) { errors.append(FieldError("days", "calendar.daysRange")) }
            guard errors.isEmpty, let start, let days else { throw ValidationFailure(errors) }
            try inSpan(cal, start)
            guard let result = cal.addWorkingDays(days, to: start) else {
                throw ValidationFailure([FieldError("days", "calendar.outOfRange")])
            }
            return WorkingDaySum(
                start: start.description, days: days, result: result.description, provisional: cal.isProvisional(from: start, to: result))
        }
        c.endpoint(
            .GET, "count-working-days", access: .public,
            operation: .init(
                id: "countWorkingDays", summary: "Working days after `from` up to and including `to`", tag: "Calendar",
                response: "WorkingDayCount",
                query: [
                    .init(name: "from", type: "string", format: "date", required: true, description: "YYYY-MM-DD"),
                    .init(name: "to", type: "string", format: "date", required: true, description: "YYYY-MM-DD"),
                ])
        ) { req in
            let (cal, _) = try await calendar(req)
            var errors: [FieldError] = []
            let from = queryDate(req, "from", &errors)
            let to = queryDate(req, "to", &errors)
            guard errors.isEmpty, let from, let to else { throw ValidationFailure(errors) }
            try inSpan(cal, from)
            try inSpan(cal, to)
            return WorkingDayCount(
                from: from.description, to: to.description, workingDays: cal.countWorkingDays(from: from, to: to) ?? 0,
                provisional: cal.isProvisional(from: from, to: to))
        }
        api.endpoint(
            .POST, "calendar", "import", access: .admins,
            operation: .init(
                id: "importCalendar",
                summary:
                    "Replace one year of a calendar from CSV (date,kind,name) or iCalendar text; centerID omitted means the national calendar",
                tag: "Calendar", request: "CalendarFile", response: "CalendarImportResult",
                query: [
                    .init(name: "year", type: "integer", required: true), .init(name: "centerID", type: "string"),
                    .init(name: "source", type: "string", description: "Where the arrangement comes from: the notice's title and date"),
                ])
        ) { req in
            guard let year = req.query[Int.self, at: "year"] else { throw ValidationFailure([FieldError("year", "required")]) }
            var errors: [FieldError] = []
            let center = parseUUID(req.query[String.self, at: "centerID"], field: "centerID", errors: &errors)
            if !errors.isEmpty { throw ValidationFailure(errors) }
            let text = req.body.string ?? ""
            let outcome = try await CalendarService.importYear(
                centerID: center, year: year, text: text, source: req.query[String.self, at: "source"], req: req)
            return CalendarImportResult(year: year, days: outcome.days, retimingID: outcome.retiming)
        }
        c.endpoint(
            .GET, "years", access: .public,
            operation: .init(
                id: "getCalendarYears",
                summary: "Each year from five years back to two ahead: confirmed by an imported national arrangement, or provisional",
                tag: "Calendar", response: "CalendarYears")
        ) { req in
            let (_, center) = try await calendar(req)
            return try await CalendarYearsDTO.load(center: center, req: req)
        }
        api.endpoint(
            .GET, "calendar", "retimings", access: .staff,
            operation: .init(
                id: "listCalendarRetimings",
                summary:
                    "The re-timing jobs after calendar changes, newest first, with their counts of cases, tasks and withdrawn warnings",
                tag: "Calendar", response: "CalendarRetimingList",
                query: [.init(name: "limit", type: "integer", description: "1…100, default 20")])
        ) { req in
            try await RetimingDTO.list(req)
        }
        api.endpoint(
            .GET, "calendar", "retimings", ":id", access: .staff,
            operation: .init(
                id: "getCalendarRetiming", summary: "One re-timing job with the first cases it moved", tag: "Calendar",
                response: "CalendarRetiming")
        ) { req in
            try await RetimingDTO.one(try req.uuid("id"), req)
        }
    }

    static func calendar(_ req: Request) async throws -> (WorkCalendar, UUID) {
        let id = try req.uuid("id")
        return (try await req.application.calendars.calendar(for: id, on: req.db), id)
    }

    /// A `YYYY-MM-DD` query parameter; a missing or malformed one is an error on that field.
    static func queryDate(_ req: Request, _ name: String, _ errors: inout [FieldError]) -> CivilDate? {
        let date = CivilDate(req.query[String.self, at: name] ?? "")
        if date == nil { errors.append(FieldError(name, "date")) }
        return date
    }

    static func civilDate(_ text: String?, field: String) throws -> CivilDate {
        guard let t = text, let d = CivilDate(t) else { throw ValidationFailure([FieldError(field, "date")]) }
        return d
    }

    static func inSpan(_ cal: WorkCalendar, _ d: CivilDate) throws {
        if !cal.contains(d) { throw ValidationFailure([FieldError("date", "calendar.outOfRange")]) }
    }

    static func parseKind(_ raw: String?) throws -> DayOverride.Kind? {
        guard let raw, raw != "normal" else { return nil }
        guard let k = DayOverride.Kind(rawValue: raw) else { throw ValidationFailure([FieldError("kind", "invalidChoice")]) }
        return k
    }
}

struct WorkingDaySum: Content {
    var start: String
    var days: Int
    var result: String
    /// The count runs through a provisional year.
    var provisional: Bool
}

struct WorkingDayCount: Content {
    var from: String
    var to: String
    var workingDays: Int
    var provisional: Bool
}

struct CalendarImportResult: Content {
    var year: Int
    var days: Int
    var retimingID: UUID?
}
