import Fluent
import Foundation
import OneStopCore
import Vapor

/// The hall's own rules (issue 23): the center's 文明用语规范 — published on its website and rotated
/// on the hall board and the window screens; a patrol's or an inspection's finding can cite a
/// banned phrase — and the window units' weekly summaries (一周一小结, late ones counted) and the
/// volunteer ledger (志愿服务台帐).
enum HallRulesService {
    static let unitKeepers = Access.only(.centerAdmin, .chiefRepresentative)
    static let unitReaders = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice)

    struct Courtesy: Content {
        var centerID: UUID
        var polite: [String]
        var banned: [String]
    }

    struct CourtesyInput: Content {
        var polite: [String]?
        var banned: [String]?
    }

    static func courtesy(_ center: UUID, on db: any Database) async throws -> CenterRulesModel.Courtesy {
        try await CenterRulesModel.find(center, on: db)?.courtesyValue ?? .defaults
    }

    /// Checks a cited phrase against the center's banned list; "" and nil cite none.
    static func cited(
        _ raw: String?, center: UUID, field: String, on db: any Database, _ v: inout OneStopCore.Validator
    ) async throws
        -> String?
    {
        guard let phrase = raw?.trimmingCharacters(in: .whitespaces), !phrase.isEmpty else { return nil }
        if try await !courtesy(center, on: db).banned.contains(phrase) { v.add(field, "hall.notBanned") }
        return phrase
    }

    /// The center's banned phrases as a form's choices, "none cited" first.
    static func bannedOptions(_ center: UUID, selected: String? = nil, req: Request) async throws -> [FormView.Option] {
        let chosen = selected ?? ""
        return [FormView.Option(value: "", label: req.t("hall.noPhrase"), selected: chosen.isEmpty)]
            + (try await courtesy(center, on: req.db)).banned.map { FormView.Option(value: $0, label: $0, selected: $0 == chosen) }
    }

    struct PhraseCount: Content {
        var phrase: String
        var count: Int
    }

    /// How many complaints of the last 90 days cite each banned phrase, most cited first.
    static func phraseComplaints(_ center: UUID, req: Request) async throws -> [PhraseCount] {
        let since = HallClock.millis(req.now) - 90 * 86_400_000
        let cited = try await WorkOrderModel.query(on: req.db).filter(\.$centerID == center).filter(\.$phrase != nil)
            .filter(\.$receivedAt >= since).all(\.$phrase)
        var counts: [String: Int] = [:]
        for case let phrase? in cited { counts[phrase, default: 0] += 1 }
        return counts.map { PhraseCount(phrase: $0.key, count: $0.value) }.sorted { ($1.count, $0.phrase) < ($0.count, $1.phrase) }
    }

    /// A finding's text with the banned phrase it cites, as the pages show it.
    static func withPhrase(_ text: String, _ phrase: String?, req: Request) -> String {
        text + (phrase.map { req.t("punct.open") + req.t("field.phrase") + req.t("punct.colon") + $0 + req.t("punct.close") } ?? "")
    }

    static func setCourtesy(_ center: UUID, _ input: CourtesyInput, req: Request) async throws -> Courtesy {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        guard try await CenterModel.find(center, on: req.db) != nil else { throw Abort(.notFound) }
        let current = try await courtesy(center, on: req.db)
        let polite = (input.polite ?? current.polite).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let banned = (input.banned ?? current.banned).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let errors = HallRules.phraseProblems(polite, field: "polite") + HallRules.phraseProblems(banned, field: "banned")
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let millis = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            let rules = try await CenterRulesModel.find(center, on: db) ?? CenterRulesModel.fresh(center)
            rules.courtesyValue = .init(polite: polite, banned: banned)
            rules.updatedBy = p.displayName
            rules.updatedAt = millis
            try await rules.store(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "hall.courtesy", "center", id: center, center: center,
                        detail: ["polite": String(polite.count), "banned": String(banned.count)])
                ]
            )
        }
        return Courtesy(centerID: center, polite: polite, banned: banned)
    }

    // MARK: weekly summaries

    struct SummaryInput: Content {
        var week: String?
        var summary: String?
    }

    struct Summary: Content {
        var id: UUID
        var departmentID: UUID
        var department: String
        var week: String
        var summary: String
        var late: Bool
        var filedBy: String
    }

    struct UnitWeeks: Content {
        var departmentID: UUID
        var department: String
        var onTime: Int
        var late: Int
        var missing: Int
        /// Week (its Monday) → on_time, late, missing or open.
        var weeks: [String: String]
    }

    struct Summaries: Content {
        var weeks: [String]
        var units: [UnitWeeks]
        var summaries: [Summary]
    }

    enum FileOutcome {
        case filed(WeeklySummaryModel)
        case already
    }

    static func fileSummary(_ departmentID: UUID, _ input: SummaryInput, req: Request) async throws -> Summary {
        let p = try req.requirePrincipal()
        guard let d = try await DepartmentModel.find(departmentID, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(d.centerID)
        if p.role == .chiefRepresentative && p.departmentID != departmentID { throw Abort(.forbidden) }
        var v = Validator()
        let today = HallClock.day(req.now)
        let day = WindowStaffService.date(input.week, "week", required: false, &v) ?? today
        let week = HallRules.monday(of: day)
        let summary = v.text("summary", input.summary, max: 4000, required: false)
        for e in HallRules.summaryProblems(week: week, today: today, summary: summary) { v.add(e.field, e.code) }
        guard v.errors.isEmpty else { throw ValidationFailure(v.errors) }
        let m = WeeklySummaryModel()
        m.id = UUID.timeOrdered()
        m.centerID = d.centerID
        m.departmentID = departmentID
        m.week = week.description
        m.summary = summary
        m.late = today > week.adding(days: 6)
        m.filedBy = p.displayName
        m.filedAt = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (FileOutcome, [AuditEvent]) in
            if try await WeeklySummaryModel.query(on: db).filter(\.$departmentID == departmentID).filter(\.$week == m.week).first() != nil {
                return (.already, [])
            }
            try await m.storeNew(on: db)
            return (
                .filed(m),
                [
                    AuditEvent(
                        "hall.summary", "weekly_summary", id: m.id, center: d.centerID,
                        detail: ["department": departmentID.uuidString, "week": m.week, "late": String(m.late)])
                ]
            )
        }
        switch outcome {
        case .already: throw Abort(.conflict, reason: req.t("hall.summaryFiled"))
        case .filed(let m):
            return Summary(
                id: m.id!, departmentID: departmentID, department: d.name, week: m.week, summary: m.summary, late: m.late,
                filedBy: m.filedBy)
        }
    }

    /// The last `count` weeks of a center's window units: filed on time, late, missing.
    static func summaries(_ center: UUID, weeks count: Int, req: Request) async throws -> Summaries {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        let today = HallClock.day(req.now)
        let thisWeek = HallRules.monday(of: today)
        let weeks = (0..<count).map { thisWeek.adding(days: -7 * $0) }
        var departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        if p.role == .chiefRepresentative { departments = departments.filter { $0.id == p.departmentID } }
        let rows = try await WeeklySummaryModel.query(on: req.db).filter(\.$centerID == center)
            .filter(\.$week >= (weeks.last ?? thisWeek).description).all()
        var names: [UUID: String] = [:]
        for d in departments { names[d.id!] = d.name }
        // Counting starts with the earliest week any unit of the center filed for: before it the
        // center kept no summaries here, and its weeks are not counted as missing.
        let start = try await WeeklySummaryModel.query(on: req.db).filter(\.$centerID == center).sort(\.$week).first()?.week
        let units = departments.map { d -> UnitWeeks in
            var u = UnitWeeks(departmentID: d.id!, department: d.name, onTime: 0, late: 0, missing: 0, weeks: [:])
            for w in weeks {
                guard let start, w.description >= start else {
                    u.weeks[w.description] = "before"
                    continue
                }
                let filed = rows.first { $0.departmentID == d.id && $0.week == w.description }
                let status = BrandPractice.status(
                    .init(start: w, end: w.adding(days: 6)),
                    filedOn: filed.map { HallClock.day(Date(timeIntervalSince1970: Double($0.filedAt) / 1000)) }, today: today)
                u.weeks[w.description] = status.rawValue
                switch status {
                case .onTime: u.onTime += 1
                case .late: u.late += 1
                case .missing: u.missing += 1
                case .open: break
                }
            }
            return u
        }
        return Summaries(
            weeks: weeks.map(\.description), units: units,
            summaries: rows.filter { names[$0.departmentID] != nil }.sorted { $0.week > $1.week }.map {
                Summary(
                    id: $0.id!, departmentID: $0.departmentID, department: names[$0.departmentID] ?? "", week: $0.week, summary: $0.summary,
                    late: $0.late, filedBy: $0.filedBy)
            })
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "centers", ":id", "courtesy-phrases", access: .public,
            operation: .init(
                id: "listCourtesyPhrases", summary: "The center's 文明用语规范: the polite expressions and the banned phrases, as published",
                tag: "Center", response: "CourtesyPhrases")
        ) { req -> Courtesy in
            let center = try req.uuid("id")
            guard try await CenterModel.find(center, on: req.db) != nil else { throw Abort(.notFound) }
            let c = try await courtesy(center, on: req.db)
            return Courtesy(centerID: center, polite: c.polite, banned: c.banned)
        }
        api.endpoint(
            .PUT, "centers", ":id", "courtesy-phrases", access: .admins,
            operation: .init(
                id: "setCourtesyPhrases",
                summary: "Sets the center's 文明用语规范 (either list or both); the hall board and window screens rotate the polite ones",
                tag: "Center", request: "CourtesyPhrasesInput", response: "CourtesyPhrases")
        ) { req in try await setCourtesy(try req.uuid("id"), try req.content.decode(CourtesyInput.self), req: req) }
        api.endpoint(
            .POST, "departments", ":id", "weekly-summaries", access: unitKeepers,
            operation: .init(
                id: "fileWeeklySummary",
                summary:
                    "Files a window unit's weekly summary (一周一小结) for the week of the day given (default: this week), once; filed after the week's Sunday it counts as late",
                tag: "Center", request: "WeeklySummaryInput", response: "WeeklySummary", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await fileSummary(try req.uuid("id"), try req.content.decode(SummaryInput.self), req: req), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "weekly-summaries", access: unitReaders,
            operation: .init(
                id: "listWeeklySummaries",
                summary: "The window units' weekly summaries of the last weeks, with each unit's count on time, late and missing",
                tag: "Center", response: "WeeklySummaries",
                query: [.init(name: "weeks", type: "integer", description: "how many weeks back, this one included; default 8, at most 53")]
            )
        ) { req in
            let n = req.query[Int.self, at: "weeks"] ?? 8
            guard (1...53).contains(n) else { throw ValidationFailure([FieldError("weeks", "hall.weeksRange")]) }
            return try await summaries(try req.uuid("id"), weeks: n, req: req)
        }
        api.endpoint(
            .POST, "centers", ":id", "volunteer-services", access: unitKeepers,
            operation: .init(
                id: "recordVolunteerService",
                summary:
                    "Records a volunteer service in the hall (志愿服务台帐): who, the day, what, the hours; a chief representative's counts for their department",
                tag: "Center", request: "VolunteerServiceInput", response: "VolunteerService", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await recordVolunteer(try req.uuid("id"), try req.content.decode(VolunteerInput.self), req: req), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "volunteer-services", access: unitReaders,
            operation: .init(
                id: "listVolunteerServices", summary: "The center's volunteer ledger, the latest first, with the hours and people counted",
                tag: "Center", response: "VolunteerLedger")
        ) { req in try await ledger(try req.uuid("id"), req: req) }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let strings: JSONValue = ["type": "array", "items": O.string]
        let summary = O.object([
            "id": O.uuid, "departmentID": O.uuid, "department": O.string, "week": O.date, "summary": O.string, "late": O.bool,
            "filedBy": O.string,
        ])
        let volunteer = O.object([
            "id": O.uuid, "volunteer": O.string, "day": O.date, "activity": O.string, "hours": ["type": "number"],
            "department": O.optionalString, "recordedBy": O.string,
        ])
        return [
            "CourtesyPhrases": O.object(["centerID": O.uuid, "polite": strings, "banned": strings]),
            "CourtesyPhrasesInput": O.object(["polite": strings, "banned": strings]),
            "WeeklySummary": summary,
            "WeeklySummaryInput": O.object(["week": O.date, "summary": O.string], required: ["summary"]),
            "WeeklySummaries": O.object([
                "weeks": ["type": "array", "items": O.date],
                "units": [
                    "type": "array",
                    "items": O.object([
                        "departmentID": O.uuid, "department": O.string, "onTime": O.integer, "late": O.integer, "missing": O.integer,
                        "weeks": ["type": "object", "additionalProperties": O.string],
                    ]),
                ],
                "summaries": ["type": "array", "items": summary],
            ]),
            "VolunteerService": volunteer,
            "VolunteerServiceInput": O.object(
                [
                    "volunteer": O.string, "day": O.date, "activity": O.string,
                    "hours": ["type": "number", "minimum": .number(0.5), "maximum": 24], "departmentID": O.optionalUUID,
                ], required: ["volunteer", "day", "activity", "hours"]),
            "VolunteerLedger": O.object([
                "totalHours": ["type": "number"], "people": O.integer, "entries": ["type": "array", "items": volunteer],
            ]),
        ]
    }()
}
