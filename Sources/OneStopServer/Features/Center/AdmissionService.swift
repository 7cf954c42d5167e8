import Fluent
import Foundation
import OneStopCore
import Vapor

/// 进驻 (issue 23): a department asks to move into the center with its items, staff and special
/// equipment, the authorisations its chief representative will hold and the items it entrusts the
/// comprehensive windows to take in; the center approves it, which grants those authorisations;
/// later adjustments are recorded as events. Each item's published versions give its history since
/// the admission, and the department's and the center's 压缩时限 and 精简材料 as figures.
enum AdmissionService {
    static let askers = Access.only(.centerAdmin, .chiefRepresentative)
    static let readers = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice)

    struct Input: Content {
        var departmentID: UUID?
        var items: [String]?
        var staff: [UUID]?
        var equipment: [String]?
        var authorisations: AdmissionModel.Authorisations?
        var entrusted: [String]?
        var note: String?
    }

    struct Decision: Content {
        var approve: Bool?
        var note: String?
    }

    struct AdjustInput: Content {
        var kind: String?
        var itemCode: String?
        var note: String?
    }

    struct Event: Content {
        var kind: String
        var itemCode: String
        var note: String
        var recordedBy: String
        var day: String
    }

    struct Admission: Content {
        var id: UUID
        var departmentID: UUID
        var department: String
        var items: [String]
        var staff: [String]
        var equipment: [String]
        var authorisations: AdmissionModel.Authorisations
        var entrusted: [String]
        var note: String
        var state: String
        var requestedBy: String
        var decidedBy: String?
        var decidedOn: String?
        var decisionNote: String?
        var events: [Event]
    }

    struct VersionDTO: Content {
        var version: Int
        var day: String
        var legalDays: Int
        var promisedDays: Int
        var materials: [String]
    }

    struct History: Content {
        var itemID: UUID
        var code: String
        var name: String
        var admittedOn: String?
        var versions: [VersionDTO]
        var daysCut: Int?
        var materialsDropped: [String]
        var materialsAdded: [String]
    }

    struct UnitFigures: Content {
        var departmentID: UUID
        var department: String
        var admittedOn: String?
        var items: Int
        var itemsCut: Int
        var daysCut: Int
        var materialsDropped: Int
    }

    struct Streamlining: Content {
        var centerID: UUID
        var total: UnitFigures
        var departments: [UnitFigures]
    }

    enum AskOutcome {
        case made(AdmissionModel)
        case open
    }

    static func request(_ center: UUID, _ input: Input, req: Request) async throws -> Admission {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        var v = Validator()
        let departmentID = p.role == .chiefRepresentative ? p.departmentID : input.departmentID
        var department: DepartmentModel?
        if let d = departmentID {
            department = try await DepartmentModel.find(d, on: req.db)
            if department?.centerID != center { v.add("departmentID", "invalidReference") }
        } else {
            v.add("departmentID", "required")
        }
        let items = (input.items ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let entrusted = (input.entrusted ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known =
            items.isEmpty || items.count > 300 || departmentID == nil
            ? []
            : try await ServiceItemModel.query(on: req.db).filter(\.$code ~~ items).filter(\.$departmentID == departmentID!).all().map(
                \.code)
        for e in AdmissionRules.requestProblems(items: items, entrusted: entrusted, unknown: items.filter { !known.contains($0) }) {
            v.add(e.field, e.code)
        }
        let staff = input.staff ?? []
        if items.count > 300 { v.add("items", "tooLong") }
        if entrusted.count > 300 { v.add("entrusted", "tooLong") }
        if staff.count > 300 { v.add("staff", "tooLong") }
        if !staff.isEmpty && staff.count <= 300 {
            let found = try await StaffModel.query(on: req.db).filter(\.$id ~~ staff).filter(\.$centerID == center).count()
            if found != Set(staff).count { v.add("staff", "invalidReference") }
        }
        let equipment = (input.equipment ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if equipment.count > 50 || equipment.contains(where: { $0.count > 200 }) { v.add("equipment", "tooLong") }
        let note = v.text("note", input.note, max: 2000, required: false)
        guard v.errors.isEmpty, let department, let departmentID else { throw ValidationFailure(v.errors) }
        let m = AdmissionModel()
        m.id = UUID.timeOrdered()
        m.centerID = center
        m.departmentID = departmentID
        m.items = BrandModel.json(items)
        m.staff = BrandModel.json(staff)
        m.equipment = BrandModel.json(equipment)
        m.authorisations = BrandModel.json(
            input.authorisations
                ?? .init(
                    approveOnSpot: department.canApproveOnSpot, reviewReported: department.canReviewReported,
                    supervisePromised: department.canSupervisePromised, coordinateJoint: department.canCoordinateJoint))
        m.entrusted = BrandModel.json(entrusted)
        m.note = note
        m.state = AdmissionRules.State.requested.rawValue
        m.requestedBy = p.displayName
        m.requestedAt = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (AskOutcome, [AuditEvent]) in
            if try await AdmissionModel.query(on: db).filter(\.$departmentID == departmentID)
                .filter(\.$state == AdmissionRules.State.requested.rawValue).first() != nil
            {
                return (.open, [])
            }
            try await m.storeNew(on: db)
            return (
                .made(m),
                [
                    AuditEvent(
                        "admission.request", "admission", id: m.id, center: center,
                        detail: ["department": department.name, "items": String(items.count)])
                ]
            )
        }
        switch outcome {
        case .open: throw Abort(.conflict, reason: req.t("admission.open"))
        case .made(let m): return try await dtos([m], req: req)[0]
        }
    }

    enum StepOutcome {
        case done(AdmissionModel)
        case wrongState
    }

    static func decide(_ id: UUID, _ input: Decision, req: Request) async throws -> Admission {
        let p = try req.requirePrincipal()
        guard let m = try await AdmissionModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(m.centerID)
        var v = Validator()
        if input.approve == nil { v.add("approve", "required") }
        let note = v.text("note", input.note, max: 1000, required: false)
        if input.approve == false && note.isEmpty { v.add("note", "leave.refusalReason") }
        guard v.errors.isEmpty, let approve = input.approve else { throw ValidationFailure(v.errors) }
        let today = HallClock.day(req.now).description
        let outcome = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await AdmissionModel.find(id, on: db), fresh.state == AdmissionRules.State.requested.rawValue else {
                return (.wrongState, [])
            }
            fresh.state = (approve ? AdmissionRules.State.approved : .refused).rawValue
            fresh.decidedBy = p.displayName
            fresh.decidedOn = today
            fresh.decisionNote = note
            try await fresh.storeChanges(on: db)
            var events = [
                AuditEvent(
                    approve ? "admission.approve" : "admission.refuse", "admission", id: id, center: fresh.centerID, detail: ["note": note])
            ]
            if approve, let d = try await DepartmentModel.find(fresh.departmentID, on: db) {
                // The authorisations asked for are the chief representative's from now on.
                let a = fresh.authorisationsValue
                d.canApproveOnSpot = a.approveOnSpot
                d.canReviewReported = a.reviewReported
                d.canSupervisePromised = a.supervisePromised
                d.canCoordinateJoint = a.coordinateJoint
                try await d.storeChanges(on: db)
                events.append(
                    AuditEvent(
                        "department.authorisations", "department", id: d.id, center: d.centerID,
                        detail: [
                            "approveOnSpot": String(a.approveOnSpot), "reviewReported": String(a.reviewReported),
                            "supervisePromised": String(a.supervisePromised), "coordinateJoint": String(a.coordinateJoint),
                        ]))
            }
            return (.done(fresh), events)
        }
        switch outcome {
        case .wrongState: throw Abort(.conflict, reason: req.t("admission.decided"))
        case .done(let m): return try await dtos([m], req: req)[0]
        }
    }

    static func adjust(_ id: UUID, _ input: AdjustInput, req: Request) async throws -> Admission {
        let p = try req.requirePrincipal()
        guard let m = try await AdmissionModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(m.centerID)
        guard m.state == AdmissionRules.State.approved.rawValue else { throw Abort(.conflict, reason: req.t("admission.notApproved")) }
        var v = Validator()
        let kind = AdmissionRules.Adjustment(rawValue: input.kind ?? "")
        if kind == nil { v.add("kind", (input.kind ?? "").isEmpty ? "required" : "invalidChoice") }
        let code = (input.itemCode ?? "").trimmingCharacters(in: .whitespaces)
        if code.isEmpty {
            v.add("itemCode", "required")
        } else if try await ServiceItemModel.query(on: req.db).filter(\.$code == code).filter(\.$departmentID == m.departmentID).first()
            == nil
        {
            v.add("itemCode", "invalidReference")
        }
        let note = v.text("note", input.note, max: 1000, required: false)
        guard v.errors.isEmpty, let kind else { throw ValidationFailure(v.errors) }
        let e = AdmissionEventModel()
        e.id = UUID.timeOrdered()
        e.admissionID = id
        e.centerID = m.centerID
        e.kind = kind.rawValue
        e.itemCode = code
        e.note = note
        e.recordedBy = p.displayName
        e.recordedAt = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await e.storeNew(on: db)
            return (
                (),
                [AuditEvent("admission.adjust", "admission", id: id, center: m.centerID, detail: ["kind": kind.rawValue, "item": code])]
            )
        }
        return try await dtos([m], req: req)[0]
    }

    static func dtos(_ rows: [AdmissionModel], req: Request) async throws -> [Admission] {
        guard !rows.isEmpty else { return [] }
        let departments = try await DutyService.names([], departments: Set(rows.map(\.departmentID)), on: req.db).departments
        let staffIDs = Array(Set(rows.flatMap(\.staffValue)))
        var people: [UUID: String] = [:]
        if !staffIDs.isEmpty { for s in try await StaffModel.query(on: req.db).filter(\.$id ~~ staffIDs).all() { people[s.id!] = s.name } }
        let events = try await AdmissionEventModel.query(on: req.db).filter(\.$admissionID ~~ rows.compactMap(\.id)).sort(\.$recordedAt)
            .all()
        return rows.map { m in
            Admission(
                id: m.id!, departmentID: m.departmentID, department: departments[m.departmentID] ?? "", items: m.itemsValue,
                staff: m.staffValue.map { people[$0] ?? "" }, equipment: m.equipmentValue, authorisations: m.authorisationsValue,
                entrusted: m.entrustedValue, note: m.note, state: m.state, requestedBy: m.requestedBy, decidedBy: m.decidedBy,
                decidedOn: m.decidedOn, decisionNote: m.decisionNote,
                events: events.filter { $0.admissionID == m.id }.map {
                    Event(
                        kind: $0.kind, itemCode: $0.itemCode, note: $0.note, recordedBy: $0.recordedBy,
                        day: HallClock.day(Date(timeIntervalSince1970: Double($0.recordedAt) / 1000)).description)
                })
        }
    }

    static func list(_ center: UUID, req: Request) async throws -> [Admission] {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        var q = AdmissionModel.query(on: req.db).filter(\.$centerID == center)
        if p.role == .chiefRepresentative, let d = p.departmentID { q = q.filter(\.$departmentID == d) }
        return try await dtos(try await q.sort(\.$requestedAt, .descending).all(), req: req)
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "centers", ":id", "admissions", access: askers,
            operation: .init(
                id: "requestAdmission",
                summary:
                    "A department asks to move into the center (进驻): its items, staff and special equipment, its chief representative's authorisations, the items it entrusts others to take in",
                tag: "Center", request: "AdmissionInput", response: "Admission", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await request(try req.uuid("id"), try req.content.decode(Input.self), req: req), req)
        }
        api.endpoint(
            .POST, "admissions", ":id", "decision", access: .admins,
            operation: .init(
                id: "decideAdmission",
                summary: "The center approves an admission, which grants the authorisations asked for, or refuses it with the reason; once",
                tag: "Center", request: "AdmissionDecision", response: "Admission")
        ) { req in try await decide(try req.uuid("id"), try req.content.decode(Decision.self), req: req) }
        api.endpoint(
            .POST, "admissions", ":id", "adjustments", access: .admins,
            operation: .init(
                id: "adjustAdmission",
                summary: "Records a later adjustment of an approved admission: an item added, withdrawn or delegated down the tree",
                tag: "Center", request: "AdmissionAdjustment", response: "Admission", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await adjust(try req.uuid("id"), try req.content.decode(AdjustInput.self), req: req), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "admissions", access: readers,
            operation: .init(
                id: "listAdmissions",
                summary: "A center's admissions with their adjustments; a chief representative sees their department's",
                tag: "Center", response: "Admission", responseIsList: true)
        ) { req in try await list(try req.uuid("id"), req: req) }
        api.endpoint(
            .GET, "items", ":id", "history", access: readers,
            operation: .init(
                id: "listItemHistory",
                summary:
                    "An item's published versions with their limits and materials, and since its department's admission the working days cut (压缩时限) and the materials dropped (精简材料)",
                tag: "Center", response: "ItemHistory")
        ) { req in try await history(try req.uuid("id"), req: req) }
        api.endpoint(
            .GET, "centers", ":id", "streamlining", access: readers,
            operation: .init(
                id: "getStreamlining",
                summary: "压缩时限 and 精简材料 per department and for the center, since each department's admission", tag: "Center",
                response: "Streamlining")
        ) { req in try await streamlining(try req.uuid("id"), req: req) }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let strings: JSONValue = ["type": "array", "items": O.string]
        let auth = O.object(["approveOnSpot": O.bool, "reviewReported": O.bool, "supervisePromised": O.bool, "coordinateJoint": O.bool])
        let unit = O.object([
            "departmentID": O.uuid, "department": O.string, "admittedOn": ["type": ["string", "null"], "format": "date"],
            "items": O.integer, "itemsCut": O.integer, "daysCut": O.integer, "materialsDropped": O.integer,
        ])
        return [
            "Admission": O.object([
                "id": O.uuid, "departmentID": O.uuid, "department": O.string, "items": strings, "staff": strings, "equipment": strings,
                "authorisations": auth, "entrusted": strings, "note": O.string,
                "state": ["type": "string", "enum": .array(AdmissionRules.State.allCases.map { .string($0.rawValue) })],
                "requestedBy": O.string, "decidedBy": O.optionalString, "decidedOn": ["type": ["string", "null"], "format": "date"],
                "decisionNote": O.optionalString,
                "events": [
                    "type": "array",
                    "items": O.object(["kind": O.string, "itemCode": O.string, "note": O.string, "recordedBy": O.string, "day": O.date]),
                ],
            ]),
            "AdmissionInput": O.object(
                [
                    "departmentID": O.uuid, "items": strings, "staff": ["type": "array", "items": O.uuid], "equipment": strings,
                    "authorisations": auth, "entrusted": strings, "note": O.string,
                ], required: ["items"]),
            "AdmissionDecision": O.object(["approve": O.bool, "note": O.string], required: ["approve"]),
            "AdmissionAdjustment": O.object(
                [
                    "kind": ["type": "string", "enum": .array(AdmissionRules.Adjustment.allCases.map { .string($0.rawValue) })],
                    "itemCode": O.string, "note": O.string,
                ], required: ["kind", "itemCode"]),
            "ItemHistory": O.object([
                "itemID": O.uuid, "code": O.string, "name": O.string, "admittedOn": ["type": ["string", "null"], "format": "date"],
                "versions": [
                    "type": "array",
                    "items": O.object([
                        "version": O.integer, "day": O.date, "legalDays": O.integer, "promisedDays": O.integer, "materials": strings,
                    ]),
                ],
                "daysCut": O.optionalInteger, "materialsDropped": strings, "materialsAdded": strings,
            ]),
            "Streamlining": O.object(["centerID": O.uuid, "total": unit, "departments": ["type": "array", "items": unit]]),
        ]
    }()
}
