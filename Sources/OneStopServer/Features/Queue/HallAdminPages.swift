import Fluent
import Foundation
import OneStopCore
import Vapor

/// The administrators' pages for a hall's set-up: the calling rule and display texts, and the
/// service groups with their windows and appointment slots.
enum HallAdminPages {
    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "admin", "hall", access: .admins) { req in
            let scope = try await req.scope()
            let center = try await req.hallCenter(scope)
            let hall = try await req.application.halls.config(for: center, on: req.db)
            return try await settingsForm(req, values: values(HallSetup.settings(hall), center: center), failure: nil)
        }
        r.endpoint(.POST, "admin", "hall", access: .admins) { req -> Response in
            let f = try FormValues(req)
            do {
                guard let center = f["center"].flatMap(UUID.init(uuidString:)) else { throw Abort(.badRequest) }
                var errors: [FieldError] = []
                func int(_ name: String) -> Int? { f.int(name, errors: &errors) }
                let input = QueueSettingsDTO(
                    interleave: int("interleave"), ageingSeconds: int("ageingSeconds"), maxSkips: int("maxSkips"),
                    checkInEarlyMinutes: int("checkInEarlyMinutes"), checkInLateMinutes: int("checkInLateMinutes"),
                    voiceTemplate: f["voiceTemplate"] ?? "", notice: f["notice"] ?? "", ratingTimeout: int("ratingTimeout"),
                    waitTargetMinutes: int("waitTargetMinutes"), greenNonLocal: f.flag("greenNonLocal"))
                if !errors.isEmpty { throw ValidationFailure(errors) }
                _ = try await HallSetup.saveSettings(center: center, input, req: req)
                req.flash(req.t("flash.saved"))
                return req.redirect(to: "/admin/hall?center=\(center)")
            } catch let v as ValidationFailure {
                return try await settingsForm(req, values: f, failure: v)
            }
        }
        groups.register(r)
    }

    static func values(_ s: QueueSettingsDTO, center: UUID) -> FormValues {
        FormValues([
            "center": center.uuidString, "interleave": s.interleave.map(String.init) ?? "",
            "ageingSeconds": s.ageingSeconds.map(String.init) ?? "", "maxSkips": s.maxSkips.map(String.init) ?? "",
            "checkInEarlyMinutes": s.checkInEarlyMinutes.map(String.init) ?? "",
            "checkInLateMinutes": s.checkInLateMinutes.map(String.init) ?? "", "voiceTemplate": s.voiceTemplate ?? "",
            "notice": s.notice ?? "", "ratingTimeout": s.ratingTimeout.map(String.init) ?? "",
            "waitTargetMinutes": s.waitTargetMinutes.map(String.init) ?? "",
            "greenNonLocal": s.greenNonLocal == true ? "on" : "",
        ])
    }

    static func settingsForm(_ req: Request, values: FormValues, failure: ValidationFailure?) async throws -> Response {
        let scope = try await req.scope()
        let center = values["center"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
        try scope.require(center)
        var view = FormView(
            heading: req.t("queue.setup.title") + " · " + (scope.tree.nodes[center]?.name ?? ""), action: "/admin/hall",
            submitLabel: req.t("action.save"), cancelHref: "/admin/hall-groups?center=\(center)",
            fields: [
                .init(name: "center", label: "", type: "hidden", value: center.uuidString),
                .text(req, "interleave", values, required: true, type: "number", hint: req.t("queue.setup.interleaveHint")),
                .text(req, "ageingSeconds", values, required: true, type: "number", hint: req.t("queue.setup.ageingHint")),
                .text(req, "maxSkips", values, required: true, type: "number"),
                .text(req, "checkInEarlyMinutes", values, required: true, type: "number"),
                .text(req, "checkInLateMinutes", values, required: true, type: "number"),
                .text(req, "voiceTemplate", values, required: true, max: 100, hint: req.t("queue.setup.voiceHint")),
                .text(req, "notice", values, max: 500, type: "textarea"),
                .text(req, "ratingTimeout", values, required: true, type: "number"),
                .text(req, "waitTargetMinutes", values, required: true, type: "number", hint: req.t("queue.setup.waitTargetHint")),
                .checkbox(req, "greenNonLocal", values),
            ])
        if let failure { view.attach(failure, req: req) }
        return try await req.page(
            "admin/form", title: req.t("queue.setup.title"), view, status: failure == nil ? .ok : .unprocessableEntity)
    }

    static let groups = AdminPageKit(
        path: "hall-groups", titleKey: "queue.setup.groups",
        list: { req in
            let scope = try await req.scope()
            let center = try await req.hallCenter(scope)
            let hall = try await req.application.halls.config(for: center, on: req.db)
            let depts = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).all()
            let names = Dictionary(depts.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
            var view = ListView(
                heading: req.t("queue.setup.groups"), newHref: "/admin/hall-groups/new?center=\(center)",
                newLabel: req.t("queue.setup.newGroup"), filterAction: "/admin/hall-groups",
                filters: OrgPages.centerFilter(req, scope, center),
                columns: ["field.prefix", "field.name", "field.departmentID", "field.windows", "field.slotCapacity", "field.active"].map {
                    req.t($0)
                },
                rows: hall.groups.map { g in
                    [
                        .init(text: g.prefix, href: "/admin/hall-groups/\(g.id)"), .init(text: g.name),
                        .init(text: g.departmentID.flatMap { names[$0] } ?? "—"),
                        .init(text: hall.windows(serving: g.id).map { String($0.number) }.joined(separator: ", ")),
                        .init(
                            text: g.plan.capacity == 0
                                ? "—"
                                : "\(g.plan.capacity) / \(g.plan.slotMinutes)′"
                                    + (g.plan.offersExtendedHours ? " · " + req.t("queue.extendedTag") : "")),
                        g.active
                            ? .init(text: req.t("status.active"), tag: "active")
                            : .init(text: req.t("queue.setup.inactive"), tag: "disabled"),
                    ]
                }, empty: req.t("queue.setup.noGroups"))
            view.extraLinks = [
                .init(href: "/admin/hall?center=\(center)", label: req.t("queue.setup.settingsLink")),
                .init(href: "/manage/hall?center=\(center)", label: req.t("nav.hallView")),
            ]
            return view
        },
        form: { req, id, values in
            let scope = try await req.scope()
            let center = values["center"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
            try scope.require(center)
            return FormView(
                heading: id == nil ? req.t("queue.setup.newGroup") : req.t("queue.setup.editGroup", ["prefix": values["prefix"] ?? ""]),
                action: id.map { "/admin/hall-groups/\($0)" } ?? "/admin/hall-groups/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/hall-groups?center=\(center)",
                fields: [
                    .init(name: "center", label: "", type: "hidden", value: center.uuidString),
                    .text(req, "prefix", values, required: true, max: 2),
                    .text(req, "name", values, required: true, max: 30),
                    .select(
                        req, "departmentID", try await OrgPages.departmentOptions(req, center: center, selected: values["departmentID"])),
                    .text(req, "windows", values, hint: req.t("queue.setup.windowsHint")),
                    .text(req, "sort", values, type: "number"),
                    .checkbox(req, "active", values),
                    .text(req, "periods", values, required: true, hint: req.t("queue.setup.periodsHint")),
                    .text(req, "slotMinutes", values, required: true, type: "number"),
                    .text(req, "slotCapacity", values, required: true, type: "number", hint: req.t("queue.setup.capacityHint")),
                    .text(req, "daysAhead", values, required: true, type: "number"),
                    .text(req, "extendedPeriods", values, hint: req.t("queue.setup.extendedHint")),
                    .text(req, "weekendPeriods", values, hint: req.t("queue.setup.weekendHint")),
                ])
        },
        load: { req, id in
            guard let g = try await ServiceGroupModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(g.centerID)
            let hall = try await req.application.halls.config(for: g.centerID, on: req.db)
            var v = [
                "center": g.centerID.uuidString, "prefix": g.prefix, "name": g.name, "departmentID": g.departmentID?.uuidString ?? "",
                "windows": hall.windows(serving: id).map { String($0.number) }.joined(separator: ","), "sort": String(g.sort),
                "periods": g.periods, "slotMinutes": String(g.slotMinutes), "slotCapacity": String(g.slotCapacity),
                "daysAhead": String(g.daysAhead), "extendedPeriods": g.extendedPeriods, "weekendPeriods": g.weekendPeriods,
            ]
            if g.active { v["active"] = "on" }
            return FormValues(v)
        },
        save: { req, id, f in
            guard let center = f["center"].flatMap(UUID.init(uuidString:)) else { throw Abort(.badRequest) }
            var errors: [FieldError] = []
            func int(_ name: String) -> Int? { f.int(name, errors: &errors) }
            let parts = (f["windows"] ?? "").split(whereSeparator: { ", ，、;".contains($0) })
            let windows = parts.compactMap { Int($0) }
            if windows.count != parts.count { errors.append(FieldError("windows", "queue.windowList")) }
            var dept: UUID?
            if let raw = f["departmentID"] {
                dept = UUID(uuidString: raw)
                if dept == nil { errors.append(FieldError("departmentID", "invalidReference")) }
            }
            let input = ServiceGroupDTO(
                prefix: f["prefix"] ?? "", name: f["name"] ?? "", departmentID: dept, sort: int("sort"), active: f.flag("active"),
                periods: f["periods"] ?? "", slotMinutes: int("slotMinutes"), slotCapacity: int("slotCapacity"),
                daysAhead: int("daysAhead"), extendedPeriods: f["extendedPeriods"] ?? "", weekendPeriods: f["weekendPeriods"] ?? "",
                windows: windows)
            if !errors.isEmpty { throw ValidationFailure(errors) }
            _ = try await HallSetup.saveGroup(center: center, id: id, input, departmentGiven: true, req: req)
            return "/admin/hall-groups?center=\(center)"
        })
}
