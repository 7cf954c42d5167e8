import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/center/duty` (issue 23): the director's and the leader on duty's page — who is on duty today
/// and whether the day's patrols are done, the patrol form for the leader on duty, the findings
/// the departments must correct, the days' patrol counts, and the rota the administrator plans.
/// Each form posts to `/center/duty/<act>` and comes back to the page; a refusal shows its faults
/// in the user's language and changes nothing.
enum DutyPages {
    static let access = Access.only(.centerAdmin, .supervisor, .chiefRepresentative)
    static let problemRows = 3

    struct WindowRow: Encodable {
        var id: String
        var label: String
    }

    struct DayRow: Encodable {
        var day: String
        var label: String
        var leader: String
        var recorded: Int
        var required: Int
        var status: String
        var statusKey: String
    }

    struct FindingRow: Encodable {
        var id: String
        var text: String
        var window: String
        var department: String
        var due: String
        var overdue: Bool
        var photos: [HallLink]
        var rectification: String
        var closedBy: String
        var closedAt: String
        var canClose: Bool
    }

    struct PatrolRow: Encodable {
        var at: String
        var recordedBy: String
        var lines: [String]
        var note: String
        var findings: [FindingRow]
    }

    struct RotaRow: Encodable {
        var day: String
        var label: String
        var working: Bool
        var editable: Bool
        var leader: String
        var floor: String
        var leaderOptions: [FormView.Option]
        var floor1: [FormView.Option]
        var floor2: [FormView.Option]
    }

    struct View: Encodable {
        var centerName: String
        var today: String
        var leader: String
        var floor: String
        var recorded: Int
        var required: Int
        var status: String
        var statusKey: String
        var isLeader: Bool
        var windows: [WindowRow]
        var windowOptions: [FormView.Option]
        var problemRows: [Int]
        var banned: [FormView.Option]
        var open: [FindingRow]
        var closed: [FindingRow]
        var days: [DayRow]
        var patrols: [PatrolRow]
        var isPlanner: Bool
        var rota: [RotaRow]
        var from: String
        var to: String
        var prevHref: String
        var nextHref: String
        var patrolsPerDay: Int
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "duty", access: access) { req in try await page(req, errors: [], form: [:]) }
        post(app, "rota", access: DutyService.planners) { req in
            let f = try req.content.decode([String: String].self)
            let center = try await center(req)
            let today = HallClock.day(req.now)
            let (from, to) = span(f["from"], today: today)
            let cal = try await req.application.calendars.calendar(for: center, on: req.db)
            var rota: [DutyService.DayInput] = []
            var d = max(from, today)
            while d <= to {
                if cal.isWorkingDay(d) {
                    let key = d.description
                    var seen = Set<UUID>()
                    let floor = [f["floor1_\(key)"], f["floor2_\(key)"]].compactMap { $0.flatMap { UUID(uuidString: $0) } }
                        .filter { seen.insert($0).inserted }
                    rota.append(.init(day: key, leader: f["leader_\(key)"].flatMap { UUID(uuidString: $0) }, floor: floor))
                }
                d = d.adding(days: 1)
            }
            let perDay = Int(f["patrolsPerDay"] ?? "")
            if f["patrolsPerDay"].map({ !$0.isEmpty }) == true && perDay == nil {
                throw ValidationFailure([FieldError("patrolsPerDay", "duty.patrolsRange")])
            }
            _ = try await DutyService.set(
                center, .init(rota: rota.isEmpty ? nil : rota, reason: f["reason"], patrolsPerDay: perDay), req: req)
            return (req.t("duty.rotaSaved"), "rota", "?from=\(from)")
        }
        post(app, "patrol", access: PatrolService.recorders) { req in
            struct Photo: Content { var photo1: File?, photo2: File?, photo3: File? }
            let f = try req.content.decode([String: String].self)
            let files = try? req.content.decode(Photo.self)
            let center = try await center(req)
            let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).filter(\.$isOpen == true).sort(\.$number)
                .all()
            let observations = windows.map { w -> PatrolService.ObservationInput in
                let k = w.id!.uuidString.lowercased()
                return .init(
                    windowID: w.id, present: f["present_\(k)"] != nil, tidy: f["tidy_\(k)"] != nil, badge: f["badge_\(k)"] != nil,
                    queue: f["queue_\(k)"] != nil, note: f["note_\(k)"])
            }
            var uploads: [PatrolService.Upload] = []
            for (i, file) in [files?.photo1, files?.photo2, files?.photo3].enumerated() {
                guard let file, file.data.readableBytes > 0 else { continue }
                let data = Data(file.data.readableBytesView)
                guard data.count <= BrandFiles.maxBytes else {
                    throw ValidationFailure([FieldError("problems.\(i).photo", "brand.fileTooLarge")])
                }
                guard let type = PatrolService.photoType(data) else {
                    throw ValidationFailure([FieldError("problems.\(i).photo", "patrol.photoType")])
                }
                uploads.append(.init(finding: i, contentType: type, data: data))
            }
            let problems = (1...problemRows).map { n in
                PatrolService.FindingInput(
                    windowID: f["problem_window\(n)"].flatMap { UUID(uuidString: $0) }, text: f["problem\(n)"],
                    days: f["problem_days\(n)"].flatMap { Int($0) }, phrase: f["problem_phrase\(n)"])
            }
            let p = try await PatrolService.record(
                center, .init(observations: observations, problems: problems, note: f["note"]), uploads: uploads, req: req)
            return (req.t("patrol.saved", ["n": String(p.findings.count)]), "today", "")
        }
        post(app, "findings", ":finding", "close", access: PatrolService.closers) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await PatrolService.close(try req.uuid("finding"), rectification: f["rectification"], req: req)
            return (req.t("patrol.closed"), "findings", "")
        }
    }

    static func post(
        _ app: any RoutesBuilder, _ path: PathComponent..., access: Access,
        act: @escaping @Sendable (Request) async throws -> (String, String, String)
    ) {
        CenterForms.post(
            app, ["center", "duty"] + path, access: access, base: "/center/duty",
            page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
    }

    /// The viewer's center, or the one asked for within their scope.
    static func center(_ req: Request) async throws -> UUID {
        let p = try req.requirePrincipal()
        if let id = req.viewedCenter {
            try await req.scope().require(id)
            return id
        }
        return p.centerID
    }

    /// The two weeks shown: from the Monday of `from`'s week, or of this week.
    static func span(_ raw: String?, today: CivilDate) -> (CivilDate, CivilDate) {
        let start = raw.flatMap(CivilDate.init) ?? today
        let monday = start.adding(days: 1 - start.weekday)
        return (monday, monday.adding(days: 13))
    }

    static func dayLabel(_ d: CivilDate, _ req: Request) -> String {
        d.description + req.t("punct.open") + req.t("weekday.\(d.weekday)") + req.t("punct.close")
    }

    static func findingRow(_ f: PatrolService.Finding, p: Principal, req: Request) -> FindingRow {
        FindingRow(
            id: f.id.uuidString.lowercased(), text: HallRulesService.withPhrase(f.text, f.phrase, req: req),
            window: f.window ?? req.t("duty.wholeHall"), department: f.department ?? "",
            due: f.due, overdue: f.overdue,
            photos: f.photos.enumerated().map { HallLink(href: $0.element, label: req.t("patrol.photo", ["n": String($0.offset + 1)])) },
            rectification: f.rectification ?? "", closedBy: f.closedBy ?? "",
            closedAt: f.closedAt.map(HallClock.minuteText) ?? "",
            canClose: f.closedAt == nil && (p.role == .centerAdmin || (p.role == .chiefRepresentative && f.departmentID == p.departmentID)))
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await center(req)
        let other = req.viewedCenterParameter.map { "&" + $0 } ?? ""
        try await req.scope().require(center)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let today = HallClock.day(req.now)
        let (from, to) = span(req.query[String.self, at: "from"] ?? form["from"], today: today)
        let duty = try await DutyService.onDuty(center, day: today, req: req)
        // The patrols of the two weeks up to today.
        let listing = try await PatrolService.list(center, from: today.adding(days: -13), to: today, req: req)
        let rota = try await DutyService.rota(center, from: from, to: to, on: req.db, req: req)
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).filter(\.$isOpen == true).sort(\.$number).all()
        let findings = try await PatrolService.findings(center, open: nil, req: req)
        let isPlanner = p.role == .centerAdmin
        var leaders: [UserModel] = []
        var heads: [UserModel] = []
        var departments: [UUID: String] = [:]
        if isPlanner {
            let users = try await UserModel.query(on: req.db).filter(\.$centerID == center).filter(\.$disabled == false).sort(
                \.$displayName
            ).all()
            leaders = users.filter { Role(rawValue: $0.role).map(DutyService.leaderRoles.contains) == true }
            heads = users.filter { $0.departmentID != nil }
            departments = try await DutyService.names([], departments: Set(heads.compactMap(\.departmentID)), on: req.db).departments
        }
        func options(_ people: [UserModel], selected: UUID?, withDepartment: Bool) -> [FormView.Option] {
            [FormView.Option(value: "", label: req.t("duty.nobody"), selected: selected == nil)]
                + people.map { u in
                    let dept =
                        withDepartment
                        ? u.departmentID.flatMap { departments[$0] }.map { req.t("punct.open") + $0 + req.t("punct.close") } ?? "" : ""
                    return FormView.Option(value: u.id!.uuidString.lowercased(), label: u.displayName + dept, selected: u.id == selected)
                }
        }
        let todayDay = listing.days.last
        let statusKey = todayDay?.status ?? "off"
        let view = View(
            centerName: c.name, today: dayLabel(today, req), leader: duty.leader?.name ?? "",
            floor: duty.floor.map { $0.name + ($0.department.map { req.t("punct.open") + $0 + req.t("punct.close") } ?? "") }.joined(
                separator: req.t("punct.list")),
            recorded: todayDay?.recorded ?? 0, required: todayDay?.required ?? 0, status: req.t("patrol.status.\(statusKey)"),
            statusKey: statusKey, isLeader: duty.leader?.userID == p.id,
            windows: windows.map { WindowRow(id: $0.id!.uuidString.lowercased(), label: "\($0.number) 号 \($0.name)") },
            windowOptions: [FormView.Option(value: "", label: req.t("duty.wholeHall"), selected: false)]
                + windows.map {
                    FormView.Option(value: $0.id!.uuidString.lowercased(), label: "\($0.number) 号 \($0.name)", selected: false)
                },
            problemRows: Array(1...problemRows),
            banned: try await HallRulesService.bannedOptions(center, req: req),
            open: findings.filter { $0.closedAt == nil }.map { findingRow($0, p: p, req: req) },
            closed: findings.filter { $0.closedAt != nil }.prefix(20).map { findingRow($0, p: p, req: req) },
            days: listing.days.filter { $0.working }.reversed().map { d in
                DayRow(
                    day: d.day, label: CivilDate(d.day).map { dayLabel($0, req) } ?? d.day, leader: d.leader ?? "", recorded: d.recorded,
                    required: d.required, status: req.t("patrol.status.\(d.status)"), statusKey: d.status)
            },
            patrols: listing.patrols.map { pt in
                PatrolRow(
                    at: HallClock.minuteText(pt.at), recordedBy: pt.recordedBy,
                    lines: pt.observations.filter { !($0.present && $0.tidy && $0.badge && $0.queue) || !$0.note.isEmpty }.map { o in
                        let missing = [("present", o.present), ("tidy", o.tidy), ("badge", o.badge), ("queue", o.queue)].filter { !$0.1 }
                            .map { req.t("patrol.not.\($0.0)") }
                        return o.window + "：" + (missing + (o.note.isEmpty ? [] : [o.note])).joined(separator: "；")
                    }, note: pt.note, findings: pt.findings.map { findingRow($0, p: p, req: req) })
            },
            isPlanner: isPlanner,
            rota: rota.days.compactMap { d in
                guard let day = CivilDate(d.day) else { return nil }
                let floor = d.floor.map(\.userID)
                return RotaRow(
                    day: d.day, label: dayLabel(day, req), working: d.working, editable: isPlanner && d.working && day >= today,
                    leader: d.leader?.name ?? "",
                    floor: d.floor.map { $0.name + ($0.department.map { req.t("punct.open") + $0 + req.t("punct.close") } ?? "") }.joined(
                        separator: req.t("punct.list")),
                    leaderOptions: options(leaders, selected: d.leader?.userID, withDepartment: false),
                    floor1: options(heads, selected: floor.first, withDepartment: true),
                    floor2: options(heads, selected: floor.count > 1 ? floor[1] : nil, withDepartment: true))
            },
            from: from.description, to: to.description, prevHref: "/center/duty?from=\(from.adding(days: -14))\(other)#rota",
            nextHref: "/center/duty?from=\(from.adding(days: 14))\(other)#rota", patrolsPerDay: rota.patrolsPerDay, errors: errors,
            form: form)
        return try await req.page("center/duty", title: req.t("duty.title"), view, status: status)
    }
}
