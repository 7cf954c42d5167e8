import Fluent
import Foundation
import NIOCore
import OneStopCore
import SQLKit
import Vapor

/// Electronic supervision of timed cases (DOMAIN.md §5). Each case carries the day supervision
/// next has to look at it; a move of the case and the daily sweep both call `review`, which raises
/// reminders, cards and anomalies for what changed since the last look and sets the next day.
enum Supervision {
    static func thresholds(item: UUID, on db: any Database) async throws -> SupervisionThresholds {
        guard let s = try await SupervisionSettingsModel.find(item, on: db) else { return .standard }
        return SupervisionThresholds(
            reminderDays: s.reminderDays.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) },
            yellowAfterPromised: s.yellowAfter, redAfterLegal: s.redAfter, explainWithin: s.explainWithin)
    }

    /// A new case is first looked at the working day after its 5 days to be accepted.
    static func firstCheck(center: UUID, received: CivilDate, app: Application, on db: any Database) async throws -> String? {
        let calendar = try await app.calendars.calendar(for: center, on: db)
        return CaseClock.supplementNoticeDeadline(received: received, calendar: calendar).flatMap {
            calendar.addWorkingDays(1, to: $0)?.description
        }
    }

    struct Context {
        var today: CivilDate
        var millis: Int64
        var calendar: WorkCalendar
        var thresholds: SupervisionThresholds
    }

    /// Looks at a case as of today. Changes the case's supervision fields (the caller saves it)
    /// and writes cards, anomalies and notifications; returns the audit events for them.
    static func review(_ c: CaseModel, _ x: Context, on db: any Database) async throws -> [AuditEvent] {
        let state = CaseState(rawValue: c.state) ?? .terminated
        var events: [AuditEvent] = []
        c.nextCheck = nil
        if state.isClosed || c.caseType == CaseType.immediate.rawValue { return events }
        if state.isDecided {
            // 送达: within 10 working days of the decision.
            guard let decided = c.decidedOn.flatMap(CivilDate.init),
                let due = CaseClock.deliveryDeadline(decided: decided, calendar: x.calendar)
            else { return events }
            if x.today > due {
                events += try await card(c, kind: "delivery_step", reason: "\(decided) 作出决定，\(due) 前未送达", x, on: db)
                events += try await anomaly(c, kind: "delivery_overrun", detail: due.description, x, on: db)
            } else {
                c.nextCheck = x.calendar.addWorkingDays(1, to: due)?.description
            }
            return events
        }
        if state == .submitted, !c.supplementAsked {
            // 受理: accept, ask for supplements or refuse within 5 working days of receipt.
            guard let received = CivilDate(c.receivedOn),
                let due = CaseClock.supplementNoticeDeadline(received: received, calendar: x.calendar)
            else { return events }
            if x.today > due {
                events += try await card(c, kind: "acceptance_step", reason: "\(received) 收件，\(due) 前未作出受理、补正或不予受理决定", x, on: db)
                events += try await anomaly(c, kind: "acceptance_overrun", detail: due.description, x, on: db)
            } else {
                c.nextCheck = x.calendar.addWorkingDays(1, to: due)?.description
            }
            return events
        }
        guard let clock = CaseService.clock(c, stops: try await CaseService.stops(c.id!, on: db)),
            let r = clock.reading(on: x.today, calendar: x.calendar)
        else { return events }
        let check = SupervisionCheck.evaluate(
            promisedLeft: r.promisedLeft, legalLeft: r.legalLeft, running: !r.stopped, thresholds: x.thresholds)
        if let due = check.reminder, c.reminded.map({ due < $0 }) ?? true {
            c.reminded = due
            try await Outbox.enqueue(
                "case.reminder",
                .init(
                    title: "办件临近承诺期限：\(c.number)",
                    body: "\(c.itemName) 还剩 \(r.promisedLeft) 个工作日，承诺办结日期 \(r.promisedDue?.description ?? "—")。",
                    link: "/cases/\(c.id!)", data: ["case": c.number, "daysLeft": String(r.promisedLeft)]),
                users: try await responsible(c, on: db), center: c.centerID, at: x.millis, on: db)
            events.append(
                AuditEvent("case.remind", "case", id: c.id, center: c.centerID, detail: ["number": c.number, "daysLeft": String(due)]))
        }
        let before = WarningLevel(rawValue: c.level) ?? .normal
        if check.level > before {
            if check.level >= .yellow, before < .yellow {
                events += try await card(
                    c, kind: "yellow", reason: "超过承诺办结期限（\(r.promisedDue?.description ?? "")）", x, on: db)
                events += try await anomaly(c, kind: "overdue", detail: r.promisedDue?.description ?? "", x, on: db)
            }
            if check.level == .red {
                events += try await card(c, kind: "red", reason: "超过法定办结期限（\(r.legalDue?.description ?? "")）", x, on: db)
            }
        }
        c.level = check.level.rawValue
        c.nextCheck = check.nextChangeIn.flatMap { x.calendar.addWorkingDays($0, to: x.today)?.description }
        return events
    }

    /// The member of staff handling the case and the chief representatives of its department; the
    /// center's administrators when nobody handles it yet.
    static func responsible(_ c: CaseModel, on db: any Database) async throws -> [UUID] {
        var out = try await UserModel.query(on: db).filter(\.$departmentID == c.departmentID)
            .filter(\.$role == Role.chiefRepresentative.rawValue).filter(\.$disabled == false).all().compactMap(\.id)
        if let h = c.handlerID { out.append(h) }
        if out.isEmpty {
            out = try await UserModel.query(on: db).filter(\.$centerID == c.centerID).filter(\.$role == Role.centerAdmin.rawValue)
                .filter(\.$disabled == false).all().compactMap(\.id)
        }
        return out
    }

    static func card(_ c: CaseModel, kind: String, reason: String, _ x: Context, on db: any Database) async throws -> [AuditEvent] {
        if try await CardModel.query(on: db).filter(\.$caseID == c.id!).filter(\.$kind == kind).first() != nil { return [] }
        let card = CardModel()
        card.id = UUID()
        card.caseID = c.id!
        card.caseNumber = c.number
        card.centerID = c.centerID
        card.departmentID = c.departmentID
        card.userID = c.handlerID
        card.kind = kind
        card.reason = reason
        card.issuedOn = x.today.description
        card.explainBy = (x.calendar.addWorkingDays(x.thresholds.explainWithin, to: x.today) ?? x.today).description
        card.status = "open"
        card.explanation = ""
        card.explainedBy = ""
        card.decidedBy = ""
        card.decisionNote = ""
        try await card.create(on: db)
        let names = ["yellow": "黄牌", "red": "红牌", "acceptance_step": "受理环节超时", "delivery_step": "送达环节超时"]
        try await Outbox.enqueue(
            "card.issued",
            .init(
                title: "\(names[kind] ?? kind)：\(c.number)", body: "\(c.itemName)。请在 \(card.explainBy) 前提交书面说明。",
                link: "/supervision/cards", data: ["case": c.number, "kind": kind, "explainBy": card.explainBy]),
            users: try await responsible(c, on: db), center: c.centerID, at: x.millis, on: db)
        return [
            AuditEvent(
                "card.issue", "card", id: card.id, center: c.centerID,
                detail: ["case": c.number, "kind": kind, "explainBy": card.explainBy])
        ]
    }

    static func anomaly(_ c: CaseModel, kind: String, detail: String, _ x: Context, on db: any Database) async throws -> [AuditEvent] {
        if try await AnomalyModel.query(on: db).filter(\.$caseID == c.id!).filter(\.$kind == kind).first() != nil { return [] }
        let a = AnomalyModel()
        a.caseID = c.id!
        a.centerID = c.centerID
        a.departmentID = c.departmentID
        a.kind = kind
        a.day = x.today.description
        a.detail = detail
        try await a.create(on: db)
        return [AuditEvent("anomaly.record", "case", id: c.id, center: c.centerID, detail: ["case": c.number, "kind": kind])]
    }

    // MARK: the sweep

    /// Reviews every case due a look today, in batches, each batch one audited transaction. Touches
    /// nothing else. Returns how many cases it looked at.
    @discardableResult
    static func sweep(app: Application, now: Date, batch: Int = 500) async throws -> Int {
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        var looked = 0
        var calendars: [UUID: WorkCalendar] = [:]
        var thresholds: [UUID: SupervisionThresholds] = [:]
        while true {
            let due = try await CaseModel.query(on: app.db).filter(\.$nextCheck <= today.description).limit(batch).all()
            if due.isEmpty { break }
            for c in due where calendars[c.centerID] == nil {
                calendars[c.centerID] = try await app.calendars.calendar(for: c.centerID, on: app.db)
            }
            for c in due where thresholds[c.itemID] == nil { thresholds[c.itemID] = try await Self.thresholds(item: c.itemID, on: app.db) }
            let ids = due.compactMap(\.id)
            let cals = calendars
            let limits = thresholds
            try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
                var events: [AuditEvent] = []
                for c in try await CaseModel.query(on: db).filter(\.$id ~~ ids).all() {
                    guard let cal = cals[c.centerID] else { continue }
                    events += try await review(
                        c, Context(today: today, millis: millis, calendar: cal, thresholds: limits[c.itemID] ?? .standard), on: db)
                    try await c.save(on: db)
                }
                return ((), events)
            }
            looked += ids.count
            if due.count < batch { break }
        }
        return looked
    }
}

struct SupervisionSweepLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.environment != .testing else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(10), delay: .seconds(300)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do {
                    try await Supervision.sweep(app: app, now: app.clock.now())
                } catch {
                    app.logger.warning("supervision sweep failed: \(error)")
                }
            }
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}
