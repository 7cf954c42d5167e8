import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// One re-timing job's work on cases and tasks (see `CalendarRetiming`): each batch is read and
/// decided outside the writer, then written in one audited transaction that first leaves out any
/// case that moved meanwhile (its move already timed it on the new calendar).
final class RetimingWork {
    let job: CalendarRetimingModel
    let calendars: [UUID: CalendarRetiming.Calendars]
    let app: Application
    private var thresholds: [UUID: SupervisionThresholds] = [:]
    /// Cases already kept as the job's sample.
    var sampled = 0

    init(job: CalendarRetimingModel, calendars: [UUID: CalendarRetiming.Calendars], app: Application) {
        self.job = job
        self.calendars = calendars
        self.app = app
    }

    /// What the job does to one case or task.
    struct Change: Sendable {
        var caseID: UUID
        var number: String
        var updatedAt: Int64
        var state: String
        /// New due dates of a running clock, with the level and reminder kept.
        var dues: (promised: String?, legal: String?, level: String, reminded: Int?)?
        var stepDue: String?
        /// A task's new deadline and supervision fields.
        var task: (id: UUID, due: String, level: String, reminded: Int?, next: String?)?
        var withdrawCards: [String] = []
        var withdrawAnomalies: [String] = []
        var withdrewReminder = false
        var reason: String
        var detail: [String: String]
        var next: String?
        /// The applicant's account, told when the promised date moved.
        var tell: UUID?
        var promisedMoved: (from: String, to: String)?
        var centerID: UUID
        /// Only the supervision look changed (an acceptance or delivery step): no timeline entry.
        var quiet = false
    }

    func limits(_ item: UUID) async throws -> SupervisionThresholds {
        if let t = thresholds[item] { return t }
        let t = try await Supervision.thresholds(item: item, on: app.reader(for: .retiming))
        thresholds[item] = t
        return t
    }

    // MARK: Cases

    func cases(_ ids: [UUID], now: Date) async throws {
        guard let sql = app.reader(for: .retiming) as? any SQLDatabase else { return }
        let text = sql.textIDs
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        let columns = (Supervision.Look.columns + ["accepted_on", "promised_days", "legal_days", "extension_days", "applicant_id"])
            .joined(separator: ", ")
        struct Row {
            var look: Supervision.Look
            var acceptedOn: String?
            var promisedDays: Int
            var legalDays: Int
            var extensionDays: Int
            var applicantID: UUID
        }
        var rows: [Row] = []
        var stops: [UUID: [CaseClock.Stop]] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = sql.idList(ids[start..<min(start + 500, ids.count)])
            for r in try await sql.raw("SELECT \(unsafeRaw: columns) FROM cases WHERE id IN \(chunk)").all() {
                rows.append(
                    Row(
                        look: try Supervision.Look(row: r, textIDs: text),
                        acceptedOn: try r.decode(column: "accepted_on", as: String?.self),
                        promisedDays: try r.decode(column: "promised_days", as: Int.self),
                        legalDays: try r.decode(column: "legal_days", as: Int.self),
                        extensionDays: try r.decode(column: "extension_days", as: Int.self),
                        applicantID: try r.id("applicant_id", text: text)))
            }
            for r in try await sql.raw("SELECT case_id, kind, from_day, to_day FROM case_stops WHERE case_id IN \(chunk)").all() {
                guard let kind = CaseClock.Stop.Kind(rawValue: try r.decode(column: "kind", as: String.self)),
                    let from = CivilDate(try r.decode(column: "from_day", as: String.self))
                else { continue }
                let to = try r.decode(column: "to_day", as: String?.self).flatMap(CivilDate.init)
                stops[try r.id("case_id", text: text), default: []].append(CaseClock.Stop(kind, from: from, to: to))
            }
        }
        // The applicants' accounts, to tell them in their inbox (one who never registered has none).
        var accounts: [UUID: UUID] = [:]
        let applicantIDs = Array(Set(rows.map(\.applicantID)))
        for start in stride(from: 0, to: applicantIDs.count, by: 500) {
            let chunk = sql.idList(applicantIDs[start..<min(start + 500, applicantIDs.count)])
            for r in try await sql.raw("SELECT id, user_id FROM applicants WHERE user_id IS NOT NULL AND id IN \(chunk)").all() {
                accounts[try r.id("id", text: text)] = try r.id("user_id", text: text)
            }
        }
        var changes: [Change] = []
        var effects = Supervision.Effects()
        var steps = 0
        for r in rows {
            let c = r.look
            guard let cal = calendars[c.centerID], let state = CaseState(rawValue: c.state), !state.isClosed else { continue }
            let t = try await limits(c.itemID)
            let x = Supervision.Context(today: today, millis: millis, calendar: cal.new, thresholds: t)
            var change = Change(
                caseID: c.id, number: c.number, updatedAt: c.updatedAt, state: c.state, reason: "", detail: [:], centerID: c.centerID)
            if state.isBeforeAcceptance || state.isDecided {
                // A step counted from a day: five working days to accept, ten to deliver.
                guard state == .submitted || state.isDecided else { continue }
                let (start, kind): (String?, String) = state.isDecided ? (c.decidedOn, "delivery_step") : (c.receivedOn, "acceptance_step")
                guard !(state == .submitted && c.supplementAsked), let from = start.flatMap(CivilDate.init) else { continue }
                let deadline = { (w: WorkCalendar) in
                    state.isDecided
                        ? CaseClock.deliveryDeadline(decided: from, calendar: w)
                        : CaseClock.supplementNoticeDeadline(received: from, calendar: w)
                }
                guard let old = deadline(cal.old), let new = deadline(cal.new), old != new else { continue }
                if old < today, new >= today { change.withdrawCards = [kind] }
                change.next = cal.new.addWorkingDays(1, to: new)?.description
                change.quiet = change.withdrawCards.isEmpty
                change.reason = "因日历调整，\(state.isDecided ? "送达" : "受理")期限由 \(old) 调整为 \(new)"
                change.detail = ["step": kind, "from": old.description, "to": new.description]
                steps += 1
                changes.append(change)
                continue
            }
            if state == .suspended {
                // A special procedure the guide publishes with its days: its deadline moves.
                guard let due = c.stepDue.flatMap(CivilDate.init),
                    let stop = stops[c.id]?.first(where: { $0.kind == .special && $0.to == nil }),
                    let days = cal.old.countWorkingDays(from: stop.from, to: due),
                    let new = cal.new.addWorkingDays(days, to: stop.from), new != due
                else { continue }
                change.stepDue = new.description
                if due < today, new >= today { change.withdrawCards = ["special_step"] }
                change.next = cal.new.addWorkingDays(1, to: new)?.description
                change.reason = "因日历调整，特殊程序期限由 \(due) 调整为 \(new)"
                change.detail = ["step": "special", "from": due.description, "to": new.description]
                steps += 1
                changes.append(change)
                continue
            }
            // A running clock: its deadlines laid again from the start, stops and extensions.
            guard let accepted = r.acceptedOn.flatMap(CivilDate.init), c.promisedDue != nil else { continue }
            let clock = CaseClock(
                started: accepted, promisedDays: r.promisedDays, legalDays: r.legalDays, extensionDays: r.extensionDays,
                stops: stops[c.id] ?? [])
            guard var retimed = Self.retime(c, clock: clock, change: change, calendar: cal.new, context: x) else { continue }
            if retimed.change.promisedMoved != nil { retimed.change.tell = accounts[r.applicantID] }
            if let o = retimed.outcome { effects.add(retimed.look, o, x) }
            changes.append(retimed.change)
        }
        try await write(changes, effects: effects, steps: steps, tasks: 0, now: now)
    }

    /// A running clock laid again on the new calendar: what to write, the look on the new dates (as
    /// supervision saw it) and what supervision decides on them (nil: the clock has no days left to
    /// count). Nil when nothing changes.
    static func retime(
        _ c: Supervision.Look, clock: CaseClock, change base: Change, calendar: WorkCalendar, context x: Supervision.Context
    ) -> (change: Change, look: Supervision.Look, outcome: Supervision.Outcome?)? {
        var change = base
        let promised = clock.due(after: clock.promisedDays + clock.extensionDays, calendar: calendar)
        let legal = clock.due(after: clock.legalDays + clock.extensionDays, calendar: calendar)
        let movedDues = promised?.description != c.promisedDue || legal?.description != c.legalDue
        var look = c
        look.promisedDue = promised?.description
        look.legalDue = legal?.description
        var parts: [String] = []
        if let from = c.promisedDue, let to = promised?.description, from != to {
            parts.append("承诺办结日期由 \(from) 调整为 \(to)")
            change.promisedMoved = (from, to)
            change.detail["promisedFrom"] = from
            change.detail["promisedTo"] = to
        }
        if let from = c.legalDue, let to = legal?.description, from != to {
            parts.append("法定办结期限由 \(from) 调整为 \(to)")
            change.detail["legalFrom"] = from
            change.detail["legalTo"] = to
        }
        var outcome: Supervision.Outcome?
        var seen = look
        if let p = promised, let l = legal, let pl = calendar.countWorkingDays(from: x.today, to: p),
            let ll = calendar.countWorkingDays(from: x.today, to: l)
        {
            let w = RetimedWarnings.after(
                level: WarningLevel(rawValue: c.level) ?? .normal, reminded: c.reminded, promisedLeft: pl, legalLeft: ll,
                thresholds: x.thresholds)
            change.withdrawCards = w.withdrawCards
            change.withdrawAnomalies = w.withdrawCards.contains("yellow") ? ["overdue"] : []
            change.withdrewReminder = w.withdrawReminder
            look.level = w.level.rawValue
            look.reminded = w.reminded
            // A look now, on the new dates: what they raise is issued, and the next look queued.
            let o = Supervision.decide(look, x)
            outcome = o
            seen = look
            look.level = o.level
            look.reminded = o.reminded
            change.next = o.nextCheck
        }
        // A change between the deadline and today moves no date but may void a warning.
        guard movedDues || change.withdrewReminder || !change.withdrawCards.isEmpty else { return nil }
        if change.withdrewReminder { parts.append("撤回此前的期限提醒") }
        if !change.withdrawCards.isEmpty {
            parts.append("撤销按原日历发出的\(change.withdrawCards.map { $0 == "red" ? "红牌" : "黄牌" }.joined(separator: "、"))")
        }
        change.reason = "因日历调整，" + parts.joined(separator: "；")
        change.dues = (look.promisedDue, look.legalDue, look.level, look.reminded)
        return (change, seen, outcome)
    }

    // MARK: Tasks

    func tasks(lowest: String, last: String, centers: Set<UUID>?, now: @escaping @Sendable () -> Date) async throws {
        guard let sql = app.reader(for: .retiming) as? any SQLDatabase else { return }
        let text = sql.textIDs
        let within: SQLQueryString = centers.map { "AND c.center_id IN \(sql.idList($0))" } ?? ""
        let rows = try await sql.raw(
            """
            SELECT t.id, t.case_id, t.seq, t.department_id, t.title, t.limit_days, t.started_on, t.due_on, t.level, t.reminded,
                   c.number, c.center_id, c.item_id, c.item_name, c.updated_at
            FROM case_tasks t JOIN cases c ON c.id = t.case_id
            WHERE t.state = 'open' AND t.due_on >= \(bind: lowest) AND t.started_on <= \(bind: last) \(within)
            """
        ).all()
        var changes: [Change] = []
        var effects = Supervision.Effects()
        let today = HallClock.day(now())
        let millis = HallClock.millis(now())
        for r in rows {
            let centerID = try r.id("center_id", text: text)
            guard let cal = calendars[centerID],
                let started = CivilDate(try r.decode(column: "started_on", as: String.self)),
                let new = cal.new.addWorkingDays(try r.decode(column: "limit_days", as: Int.self), to: started)
            else { continue }
            let oldDue = try r.decode(column: "due_on", as: String.self)
            guard new.description != oldDue else { continue }
            let look = Supervision.TaskLook(
                id: try r.id("id", text: text), caseID: try r.id("case_id", text: text), seq: try r.decode(column: "seq", as: Int.self),
                departmentID: try r.id("department_id", text: text), title: try r.decode(column: "title", as: String.self),
                dueOn: new.description, level: try r.decode(column: "level", as: String.self),
                reminded: try r.decode(column: "reminded", as: Int?.self), number: try r.decode(column: "number", as: String.self),
                centerID: centerID, itemID: try r.id("item_id", text: text), itemName: try r.decode(column: "item_name", as: String.self))
            let t = try await limits(look.itemID)
            let x = Supervision.Context(today: today, millis: millis, calendar: cal.new, thresholds: t)
            var adjusted = look
            var change = Change(
                caseID: look.caseID, number: look.number, updatedAt: try r.decode(column: "updated_at", as: Int64.self), state: "",
                reason: "", detail: ["task": String(look.seq), "from": oldDue, "to": new.description], centerID: centerID)
            if let left = cal.new.countWorkingDays(from: today, to: new) {
                let w = RetimedWarnings.task(
                    level: WarningLevel(rawValue: look.level) ?? .normal, reminded: look.reminded, left: left, thresholds: t)
                adjusted.level = w.level.rawValue
                adjusted.reminded = w.reminded
                change.withdrawCards = w.withdrawCards.isEmpty ? [] : ["task_step_\(look.seq)"]
                change.withdrawAnomalies = w.withdrawCards.isEmpty ? [] : ["task_overrun_\(look.seq)"]
                change.withdrewReminder = w.withdrawReminder
            }
            let o = Supervision.decide(task: adjusted, x)
            effects.add(Supervision.Look(task: adjusted), o, x)
            change.task = (look.id, new.description, o.level, o.reminded, o.nextCheck)
            var reason = "因日历调整，联办任务「\(look.title)」期限由 \(oldDue) 调整为 \(new)"
            if change.withdrewReminder { reason += "；撤回此前的期限提醒" }
            if !change.withdrawCards.isEmpty { reason += "；撤销按原日历发出的黄牌" }
            change.reason = reason
            changes.append(change)
        }
        for start in stride(from: 0, to: changes.count, by: CalendarRetiming.batchSize) {
            let part = Array(changes[start..<min(start + CalendarRetiming.batchSize, changes.count)])
            let ids = Set(part.map(\.caseID))
            var partEffects = effects
            partEffects.items.removeAll { !ids.contains($0.look.id) }
            try await write(part, effects: partEffects, steps: 0, tasks: part.count, now: now())
        }
    }
}
