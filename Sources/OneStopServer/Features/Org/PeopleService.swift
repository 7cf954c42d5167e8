import Fluent
import Foundation
import OneStopCore
import Vapor

enum StaffService {
    /// On update, an empty phone or ID number keeps the stored one: forms never show them whole.
    static func save(_ input: StaffInput, existing id: UUID?, req: Request) async throws -> StaffModel {
        let scope = try await req.scope()
        let row: StaffModel
        if let id {
            guard let r = try await StaffModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try scope.require(r.centerID)
            row = r
        } else {
            row = StaffModel()
        }
        var errors: [FieldError] = []
        let centerID = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if let c = centerID, !scope.contains(c) { errors.append(FieldError("centerID", "invalidReference")) }
        let departmentID = parseUUID(input.departmentID, field: "departmentID", errors: &errors)
        switch input.validate() {
        case .failure(let f): errors += f.errors
        case .success(let v):
            guard let centerID, errors.isEmpty else { break }
            var dup = StaffModel.query(on: req.db).filter(\.$centerID == centerID).filter(\.$jobNumber == v.jobNumber)
            if let id { dup = dup.filter(\.$id != id) }
            if try await dup.count() > 0 { errors.append(FieldError("jobNumber", "duplicate")) }
            if let departmentID, try await DepartmentModel.find(departmentID, on: req.db)?.centerID != centerID {
                errors.append(FieldError("departmentID", "invalidReference"))
            }
            guard errors.isEmpty else { break }
            row.centerID = centerID
            row.departmentID = departmentID
            row.name = v.name
            row.jobNumber = v.jobNumber
            row.post = v.post
            row.partyMember = v.partyMember
            row.duties = v.duties
            row.commitment = v.commitment
            if let p = v.phone { row.phone = p } else if id == nil { row.phone = nil }
            if let n = v.idNumber { row.idNumber = n } else if id == nil { row.idNumber = nil }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let action = id == nil ? "staff.create" : "staff.update"
        return try await req.audited { db in
            try await row.save(on: db)
            return (
                row,
                [AuditEvent(action, "staff", id: row.id, center: row.centerID, detail: ["jobNumber": row.jobNumber, "name": row.name])]
            )
        }
    }
}

enum UserService {
    static func save(_ input: UserInput, existing id: UUID?, req: Request) async throws -> UserModel {
        let scope = try await req.scope()
        let row: UserModel
        if let id {
            guard let r = try await UserModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try scope.require(r.centerID)
            row = r
        } else {
            row = UserModel()
            row.failedLogins = 0
            row.disabled = false
        }
        var errors: [FieldError] = []
        let centerID = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if let c = centerID, !scope.contains(c) { errors.append(FieldError("centerID", "invalidReference")) }
        let departmentID = parseUUID(input.departmentID, field: "departmentID", errors: &errors)
        let staffID = parseUUID(input.staffID, field: "staffID", errors: &errors)
        var hash: String? = nil
        switch input.validate(passwordRequired: id == nil) {
        case .failure(let f): errors += f.errors
        case .success(let v):
            guard let centerID, errors.isEmpty else { break }
            var dup = UserModel.query(on: req.db).filter(\.$username == v.username)
            if let id { dup = dup.filter(\.$id != id) }
            if try await dup.count() > 0 { errors.append(FieldError("username", "duplicate")) }
            if let departmentID, try await DepartmentModel.find(departmentID, on: req.db)?.centerID != centerID {
                errors.append(FieldError("departmentID", "invalidReference"))
            }
            if let staffID, try await StaffModel.find(staffID, on: req.db)?.centerID != centerID {
                errors.append(FieldError("staffID", "invalidReference"))
            }
            if id == req.principal?.id, v.role != .centerAdmin { errors.append(FieldError("role", "user.ownRole")) }
            guard errors.isEmpty else { break }
            if let pw = v.password { hash = try await req.password.async.hash(pw) }
            row.username = v.username
            row.displayName = v.displayName
            row.role = v.role.rawValue
            row.centerID = centerID
            row.departmentID = departmentID
            row.staffID = staffID
            if let p = v.phone { row.phone = p } else if id == nil { row.phone = nil }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        if let hash { row.passwordHash = hash }
        let action = id == nil ? "user.create" : "user.update"
        var detail = ["username": row.username, "role": row.role]
        if hash != nil, id != nil { detail["password"] = "changed" }
        let d = detail
        return try await req.audited { db in
            try await row.save(on: db)
            return (row, [AuditEvent(action, "user", id: row.id, center: row.centerID, detail: d)])
        }
    }

    enum Change: String { case unlock, disable, enable }

    static func change(_ id: UUID, _ change: Change, req: Request) async throws -> UserModel {
        let scope = try await req.scope()
        guard let row = try await UserModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try scope.require(row.centerID)
        if change == .disable, id == req.principal?.id { throw ValidationFailure([FieldError("user", "user.disableSelf")]) }
        switch change {
        case .unlock:
            row.failedLogins = 0
            row.lockedUntil = nil
        case .disable: row.disabled = true
        case .enable: row.disabled = false
        }
        return try await req.audited { db in
            try await row.save(on: db)
            if change == .disable { try await APITokenModel.query(on: db).filter(\.$userID == id).delete() }
            return (row, [AuditEvent("user.\(change.rawValue)", "user", id: row.id, center: row.centerID)])
        }
    }
}

struct DeviceInput: Content {
    var label: String?
    var role: String?
    var centerID: String?
    var windowID: String?
}

enum DeviceService {
    /// Creates a device account and returns its bearer token, which is shown once.
    static func create(_ input: DeviceInput, req: Request) async throws -> (DeviceModel, String) {
        let scope = try await req.scope()
        var v = Validator()
        let label = v.text("label", input.label, max: 60)
        let role = v.oneOf("role", input.role, as: Role.self)
        if let role, !role.isDevice { v.add("role", "device.role") }
        var errors = v.errors
        let centerID = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if centerID == nil, !errors.contains(where: { $0.field == "centerID" }) { errors.append(FieldError("centerID", "required")) }
        if let c = centerID, !scope.contains(c) { errors.append(FieldError("centerID", "invalidReference")) }
        let windowID = parseUUID(input.windowID, field: "windowID", errors: &errors)
        if role?.needsWindow == true, windowID == nil, !errors.contains(where: { $0.field == "windowID" }) {
            errors.append(FieldError("windowID", "device.windowRequired"))
        }
        if let windowID, try await WindowModel.find(windowID, on: req.db)?.centerID != centerID {
            errors.append(FieldError("windowID", "invalidReference"))
        }
        guard errors.isEmpty, let role, let centerID else { throw ValidationFailure(errors) }
        let token = Authentication.deviceTokenPrefix + Digest.randomToken()
        let row = DeviceModel()
        row.label = label
        row.role = role.rawValue
        row.centerID = centerID
        row.windowID = role.needsWindow ? windowID : nil
        row.tokenHash = Digest.sha256Hex(token)
        let saved = try await req.audited { db in
            try await row.create(on: db)
            return (
                row, [AuditEvent("device.create", "device", id: row.id, center: centerID, detail: ["label": label, "role": role.rawValue])]
            )
        }
        return (saved, token)
    }

    static func revoke(_ id: UUID, req: Request) async throws -> DeviceModel {
        let scope = try await req.scope()
        guard let row = try await DeviceModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try scope.require(row.centerID)
        guard row.revokedAt == nil else { return row }
        row.revokedAt = req.now
        return try await req.audited { db in
            try await row.update(on: db)
            return (row, [AuditEvent("device.revoke", "device", id: row.id, center: row.centerID)])
        }
    }
}
