import Fluent
import Foundation
import OneStopCore
import Vapor

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

    struct BookingRow: Encodable {
        var id: String
        var line: String
        var staff: String
        var staffID: String
        var canAssign: Bool
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
        /// The weekly-summary form is open again after a refused summary.
        var openSummary: Bool
        var summaries: [HallRulesService.Summary]
        var departments: [FormView.Option]
        var ledger: HallRulesService.Ledger
        /// Complaints of the last 90 days by the banned phrase they cite.
        var cited: [HallRulesService.PhraseCount]
        var visits: [VisitRow]
        var visitStaff: [FormView.Option]
        var visitItems: String
        var canHandleVisits: Bool
        /// 延时服务: whether any group offers extended hours, and the bookings from today on.
        var extendedOffered: Bool
        var bookings: [BookingRow]
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
        post("bookings", ":id", "assign", access: ExtendedHoursService.handlers) { req in
            let f = try req.content.decode([String: String].self)
            _ = try await ExtendedHoursService.assign(
                try req.uuid("id"), .init(staffID: f["staffID"].flatMap { UUID(uuidString: $0) }), req: req)
            return (req.t("extended.assigned"), "extended", "")
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
            FormView.Option(
                value: $0.id!.uuidString.lowercased(), label: $0.name + req.t("punct.open") + $0.jobNumber + req.t("punct.close"),
                selected: false)
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
            }, openSummary: form["summary"] != nil, summaries: Array(summaries.summaries.prefix(20)),
            departments: p.role == .chiefRepresentative
                ? []
                : departments.map {
                    FormView.Option(
                        value: $0.id!.uuidString.lowercased(), label: $0.name,
                        selected: form["department"] == $0.id!.uuidString.lowercased())
                },
            ledger: try await HallRulesService.ledger(center, req: req),
            cited: try await HallRulesService.phraseComplaints(center, req: req),
            visits: [VisitRow](), visitStaff: staff,
            visitItems: try await HomeVisitService.offered(center, on: req.db).joined(separator: "\n"),
            canHandleVisits: [.centerAdmin, .chiefRepresentative].contains(p.role),
            extendedOffered: try await req.application.halls.config(for: center, on: req.db).groups.contains {
                $0.active && $0.plan.capacity > 0 && $0.plan.offersExtendedHours
            },
            bookings: try await bookingRows(center, canAssign: [.centerAdmin, .chiefRepresentative].contains(p.role), req: req),
            today: HallClock.day(req.now).description,
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

    static func bookingRows(_ center: UUID, canAssign: Bool, req: Request) async throws -> [BookingRow] {
        guard [.centerAdmin, .chiefRepresentative, .supervisor].contains(try req.requirePrincipal().role) else { return [] }
        return try await ExtendedHoursService.list(center, req: req).map { b in
            BookingRow(
                id: b.id.uuidString.lowercased(),
                line: "\(b.date) \(b.slot) · \(b.groupName) · \(b.name) \(b.phoneMasked) · " + req.t("appointment.state.\(b.state)"),
                staff: b.staffName ?? req.t("extended.unassigned"), staffID: b.staffID?.uuidString.lowercased() ?? "",
                canAssign: canAssign && b.state == "booked")
        }
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
