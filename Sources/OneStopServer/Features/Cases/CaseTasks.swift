import Fluent
import Foundation
import OneStopCore
import Vapor

struct CaseTaskDTO: Content {
    var id: UUID
    var seq: Int
    var departmentID: UUID
    var departmentName: String
    var title: String
    var limitDays: Int
    var startedOn: String
    var dueOn: String
    var state: String
    var doneOn: String?
    var doneBy: String
    var note: String
}

struct CaseTaskInput: Content {
    var departmentID: UUID?
    var title: String?
    var days: Int?
    var note: String?
}

/// 联办件: the lead department gives each co-department a task with its own working-day limit;
/// the case is decided only when every task is done.
enum CaseTasks {
    /// Adds a task to a joint case under review or accepted; the lead department's staff (a chief
    /// representative needs the coordination authorisation) or the center's administrator.
    static func add(_ caseID: UUID, _ input: CaseTaskInput, req: Request) async throws -> CaseTaskModel {
        let scope = try await req.scope()
        let p = scope.principal
        guard let c = try await CaseModel.find(caseID, on: req.db), CaseAccess.staffMay(scope, see: c) else { throw Abort(.notFound) }
        if p.role == .chiefRepresentative, try await !Authorisations.held(department: c.departmentID, item: c.itemID, on: req.db).coordinate
        {
            throw Abort(.forbidden, reason: req.t("case.notAuthorised", ["authorisation": req.t("authorisation.coordinate")]))
        }
        guard c.caseType == CaseType.joint.rawValue else { throw ValidationFailure([FieldError("departmentID", "task.jointOnly")]) }
        guard [CaseState.accepted.rawValue, CaseState.underReview.rawValue].contains(c.state) else {
            throw ValidationFailure([FieldError("departmentID", "task.notNow")])
        }
        var errors: [FieldError] = []
        var department: DepartmentModel?
        if let id = input.departmentID { department = try await DepartmentModel.find(id, on: req.db) }
        if department == nil || department?.centerID != c.centerID || department?.id == c.departmentID {
            errors.append(FieldError("departmentID", "task.coDepartment"))
        }
        let title = (input.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty {
            errors.append(FieldError("title", "required"))
        } else if title.count > 200 {
            errors.append(FieldError("title", "tooLong"))
        }
        if !(1...60).contains(input.days ?? 0) { errors.append(FieldError("days", "case.extensionDays")) }
        guard errors.isEmpty, let department, let days = input.days else { throw ValidationFailure(errors) }
        let calendar = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
        let today = HallClock.day(req.now)
        guard let due = calendar.addWorkingDays(days, to: today) else {
            throw ValidationFailure([FieldError("days", "case.extensionDays")])
        }
        let millis = HallClock.millis(req.now)
        let firstCheck = Supervision.firstCheck(
            taskDays: days, today: today, calendar: calendar,
            thresholds: try await req.application.thresholdCache.thresholds(item: c.itemID, on: req.db))
        return try await req.audited { db -> (CaseTaskModel, [AuditEvent]) in
            let last = try await CaseTaskModel.query(on: db).filter(\.$caseID == caseID).max(\.$seq) ?? 0
            let t = CaseTaskModel()
            t.id = UUID.timeOrdered()
            t.caseID = caseID
            t.seq = last + 1
            t.departmentID = department.id!
            t.title = title
            t.limitDays = days
            t.startedOn = today.description
            t.dueOn = due.description
            t.state = "open"
            t.doneBy = ""
            t.note = ""
            t.level = WarningLevel.normal.rawValue
            t.nextCheck = firstCheck
            try await t.create(on: db)
            try await Outbox.enqueue(
                "case.task",
                .init(
                    title: "联办任务：\(c.number)", body: "\(c.itemName)：\(title)，请在 \(due) 前完成。", link: "/cases/\(caseID)",
                    data: ["case": c.number, "due": due.description]),
                users: try await UserModel.query(on: db).filter(\.$departmentID == department.id!)
                    .filter(\.$role == Role.chiefRepresentative.rawValue).all().compactMap(\.id),
                center: c.centerID, at: millis, on: db)
            return (
                t,
                [
                    AuditEvent(
                        "case.task.add", "case", id: caseID, center: c.centerID,
                        detail: ["number": c.number, "department": department.code, "due": due.description])
                ]
            )
        }
    }

    /// Marks a task done: staff of the co-department, or the center's administrator.
    static func complete(_ caseID: UUID, _ taskID: UUID, _ input: CaseTaskInput, req: Request) async throws -> CaseTaskModel {
        let scope = try await req.scope()
        let p = scope.principal
        guard let c = try await CaseModel.find(caseID, on: req.db), scope.contains(c.centerID),
            let task = try await CaseTaskModel.find(taskID, on: req.db), task.caseID == caseID
        else { throw Abort(.notFound) }
        guard p.role == .centerAdmin || p.departmentID == task.departmentID else { throw Abort(.forbidden, reason: req.t("task.notYours")) }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if note.count > 1000 { throw ValidationFailure([FieldError("note", "tooLong")]) }
        let today = HallClock.day(req.now).description
        let by = p.displayName
        return try await req.audited { db -> (CaseTaskModel, [AuditEvent]) in
            guard let t = try await CaseTaskModel.find(taskID, on: db) else { throw Abort(.notFound) }
            guard t.state == "open" else { throw ValidationFailure([FieldError("note", "task.done")]) }
            t.state = "done"
            t.doneOn = today
            t.doneBy = by
            t.note = note
            t.nextCheck = nil
            try await t.save(on: db)
            return (
                t,
                [AuditEvent("case.task.done", "case", id: caseID, center: c.centerID, detail: ["number": c.number, "task": String(t.seq)])]
            )
        }
    }

    static func list(_ caseID: UUID, on db: any Database) async throws -> [CaseTaskDTO] {
        let tasks = try await CaseTaskModel.query(on: db).filter(\.$caseID == caseID).sort(\.$seq).all()
        guard !tasks.isEmpty else { return [] }
        let names = Dictionary(
            uniqueKeysWithValues: try await DepartmentModel.query(on: db).filter(\.$id ~~ tasks.map(\.departmentID)).all().map {
                ($0.id!, $0.name)
            })
        return tasks.map {
            CaseTaskDTO(
                id: $0.id!, seq: $0.seq, departmentID: $0.departmentID, departmentName: names[$0.departmentID] ?? "", title: $0.title,
                limitDays: $0.limitDays, startedOn: $0.startedOn, dueOn: $0.dueOn, state: $0.state, doneOn: $0.doneOn, doneBy: $0.doneBy,
                note: $0.note)
        }
    }

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "cases", ":id", "tasks", access: CaseAccess.handlers,
            operation: .init(
                id: "addCaseTask", summary: "Give a co-department a task in a joint case (联办件), with its own working-day limit",
                tag: "Cases", request: "CaseTaskInput", response: "CaseTask", successStatus: 201)
        ) { req in
            let t = try await add(try req.uuid("id"), req.content.decode(CaseTaskInput.self), req: req)
            return try await OrgAPIController.created(try await list(t.caseID, on: req.db).first { $0.id == t.id }!, req)
        }
        api.endpoint(
            .POST, "cases", ":id", "tasks", ":task", "done", access: CaseAccess.handlers,
            operation: .init(
                id: "completeCaseTask", summary: "Mark a co-department's task done (its own staff)", tag: "Cases", request: "CaseTaskInput",
                response: "CaseTask")
        ) { req in
            guard let taskID = req.parameters.get("task").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let input = req.body.data == nil ? CaseTaskInput() : try req.content.decode(CaseTaskInput.self)
            let t = try await complete(try req.uuid("id"), taskID, input, req: req)
            return try await list(t.caseID, on: req.db).first { $0.id == t.id }!
        }
    }
}
