import Fluent
import Foundation
import OneStopCore
import Vapor

/// Rules for creating and changing centers that need the database; the field rules are Core's.
enum CenterService {
    static func create(_ input: CenterInput, req: Request) async throws -> CenterModel {
        let scope = try await req.scope()
        let row = CenterModel()
        try await apply(input, to: row, scope: scope, req: req)
        return try await req.audited { db in
            try await row.storeNew(on: db)
            try await CatalogStore.bump(on: db)
            return (row, [AuditEvent("center.create", "center", id: row.id, center: row.id, detail: ["code": row.code, "name": row.name])])
        }
    }

    static func update(_ id: UUID, _ input: CenterInput, req: Request) async throws -> CenterModel {
        let scope = try await req.scope()
        guard let row = try await CenterModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try scope.require(id)
        try await apply(input, to: row, scope: scope, req: req)
        return try await req.audited { db in
            try await row.update(on: db)
            try await CatalogStore.bump(on: db)
            return (row, [AuditEvent("center.update", "center", id: row.id, center: row.id, detail: ["code": row.code, "name": row.name])])
        }
    }

    private static func apply(_ input: CenterInput, to row: CenterModel, scope: Scope, req: Request) async throws {
        var errors: [FieldError] = []
        let parentID = parseUUID(input.parentID, field: "parentID", errors: &errors)
        var parentLevel: CenterLevel? = nil
        if let parentID {
            if let parent = scope.tree.nodes[parentID], scope.contains(parentID) {
                parentLevel = parent.level
                if let id = row.id, scope.tree.subtree(id).contains(parentID) { errors.append(FieldError("parentID", "center.cycle")) }
            } else {
                errors.append(FieldError("parentID", "invalidReference"))
            }
        } else if row.id == nil || row.parentID != nil {
            // Only a top-level administrator may make a top-level center.
            if scope.tree.nodes[scope.principal.centerID]?.parentID != nil { errors.append(FieldError("parentID", "required")) }
        }
        switch input.validate(parentLevel: parentLevel) {
        case .failure(let f): errors += f.errors
        case .success(let v):
            if let id = row.id {
                let deepestChild = (scope.tree.children[id] ?? []).compactMap { scope.tree.nodes[$0]?.level }.min()
                if let child = deepestChild, !(v.level < child) { errors.append(FieldError("level", "center.levelAboveChildren")) }
            }
            var dup = CenterModel.query(on: req.db).filter(\.$code == v.code)
            if let id = row.id { dup = dup.filter(\.$id != id) }
            if try await dup.count() > 0 { errors.append(FieldError("code", "duplicate")) }
            guard errors.isEmpty else { break }
            row.parentID = parentID
            row.name = v.name
            row.code = v.code
            row.level = v.level.rawValue
            row.address = v.address
            row.phone = v.phone
            row.officeHours = v.officeHours
            row.commitment = v.commitment
            row.dutySeparation = v.dutySeparation?.rawValue ?? (row.id == nil ? DutySeparation.promised.rawValue : row.dutySeparation)
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
