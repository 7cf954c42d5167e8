import Fluent
import Foundation
import OneStopCore
import Vapor

/// The staff's side of the registry (issue 22): `/brands/manage` lists a center's brands with
/// what the viewer may do to each and a form to define a new one; `/brands/{id}/edit` changes a
/// definition and sets the logo; the campaign office approves from the list.
enum BrandManagePages {
    static let access = Access.only(.centerAdmin, .chiefRepresentative, .campaignOffice, .supervisor)

    struct Row: Encodable {
        var id: String
        var name: String
        var department: String
        var category: String
        var state: String
        var warnings: String
        var editHref: String
        var publicHref: String
        var workHref: String
        var canApprove: Bool
    }

    struct Form: Encodable {
        var action: String
        var departments: [FormView.Option]
        var fixedDepartment: String
        var name: String
        var categories: [FormView.Option]
        var purpose: String
        var spirit: String
        var idea: String
        var goal: String
        var who: String
        var what: String
        var measures: String
        var commitments: String
        var rules: String
        /// On the edit page: what the brand covers, and who owns it.
        var covers: Covers?
    }

    struct Covers: Encodable {
        var windows: [FormView.Option]
        var staff: [FormView.Option]
        var items: String
        var owners: [FormView.Option]
    }

    struct Campaign: Encodable {
        var name: String
        var phaseNow: String
        var coverage: String
        var missing: String
        var requirements: String
        var selectionHref: String
        var id: String
    }

    struct ListView: Encodable {
        var centerOptions: [FormView.Option]
        var campaigns: [Campaign]
        var canOpenCampaign: Bool
        var rows: [Row]
        var form: Form?
        var errors: [String]
    }

    struct EditView: Encodable {
        var id: String
        var form: Form
        var logo: String
        var errors: [String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "brands", "manage", access: access) { req in try await list(req, errors: [], form: [:]) }
        app.endpoint(.POST, "brands", "manage", access: BrandService.editors) { req -> Response in
            let f = try req.content.decode([String: String].self)
            do {
                var input = input(f)
                input.center = try req.chosenCenter(try await req.scope()).uuidString
                let b = try await BrandService.create(input, req: req)
                flash(b, req: req)
                return req.redirect(to: "/brands/manage")
            } catch let v as ValidationFailure {
                return try await list(req, errors: messages(v, req), form: f, status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "brands", ":id", "edit", access: .staff) { req in try await edit(req, errors: [], form: nil) }
        app.endpoint(.POST, "brands", ":id", "edit", access: .staff) { req -> Response in
            let f = try req.content.decode([String: String].self)
            do {
                let b = try await BrandService.update(try req.uuid("id"), input(f), req: req)
                flash(b, req: req)
                return req.redirect(to: "/brands/manage")
            } catch let v as ValidationFailure {
                return try await edit(req, errors: messages(v, req), form: f, status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "brands", ":id", "logo", access: .staff, body: .collect(maxSize: "600kb")) { req -> Response in
            struct Upload: Content { var logo: File? }
            let bytes = try req.content.decode(Upload.self).logo.map { Array($0.data.readableBytesView) } ?? []
            do {
                _ = try await BrandService.logo(try req.uuid("id"), bytes: bytes, req: req)
                req.flash(req.t("brand.logoSaved"))
                return req.redirect(to: "/brands/\(try req.uuid("id").uuidString.lowercased())/edit")
            } catch let v as ValidationFailure {
                return try await edit(req, errors: messages(v, req), form: nil, status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "brands", "campaigns", access: BrandService.approvers) { req -> Response in
            let f = try req.content.decode([String: String].self)
            let phases = BrandCampaignPhases.Phase.allCases.map {
                BrandCampaignService.SpanInput(phase: $0.rawValue, from: f["\($0.rawValue)From"], to: f["\($0.rawValue)To"])
            }
            do {
                let c = try await BrandCampaignService.open(
                    .init(
                        center: try req.chosenCenter(try await req.scope()).uuidString, name: f["campaignName"], phases: phases,
                        requirements: f["requirements"]), req: req)
                req.flash(req.t("brand.campaignOpened", ["name": c.name]))
                return req.redirect(to: "/brands/manage")
            } catch let v as ValidationFailure {
                return try await list(req, errors: messages(v, req), form: [:], status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "brands", "campaigns", ":id", "reminders", access: BrandService.approvers) { req -> Response in
            let n = try await BrandCampaignService.remind(try req.uuid("id"), req: req)
            req.flash(req.t(n == 0 ? "brand.noneMissing" : "brand.reminded", ["n": String(n)]))
            return req.redirect(to: "/brands/manage")
        }
        app.endpoint(.POST, "brands", ":id", "approve", access: BrandService.approvers) { req -> Response in
            let b = try await BrandService.approve(try req.uuid("id"), req: req)
            req.flash(req.t("brand.approved", ["name": b.name]))
            return req.redirect(to: "/brands/manage")
        }
    }

    static func messages(_ v: ValidationFailure, _ req: Request) -> [String] {
        v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
    }

    static func flash(_ b: BrandModel, req: Request) {
        let warnings = BrandRules.nameWarnings(b.name, others: []).map { req.t($0) }
        req.flash(([req.t("brand.saved", ["name": b.name])] + warnings).joined(separator: " "))
    }

    static func lines(_ s: String?) -> [String] {
        (s ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func input(_ f: [String: String]) -> BrandService.Input {
        var input = definition(f)
        // The edit page's form carries what the brand covers (an unticked box sends nothing).
        if f["coversForm"] == "1" {
            input.windows = f.keys.filter { $0.hasPrefix("window_") }.compactMap { UUID(uuidString: String($0.dropFirst(7))) }
            input.staff = f.keys.filter { $0.hasPrefix("staff_") }.compactMap { UUID(uuidString: String($0.dropFirst(6))) }
            input.items = lines(f["items"])
            input.owner = f["owner"].flatMap(UUID.init(uuidString:))
        }
        return input
    }

    static func definition(_ f: [String: String]) -> BrandService.Input {
        BrandService.Input(
            center: nil, department: f["department"].flatMap(UUID.init(uuidString:)), name: f["name"], category: f["category"],
            culture: .init(purpose: f["purpose"] ?? "", spirit: f["spirit"] ?? "", idea: f["idea"] ?? "", goal: f["goal"] ?? ""),
            system: .init(
                who: lines(f["who"]), what: lines(f["what"]), measures: lines(f["measures"]), commitments: lines(f["commitments"]),
                rules: lines(f["rules"])))
    }

    static func form(
        _ action: String, center: UUID, brand b: BrandModel?, values f: [String: String]?, req: Request
    ) async throws -> Form {
        let p = try req.requirePrincipal()
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$code).all()
        let chosen = f?["department"] ?? b?.departmentID?.uuidString ?? p.departmentID?.uuidString ?? ""
        var covered: Covers?
        if let b { covered = try await covers(b, values: f, req: req) }
        let culture = b?.cultureValue ?? .init()
        let system = b?.systemValue ?? .init()
        func v(_ key: String, _ fallback: String) -> String { f?[key] ?? fallback }
        return Form(
            action: action,
            departments: departments.map { .init(value: $0.id!.uuidString, label: $0.name, selected: $0.id!.uuidString == chosen) },
            fixedDepartment: p.role == .chiefRepresentative ? departments.first { $0.id == p.departmentID }?.name ?? "" : "",
            name: v("name", b?.name ?? ""),
            categories: BrandRules.Category.allCases.map {
                .init(
                    value: $0.rawValue, label: req.t("brand.category.\($0.rawValue)"),
                    selected: v("category", b?.category ?? "") == $0.rawValue)
            },
            purpose: v("purpose", culture.purpose), spirit: v("spirit", culture.spirit), idea: v("idea", culture.idea),
            goal: v("goal", culture.goal), who: v("who", system.who.joined(separator: "\n")),
            what: v("what", system.what.joined(separator: "\n")),
            measures: v("measures", system.measures.joined(separator: "\n")),
            commitments: v("commitments", system.commitments.joined(separator: "\n")),
            rules: v("rules", system.rules.joined(separator: "\n")), covers: covered)
    }

    /// The windows and staff of the brand's department (all of its center's for a center's brand),
    /// the items it covers by code, and the owner chosen among the department's accounts.
    static func covers(_ b: BrandModel, values f: [String: String]?, req: Request) async throws -> Covers {
        let c = b.coversValue
        var windows = WindowModel.query(on: req.db).filter(\.$centerID == b.centerID)
        var staff = StaffModel.query(on: req.db).filter(\.$centerID == b.centerID)
        var users = UserModel.query(on: req.db).filter(\.$centerID == b.centerID).filter(\.$disabled == false)
            .filter(\.$role ~~ [Role.chiefRepresentative.rawValue, Role.windowStaff.rawValue, Role.centerAdmin.rawValue])
        if let d = b.departmentID {
            windows = windows.filter(\.$departmentID == d)
            staff = staff.filter(\.$departmentID == d)
            users = users.group(.or) { $0.filter(\.$departmentID == d).filter(\.$role == Role.centerAdmin.rawValue) }
        }
        func ticked(_ prefix: String, _ id: UUID, _ stored: [UUID]) -> Bool {
            f.map { $0[prefix + id.uuidString] != nil } ?? stored.contains(id)
        }
        let owner = f?["owner"] ?? b.ownerID?.uuidString ?? ""
        return Covers(
            windows: try await windows.sort(\.$number).all().map {
                .init(
                    value: $0.id!.uuidString, label: req.t("hall.window", "number", String($0.number)) + " " + $0.name,
                    selected: ticked("window_", $0.id!, c.windows))
            },
            staff: try await staff.sort(\.$name).limit(300).all().map {
                .init(
                    value: $0.id!.uuidString, label: $0.name + ($0.post.isEmpty ? "" : "（\($0.post)）"),
                    selected: ticked("staff_", $0.id!, c.staff))
            },
            items: f?["items"] ?? c.items.joined(separator: "\n"),
            owners: try await users.sort(\.$displayName).all().map {
                .init(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == owner)
            })
    }

    static func list(_ req: Request, errors: [String], form values: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        let brands = try await BrandModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        let names = try await WorkOrderPages.departmentNames(Array(Set(brands.compactMap(\.departmentID))), on: req.db)
        var rows: [Row] = []
        for b in brands {
            let others = brands.filter { $0.id != b.id }.map(\.name)
            let id = b.id!.uuidString.lowercased()
            rows.append(
                Row(
                    id: id, name: b.name, department: b.departmentID.flatMap { names[$0] } ?? "",
                    category: req.t("brand.category.\(b.category)"), state: req.t("brand.state.\(b.state)"),
                    warnings: BrandRules.nameWarnings(b.name, others: others).map { req.t($0) }.joined(separator: " "),
                    editHref: try await BrandService.mayEdit(b, req: req) ? "/brands/\(id)/edit" : "",
                    publicHref: b.stateValue.isPublic ? "/brands/\(id)" : "", workHref: "/brands/\(id)/work",
                    canApprove: p.role == .campaignOffice && b.stateValue == .cultivating))
        }
        let canCreate = [.centerAdmin, .chiefRepresentative].contains(p.role)
        var campaigns: [Campaign] = []
        for c in try await BrandCampaignModel.query(on: req.db).filter(\.$centerID == center).sort(\.$openedAt, .descending).limit(5)
            .all()
        {
            let d = try await BrandCampaignService.dto(c, req: req)
            campaigns.append(
                Campaign(
                    name: c.name, phaseNow: d.phaseNow.map { req.t("brand.phase.\($0)") } ?? req.t("brand.phase.none"),
                    coverage: req.t("brand.coverage", ["with": String(d.coverage.withBrand), "all": String(d.coverage.departments)]),
                    missing: d.coverage.missing.joined(separator: "、"), requirements: c.requirements,
                    selectionHref: "/brands/selection/\(c.id!.uuidString.lowercased())", id: c.id!.uuidString.lowercased()))
        }
        let view = ListView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), campaigns: campaigns,
            canOpenCampaign: p.role == .campaignOffice, rows: rows,
            form: canCreate
                ? try await form("/brands/manage?center=\(center.uuidString)", center: center, brand: nil, values: values, req: req) : nil,
            errors: errors)
        return try await req.page("brands/manage", title: req.t("brand.manage"), view, status: status)
    }

    static func edit(_ req: Request, errors: [String], form values: [String: String]?, status: HTTPStatus = .ok) async throws -> Response {
        let b = try await BrandService.find(try req.uuid("id"), on: req.db)
        guard try await BrandService.mayEdit(b, req: req) else { throw Abort(.forbidden) }
        let id = b.id!.uuidString.lowercased()
        let view = EditView(
            id: id, form: try await form("/brands/\(id)/edit", center: b.centerID, brand: b, values: values, req: req),
            logo: BrandPages.logoPath(b), errors: errors)
        return try await req.page("brands/edit", title: req.t("brand.editTitle", ["name": b.name]), view, status: status)
    }
}
