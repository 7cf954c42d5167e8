import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import Vapor

/// Who may change which items: a center administrator any item of the centers in scope, a
/// department's chief representative only that department's items. Publishing and withdrawing
/// belong to center administrators.
enum CatalogAccess {
    static let editors = Access.only(.centerAdmin, .chiefRepresentative)

    static func canEdit(_ scope: Scope, center: UUID, department: UUID) -> Bool {
        switch scope.principal.role {
        case .centerAdmin: scope.contains(center)
        case .chiefRepresentative: scope.principal.departmentID == department && scope.contains(center)
        default: false
        }
    }

    /// The item, if the caller may edit it; 404 if there is no such item, 403 if it is not theirs.
    static func editable(_ id: UUID, req: Request) async throws -> ServiceItemModel {
        guard let row = try await ServiceItemModel.find(id, on: req.db) else { throw Abort(.notFound) }
        guard canEdit(try await req.scope(), center: row.centerID, department: row.departmentID) else { throw OutsideScope() }
        return row
    }
}

/// What reference checks need to know about other items and the center's windows; filled from
/// the database (and, for an import, from the other rows of the file).
struct ItemLookup {
    struct Known {
        var id: UUID?
        var tier: ItemTier
        var centerID: UUID
        var departmentID: UUID
    }

    var items: [String: Known]
    var windows: Set<Int>

    static func load(codes: [String], center: UUID, on db: any Database) async throws -> ItemLookup {
        var items: [String: Known] = [:]
        let unique = Array(Set(codes))
        for start in stride(from: 0, to: unique.count, by: 500) {
            let chunk = Array(unique[start..<min(start + 500, unique.count)])
            for r in try await ServiceItemModel.query(on: db).filter(\.$code ~~ chunk).all() {
                items[r.code] = Known(
                    id: r.id, tier: ItemTier(rawValue: r.tier) ?? .main, centerID: r.centerID, departmentID: r.departmentID)
            }
        }
        let windows = try await WindowModel.query(on: db).filter(\.$centerID == center).all().map(\.number)
        return ItemLookup(items: items, windows: Set(windows))
    }

    /// Field errors of `guide` saved as item `id` of `department` in `center`.
    func check(_ g: ItemGuide, id: UUID?, center: UUID, department: UUID, publishedBefore: Bool, currentCode: String?) -> [FieldError] {
        var errors: [FieldError] = []
        if let other = items[g.code], other.id != id { errors.append(FieldError("code", "duplicate")) }
        if publishedBefore, let currentCode, currentCode != g.code { errors.append(FieldError("code", "item.codeFrozen")) }
        if let parentCode = g.parentCode {
            if let parent = items[parentCode] {
                if parent.tier != g.tier.parentTier { errors.append(FieldError("parentCode", "item.parentTier")) }
                if parent.centerID != center { errors.append(FieldError("parentCode", "invalidReference")) }
            } else {
                errors.append(FieldError("parentCode", "item.parentNotFound"))
            }
        }
        if g.windowNumbers.contains(where: { !windows.contains($0) }) { errors.append(FieldError("windowNumbers", "item.noSuchWindow")) }
        return errors
    }
}

enum CatalogService {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func json(_ g: ItemGuide) -> String { String(decoding: try! encoder.encode(g), as: UTF8.self) }

    static func guide(_ text: String) throws -> ItemGuide { try JSONDecoder().decode(ItemGuide.self, from: Data(text.utf8)) }

    /// Creates an item as a draft, or saves a new draft of an existing one; the version in force
    /// (if any) stays what the public sees until the draft is published.
    static func save(_ input: ItemInput, existing id: UUID?, req: Request) async throws -> ServiceItemModel {
        let scope = try await req.scope()
        let row = try await id.asyncMap { try await CatalogAccess.editable($0, req: req) } ?? ServiceItemModel()
        var errors: [FieldError] = []
        let ownDepartment = scope.principal.role == .chiefRepresentative ? scope.principal.departmentID?.uuidString : nil
        let departmentID = parseUUID(
            input.departmentID ?? ownDepartment ?? id.map { _ in row.departmentID.uuidString }, field: "departmentID", errors: &errors)
        var department: DepartmentModel? = nil
        if let departmentID {
            department = try await DepartmentModel.find(departmentID, on: req.db)
            if let d = department, !CatalogAccess.canEdit(scope, center: d.centerID, department: departmentID) { department = nil }
            if department == nil { errors.append(FieldError("departmentID", "invalidReference")) }
        } else if errors.isEmpty {
            errors.append(FieldError("departmentID", "required"))
        }
        var guide: ItemGuide? = nil
        var parentID: UUID? = nil
        switch input.validate() {
        case .failure(let f): errors += f.errors
        case .success(let g):
            guide = g
            if let d = department {
                let lookup = try await ItemLookup.load(codes: [g.code] + (g.parentCode.map { [$0] } ?? []), center: d.centerID, on: req.db)
                errors += lookup.check(
                    g, id: row.id, center: d.centerID, department: d.id!, publishedBefore: row.id != nil && row.versions > 0,
                    currentCode: row.id == nil ? nil : row.code)
                parentID = g.parentCode.flatMap { lookup.items[$0]?.id }
            }
        }
        guard errors.isEmpty, let g = guide, let d = department else { throw ValidationFailure(errors) }
        let isNew = row.id == nil
        let moved = !isNew && row.departmentID != d.id!
        row.centerID = d.centerID
        row.departmentID = d.id!
        row.code = g.code
        row.name = g.name
        row.tier = g.tier.rawValue
        row.parentID = parentID
        row.draft = json(g)
        if isNew {
            row.status = ItemStatus.draft.rawValue
            row.versions = 0
        }
        return try await req.audited { db in
            try await row.store(on: db)
            if moved { try await CatalogStore.bump(on: db) }
            return (
                row,
                [
                    AuditEvent(
                        isNew ? "item.create" : "item.update", "item", id: row.id, center: row.centerID,
                        detail: ["code": row.code, "name": row.name])
                ]
            )
        }
    }

    /// Freezes the draft as the next version and puts it in force; a withdrawn item without a
    /// draft goes back into force with the version it had.
    static func publish(_ id: UUID, req: Request) async throws -> ServiceItemModel {
        let row = try await CatalogAccess.editable(id, req: req)
        let status = ItemStatus(rawValue: row.status) ?? .draft
        let by = try req.requirePrincipal().auditName
        let now = req.now
        if let draft = row.draft {
            let g = try guide(draft)
            if let parentCode = g.parentCode {
                let parent = try await ServiceItemModel.query(on: req.db).filter(\.$code == parentCode).first()
                if parent?.versionInForce == nil { throw ValidationFailure([FieldError("parentCode", "item.parentUnpublished")]) }
            }
            let version = ItemVersionModel()
            version.itemID = id
            version.version = row.versions + 1
            version.content = draft
            version.publishedAt = now
            version.publishedBy = by
            row.versions += 1
            row.versionInForce = row.versions
            row.draft = nil
            row.status = ItemStatus.published.rawValue
            return try await req.audited { db in
                try await version.storeNew(on: db)
                try await row.update(on: db)
                try await CatalogStore.bump(on: db)
                return (
                    row,
                    [
                        AuditEvent(
                            "item.publish", "item", id: row.id, center: row.centerID,
                            detail: ["code": row.code, "version": String(row.versions)])
                    ]
                )
            }
        }
        guard status == .withdrawn, let v = row.versionInForce else {
            throw ValidationFailure([FieldError("status", "item.nothingToPublish")])
        }
        row.status = ItemStatus.published.rawValue
        return try await req.audited { db in
            try await row.update(on: db)
            try await CatalogStore.bump(on: db)
            return (
                row,
                [AuditEvent("item.republish", "item", id: row.id, center: row.centerID, detail: ["code": row.code, "version": String(v)])]
            )
        }
    }

    /// Takes an item out of the public catalog; its versions stay on record.
    static func withdraw(_ id: UUID, req: Request) async throws -> ServiceItemModel {
        let row = try await CatalogAccess.editable(id, req: req)
        guard row.status == ItemStatus.published.rawValue else { throw ValidationFailure([FieldError("status", "item.notPublished")]) }
        row.status = ItemStatus.withdrawn.rawValue
        return try await req.audited { db in
            try await row.update(on: db)
            try await CatalogStore.bump(on: db)
            return (row, [AuditEvent("item.withdraw", "item", id: row.id, center: row.centerID, detail: ["code": row.code])])
        }
    }

    /// The guide an editor works on: the draft if there is one, else the version in force.
    static func workingGuide(_ row: ServiceItemModel, on db: any Database) async throws -> ItemGuide? {
        if let d = row.draft { return try guide(d) }
        guard let v = row.versionInForce else { return nil }
        return try await version(row.id!, v, on: db).map { try guide($0.content) }
    }

    static func version(_ item: UUID, _ number: Int, on db: any Database) async throws -> ItemVersionModel? {
        try await ItemVersionModel.query(on: db).filter(\.$itemID == item).filter(\.$version == number).first()
    }

    /// A published version's guide, parsed. A published version never changes, so its guide is
    /// kept once read (cases read the guide they were received under at every move).
    static func publishedGuide(_ item: UUID, _ number: Int, on db: any Database) async throws -> ItemGuide? {
        let key = "\(item)/\(number)"
        if let hit = publishedGuides.withLockedValue({ $0[key] }) { return hit }
        guard let content = try await version(item, number, on: db)?.content else { return nil }
        let guide = try CatalogService.guide(content)
        publishedGuides.withLockedValue {
            if $0.count >= 4096 { $0.removeAll(keepingCapacity: true) }
            $0[key] = guide
        }
        return guide
    }

    private static let publishedGuides = NIOLockedValueBox<[String: ItemGuide]>([:])
}

extension Optional {
    func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let v = self else { return nil }
        return try await f(v)
    }
}
