import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Electronic supervision of timed cases (DOMAIN.md §5). Each case is queued for the day
/// supervision next has to look at it (`supervision_queue`); a move of the case and the sweep of
/// the day both decide it, raise reminders, cards and anomalies for what changed since the last
/// look, and queue the next day.
enum Supervision {
    /// A new case is first looked at the working day after its 5 days to be accepted.
    static func firstCheck(received: CivilDate, calendar: WorkCalendar) -> String? {
        CaseClock.supplementNoticeDeadline(received: received, calendar: calendar).flatMap {
            calendar.addWorkingDays(1, to: $0)?.description
        }
    }

    struct Context {
        var today: CivilDate
        var millis: Int64
        var calendar: WorkCalendar
        var thresholds: SupervisionThresholds
    }

    /// What supervision needs of a case: its row, without the rest.
    struct Look: Sendable, Decodable {
        var id: UUID
        var number: String
        var centerID: UUID
        var departmentID: UUID
        var itemID: UUID
        var itemName: String
        var caseType: String
        var state: String
        var receivedOn: String
        var decidedOn: String?
        var supplementAsked: Bool
        var promisedDue: String?
        var legalDue: String?
        var level: String
        var reminded: Int?
        var handlerID: UUID?
        /// The deadline of a step with its own limit (a special procedure under way).
        var stepDue: String? = nil
        /// When the case last moved: the sweep leaves alone a case that moved after it read it.
        var updatedAt: Int64 = 0
        /// For a co-department's task: its title and id (`id` is then its case's).
        var task: String? = nil
        var taskID: UUID? = nil

        enum CodingKeys: String, CodingKey {
            case id, number, state, level, reminded
            case centerID = "center_id", departmentID = "department_id", itemID = "item_id", itemName = "item_name"
            case caseType = "case_type", receivedOn = "received_on", decidedOn = "decided_on", supplementAsked = "supplement_asked"
            case promisedDue = "promised_due", legalDue = "legal_due", handlerID = "handler_id", stepDue = "step_due"
            case updatedAt = "updated_at"
        }

        /// The columns `init(row:)` reads.
        static let columns = [
            "id", "number", "center_id", "department_id", "item_id", "item_name", "case_type", "state", "received_on", "decided_on",
            "supplement_asked", "promised_due", "legal_due", "level", "reminded", "handler_id", "step_due", "updated_at",
        ]

        /// A row of `columns`, column by column: the sweep reads tens of thousands, and the keyed
        /// decoding of `Decodable` cost a third of its reading.
        /// `textIDs`: the database keeps ids as text (SQLite).
        init(row r: any SQLRow, textIDs: Bool) throws {
            id = try r.id("id", text: textIDs)
            number = try r.decode(column: "number", as: String.self)
            centerID = try r.id("center_id", text: textIDs)
            departmentID = try r.id("department_id", text: textIDs)
            itemID = try r.id("item_id", text: textIDs)
            itemName = try r.decode(column: "item_name", as: String.self)
            caseType = try r.decode(column: "case_type", as: String.self)
            state = try r.decode(column: "state", as: String.self)
            receivedOn = try r.decode(column: "received_on", as: String.self)
            decidedOn = try r.decode(column: "decided_on", as: String?.self)
            supplementAsked = try r.decode(column: "supplement_asked", as: Bool.self)
            promisedDue = try r.decode(column: "promised_due", as: String?.self)
            legalDue = try r.decode(column: "legal_due", as: String?.self)
            level = try r.decode(column: "level", as: String.self)
            reminded = try r.decode(column: "reminded", as: Int?.self)
            handlerID = try r.optionalID("handler_id", text: textIDs)
            stepDue = try r.decode(column: "step_due", as: String?.self)
            updatedAt = try r.decode(column: "updated_at", as: Int64.self)
        }

        init(_ c: CaseModel) {
            id = c.id!
            number = c.number
            centerID = c.centerID
            departmentID = c.departmentID
            itemID = c.itemID
            itemName = c.itemName
            caseType = c.caseType
            state = c.state
            receivedOn = c.receivedOn
            decidedOn = c.decidedOn
            supplementAsked = c.supplementAsked
            promisedDue = c.promisedDue
            legalDue = c.legalDue
            level = c.level
            reminded = c.reminded
            handlerID = c.handlerID
            stepDue = c.stepDue
            updatedAt = c.updatedAt
        }
    }

    /// What changes for one case today: its supervision fields, and what to issue.
    struct Outcome: Sendable {
        var level: String
        var reminded: Int?
        var nextCheck: String?
        /// A reminder to send: days left and the due date.
        var reminder: (left: Int, due: String)?
        var cards: [(kind: String, reason: String)] = []
        var anomalies: [(kind: String, detail: String)] = []
    }

    /// The decision, from the case's stored due dates (they already leave out the clock's stops; a
    /// stopped clock has none, and nothing can change until it runs again).
    static func decide(_ c: Look, _ x: Context) -> Outcome {
        let state = CaseState(rawValue: c.state) ?? .terminated
        var o = Outcome(level: c.level, reminded: c.reminded, nextCheck: nil)
        if state.isClosed || c.caseType == CaseType.immediate.rawValue { return o }
        if state == .suspended {
            // The case's clock is stopped; a special procedure with a published limit still runs
            // against that limit.
            guard let due = c.stepDue.flatMap(CivilDate.init) else { return o }
            if x.today > due {
                o.cards.append(("special_step", "特殊程序应于 \(due) 前结束，已超出公示时限"))
                o.anomalies.append(("special_overrun", due.description))
            } else {
                o.nextCheck = x.calendar.addWorkingDays(1, to: due)?.description
            }
            return o
        }
        if state.isDecided {
            // 送达: within 10 working days of the decision.
            guard let decided = c.decidedOn.flatMap(CivilDate.init),
                let due = CaseClock.deliveryDeadline(decided: decided, calendar: x.calendar)
            else { return o }
            if x.today > due {
                o.cards.append(("delivery_step", "\(decided) 作出决定，\(due) 前未送达"))
                o.anomalies.append(("delivery_overrun", due.description))
            } else {
                o.nextCheck = x.calendar.addWorkingDays(1, to: due)?.description
            }
            return o
        }
        if state.isBeforeAcceptance {
            // 受理: accept, ask for supplements or refuse within 5 working days of receipt.
            guard state == .submitted, !c.supplementAsked, let received = CivilDate(c.receivedOn),
                let due = CaseClock.supplementNoticeDeadline(received: received, calendar: x.calendar)
            else { return o }
            if x.today > due {
                o.cards.append(("acceptance_step", "\(received) 收件，\(due) 前未作出受理、补正或不予受理决定"))
                o.anomalies.append(("acceptance_overrun", due.description))
            } else {
                o.nextCheck = x.calendar.addWorkingDays(1, to: due)?.description
            }
            return o
        }
        guard let promised = c.promisedDue.flatMap(CivilDate.init), let legal = c.legalDue.flatMap(CivilDate.init),
            let promisedLeft = x.calendar.countWorkingDays(from: x.today, to: promised),
            let legalLeft = x.calendar.countWorkingDays(from: x.today, to: legal)
        else { return o }
        let check = SupervisionCheck.evaluate(promisedLeft: promisedLeft, legalLeft: legalLeft, running: true, thresholds: x.thresholds)
        if let due = check.reminder, c.reminded.map({ due < $0 }) ?? true {
            o.reminded = due
            o.reminder = (promisedLeft, promised.description)
        }
        let before = WarningLevel(rawValue: c.level) ?? .normal
        if check.level >= .yellow, before < .yellow {
            o.cards.append(("yellow", "超过承诺办结期限（\(promised)）"))
            o.anomalies.append(("overdue", promised.description))
        }
        if check.level == .red, before < .red { o.cards.append(("red", "超过法定办结期限（\(legal)）")) }
        o.level = check.level.rawValue
        o.nextCheck = check.nextChangeIn.flatMap { x.calendar.addWorkingDays($0, to: x.today)?.description }
        return o
    }

    /// Looks at one case after it moved, and queues its next look; the caller saves the case.
    static func review(_ c: CaseModel, _ x: Context, on db: any Database) async throws -> [AuditEvent] {
        let (effects, next) = apply(c, x)
        if let next { try await enqueue([(next, c.id!)], on: db) }
        return try await effects.write(at: x.millis, on: db)
    }

    /// Decides the case's supervision fields in place, and returns what is to be issued for it
    /// and the day of its next look (written and queued once the case row exists).
    static func apply(_ c: CaseModel, _ x: Context) -> (Effects, next: String?) {
        let look = Look(c)
        let o = decide(look, x)
        c.level = o.level
        c.reminded = o.reminded
        var effects = Effects()
        effects.add(look, o, x)
        return (effects, o.nextCheck)
    }

    /// Queues looks: a case is due a look on each day it is queued for. A look finds the case as it
    /// is then, so a look queued before the case moved on costs a read and changes nothing.
    /// `deferrable`: inside a job that keeps a `RowBuffer`, the looks wait for the batch's others.
    static func enqueue(_ looks: [(day: String, caseID: UUID)], deferrable: Bool = false, on db: any Database) async throws {
        guard !looks.isEmpty, let sql = db as? any SQLDatabase else { return }
        if deferrable, RowBuffer.current != nil {
            try await SQLRows.insert(
                into: "supervision_queue", columns: "day, case_id", looks.map { [SQLBind($0.day), sql.bind(id: $0.caseID)] },
                onConflict: "DO NOTHING", deferrable: true, on: db)
            return
        }
        for start in stride(from: 0, to: looks.count, by: 400) {
            let chunk = looks[start..<min(start + 400, looks.count)]
            let values = SQLList(chunk.map { SQLGroupExpression([SQLBind($0.day), sql.bind(id: $0.caseID)]) })
            // On SQLite `OR IGNORE`, which cannot abort half-way: the statement then keeps no
            // journal of the pages it changes (a sweep queues tens of thousands of looks).
            try await sql.raw(
                sql.textIDs
                    ? "INSERT OR IGNORE INTO supervision_queue (day, case_id) VALUES \(values)"
                    : "INSERT INTO supervision_queue (day, case_id) VALUES \(values) ON CONFLICT DO NOTHING"
            ).run()
        }
    }

    /// The days a case is queued for, in order; past days drop out as the sweep takes them.
    static func queued(_ caseID: UUID, on db: any Database) async throws -> [String] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { var day: String }
        return try await sql.raw("SELECT day FROM supervision_queue WHERE case_id = \(bind: caseID) ORDER BY day").all(decoding: Row.self)
            .map(\.day)
    }

    static func anomaly(_ c: CaseModel, kind: String, detail: String, _ x: Context, on db: any Database) async throws -> [AuditEvent] {
        var effects = Effects()
        var o = Outcome(level: c.level, reminded: c.reminded, nextCheck: nil)
        o.anomalies = [(kind, detail)]
        effects.add(Look(c), o, x)
        return try await effects.write(at: x.millis, on: db)
    }

    /// Cards, anomalies and notifications of many outcomes, written with a few statements.
    struct Effects {
        var items: [(look: Look, outcome: Outcome, context: Context)] = []

        mutating func add(_ look: Look, _ o: Outcome, _ x: Context) {
            if o.reminder != nil || !o.cards.isEmpty || !o.anomalies.isEmpty { items.append((look, o, x)) }
        }

        func write(at millis: Int64, on db: any Database) async throws -> [AuditEvent] {
            guard !items.isEmpty, let sql = db as? any SQLDatabase else { return [] }
            let ids = Array(Set(items.map(\.look.id)))
            struct Existing: Decodable {
                var caseID: UUID
                var kind: String
                enum CodingKeys: String, CodingKey {
                    case caseID = "case_id", kind
                }
            }
            var haveCards = Set<String>()
            var haveAnomalies = Set<String>()
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                // Withdrawn ones stay on record; the kind may be issued again.
                for e in try await sql.select().column("case_id").column("kind").from("cards").where("case_id", .in, chunk)
                    .where("status", .notEqual, "withdrawn")
                    .all(decoding: Existing.self)
                {
                    haveCards.insert(e.caseID.uuidString + e.kind)
                }
                for e in try await sql.select().column("case_id").column("kind").from("anomalies").where("case_id", .in, chunk)
                    .where("withdrawn", .equal, "")
                    .all(decoding: Existing.self)
                {
                    haveAnomalies.insert(e.caseID.uuidString + e.kind)
                }
            }
            // Who is told: the handler and the department's chief representatives (the center's
            // administrators when there is nobody); each center's webhooks that want the event.
            var chiefs: [UUID: [UUID]] = [:]
            var admins: [UUID: [UUID]] = [:]
            var hooks: [UUID: [WebhookModel]] = [:]
            func responsible(_ c: Look) async throws -> [UUID] {
                if chiefs[c.departmentID] == nil {
                    chiefs[c.departmentID] = try await UserModel.query(on: db).filter(\.$departmentID == c.departmentID)
                        .filter(\.$role == Role.chiefRepresentative.rawValue).filter(\.$disabled == false).all().compactMap(\.id)
                }
                var out = chiefs[c.departmentID]! + [c.handlerID].compactMap { $0 }
                if out.isEmpty {
                    if admins[c.centerID] == nil {
                        admins[c.centerID] = try await UserModel.query(on: db).filter(\.$centerID == c.centerID)
                            .filter(\.$role == Role.centerAdmin.rawValue).filter(\.$disabled == false).all().compactMap(\.id)
                    }
                    out = admins[c.centerID]!
                }
                return Array(Set(out))
            }
            var outbox: [[any SQLExpression]] = []
            func notify(_ event: String, _ message: Outbox.Message, _ c: Look) async throws {
                if hooks[c.centerID] == nil {
                    hooks[c.centerID] = try await WebhookModel.query(on: db).filter(\.$centerID == c.centerID).filter(\.$active == true)
                        .all()
                }
                outbox += try Outbox.rows(event, message, users: try await responsible(c), hooks: hooks[c.centerID]!, at: millis, sql: sql)
            }
            var cards: [[any SQLExpression]] = []
            var anomalies: [[any SQLExpression]] = []
            var events: [AuditEvent] = []
            let names = [
                "yellow": "黄牌", "red": "红牌", "acceptance_step": "受理环节超时", "delivery_step": "送达环节超时", "special_step": "特殊程序超时",
            ]
            for (c, o, x) in items {
                if let r = o.reminder {
                    let (title, body) =
                        c.task.map { ("联办任务临近期限：\(c.number)", "\(c.itemName)：联办任务「\($0)」还剩 \(r.left) 个工作日，应于 \(r.due) 前完成。") }
                        ?? ("办件临近承诺期限：\(c.number)", "\(c.itemName) 还剩 \(r.left) 个工作日，承诺办结日期 \(r.due)。")
                    var data = ["case": c.number, "daysLeft": String(r.left)]
                    if let task = c.task { data["task"] = task }
                    try await notify("case.reminder", .init(title: title, body: body, link: "/cases/\(c.id)", data: data), c)
                    events.append(
                        AuditEvent(
                            "case.remind", "case", id: c.id, center: c.centerID, detail: data.merging(["number": c.number]) { a, _ in a }))
                }
                for (kind, reason) in o.cards where haveCards.insert(c.id.uuidString + kind).inserted {
                    let id = UUID.timeOrdered()
                    let explainBy = (x.calendar.addWorkingDays(x.thresholds.explainWithin, to: x.today) ?? x.today).description
                    cards.append(
                        [
                            SQLBind(id), SQLBind(c.id), SQLBind(c.number), SQLBind(c.centerID), SQLBind(c.departmentID),
                            SQLBind(c.handlerID),
                            SQLBind(kind), SQLBind(reason), SQLBind(x.today.description), SQLBind(explainBy), SQLBind("open"), SQLBind(""),
                            SQLBind(""), SQLBind(""), SQLBind(""),
                        ])
                    try await notify(
                        "card.issued",
                        .init(
                            title: "\(names[kind] ?? (kind.hasPrefix("task_step") ? "联办任务超时" : kind))：\(c.number)",
                            body: "\(c.itemName)：\(reason)。请在 \(explainBy) 前提交书面说明。",
                            link: "/supervision/cards", data: ["case": c.number, "kind": kind, "explainBy": explainBy]), c)
                    events.append(
                        AuditEvent(
                            "card.issue", "card", id: id, center: c.centerID,
                            detail: ["case": c.number, "kind": kind, "explainBy": explainBy]))
                }
                for (kind, detail) in o.anomalies where haveAnomalies.insert(c.id.uuidString + kind).inserted {
                    anomalies.append(
                        [
                            SQLBind(UUID.timeOrdered()), SQLBind(c.id), SQLBind(c.centerID), SQLBind(c.departmentID), SQLBind(kind),
                            SQLBind(x.today.description),
                            SQLBind(detail),
                        ])
                    events.append(
                        AuditEvent("anomaly.record", "case", id: c.id, center: c.centerID, detail: ["case": c.number, "kind": kind]))
                }
            }
            try await SQLRows.insert(
                into: "cards",
                columns:
                    "id, case_id, case_number, center_id, department_id, user_id, kind, reason, issued_on, explain_by, status, explanation, explained_by, decided_by, decision_note",
                cards, on: db)
            try await SQLRows.insert(
                into: "anomalies", columns: "id, case_id, center_id, department_id, kind, day, detail", anomalies, on: db)
            try await SQLRows.insert(into: "outbox", columns: Outbox.columns, outbox, on: db)
            return events
        }
    }
}
