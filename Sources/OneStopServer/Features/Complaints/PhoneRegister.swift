import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The supervision-phone register (接好每一个电话, issue 20): calls to the windows' published
/// phones, entered by hand or imported from the PBX's `Master.csv` (all or nothing, every bad line
/// named), the test calls of supervisors (暗访) with their outcome, the day's report per window,
/// and a warning once a window has `PhoneCallRules.warnAt` unanswered calls in a day. The caller's
/// number is sealed and shown whole only to the hotline, who call back.
enum PhoneRegister {
    /// Who logs and imports calls; a test call is a supervisor's or an administrator's.
    static let loggers = Access.only(.hotlineOperator, .centerAdmin, .supervisor)
    /// Who reads the register; a chief representative reads their department's windows.
    static let viewers = Access.only(.hotlineOperator, .centerAdmin, .supervisor, .chiefRepresentative)

    struct Input: Content {
        var center: String?
        /// The window's number or id.
        var window: String?
        /// `YYYY-MM-DD HH:MM[:SS]` (or with a `T`), the center's time; default now.
        var at: String?
        var disposition: String?
        var caller: String?
        var durationSeconds: Int?
        var test: Bool?
        var verdict: String?
        var note: String?
    }

    struct Call: Content {
        var id: UUID
        var windowID: UUID
        var window: String
        var day: String
        var startedAt: Date
        var time: String
        var dialled: String
        /// Whole for the hotline, masked for everyone else; nil when not known.
        var caller: String?
        var disposition: String
        var answered: Bool
        var durationSeconds: Int
        var source: String
        var test: Bool
        var verdict: String?
        var note: String
        var loggedBy: String
    }

    struct WindowDay: Content {
        var windowID: UUID
        var window: String
        var phone: String
        var calls: Int
        var answered: Int
        var unanswered: Int
        var tests: Int
        var testsFailed: Int
        var warned: Bool
    }

    struct Day: Content {
        var centerID: UUID
        var day: String
        /// Every window with a phone, those with unanswered calls first.
        var windows: [WindowDay]
        /// The windows with unanswered calls (the daily report's list).
        var unansweredWindows: [String]
        var calls: [Call]
    }

    struct ImportResult: Content {
        var imported: Int
        /// Records imported before (the same `uniqueid`), left as they were.
        var alreadyImported: Int
        /// Records to numbers that are no window's phone, not registered.
        var otherNumbers: Int
        /// Windows whose day reached the warning with this import.
        var warnings: [String]
    }

    // MARK: - Windows

    struct Phones {
        var windows: [WindowModel]
        /// The window a number dialled reaches; where windows share a line, the lowest-numbered.
        func window(dialled: String) -> WindowModel? {
            windows.first { w in w.phone.map { PhoneCallRules.matches(dialled: dialled, phone: $0) } ?? false }
        }
        func label(_ id: UUID) -> String {
            guard let w = windows.first(where: { $0.id == id }) else { return "" }
            return "\(w.number)号 \(w.name)"
        }
    }

    static func phones(center: UUID, on db: any Database) async throws -> Phones {
        let all = try await WindowModel.query(on: db).filter(\.$centerID == center).sort(\.$number).all()
        return Phones(windows: all.filter { !($0.phone ?? "").trimmingCharacters(in: .whitespaces).isEmpty })
    }

    static func center(_ raw: String?, req: Request) async throws -> UUID {
        let scope = try await req.scope()
        let text = (raw ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return scope.principal.centerID }
        let code = text.uppercased()
        guard let id = UUID(uuidString: text) ?? scope.tree.nodes.values.first(where: { $0.code == code })?.id else {
            throw ValidationFailure([FieldError("center", "invalidReference")])
        }
        try scope.require(id)
        return id
    }

    /// `YYYY-MM-DD HH:MM[:SS]` in the center's time → the instant.
    static func instant(_ text: String) -> Date? {
        var s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "T", with: " ")
        if s.split(separator: ":").count == 2 { s += ":00" }
        guard let (day, second) = AsteriskCDR.timestamp(s) else { return nil }
        return HallClock.instant(day, minute: second / 60).addingTimeInterval(Double(second % 60))
    }

    // MARK: - Writing

    static func log(_ input: Input, req: Request) async throws -> Call {
        let p = try req.requirePrincipal()
        let centerID = try await center(input.center, req: req)
        let phones = try await phones(center: centerID, on: req.db)
        var v = Validator()
        let raw = (input.window ?? "").trimmingCharacters(in: .whitespaces)
        let window = phones.windows.first { w in w.id?.uuidString == raw || String(w.number) == raw }
        if raw.isEmpty { v.add("window", "required") } else if window == nil { v.add("window", "phone.noWindowPhone") }
        let started = (input.at ?? "").trimmingCharacters(in: .whitespaces).isEmpty ? req.now : instant(input.at ?? "")
        if started == nil { v.add("at", "phone.time") }
        if let started, started > req.now.addingTimeInterval(300) { v.add("at", "phone.future") }
        let test = input.test ?? false
        if test, ![.supervisor, .centerAdmin].contains(p.role) { v.add("test", "phone.testSupervisorsOnly") }
        var verdict: TestCallVerdict?
        if let raw = input.verdict, !raw.isEmpty {
            verdict = TestCallVerdict(rawValue: raw)
            if verdict == nil { v.add("verdict", "invalidChoice") } else if !test { v.add("verdict", "phone.verdictTestOnly") }
        } else if test {
            v.add("verdict", "required")
        }
        var disposition = input.disposition.flatMap { CallDisposition(rawValue: $0) ?? CallDisposition(asterisk: $0) }
        if disposition == nil, let verdict { disposition = verdict == .unanswered ? .noAnswer : .answered }
        if disposition == nil { v.add("disposition", (input.disposition ?? "").isEmpty ? "required" : "invalidChoice") }
        if let verdict, let disposition, (verdict == .unanswered) == disposition.answered {
            v.add("verdict", "phone.verdictDisposition")
        }
        let caller = v.text("caller", input.caller, max: 32, required: false)
        if !caller.isEmpty, PhoneCallRules.digits(caller).count < 3 { v.add("caller", "phone.number") }
        let seconds = input.durationSeconds ?? 0
        if seconds < 0 || seconds > 86_400 { v.add("durationSeconds", "phone.seconds") }
        let note = v.text("note", input.note, max: 1000, required: false)
        guard v.isValid, let window, let started, let disposition, let windowID = window.id else { throw ValidationFailure(v.errors) }
        let c = PhoneCallModel()
        c.id = UUID.timeOrdered()
        c.centerID = centerID
        c.windowID = windowID
        c.day = HallClock.day(started).description
        c.startedAt = HallClock.millis(started)
        c.dialled = window.phone ?? ""
        c.caller = caller.isEmpty ? nil : caller
        c.disposition = disposition.rawValue
        c.duration = seconds
        c.billsec = disposition.answered ? seconds : 0
        c.source = "manual"
        c.uniqueID = ""
        c.test = test
        c.verdict = verdict?.rawValue
        c.note = note
        c.loggedBy = p.displayName
        c.loggedAt = HallClock.millis(req.now)
        let millis = c.loggedAt
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await c.storeNew(on: db)
            var events = [
                AuditEvent(
                    "phone.log", "phone_call", id: c.id, center: centerID,
                    detail: ["window": String(window.number), "day": c.day, "disposition": c.disposition, "test": String(test)])
            ]
            events += try await warnIfDue([(windowID, c.day)], center: centerID, phones: phones, at: millis, on: db).events
            return ((), events)
        }
        return dto(c, phones: phones, viewer: p)
    }

    static func importCDR(_ text: String, center raw: String?, req: Request) async throws -> ImportResult {
        let p = try req.requirePrincipal()
        let centerID = try await center(raw, req: req)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationFailure([FieldError("file", "import.empty")])
        }
        let records: [AsteriskCDR.Record]
        switch AsteriskCDR.parse(text) {
        case .failure(let problems):
            throw ValidationFailure(
                problems.lines.map { FieldError($0.column.isEmpty ? "cdr.\($0.line)" : "cdr.\($0.line).\($0.column)", $0.code) })
        case .success(let r): records = r
        }
        let phones = try await phones(center: centerID, on: req.db)
        let millis = HallClock.millis(req.now)
        var rows: [PhoneCallModel] = []
        var other = 0
        for r in records {
            guard let w = phones.window(dialled: r.dialled), let windowID = w.id else {
                other += 1
                continue
            }
            let c = PhoneCallModel()
            c.id = UUID.timeOrdered()
            c.centerID = centerID
            c.windowID = windowID
            c.day = r.start.description
            c.startedAt = HallClock.millis(HallClock.instant(r.start, minute: r.startSecond / 60)) + Int64(r.startSecond % 60) * 1000
            c.dialled = r.dialled
            c.caller = r.source.isEmpty ? nil : r.source
            c.disposition = r.disposition.rawValue
            c.duration = r.duration
            c.billsec = r.billsec
            c.source = "pbx"
            c.uniqueID = r.uniqueID
            c.test = false
            c.verdict = nil
            c.note = ""
            c.loggedBy = p.displayName
            c.loggedAt = millis
            rows.append(c)
        }
        let candidates = rows
        let others = other
        let outcome = try await req.audited { db -> ((Int, Int, [String]), [AuditEvent]) in
            // Records already in the register (a file imported twice, or overlapping exports) stay.
            var known = Set<String>()
            for chunk in stride(from: 0, to: candidates.count, by: 500) {
                let ids = candidates[chunk..<min(chunk + 500, candidates.count)].map(\.uniqueID)
                known.formUnion(
                    try await PhoneCallModel.query(on: db).filter(\.$centerID == centerID).filter(\.$uniqueID ~~ ids).all().map(\.uniqueID))
            }
            let fresh = candidates.filter { !known.contains($0.uniqueID) }
            for chunk in stride(from: 0, to: fresh.count, by: 200) {
                try await Array(fresh[chunk..<min(chunk + 200, fresh.count)]).create(on: db)
            }
            let days = Array(Set(fresh.map { DayKey(window: $0.windowID, day: $0.day) })).map { ($0.window, $0.day) }
            let warned = try await warnIfDue(days, center: centerID, phones: phones, at: millis, on: db)
            let detail = ["imported": String(fresh.count), "alreadyImported": String(known.count), "otherNumbers": String(others)]
            return (
                (fresh.count, known.count, warned.windows),
                [AuditEvent("phone.import", "phone_call", id: nil, center: centerID, detail: detail)] + warned.events
            )
        }
        return ImportResult(imported: outcome.0, alreadyImported: outcome.1, otherNumbers: other, warnings: outcome.2)
    }

    struct DayKey: Hashable {
        var window: UUID
        var day: String
    }

    /// Raises the warning for each window's day that has reached `PhoneCallRules.warnAt` unanswered
    /// calls and was not warned before: a row (once, whatever writes race), a notification to the
    /// department's chief representatives and the center's administrators, an audit event.
    static func warnIfDue(
        _ days: [(UUID, String)], center: UUID, phones: Phones, at millis: Int64, on db: any Database
    ) async throws -> (windows: [String], events: [AuditEvent]) {
        let sql = try SQLRows.sql(db)
        var windows: [String] = []
        var events: [AuditEvent] = []
        let unanswered = [CallDisposition.noAnswer, .busy, .failed].map(\.rawValue)
        for (window, day) in days {
            let n = try await PhoneCallModel.query(on: db).filter(\.$windowID == window).filter(\.$day == day)
                .filter(\.$disposition ~~ unanswered).count()
            guard n >= PhoneCallRules.warnAt else { continue }
            let id = UUID.timeOrdered()
            let made = try await sql.raw(
                """
                INSERT INTO phone_warnings (id, center_id, window_id, day, unanswered, raised_at)
                VALUES (\(bind: id), \(bind: center), \(bind: window), \(bind: day), \(bind: n), \(bind: millis))
                ON CONFLICT (window_id, day) DO NOTHING RETURNING id
                """
            ).all()
            guard !made.isEmpty else { continue }
            let label = phones.label(window)
            windows.append(label)
            let department = phones.windows.first { $0.id == window }?.departmentID
            let users = try await Supervision.responsible(center: center, department: department, on: db)
            try await Outbox.enqueue(
                "phone.warning",
                .init(
                    title: "窗口电话难打通：\(label)", body: "\(day) 已有 \(n) 个未接来电，请核查并回拨。", link: "/phone-calls?day=\(day)",
                    data: ["window": window.uuidString, "day": day, "unanswered": String(n)]),
                users: users, center: center, at: millis, on: db)
            events.append(
                AuditEvent(
                    "phone.warn", "phone_warning", id: id, center: center, detail: ["window": label, "day": day, "unanswered": String(n)]))
        }
        return (windows, events)
    }

    // MARK: - Reading

    struct Filter {
        var day: CivilDate
        var window: UUID?
        var unanswered = false
        var test = false
    }

    static func day(_ f: Filter, center centerID: UUID, req: Request) async throws -> Day {
        let p = try req.requirePrincipal()
        var phones = try await phones(center: centerID, on: req.db)
        if p.role == .chiefRepresentative {
            guard let d = p.departmentID else { throw Abort(.forbidden) }
            phones.windows = phones.windows.filter { $0.departmentID == d }
        }
        let ids = phones.windows.compactMap(\.id)
        let day = f.day.description
        var calls: [PhoneCallModel] = []
        if !ids.isEmpty {
            calls = try await PhoneCallModel.query(on: req.db).filter(\.$centerID == centerID).filter(\.$day == day)
                .filter(\.$windowID ~~ ids).sort(\.$startedAt).all()
        }
        let warned = Set(
            try await PhoneWarningModel.query(on: req.db).filter(\.$centerID == centerID).filter(\.$day == day).all().map(\.windowID))
        var tallies: [UUID: PhoneDay] = [:]
        for c in calls {
            tallies[c.windowID, default: PhoneDay()].count(
                disposition: CallDisposition(rawValue: c.disposition) ?? .failed, test: c.test,
                verdict: c.verdict.flatMap(TestCallVerdict.init(rawValue:)))
        }
        let windows = phones.windows.compactMap { w -> WindowDay? in
            guard let id = w.id else { return nil }
            let t = tallies[id] ?? PhoneDay()
            return WindowDay(
                windowID: id, window: phones.label(id), phone: w.phone ?? "", calls: t.calls, answered: t.answered,
                unanswered: t.unanswered, tests: t.tests, testsFailed: t.testsFailed, warned: warned.contains(id))
        }.enumerated().sorted { a, b in
            // Unanswered calls first, then by window number (`phones` is in that order; "10号"
            // sorted as text came before "2号").
            (a.element.unanswered, b.offset) > (b.element.unanswered, a.offset)
        }.map(\.element)
        let shown = calls.filter { c in
            (f.window == nil || c.windowID == f.window) && (!f.unanswered || c.disposition != CallDisposition.answered.rawValue)
                && (!f.test || c.test)
        }
        return Day(
            centerID: centerID, day: day, windows: windows, unansweredWindows: windows.filter { $0.unanswered > 0 }.map(\.window),
            calls: shown.map { dto($0, phones: phones, viewer: p) })
    }

    static func dto(_ c: PhoneCallModel, phones: Phones, viewer: Principal) -> Call {
        let at = Date(timeIntervalSince1970: Double(c.startedAt) / 1000)
        // The center's wall clock, without a formatter made for every row.
        let second = (Int(c.startedAt / 1000) + HallClock.zone.secondsFromGMT(for: at)) % 86_400
        let time = String(format: "%02d:%02d:%02d", second / 3600, second / 60 % 60, second % 60)
        let caller = c.caller.map { viewer.role == .hotlineOperator ? $0 : PhoneNumber.masked($0) }
        return Call(
            id: c.id!, windowID: c.windowID, window: phones.label(c.windowID), day: c.day, startedAt: at, time: time,
            dialled: c.dialled, caller: caller, disposition: c.disposition, answered: c.disposition == CallDisposition.answered.rawValue,
            durationSeconds: c.duration, source: c.source, test: c.test, verdict: c.verdict, note: c.note, loggedBy: c.loggedBy)
    }

    static func filter(_ req: Request) throws -> Filter {
        var errors: [FieldError] = []
        var f = Filter(day: HallClock.day(req.now))
        if let raw = req.query[String.self, at: "day"], !raw.isEmpty {
            if let d = CivilDate(raw) { f.day = d } else { errors.append(FieldError("day", "date")) }
        }
        if let raw = req.query[String.self, at: "window"], !raw.isEmpty {
            if let id = UUID(uuidString: raw) { f.window = id } else { errors.append(FieldError("window", "invalidReference")) }
        }
        f.unanswered = req.query[String.self, at: "unanswered"] == "true"
        f.test = req.query[String.self, at: "test"] == "true"
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return f
    }
}
