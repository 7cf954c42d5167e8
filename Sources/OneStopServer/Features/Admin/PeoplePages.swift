import Fluent
import Foundation
import OneStopCore
import Vapor

/// Administration pages for staff, accounts and devices.
enum PeoplePages {
    static func register(_ r: any RoutesBuilder) {
        staff.register(r)
        users.register(r)
        registerDevices(r)
        r.endpoint(.POST, "admin", "staff", ":id", "photo", access: .admins, body: .collect(maxSize: "3mb")) { req -> Response in
            struct Upload: Content { var photo: File? }
            let id = try req.uuid("id")
            let file = try? req.content.decode(Upload.self).photo
            do {
                try await StaffPhotoService.store(staff: id, bytes: file.map { Array($0.data.readableBytesView) } ?? [], req: req)
                req.flash(req.t("flash.photoSaved"))
            } catch let v as ValidationFailure {
                req.flash(v.errors.map { req.application.catalog.fieldMessage($0, req.language) }.joined(separator: "；"))
            }
            return req.redirect(to: "/admin/staff/\(id)")
        }
        r.endpoint(.POST, "admin", "users", ":id", "unlock", access: .admins) { req -> Response in
            let id = try req.uuid("id")
            _ = try await UserService.change(id, .unlock, req: req)
            req.flash(req.t("flash.unlocked"))
            return req.redirect(to: "/admin/users/\(id)")
        }
        r.endpoint(.POST, "admin", "users", ":id", "disable", access: .admins) { req -> Response in
            let id = try req.uuid("id")
            do {
                let u = try await UserService.change(id, isDisabled(req) ? .enable : .disable, req: req)
                req.flash(req.t(u.disabled ? "flash.disabled" : "flash.enabled"))
            } catch let v as ValidationFailure {
                req.flash(v.errors.map { req.application.catalog.fieldMessage($0, req.language) }.joined(separator: "；"))
            }
            return req.redirect(to: "/admin/users/\(id)")
        }
    }

    private static func isDisabled(_ req: Request) async throws -> Bool {
        try await UserModel.find(req.uuid("id"), on: req.db)?.disabled ?? false
    }

    static let staff = AdminPageKit(
        path: "staff", titleKey: "nav.staff",
        list: { req in
            let scope = try await req.scope()
            let center = try await req.listCenter(scope, StaffModel.self, \.$centerID)
            let rows = try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$jobNumber).all()
            let depts = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).all()
            let names = Dictionary(uniqueKeysWithValues: depts.map { ($0.id!, $0.name) })
            return ListView(
                heading: req.t("nav.staff"), newHref: "/admin/staff/new?centerID=\(center)", newLabel: req.t("action.newStaff"),
                filterAction: "/admin/staff", filters: OrgPages.centerFilter(req, scope, center),
                columns: ["field.name", "field.jobNumber", "field.post", "field.departmentID", "field.phone", "field.profile"].map {
                    req.t($0)
                },
                rows: rows.map { s in
                    [
                        .init(text: s.name, href: "/admin/staff/\(s.id!)"), .init(text: s.jobNumber), .init(text: s.post),
                        .init(text: s.departmentID.flatMap { names[$0] } ?? "—"), .init(text: s.phone.map(PhoneNumber.masked) ?? "—"),
                        .init(text: req.t("action.viewProfile"), href: "/staff/\(s.id!)"),
                    ]
                }, empty: req.t("list.empty"))
        },
        form: { req, id, values in
            let scope = try await req.scope()
            let center = values["centerID"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
            var phone = FormView.Field.text(req, "phone", values, type: "tel")
            var idNumber = FormView.Field.text(req, "idNumber", values, max: 18)
            if let id, let s = try await StaffModel.find(id, on: req.db) {
                // Never put the stored numbers in the page: show them masked, blank keeps them.
                if let p = s.phone { phone.hint = req.t("hint.keepMasked", ["value": PhoneNumber.masked(p)]) }
                if let n = s.idNumber { idNumber.hint = req.t("hint.keepMasked", ["value": ResidentID.masked(n)]) }
            }
            var view = FormView(
                heading: req.t(id == nil ? "action.newStaff" : "action.editStaff"),
                action: id.map { "/admin/staff/\($0)" } ?? "/admin/staff/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/staff?center=\(center)",
                fields: [
                    .select(req, "centerID", req.centerOptions(scope, selected: center.uuidString), required: true),
                    .select(
                        req, "departmentID", try await OrgPages.departmentOptions(req, center: center, selected: values["departmentID"])),
                    .text(req, "name", values, required: true, max: 40),
                    .text(req, "jobNumber", values, required: true, max: 20),
                    .text(req, "post", values, required: true, max: 60),
                    .checkbox(req, "partyMember", values),
                    .text(req, "duties", values, max: 1000, type: "textarea"),
                    .text(req, "commitment", values, max: 1000, type: "textarea", hint: req.t("hint.commitment")),
                    phone, idNumber,
                ])
            if let id {
                view.upload = .init(
                    action: "/admin/staff/\(id)/photo", heading: req.t("field.photo"), label: req.t("field.photoFile"),
                    hint: req.t("hint.photo"), accept: "image/jpeg,image/png", button: req.t("action.uploadPhoto"),
                    current: try await StaffPhotoService.exists(id, on: req.db) ? "/staff/\(id)/photo" : nil)
            }
            return view
        },
        load: { req, id in
            guard let s = try await StaffModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(s.centerID)
            var v = [
                "centerID": s.centerID.uuidString, "departmentID": s.departmentID?.uuidString ?? "", "name": s.name,
                "jobNumber": s.jobNumber, "post": s.post, "duties": s.duties, "commitment": s.commitment,
            ]
            if s.partyMember { v["partyMember"] = "on" }
            return FormValues(v)
        },
        save: { req, id, f in
            let input = StaffInput(
                centerID: f["centerID"], departmentID: f["departmentID"], name: f["name"], jobNumber: f["jobNumber"],
                post: f["post"], partyMember: f.flag("partyMember"), duties: f["duties"], commitment: f["commitment"],
                phone: f["phone"], idNumber: f["idNumber"])
            let s = try await StaffService.save(input, existing: id, req: req)
            return "/admin/staff?center=\(s.centerID)"
        })

    static let users = AdminPageKit(
        path: "users", titleKey: "nav.users",
        list: { req in
            let scope = try await req.scope()
            let center = try req.chosenCenter(scope)
            let rows = try await UserModel.query(on: req.db).filter(\.$centerID == center).sort(\.$username).all()
            let now = req.now.timeIntervalSince1970
            return ListView(
                heading: req.t("nav.users"), newHref: "/admin/users/new?centerID=\(center)", newLabel: req.t("action.newUser"),
                filterAction: "/admin/users", filters: OrgPages.centerFilter(req, scope, center),
                columns: ["field.username", "field.displayName", "field.role", "field.status"].map { req.t($0) },
                rows: rows.map { u in
                    let status = u.disabled ? "disabled" : (u.lockedUntil ?? 0) > now ? "locked" : "active"
                    return [
                        .init(text: u.username, href: "/admin/users/\(u.id!)"), .init(text: u.displayName),
                        .init(text: req.t("role.\(u.role)")), .init(text: req.t("status.\(status)"), tag: status),
                    ]
                }, empty: req.t("list.empty"))
        },
        form: { req, id, values in
            let scope = try await req.scope()
            let center = values["centerID"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
            var staff = [FormView.Option(value: "", label: req.t("option.none"), selected: values["staffID"] == nil)]
            for s in try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$jobNumber).all() {
                staff.append(
                    .init(
                        value: s.id!.uuidString, label: "\(s.name)（\(s.jobNumber)）",
                        selected: values["staffID"]?.lowercased() == s.id!.uuidString.lowercased()))
            }
            // Built from no values: a password is never echoed back into the page.
            let password = FormView.Field.text(
                req, "password", FormValues([:]), required: id == nil, type: "password",
                hint: req.t(id == nil ? "hint.password" : "hint.passwordKeep"))
            var phone = FormView.Field.text(req, "phone", values, type: "tel")
            if let id, let p = try await UserModel.find(id, on: req.db)?.phone {
                phone.hint = req.t("hint.keepMasked", ["value": PhoneNumber.masked(p)])
            }
            var view = FormView(
                heading: req.t(id == nil ? "action.newUser" : "action.editUser"),
                action: id.map { "/admin/users/\($0)" } ?? "/admin/users/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/users?center=\(center)",
                fields: [
                    .text(req, "username", values, required: true, max: 40),
                    .text(req, "displayName", values, required: true, max: 40),
                    password,
                    .select(
                        req, "role", req.enumOptions(Role.people.map(\.rawValue), prefix: "role", selected: values["role"]), required: true),
                    .select(req, "centerID", req.centerOptions(scope, selected: center.uuidString), required: true),
                    .select(
                        req, "departmentID", try await OrgPages.departmentOptions(req, center: center, selected: values["departmentID"])),
                    .select(req, "staffID", staff),
                    phone,
                ])
            if let id, let u = try await UserModel.find(id, on: req.db) {
                view.extraActions.append(.init(action: "/admin/users/\(id)/unlock", label: req.t("action.unlock")))
                view.extraActions.append(
                    .init(action: "/admin/users/\(id)/disable", label: req.t(u.disabled ? "action.enable" : "action.disable")))
                if TwoFactorService.enrolled(u), id != req.principal?.id {
                    view.extraActions.append(.init(action: "/admin/users/\(id)/two-factor-reset", label: req.t("action.twoFactorReset")))
                }
            }
            return view
        },
        load: { req, id in
            guard let u = try await UserModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(u.centerID)
            return FormValues([
                "username": u.username, "displayName": u.displayName, "role": u.role, "centerID": u.centerID.uuidString,
                "departmentID": u.departmentID?.uuidString ?? "", "staffID": u.staffID?.uuidString ?? "",
            ])
        },
        save: { req, id, f in
            let input = UserInput(
                username: f["username"], displayName: f["displayName"], password: f.values["password"], role: f["role"],
                centerID: f["centerID"], departmentID: f["departmentID"], staffID: f["staffID"], phone: f["phone"])
            let u = try await UserService.save(input, existing: id, req: req)
            return "/admin/users?center=\(u.centerID)"
        })

    struct DeviceTokenView: Encodable {
        var label: String
        var token: String
    }

    static func registerDevices(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "admin", "devices", access: .admins) { req in
            let scope = try await req.scope()
            let center = try await req.listCenter(scope, DeviceModel.self, \.$centerID)
            let rows = try await DeviceModel.query(on: req.db).filter(\.$centerID == center).sort(\.$label).all()
            let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).all()
            let numbers = Dictionary(uniqueKeysWithValues: windows.map { ($0.id!, $0.number) })
            let view = ListView(
                heading: req.t("nav.devices"), newHref: "/admin/devices/new?centerID=\(center)", newLabel: req.t("action.newDevice"),
                filterAction: "/admin/devices", filters: OrgPages.centerFilter(req, scope, center),
                columns: ["field.label", "field.role", "field.windowID", "field.status"].map { req.t($0) },
                rows: rows.map { d in
                    [
                        .init(text: d.label, href: d.revokedAt == nil ? "/admin/devices/\(d.id!)" : nil),
                        .init(text: req.t("role.\(d.role)")),
                        .init(text: d.windowID.flatMap { numbers[$0] }.map { req.t("window.numbered", ["n": String($0)]) } ?? "—"),
                        .init(
                            text: req.t(d.revokedAt == nil ? "status.active" : "status.revoked"),
                            tag: d.revokedAt == nil ? "active" : "disabled"),
                    ]
                }, empty: req.t("list.empty"))
            return try await req.page("admin/list", title: req.t("nav.devices"), view)
        }
        r.endpoint(.GET, "admin", "devices", "new", access: .admins) { req in
            try await deviceForm(req, values: FormValues(req.query.decode([String: String].self)), failure: nil)
        }
        r.endpoint(.POST, "admin", "devices", "new", access: .admins) { req -> Response in
            let f = try FormValues(req)
            do {
                let (row, token) = try await DeviceService.create(
                    DeviceInput(label: f["label"], role: f["role"], centerID: f["centerID"], windowID: f["windowID"]), req: req)
                return try await req.page(
                    "admin/device-token", title: req.t("device.tokenTitle"), DeviceTokenView(label: row.label, token: token))
            } catch let v as ValidationFailure {
                return try await deviceForm(req, values: f, failure: v)
            }
        }
        r.endpoint(.GET, "admin", "devices", ":id", access: .admins) { req -> Response in
            guard let d = try await DeviceModel.find(req.uuid("id"), on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(d.centerID)
            let view = FormView(
                heading: d.label, action: "/admin/devices/\(d.id!)/revoke", submitLabel: req.t("action.revoke"),
                cancelHref: "/admin/devices?center=\(d.centerID)",
                fields: [.init(name: "role", label: req.t("field.role"), type: "static", value: req.t("role.\(d.role)"))])
            return try await req.page("admin/form", title: d.label, view)
        }
        r.endpoint(.POST, "admin", "devices", ":id", "revoke", access: .admins) { req -> Response in
            let d = try await DeviceService.revoke(req.uuid("id"), req: req)
            req.flash(req.t("flash.revoked"))
            return req.redirect(to: "/admin/devices?center=\(d.centerID)")
        }
    }

    static func deviceForm(_ req: Request, values: FormValues, failure: ValidationFailure?) async throws -> Response {
        let scope = try await req.scope()
        let center = values["centerID"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
        var windows = [FormView.Option(value: "", label: req.t("option.none"), selected: values["windowID"] == nil)]
        for w in try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all() {
            windows.append(
                .init(
                    value: w.id!.uuidString, label: req.t("window.numbered", ["n": String(w.number)]) + " " + w.name,
                    selected: values["windowID"]?.lowercased() == w.id!.uuidString.lowercased()))
        }
        var view = FormView(
            heading: req.t("action.newDevice"), action: "/admin/devices/new", submitLabel: req.t("action.save"),
            cancelHref: "/admin/devices?center=\(center)",
            fields: [
                .text(req, "label", values, required: true, max: 60),
                .select(
                    req, "role", req.enumOptions(Role.devices.map(\.rawValue).sorted(), prefix: "role", selected: values["role"]),
                    required: true),
                .select(req, "centerID", req.centerOptions(scope, selected: center.uuidString), required: true),
                .init(name: "windowID", label: req.t("field.windowID"), type: "select", options: windows, hint: req.t("hint.deviceWindow")),
            ])
        if let failure { view.attach(failure, req: req) }
        return try await req.page("admin/form", title: view.heading, view, status: failure == nil ? .ok : .unprocessableEntity)
    }
}
