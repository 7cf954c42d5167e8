import Fluent
import Foundation
import OneStopCore
import Vapor

/// Administration pages for centers, departments and windows.
enum OrgPages {
    static func register(_ r: any RoutesBuilder) {
        centers.register(r)
        departments.register(r)
        windows.register(r)
    }

    static let centers = AdminPageKit(
        path: "centers", titleKey: "nav.centers",
        list: { req in
            let scope = try await req.scope()
            let rows = try await CenterModel.query(on: req.db).filter(\.$id ~~ Array(scope.centers)).all()
            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id!, $0) })
            return ListView(
                heading: req.t("nav.centers"), newHref: "/admin/centers/new", newLabel: req.t("action.newCenter"),
                columns: ["field.name", "field.code", "field.level", "field.phone"].map { req.t($0) },
                rows: scope.tree.ordered(within: scope.centers).compactMap { node, depth in
                    guard let m = byID[node.id] else { return nil }
                    return [
                        .init(text: String(repeating: "　", count: depth) + m.name, href: "/admin/centers/\(node.id)"),
                        .init(text: m.code), .init(text: req.t("level.\(m.level)")), .init(text: m.phone ?? ""),
                    ]
                }, empty: req.t("list.empty"))
        },
        form: { req, id, values in
            let scope = try await req.scope()
            return FormView(
                heading: req.t(id == nil ? "action.newCenter" : "action.editCenter"),
                action: id.map { "/admin/centers/\($0)" } ?? "/admin/centers/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/centers",
                fields: [
                    .text(req, "name", values, required: true, max: 80),
                    .text(req, "code", values, required: true, max: 32, hint: req.t("hint.code")),
                    .select(
                        req, "level", req.enumOptions(CenterLevel.allCases.map(\.rawValue), prefix: "level", selected: values["level"]),
                        required: true),
                    .select(req, "parentID", req.centerOptions(scope, selected: values["parentID"], includeNone: req.t("option.none"))),
                    .text(req, "address", values, max: 200),
                    .text(req, "phone", values, type: "tel"),
                    .text(req, "officeHours", values, max: 200, hint: req.t("hint.officeHours")),
                    .text(req, "commitment", values, max: 1000, type: "textarea", hint: req.t("hint.commitment")),
                    .select(
                        req, "dutySeparation",
                        req.enumOptions(
                            DutySeparation.allCases.map(\.rawValue), prefix: "dutySeparation",
                            selected: values["dutySeparation"].flatMap { $0.isEmpty ? nil : $0 } ?? DutySeparation.promised.rawValue),
                        hint: req.t("hint.dutySeparation")),
                ])
        },
        load: { req, id in
            guard let m = try await CenterModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(id)
            return FormValues([
                "name": m.name, "code": m.code, "level": m.level, "parentID": m.parentID?.uuidString ?? "",
                "address": m.address, "phone": m.phone ?? "", "officeHours": m.officeHours, "commitment": m.commitment,
                "dutySeparation": m.dutySeparation,
            ])
        },
        save: { req, id, f in
            let input = CenterInput(
                name: f["name"], code: f["code"], level: f["level"], parentID: f["parentID"], address: f["address"],
                phone: f["phone"], officeHours: f["officeHours"], commitment: f["commitment"], dutySeparation: f["dutySeparation"])
            _ = try await (id == nil ? CenterService.create(input, req: req) : CenterService.update(id!, input, req: req))
            return "/admin/centers"
        })

    static func departmentOptions(_ req: Request, center: UUID?, selected: String?) async throws -> [FormView.Option] {
        var out = [FormView.Option(value: "", label: req.t("option.none"), selected: (selected ?? "").isEmpty)]
        guard let center else { return out }
        for d in try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$code).all() {
            out.append(.init(value: d.id!.uuidString, label: d.name, selected: selected?.lowercased() == d.id!.uuidString.lowercased()))
        }
        return out
    }

    static func centerFilter(_ req: Request, _ scope: Scope, _ chosen: UUID) -> [ListView.Filter] {
        [.init(name: "center", label: req.t("field.centerID"), options: req.centerOptions(scope, selected: chosen.uuidString))]
    }

    static let departments = AdminPageKit(
        path: "departments", titleKey: "nav.departments",
        list: { req in
            let scope = try await req.scope()
            let center = try await req.listCenter(scope, DepartmentModel.self, \.$centerID)
            let rows = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$code).all()
            let staff = try await StaffModel.query(on: req.db).filter(\.$centerID == center).all()
            let names = Dictionary(uniqueKeysWithValues: staff.map { ($0.id!, $0.name) })
            return ListView(
                heading: req.t("nav.departments"), newHref: "/admin/departments/new?centerID=\(center)",
                newLabel: req.t("action.newDepartment"),
                filterAction: "/admin/departments", filters: centerFilter(req, scope, center),
                columns: ["field.name", "field.code", "field.chiefStaffID", "field.authorisations"].map { req.t($0) },
                rows: rows.map { d in
                    let auth = [
                        ("canApproveOnSpot", d.canApproveOnSpot), ("canReviewReported", d.canReviewReported),
                        ("canSupervisePromised", d.canSupervisePromised), ("canCoordinateJoint", d.canCoordinateJoint),
                    ]
                    .filter(\.1).map { req.t("short.\($0.0)") }.joined(separator: "、")
                    return [
                        .init(text: d.name, href: "/admin/departments/\(d.id!)"), .init(text: d.code),
                        .init(text: d.chiefStaffID.flatMap { names[$0] } ?? "—"), .init(text: auth.isEmpty ? "—" : auth),
                    ]
                }, empty: req.t("list.empty"))
        },
        form: { req, id, values in
            let scope = try await req.scope()
            let center = values["centerID"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
            var chief = [FormView.Option(value: "", label: req.t("option.none"), selected: values["chiefStaffID"] == nil)]
            for s in try await StaffModel.query(on: req.db).filter(\.$centerID == center).sort(\.$jobNumber).all() {
                chief.append(
                    .init(
                        value: s.id!.uuidString, label: "\(s.name)（\(s.jobNumber)）",
                        selected: values["chiefStaffID"]?.lowercased() == s.id!.uuidString.lowercased()))
            }
            return FormView(
                heading: req.t(id == nil ? "action.newDepartment" : "action.editDepartment"),
                action: id.map { "/admin/departments/\($0)" } ?? "/admin/departments/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/departments?center=\(center)",
                fields: [
                    .select(req, "centerID", req.centerOptions(scope, selected: center.uuidString), required: true),
                    .text(req, "name", values, required: true, max: 80),
                    .text(req, "code", values, required: true, max: 32, hint: req.t("hint.code")),
                    .text(req, "phone", values, type: "tel"),
                    .select(req, "chiefStaffID", chief),
                    .checkbox(req, "canApproveOnSpot", values), .checkbox(req, "canReviewReported", values),
                    .checkbox(req, "canSupervisePromised", values), .checkbox(req, "canCoordinateJoint", values),
                    .text(req, "commitment", values, max: 1000, type: "textarea", hint: req.t("hint.commitment")),
                    .select(
                        req, "issuer",
                        req.enumOptions(
                            IssuerKind.allCases.map(\.rawValue), prefix: "issuer",
                            selected: values["issuer"].flatMap { $0.isEmpty ? nil : $0 } ?? IssuerKind.department.rawValue),
                        hint: req.t("hint.issuer")),
                    .text(req, "issuerName", values, max: 80, hint: req.t("hint.issuerName")),
                ])
        },
        load: { req, id in
            guard let d = try await DepartmentModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(d.centerID)
            var v = [
                "centerID": d.centerID.uuidString, "name": d.name, "code": d.code, "phone": d.phone ?? "",
                "chiefStaffID": d.chiefStaffID?.uuidString ?? "", "commitment": d.commitment, "issuer": d.issuer,
                "issuerName": d.issuerName ?? "",
            ]
            for (k, on) in [
                ("canApproveOnSpot", d.canApproveOnSpot), ("canReviewReported", d.canReviewReported),
                ("canSupervisePromised", d.canSupervisePromised), ("canCoordinateJoint", d.canCoordinateJoint),
            ] where on { v[k] = "on" }
            return FormValues(v)
        },
        save: { req, id, f in
            let input = DepartmentInput(
                centerID: f["centerID"], name: f["name"], code: f["code"], phone: f["phone"], chiefStaffID: f["chiefStaffID"],
                canApproveOnSpot: f.flag("canApproveOnSpot"), canReviewReported: f.flag("canReviewReported"),
                canSupervisePromised: f.flag("canSupervisePromised"), canCoordinateJoint: f.flag("canCoordinateJoint"),
                commitment: f["commitment"], issuer: f["issuer"], issuerName: f["issuerName"])
            let d = try await DepartmentService.save(input, existing: id, req: req)
            return "/admin/departments?center=\(d.centerID)"
        })

    static let windows = AdminPageKit(
        path: "windows", titleKey: "nav.windows",
        list: { req in
            let scope = try await req.scope()
            let center = try await req.hallCenter(scope)
            let rows = try await WindowModel.query(on: req.db).filter(\.$centerID == center).sort(\.$number).all()
            let depts = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).all()
            let names = Dictionary(uniqueKeysWithValues: depts.map { ($0.id!, $0.name) })
            return ListView(
                heading: req.t("nav.windows"), newHref: "/admin/windows/new?centerID=\(center)", newLabel: req.t("action.newWindow"),
                filterAction: "/admin/windows", filters: centerFilter(req, scope, center),
                columns: ["field.number", "field.name", "field.kind", "field.departmentID", "field.isOpen"].map { req.t($0) },
                rows: rows.map { w in
                    [
                        .init(text: req.t("window.numbered", ["n": String(w.number)]), href: "/admin/windows/\(w.id!)"),
                        .init(text: w.name),
                        .init(text: req.t("kind.\(w.kind)")), .init(text: w.departmentID.flatMap { names[$0] } ?? "—"),
                        .init(text: req.t(w.isOpen ? "window.open" : "window.closed"), tag: w.isOpen ? "open" : "closed"),
                    ]
                }, empty: req.t("list.empty"))
        },
        form: { req, id, values in
            let scope = try await req.scope()
            let center = values["centerID"].flatMap(UUID.init(uuidString:)) ?? scope.principal.centerID
            var open = FormView.Field.checkbox(req, "isOpen", values)
            if id == nil, values["name"] == nil { open.checked = true }  // a fresh form: windows start open
            return FormView(
                heading: req.t(id == nil ? "action.newWindow" : "action.editWindow"),
                action: id.map { "/admin/windows/\($0)" } ?? "/admin/windows/new", submitLabel: req.t("action.save"),
                cancelHref: "/admin/windows?center=\(center)",
                fields: [
                    .select(req, "centerID", req.centerOptions(scope, selected: center.uuidString), required: true),
                    .text(req, "number", values, required: true, type: "number"),
                    .text(req, "name", values, required: true, max: 60),
                    .select(
                        req, "kind", req.enumOptions(WindowKind.allCases.map(\.rawValue), prefix: "kind", selected: values["kind"]),
                        required: true),
                    .select(req, "departmentID", try await departmentOptions(req, center: center, selected: values["departmentID"])),
                    open,
                    .text(req, "phone", values, type: "tel"),
                ])
        },
        load: { req, id in
            guard let w = try await WindowModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try await req.scope().require(w.centerID)
            var v = [
                "centerID": w.centerID.uuidString, "number": String(w.number), "name": w.name, "kind": w.kind,
                "departmentID": w.departmentID?.uuidString ?? "", "phone": w.phone ?? "",
            ]
            if w.isOpen { v["isOpen"] = "on" }
            return FormValues(v)
        },
        save: { req, id, f in
            var errors: [FieldError] = []
            var number: Int? = nil
            if let raw = f["number"] {
                number = Int(raw)
                if number == nil { errors.append(FieldError("number", "number")) }
            }
            let input = WindowInput(
                centerID: f["centerID"], number: number, name: f["name"], kind: f["kind"],
                departmentID: f["departmentID"], isOpen: f.flag("isOpen"), phone: f["phone"])
            if !errors.isEmpty {
                if case .failure(let more) = input.validate() { errors += more.errors.filter { $0.field != "number" } }
                throw ValidationFailure(errors)
            }
            let w = try await WindowService.save(input, existing: id, req: req)
            return "/admin/windows?center=\(w.centerID)"
        })
}
