import Fluent
import Foundation
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Organisation API")
struct OrganisationAPITests {
    @Test("an admin creates a window and sees it listed; the change is audited", arguments: TestDB.available)
    func createWindow(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let before = try await AuditEntryModel.query(on: t.app.db).count()
            let res = try await t.send(
                .POST, "/api/v1/windows", token: token,
                json: ["centerID": county.uuidString, "number": "21", "name": "不动产综合窗口", "kind": "comprehensive"].jsonNumber("number"))
            #expect(res.status == .created, "\(res.body.string)")
            let list = try await t.send(.GET, "/api/v1/windows?centerID=\(county)", token: token)
            let windows = try list.content.decode([WindowDTO].self)
            #expect(windows.contains { $0.number == 21 && $0.name == "不动产综合窗口" && $0.isOpen })
            let entries = try await AuditEntryModel.query(on: t.app.db).sort(\.$id, .descending).all()
            #expect(entries.count == before + 1)
            #expect(entries.first?.action == "window.create")
            #expect(entries.first?.actor == "user:admin")
        }
    }

    @Test("a bad center names every field in Chinese by default, in English on request, and saves nothing", arguments: TestDB.available)
    func validation(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let count = try await CenterModel.query(on: t.app.db).count()
            let audit = try await AuditEntryModel.query(on: t.app.db).count()
            let body = ["name": "", "code": "bad code", "level": "galaxy", "phone": "12"]
            let zh = try await t.send(.POST, "/api/v1/centers", token: token, json: body)
            #expect(zh.status == .unprocessableEntity)
            #expect(zh.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            let errors = zh.problem?.errors ?? []
            #expect(Set(errors.map(\.field)) == ["name", "code", "level", "phone"])
            #expect(errors.first { $0.field == "name" }?.message == "名称：必填")
            let en = try await t.send(.POST, "/api/v1/centers", token: token, json: body, headers: ["Accept-Language": "en-GB"])
            #expect(en.problem?.errors?.first { $0.field == "name" }?.message == "Name: required")
            #expect(try await CenterModel.query(on: t.app.db).count() == count)
            #expect(try await AuditEntryModel.query(on: t.app.db).count() == audit)
        }
    }

    @Test("window numbers are unique per center and departments must belong to it", arguments: TestDB.available)
    func windowRules(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let town = try await t.centerID(code: "DL010201")
            let dept = try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == county).first()!.requireID()
            let dup = try await t.send(
                .POST, "/api/v1/windows", token: token,
                json: ["centerID": county.uuidString, "number": "5", "name": "x", "kind": "comprehensive"].jsonNumber("number"))
            #expect(dup.problem?.errors?.map(\.code) == ["window.numberTaken"])
            let foreign = try await t.send(
                .POST, "/api/v1/windows", token: token,
                json: [
                    "centerID": town.uuidString, "number": "9", "name": "x", "kind": "department",
                    "departmentID": dept.uuidString,
                ].jsonNumber("number"))
            #expect(foreign.problem?.errors?.map(\.field) == ["departmentID"])
        }
    }

    @Test("staff ID numbers are checked and never leave the server whole", arguments: TestDB.available)
    func staffMasking(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let bad = try await t.send(
                .POST, "/api/v1/staff", token: token,
                json: ["centerID": county.uuidString, "name": "赵敏", "jobNumber": "SQ900", "post": "受理员", "idNumber": "110105194912310021"])
            #expect(bad.problem?.errors?.map(\.code) == ["id.checkDigit"])
            let good = try await t.send(
                .POST, "/api/v1/staff", token: token,
                json: [
                    "centerID": county.uuidString, "name": "赵敏", "jobNumber": "SQ900", "post": "受理员",
                    "idNumber": "11010519491231002X", "phone": "13812345678",
                ])
            #expect(good.status == .created)
            #expect(!good.body.string.contains("11010519491231002X"))
            #expect(!good.body.string.contains("13812345678"))
            let staff = try good.content.decode(StaffDTO.self)
            #expect(staff.idNumberMasked == "110***********002X")
            #expect(staff.phoneMasked == "138****5678")
            let profile = try await t.send(.GET, "/staff/\(staff.id)")
            #expect(profile.status == .ok)
            #expect(profile.body.string.contains("赵敏"))
            #expect(!profile.body.string.contains("13812345678"))
            #expect(!profile.body.string.contains("138****5678"))
            #expect(!profile.body.string.contains("002X"))
        }
    }

    @Test("a county administrator sees and changes only its own subtree", arguments: TestDB.available)
    func scoping(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let province = try await t.centerID(code: "DL000000")
            let made = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "county_admin", "displayName": "县管理员", "password": "County12345",
                    "role": "center_admin", "centerID": county.uuidString,
                ])
            #expect(made.status == .created, "\(made.body.string)")
            let token = try await t.login("county_admin", "County12345")
            let centers = try await t.send(.GET, "/api/v1/centers", token: token).content.decode([CenterDTO].self)
            #expect(Set(centers.map(\.code)) == ["DL010200", "DL010201", "DL010202", "DL01020101"])
            let up = try await t.send(
                .POST, "/api/v1/windows", token: token,
                json: ["centerID": province.uuidString, "number": "30", "name": "x", "kind": "comprehensive"].jsonNumber("number"))
            #expect(up.problem?.errors?.map(\.code) == ["invalidReference"])
            let peek = try await t.send(.GET, "/api/v1/staff?centerID=\(province)", token: token)
            #expect(peek.status == .forbidden)
        }
    }

    @Test("a center cannot be moved under its own descendant", arguments: TestDB.available)
    func cycle(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let town = try await t.centerID(code: "DL010201")
            let res = try await t.send(
                .PUT, "/api/v1/centers/\(county)", token: token,
                json: ["name": "石桥县政务服务中心", "code": "DL010200", "level": "county", "parentID": town.uuidString])
            #expect(res.problem?.errors?.map(\.code).contains("center.cycle") == true)
        }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The same body with one field sent as a JSON number.
    func jsonNumber(_ key: String) -> [String: JSONValue] {
        var out = mapValues { JSONValue.string($0) }
        if let v = self[key], let n = Double(v) { out[key] = .number(n) }
        return out
    }
}
