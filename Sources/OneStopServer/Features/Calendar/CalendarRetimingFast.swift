import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The common clocks of a re-timing job, set-wise: a running clock with no stop, whose new dates
/// raise and withdraw nothing, is re-timed exactly as its group (`calendar_retiming_groups`) is.
/// The job decides each group once, then writes its cases a slice at a time, in the order they
/// are stored: each slice is one audited transaction of a few statements through the group
/// commit — find the slice's cases of the groups, add their timeline entries, notifications and
/// next looks, set their dates — short enough that the hall's writes go on between slices.
/// Every other clock (stopped, in a special procedure, at a step, or one whose warnings change)
/// goes through `cases(_:now:)`, case by case.
extension RetimingWork {
    /// The states of a running clock.
    static let runningStates = ["accepted", "under_review", "review_supplement", "forwarded"]
    /// Candidates per slice: on a million cases, a slice finds about this many and writes them in
    /// some tens of milliseconds.
    static let sliceSize = 2000

    /// Where a slice of the candidates lies: by rowid on SQLite (the table's order), by id elsewhere.
    enum Bounds: Sendable {
        case rowid(Int64, Int64)
        case id(UUID, UUID)
    }

    /// `c`, a case, belongs to group `m` of job `jobID`.
    static func groupMatch(_ sql: any SQLDatabase, job jobID: UUID) -> SQLQueryString {
        """
        m.job_id = \(sql.bind(id: jobID)) AND m.center_id = c.center_id AND m.item_id = c.item_id AND m.accepted_on = c.accepted_on
        AND m.promised_due = c.promised_due AND m.legal_due = c.legal_due AND m.state = c.state AND m.promised_days = c.promised_days
        AND m.legal_days = c.legal_days AND m.extension_days = c.extension_days AND m.level = c.level
        AND m.reminded = COALESCE(c.reminded, -1)
        """
    }

    /// `c` is a running clock with no stop (the other conditions are the group's).
    static let plainClock: SQLQueryString =
        "c.accepted_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM case_stops s WHERE s.case_id = c.id)"

    // MARK: Planning

    /// Decides every group of plain running clocks among the candidates and stores them; returns
    /// the bounds of the slices to write, in the table's order.
    func plan(lowest: String, last: String, centers: Set<UUID>?, now: Date) async throws -> [Bounds] {
        guard let sql = app.reader(for: .retiming) as? any SQLDatabase else { return [] }
        let text = sql.textIDs
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        let jobID = job.id!
        let filter = CalendarRetiming.candidateFilter(lowest: lowest, last: last, centers: centers, sql: sql)
        let rows = try await sql.raw(
            """
            SELECT c.center_id, c.item_id, c.state, c.accepted_on, c.promised_days, c.legal_days, c.extension_days, c.promised_due,
                   c.legal_due, c.level, COALESCE(c.reminded, -1) AS reminded
            FROM cases c WHERE \(filter) AND c.state IN \(SQLGroupExpression(Self.runningStates.map { SQLBind($0) }))
            AND c.promised_due IS NOT NULL AND \(Self.plainClock)
            GROUP BY c.center_id, c.item_id, c.state, c.accepted_on, c.promised_days, c.legal_days, c.extension_days, c.promised_due,
                     c.legal_due, c.level, COALESCE(c.reminded, -1)
            """
        ).all()
        var groups: [[any SQLExpression]] = []
        for r in rows {
            let centerID = try r.id("center_id", text: text)
            let itemID = try r.id("item_id", text: text)
            let state = try r.decode(column: "state", as: String.self)
            let acceptedOn = try r.decode(column: "accepted_on", as: String.self)
            let promisedDays = try r.decode(column: "promised_days", as: Int.self)
            let legalDays = try r.decode(column: "legal_days", as: Int.self)
            let extensionDays = try r.decode(column: "extension_days", as: Int.self)
            let promisedDue = try r.decode(column: "promised_due", as: String.self)
            let legalDue = try r.decode(column: "legal_due", as: String.self)
            let level = try r.decode(column: "level", as: String.self)
            let reminded = try r.decode(column: "reminded", as: Int.self)
            guard let cal = calendars[centerID], let accepted = CivilDate(acceptedOn) else { continue }
            let t = try await limits(itemID)
            let x = Supervision.Context(today: today, millis: millis, calendar: cal.new, thresholds: t)
            let look = Supervision.Look(
                group: jobID, centerID: centerID, itemID: itemID, state: state, acceptedOn: acceptedOn, promisedDue: promisedDue,
                legalDue: legalDue, level: level, reminded: reminded < 0 ? nil : reminded)
            let clock = CaseClock(
                started: accepted, promisedDays: promisedDays, legalDays: legalDays, extensionDays: extensionDays)
            let base = Change(
                caseID: jobID, number: "", updatedAt: 0, state: state, reason: "", detail: [:], centerID: centerID)
            let retimed = Self.retime(look, clock: clock, change: base, calendar: cal.new, context: x)
            // Fast when nothing is issued or withdrawn: the clocks then differ in nothing but their ids.
            var quiet = true
            if let r = retimed {
                let issues = r.outcome.map { $0.reminder != nil || !$0.cards.isEmpty || !$0.anomalies.isEmpty } ?? true
                quiet = r.change.withdrawCards.isEmpty && !r.change.withdrewReminder && !issues
            }
            var detail = retimed?.change.detail ?? [:]
            detail["retiming"] = jobID.uuidString.lowercased()
            let moved = retimed?.change.promisedMoved
            let payload = try moved.map { m in
                let message = Outbox.Message(
                    title: "办件承诺办结日期调整：@@NUMBER@@",
                    body: "因日历调整，您的办件承诺办结日期由 \(m.from) 调整为 \(m.to)。已发出的通知书不变，以调整后的日期为准。",
                    link: "/cases/@@ID@@", data: ["case": "@@NUMBER@@", "from": m.from, "to": m.to])
                return String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
            }
            let dues = retimed?.change.dues
            groups.append([
                SQLBind(UUID()), sql.bind(id: jobID), SQLBind(groups.count + 1), sql.bind(id: centerID), sql.bind(id: itemID),
                SQLBind(state), SQLBind(acceptedOn), SQLBind(promisedDays), SQLBind(legalDays), SQLBind(extensionDays),
                SQLBind(promisedDue), SQLBind(legalDue), SQLBind(level), SQLBind(reminded), SQLBind(quiet ? 1 : 0),
                SQLBind(retimed == nil ? 0 : 1), SQLBind(dues?.promised), SQLBind(dues?.legal), SQLBind(dues?.level ?? level),
                SQLBind(dues?.reminded), SQLBind(retimed?.change.next), SQLBind(retimed?.change.reason ?? ""),
                SQLBind(AuditEvent.encode(detail)), SQLBind(payload ?? ""), SQLBind(moved?.from ?? ""), SQLBind(moved?.to ?? ""),
            ])
        }
        let rowsToWrite = groups
        try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
            guard let sql = db as? any SQLDatabase else { return ((), []) }
            // A job run again (its worker stopped) decides its groups again.
            try await sql.raw("DELETE FROM calendar_retiming_groups WHERE job_id = \(sql.bind(id: jobID))").run()
            try await SQLRows.insert(
                into: "calendar_retiming_groups",
                columns: """
                    id, job_id, seq, center_id, item_id, state, accepted_on, promised_days, legal_days, extension_days, promised_due,
                    legal_due, level, reminded, fast, changed, new_promised, new_legal, new_level, new_reminded, next_day, reason,
                    detail, payload, promised_from, promised_to
                    """, rowsToWrite, on: db)
            return ((), [])
        }
        // The slices: the candidates in the table's order, so that a slice's cases lie together.
        var bounds: [Bounds] = []
        if text {
            let keys = try await sql.raw("SELECT c.rowid AS k FROM cases c WHERE \(filter)").all()
                .map { try $0.decode(column: "k", as: Int64.self) }.sorted()
            for start in stride(from: 0, to: keys.count, by: Self.sliceSize) {
                bounds.append(.rowid(keys[start], keys[min(start + Self.sliceSize, keys.count) - 1]))
            }
        } else {
            let keys = try await sql.raw("SELECT c.id AS k FROM cases c WHERE \(filter)").all()
                .map { try $0.decode(column: "k", as: UUID.self) }.sorted { $0.text < $1.text }
            for start in stride(from: 0, to: keys.count, by: Self.sliceSize) {
                bounds.append(.id(keys[start], keys[min(start + Self.sliceSize, keys.count) - 1]))
            }
        }
        return groups.isEmpty ? [] : bounds
    }

    // MARK: Writing

    /// Writes one slice of the fast groups' cases.
    func fast(_ slice: Bounds, lowest: String, last: String, now: Date) async throws {
        let millis = HallClock.millis(now)
        let day = HallClock.day(now).description
        let jobID = job.id!
        let jobCenter = job.centerID
        var hooks: [UUID: [UUID]] = [:]
        for center in calendars.keys {
            let ids = try await WebhookModel.query(on: app.reader(for: .retiming)).filter(\.$centerID == center)
                .filter(\.$active == true).all()
                .filter { Outbox.wants($0.events, "case.retimed") }.compactMap(\.id)
            if !ids.isEmpty { hooks[center] = ids }
        }
        let webhooks = hooks
        let room = max(0, CalendarRetiming.sampleSize - sampled)
        let added = try await app.groupCommit.run(actor: "system", now: now) { db -> (Int, [AuditEvent]) in
            guard let sql = db as? any SQLDatabase else { return (0, []) }
            let text = sql.textIDs
            let group: SQLQueryString = "JOIN calendar_retiming_groups m ON m.job_id = \(sql.bind(id: jobID)) AND m.seq = h.grp"
            // The slice's cases of the fast groups, found in this transaction: nothing moves them
            // between finding and writing.
            try await sql.raw(
                text
                    ? """
                    CREATE TEMP TABLE IF NOT EXISTS retiming_hits (rid INTEGER PRIMARY KEY, case_id TEXT NOT NULL, number TEXT NOT NULL,
                    applicant_id TEXT NOT NULL, grp INTEGER NOT NULL)
                    """
                    : """
                    CREATE TEMP TABLE IF NOT EXISTS retiming_hits (case_id uuid PRIMARY KEY, number text NOT NULL,
                    applicant_id uuid NOT NULL, grp integer NOT NULL)
                    """
            ).run()
            try await sql.raw("DELETE FROM retiming_hits").run()
            // Room for the slice's pages (SQLite keeps 2 MB a connection by default): a page
            // changed twice in the slice is then written to the log once.
            if text { try await sql.raw("PRAGMA cache_size = -65536").run() }
            let within: SQLQueryString
            switch slice {
            case .rowid(let lo, let hi):
                // The range by rowid; the candidates' conditions tested on its rows, not by their index.
                within = """
                    c.rowid BETWEEN \(bind: lo) AND \(bind: hi) AND +c.legal_due >= \(bind: lowest) AND +c.received_on <= \(bind: last)
                    """
            case .id(let lo, let hi):
                within = """
                    c.id BETWEEN \(bind: lo) AND \(bind: hi) AND c.legal_due >= \(bind: lowest) AND c.received_on <= \(bind: last)
                    """
            }
            try await sql.raw(
                """
                INSERT INTO retiming_hits (\(unsafeRaw: text ? "rid, " : "")case_id, number, applicant_id, grp)
                SELECT \(unsafeRaw: text ? "c.rowid, " : "")c.id, c.number, c.applicant_id, m.seq
                FROM cases c CROSS JOIN calendar_retiming_groups m
                WHERE \(within) AND \(Self.groupMatch(sql, job: jobID)) AND m.fast = 1 AND m.changed = 1 AND \(Self.plainClock)
                """
            ).run()
            let newID: SQLQueryString =
                text
                ? """
                printf('%08X-%04X-%04X-%04X-%012X', \(bind: millis >> 16), \(bind: millis & 0xFFFF), 28672 | (random() & 4095),
                32768 | (random() & 16383), random() & 281474976710655)
                """
                : "gen_random_uuid()"
            try await sql.raw(
                """
                INSERT INTO case_events (id, case_id, seq, action, from_state, to_state, actor, actor_name, at_ms, day, reason, detail)
                SELECT \(newID), h.case_id, COALESCE((SELECT MAX(e.seq) FROM case_events e WHERE e.case_id = h.case_id), 0) + 1,
                'retime', m.state, m.state, 'system', '系统', \(bind: millis), \(bind: day), m.reason, m.detail
                FROM retiming_hits h \(group)
                """
            ).run()
            // The applicant told in the inbox, and each webhook that wants it, when the promised date moved.
            let payload: SQLQueryString =
                "replace(replace(m.payload, '@@NUMBER@@', h.number), '@@ID@@', \(unsafeRaw: text ? "lower(h.case_id)" : "h.case_id::text"))"
            let outboxColumns = "id, channel, target, event, payload, created_at, attempts, next_attempt_at, failed, last_error"
            try await sql.raw(
                """
                INSERT INTO outbox (\(unsafeRaw: outboxColumns))
                SELECT \(newID), 'inbox', \(unsafeRaw: text ? "a.user_id" : "upper(a.user_id::text)"), 'case.retimed', \(payload),
                \(bind: millis), 0, \(bind: millis), FALSE, ''
                FROM retiming_hits h \(group) JOIN applicants a ON a.id = h.applicant_id WHERE m.payload <> '' AND a.user_id IS NOT NULL
                """
            ).run()
            for (center, ids) in webhooks {
                for hook in ids {
                    try await sql.raw(
                        """
                        INSERT INTO outbox (\(unsafeRaw: outboxColumns))
                        SELECT \(newID), 'webhook', \(bind: hook.uuidString), 'case.retimed', \(payload), \(bind: millis), 0,
                        \(bind: millis), FALSE, ''
                        FROM retiming_hits h \(group) WHERE m.payload <> '' AND m.center_id = \(sql.bind(id: center))
                        """
                    ).run()
                }
            }
            try await sql.raw(
                """
                INSERT \(unsafeRaw: text ? "OR IGNORE " : "")INTO supervision_queue (day, case_id)
                SELECT m.next_day, h.case_id FROM retiming_hits h \(group) WHERE m.next_day IS NOT NULL
                \(unsafeRaw: text ? "" : "ON CONFLICT DO NOTHING")
                """
            ).run()
            if text {
                // By rowid, from the slice's rows: SQLite's planner would otherwise scan the table.
                let value = { (column: String) -> SQLQueryString in
                    "(SELECT m.\(unsafeRaw: column) FROM retiming_hits h \(group) WHERE h.rid = cases.rowid)"
                }
                try await sql.raw(
                    """
                    UPDATE cases SET promised_due = \(value("new_promised")), legal_due = \(value("new_legal")),
                    level = \(value("new_level")), reminded = \(value("new_reminded")), updated_at = \(bind: millis)
                    WHERE rowid IN (SELECT rid FROM retiming_hits)
                    """
                ).run()
            } else {
                try await sql.raw(
                    """
                    UPDATE cases c SET promised_due = m.new_promised, legal_due = m.new_legal, level = m.new_level,
                    reminded = m.new_reminded, updated_at = \(bind: millis)
                    FROM retiming_hits h \(group) WHERE c.id = h.case_id
                    """
                ).run()
            }
            // What the job's page and the audit log say of the slice.
            let written = try await sql.raw(
                """
                SELECT h.case_id, h.number, m.center_id, m.payload <> '' AS moved, a.user_id IS NOT NULL AS registered,
                       m.promised_from, m.promised_to, m.legal_due, m.new_legal
                FROM retiming_hits h \(group) JOIN applicants a ON a.id = h.applicant_id ORDER BY h.number
                """
            ).all()
            guard !written.isEmpty else { return (0, []) }
            var told = 0
            var numbers: [String] = []
            var sample: [RetimedCase] = []
            for r in written {
                let number = try r.decode(column: "number", as: String.self)
                numbers.append(number)
                let moved = try r.decode(column: "moved", as: Bool.self)
                let center = try r.id("center_id", text: text)
                if moved, try r.decode(column: "registered", as: Bool.self) || webhooks[center] != nil { told += 1 }
                if sample.count < room {
                    sample.append(
                        RetimedCase(
                            id: try r.id("case_id", text: text), number: number, what: "promised",
                            from: moved
                                ? try r.decode(column: "promised_from", as: String.self)
                                : try r.decode(column: "legal_due", as: String.self),
                            to: moved
                                ? try r.decode(column: "promised_to", as: String.self)
                                : try r.decode(column: "new_legal", as: String?.self) ?? ""))
                }
            }
            var sampleSet: SQLQueryString = ""
            if !sample.isEmpty {
                let kept =
                    try await sql.raw("SELECT sample FROM calendar_retimings WHERE id = \(sql.bind(id: jobID))").first()
                    .map { try $0.decode(column: "sample", as: String.self) }
                    .flatMap { try? JSONDecoder().decode([RetimedCase].self, from: Data($0.utf8)) } ?? []
                sampleSet = ", sample = \(bind: String(decoding: try JSONEncoder().encode(kept + sample), as: UTF8.self))"
            }
            try await sql.raw(
                """
                UPDATE calendar_retimings SET cases = cases + \(bind: written.count), notified = notified + \(bind: told),
                heartbeat_at = \(bind: millis)\(sampleSet) WHERE id = \(sql.bind(id: jobID))
                """
            ).run()
            return (
                sample.count,
                [
                    AuditEvent(
                        "calendar.retime", "calendar_retiming", id: jobID, center: jobCenter,
                        detail: [
                            "cases": String(written.count), "steps": "0", "tasks": "0", "withdrawn": "0",
                            "numbers": numbers.joined(separator: ","),
                        ])
                ]
            )
        }
        sampled += added
    }
}

extension Supervision.Look {
    /// What supervision needs of a group of running clocks (`RetimingWork.plan`); `id` stands for
    /// the group, which has no case of its own.
    init(
        group: UUID, centerID: UUID, itemID: UUID, state: String, acceptedOn: String, promisedDue: String, legalDue: String,
        level: String, reminded: Int?
    ) {
        id = group
        number = ""
        self.centerID = centerID
        departmentID = group
        self.itemID = itemID
        itemName = ""
        caseType = "promised"
        self.state = state
        receivedOn = acceptedOn
        decidedOn = nil
        supplementAsked = false
        self.promisedDue = promisedDue
        self.legalDue = legalDue
        self.level = level
        self.reminded = reminded
        handlerID = nil
    }
}
