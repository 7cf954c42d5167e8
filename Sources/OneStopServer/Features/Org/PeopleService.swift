import Fluent
import Foundation
import OneStopCore
import Vapor

enum StaffService {
    /// On update, an empty phone or ID number keeps the stored one: forms never show them whole.
    static func save(_ input: StaffInput, existing id: UUID?, req: Request) async throws -> StaffModel {
        var edit = try await OrgEdit<StaffModel>.begin(id, center: input.centerID, req: req)
        let departmentID = edit.reference(input.departmentID, field: "departmentID")
        switch input.validate() {
        case .failure(let f): edit.errors += f.errors
        case .success(let v):
            guard let centerID = edit.centerID, edit.errors.isEmpty else { break }
            try await edit.unique("jobNumber", edit.inCenter(centerID).filter(\.$jobNumber == v.jobNumber))
            try await edit.sameCenter(DepartmentModel.self, departmentID, field: "departmentID", center: centerID)
            let row = edit.row
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
        return try await edit.save("staff") { ["jobNumber": $0.jobNumber, "name": $0.name] }
    }
}

enum UserService {
    static func save(_ input: UserInput, existing id: UUID?, req: Request) async throws -> UserModel {
        var edit = try await OrgEdit<UserModel>.begin(id, center: input.centerID, req: req)
        let departmentID = edit.reference(input.departmentID, field: "departmentID")
        let staffID = edit.reference(input.staffID, field: "staffID")
        var passwordChanged = false
        switch input.validate(passwordRequired: id == nil) {
        case .failure(let f): edit.errors += f.errors
        case .success(let v):
            guard let centerID = edit.centerID, edit.errors.isEmpty else { break }
            try await edit.unique("username", UserModel.query(on: req.db).filter(\.$username == v.username))
            try await edit.sameCenter(DepartmentModel.self, departmentID, field: "departmentID", center: centerID)
            try await edit.sameCenter(StaffModel.self, staffID, field: "staffID", center: centerID)
            if id != nil, id == req.principal?.id, v.role != .centerAdmin { edit.errors.append(FieldError("role", "user.ownRole")) }
            guard edit.errors.isEmpty else { break }
            let row = edit.row
            if id == nil {
                row.failedLogins = 0
                row.disabled = false
                row.twoFactorGraceUntil = req.now.timeIntervalSince1970 + req.application.settings.twoFactor.graceSeconds
            }
            if let pw = v.password {
                row.passwordHash = try await req.password.async.hash(pw)
                passwordChanged = id != nil
            }
            row.username = v.username
            row.displayName = v.displayName
            row.role = v.role.rawValue
            row.centerID = centerID
            row.departmentID = departmentID
            row.staffID = staffID
            if let p = v.phone { row.phone = p } else if id == nil { row.phone = nil }
        }
        let changed = passwordChanged
        return try await edit.save("user") { u in
            var detail = ["username": u.username, "role": u.role]
            if changed { detail["password"] = "changed" }
            return detail
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
            try await row.store(on: db)
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
            try await row.storeNew(on: db)
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
