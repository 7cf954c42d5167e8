import Fluent
import Foundation
import OneStopCore
import Vapor

/// The duty rota (issue 23): the leader on duty (值班领导) for each working day and the department
/// heads on the floor (部门领导带班), planned by the center's administrator a week or a month at a
/// time; taking a day from a leader already on it is a swap, with its reason in the audit log.
enum DutyService {
    /// Who plans the rota and the center's rules.
    static let planners = Access.only(.centerAdmin)
    /// Who may be the leader on duty: the center's leadership.
    static let leaderRoles: Set<Role> = [.centerAdmin, .supervisor]

    struct Person: Content, Equatable {
        var userID: UUID
        var name: String
        var departmentID: UUID?
        var department: String?
    }

    struct Day: Content {
        var day: String
        var working: Bool
        var leader: Person?
        var floor: [Person]
    }

    struct Rota: Content {
        var centerID: UUID
        var from: String
        var to: String
        var patrolsPerDay: Int
        var days: [Day]
    }

    struct DayInput: Content {
        var day: String?
        var leader: UUID?
        var floor: [UUID]?
    }

    struct Input: Content {
        var rota: [DayInput]?
        var reason: String?
        var patrolsPerDay: Int?
    }

    static func patrolsPerDay(_ center: UUID, on db: any Database) async throws -> Int {
        try await CenterRulesModel.find(center, on: db)?.patrolsPerDay ?? DutyRules.defaultPatrolsPerDay
    }

    /// The days `from`…`to` with who is on them.
    static func rota(_ center: UUID, from: CivilDate, to: CivilDate, on db: any Database, req: Request) async throws -> Rota {
        let cal = try await req.application.calendars.calendar(for: center, on: db)
        let shifts = try await DutyShiftModel.query(on: db).filter(\.$centerID == center)
            .filter(\.$day >= from.description).filter(\.$day <= to.description).all()
        let people = try await names(Set(shifts.map(\.userID)), departments: Set(shifts.compactMap(\.departmentID)), on: db)
        var days: [Day] = []
        var d = from
        while d <= to {
            let mine = shifts.filter { $0.day == d.description }
            func person(_ s: DutyShiftModel) -> Person {
                Person(
                    userID: s.userID, name: people.users[s.userID] ?? "", departmentID: s.departmentID,
                    department: s.departmentID.flatMap { people.departments[$0] })
            }
            days.append(
                Day(
                    day: d.description, working: cal.isWorkingDay(d),
                    leader: mine.first { $0.kind == DutyRules.Kind.leader.rawValue }.map(person),
                    floor: mine.filter { $0.kind == DutyRules.Kind.floor.rawValue }.map(person).sorted { $0.name < $1.name }))
            d = d.adding(days: 1)
        }
        return Rota(
            centerID: center, from: from.description, to: to.description, patrolsPerDay: try await patrolsPerDay(center, on: db),
            days: days)
    }

    static func names(
        _ users: Set<UUID>, departments: Set<UUID>, on db: any Database
    ) async throws -> (
        users: [UUID: String], departments: [UUID: String]
    ) {
        var u: [UUID: String] = [:]
        if !users.isEmpty {
            for m in try await UserModel.query(on: db).filter(\.$id ~~ Array(users)).all() { u[m.id!] = m.displayName }
        }
        var d: [UUID: String] = [:]
        if !departments.isEmpty {
            for m in try await DepartmentModel.query(on: db).filter(\.$id ~~ Array(departments)).all() { d[m.id!] = m.name }
        }
        return (u, d)
    }

    /// Who is on duty on `day`: the leader and the heads on the floor.
    static func onDuty(_ center: UUID, day: CivilDate, req: Request) async throws -> Day {
        try await rota(center, from: day, to: day, on: req.db, req: req).days[0]
    }

    /// The span asked for (`from`, `to`), by default this week and the next; `past`: by default
    /// the two weeks up to today.
    static func span(_ req: Request, past: Bool = false) throws -> (CivilDate, CivilDate) {
        let today = HallClock.day(req.now)
        var errors: [FieldError] = []
        func date(_ key: String) -> CivilDate? {
            guard let raw = req.query[String.self, at: key], !raw.isEmpty else { return nil }
            guard let d = CivilDate(raw) else {
                errors.append(FieldError(key, "date"))
                return nil
            }
            return d
        }
        let monday = today.adding(days: 1 - today.weekday)
        let asked = (date("from"), date("to"))
        let from = asked.0 ?? (past ? (asked.1 ?? today).adding(days: -13) : monday)
        let to = asked.1 ?? (past && asked.0 == nil ? today : from.adding(days: 13))
        if errors.isEmpty && (to < from || to.dayNumber - from.dayNumber >= 92) { errors.append(FieldError("to", "duty.span")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return (from, to)
    }

    /// Replaces the days listed, each as a whole; sets the patrols a day when given.
    static func set(_ center: UUID, _ input: Input, req: Request) async throws -> Rota {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        guard try await CenterModel.find(center, on: req.db) != nil else { throw Abort(.notFound) }
        let cal = try await req.application.calendars.calendar(for: center, on: req.db)
        let today = HallClock.day(req.now)
        var errors: [FieldError] = []
        var days: [DutyRules.DayInput] = []
        for (i, raw) in (input.rota ?? []).enumerated() {
            guard let day = raw.day.flatMap(CivilDate.init) else {
                errors.append(FieldError("rota.\(i).day", (raw.day ?? "").isEmpty ? "required" : "date"))
                continue
            }
            days.append(.init(day: day, leader: raw.leader, floor: raw.floor ?? []))
        }
        if let n = input.patrolsPerDay, !(1...10).contains(n) { errors.append(FieldError("patrolsPerDay", "duty.patrolsRange")) }
        // The people named: accounts of this center, in a role that may hold the shift.
        // Bounded before anything is read: a change covers at most 62 days of at most 11 people.
        guard days.count <= DutyRules.maxDaysPerChange, !days.contains(where: { $0.floor.count > 10 }) else {
            throw ValidationFailure([FieldError("rota", "duty.tooManyDays")])
        }
        let named = Set(days.compactMap(\.leader) + days.flatMap(\.floor))
        let users = named.isEmpty ? [] : try await UserModel.query(on: req.db).filter(\.$id ~~ Array(named)).all()
        var byID: [UUID: UserModel] = [:]
        for u in users { byID[u.id!] = u }
        for (i, d) in days.enumerated() {
            if let l = d.leader {
                let u = byID[l]
                let fits = u.map { $0.centerID == center && !$0.disabled && Role(rawValue: $0.role).map(leaderRoles.contains) == true }
                if fits != true { errors.append(FieldError("rota.\(i).leader", "duty.notLeader")) }
            }
            for f in d.floor {
                guard let u = byID[f], u.centerID == center, !u.disabled, u.departmentID != nil else {
                    errors.append(FieldError("rota.\(i).floor", "duty.notDepartmentHead"))
                    break
                }
            }
        }
        let listed = days.map(\.day.description)
        let before =
            listed.isEmpty
            ? [] : try await DutyShiftModel.query(on: req.db).filter(\.$centerID == center).filter(\.$day ~~ listed).all()
        let swaps = days.contains { d in
            before.contains { $0.day == d.day.description && $0.kind == DutyRules.Kind.leader.rawValue && $0.userID != d.leader }
        }
        let reason = (input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if input.rota != nil || input.patrolsPerDay == nil {
            errors += DutyRules.rotaProblems(days, today: today, working: cal.isWorkingDay, swaps: swaps, reason: reason)
        }
        if reason.count > 500 { errors.append(FieldError("reason", "tooLong")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let millis = HallClock.millis(req.now)
        let rows: [DutyShiftModel] = days.flatMap { d -> [DutyShiftModel] in
            func row(_ kind: DutyRules.Kind, _ user: UUID) -> DutyShiftModel {
                let s = DutyShiftModel()
                s.id = UUID.timeOrdered()
                s.centerID = center
                s.day = d.day.description
                s.kind = kind.rawValue
                s.userID = user
                s.departmentID = kind == .floor ? byID[user]?.departmentID : nil
                s.setBy = p.displayName
                s.setAt = millis
                return s
            }
            return (d.leader.map { [row(.leader, $0)] } ?? []) + d.floor.map { row(.floor, $0) }
        }
        let swapped = days.compactMap { d -> String? in
            guard let old = before.first(where: { $0.day == d.day.description && $0.kind == DutyRules.Kind.leader.rawValue }),
                old.userID != d.leader
            else { return nil }
            return d.day.description
        }
        let patrols = input.patrolsPerDay
        try await req.audited { db -> (Void, [AuditEvent]) in
            if !listed.isEmpty {
                try await DutyShiftModel.query(on: db).filter(\.$centerID == center).filter(\.$day ~~ listed).delete()
                for r in rows { try await r.storeNew(on: db) }
            }
            var events: [AuditEvent] = []
            if !listed.isEmpty {
                var detail = ["days": String(listed.count), "from": listed.min() ?? "", "to": listed.max() ?? ""]
                if !swapped.isEmpty {
                    detail["swapped"] = swapped.joined(separator: ",")
                    detail["reason"] = reason
                }
                events.append(AuditEvent(swapped.isEmpty ? "duty.plan" : "duty.swap", "center", id: center, center: center, detail: detail))
            }
            if let patrols {
                let rules = try await CenterRulesModel.find(center, on: db) ?? CenterRulesModel.fresh(center)
                rules.patrolsPerDay = patrols
                rules.updatedBy = p.displayName
                rules.updatedAt = millis
                try await rules.store(on: db)
                events.append(AuditEvent("duty.rules", "center", id: center, center: center, detail: ["patrolsPerDay": String(patrols)]))
            }
            return ((), events)
        }
        let span = days.map(\.day)
        let from = span.min() ?? today
        return try await rota(center, from: from, to: span.max() ?? from, on: req.db, req: req)
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "centers", ":id", "duty", access: .staff,
            operation: .init(
                id: "listDutyRota",
                summary:
                    "The duty rota of a center: for each day the leader on duty (值班领导) and the department heads on the floor (带班), and the patrols a day required",
                tag: "Center", response: "DutyRota",
                query: [
                    .init(name: "from", type: "string", format: "date", description: "first day; default: this week's Monday"),
                    .init(name: "to", type: "string", format: "date", description: "last day; default: 13 days after from"),
                ])
        ) { req in
            let center = try req.uuid("id")
            try await req.scope().require(center)
            let (from, to) = try span(req)
            return try await rota(center, from: from, to: to, on: req.db, req: req)
        }
        api.endpoint(
            .PUT, "centers", ":id", "duty", access: planners,
            operation: .init(
                id: "setDutyRota",
                summary:
                    "Plans days of the duty rota, each day listed replaced as a whole; taking a day from its leader is a swap and needs a reason. Also sets the patrols a day",
                tag: "Center", request: "DutyRotaInput", response: "DutyRota")
        ) { req in
            try await set(try req.uuid("id"), try req.content.decode(Input.self), req: req)
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let person = O.object([
            "userID": O.uuid, "name": O.string, "departmentID": O.optionalUUID, "department": O.optionalString,
        ])
        return [
            "DutyRota": O.object([
                "centerID": O.uuid, "from": O.date, "to": O.date, "patrolsPerDay": O.integer,
                "days": [
                    "type": "array",
                    "items": O.object([
                        "day": O.date, "working": O.bool, "leader": ["anyOf": [person, ["type": "null"]]],
                        "floor": ["type": "array", "items": person],
                    ]),
                ],
            ]),
            "DutyRotaInput": O.object([
                "rota": [
                    "type": "array",
                    "items": O.object(
                        ["day": O.date, "leader": O.optionalUUID, "floor": ["type": "array", "items": O.uuid]], required: ["day"]),
                ],
                "reason": O.string, "patrolsPerDay": ["type": "integer", "minimum": 1, "maximum": 10],
            ]),
        ]
    }()
}
