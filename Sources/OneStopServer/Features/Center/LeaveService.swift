import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 请假与销假 (issue 23): a member of window staff asks for leave (or their chief representative or
/// the center asks for them), the department's chief representative or the center decides, and
/// it is ended on return. While a clerk is on approved leave their window shows who stands in, or
/// that it is paused and why. A working day on which a registered clerk neither signed in to a
/// window nor was on approved leave is listed as an absence.
enum LeaveService {
    static let askers = Access.only(.windowStaff, .chiefRepresentative, .centerAdmin)
    static let deciders = Access.only(.chiefRepresentative, .centerAdmin)
    static let readers = Access.only(.windowStaff, .chiefRepresentative, .centerAdmin, .supervisor)
    static let absenceReaders = Access.only(.chiefRepresentative, .centerAdmin, .supervisor)

    struct Input: Content {
        var kind: String?
        var from: String?
        var to: String?
        var reason: String?
        var windowID: UUID?
        var standInStaffID: UUID?
    }

    struct Decision: Content {
        var approve: Bool?
        var note: String?
    }

    struct End: Content {
        var returnedOn: String?
    }

    struct Leave: Content {
        var id: UUID
        var staffID: UUID
        var name: String
        var departmentID: UUID?
        var department: String?
        var kind: String
        var state: String
        var from: String
        var to: String
        /// Shown to the person, their department's chief representative and the center only.
        var reason: String?
        var windowID: UUID?
        var window: String?
        var standInStaffID: UUID?
        var standIn: String?
        var requestedBy: String
        var decidedBy: String?
        var decisionNote: String?
        var returnedOn: String?
    }

    struct Absence: Content {
        var staffID: UUID
        var name: String
        var departmentID: UUID?
        var department: String?
    }

    struct Absences: Content {
        var centerID: UUID
        var day: String
        var working: Bool
        var expected: Int
        var signedIn: Int
        var onLeave: Int
        var absent: [Absence]
    }

    /// The member of staff a signed-in person is, if any.
    static func ownStaff(_ p: Principal, on db: any Database) async throws -> UUID? {
        try await UserModel.find(p.id, on: db)?.staffID
    }

    /// May the viewer act for this member of staff: themselves, their chief representative, the
    /// center.
    static func mayActFor(_ s: StaffModel, p: Principal, own: UUID?) -> Bool {
        switch p.role {
        case .centerAdmin: return true
        case .chiefRepresentative: return s.departmentID != nil && s.departmentID == p.departmentID
        default: return own == s.id
        }
    }

    enum RequestOutcome {
        case made(StaffLeaveModel)
        case overlap
    }

    static func request(_ staffID: UUID, _ input: Input, req: Request) async throws -> Leave {
        let p = try req.requirePrincipal()
        guard let s = try await StaffModel.find(staffID, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(s.centerID)
        let own = try await ownStaff(p, on: req.db)
        guard mayActFor(s, p: p, own: own) else { throw Abort(.forbidden) }
        var v = Validator()
        let kind = LeaveRules.Kind(rawValue: input.kind ?? "")
        if kind == nil { v.add("kind", (input.kind ?? "").isEmpty ? "required" : "invalidChoice") }
        let from = WindowStaffService.date(input.from, "from", required: true, &v)
        let to = WindowStaffService.date(input.to, "to", required: true, &v)
        let reason = v.text("reason", input.reason, max: 500, required: false)
        if let w = input.windowID, try await WindowModel.find(w, on: req.db)?.centerID != s.centerID {
            v.add("windowID", "invalidReference")
        }
        if let st = input.standInStaffID {
            if st == staffID { v.add("standInStaffID", "leave.standInSelf") }
            if try await StaffModel.find(st, on: req.db)?.centerID != s.centerID { v.add("standInStaffID", "invalidReference") }
        }
        for e in LeaveRules.requestProblems(from: from, to: to, today: HallClock.day(req.now), reason: reason, overlaps: false) {
            v.add(e.field, e.code)
        }
        guard v.errors.isEmpty, let kind, let from, let to else { throw ValidationFailure(v.errors) }
        let m = StaffLeaveModel()
        m.id = UUID.timeOrdered()
        m.centerID = s.centerID
        m.staffID = staffID
        m.departmentID = s.departmentID
        m.kind = kind.rawValue
        m.state = LeaveRules.State.requested.rawValue
        m.fromDay = from.description
        m.toDay = to.description
        m.reason = reason
        m.windowID = input.windowID
        m.standInStaffID = input.standInStaffID
        m.requestedBy = p.displayName
        m.requestedAt = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (RequestOutcome, [AuditEvent]) in
            // Inside the write, so that two requests at once can't both pass.
            let others = try await StaffLeaveModel.query(on: db).filter(\.$staffID == staffID)
                .filter(\.$state ~~ [LeaveRules.State.requested.rawValue, LeaveRules.State.approved.rawValue])
                .filter(\.$fromDay <= to.description).filter(\.$toDay >= from.description).count()
            if others > 0 { return (.overlap, []) }
            try await m.storeNew(on: db)
            return (
                .made(m),
                [
                    AuditEvent(
                        "leave.request", "staff_leave", id: m.id, center: s.centerID,
                        detail: ["staff": staffID.uuidString.lowercased(), "kind": kind.rawValue, "from": m.fromDay, "to": m.toDay])
                ]
            )
        }
        switch outcome {
        case .overlap: throw ValidationFailure([FieldError("from", "leave.overlap")])
        case .made(let m): return try await dtos([m], req: req)[0]
        }
    }

    enum StepOutcome {
        case done(StaffLeaveModel)
        case wrongState
    }

    static func leave(_ id: UUID, req: Request) async throws -> (StaffLeaveModel, StaffModel) {
        guard let m = try await StaffLeaveModel.find(id, on: req.db), let s = try await StaffModel.find(m.staffID, on: req.db) else {
            throw Abort(.notFound)
        }
        try await req.scope().require(m.centerID)
        return (m, s)
    }

    static func decide(_ id: UUID, _ input: Decision, req: Request) async throws -> Leave {
        let p = try req.requirePrincipal()
        let (m, s) = try await leave(id, req: req)
        let own = try await ownStaff(p, on: req.db)
        guard mayActFor(s, p: p, own: nil), own != s.id else { throw Abort(.forbidden) }
        var v = Validator()
        if input.approve == nil { v.add("approve", "required") }
        let note = v.text("note", input.note, max: 500, required: false)
        if input.approve == false && note.isEmpty { v.add("note", "leave.refusalReason") }
        guard v.errors.isEmpty, let approve = input.approve else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await StaffLeaveModel.find(id, on: db),
                LeaveRules.State(rawValue: fresh.state).map(LeaveRules.mayDecide) == true
            else { return (.wrongState, []) }
            fresh.state = (approve ? LeaveRules.State.approved : .refused).rawValue
            fresh.decidedBy = p.displayName
            fresh.decidedAt = millis
            fresh.decisionNote = note
            try await fresh.storeChanges(on: db)
            return (
                .done(fresh),
                [AuditEvent(approve ? "leave.approve" : "leave.refuse", "staff_leave", id: id, center: m.centerID, detail: ["note": note])]
            )
        }
        switch outcome {
        case .wrongState: throw Abort(.conflict, reason: req.t("leave.decided"))
        case .done(let m): return try await dtos([m], req: req)[0]
        }
    }

    static func end(_ id: UUID, _ input: End, req: Request) async throws -> Leave {
        let p = try req.requirePrincipal()
        let (m, s) = try await leave(id, req: req)
        guard mayActFor(s, p: p, own: try await ownStaff(p, on: req.db)) else { throw Abort(.forbidden) }
        let today = HallClock.day(req.now)
        var v = Validator()
        let returned = WindowStaffService.date(input.returnedOn, "returnedOn", required: false, &v) ?? today
        if let from = CivilDate(m.fromDay), returned < from { v.add("returnedOn", "leave.returnBeforeStart") }
        if returned > today { v.add("returnedOn", "staff.future") }
        guard v.errors.isEmpty else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await StaffLeaveModel.find(id, on: db),
                LeaveRules.State(rawValue: fresh.state).map(LeaveRules.mayEnd) == true
            else { return (.wrongState, []) }
            fresh.state = LeaveRules.State.ended.rawValue
            fresh.returnedOn = returned.description
            fresh.endedBy = p.displayName
            fresh.endedAt = millis
            try await fresh.storeChanges(on: db)
            return (
                .done(fresh),
                [AuditEvent("leave.end", "staff_leave", id: id, center: m.centerID, detail: ["returnedOn": returned.description])]
            )
        }
        switch outcome {
        case .wrongState: throw Abort(.conflict, reason: req.t("leave.notApproved"))
        case .done(let m): return try await dtos([m], req: req)[0]
        }
    }

    static func dtos(_ rows: [StaffLeaveModel], req: Request) async throws -> [Leave] {
        guard !rows.isEmpty else { return [] }
        let p = try req.requirePrincipal()
        let own = try await ownStaff(p, on: req.db)
        let staffIDs = Array(Set(rows.map(\.staffID) + rows.compactMap(\.standInStaffID)))
        var people: [UUID: StaffModel] = [:]
        for s in try await StaffModel.query(on: req.db).filter(\.$id ~~ staffIDs).all() { people[s.id!] = s }
        let departments = try await DutyService.names([], departments: Set(rows.compactMap(\.departmentID)), on: req.db).departments
        let windows = try await PatrolService.windowNames(Set(rows.compactMap(\.windowID)), on: req.db)
        return rows.map { m in
            let seesReason =
                p.role == .centerAdmin || own == m.staffID || (p.role == .chiefRepresentative && p.departmentID == m.departmentID)
            return Leave(
                id: m.id!, staffID: m.staffID, name: people[m.staffID]?.name ?? "", departmentID: m.departmentID,
                department: m.departmentID.flatMap { departments[$0] }, kind: m.kind, state: m.state, from: m.fromDay, to: m.toDay,
                reason: seesReason ? m.reason : nil, windowID: m.windowID, window: m.windowID.flatMap { windows[$0] },
                standInStaffID: m.standInStaffID, standIn: m.standInStaffID.flatMap { people[$0]?.name }, requestedBy: m.requestedBy,
                decidedBy: m.decidedBy, decisionNote: m.decisionNote, returnedOn: m.returnedOn)
        }
    }

    /// A center's leave: a member of window staff sees their own, a chief representative their
    /// department's; asked-for first, then by first day, latest first.
    static func list(_ center: UUID, state: String?, req: Request) async throws -> [Leave] {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        var q = StaffLeaveModel.query(on: req.db).filter(\.$centerID == center)
        switch p.role {
        case .windowStaff: q = q.filter(\.$staffID == (try await ownStaff(p, on: req.db) ?? UUID()))
        case .chiefRepresentative: q = q.filter(\.$departmentID == p.departmentID)
        default: break
        }
        if let state, !state.isEmpty {
            guard LeaveRules.State(rawValue: state) != nil else { throw ValidationFailure([FieldError("state", "invalidChoice")]) }
            q = q.filter(\.$state == state)
        }
        let rows = try await q.sort(\.$fromDay, .descending).limit(300).all()
        let asked = rows.filter { $0.state == LeaveRules.State.requested.rawValue }
        return try await dtos(asked + rows.filter { $0.state != LeaveRules.State.requested.rawValue }, req: req)
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "staff", ":id", "leaves", access: askers,
            operation: .init(
                id: "requestLeave",
                summary:
                    "Asks for leave (请假) for a member of window staff: the kind, the first and last day, the reason, their window and who stands in; refused when it overlaps a leave asked for or approved",
                tag: "Center", request: "LeaveInput", response: "Leave", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await request(try req.uuid("id"), try req.content.decode(Input.self), req: req), req)
        }
        api.endpoint(
            .POST, "leaves", ":id", "decision", access: deciders,
            operation: .init(
                id: "decideLeave",
                summary: "The department's chief representative or the center approves or refuses a leave (a refusal says why); once",
                tag: "Center", request: "LeaveDecision", response: "Leave")
        ) { req in try await decide(try req.uuid("id"), try req.content.decode(Decision.self), req: req) }
        api.endpoint(
            .POST, "leaves", ":id", "end", access: askers,
            operation: .init(
                id: "endLeave", summary: "Ends an approved leave on return (销假); the day of return defaults to today", tag: "Center",
                request: "LeaveEnd", response: "Leave")
        ) { req in try await end(try req.uuid("id"), (try? req.content.decode(End.self)) ?? End(), req: req) }
        api.endpoint(
            .GET, "centers", ":id", "leaves", access: readers,
            operation: .init(
                id: "listLeaves",
                summary: "A center's leave, asked-for first; window staff see their own, a chief representative their department's",
                tag: "Center", response: "Leave", responseIsList: true,
                query: [.init(name: "state", type: "string", description: "requested, approved, refused or ended")])
        ) { req in try await list(try req.uuid("id"), state: req.query[String.self, at: "state"], req: req) }
        api.endpoint(
            .GET, "centers", ":id", "absences", access: absenceReaders,
            operation: .init(
                id: "listAbsences",
                summary:
                    "A working day's absences: registered window staff who neither signed in to a window nor were on approved leave",
                tag: "Center", response: "Absences",
                query: [.init(name: "day", type: "string", format: "date", description: "default: today (so far)")])
        ) { req in
            let today = HallClock.day(req.now)
            var day = today
            if let raw = req.query[String.self, at: "day"], !raw.isEmpty {
                guard let d = CivilDate(raw) else { throw ValidationFailure([FieldError("day", "date")]) }
                guard d <= today else { throw ValidationFailure([FieldError("day", "staff.future")]) }
                day = d
            }
            return try await absences(try req.uuid("id"), day: day, req: req)
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let leave = O.object([
            "id": O.uuid, "staffID": O.uuid, "name": O.string, "departmentID": O.optionalUUID, "department": O.optionalString,
            "kind": O.string, "state": ["type": "string", "enum": .array(LeaveRules.State.allCases.map { .string($0.rawValue) })],
            "from": O.date, "to": O.date, "reason": O.optionalString, "windowID": O.optionalUUID, "window": O.optionalString,
            "standInStaffID": O.optionalUUID, "standIn": O.optionalString, "requestedBy": O.string, "decidedBy": O.optionalString,
            "decisionNote": O.optionalString, "returnedOn": ["type": ["string", "null"], "format": "date"],
        ])
        let absence = O.object([
            "staffID": O.uuid, "name": O.string, "departmentID": O.optionalUUID, "department": O.optionalString,
        ])
        return [
            "Leave": leave,
            "LeaveInput": O.object(
                [
                    "kind": ["type": "string", "enum": .array(LeaveRules.Kind.allCases.map { .string($0.rawValue) })],
                    "from": O.date, "to": O.date, "reason": O.string, "windowID": O.optionalUUID, "standInStaffID": O.optionalUUID,
                ], required: ["kind", "from", "to", "reason"]),
            "LeaveDecision": O.object(["approve": O.bool, "note": O.string], required: ["approve"]),
            "LeaveEnd": O.object(["returnedOn": O.date]),
            "Absences": O.object([
                "centerID": O.uuid, "day": O.date, "working": O.bool, "expected": O.integer, "signedIn": O.integer, "onLeave": O.integer,
                "absent": ["type": "array", "items": absence],
            ]),
        ]
    }()
}
