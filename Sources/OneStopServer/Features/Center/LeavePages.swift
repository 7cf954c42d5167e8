import Fluent
import Foundation
import OneStopCore
import Vapor

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
            people: staff.map {
                choice("staff", $0.id!.uuidString.lowercased(), $0.name + req.t("punct.open") + $0.jobNumber + req.t("punct.close"))
            },
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
            absent: absences?.absent.map { $0.name + ($0.department.map { req.t("punct.open") + $0 + req.t("punct.close") } ?? "") } ?? [],
            working: absences?.working ?? true, today: today.description, errors: errors, form: form)
        return try await req.page("center/leave", title: req.t("leave.title"), view, status: status)
    }
}
