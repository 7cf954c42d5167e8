import Fluent
import Foundation
import Testing
import VaporTesting

@testable import OneStopServer

/// A browser: keeps cookies between requests and reads the CSRF token out of pages.
final class Browser: @unchecked Sendable {
    let t: TestContext
    var cookies: [String: String] = [:]

    init(_ t: TestContext) { self.t = t }

    func request(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil) async throws -> TestingHTTPResponse {
        let cookieHeader = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let res = try await t.app.testing().sendRequest(method, path) { req in
            if !cookieHeader.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookieHeader) }
            if let form { try req.content.encode(form, as: .urlEncodedForm) }
        }
        for header in res.headers[.setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if header.contains("Expires=Thu, 01 Jan 1970") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return res
    }

    func csrf(from path: String) async throws -> String {
        let page = try await request(.GET, path)
        let html = page.body.string
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { throw TestFailure("no CSRF field on \(path)") }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    func signIn(_ username: String = "admin", _ password: String = TestContext.adminPassword) async throws -> TestingHTTPResponse {
        let token = try await csrf(from: "/login")
        return try await request(
            .POST, "/login", form: ["username": username, "password": password, "_csrf": token, "next": "/admin/windows"])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

@Suite("Authentication and security")
struct AuthTests {
    @Test("five wrong passwords lock the account for fifteen minutes", arguments: TestDB.available)
    func lockout(db: TestDB) async throws {
        try await withOneStop(db) { t in
            for _ in 1...4 {
                let r = try await t.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": "wrong-password1"])
                #expect(r.status == .unauthorized)
            }
            let fifth = try await t.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": "wrong-password1"])
            #expect(fifth.status == .tooManyRequests)
            let right = try await t.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword])
            #expect(right.status == .tooManyRequests)
            #expect(right.headers.first(name: "Retry-After") != nil)
            t.clock.advance(15 * 60 + 1)
            _ = try await t.login()
            let locks = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "auth.locked").count()
            #expect(locks == 1)
        }
    }

    @Test("forms without the session's CSRF token are refused and change nothing", arguments: TestDB.available)
    func csrf(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            _ = try await b.csrf(from: "/login")
            let forged = try await b.request(.POST, "/login", form: ["username": "admin", "password": TestContext.adminPassword])
            #expect(forged.status == .forbidden)
            let ok = try await b.signIn()
            #expect(ok.status == .seeOther)
            #expect(ok.headers.first(name: .location) == "/admin/windows")
            let county = try await t.centerID(code: "DL010200")
            let form = ["centerID": county.uuidString, "number": "40", "name": "夜间窗口", "kind": "comprehensive", "isOpen": "on"]
            let noToken = try await b.request(.POST, "/admin/windows/new", form: form)
            #expect(noToken.status == .forbidden)
            #expect(try await WindowModel.query(on: t.app.db).filter(\.$number == 40).count() == 0)
            var withToken = form
            withToken["_csrf"] = try await b.csrf(from: "/admin/windows/new")
            let saved = try await b.request(.POST, "/admin/windows/new", form: withToken)
            #expect(saved.status == .seeOther)
            #expect(try await WindowModel.query(on: t.app.db).filter(\.$number == 40).count() == 1)
        }
    }

    @Test("a session ends after the idle limit", arguments: TestDB.available)
    func idle(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            _ = try await b.signIn()
            #expect(try await b.request(.GET, "/admin/centers").status == .ok)
            t.clock.advance(31 * 60)
            let after = try await b.request(.GET, "/admin/centers")
            #expect(after.status == .seeOther)
            #expect(after.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test("session cookies are HttpOnly and SameSite; pages carry security headers", arguments: [TestDB.sqlite])
    func headers(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            let res = try await b.signIn()
            let cookie = res.headers[.setCookie].first { $0.hasPrefix("onestop_session=") } ?? ""
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            let page = try await b.request(.GET, "/admin/centers")
            #expect(page.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test("device tokens are scoped to their role and stop working when revoked", arguments: TestDB.available)
    func devices(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let window = try await WindowModel.query(on: t.app.db).filter(\.$centerID == county).first()!.requireID()
            let noWindow = try await t.send(
                .POST, "/api/v1/devices", token: admin,
                json: ["label": "5号窗评价器", "role": "window_evaluator", "centerID": county.uuidString])
            #expect(noWindow.problem?.errors?.map(\.code) == ["device.windowRequired"])
            let made = try await t.send(
                .POST, "/api/v1/devices", token: admin,
                json: ["label": "5号窗评价器", "role": "window_evaluator", "centerID": county.uuidString, "windowID": window.uuidString])
            let device = try made.content.decode(DeviceDTO.self)
            let token = try #require(device.token)
            #expect(try await t.send(.GET, "/openapi.json", token: token).status == .ok)
            let denied = try await t.send(.GET, "/api/v1/windows", token: token)
            #expect(denied.status == .forbidden)
            _ = try await t.send(.POST, "/api/v1/devices/\(device.id)/revoke", token: admin)
            #expect(try await t.send(.GET, "/openapi.json", token: token).status == .unauthorized)
            let listed = try await t.send(.GET, "/api/v1/devices", token: admin).content.decode([DeviceDTO].self)
            #expect(listed.allSatisfy { $0.token == nil })
        }
    }

    @Test("logout revokes the API token", arguments: [TestDB.sqlite])
    func logout(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            #expect(try await t.send(.POST, "/api/v1/auth/logout", token: token).status == .noContent)
            #expect(try await t.send(.GET, "/api/v1/centers", token: token).status == .unauthorized)
        }
    }

    @Test("bad settings stop start-up naming the variable")
    func settings() {
        #expect(throws: Settings.Problem.self) { try Settings.fromEnvironment(["ONESTOP_PORT": "eighty"]) }
        do {
            _ = try Settings.fromEnvironment(["ONESTOP_DATABASE_URL": "mysql://x"])
            Issue.record("must fail")
        } catch {
            #expect(error.variable == "ONESTOP_DATABASE_URL")
        }
        do {
            _ = try Settings.fromEnvironment(["ONESTOP_ADMIN_PASSWORD": "short"])
            Issue.record("must fail")
        } catch {
            #expect(error.variable == "ONESTOP_ADMIN_PASSWORD")
        }
        let s = try? Settings.fromEnvironment(["ONESTOP_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db", "ONESTOP_PORT": "9000"])
        #expect(s?.port == 9000)
        #expect(s?.database == .postgres(url: "postgres://u:p@127.0.0.1:5432/db", schema: nil))
        #expect(s?.reloadTemplates == false)
        #expect((try? Settings.fromEnvironment(["ONESTOP_RELOAD_TEMPLATES": "yes"]))?.reloadTemplates == true)
        #expect(throws: Settings.Problem.self) { try Settings.fromEnvironment(["ONESTOP_RELOAD_TEMPLATES": "sometimes"]) }
    }
}
