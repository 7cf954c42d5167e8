import Fluent
import Foundation
import OneStopCore
import Vapor

/// The supervision sweep's look at work orders (issue 20): a running order's clock (`due_at`, from
/// its dispatch or reopening) goes through the same ladder as a case's — a reminder to the
/// department when a quarter of its time is left, a yellow card at the deadline, a red card a full
/// length later (`WorkOrderWatch`) — each once, through the outbox; the cards appear on
/// `/supervision/cards` and are explained and decided like any other. Only orders whose next look
/// has come are read (`work_orders_next_look`).
extension Supervision {
    @discardableResult
    static func sweepWorkOrders(app: Application, now: Date, batch: Int = 500) async throws -> Int {
        let millis = HallClock.millis(now)
        let today = HallClock.day(now)
        var looked = 0
        while true {
            let ids = try await WorkOrderModel.query(on: app.db).filter(\.$nextLook <= millis).sort(\.$nextLook).limit(batch)
                .field(\.$id).all().compactMap(\.id)
            if ids.isEmpty { break }
            looked += ids.count
            try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
                var events: [AuditEvent] = []
                for o in try await WorkOrderModel.query(on: db).filter(\.$id ~~ ids).all() {
                    events += try await look(o, millis: millis, today: today, app: app, db: db)
                }
                return ((), events)
            }
            if ids.count < batch { break }
        }
        return looked
    }

    /// One order's look, inside the sweep's write: what its clock has reached, acted on once.
    static func look(
        _ o: WorkOrderModel, millis: Int64, today: CivilDate, app: Application, db: any Database
    ) async throws
        -> [AuditEvent]
    {
        guard let start = o.clockStart, let due = o.dueAt, o.stateValue == .dispatched || o.stateValue == .handling else {
            o.nextLook = nil
            try await o.save(on: db)
            return []
        }
        let reached = WorkOrderWatch.stage(start: start, due: due, now: millis)
        let before = WorkOrderWatch.Stage(rawValue: o.stage) ?? .none
        o.nextLook = WorkOrderWatch.nextLook(start: start, due: due, now: millis)
        guard reached > before, let id = o.id else {
            try await o.save(on: db)
            return []
        }
        o.stage = reached.rawValue
        try await o.save(on: db)
        let users = try await responsible(center: o.centerID, department: o.departmentID, on: db)
        let dueText = WorkOrderPages.time(due)
        var events: [AuditEvent] = []
        switch reached {
        case .none: return []
        case .reminded:
            try await Outbox.enqueue(
                "workOrder.reminder",
                .init(
                    title: "工单临近期限：\(o.number)", body: "「\(o.title)」应于 \(dueText) 前答复。", link: "/work-orders/\(id)",
                    data: ["workOrder": id.uuidString, "due": dueText]),
                users: users, center: o.centerID, at: millis, on: db)
            try await WorkOrderService.event(o, "remind", actor: "system", at: millis, outcome: "reminded", note: "", on: db)
            events.append(AuditEvent("workOrder.remind", "work_order", id: id, center: o.centerID, detail: ["number": o.number]))
        case .yellow, .red:
            let kind = reached == .red ? "work_order_red" : "work_order_yellow"
            let calendar = try await app.calendars.calendar(for: o.centerID, on: db)
            let explainBy = (calendar.addWorkingDays(SupervisionThresholds.standard.explainWithin, to: today) ?? today).description
            if let department = o.departmentID {
                let card = CardModel()
                card.id = UUID.timeOrdered()
                card.workOrderID = id
                card.caseNumber = o.number
                card.centerID = o.centerID
                card.departmentID = department
                card.kind = kind
                card.reason = reached == .red ? "工单应于 \(dueText) 前答复，已严重超期" : "工单应于 \(dueText) 前答复，已超期"
                card.issuedOn = today.description
                card.explainBy = explainBy
                card.status = "open"
                card.explanation = ""
                card.explainedBy = ""
                card.decidedBy = ""
                card.decisionNote = ""
                try await card.create(on: db)
                events.append(
                    AuditEvent(
                        "card.issue", "card", id: card.id, center: o.centerID,
                        detail: ["workOrder": o.number, "kind": kind, "explainBy": explainBy]))
            }
            try await Outbox.enqueue(
                "card.issued",
                .init(
                    title: "工单超期：\(o.number)", body: "「\(o.title)」应于 \(dueText) 前答复，已超期。请在 \(explainBy) 前提交书面说明。",
                    link: "/supervision/cards", data: ["workOrder": id.uuidString, "kind": kind, "explainBy": explainBy]),
                users: users, center: o.centerID, at: millis, on: db)
            try await WorkOrderService.event(
                o, "card", actor: "system", at: millis, outcome: reached == .red ? "red" : "yellow", note: "", on: db)
            events.append(
                AuditEvent("workOrder.overdue", "work_order", id: id, center: o.centerID, detail: ["number": o.number, "kind": kind]))
        }
        return events
    }
}
