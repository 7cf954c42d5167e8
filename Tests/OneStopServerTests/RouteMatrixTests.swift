import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Role × route matrix")
struct RouteMatrixTests {
    /// Signs in one principal of every role (people by password, devices by token).
    static func principals(_ t: TestContext) async throws -> [Role: String] {
        let admin = try await t.login()
        let county = try await t.centerID(code: "DL010200")
        let dept = try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == county).first()!.requireID()
        let window = try await WindowModel.query(on: t.app.db).filter(\.$centerID == county).first()!.requireID()
        var tokens: [Role: String] = [.centerAdmin: admin]
        for role in Role.people where role != .centerAdmin {
            let name = "u_" + role.rawValue
            let res = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": name, "displayName": name, "password": "Passw0rd-\(role.rawValue)", "role": role.rawValue,
                    "centerID": county.uuidString, "departmentID": dept.uuidString,
                ])
            #expect(res.status == .created, "\(res.body.string)")
            tokens[role] = try await t.login(name, "Passw0rd-\(role.rawValue)")
        }
        for role in Role.devices {
            let res = try await t.send(
                .POST, "/api/v1/devices", token: admin,
                json: [
                    "label": role.rawValue, "role": role.rawValue, "centerID": county.uuidString, "windowID": window.uuidString,
                ])
            tokens[role] = try res.content.decode(DeviceDTO.self).token
        }
        return tokens
    }

    @Test("every route declares its roles, and no role it does not name gets through")
    func matrix() async throws {
        try await withOneStop(.sqlite) { t in
            let tokens = try await Self.principals(t)
            // Signing out revokes the token that asked, so those routes go last.
            let all = t.app.routes.all
            let routes = all.filter { !$0.pathString.hasSuffix("logout") } + all.filter { $0.pathString.hasSuffix("logout") }
            #expect(routes.count > 40)
            for route in routes {
                guard let access = route.access else {
                    Issue.record("route \(route.method) \(route.pathString) declares no roles")
                    continue
                }
                let path =
                    "/"
                    + route.path.map { c -> String in
                        guard case .parameter(let name) = c else { return c.description }
                        return name == "date" ? "2026-10-01" : name == "code" ? "en" : UUID().uuidString
                    }.joined(separator: "/")
                let anonymous = try await t.send(route.method, path)
                if case .roles = access {
                    #expect(
                        [.unauthorized, .seeOther].contains(anonymous.status),
                        "anonymous reached \(route.method) \(path): \(anonymous.status)")
                } else {
                    #expect(anonymous.headers.first(name: "X-OneStop-Denied") == nil)
                }
                for role in Role.allCases {
                    let res = try await t.send(route.method, path, token: tokens[role])
                    let deniedForRole = res.headers.first(name: "X-OneStop-Denied") == "role"
                    #expect(res.status != .unauthorized, "\(role) token refused on \(route.method) \(path)")
                    #expect(
                        deniedForRole == !access.admits(role),
                        "\(role) on \(route.method) \(route.pathString): admitted=\(access.admits(role)) status=\(res.status)")
                }
            }
        }
    }
}

@Suite("OpenAPI")
struct OpenAPITests {
    static let required = [
        "login", "logout", "listCenters", "createCenter", "listDepartments", "createDepartment", "listWindows",
        "createWindow", "listStaff", "createStaff", "getCalendarDay", "addWorkingDays", "countWorkingDays", "getCalendarYears",
        "listCalendarRetimings", "listAuditEntries",
        "listItems", "getItem", "searchItems", "createItem", "updateItem", "publishItem", "withdrawItem", "importItems", "exportItems",
        "listBundles", "getBundle", "listItemFiles", "uploadItemFile", "deleteItemFile", "issueTicket", "getTicket", "callNext",
        "recallTicket", "skipTicket", "callTicket", "transferTicket", "parkTicket", "resumeTicket", "startService", "finishService",
        "rateVisit", "queueStatus", "listSlots", "bookAppointment", "cancelAppointment", "checkIn", "registerApplicant",
        "submitApplication", "getCase", "trackCase", "acceptCase", "requestSupplement", "supplyMaterials", "refuseCase", "suspendCase",
        "resumeCase", "extendCase", "decideCase", "deliverCase", "listCaseNotices", "getNotice", "listWarnings", "listCards", "explainCard",
        "addCaseTask", "completeCaseTask", "setAuthorisations", "createInquiry", "answerInquiry", "handOverInquiry", "createAgentProject",
        "addCaseToProject",
    ]

    @Test("the document names every API route and only those, with the required operationIds")
    func agrees() async throws {
        try await withOneStop(.sqlite) { t in
            let res = try await t.send(.GET, "/openapi.json")
            let doc = try JSONDecoder().decode(JSONValue.self, from: Data(res.body.readableBytesView))
            #expect(doc["openapi"] == "3.1.0")
            guard case .object(let paths)? = doc["paths"] else { Issue.record("no paths"); return }
            var documented: Set<String> = []
            var ids: [String] = []
            for (path, item) in paths {
                guard case .object(let ops) = item else { continue }
                for (method, op) in ops {
                    documented.insert("\(method.uppercased()) \(path)")
                    if case .string(let id)? = op["operationId"] { ids.append(id) }
                }
            }
            #expect(Set(ids).count == ids.count, "operationIds must be unique")
            for id in Self.required { #expect(ids.contains(id), "missing operationId \(id)") }
            let apiRoutes = t.app.routes.all.filter { $0.pathString.hasPrefix("/api/") }
            let served = Set(
                apiRoutes.map { r in
                    "\(r.method.rawValue) /"
                        + r.path.map { c -> String in
                            if case .parameter(let n) = c { return "{\(n)}" }
                            return c.description
                        }.joined(separator: "/")
                })
            #expect(served == documented)
        }
    }
}
