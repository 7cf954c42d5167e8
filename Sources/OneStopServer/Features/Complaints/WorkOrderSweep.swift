import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The supervision sweep's look at work orders (issue 20): a running order's clock (`due_at`, from
/// its dispatch or reopening) goes through the same ladder as a case's — a reminder to the
/// department when a quarter of its time is left, a yellow card at the deadline, a red card a full
/// length later (`WorkOrderWatch`) — each once, through the outbox; the cards appear on
/// `/supervision/cards` and are explained and decided like any other. Only orders whose next look
/// has come are read (`work_orders_next_look`).
///
/// A batch of orders is decided in memory and written with a few statements: one update for the
/// stages and next looks, and multi-row inserts of the events, cards and notifications; who is
/// told is read once per batch, not once per order. Looked at one by one, 10,000 reminders took
/// 20 s.
extension Supervision {
    @discardableResult
    static func sweepWorkOrders(app: Application, now: Date, batch: Int = 1000) async throws -> Int {
        let millis = HallClock.millis(now)
        let today = HallClock.day(now)
        var looked = 0
        while true {
            // Read inside the write, so that an order answered meanwhile is not looked at as running.
            let n = try await app.groupCommit.run(actor: "system", now: now) { db -> (Int, [AuditEvent]) in
                let due = try await WorkOrderLooks.due(at: millis, limit: batch, on: db)
                let events = try await WorkOrderLooks.write(due, millis: millis, today: today, app: app, on: db)
                return (due.count, events)
            }
            looked += n
            if n < batch { break }
        }
        return looked
    }
}

/// One batch of the sweep's looks at work orders.
enum WorkOrderLooks {
    struct Due: Decodable {
        var id: UUID
        var number: String
        var title: String
        var centerID: UUID
        var departmentID: UUID?
        var state: String
        var clockStart: Int64?
        var dueAt: Int64?
        var stage: Int

        enum CodingKeys: String, CodingKey {
            case id, number, title, state, stage
            case centerID = "center_id", departmentID = "department_id", clockStart = "clock_start", dueAt = "due_at"
        }
    }

    /// The orders whose next look has come, earliest first.
    static func due(at millis: Int64, limit: Int, on db: any Database) async throws -> [Due] {
        try await SQLRows.sql(db).select()
            .columns("id", "number", "title", "center_id", "department_id", "state", "clock_start", "due_at", "stage")
            .from(WorkOrderModel.schema).where("next_look", .lessThanOrEqual, millis).orderBy("next_look").limit(limit)
            .all(decoding: Due.self)
    }

    /// What each order's clock has reached, acted on once: its stage and next look, and for a new
    /// stage its event, card and notifications; the audit entries to write with them.
    static func write(
        _ orders: [Due], millis: Int64, today: CivilDate, app: Application, on db: any Database
    ) async throws
        -> [AuditEvent]
    {
        guard !orders.isEmpty else { return [] }
        let sql = try SQLRows.sql(db)
        var stopped: [UUID] = []
        var moves: [(id: UUID, stage: Int, next: Int64?)] = []
        var raised: [(order: Due, stage: WorkOrderWatch.Stage)] = []
        for o in orders {
            guard let start = o.clockStart, let due = o.dueAt,
                let state = WorkOrderState(rawValue: o.state), state == .dispatched || state == .handling
            else {
                stopped.append(o.id)
                continue
            }
            let reached = WorkOrderWatch.stage(start: start, due: due, now: millis)
            let before = WorkOrderWatch.Stage(rawValue: o.stage) ?? .none
            let stage = max(reached, before)
            moves.append((o.id, stage.rawValue, WorkOrderWatch.nextLook(start: start, due: due, now: millis)))
            if reached > before { raised.append((o, reached)) }
        }
        try await update(stopped: stopped, moves: moves, sql: sql)
        return try await raise(raised, millis: millis, today: today, app: app, on: db)
    }

    /// The new stages and next looks: orders no longer running are not looked at again; the rest
    /// in one `UPDATE … FROM (VALUES …)` per few hundred, those past red without a next look.
    static func update(stopped: [UUID], moves: [(id: UUID, stage: Int, next: Int64?)], sql: any SQLDatabase) async throws {
        var done: [Int: [UUID]] = [:]
        var later: [(id: UUID, stage: Int, next: Int64)] = []
        for m in moves {
            if let next = m.next { later.append((m.id, m.stage, next)) } else { done[m.stage, default: []].append(m.id) }
        }
        for chunk in stride(from: 0, to: stopped.count, by: 500).map({ stopped[$0..<min($0 + 500, stopped.count)] }) {
            try await sql.raw("UPDATE work_orders SET next_look = NULL WHERE id IN \(sql.idList(chunk))").run()
        }
        for (stage, ids) in done {
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ ids[$0..<min($0 + 500, ids.count)] }) {
                try await sql.raw("UPDATE work_orders SET stage = \(bind: stage), next_look = NULL WHERE id IN \(sql.idList(chunk))").run()
            }
        }
        for chunk in stride(from: 0, to: later.count, by: 300).map({ later[$0..<min($0 + 300, later.count)] }) {
            var q = SQLQueryString("UPDATE work_orders SET stage = v.column2, next_look = v.column3 FROM (VALUES ")
            for (i, m) in chunk.enumerated() {
                q.appendLiteral(i == 0 ? "(" : ", (")
                q.appendInterpolation(SQLList([sql.bind(id: m.id), SQLBind(m.stage), SQLBind(m.next)]))
                q.appendLiteral(")")
            }
            q.appendLiteral(") AS v WHERE work_orders.id = v.column1")
            try await sql.raw(q).run()
        }
    }

    /// Each new stage's event, card (yellow and red, for an order with a department) and
    /// notifications to the department's chief representatives, the center's administrators and
    /// the center's webhooks.
    static func raise(
        _ raised: [(order: Due, stage: WorkOrderWatch.Stage)], millis: Int64, today: CivilDate, app: Application, on db: any Database
    ) async throws -> [AuditEvent] {
        guard !raised.isEmpty else { return [] }
        let sql = try SQLRows.sql(db)
        let centers = Array(Set(raised.map(\.order.centerID)))
        let departments = Array(Set(raised.compactMap(\.order.departmentID)))
        var admins: [UUID: [UUID]] = [:]
        var chiefs: [UUID: [UUID]] = [:]
        for u in try await UserModel.query(on: db).filter(\.$centerID ~~ centers).filter(\.$role == Role.centerAdmin.rawValue)
            .filter(\.$disabled == false).all()
        {
            if let id = u.id { admins[u.centerID, default: []].append(id) }
        }
        for chunk in stride(from: 0, to: departments.count, by: 500).map({ Array(departments[$0..<min($0 + 500, departments.count)]) }) {
            for u in try await UserModel.query(on: db).filter(\.$departmentID ~~ chunk).filter(\.$role == Role.chiefRepresentative.rawValue)
                .filter(\.$disabled == false).all()
            {
                if let id = u.id, let d = u.departmentID { chiefs[d, default: []].append(id) }
            }
        }
        var hooks: [UUID: [WebhookModel]] = [:]
        for h in try await WebhookModel.query(on: db).filter(\.$centerID ~~ centers).filter(\.$active == true).all() {
            hooks[h.centerID, default: []].append(h)
        }
        var explainBy: [UUID: String] = [:]
        for c in centers where raised.contains(where: { $0.order.centerID == c && $0.stage >= .yellow }) {
            let calendar = try await app.calendars.calendar(for: c, on: db)
            explainBy[c] = (calendar.addWorkingDays(SupervisionThresholds.standard.explainWithin, to: today) ?? today).description
        }

        var eventRows: [[any SQLExpression]] = []
        var cardRows: [[any SQLExpression]] = []
        var outbox: [[any SQLExpression]] = []
        var audit: [AuditEvent] = []
        for (o, reached) in raised {
            let users = (admins[o.centerID] ?? []) + (o.departmentID.flatMap { chiefs[$0] } ?? [])
            let dueText = WorkOrderPages.time(o.dueAt)
            func event(_ action: String, _ outcome: String) {
                eventRows.append([
                    sql.bind(id: UUID.timeOrdered()), sql.bind(id: o.id), sql.bind(id: o.centerID), SQLBind(millis), SQLBind("system"),
                    SQLBind(action), sql.bind(id: o.departmentID), SQLBind(outcome), SQLBind(""),
                ])
            }
            switch reached {
            case .none: continue
            case .reminded:
                outbox += try Outbox.rows(
                    "workOrder.reminder",
                    .init(
                        title: "工单临近期限：\(o.number)", body: "「\(o.title)」应于 \(dueText) 前答复。", link: "/work-orders/\(o.id)",
                        data: ["workOrder": o.id.uuidString, "due": dueText]),
                    users: users, hooks: hooks[o.centerID] ?? [], at: millis, sql: sql)
                event("remind", "reminded")
                audit.append(AuditEvent("workOrder.remind", "work_order", id: o.id, center: o.centerID, detail: ["number": o.number]))
            case .yellow, .red:
                let kind = reached == .red ? "work_order_red" : "work_order_yellow"
                let by = explainBy[o.centerID] ?? today.description
                if let department = o.departmentID {
                    let card = UUID.timeOrdered()
                    let reason = reached == .red ? "工单应于 \(dueText) 前答复，已严重超期" : "工单应于 \(dueText) 前答复，已超期"
                    cardRows.append([
                        sql.bind(id: card), sql.bind(id: o.id), SQLBind(o.number), sql.bind(id: o.centerID), sql.bind(id: department),
                        SQLBind(kind), SQLBind(reason), SQLBind(today.description), SQLBind(by), SQLBind("open"), SQLBind(""), SQLBind(""),
                        SQLBind(""), SQLBind(""),
                    ])
                    audit.append(
                        AuditEvent(
                            "card.issue", "card", id: card, center: o.centerID,
                            detail: ["workOrder": o.number, "kind": kind, "explainBy": by]))
                }
                outbox += try Outbox.rows(
                    "card.issued",
                    .init(
                        title: "工单超期：\(o.number)", body: "「\(o.title)」应于 \(dueText) 前答复，已超期。请在 \(by) 前提交书面说明。",
                        link: "/supervision/cards", data: ["workOrder": o.id.uuidString, "kind": kind, "explainBy": by]),
                    users: users, hooks: hooks[o.centerID] ?? [], at: millis, sql: sql)
                event("card", reached == .red ? "red" : "yellow")
                audit.append(
                    AuditEvent("workOrder.overdue", "work_order", id: o.id, center: o.centerID, detail: ["number": o.number, "kind": kind]))
            }
        }
        try await SQLRows.insert(
            into: WorkOrderEventModel.schema, columns: "id, order_id, center_id, at, actor, action, department_id, outcome, note",
            eventRows,
            on: db)
        try await SQLRows.insert(
            into: CardModel.schema,
            columns:
                "id, work_order_id, case_number, center_id, department_id, kind, reason, issued_on, explain_by, status, explanation, explained_by, decided_by, decision_note",
            cardRows, on: db)
        try await SQLRows.insert(into: "outbox", columns: Outbox.columns, outbox, on: db)
        return audit
    }
}
