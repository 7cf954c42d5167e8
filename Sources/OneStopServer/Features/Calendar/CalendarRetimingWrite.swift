import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// What one batch of a re-timing job writes, in one audited transaction through the group commit:
/// the cases and tasks that did not move meanwhile, their withdrawn warnings, timeline entries,
/// notifications, next looks and the job's counts.
extension RetimingWork {
    // MARK: Writing

    func write(_ changes: [Change], effects: Supervision.Effects, steps: Int, tasks: Int, now: Date) async throws {
        let millis = HallClock.millis(now)
        let day = HallClock.day(now)
        let jobID = job.id!
        let jobCenter = job.centerID
        let room = max(0, CalendarRetiming.sampleSize - sampled)
        let sample = changes.filter { !$0.quiet }.prefix(room).map { c in
            RetimedCase(
                id: c.caseID, number: c.number,
                what: c.task != nil ? "task" : c.stepDue != nil ? "special" : c.dues != nil ? "promised" : "step",
                from: c.promisedMoved?.from ?? c.detail["from"] ?? c.detail["legalFrom"] ?? "",
                to: c.promisedMoved?.to ?? c.detail["to"] ?? c.detail["legalTo"] ?? "")
        }
        sampled += sample.count
        var hooks: [UUID: [UUID]] = [:]
        for center in Set(changes.filter { $0.promisedMoved != nil }.map(\.centerID)) {
            hooks[center] = try await WebhookModel.query(on: app.reader(for: .retiming)).filter(\.$centerID == center).filter(
                \.$active == true
            ).all()
                .filter { Outbox.wants($0.events, "case.retimed") }.compactMap(\.id)
        }
        let webhooks = hooks
        try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
            guard let sql = db as? any SQLDatabase else { return ((), []) }
            // Leave out what moved since it was read; a task is checked by its own row below.
            var moved = Set<UUID>()
            let caseChanges = changes.filter { $0.task == nil }
            for start in stride(from: 0, to: caseChanges.count, by: 500) {
                let part = caseChanges[start..<min(start + 500, caseChanges.count)]
                let seen = Dictionary(part.map { ($0.caseID, $0.updatedAt) }, uniquingKeysWith: { a, _ in a })
                for r in try await sql.raw("SELECT id, updated_at FROM cases WHERE id IN \(sql.idList(part.map(\.caseID)))").all() {
                    let id = try r.id("id", text: sql.textIDs)
                    if try r.decode(column: "updated_at", as: Int64.self) != seen[id] { moved.insert(id) }
                }
            }
            var done = changes.filter { $0.task != nil || !moved.contains($0.caseID) }
            // Tasks still open.
            var openTasks = Set<UUID>()
            let taskIDs = done.compactMap { $0.task?.id }
            for start in stride(from: 0, to: taskIDs.count, by: 500) {
                let part = taskIDs[start..<min(start + 500, taskIDs.count)]
                for r in try await sql.raw("SELECT id FROM case_tasks WHERE state = 'open' AND id IN \(sql.idList(part))").all() {
                    openTasks.insert(try r.id("id", text: sql.textIDs))
                }
            }
            done.removeAll { $0.task.map { !openTasks.contains($0.id) } ?? false }
            let sqlite = sql.textIDs ? "OR IGNORE " : ""
            // Running clocks: grouped by what they become.
            var groups: [String: (promised: String?, legal: String?, level: String, reminded: Int?, ids: [UUID])] = [:]
            for c in done {
                guard let d = c.dues else { continue }
                groups[
                    "\(d.promised ?? "")|\(d.legal ?? "")|\(d.level)|\(d.reminded.map(String.init) ?? "")",
                    default: (d.0, d.1, d.2, d.3, [])
                ]
                .ids.append(c.caseID)
            }
            for g in groups.values {
                for start in stride(from: 0, to: g.ids.count, by: 500) {
                    let part = g.ids[start..<min(start + 500, g.ids.count)]
                    try await sql.raw(
                        """
                        UPDATE \(unsafeRaw: sqlite)cases SET promised_due = \(sql.bind(g.promised)), legal_due = \(sql.bind(g.legal)),
                        level = \(bind: g.level), reminded = \(sql.bind(g.reminded)), updated_at = \(bind: millis) WHERE id IN \(sql.idList(part))
                        """
                    ).run()
                }
            }
            for c in done {
                if let step = c.stepDue {
                    try await sql.raw(
                        "UPDATE cases SET step_due = \(bind: step), updated_at = \(bind: millis) WHERE id = \(sql.bind(id: c.caseID))"
                    ).run()
                }
                if let t = c.task {
                    try await sql.raw(
                        """
                        UPDATE case_tasks SET due_on = \(bind: t.due), level = \(bind: t.level), reminded = \(sql.bind(t.reminded)),
                        next_check = \(sql.bind(t.next)) WHERE id = \(sql.bind(id: t.id))
                        """
                    ).run()
                }
            }
            // Warnings the old calendar raised and the new one does not: withdrawn, with the reason.
            var withdrawn = 0
            for c in done where !c.withdrawCards.isEmpty || !c.withdrawAnomalies.isEmpty {
                let note = c.reason
                for kind in c.withdrawCards {
                    let n = try await sql.raw(
                        """
                        UPDATE cards SET status = 'withdrawn', decided_by = '系统', decided_at = \(bind: millis), decision_note = \(bind: note)
                        WHERE case_id = \(sql.bind(id: c.caseID)) AND kind = \(bind: kind) AND status <> 'withdrawn' RETURNING id
                        """
                    ).all().count
                    withdrawn += n
                }
                for kind in c.withdrawAnomalies {
                    try await sql.raw(
                        """
                        UPDATE anomalies SET withdrawn = \(bind: note) WHERE case_id = \(sql.bind(id: c.caseID)) AND kind = \(bind: kind)
                        AND withdrawn = ''
                        """
                    ).run()
                }
            }
            withdrawn += done.filter(\.withdrewReminder).count
            try await Supervision.enqueue(done.filter { $0.task == nil }.compactMap { c in c.next.map { ($0, c.caseID) } }, on: db)
            // The timeline of each case, after its last entry.
            let timeline = done.filter { !$0.quiet }
            var seqs: [UUID: Int] = [:]
            let caseIDs = Array(Set(timeline.map(\.caseID)))
            for start in stride(from: 0, to: caseIDs.count, by: 500) {
                let part = caseIDs[start..<min(start + 500, caseIDs.count)]
                for r in try await sql.raw(
                    "SELECT case_id, MAX(seq) AS seq FROM case_events WHERE case_id IN \(sql.idList(part)) GROUP BY case_id"
                ).all() {
                    seqs[try r.id("case_id", text: sql.textIDs)] = try r.decode(column: "seq", as: Int.self)
                }
            }
            var events: [[any SQLExpression]] = []
            var outbox: [[any SQLExpression]] = []
            var told = 0
            for c in timeline {
                let seq = (seqs[c.caseID] ?? 0) + 1
                seqs[c.caseID] = seq
                var detail = c.detail
                detail["retiming"] = jobID.uuidString.lowercased()
                let state = c.state.isEmpty ? "under_review" : c.state
                events.append([
                    SQLBind(UUID.timeOrdered()), sql.bind(id: c.caseID), SQLBind(seq), SQLBind("retime"), SQLBind(state), SQLBind(state),
                    SQLBind("system"), SQLBind("系统"), SQLBind(millis), SQLBind(day.description), SQLBind(c.reason),
                    SQLBind(AuditEvent.encode(detail)),
                ])
                if let moved = c.promisedMoved {
                    let message = Outbox.Message(
                        title: "办件承诺办结日期调整：\(c.number)",
                        body: "因日历调整，您的办件承诺办结日期由 \(moved.from) 调整为 \(moved.to)。已发出的通知书不变，以调整后的日期为准。",
                        link: "/cases/\(c.caseID.uuidString.lowercased())", data: ["case": c.number, "from": moved.from, "to": moved.to])
                    let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
                    var targets = (webhooks[c.centerID] ?? []).map { ("webhook", $0.uuidString) }
                    if let user = c.tell { targets.append(("inbox", user.uuidString)) }
                    for (channel, target) in targets {
                        outbox.append([
                            SQLBind(UUID.timeOrdered()), SQLBind(channel), SQLBind(target), SQLBind("case.retimed"), SQLBind(payload),
                            SQLBind(millis), SQLBind(0), SQLBind(millis), SQLBind(false), SQLBind(""),
                        ])
                    }
                    if !targets.isEmpty { told += 1 }
                }
            }
            try await SQLRows.insert(
                into: "case_events",
                columns: "id, case_id, seq, action, from_state, to_state, actor, actor_name, at_ms, day, reason, detail",
                events, on: db)
            try await SQLRows.insert(
                into: "outbox", columns: "id, channel, target, event, payload, created_at, attempts, next_attempt_at, failed, last_error",
                outbox, on: db)
            var effects = effects
            let kept = Set(done.map(\.caseID))
            effects.items.removeAll { !kept.contains($0.look.id) }
            let issued = try await effects.write(at: millis, on: db)
            let casesDone = done.filter { $0.dues != nil }.count
            let stepsDone = done.filter { $0.task == nil && $0.dues == nil }.count
            let tasksDone = done.filter { $0.task != nil }.count
            var sampleRows =
                try await sql.raw("SELECT sample FROM calendar_retimings WHERE id = \(sql.bind(id: jobID))").first()
                .map { try $0.decode(column: "sample", as: String.self) }
                .flatMap { try? JSONDecoder().decode([RetimedCase].self, from: Data($0.utf8)) } ?? []
            sampleRows += sample.filter { kept.contains($0.id) }
            let sampleText = String(decoding: try JSONEncoder().encode(sampleRows), as: UTF8.self)
            try await sql.raw(
                """
                UPDATE calendar_retimings SET cases = cases + \(bind: casesDone), steps = steps + \(bind: stepsDone),
                tasks = tasks + \(bind: tasksDone), withdrawn = withdrawn + \(bind: withdrawn), notified = notified + \(bind: told),
                sample = \(bind: sampleText), heartbeat_at = \(bind: millis) WHERE id = \(sql.bind(id: jobID))
                """
            ).run()
            _ = steps + tasks
            guard !done.isEmpty else { return ((), issued) }
            let numbers = Array(Set(done.map(\.number))).sorted()
            return (
                (),
                [
                    AuditEvent(
                        "calendar.retime", "calendar_retiming", id: jobID, center: jobCenter,
                        detail: [
                            "cases": String(casesDone), "steps": String(stepsDone), "tasks": String(tasksDone),
                            "withdrawn": String(withdrawn),
                            "numbers": numbers.joined(separator: ","),
                        ])
                ] + issued
            )
        }
    }
}
