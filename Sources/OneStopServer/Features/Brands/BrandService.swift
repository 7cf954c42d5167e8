import Fluent
import Foundation
import OneStopCore
import Vapor

/// The brand registry (issue 22): a department's chief representative (or the center's
/// administrator) defines a brand; it or the brand's owner edits it; the campaign office approves
/// the definition, which starts its practice and makes it public. A logo is a PNG, a JPEG or a
/// sanitised SVG.
enum BrandService {
    static let editors = Access.only(.centerAdmin, .chiefRepresentative)
    static let approvers = Access.only(.campaignOffice)
    static let staffReaders = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice, .windowStaff)

    struct Input: Content {
        var center: String?
        var department: UUID?
        var name: String?
        var category: String?
        var culture: BrandRules.Culture?
        var system: BrandRules.ServiceSystem?
        var items: [String]?
        var windows: [UUID]?
        var staff: [UUID]?
        var owner: UUID?
    }

    static func find(_ id: UUID, on db: any Database) async throws -> BrandModel {
        guard let b = try await BrandModel.find(id, on: db) else { throw Abort(.notFound) }
        return b
    }

    /// Whether the principal may edit the brand: an administrator of its center, the chief
    /// representative of its department, or its owner.
    static func mayEdit(_ b: BrandModel, req: Request) async throws -> Bool {
        let p = try req.requirePrincipal()
        guard try await req.scope().contains(b.centerID) else { return false }
        switch p.role {
        case .centerAdmin: return true
        case .chiefRepresentative: return b.departmentID != nil && b.departmentID == p.departmentID || b.ownerID == p.id
        default: return b.ownerID == p.id
        }
    }

    /// Checks the input against the rules and the center's records; the faults all at once.
    static func apply(_ input: Input, to b: BrandModel, center: UUID, req: Request) async throws {
        var errors: [FieldError] = []
        let name = (input.name ?? b.name).trimmingCharacters(in: .whitespaces)
        let culture = input.culture ?? b.cultureValue
        let system = input.system ?? b.systemValue
        for p in BrandRules.definitionProblems(name: name, culture: culture, system: system) { errors.append(FieldError(p.field, p.code)) }
        let category = BrandRules.Category(rawValue: input.category ?? b.category)
        if category == nil { errors.append(FieldError("category", (input.category ?? b.category).isEmpty ? "required" : "invalidChoice")) }
        var covers = b.coversValue
        if let windows = input.windows {
            let found = try await WindowModel.query(on: req.db).filter(\.$id ~~ windows).filter(\.$centerID == center).count()
            if found != Set(windows).count { errors.append(FieldError("windows", "invalidReference")) }
            covers.windows = windows
        }
        if let staff = input.staff {
            let found = try await StaffModel.query(on: req.db).filter(\.$id ~~ staff).filter(\.$centerID == center).count()
            if found != Set(staff).count { errors.append(FieldError("staff", "invalidReference")) }
            covers.staff = staff
        }
        if let items = input.items {
            let codes = Set(items.map { $0.trimmingCharacters(in: .whitespaces) })
            let snapshot = try await req.catalog()
            if codes.contains(where: { snapshot.item(code: $0) == nil }) { errors.append(FieldError("items", "invalidReference")) }
            covers.items = codes.sorted()
        }
        if let owner = input.owner {
            guard let u = try await UserModel.find(owner, on: req.db), try await req.scope().contains(u.centerID) else {
                throw ValidationFailure(errors + [FieldError("owner", "invalidReference")])
            }
        }
        guard errors.isEmpty, let category else { throw ValidationFailure(errors) }
        b.name = name
        b.category = category.rawValue
        b.cultureValue = culture
        b.systemValue = system
        b.coversValue = covers
        if let owner = input.owner { b.ownerID = owner }
    }

    static func create(_ input: Input, req: Request) async throws -> BrandModel {
        let p = try req.requirePrincipal()
        let center = try await WorkOrderService.center(input.center, req: req)
        let centerID = try center.requireID()
        var department = input.department
        if p.role == .chiefRepresentative {
            guard let own = p.departmentID else { throw Abort(.forbidden) }
            if let d = department, d != own { throw Abort(.forbidden) }
            department = own
        }
        if let d = department {
            guard let dept = try await DepartmentModel.find(d, on: req.db), dept.centerID == centerID else {
                throw ValidationFailure([FieldError("department", "invalidReference")])
            }
        }
        let b = BrandModel()
        b.id = UUID.timeOrdered()
        b.centerID = centerID
        b.departmentID = department
        b.name = ""
        b.category = ""
        b.cultureValue = .init()
        b.systemValue = .init()
        b.coversValue = .init()
        b.state = BrandRules.State.cultivating.rawValue
        b.ownerID = p.id
        b.createdBy = p.displayName
        b.createdAt = HallClock.millis(req.now)
        b.updatedAt = b.createdAt
        b.approvedBy = ""
        try await apply(input, to: b, center: centerID, req: req)
        return try await req.audited { db -> (BrandModel, [AuditEvent]) in
            try await b.storeNew(on: db)
            return (b, [AuditEvent("brand.create", "brand", id: b.id, center: centerID, detail: ["name": b.name, "category": b.category])])
        }
    }

    static func update(_ id: UUID, _ input: Input, req: Request) async throws -> BrandModel {
        let b = try await find(id, on: req.db)
        guard try await mayEdit(b, req: req) else { throw Abort(.forbidden) }
        guard b.stateValue != .revoked else { throw Abort(.conflict, reason: req.t("brand.revoked")) }
        try await apply(input, to: b, center: b.centerID, req: req)
        b.updatedAt = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandModel, [AuditEvent]) in
            try await b.storeChanges(on: db)
            return (b, [AuditEvent("brand.update", "brand", id: b.id, center: b.centerID, detail: ["name": b.name])])
        }
    }

    /// The office approves the definition: the brand starts its practice and is public.
    static func approve(_ id: UUID, req: Request) async throws -> BrandModel {
        let p = try req.requirePrincipal()
        let b = try await find(id, on: req.db)
        try await req.scope().require(b.centerID)
        guard b.stateValue.may(become: .practising), b.stateValue == .cultivating else {
            throw Abort(.conflict, reason: req.t("brand.notCultivating"))
        }
        let millis = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandModel, [AuditEvent]) in
            guard let fresh = try await BrandModel.find(id, on: db), fresh.stateValue == .cultivating else {
                throw Abort(.conflict, reason: req.t("brand.notCultivating"))
            }
            fresh.state = BrandRules.State.practising.rawValue
            fresh.approvedBy = p.displayName
            fresh.approvedAt = millis
            fresh.updatedAt = millis
            try await fresh.save(on: db)
            return (fresh, [AuditEvent("brand.approve", "brand", id: id, center: fresh.centerID, detail: ["name": fresh.name])])
        }
    }

    /// A logo by its content: PNG or JPEG as it is, SVG rewritten by the sanitiser.
    static func logo(_ id: UUID, bytes: [UInt8], req: Request) async throws -> BrandModel {
        let b = try await find(id, on: req.db)
        guard try await mayEdit(b, req: req) else { throw Abort(.forbidden) }
        guard !bytes.isEmpty else { throw ValidationFailure([FieldError("logo", "required")]) }
        guard bytes.count <= SVGSanitizer.maxBytes else { throw ValidationFailure([FieldError("logo", "brand.logoTooLarge")]) }
        let type: String
        var data = Data(bytes)
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            type = "image/png"
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            type = "image/jpeg"
        } else {
            switch SVGSanitizer.sanitize(data) {
            case .success(let svg):
                type = "image/svg+xml"
                data = Data(svg.utf8)
            case .failure(let f): throw ValidationFailure([FieldError("logo", f.rawValue)])
            }
        }
        let millis = HallClock.millis(req.now)
        let stored = data
        return try await req.audited { db -> (BrandModel, [AuditEvent]) in
            let logo = try await BrandLogoModel.find(id, on: db) ?? BrandLogoModel()
            let isNew = logo.id == nil
            logo.id = id
            logo.contentType = type
            logo.data = stored
            logo.updatedAt = millis
            if isNew { try await logo.create(on: db) } else { try await logo.save(on: db) }
            b.logoType = type
            b.updatedAt = millis
            try await b.storeChanges(on: db)
            return (
                b, [AuditEvent("brand.logo", "brand", id: id, center: b.centerID, detail: ["type": type, "size": String(stored.count)])]
            )
        }
    }

    /// Whether the viewer may read the brand: anyone once public; before, staff of its center.
    static func visible(_ b: BrandModel, req: Request) async throws -> Bool {
        if b.stateValue.isPublic { return true }
        guard let p = req.principal, p.isStaff else { return false }
        return try await req.scope().contains(b.centerID)
    }
}
