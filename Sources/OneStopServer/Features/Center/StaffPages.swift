import Fluent
import Foundation
import OneStopCore
import Vapor

/// The window staff's pages (issue 23): `/center/staff`, the register a department keeps of whom it
/// sent; `/center/staff/{id}`, one person's record with its training and appraisals, printable as
/// the 登记备案表; `/center/leave`, leave from request to return and the day's absences.
enum StaffPages {
    struct StaffRow: Encodable {
        var href: String
        var name: String
        var department: String
        var selection: String
        var post: String
        var arrivedOn: String
        var leftOn: String
        var hours: String
        var grade: String
    }

    struct RegisterView: Encodable {
        var centerName: String
        var rows: [StaffRow]
        var unregistered: [FormView.Option]
        var selections: [FormView.Option]
        var canKeep: Bool
        var today: String
        var errors: [String]
        var form: [String: String]
    }

    struct RecordView: Encodable {
        var id: String
        var name: String
        var jobNumber: String
        var department: String
        var centerName: String
        var postings: [StaffRow]
        var trainings: [WindowStaffService.Training]
        var appraisals: [AppraisalRow]
        var canKeep: Bool
        var selections: [FormView.Option]
        var grades: [FormView.Option]
        var periods: [FormView.Option]
        var openPost: String
        var openArrived: String
        var today: String
        var printedOn: String
        var errors: [String]
        var form: [String: String]
    }

    struct AppraisalRow: Encodable {
        var period: String
        var appraiser: String
        var grade: String
        var comment: String
        var recordedBy: String
    }

    static let access = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice)

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "staff", access: access) { req in try await registerPage(req, errors: [], form: [:]) }
        app.endpoint(.GET, "center", "staff", ":id", access: access) { req in try await recordPage(req, errors: [], form: [:]) }
        CenterForms.post(
            app, ["center", "staff", "register"], access: WindowStaffService.keepers, base: "/center/staff",
            page: { try await registerPage($0, errors: $1, form: $2, status: $3) }
        ) { req in
            let f = try req.content.decode([String: String].self)
            guard let id = f["staff"].flatMap({ UUID(uuidString: $0) }) else { throw ValidationFailure([FieldError("staff", "required")]) }
            let p = try await WindowStaffService.register(
                id, .init(selection: f["selection"], post: f["post"], arrivedOn: f["arrivedOn"], leftOn: nil, remarks: f["remarks"]),
                req: req)
            return (req.t("staff.registered", ["name": p.name]), "register", "")
        }
        for act in ["posting", "training", "appraisal"] {
            CenterForms.post(
                app, ["center", "staff", ":id", .constant(act)], access: WindowStaffService.keepers, base: "",
                page: { try await recordPage($0, errors: $1, form: $2, status: $3) }
            ) { req in
                let id = try req.uuid("id")
                let f = try req.content.decode([String: String].self)
                let back = "/center/staff/\(id.uuidString.lowercased())"
                switch act {
                case "posting":
                    _ = try await WindowStaffService.register(
                        id,
                        .init(
                            selection: f["selection"], post: f["post"], arrivedOn: f["arrivedOn"], leftOn: f["leftOn"],
                            remarks: f["remarks"]), req: req)
                    return (req.t("staff.postingSaved"), "postings", back)
                case "training":
                    let hours = f["hours"].flatMap(StaffRecords.tenths).map { Double($0) / 10 }
                    if hours == nil && !(f["hours"] ?? "").isEmpty { throw ValidationFailure([FieldError("hours", "staff.hoursRange")]) }
                    _ = try await WindowStaffService.recordTraining(
                        id, .init(day: f["day"], course: f["course"], hours: hours, outcome: f["outcome"]), req: req)
                    return (req.t("staff.trainingSaved"), "trainings", back)
                default:
                    _ = try await WindowStaffService.recordAppraisal(
                        id, .init(period: f["period"], grade: f["grade"], comment: f["comment"]), req: req)
                    return (req.t("staff.appraisalSaved"), "appraisals", back)
                }
            }
        }
    }

    static func selections(_ req: Request, selected: String? = nil) -> [FormView.Option] {
        StaffRecords.Selection.allCases.map {
            FormView.Option(value: $0.rawValue, label: req.t("staff.selection.\($0.rawValue)"), selected: $0.rawValue == selected)
        }
    }

    static func row(_ p: WindowStaffService.Posting, req: Request) -> StaffRow {
        StaffRow(
            href: "/center/staff/\(p.staffID.uuidString.lowercased())", name: p.name, department: p.department ?? "",
            selection: req.t("staff.selection.\(p.selection)"), post: p.post, arrivedOn: p.arrivedOn, leftOn: p.leftOn ?? "",
            hours: StaffRecords.hoursText(Int((p.trainingHours * 10).rounded())),
            grade: p.latestGrade.map { req.t("staff.grade.\($0)") } ?? "")
    }

    static func registerPage(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let postings = try await WindowStaffService.postings(center, req: req)
        var staff = StaffModel.query(on: req.db).filter(\.$centerID == center)
        if p.role == .chiefRepresentative { staff = staff.filter(\.$departmentID == p.departmentID) }
        let open = Set(postings.filter { $0.leftOn == nil }.map(\.staffID))
        let unregistered = try await staff.sort(\.$name).all().filter { !open.contains($0.id!) }
        let view = RegisterView(
            centerName: c.name, rows: postings.map { row($0, req: req) },
            unregistered: unregistered.map {
                FormView.Option(
                    value: $0.id!.uuidString.lowercased(), label: "\($0.name)（\($0.jobNumber)）",
                    selected: form["staff"] == $0.id!.uuidString.lowercased())
            }, selections: selections(req, selected: form["selection"]),
            canKeep: [.centerAdmin, .chiefRepresentative].contains(p.role), today: HallClock.day(req.now).description, errors: errors,
            form: form)
        return try await req.page("center/staff", title: req.t("staff.registerTitle"), view, status: status)
    }

    static func recordPage(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let id = try req.uuid("id")
        let r = try await WindowStaffService.record(id, req: req)
        guard let s = try await StaffModel.find(id, on: req.db), let c = try await CenterModel.find(s.centerID, on: req.db) else {
            throw Abort(.notFound)
        }
        let today = HallClock.day(req.now)
        let open = r.postings.first { $0.leftOn == nil }
        var periods: [FormView.Option] = []
        for kind in [EvaluationPeriod.Kind.quarter, .halfYear, .year] {
            var period = EvaluationPeriod(kind, containing: today)
            for _ in 0..<2 {
                periods.append(.init(value: period.description, label: period.label, selected: form["period"] == period.description))
                period = EvaluationPeriod(kind, containing: period.first.adding(days: -1))
            }
        }
        let view = RecordView(
            id: id.uuidString.lowercased(), name: r.name, jobNumber: r.jobNumber, department: r.department ?? "", centerName: c.name,
            postings: r.postings.map { row($0, req: req) }, trainings: r.trainings,
            appraisals: r.appraisals.map {
                AppraisalRow(
                    period: $0.periodLabel, appraiser: req.t("staff.appraiser.\($0.appraiser)"), grade: req.t("staff.grade.\($0.grade)"),
                    comment: $0.comment, recordedBy: $0.recordedBy)
            },
            canKeep: p.role == .centerAdmin || (p.role == .chiefRepresentative && s.departmentID == p.departmentID),
            selections: selections(req, selected: form["selection"] ?? open?.selection),
            grades: StaffRecords.Grade.allCases.map {
                FormView.Option(value: $0.rawValue, label: req.t("staff.grade.\($0.rawValue)"), selected: form["grade"] == $0.rawValue)
            }, periods: periods, openPost: open?.post ?? "", openArrived: open?.arrivedOn ?? "", today: today.description,
            printedOn: today.description, errors: errors, form: form)
        return try await req.page("center/staff-record", title: req.t("staff.recordTitle", ["name": r.name]), view, status: status)
    }
}

/// `/center/leave` (issue 23): asking for leave, deciding it, ending it on return, and the day's
/// absences for the department and the center.
enum LeavePages {
    struct Row: Encodable {
        var id: String
        var name: String
        var department: String
        var kind: String
        var span: String
        var reason: String
        var cover: String
        var state: String
        var stateKey: String
        var decision: String
        var canDecide: Bool
        var canEnd: Bool
    }

    struct View: Encodable {
        var centerName: String
        var ownStaff: String
        var people: [FormView.Option]
        var kinds: [FormView.Option]
        var windows: [FormView.Option]
        var standIns: [FormView.Option]
        var canAsk: Bool
        var rows: [Row]
        var seesAbsences: Bool
        var absenceDay: String
        var absenceSummary: String
        var absent: [String]
        var working: Bool
        var today: String
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "leave", access: LeaveService.readers) { req in try await page(req, errors: [], form: [:]) }
        func post(_ path: PathComponent..., access: Access, act: @escaping @Sendable (Request) async throws -> (String, String, String)) {
            CenterForms.post(
                app, ["center", "leave"] + path, access: access, base: "/center/leave",
                page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
        }
        post("ask", access: LeaveService.askers) { req in
            let f = try req.content.decode([String: String].self)
            guard let staff = f["staff"].flatMap({ UUID(uuidString: $0) }) else {
                throw ValidationFailure([FieldError("staff", "required")])
            }
            let l = try await LeaveService.request(
                staff,
                .init(
                    kind: f["kind"], from: f["from"], to: f["to"], reason: f["reason"],
                    windowID: f["windowID"].flatMap { UUID(uuidString: $0) },
                    standInStaffID: f["standIn"].flatMap { UUID(uuidString: $0) }), req: req)
            return (req.t("leave.asked", ["name": l.name]), "leaves", "")
        }
        post(":id", "decide", access: LeaveService.deciders) { req in
            let f = try req.content.decode([String: String].self)
            let approve = f["approve"].map { $0 == "true" }
            let l = try await LeaveService.decide(try req.uuid("id"), .init(approve: approve, note: f["note"]), req: req)
            return (req.t("leave.decidedNow", ["name": l.name, "state": req.t("leave.state.\(l.state)")]), "leaves", "")
        }
        post(":id", "end", access: LeaveService.askers) { req in
            let f = try req.content.decode([String: String].self)
            let l = try await LeaveService.end(try req.uuid("id"), .init(returnedOn: f["returnedOn"]), req: req)
            return (req.t("leave.endedNow", ["name": l.name]), "leaves", "")
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let today = HallClock.day(req.now)
        let own = try await LeaveService.ownStaff(p, on: req.db)
        var staffQuery = StaffModel.query(on: req.db).filter(\.$centerID == center)
        if p.role == .chiefRepresentative { staffQuery = staffQuery.filter(\.$departmentID == p.departmentID) }
        let staff = p.role == .windowStaff ? [] : try await staffQuery.sort(\.$name).all()
        let everyone = try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all()
        let leaves = try await LeaveService.list(center, state: nil, req: req)
        let rows = try await StaffModel.query(on: req.db).filter(\.$id ~~ leaves.map(\.staffID)).all()
        var people: [UUID: StaffModel] = [:]
        for s in rows { people[s.id!] = s }
        func choice(_ key: String, _ value: String, _ label: String) -> FormView.Option {
            FormView.Option(value: value, label: label, selected: form[key] == value)
        }
        var absenceDay = today
        if let raw = req.query[String.self, at: "day"], let d = CivilDate(raw), d <= today { absenceDay = d }
        let seesAbsences = p.role != .windowStaff
        let absences = seesAbsences ? try await LeaveService.absences(center, day: absenceDay, req: req) : nil
        let view = View(
            centerName: c.name, ownStaff: p.role == .windowStaff ? (own?.uuidString.lowercased() ?? "") : "",
            people: staff.map { choice("staff", $0.id!.uuidString.lowercased(), "\($0.name)（\($0.jobNumber)）") },
            kinds: LeaveRules.Kind.allCases.map { choice("kind", $0.rawValue, req.t("leave.kind.\($0.rawValue)")) },
            windows: [FormView.Option(value: "", label: req.t("leave.noWindow"), selected: false)]
                + windows.map { choice("windowID", $0.id!.uuidString.lowercased(), "\($0.number) 号 \($0.name)") },
            standIns: [FormView.Option(value: "", label: req.t("leave.noStandIn"), selected: false)]
                + everyone.map { choice("standIn", $0.id!.uuidString.lowercased(), $0.name) },
            canAsk: p.role != .windowStaff || own != nil,
            rows: leaves.map { l in
                let state = LeaveRules.State(rawValue: l.state) ?? .requested
                let s = people[l.staffID]
                let mayAct = s.map { LeaveService.mayActFor($0, p: p, own: own) } ?? false
                return Row(
                    id: l.id.uuidString.lowercased(), name: l.name, department: l.department ?? "",
                    kind: req.t("leave.kind.\(l.kind)"), span: l.from == l.to ? l.from : "\(l.from) 至 \(l.to)", reason: l.reason ?? "",
                    cover: l.standIn.map { req.t("leave.coverBy", ["name": $0]) }
                        ?? (l.window.map { req.t("leave.coverPaused", ["window": $0]) } ?? ""),
                    state: req.t("leave.state.\(l.state)") + (l.returnedOn.map { " · " + req.t("leave.returned", ["day": $0]) } ?? ""),
                    stateKey: l.state,
                    decision: [l.decidedBy, l.decisionNote].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "："),
                    canDecide: state == .requested && [.centerAdmin, .chiefRepresentative].contains(p.role) && mayAct && own != l.staffID,
                    canEnd: state == .approved && mayAct)
            }, seesAbsences: seesAbsences, absenceDay: absenceDay.description,
            absenceSummary: absences.map {
                $0.working
                    ? req.t(
                        "leave.absenceSummary",
                        ["expected": String($0.expected), "signedIn": String($0.signedIn), "onLeave": String($0.onLeave)])
                    : req.t("duty.offDay")
            } ?? "",
            absent: absences?.absent.map { $0.name + ($0.department.map { "（\($0)）" } ?? "") } ?? [],
            working: absences?.working ?? true, today: today.description, errors: errors, form: form)
        return try await req.page("center/leave", title: req.t("leave.title"), view, status: status)
    }
}

/// `/center/conduct` (issue 23): the conduct inspections (作风督查) — the team starts one, records
/// findings per window against the checklist; the department explains and corrects; the center
/// closes or sends back.
enum ConductPages {
    struct FindingRow: Encodable {
        var id: String
        var window: String
        var department: String
        var item: String
        var text: String
        var state: String
        var stateKey: String
        var explainBy: String
        var overdue: Bool
        var answer: String
        var canExplain: Bool
        var canClose: Bool
    }

    struct InspectionRow: Encodable {
        var id: String
        var day: String
        var team: String
        var checklist: [FormView.Option]
        var findings: [FindingRow]
    }

    struct View: Encodable {
        var centerName: String
        var isInspector: Bool
        var checklist: String
        var windows: [FormView.Option]
        var banned: [FormView.Option]
        var inspections: [InspectionRow]
        var today: String
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "conduct", access: ConductService.readers) { req in try await page(req, errors: [], form: [:]) }
        func post(_ path: PathComponent..., access: Access, act: @escaping @Sendable (Request) async throws -> (String, String, String)) {
            CenterForms.post(
                app, ["center", "conduct"] + path, access: access, base: "/center/conduct",
                page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
        }
        post("start", access: ConductService.inspectors) { req in
            let f = try req.content.decode([String: String].self)
            let center = try await DutyPages.center(req)
            let asked = (f["checklist"] ?? "").split(whereSeparator: \.isNewline).map(String.init)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let current = try await ConductService.checklist(center, on: req.db)
            let i = try await ConductService.start(
                center, .init(day: f["day"], team: f["team"], checklist: asked == current || asked.isEmpty ? nil : asked), req: req)
            return (req.t("conduct.started", ["day": i.day]), "inspection-\(i.id.uuidString.lowercased())", "")
        }
        post(":id", "finding", access: ConductService.inspectors) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await ConductService.record(
                try req.uuid("id"),
                .init(
                    windowID: f["windowID"].flatMap { UUID(uuidString: $0) }, criterion: f["criterion"], text: f["text"],
                    days: f["days"].flatMap { Int($0) }, phrase: f["phrase"]), req: req)
            return (req.t("conduct.findingSaved"), "inspection-\(try req.uuid("id").uuidString.lowercased())", "")
        }
        post("findings", ":id", "explain", access: ConductService.explainers) { req in
            let f = try req.content.decode([String: String].self)
            let x = try await ConductService.explain(
                try req.uuid("id"), .init(explanation: f["explanation"], rectification: f["rectification"]), req: req)
            return (req.t("conduct.explained"), "inspection-\(x.inspectionID.uuidString.lowercased())", "")
        }
        post("findings", ":id", "close", access: ConductService.inspectors) { req in
            let f = try req.content.decode([String: String].self)
            let x = try await ConductService.close(
                try req.uuid("id"), .init(accept: f["accept"].map { $0 == "true" }, note: f["note"]), req: req)
            return (
                req.t(x.state == "closed" ? "conduct.closed" : "conduct.returned"), "inspection-\(x.inspectionID.uuidString.lowercased())",
                ""
            )
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let inspections = try await ConductService.list(center, req: req)
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all()
        let isInspector = [.centerAdmin, .supervisor].contains(p.role)
        let checklist = try await ConductService.checklist(center, on: req.db)
        let banned = try await HallRulesService.courtesy(center, on: req.db).banned
        let view = View(
            centerName: c.name, isInspector: isInspector, checklist: form["checklist"] ?? checklist.joined(separator: "\n"),
            windows: windows.map {
                FormView.Option(value: $0.id!.uuidString.lowercased(), label: "\($0.number) 号 \($0.name)", selected: false)
            },
            banned: [FormView.Option(value: "", label: req.t("hall.noPhrase"), selected: false)]
                + banned.map { FormView.Option(value: $0, label: $0, selected: false) },
            inspections: inspections.map { i in
                InspectionRow(
                    id: i.id.uuidString.lowercased(), day: i.day, team: i.team,
                    checklist: i.checklist.map { FormView.Option(value: $0, label: $0, selected: false) },
                    findings: i.findings.map { f in
                        let state = ConductRules.State(rawValue: f.state) ?? .notified
                        return FindingRow(
                            id: f.id.uuidString.lowercased(), window: f.window ?? "", department: f.department ?? "", item: f.criterion,
                            text: f.text + (f.phrase.map { "（" + req.t("field.phrase") + "：" + $0 + "）" } ?? ""),
                            state: req.t("conduct.state.\(f.state)"), stateKey: f.state, explainBy: f.explainBy, overdue: f.overdue,
                            answer: [f.explanation, f.rectification, f.closeNote].compactMap { $0 }.filter { !$0.isEmpty }.joined(
                                separator: " / "),
                            canExplain: state == .notified
                                && (p.role == .centerAdmin || (p.role == .chiefRepresentative && f.departmentID == p.departmentID)),
                            canClose: state == .explained && isInspector)
                    })
            }, today: HallClock.day(req.now).description, errors: errors, form: form)
        return try await req.page("center/conduct", title: req.t("conduct.title"), view, status: status)
    }
}

/// `/hall/{code}/courtesy`, the center's 文明用语规范 as the public reads it; `/center/hall-rules`,
/// where the center sets it and the window units file their weekly summaries and keep the
/// volunteer ledger (issue 23).
enum HallRulesPages {
    struct PublicView: Encodable {
        var centerName: String
        var polite: [String]
        var banned: [String]
    }

    struct VisitFormView: Encodable {
        var centerName: String
        var code: String
        var items: [FormView.Option]
        var reasons: [FormView.Option]
        var tracking: String
        var today: String
        var errors: [String]
        var form: [String: String]
    }

    struct VisitRow: Encodable {
        var id: String
        var line: String
        var state: String
        var stateKey: String
        var canSchedule: Bool
        var canFinish: Bool
    }

    struct WeekCell: Encodable {
        var label: String
        var key: String
    }

    struct UnitRow: Encodable {
        var department: String
        var cells: [WeekCell]
        var tally: String
    }

    struct View: Encodable {
        var centerName: String
        var code: String
        var isAdmin: Bool
        var canFile: Bool
        var polite: String
        var banned: String
        var weeks: [String]
        var units: [UnitRow]
        var summaries: [HallRulesService.Summary]
        var departments: [FormView.Option]
        var ledger: HallRulesService.Ledger
        var visits: [VisitRow]
        var visitStaff: [FormView.Option]
        var visitItems: String
        var canHandleVisits: Bool
        var today: String
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "hall", ":code", "courtesy", access: .public) { req -> Response in
            let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
            let c = try await HallRulesService.courtesy(hall.centerID, on: req.db)
            return try await req.page(
                "public/courtesy", title: req.t("hall.courtesyTitle"),
                PublicView(centerName: hall.centerName, polite: c.polite, banned: c.banned))
        }
        app.endpoint(.GET, "hall", ":code", "home-visit", access: .public) { req in
            try await visitPage(req, errors: [], form: [:], tracking: "")
        }
        app.endpoint(.POST, "hall", ":code", "home-visit", access: .public) { req -> Response in
            let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
            let f = (try? req.content.decode([String: String].self)) ?? [:]
            do {
                let v = try await HomeVisitService.request(
                    hall.centerID,
                    .init(
                        item: f["item"], name: f["name"], phone: f["phone"], address: f["address"], reason: f["reason"],
                        preferredDay: f["preferredDay"]), req: req)
                return try await visitPage(req, errors: [], form: [:], tracking: v.tracking)
            } catch let v as ValidationFailure {
                return try await visitPage(
                    req, errors: BrandManagePages.messages(v, req), form: f, tracking: "", status: .unprocessableEntity)
            }
        }
        .limited(.forms)
        app.endpoint(.GET, "center", "hall-rules", access: HallRulesService.unitReaders) { req in try await page(req, errors: [], form: [:])
        }
        func post(_ path: PathComponent..., access: Access, act: @escaping @Sendable (Request) async throws -> (String, String, String)) {
            CenterForms.post(
                app, ["center", "hall-rules"] + path, access: access, base: "/center/hall-rules",
                page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
        }
        post("courtesy", access: .admins) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await HallRulesService.setCourtesy(
                try await DutyPages.center(req),
                .init(polite: HallRules.lines(f["polite"] ?? ""), banned: HallRules.lines(f["banned"] ?? "")),
                req: req)
            return (req.t("hall.courtesySaved"), "courtesy", "")
        }
        post("summary", access: HallRulesService.unitKeepers) { req in
            let f = try req.content.decode([String: String].self)
            let p = try req.requirePrincipal()
            guard let d = (p.role == .chiefRepresentative ? p.departmentID : f["department"].flatMap { UUID(uuidString: $0) }) else {
                throw ValidationFailure([FieldError("department", "required")])
            }
            let s = try await HallRulesService.fileSummary(d, .init(week: f["week"], summary: f["summary"]), req: req)
            return (req.t(s.late ? "hall.summaryLate" : "hall.summarySaved"), "summaries", "")
        }
        post("visit-items", access: .admins) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await HomeVisitService.setItems(
                try await DutyPages.center(req), .init(items: HallRules.lines(f["items"] ?? "")), req: req)
            return (req.t("homeVisit.itemsSaved"), "visits", "")
        }
        post("visits", ":id", "schedule", access: HomeVisitService.handlers) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await HomeVisitService.schedule(
                try req.uuid("id"), .init(day: f["day"], staffID: f["staffID"].flatMap { UUID(uuidString: $0) }), req: req)
            return (req.t("homeVisit.scheduled"), "visits", "")
        }
        post("visits", ":id", "done", access: HomeVisitService.handlers) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await HomeVisitService.finish(try req.uuid("id"), .init(handled: f["handled"]), req: req)
            return (req.t("homeVisit.done"), "visits", "")
        }
        post("volunteer", access: HallRulesService.unitKeepers) { req in
            let f = try req.content.decode([String: String].self)
            let hours = f["hours"].flatMap(StaffRecords.tenths).map { Double($0) / 10 }
            if hours == nil && !(f["hours"] ?? "").isEmpty { throw ValidationFailure([FieldError("hours", "hall.volunteerHours")]) }
            _ = try await HallRulesService.recordVolunteer(
                try await DutyPages.center(req),
                .init(
                    volunteer: f["volunteer"], day: f["day"], activity: f["activity"], hours: hours,
                    departmentID: f["department"].flatMap { UUID(uuidString: $0) }), req: req)
            return (req.t("hall.volunteerSaved"), "volunteers", "")
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let courtesy = try await HallRulesService.courtesy(center, on: req.db)
        let summaries = try await HallRulesService.summaries(center, weeks: 8, req: req)
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        let visits =
            [.centerAdmin, .chiefRepresentative, .supervisor].contains(p.role) ? try await HomeVisitService.list(center, req: req) : []
        var staffQuery = StaffModel.query(on: req.db).filter(\.$centerID == center)
        if p.role == .chiefRepresentative { staffQuery = staffQuery.filter(\.$departmentID == p.departmentID) }
        let staff = try await staffQuery.sort(\.$name).all().map {
            FormView.Option(value: $0.id!.uuidString.lowercased(), label: "\($0.name)（\($0.jobNumber)）", selected: false)
        }
        let view = View(
            centerName: c.name, code: c.code, isAdmin: p.role == .centerAdmin,
            canFile: [.centerAdmin, .chiefRepresentative].contains(p.role),
            polite: form["polite"] ?? courtesy.polite.joined(separator: "\n"),
            banned: form["banned"] ?? courtesy.banned.joined(separator: "\n"),
            weeks: summaries.weeks.map { String($0.dropFirst(5)) },
            units: summaries.units.map { u in
                UnitRow(
                    department: u.department,
                    cells: summaries.weeks.map { w in
                        let key = u.weeks[w] ?? "open"
                        return WeekCell(label: req.t("brand.week.\(key)"), key: key)
                    }, tally: req.t("hall.tally", ["onTime": String(u.onTime), "late": String(u.late), "missing": String(u.missing)]))
            }, summaries: Array(summaries.summaries.prefix(20)),
            departments: p.role == .chiefRepresentative
                ? []
                : departments.map {
                    FormView.Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.name,
                        selected: form["department"] == $0.id!.uuidString.lowercased())
                },
            ledger: try await HallRulesService.ledger(center, req: req),
            visits: [VisitRow](), visitStaff: staff,
            visitItems: try await HomeVisitService.offered(center, on: req.db).joined(separator: "\n"),
            canHandleVisits: [.centerAdmin, .chiefRepresentative].contains(p.role), today: HallClock.day(req.now).description,
            errors: errors,
            form: form)
        var shown = view
        shown.visits = visits.map { v in
            VisitRow(
                id: v.id.uuidString.lowercased(),
                line: "\(v.tracking) · \(v.itemName) · \(v.name) \(v.phone ?? "") · \(v.address) · " + req.t("homeVisit.reason.\(v.reason)")
                    + (v.preferredDay.map { " · " + req.t("homeVisit.prefers", ["day": $0]) } ?? "")
                    + (v.scheduledDay.map { " · " + req.t("homeVisit.on", ["day": $0, "staff": v.staff ?? ""]) } ?? "")
                    + (v.outcome.map { " · " + $0 } ?? ""),
                state: req.t("homeVisit.state.\(v.state)"), stateKey: v.state,
                canSchedule: shown.canHandleVisits && (v.state == "requested" || v.state == "scheduled"),
                canFinish: shown.canHandleVisits && v.state == "scheduled")
        }
        return try await req.page("center/hall-rules", title: req.t("hall.rulesTitle"), shown, status: status)
    }

    static func visitPage(
        _ req: Request, errors: [String], form: [String: String], tracking: String, status: HTTPStatus = .ok
    ) async throws
        -> Response
    {
        let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
        let codes = try await HomeVisitService.offered(hall.centerID, on: req.db)
        let items = codes.isEmpty ? [] : try await ServiceItemModel.query(on: req.db).filter(\.$code ~~ codes).sort(\.$code).all()
        let view = VisitFormView(
            centerName: hall.centerName, code: hall.centerCode,
            items: items.map { FormView.Option(value: $0.code, label: $0.name, selected: form["item"] == $0.code) },
            reasons: HomeVisitRules.Reason.allCases.map {
                FormView.Option(
                    value: $0.rawValue, label: req.t("homeVisit.reason.\($0.rawValue)"), selected: form["reason"] == $0.rawValue)
            }, tracking: tracking, today: HallClock.day(req.now).description, errors: errors, form: form)
        return try await req.page("public/home-visit", title: req.t("homeVisit.title"), view, status: status)
    }
}

/// `/center/admissions` (issue 23): departments moving in (进驻) — asked for, decided, adjusted —
/// and what their items became since: 压缩时限 and 精简材料 per department and for the center.
enum AdmissionPages {
    struct Row: Encodable {
        var id: String
        var department: String
        var state: String
        var stateKey: String
        var items: String
        var entrusted: String
        var equipment: String
        var authorisations: String
        var decision: String
        var events: [String]
        var canDecide: Bool
        var canAdjust: Bool
    }

    struct View: Encodable {
        var centerName: String
        var isAdmin: Bool
        var canAsk: Bool
        var departments: [FormView.Option]
        var ownItems: String
        var rows: [Row]
        var figures: [AdmissionService.UnitFigures]
        var total: AdmissionService.UnitFigures
        var kinds: [FormView.Option]
        var errors: [String]
        var form: [String: String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "center", "admissions", access: AdmissionService.readers) { req in try await page(req, errors: [], form: [:]) }
        func post(_ path: PathComponent..., access: Access, act: @escaping @Sendable (Request) async throws -> (String, String, String)) {
            CenterForms.post(
                app, ["center", "admissions"] + path, access: access, base: "/center/admissions",
                page: { try await page($0, errors: $1, form: $2, status: $3) }, act: act)
        }
        post("ask", access: AdmissionService.askers) { req in
            let f = try req.content.decode([String: String].self)
            let a = try await AdmissionService.request(
                try await DutyPages.center(req),
                .init(
                    departmentID: f["department"].flatMap { UUID(uuidString: $0) }, items: HallRules.lines(f["items"] ?? ""), staff: nil,
                    equipment: HallRules.lines(f["equipment"] ?? ""),
                    authorisations: .init(
                        approveOnSpot: f["approveOnSpot"] != nil, reviewReported: f["reviewReported"] != nil,
                        supervisePromised: f["supervisePromised"] != nil, coordinateJoint: f["coordinateJoint"] != nil),
                    entrusted: HallRules.lines(f["entrusted"] ?? ""), note: f["note"]), req: req)
            return (req.t("admission.asked", ["name": a.department]), "admissions", "")
        }
        post(":id", "decide", access: .admins) { req in
            let f = try req.content.decode([String: String].self)
            let a = try await AdmissionService.decide(
                try req.uuid("id"), .init(approve: f["approve"].map { $0 == "true" }, note: f["note"]), req: req)
            return (req.t("admission.decidedNow", ["name": a.department, "state": req.t("admission.state.\(a.state)")]), "admissions", "")
        }
        post(":id", "adjust", access: .admins) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await AdmissionService.adjust(
                try req.uuid("id"), .init(kind: f["kind"], itemCode: f["itemCode"], note: f["note"]), req: req)
            return (req.t("admission.adjusted"), "admissions", "")
        }
    }

    static func page(_ req: Request, errors: [String], form: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let center = try await DutyPages.center(req)
        guard let c = try await CenterModel.find(center, on: req.db) else { throw Abort(.notFound) }
        let admissions = try await AdmissionService.list(center, req: req)
        let figures = try await AdmissionService.streamlining(center, req: req)
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        var ownItems = ""
        if p.role == .chiefRepresentative, let d = p.departmentID {
            ownItems = try await ServiceItemModel.query(on: req.db).filter(\.$departmentID == d).sort(\.$code).all()
                .map { "\($0.code) \($0.name)" }.joined(separator: "；")
        }
        func yes(_ b: Bool, _ key: String) -> String? { b ? req.t(key) : nil }
        let view = View(
            centerName: c.name, isAdmin: p.role == .centerAdmin, canAsk: [.centerAdmin, .chiefRepresentative].contains(p.role),
            departments: p.role == .centerAdmin
                ? departments.map {
                    FormView.Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.name,
                        selected: form["department"] == $0.id!.uuidString.lowercased())
                } : [],
            ownItems: ownItems,
            rows: admissions.map { a in
                let auth = a.authorisations
                return Row(
                    id: a.id.uuidString.lowercased(), department: a.department, state: req.t("admission.state.\(a.state)"),
                    stateKey: a.state,
                    items: a.items.joined(separator: "、"), entrusted: a.entrusted.joined(separator: "、"),
                    equipment: a.equipment.joined(separator: "、"),
                    authorisations: [
                        yes(auth.approveOnSpot, "admission.auth.approveOnSpot"), yes(auth.reviewReported, "admission.auth.reviewReported"),
                        yes(auth.supervisePromised, "admission.auth.supervisePromised"),
                        yes(auth.coordinateJoint, "admission.auth.coordinateJoint"),
                    ].compactMap { $0 }.joined(separator: "、"),
                    decision: [a.decidedBy, a.decidedOn, a.decisionNote].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "),
                    events: a.events.map {
                        "\($0.day) " + req.t("admission.kind.\($0.kind)") + " \($0.itemCode)" + ($0.note.isEmpty ? "" : "（\($0.note)）")
                    },
                    canDecide: p.role == .centerAdmin && a.state == "requested", canAdjust: p.role == .centerAdmin && a.state == "approved")
            }, figures: figures.departments.filter { $0.items > 0 }, total: figures.total,
            kinds: AdmissionRules.Adjustment.allCases.map {
                FormView.Option(value: $0.rawValue, label: req.t("admission.kind.\($0.rawValue)"), selected: false)
            },
            errors: errors, form: form)
        return try await req.page("center/admissions", title: req.t("admission.title"), view, status: status)
    }
}
