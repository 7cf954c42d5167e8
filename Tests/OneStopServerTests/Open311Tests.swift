import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

/// Open311 GeoReport v2 requests with administrator-issued keys, and the dispatch directory's page
/// (issue 20).
@Suite("Open311 requests and the dispatch directory")
struct Open311Tests {
    typealias Desk = WorkOrderTests.Desk

    struct Created: Decodable {
        var serviceRequestId: String
        var serviceNotice: String
        var accountId: String?
    }
    struct Listed: Decodable {
        var serviceRequestId: String
        var status: String
        var statusNotes: String?
        var serviceName: String?
        var serviceCode: String
        var description: String?
        var agencyResponsible: String?
        var requestedDatetime: String
        var expectedDatetime: String?
        var address: String?
        var lat: Double?
        var long: Double?
        var mediaUrl: String?
    }
    struct Problem: Decodable {
        var code: Int
        var description: String
    }
    struct Service: Decodable {
        var serviceCode: String
        var serviceName: String
        var group: String
    }
    struct Key: Decodable {
        var id: UUID
        var prefix: String
        var key: String?
        var revokedAt: Date?
    }

    /// The spec's snake_case names.
    static func decode<T: Decodable>(_ res: TestingHTTPResponse, _ type: T.Type) throws -> T {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return try d.decode(type, from: Data(res.body.readableBytesView))
    }

    /// A form-encoded request, as the spec's clients send it.
    static func form(_ t: TestContext, _ path: String, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        try await t.app.testing().sendRequest(.POST, path) { req in try req.content.encode(fields, as: .urlEncodedForm) }
    }

    @Test(
        "a key issued by an administrator sends requests that become work orders; the list and the request read as the spec has them, nothing of the caller in them",
        arguments: TestDB.available)
    func requests(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            // The key: issued once, listed by its prefix, audited without itself.
            var res = try await t.send(.POST, "/api/v1/open311-keys", token: d.admin, json: ["center": "DL010200", "name": "市民通 App"])
            #expect(res.status == .created, "\(res.body.string)")
            let issued = try Self.decode(res, Key.self)
            let key = try #require(issued.key)
            #expect(key.hasPrefix(issued.prefix))
            let listed = try await t.send(.GET, "/api/v1/open311-keys?center=DL010200", token: d.admin)
            #expect(try Self.decode(listed, [Key].self).map(\.key) == [nil] && !listed.body.string.contains(key))
            #expect(try await t.send(.GET, "/api/v1/open311-keys", token: d.hotline).status == .forbidden)
            #expect(try await AuditEntryModel.query(on: t.app.db).all().allSatisfy { !$0.detail.contains(key) })
            // A complaint category of the directory, listed beside the catalog's items.
            struct Rule: Content {
                var center = "DL010200"
                var departmentID: UUID
                var duty = "食品安全投诉"
                var keywords = ["食品", "餐馆"]
                var serviceCode = "food-safety"
            }
            res = try await t.send(.POST, "/api/v1/dispatch-rules", token: d.admin, json: Rule(departmentID: d.scjg))
            #expect(res.status == .created, "\(res.body.string)")
            let services = try Self.decode(try await t.send(.GET, "/open311/v2/services.json?jurisdiction_id=DL010200"), [Service].self)
            #expect(services.first?.serviceCode == "food-safety" && services.first?.group == Open311Services.categoryGroup)
            let item = try #require(services.first { $0.group != Open311Services.categoryGroup })
            let definition = try await t.send(.GET, "/open311/v2/services/food-safety.json")
            #expect(definition.status == .ok && definition.body.string.contains("singlevaluelist"), "\(definition.body.string)")

            // Refusals, each the spec's list of errors, nothing written.
            let path = "/open311/v2/requests.json"
            res = try await Self.form(t, path, ["service_code": "food-safety", "lat": "30.1", "long": "120.2", "description": "x"])
            let denied = try Self.decode(res, [Problem].self)
            #expect(res.status == .forbidden && denied.first?.code == 403)
            res = try await Self.form(t, path, ["api_key": key, "service_code": "food-safety"])
            #expect(res.status == .badRequest)
            #expect(
                Set(try Self.decode(res, [Problem].self).map(\.description).map { String($0.prefix(4)) }).count == 2, "\(res.body.string)"
            )
            res = try await Self.form(
                t, path, ["api_key": key, "service_code": "nothing", "address_string": "中山路 1 号", "description": "x"])
            #expect(res.status == .badRequest && res.body.string.contains("service_code"))
            res = try await Self.form(
                t, path, ["api_key": key, "service_code": "food-safety", "address_string": "中山路 1 号", "description": "餐馆卫生差"])
            #expect(res.status == .badRequest && res.body.string.contains("phone"), "a complaint is owed a reply: \(res.body.string)")
            res = try await Self.form(
                t, path,
                [
                    "api_key": key, "service_code": "food-safety", "lat": "95", "long": "120", "description": "x",
                    "attribute[kind]": "report",
                ])
            #expect(res.status == .badRequest && res.body.string.contains("lat") && res.body.string.contains("attribute[kind]"))
            res = try await Self.form(
                t, path,
                ["api_key": key, "jurisdiction_id": "NOPE", "service_code": "food-safety", "lat": "30", "long": "120", "description": "x"])
            #expect(res.status == .badRequest && res.body.string.contains("jurisdiction_id"))
            #expect(try await WorkOrderModel.query(on: t.app.db).count() == 0)

            // A complaint with a place and a contact; a suggestion about an item without one.
            res = try await Self.form(
                t, path,
                [
                    "api_key": key, "service_code": "food-safety", "lat": "36.8131", "long": "118.0549", "address_string": "中山路 1 号",
                    "first_name": "小明", "last_name": "王", "phone": "13800138099", "email": "wang@example.org",
                    "description": "中山路餐馆后厨卫生差", "media_url": "https://example.org/p/1.jpg",
                ])
            #expect(res.status == .created, "\(res.body.string)")
            let made = try #require(try Self.decode(res, [Created].self).first)
            #expect(made.serviceRequestId.hasPrefix("GD") && made.accountId == nil && res.body.string.contains("\"account_id\":null"))
            res = try await Self.form(
                t, path,
                [
                    "api_key": key, "service_code": item.serviceCode, "address_string": "政务大厅", "description": "希望周末也能办理",
                    "attribute[kind]": "suggestion",
                ])
            #expect(res.status == .created, "\(res.body.string)")
            let suggestion = try #require(try Self.decode(res, [Created].self).first)
            let order = try #require(try await WorkOrderModel.query(on: t.app.db).filter(\.$number == made.serviceRequestId).first())
            #expect(order.channel == "open311" && order.kind == "complaint" && order.serviceCode == "food-safety" && order.lat == 36.8131)
            #expect(order.callerEmail == "wang@example.org" && order.sealedCallerEmail != "wang@example.org" && order.callerName == "王 小明")
            #expect(order.open311KeyID == issued.id && order.mediaURL == "https://example.org/p/1.jpg")
            let other = try #require(
                try await WorkOrderModel.query(on: t.app.db).filter(\.$number == suggestion.serviceRequestId).first())
            #expect(other.kind == "suggestion" && other.anonymous && other.itemID != nil)
            // A web-form order is no Open311 request.
            try await d.take(["kind": "suggestion", "callerPhone": "13800138077", "text": "大厅太冷"])

            // The list: both requests, open, and nothing of the caller.
            res = try await t.send(.GET, path)
            #expect(res.status == .ok, "\(res.body.string)")
            var all = try Self.decode(res, [Listed].self)
            #expect(Set(all.map(\.serviceRequestId)) == [made.serviceRequestId, suggestion.serviceRequestId])
            #expect(all.allSatisfy { $0.status == "open" && $0.requestedDatetime.hasSuffix("+08:00") })
            for secret in ["13800138099", "wang@example.org", "小明"] { #expect(!res.body.string.contains(secret)) }
            #expect(all.first { $0.serviceCode == "food-safety" }?.serviceName == "食品安全投诉")

            // Handled: dispatched, signed, replied (the reply is the status notes), then closed by the call-back.
            let id = try order.requireID()
            try await d.step(id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            try await d.step(id, "sign", token: d.chief)
            try await d.step(id, "reply", ["reply": "已责令整改并复查"], token: d.chief)
            var one = try Self.decode(try await t.send(.GET, "/open311/v2/requests/\(made.serviceRequestId).json"), [Listed].self)
            #expect(one.first?.status == "open" && one.first?.statusNotes == "已责令整改并复查" && one.first?.agencyResponsible != nil)
            #expect(one.first?.expectedDatetime != nil && one.first?.mediaUrl == "https://example.org/p/1.jpg")
            struct CallBack: Content { var reached = true; var satisfaction = "satisfied"; var solved = true; var note = "" }
            #expect(try await t.send(.POST, "/api/v1/work-orders/\(id)/call-back", token: d.hotline, json: CallBack()).status == .ok)
            one = try Self.decode(try await t.send(.GET, "/open311/v2/requests/\(made.serviceRequestId).json"), [Listed].self)
            #expect(one.first?.status == "closed")
            all = try Self.decode(try await t.send(.GET, path + "?status=closed"), [Listed].self)
            #expect(all.map(\.serviceRequestId) == [made.serviceRequestId])
            all = try Self.decode(
                try await t.send(.GET, path + "?service_code=\(item.serviceCode)&jurisdiction_id=DL010200"), [Listed].self)
            #expect(all.map(\.serviceRequestId) == [suggestion.serviceRequestId])
            all = try Self.decode(try await t.send(.GET, path + "?end_date=2020-01-01T00:00:00Z"), [Listed].self)
            #expect(all.isEmpty, "the default window is the 90 days before end_date")
            res = try await t.send(.GET, "/open311/v2/requests/GD20000101999.json")
            let missing = try Self.decode(res, [Problem].self)
            #expect(res.status == .notFound && missing.first?.code == 404)
            res = try await t.send(.GET, path + "?start_date=yesterday&status=pending")
            let bad = try Self.decode(res, [Problem].self)
            #expect(res.status == .badRequest && bad.count == 2)

            // Revoked: refused.
            #expect(try await t.send(.POST, "/api/v1/open311-keys/\(issued.id)/revoke", token: d.admin).status == .ok)
            res = try await Self.form(
                t, path, ["api_key": key, "service_code": "food-safety", "lat": "30", "long": "120", "description": "x"])
            #expect(res.status == .forbidden)
        }
    }

    @Test(
        "the directory's page adds a duty from typed lists, refuses one without a department and removes one; the key page shows a key once",
        arguments: TestDB.available)
    func pages(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let web = Browser(t)
            _ = try await web.signIn()
            let county = d.county.uuidString
            let csrf = try await web.csrf(from: "/admin/dispatch-rules?center=\(county)")
            var res = try await web.request(
                .POST, "/admin/dispatch-rules", form: ["_csrf": csrf, "center": county, "duty": "户籍咨询", "keywords": "户口，身份证、迁移"])
            #expect(res.status == .unprocessableEntity && res.body.string.contains("error-summary"))
            #expect(try await DispatchRuleModel.query(on: t.app.db).count() == 0)
            res = try await web.request(
                .POST, "/admin/dispatch-rules",
                form: ["_csrf": csrf, "center": county, "departmentID": d.ga.uuidString, "duty": "户籍咨询", "keywords": "户口，身份证、迁移"])
            #expect(res.status == .seeOther || res.status == .found, "\(res.body.string)")
            let rule = try #require(try await DispatchRuleModel.query(on: t.app.db).first())
            #expect(rule.keywords == "户口,身份证,迁移" && rule.departmentID == d.ga)
            let page = try await web.request(.GET, "/admin/dispatch-rules?center=\(county)")
            #expect(page.status == .ok && page.body.string.contains("户口、身份证、迁移"))
            res = try await web.request(.POST, "/admin/dispatch-rules/\(rule.id!)/delete", form: ["_csrf": csrf])
            #expect(res.status == .seeOther || res.status == .found)
            #expect(try await DispatchRuleModel.query(on: t.app.db).count() == 0)

            res = try await web.request(.POST, "/admin/open311", form: ["_csrf": csrf, "center": county, "name": ""])
            #expect(res.status == .unprocessableEntity)
            res = try await web.request(.POST, "/admin/open311", form: ["_csrf": csrf, "center": county, "name": "市民通"])
            #expect(res.status == .ok && res.body.string.contains("id=\"open311-key\"") && res.headers.cacheControl?.noStore == true)
            let again = try await web.request(.GET, "/admin/open311?center=\(county)")
            #expect(again.body.string.contains("市民通") && !again.body.string.contains("id=\"open311-key\""))
        }
    }
}
