import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/api/v1` for centers, departments, windows, staff, users and devices.
enum OrgAPIController {
    static func register(_ api: any RoutesBuilder) {
        let centerQuery = [APIOperation.QueryParameter(name: "centerID", type: "string", description: "only this center")]
        api.endpoint(
            .GET, "centers", access: .staff,
            operation: .init(
                id: "listCenters", summary: "Centers in the caller's scope, tree order", tag: "Organisation", response: "Center",
                responseIsList: true)
        ) { req in
            let scope = try await req.scope()
            let rows = try await CenterModel.query(on: req.db).filter(\.$id ~~ Array(scope.centers)).all()
            let order = Dictionary(uniqueKeysWithValues: scope.tree.ordered().enumerated().map { ($1.node.id, $0) })
            return rows.sorted { (order[$0.id!] ?? 0) < (order[$1.id!] ?? 0) }.map(CenterDTO.init)
        }
        api.endpoint(
            .POST, "centers", access: .admins,
            operation: .init(
                id: "createCenter", summary: "Create a center under one in the caller's scope", tag: "Organisation", request: "CenterInput",
                response: "Center", successStatus: 201)
        ) { req in
            try await created(CenterDTO(CenterService.create(req.content.decode(CenterInput.self), req: req)), req)
        }
        api.endpoint(
            .PUT, "centers", ":id", access: .admins,
            operation: .init(
                id: "updateCenter", summary: "Change a center", tag: "Organisation", request: "CenterInput", response: "Center")
        ) { req in
            CenterDTO(try await CenterService.update(try req.uuid("id"), req.content.decode(CenterInput.self), req: req))
        }

        api.endpoint(
            .GET, "departments", access: .staff,
            operation: .init(
                id: "listDepartments", summary: "Departments stationed in the caller's centers", tag: "Organisation",
                response: "Department", responseIsList: true, query: centerQuery)
        ) { req in
            let centers = try await req.listedCenters()
            return try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$code).all().map(DepartmentDTO.init)
        }
        api.endpoint(
            .POST, "departments", access: .admins,
            operation: .init(
                id: "createDepartment", summary: "Station a department in a center", tag: "Organisation", request: "DepartmentInput",
                response: "Department", successStatus: 201)
        ) { req in
            try await created(DepartmentDTO(DepartmentService.save(req.content.decode(DepartmentInput.self), existing: nil, req: req)), req)
        }
        api.endpoint(
            .PUT, "departments", ":id", access: .admins,
            operation: .init(
                id: "updateDepartment", summary: "Change a department", tag: "Organisation", request: "DepartmentInput",
                response: "Department")
        ) { req in
            DepartmentDTO(try await DepartmentService.save(req.content.decode(DepartmentInput.self), existing: req.uuid("id"), req: req))
        }

        api.endpoint(
            .GET, "windows", access: .staff,
            operation: .init(
                id: "listWindows", summary: "Windows of the caller's centers", tag: "Organisation", response: "Window",
                responseIsList: true, query: centerQuery)
        ) { req in
            let centers = try await req.listedCenters()
            return try await WindowModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$number).all().map(WindowDTO.init)
        }
        api.endpoint(
            .POST, "windows", access: .admins,
            operation: .init(
                id: "createWindow", summary: "Create a window", tag: "Organisation", request: "WindowInput", response: "Window",
                successStatus: 201)
        ) { req in
            try await created(WindowDTO(WindowService.save(req.content.decode(WindowInput.self), existing: nil, req: req)), req)
        }
        api.endpoint(
            .PUT, "windows", ":id", access: .admins,
            operation: .init(
                id: "updateWindow", summary: "Change a window, or open or close it", tag: "Organisation", request: "WindowInput",
                response: "Window")
        ) { req in
            WindowDTO(try await WindowService.save(req.content.decode(WindowInput.self), existing: req.uuid("id"), req: req))
        }

        api.endpoint(
            .GET, "staff", access: .staff,
            operation: .init(
                id: "listStaff", summary: "Staff of the caller's centers (personal numbers masked)", tag: "Organisation", response: "Staff",
                responseIsList: true, query: centerQuery)
        ) { req in
            let centers = try await req.listedCenters()
            return try await StaffModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$jobNumber).all().map(StaffDTO.init)
        }
        api.endpoint(
            .POST, "staff", access: .admins,
            operation: .init(
                id: "createStaff", summary: "Add a staff member", tag: "Organisation", request: "StaffInput", response: "Staff",
                successStatus: 201)
        ) { req in
            try await created(StaffDTO(StaffService.save(req.content.decode(StaffInput.self), existing: nil, req: req)), req)
        }
        api.endpoint(
            .PUT, "staff", ":id", access: .admins,
            operation: .init(
                id: "updateStaff", summary: "Change a staff member; empty phone or ID number keeps the stored one", tag: "Organisation",
                request: "StaffInput", response: "Staff")
        ) { req in
            StaffDTO(try await StaffService.save(req.content.decode(StaffInput.self), existing: req.uuid("id"), req: req))
        }
        api.endpoint(
            .PUT, "staff", ":id", "photo", access: .admins,
            operation: .init(
                id: "uploadStaffPhoto", summary: "Set a staff member's photo (JPEG or PNG, at most 2 MB)", tag: "Organisation",
                request: "StaffPhoto", successStatus: 204),
            body: .collect(maxSize: "3mb")
        ) { req -> HTTPStatus in
            let bytes = req.body.data.map { Array($0.readableBytesView) } ?? []
            try await StaffPhotoService.store(staff: req.uuid("id"), bytes: bytes, req: req)
            return .noContent
        }
        api.endpoint(
            .GET, "staff", ":id", "profile", access: .public,
            operation: .init(
                id: "getStaffProfile", summary: "A staff member's public profile (五亮)", tag: "Public", response: "StaffProfile")
        ) { req in
            try await StaffProfile.load(req.uuid("id"), today: HallClock.day(req.now), on: req.db)
        }

        api.endpoint(
            .GET, "users", access: .admins,
            operation: .init(
                id: "listUsers", summary: "Accounts of the caller's centers", tag: "Accounts", response: "User", responseIsList: true,
                query: centerQuery)
        ) { req in
            let centers = try await req.listedCenters()
            let now = req.now
            return try await UserModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$username).all().map {
                UserDTO($0, now: now)
            }
        }
        api.endpoint(
            .POST, "users", access: .admins,
            operation: .init(
                id: "createUser", summary: "Create an account with a role", tag: "Accounts", request: "UserInput", response: "User",
                successStatus: 201)
        ) { req in
            try await created(UserDTO(UserService.save(req.content.decode(UserInput.self), existing: nil, req: req), now: req.now), req)
        }
        api.endpoint(
            .PUT, "users", ":id", access: .admins,
            operation: .init(
                id: "updateUser", summary: "Change an account; empty password keeps the old one", tag: "Accounts", request: "UserInput",
                response: "User")
        ) { req in
            UserDTO(try await UserService.save(req.content.decode(UserInput.self), existing: req.uuid("id"), req: req), now: req.now)
        }
        api.endpoint(
            .POST, "users", ":id", "unlock", access: .admins,
            operation: .init(id: "unlockUser", summary: "Lift a sign-in lockout", tag: "Accounts", response: "User")
        ) { req in
            UserDTO(try await UserService.change(req.uuid("id"), .unlock, req: req), now: req.now)
        }

        api.endpoint(
            .GET, "devices", access: .admins,
            operation: .init(
                id: "listDevices", summary: "Kiosks, hall displays and window evaluators", tag: "Accounts", response: "Device",
                responseIsList: true, query: centerQuery)
        ) { req in
            let centers = try await req.listedCenters()
            return try await DeviceModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$label).all().map { DeviceDTO($0) }
        }
        api.endpoint(
            .POST, "devices", access: .admins,
            operation: .init(
                id: "createDevice", summary: "Register a device; the answer holds its bearer token, shown once", tag: "Accounts",
                request: "DeviceInput", response: "Device", successStatus: 201)
        ) { req in
            let (row, token) = try await DeviceService.create(req.content.decode(DeviceInput.self), req: req)
            return try await created(DeviceDTO(row, token: token), req)
        }
        api.endpoint(
            .POST, "devices", ":id", "revoke", access: .admins,
            operation: .init(id: "revokeDevice", summary: "Revoke a device's token", tag: "Accounts", response: "Device")
        ) { req in
            DeviceDTO(try await DeviceService.revoke(req.uuid("id"), req: req))
        }
    }

    static func created<T: Content>(_ value: T, _ req: Request) async throws -> Response {
        let response = try await APIJSON.response(value, for: req)
        response.status = .created
        return response
    }
}

extension Request {
    func uuid(_ name: String) throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw Abort(.notFound) }
        return id
    }

    /// The centers a list covers: the caller's scope, or one center of it named by `centerID`.
    func listedCenters() async throws -> [UUID] {
        let scope = try await scope()
        if let raw = query[String.self, at: "centerID"], !raw.isEmpty {
            guard let id = UUID(uuidString: raw), scope.contains(id) else { throw Abort(.forbidden, reason: t("auth.outsideScope")) }
            return [id]
        }
        return Array(scope.centers)
    }
}
