import Fluent
import Foundation
import OneStopCore
import Vapor

/// 上门办 (issue 23): a citizen who cannot come to the hall — elderly, disabled, ill — asks for a
/// home visit for an item the center offers that way (no sign-in: the request carries who and
/// where, sealed at rest); the center schedules it on a working day with a member of staff and
/// records what was done. The citizen follows it by its tracking number.
enum HomeVisitService {
    static let handlers = Access.only(.centerAdmin, .chiefRepresentative)
    static let readers = Access.only(.centerAdmin, .chiefRepresentative, .supervisor)

    struct Input: Content {
        var item: String?
        var name: String?
        var phone: String?
        var address: String?
        var reason: String?
        var preferredDay: String?
    }

    struct ScheduleInput: Content {
        var day: String?
        var staffID: UUID?
    }

    struct DoneInput: Content {
        var handled: String?
    }

    struct ItemsInput: Content {
        var items: [String]?
    }

    struct Visit: Content {
        var id: UUID
        var tracking: String
        var itemCode: String
        var itemName: String
        /// Masked for anyone but the center's staff handling it.
        var name: String
        var phone: String?
        var address: String
        var reason: String
        var preferredDay: String?
        var state: String
        var scheduledDay: String?
        var staff: String?
        var outcome: String?
    }

    static func offered(_ center: UUID, on db: any Database) async throws -> [String] {
        try await CenterRulesModel.find(center, on: db)?.homeVisitItemsValue ?? []
    }

    static func tracking() -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        return "SM" + String((0..<8).map { _ in letters[Int(g.next(upperBound: UInt64(letters.count)))] })
    }

    static func request(_ center: UUID, _ input: Input, req: Request) async throws -> Visit {
        guard try await CenterModel.find(center, on: req.db) != nil else { throw Abort(.notFound) }
        var v = Validator()
        let code = (input.item ?? "").trimmingCharacters(in: .whitespaces)
        let offered = try await offered(center, on: req.db)
        let item = code.isEmpty ? nil : try await ServiceItemModel.query(on: req.db).filter(\.$code == code).first()
        let name = v.text("name", input.name, max: 50, required: false)
        let address = v.text("address", input.address, max: 200, required: false)
        let phone = v.phone("phone", input.phone, required: true)
        let reason = HomeVisitRules.Reason(rawValue: input.reason ?? "")
        if reason == nil { v.add("reason", (input.reason ?? "").isEmpty ? "required" : "invalidChoice") }
        let preferred = WindowStaffService.date(input.preferredDay, "preferredDay", required: false, &v)
        for e in HomeVisitRules.requestProblems(
            itemOffered: item != nil && offered.contains(code), name: name, address: address, preferred: preferred,
            today: HallClock.day(req.now))
        {
            v.add(e.field, e.code)
        }
        guard v.errors.isEmpty, let item, let reason else { throw ValidationFailure(v.errors) }
        let m = HomeVisitModel()
        m.id = UUID.timeOrdered()
        m.centerID = center
        m.itemCode = code
        m.itemName = item.name
        m.name = name
        m.phone = phone
        m.address = address
        m.reason = reason.rawValue
        m.preferredDay = preferred?.description
        m.state = HomeVisitRules.State.requested.rawValue
        m.tracking = tracking()
        m.requestedAt = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "homeVisit.request", "home_visit", id: m.id, center: center, detail: ["item": code, "reason": reason.rawValue])
                ]
            )
        }
        return try await dtos([m], full: false, req: req)[0]
    }

    enum StepOutcome {
        case done(HomeVisitModel)
        case wrongState
    }

    static func visit(_ id: UUID, req: Request) async throws -> HomeVisitModel {
        guard let m = try await HomeVisitModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(m.centerID)
        return m
    }

    static func schedule(_ id: UUID, _ input: ScheduleInput, req: Request) async throws -> Visit {
        let p = try req.requirePrincipal()
        let m = try await visit(id, req: req)
        var v = Validator()
        let day = WindowStaffService.date(input.day, "day", required: true, &v)
        let today = HallClock.day(req.now)
        if let day {
            if day < today { v.add("day", "duty.pastDay") }
            let cal = try await req.application.calendars.calendar(for: m.centerID, on: req.db)
            if !cal.isWorkingDay(day) { v.add("day", "duty.notWorkingDay") }
        }
        if let s = input.staffID {
            let staff = try await StaffModel.find(s, on: req.db)
            if staff?.centerID != m.centerID { v.add("staffID", "invalidReference") }
            if p.role == .chiefRepresentative && staff?.departmentID != p.departmentID { v.add("staffID", "invalidReference") }
        } else {
            v.add("staffID", "required")
        }
        guard v.errors.isEmpty, let day, let staffID = input.staffID else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await HomeVisitModel.find(id, on: db),
                HomeVisitRules.State(rawValue: fresh.state).map(HomeVisitRules.maySchedule) == true
            else { return (.wrongState, []) }
            fresh.state = HomeVisitRules.State.scheduled.rawValue
            fresh.scheduledDay = day.description
            fresh.staffID = staffID
            fresh.updatedBy = p.displayName
            fresh.updatedAt = millis
            try await fresh.storeChanges(on: db)
            return (
                .done(fresh), [AuditEvent("homeVisit.schedule", "home_visit", id: id, center: m.centerID, detail: ["day": day.description])]
            )
        }
        switch outcome {
        case .wrongState: throw Abort(.conflict, reason: req.t("homeVisit.closed"))
        case .done(let m): return try await dtos([m], full: true, req: req)[0]
        }
    }

    static func finish(_ id: UUID, _ input: DoneInput, req: Request) async throws -> Visit {
        let p = try req.requirePrincipal()
        let m = try await visit(id, req: req)
        var v = Validator()
        let outcome = v.text("handled", input.handled, max: 1000)
        guard v.errors.isEmpty else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let result = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await HomeVisitModel.find(id, on: db),
                HomeVisitRules.State(rawValue: fresh.state).map(HomeVisitRules.mayFinish) == true
            else { return (.wrongState, []) }
            fresh.state = HomeVisitRules.State.done.rawValue
            fresh.outcome = outcome
            fresh.updatedBy = p.displayName
            fresh.updatedAt = millis
            try await fresh.storeChanges(on: db)
            return (.done(fresh), [AuditEvent("homeVisit.done", "home_visit", id: id, center: m.centerID)])
        }
        switch result {
        case .wrongState: throw Abort(.conflict, reason: req.t("homeVisit.notScheduled"))
        case .done(let m): return try await dtos([m], full: true, req: req)[0]
        }
    }

    static func setItems(_ center: UUID, _ input: ItemsInput, req: Request) async throws -> [String] {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        let codes = Array(Set((input.items ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        if codes.count > 500 { throw ValidationFailure([FieldError("items", "tooLong")]) }
        let known = codes.isEmpty ? [] : try await ServiceItemModel.query(on: req.db).filter(\.$code ~~ codes).all().map(\.code)
        if known.count != codes.count { throw ValidationFailure([FieldError("items", "invalidReference")]) }
        let millis = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            let rules = try await CenterRulesModel.find(center, on: db) ?? CenterRulesModel.fresh(center)
            rules.homeVisitItemsValue = codes
            rules.updatedBy = p.displayName
            rules.updatedAt = millis
            try await rules.store(on: db)
            return ((), [AuditEvent("homeVisit.items", "center", id: center, center: center, detail: ["items": String(codes.count)])])
        }
        return codes
    }

    /// `full`: the staff handling it see who and where in full; the public answer is masked.
    static func dtos(_ rows: [HomeVisitModel], full: Bool, req: Request) async throws -> [Visit] {
        let staffIDs = Array(Set(rows.compactMap(\.staffID)))
        var people: [UUID: String] = [:]
        if !staffIDs.isEmpty { for s in try await StaffModel.query(on: req.db).filter(\.$id ~~ staffIDs).all() { people[s.id!] = s.name } }
        return rows.map { m in
            let name = m.name
            return Visit(
                id: m.id!, tracking: m.tracking, itemCode: m.itemCode, itemName: m.itemName,
                name: full ? name : String(name.prefix(1)) + String(repeating: "*", count: max(1, name.count - 1)),
                phone: m.phone.map { full ? $0 : PhoneNumber.masked($0) }, address: full ? m.address : String(m.address.prefix(6)) + "…",
                reason: m.reason, preferredDay: m.preferredDay, state: m.state, scheduledDay: m.scheduledDay,
                staff: m.staffID.flatMap { people[$0] }, outcome: m.outcome)
        }
    }

    static func list(_ center: UUID, req: Request) async throws -> [Visit] {
        try await req.scope().require(center)
        let rows = try await HomeVisitModel.query(on: req.db).filter(\.$centerID == center).sort(\.$requestedAt, .descending).limit(300)
            .all()
        return try await dtos(rows, full: true, req: req)
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "centers", ":id", "home-visits", access: .public,
            operation: .init(
                id: "requestHomeVisit",
                summary:
                    "Asks for a home visit (上门办) for an item the center offers that way, for someone who cannot come (elderly, disabled, ill): who, a phone, where, when suits; answered with a tracking number",
                tag: "Center", request: "HomeVisitInput", response: "HomeVisit", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await request(try req.uuid("id"), try req.content.decode(Input.self), req: req), req)
        }
        .limited(.forms)
        api.endpoint(
            .GET, "centers", ":id", "home-visits", access: readers,
            operation: .init(
                id: "listHomeVisits", summary: "A center's home visits, the latest first", tag: "Center", response: "HomeVisit",
                responseIsList: true)
        ) { req in try await list(try req.uuid("id"), req: req) }
        api.endpoint(
            .POST, "home-visits", ":id", "schedule", access: handlers,
            operation: .init(
                id: "scheduleHomeVisit", summary: "Schedules a home visit on a working day with a member of staff (again to move it)",
                tag: "Center", request: "HomeVisitSchedule", response: "HomeVisit")
        ) { req in try await schedule(try req.uuid("id"), try req.content.decode(ScheduleInput.self), req: req) }
        api.endpoint(
            .POST, "home-visits", ":id", "done", access: handlers,
            operation: .init(
                id: "finishHomeVisit", summary: "Records what a scheduled home visit did", tag: "Center", request: "HomeVisitDone",
                response: "HomeVisit")
        ) { req in try await finish(try req.uuid("id"), try req.content.decode(DoneInput.self), req: req) }
        api.endpoint(
            .PUT, "centers", ":id", "home-visit-items", access: .admins,
            operation: .init(
                id: "setHomeVisitItems", summary: "The items the center offers as home visits (上门办)", tag: "Center",
                request: "HomeVisitItems", response: "HomeVisitItems")
        ) { req -> ItemsInput in
            ItemsInput(items: try await setItems(try req.uuid("id"), try req.content.decode(ItemsInput.self), req: req))
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let reasons: JSONValue = ["type": "string", "enum": .array(HomeVisitRules.Reason.allCases.map { .string($0.rawValue) })]
        return [
            "HomeVisit": O.object([
                "id": O.uuid, "tracking": O.string, "itemCode": O.string, "itemName": O.string, "name": O.string, "phone": O.optionalString,
                "address": O.string, "reason": O.string, "preferredDay": ["type": ["string", "null"], "format": "date"],
                "state": ["type": "string", "enum": .array(HomeVisitRules.State.allCases.map { .string($0.rawValue) })],
                "scheduledDay": ["type": ["string", "null"], "format": "date"], "staff": O.optionalString, "outcome": O.optionalString,
            ]),
            "HomeVisitInput": O.object(
                ["item": O.string, "name": O.string, "phone": O.string, "address": O.string, "reason": reasons, "preferredDay": O.date],
                required: ["item", "name", "phone", "address", "reason"]),
            "HomeVisitSchedule": O.object(["day": O.date, "staffID": O.uuid], required: ["day", "staffID"]),
            "HomeVisitDone": O.object(["handled": O.string], required: ["handled"]),
            "HomeVisitItems": O.object(["items": ["type": "array", "items": O.string]]),
        ]
    }()
}
