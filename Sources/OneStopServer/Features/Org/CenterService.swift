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
            try await row.create(on: db)
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
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

enum DepartmentService {
    static func save(_ input: DepartmentInput, existing id: UUID?, req: Request) async throws -> DepartmentModel {
        let scope = try await req.scope()
        let row: DepartmentModel
        if let id {
            guard let r = try await DepartmentModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try scope.require(r.centerID)
            row = r
        } else {
            row = DepartmentModel()
        }
        var errors: [FieldError] = []
        let centerID = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if let c = centerID, !scope.contains(c) { errors.append(FieldError("centerID", "invalidReference")) }
        let chief = parseUUID(input.chiefStaffID, field: "chiefStaffID", errors: &errors)
        switch input.validate() {
        case .failure(let f): errors += f.errors
        case .success(let v):
            guard let centerID, errors.isEmpty else { break }
            var dup = DepartmentModel.query(on: req.db).filter(\.$centerID == centerID).filter(\.$code == v.code)
            if let id { dup = dup.filter(\.$id != id) }
            if try await dup.count() > 0 { errors.append(FieldError("code", "duplicate")) }
            if let chief {
                let staff = try await StaffModel.find(chief, on: req.db)
                if staff?.centerID != centerID { errors.append(FieldError("chiefStaffID", "invalidReference")) }
            }
            guard errors.isEmpty else { break }
            row.centerID = centerID
            row.name = v.name
            row.code = v.code
            row.phone = v.phone
            row.chiefStaffID = chief
            row.canApproveOnSpot = input.canApproveOnSpot ?? false
            row.canReviewReported = input.canReviewReported ?? false
            row.canSupervisePromised = input.canSupervisePromised ?? false
            row.canCoordinateJoint = input.canCoordinateJoint ?? false
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let action = id == nil ? "department.create" : "department.update"
        return try await req.audited { db in
            try await row.save(on: db)
            return (
                row, [AuditEvent(action, "department", id: row.id, center: row.centerID, detail: ["code": row.code, "name": row.name])]
            )
        }
    }
}

enum WindowService {
    static func save(_ input: WindowInput, existing id: UUID?, req: Request) async throws -> WindowModel {
        let scope = try await req.scope()
        let row: WindowModel
        if let id {
            guard let r = try await WindowModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try scope.require(r.centerID)
            row = r
        } else {
            row = WindowModel()
        }
        var errors: [FieldError] = []
        let centerID = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if let c = centerID, !scope.contains(c) { errors.append(FieldError("centerID", "invalidReference")) }
        let departmentID = parseUUID(input.departmentID, field: "departmentID", errors: &errors)
        switch input.validate() {
        case .failure(let f): errors += f.errors
        case .success(let v):
            guard let centerID, errors.isEmpty else { break }
            var dup = WindowModel.query(on: req.db).filter(\.$centerID == centerID).filter(\.$number == v.number)
            if let id { dup = dup.filter(\.$id != id) }
            if try await dup.count() > 0 { errors.append(FieldError("number", "window.numberTaken")) }
            if let departmentID, try await DepartmentModel.find(departmentID, on: req.db)?.centerID != centerID {
                errors.append(FieldError("departmentID", "invalidReference"))
            }
            guard errors.isEmpty else { break }
            row.centerID = centerID
            row.number = v.number
            row.name = v.name
            row.kind = v.kind.rawValue
            row.departmentID = v.kind == .department ? departmentID : nil
            row.isOpen = v.isOpen
            row.phone = v.phone
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let action = id == nil ? "window.create" : "window.update"
        return try await req.audited { db in
            try await row.save(on: db)
            return (
                row,
                [
                    AuditEvent(
                        action, "window", id: row.id, center: row.centerID,
                        detail: ["number": String(row.number), "open": String(row.isOpen)])
                ]
            )
        }
    }
}
