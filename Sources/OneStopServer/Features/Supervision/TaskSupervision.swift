import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Supervision of the co-departments' tasks of joint cases (联办件): each open task is watched
/// against its own deadline like a case against its promised one — reminders to the
/// co-department before it, a yellow card to the co-department and an anomaly once it is passed —
/// even while the case as a whole is in time. The sweep looks only at tasks due a look.
extension Supervision {
    /// An open task with what its case contributes to the messages and the card.
    struct TaskLook: Sendable, Decodable {
        var id: UUID
        var caseID: UUID
        var seq: Int
        var departmentID: UUID
        var title: String
        var dueOn: String
        var level: String
        var reminded: Int?
        var number: String
        var centerID: UUID
        var itemID: UUID
        var itemName: String

        enum CodingKeys: String, CodingKey {
            case id, seq, title, level, reminded, number
            case caseID = "case_id", departmentID = "department_id", dueOn = "due_on", centerID = "center_id", itemID = "item_id"
            case itemName = "item_name"
        }
    }

    /// The task's outcome today, from its deadline alone.
    static func decide(task t: TaskLook, _ x: Context) -> Outcome {
        guard let due = CivilDate(t.dueOn), let left = x.calendar.countWorkingDays(from: x.today, to: due) else {
            return Outcome(level: t.level, reminded: t.reminded, nextCheck: nil)
        }
        let check = SupervisionCheck.task(left: left, thresholds: x.thresholds)
        var o = Outcome(
            level: check.level.rawValue, reminded: t.reminded,
            nextCheck: check.nextChangeIn.flatMap { x.calendar.addWorkingDays($0, to: x.today)?.description })
        if let r = check.reminder, t.reminded.map({ r < $0 }) ?? true {
            o.reminded = r
            o.reminder = (left, due.description)
        }
        if check.level == .yellow, (WarningLevel(rawValue: t.level) ?? .normal) < .yellow {
            o.cards.append(("task_step_\(t.seq)", "联办任务「\(t.title)」应于 \(due) 前完成，已超期"))
            o.anomalies.append(("task_overrun_\(t.seq)", due.description))
        }
        return o
    }

    /// The first day supervision looks at a new task: today when a reminder is already due (a
    /// task of a day or two), else the day its first threshold is reached.
    static func firstCheck(taskDays days: Int, today: CivilDate, calendar: WorkCalendar, thresholds: SupervisionThresholds) -> String? {
        let check = SupervisionCheck.task(left: days, thresholds: thresholds)
        if check.reminder != nil { return today.description }
        return check.nextChangeIn.flatMap { calendar.addWorkingDays($0, to: today)?.description }
    }

    /// Reviews every open task due a look today, a batch at a time, like the cases' sweep.
    static func sweepTasks(app: Application, now: Date, batch: Int = 5000) async throws -> Int {
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        let reader = app.reader(for: .sweep)
        guard let sql = reader as? any SQLDatabase else { return 0 }
        var looked = 0
        var calendars: [UUID: WorkCalendar] = [:]
        var thresholds: [UUID: SupervisionThresholds] = [:]
        var seen = Set<UUID>()
        while true {
            let due = try await sql.raw(
                """
                SELECT t.id, t.case_id, t.seq, t.department_id, t.title, t.due_on, t.level, t.reminded,
                       c.number, c.center_id, c.item_id, c.item_name
                FROM case_tasks t JOIN cases c ON c.id = t.case_id
                WHERE t.next_check <= \(bind: today.description) AND t.state = 'open'
                LIMIT \(unsafeRaw: String(batch))
                """
            ).all(decoding: TaskLook.self).filter { seen.insert($0.id).inserted }
            if due.isEmpty { break }
            for t in due where calendars[t.centerID] == nil {
                calendars[t.centerID] = try await app.calendars.calendar(for: t.centerID, on: reader)
            }
            for t in due where thresholds[t.itemID] == nil { thresholds[t.itemID] = try await Self.thresholds(item: t.itemID, on: reader) }
            var effects = Effects()
            var updates: [(id: UUID, outcome: Outcome)] = []
            for t in due {
                guard let cal = calendars[t.centerID] else { continue }
                let x = Context(today: today, millis: millis, calendar: cal, thresholds: thresholds[t.itemID] ?? .standard)
                let o = decide(task: t, x)
                effects.add(Look(task: t), o, x)
                updates.append((t.id, o))
            }
            let work = updates
            let pending = effects
            try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
                guard let sql = db as? any SQLDatabase else { return ((), []) }
                // Only tasks still open and due: one completed meanwhile is left alone.
                struct Row: Decodable { var id: UUID }
                var still = Set<UUID>()
                for (id, o) in work {
                    let updated = try await sql.update("case_tasks").set("level", to: o.level).set("reminded", to: o.reminded)
                        .set("next_check", to: o.nextCheck).where("id", .equal, id).where("state", .equal, "open")
                        .where("next_check", .lessThanOrEqual, today.description).returning("id").all(decoding: Row.self)
                    if !updated.isEmpty { still.insert(id) }
                }
                var effects = pending
                effects.items.removeAll { !still.contains($0.look.taskID ?? $0.look.id) }
                return ((), try await effects.write(at: millis, on: db))
            }
            looked += due.count
        }
        return looked
    }
}

extension Supervision.Look {
    /// A task seen as what supervision issues for: its case's number and item, the co-department
    /// as the one responsible (its chief representatives are told; nobody handles it by name).
    init(task t: Supervision.TaskLook) {
        id = t.caseID
        number = t.number
        centerID = t.centerID
        departmentID = t.departmentID
        itemID = t.itemID
        itemName = t.itemName
        caseType = CaseType.joint.rawValue
        state = CaseState.underReview.rawValue
        receivedOn = ""
        decidedOn = nil
        supplementAsked = false
        promisedDue = t.dueOn
        legalDue = nil
        level = t.level
        reminded = t.reminded
        handlerID = nil
        task = t.title
        taskID = t.id
    }
}

/// An open task on the supervision board.
struct TaskWarningDTO: Content {
    var id: UUID
    var caseID: UUID
    var number: String
    var itemName: String
    var departmentID: UUID
    var departmentName: String
    var title: String
    var dueOn: String
    /// Working days to the task's deadline (negative: overdue).
    var daysLeft: Int?
    var level: String
}

extension SupervisionAPIController {
    /// Open tasks of joint cases in the caller's scope, the nearest deadline first. A chief
    /// representative sees their department's tasks and the tasks of their department's cases.
    static func taskWarnings(_ req: Request) async throws -> [TaskWarningDTO] {
        let scope = try await req.scope()
        let p = scope.principal
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable {
            var id: UUID
            var caseID: UUID
            var number: String
            var itemName: String
            var centerID: UUID
            var departmentID: UUID
            var departmentName: String
            var title: String
            var dueOn: String
            var level: String
            enum CodingKeys: String, CodingKey {
                case id, number, title, level
                case caseID = "case_id", itemName = "item_name", centerID = "center_id", departmentID = "department_id"
                case departmentName = "department_name", dueOn = "due_on"
            }
        }
        var centers = Array(scope.centers)
        if let raw = req.query[String.self, at: "centerID"], !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw ValidationFailure([FieldError("centerID", "invalidReference")]) }
            try scope.require(id)
            centers = [id]
        }
        var q = sql.select()
            .column(SQLColumn("id", table: "t")).column(SQLColumn("case_id", table: "t")).column(SQLColumn("number", table: "c"))
            .column(SQLColumn("item_name", table: "c")).column(SQLColumn("center_id", table: "c"))
            .column(SQLColumn("department_id", table: "t")).column(SQLAlias(SQLColumn("name", table: "d"), as: "department_name"))
            .column(SQLColumn("title", table: "t")).column(SQLColumn("due_on", table: "t")).column(SQLColumn("level", table: "t"))
            .from(SQLAlias(SQLIdentifier("case_tasks"), as: SQLIdentifier("t")))
            .join(
                SQLAlias(SQLIdentifier("cases"), as: SQLIdentifier("c")), on: SQLColumn("case_id", table: "t"), .equal,
                SQLColumn("id", table: "c")
            )
            .join(
                SQLAlias(SQLIdentifier("departments"), as: SQLIdentifier("d")), on: SQLColumn("department_id", table: "t"), .equal,
                SQLColumn("id", table: "d")
            )
            .where(SQLColumn("state", table: "t"), .equal, SQLBind("open"))
            .where(SQLColumn("center_id", table: "c"), .in, SQLBind.group(centers))
        if p.role == .chiefRepresentative, let d = p.departmentID {
            q = q.where {
                $0.where(SQLColumn("department_id", table: "t"), .equal, SQLBind(d))
                    .orWhere(SQLColumn("department_id", table: "c"), .equal, SQLBind(d))
            }
        }
        if let level = req.query[String.self, at: "level"], !level.isEmpty {
            guard WarningLevel(rawValue: level) != nil else { throw ValidationFailure([FieldError("level", "invalidChoice")]) }
            q = q.where(SQLColumn("level", table: "t"), .equal, SQLBind(level))
        }
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 200)
        let rows = try await q.orderBy(SQLColumn("due_on", table: "t")).orderBy(SQLColumn("number", table: "c")).limit(limit)
            .all(decoding: Row.self)
        let today = HallClock.day(req.now)
        var calendars: [UUID: WorkCalendar] = [:]
        var out: [TaskWarningDTO] = []
        for r in rows {
            if calendars[r.centerID] == nil {
                calendars[r.centerID] = try await req.application.calendars.calendar(for: r.centerID, on: req.db)
            }
            let left = CivilDate(r.dueOn).flatMap { calendars[r.centerID]!.countWorkingDays(from: today, to: $0) }
            out.append(
                TaskWarningDTO(
                    id: r.id, caseID: r.caseID, number: r.number, itemName: r.itemName, departmentID: r.departmentID,
                    departmentName: r.departmentName, title: r.title, dueOn: r.dueOn, daysLeft: left, level: r.level))
        }
        return out
    }
}
