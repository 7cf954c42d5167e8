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
                    value: $0.id!.uuidString.lowercased(), label: $0.name + req.t("punct.open") + $0.jobNumber + req.t("punct.close"),
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
