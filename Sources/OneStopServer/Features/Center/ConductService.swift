import Fluent
import Foundation
import OneStopCore
import Vapor

/// 作风督查 (issue 23): the center's inspection team checks the windows' conduct against its
/// checklist (attendance, attitude, 文明用语, 一次性告知, discipline by default); a finding is
/// notified to the window's department, which explains it and says what it corrected within a
/// number of working days, and the center closes it or sends it back. Findings count in the
/// assessments as 作风督查问题数.
enum ConductService {
    static let inspectors = Access.only(.centerAdmin, .supervisor)
    static let readers = Access.only(.centerAdmin, .supervisor, .chiefRepresentative)
    static let explainers = Access.only(.centerAdmin, .chiefRepresentative)

    struct StartInput: Content {
        var day: String?
        var team: String?
        /// The center's checklist from now on; the inspection keeps the list as it stood.
        var checklist: [String]?
    }

    struct FindingInput: Content {
        var windowID: UUID?
        /// An item of the inspection's checklist.
        var criterion: String?
        var text: String?
        var days: Int?
        /// A banned phrase of the center's 文明用语规范 that was heard.
        var phrase: String?
    }

    struct ExplainInput: Content {
        var explanation: String?
        var rectification: String?
    }

    struct CloseInput: Content {
        var accept: Bool?
        var note: String?
    }

    struct Finding: Content {
        var id: UUID
        var inspectionID: UUID
        var day: String
        var windowID: UUID?
        var window: String?
        var departmentID: UUID?
        var department: String?
        var criterion: String
        var text: String
        var phrase: String?
        var state: String
        var explainBy: String
        var overdue: Bool
        var explanation: String?
        var rectification: String?
        var explainedBy: String?
        var closeNote: String?
        var closedBy: String?
    }

    struct Inspection: Content {
        var id: UUID
        var day: String
        var team: String
        var checklist: [String]
        var startedBy: String
        var findings: [Finding]
    }

    static func checklist(_ center: UUID, on db: any Database) async throws -> [String] {
        try await CenterRulesModel.find(center, on: db)?.checklistValue ?? ConductRules.defaultChecklist
    }

    static func start(_ center: UUID, _ input: StartInput, req: Request) async throws -> Inspection {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        guard try await CenterModel.find(center, on: req.db) != nil else { throw Abort(.notFound) }
        var v = Validator()
        let team = v.text("team", input.team, max: 200)
        let today = HallClock.day(req.now)
        let day = WindowStaffService.date(input.day, "day", required: false, &v) ?? today
        if day > today { v.add("day", "staff.future") }
        var list = try await checklist(center, on: req.db)
        if let asked = input.checklist {
            for e in ConductRules.checklistProblems(asked) { v.add(e.field, e.code) }
            list = asked.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        guard v.errors.isEmpty else { throw ValidationFailure(v.errors) }
        let m = ConductInspectionModel()
        m.id = UUID.timeOrdered()
        m.centerID = center
        m.day = day.description
        m.team = team
        m.checklistValue = list
        m.startedBy = p.displayName
        m.startedAt = HallClock.millis(req.now)
        let changed = input.checklist != nil
        let (items, millis) = (list, m.startedAt)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await m.storeNew(on: db)
            if changed {
                let rules = try await CenterRulesModel.find(center, on: db) ?? CenterRulesModel.fresh(center)
                rules.checklistValue = items
                rules.updatedBy = p.displayName
                rules.updatedAt = millis
                try await rules.store(on: db)
            }
            return (
                (), [AuditEvent("conduct.start", "conduct_inspection", id: m.id, center: center, detail: ["day": m.day, "team": team])]
            )
        }
        return try await dtos([m], req: req)[0]
    }

    static func record(_ inspectionID: UUID, _ input: FindingInput, req: Request) async throws -> Finding {
        let p = try req.requirePrincipal()
        guard let i = try await ConductInspectionModel.find(inspectionID, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(i.centerID)
        var v = Validator()
        var window: WindowModel?
        if let w = input.windowID {
            window = try await WindowModel.find(w, on: req.db)
            if window?.centerID != i.centerID { v.add("windowID", "invalidReference") }
        } else {
            v.add("windowID", "required")
        }
        let item = (input.criterion ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let text = v.text("text", input.text, max: 1000, required: false)
        let days = input.days ?? ConductRules.defaultExplainDays
        for e in ConductRules.findingProblems(item: item, checklist: i.checklistValue, text: text, days: days) { v.add(e.field, e.code) }
        let phrase = try await HallRulesService.cited(input.phrase, center: i.centerID, field: "phrase", on: req.db, &v)
        guard v.errors.isEmpty, let window else { throw ValidationFailure(v.errors) }
        let cal = try await req.application.calendars.calendar(for: i.centerID, on: req.db)
        let today = HallClock.day(req.now)
        let m = ConductFindingModel()
        m.id = UUID.timeOrdered()
        m.inspectionID = inspectionID
        m.centerID = i.centerID
        m.day = i.day
        m.windowID = window.id
        m.departmentID = window.departmentID
        m.item = item
        m.text = text
        m.phrase = phrase
        m.state = ConductRules.State.notified.rawValue
        m.explainBy = (cal.addWorkingDays(days, to: today) ?? today.adding(days: days)).description
        m.recordedBy = p.displayName
        m.recordedAt = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "conduct.finding", "conduct_finding", id: m.id, center: i.centerID,
                        detail: ["window": String(window.number), "criterion": item, "explainBy": m.explainBy])
                ]
            )
        }
        return try await findingDTOs([m], req: req)[0]
    }

    enum StepOutcome {
        case done(ConductFindingModel)
        case wrongState
    }

    static func finding(_ id: UUID, req: Request) async throws -> ConductFindingModel {
        guard let f = try await ConductFindingModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(f.centerID)
        return f
    }

    static func explain(_ id: UUID, _ input: ExplainInput, req: Request) async throws -> Finding {
        let p = try req.requirePrincipal()
        let f = try await finding(id, req: req)
        if p.role == .chiefRepresentative && (f.departmentID == nil || f.departmentID != p.departmentID) { throw Abort(.forbidden) }
        var v = Validator()
        let explanation = v.text("explanation", input.explanation, max: 1000, required: false)
        let rectification = v.text("rectification", input.rectification, max: 1000, required: false)
        for e in ConductRules.explanationProblems(explanation: explanation, rectification: rectification) { v.add(e.field, e.code) }
        guard v.errors.isEmpty else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await ConductFindingModel.find(id, on: db),
                ConductRules.State(rawValue: fresh.state).map(ConductRules.mayExplain) == true
            else { return (.wrongState, []) }
            fresh.state = ConductRules.State.explained.rawValue
            fresh.explanation = explanation
            fresh.rectification = rectification
            fresh.explainedBy = p.displayName
            fresh.explainedAt = millis
            try await fresh.storeChanges(on: db)
            return (.done(fresh), [AuditEvent("conduct.explain", "conduct_finding", id: id, center: f.centerID)])
        }
        switch outcome {
        case .wrongState: throw Abort(.conflict, reason: req.t("conduct.notNotified"))
        case .done(let m): return try await findingDTOs([m], req: req)[0]
        }
    }

    static func close(_ id: UUID, _ input: CloseInput, req: Request) async throws -> Finding {
        let p = try req.requirePrincipal()
        let f = try await finding(id, req: req)
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = ConductRules.closeProblems(accept: input.accept, note: note)
        if note.count > 500 { errors.append(FieldError("note", "tooLong")) }
        guard errors.isEmpty, let accept = input.accept else { throw ValidationFailure(errors) }
        let millis = HallClock.millis(req.now)
        let outcome = try await req.audited { db -> (StepOutcome, [AuditEvent]) in
            guard let fresh = try await ConductFindingModel.find(id, on: db),
                ConductRules.State(rawValue: fresh.state).map(ConductRules.mayClose) == true
            else { return (.wrongState, []) }
            fresh.state = (accept ? ConductRules.State.closed : .notified).rawValue
            fresh.closeNote = note
            if accept {
                fresh.closedBy = p.displayName
                fresh.closedAt = millis
            }
            try await fresh.storeChanges(on: db)
            return (
                .done(fresh),
                [
                    AuditEvent(
                        accept ? "conduct.close" : "conduct.return", "conduct_finding", id: id, center: f.centerID, detail: ["note": note])
                ]
            )
        }
        switch outcome {
        case .wrongState: throw Abort(.conflict, reason: req.t("conduct.notExplained"))
        case .done(let m): return try await findingDTOs([m], req: req)[0]
        }
    }

    static func findingDTOs(_ rows: [ConductFindingModel], req: Request) async throws -> [Finding] {
        guard !rows.isEmpty else { return [] }
        let today = HallClock.day(req.now).description
        let windows = try await PatrolService.windowNames(Set(rows.compactMap(\.windowID)), on: req.db)
        let departments = try await DutyService.names([], departments: Set(rows.compactMap(\.departmentID)), on: req.db).departments
        return rows.map { f in
            Finding(
                id: f.id!, inspectionID: f.inspectionID, day: f.day, windowID: f.windowID, window: f.windowID.flatMap { windows[$0] },
                departmentID: f.departmentID, department: f.departmentID.flatMap { departments[$0] }, criterion: f.item, text: f.text,
                phrase: f.phrase,
                state: f.state, explainBy: f.explainBy, overdue: f.state == ConductRules.State.notified.rawValue && f.explainBy < today,
                explanation: f.explanation, rectification: f.rectification, explainedBy: f.explainedBy, closeNote: f.closeNote,
                closedBy: f.closedBy)
        }
    }

    static func dtos(_ rows: [ConductInspectionModel], req: Request) async throws -> [Inspection] {
        let p = try req.requirePrincipal()
        let ids = rows.compactMap(\.id)
        var q = ConductFindingModel.query(on: req.db).filter(\.$inspectionID ~~ ids)
        if p.role == .chiefRepresentative { q = q.filter(\.$departmentID == p.departmentID) }
        let findings = ids.isEmpty ? [] : try await findingDTOs(try await q.sort(\.$id).all(), req: req)
        return rows.map { i in
            Inspection(
                id: i.id!, day: i.day, team: i.team, checklist: i.checklistValue, startedBy: i.startedBy,
                findings: findings.filter { $0.inspectionID == i.id })
        }
    }

    /// A center's inspections, the latest first (a chief representative sees their department's findings).
    static func list(_ center: UUID, req: Request) async throws -> [Inspection] {
        try await req.scope().require(center)
        let rows = try await ConductInspectionModel.query(on: req.db).filter(\.$centerID == center).sort(\.$day, .descending)
            .sort(\.$startedAt, .descending).limit(24).all()
        return try await dtos(rows, req: req)
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "centers", ":id", "conduct-inspections", access: inspectors,
            operation: .init(
                id: "startConductInspection",
                summary:
                    "Starts a conduct inspection (作风督查): the day, the team, and the checklist (the center's, or a new one that becomes the center's)",
                tag: "Center", request: "ConductInspectionInput", response: "ConductInspection", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await start(try req.uuid("id"), try req.content.decode(StartInput.self), req: req), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "conduct-inspections", access: readers,
            operation: .init(
                id: "listConductInspections", summary: "A center's conduct inspections with their findings, the latest first",
                tag: "Center", response: "ConductInspection", responseIsList: true)
        ) { req in try await list(try req.uuid("id"), req: req) }
        api.endpoint(
            .POST, "conduct-inspections", ":id", "findings", access: inspectors,
            operation: .init(
                id: "recordInspectionFinding",
                summary:
                    "Records a finding of a conduct inspection at a window, on an item of its checklist; the window's department is to explain it within the working days given (3)",
                tag: "Center", request: "ConductFindingInput", response: "ConductFinding", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await record(try req.uuid("id"), try req.content.decode(FindingInput.self), req: req), req)
        }
        api.endpoint(
            .POST, "conduct-findings", ":id", "explanation", access: explainers,
            operation: .init(
                id: "explainInspectionFinding",
                summary: "The window's department explains a finding and says what it corrected (both required), once it is notified",
                tag: "Center", request: "ConductExplanation", response: "ConductFinding")
        ) { req in try await explain(try req.uuid("id"), try req.content.decode(ExplainInput.self), req: req) }
        api.endpoint(
            .POST, "conduct-findings", ":id", "close", access: inspectors,
            operation: .init(
                id: "closeInspectionFinding",
                summary: "The center closes an explained finding, or sends it back to the department with the reason",
                tag: "Center", request: "ConductClose", response: "ConductFinding")
        ) { req in try await close(try req.uuid("id"), try req.content.decode(CloseInput.self), req: req) }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let finding = O.object([
            "id": O.uuid, "inspectionID": O.uuid, "day": O.date, "windowID": O.optionalUUID, "window": O.optionalString,
            "departmentID": O.optionalUUID, "department": O.optionalString, "criterion": O.string, "text": O.string,
            "phrase": O.optionalString,
            "state": ["type": "string", "enum": .array(ConductRules.State.allCases.map { .string($0.rawValue) })], "explainBy": O.date,
            "overdue": O.bool, "explanation": O.optionalString, "rectification": O.optionalString, "explainedBy": O.optionalString,
            "closeNote": O.optionalString, "closedBy": O.optionalString,
        ])
        return [
            "ConductFinding": finding,
            "ConductInspection": O.object([
                "id": O.uuid, "day": O.date, "team": O.string, "checklist": ["type": "array", "items": O.string], "startedBy": O.string,
                "findings": ["type": "array", "items": finding],
            ]),
            "ConductInspectionInput": O.object(
                ["day": O.date, "team": O.string, "checklist": ["type": "array", "items": O.string]], required: ["team"]),
            "ConductFindingInput": O.object(
                [
                    "windowID": O.uuid, "criterion": O.string, "text": O.string, "days": ["type": "integer", "minimum": 1, "maximum": 10],
                    "phrase": O.string,
                ], required: ["windowID", "criterion", "text"]),
            "ConductExplanation": O.object(
                ["explanation": O.string, "rectification": O.string], required: ["explanation", "rectification"]),
            "ConductClose": O.object(["accept": O.bool, "note": O.string], required: ["accept"]),
        ]
    }()
}
