import Fluent
import FluentPostgresDriver
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer
@testable import PostgresNIO

@Suite("Housekeeping")
struct HousekeepingTests {
    @Test("sessions are stored under the hash of their cookie and purged when they expire", arguments: TestDB.available)
    func sessions(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let staff = Browser(t)
            _ = try await staff.signIn()
            let cookie = try #require(staff.cookies["onestop_session"])
            let rows = try await SessionRow.query(on: t.app.db).all()
            #expect(!rows.contains { $0.key.string == cookie })
            #expect(rows.contains { $0.key.string == Digest.sha256Hex(cookie) && $0.signedIn })
            // A visitor who only opened a form: a token, nobody signed in.
            let visitor = Browser(t)
            _ = try await visitor.csrf(from: "/login")
            #expect(try await SessionRow.query(on: t.app.db).count() == 2)
            // Still in use: nothing to purge.
            #expect(try await Housekeeping.run(app: t.app, now: t.clock.now) == .init())

            t.clock.advance(31 * 60)
            let idle = try await Housekeeping.run(app: t.app, now: t.clock.now)
            #expect(idle.sessions == 1)
            let left = try await SessionRow.query(on: t.app.db).all()
            #expect(left.count == 1 && left.allSatisfy { !$0.signedIn })
            let purge = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "housekeeping.purge").all()
            #expect(purge.count == 1)
            // The staff's cookie now opens nothing; the visitor's form still works for a day.
            #expect(try await staff.request(.GET, "/admin/centers").status == .seeOther)
            t.clock.advance(24 * 3600)
            #expect(try await Housekeeping.run(app: t.app, now: t.clock.now).sessions >= 1)
            #expect(try await SessionRow.query(on: t.app.db).filter(\.$signedIn == false).count() <= 1)
        }
    }

    @Test("expired API tokens are purged, live ones kept", arguments: TestDB.available)
    func tokens(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let old = try await t.login()
            t.clock.advance(11 * 3600)
            #expect(try await Housekeeping.run(app: t.app, now: t.clock.now).tokens == 0)
            t.clock.advance(2 * 3600)
            #expect(try await Housekeeping.run(app: t.app, now: t.clock.now).tokens == 1)
            #expect(try await APITokenModel.query(on: t.app.db).count() == 0)
            #expect(try await t.send(.GET, "/api/v1/centers", token: old).status == .unauthorized)
            let fresh = try await t.login()
            #expect(try await t.send(.GET, "/api/v1/centers", token: fresh).status == .ok)
        }
    }
}

@Suite("Request shape")
struct RequestShapeTests {
    @Test("query values and nulls the schema does not allow are refused, naming the field", arguments: TestDB.available)
    func shape(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            for bad in ["limit=null", "limit=", "limit=ten", "limit=5&limit=x"] {
                let res = try await t.send(.GET, "/api/v1/cases?\(bad)", token: admin)
                #expect(res.status == .unprocessableEntity, "\(bad)")
                let problem = try #require(res.problem)
                #expect(problem.errors?.map(\.field) == ["limit"], "\(bad)")
                #expect(problem.errors?.first?.message.contains("整数") == true)
            }
            #expect(try await t.send(.GET, "/api/v1/cases?limit=5", token: admin).status == .ok)

            let county = try await t.centerID(code: "DL010200")
            let before = try await WindowModel.query(on: t.app.db).count()
            let res = try await t.app.testing().sendRequest(.POST, "/api/v1/windows") { req in
                req.headers.bearerAuthorization = .init(token: admin)
                req.headers.contentType = .json
                req.body = .init(string: #"{"centerID":"\#(county)","number":41,"name":null,"kind":"comprehensive"}"#)
            }
            #expect(res.status == .unprocessableEntity)
            #expect(res.problem?.errors?.map(\.field) == ["name"])
            #expect(try await WindowModel.query(on: t.app.db).count() == before)
        }
    }
}

extension RequestShapeTests {
    @Test("a target or headers over the limit get 414 and 431", arguments: [TestDB.sqlite])
    func limits(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let long = try await t.send(.GET, "/api/v1/catalog/search?q=" + String(repeating: "a", count: 9000))
            #expect(long.status == .uriTooLong)
            #expect(long.problem?.detail?.contains("8 KB") == true)
            var headers = HTTPHeaders()
            for n in 0..<40 { headers.add(name: "X-Filler-\(n)", value: String(repeating: "b", count: 1000)) }
            #expect(try await t.send(.GET, "/healthz", headers: headers).status == .requestHeaderFieldsTooLarge)
            #expect(try await t.send(.GET, "/healthz").status == .ok)
        }
    }
}

@Suite("Throttling")
struct ThrottleTests {
    @Test("one client address is throttled at sign-in, tracking and public forms, with Retry-After", arguments: TestDB.available)
    func perClient(db: TestDB) async throws {
        try await withOneStop(
            db,
            tune: {
                $0.throttle.signIn = .init(count: 3, seconds: 600)
                $0.throttle.tracking = .init(count: 2, seconds: 3600)
                $0.throttle.forms = .init(count: 5, seconds: 600)
            }
        ) { t in
            func from(_ ip: String) -> HTTPHeaders { ["X-Forwarded-For": ip] }
            let wrong = ["username": "admin", "password": "not-the-password-1"]
            for _ in 0..<3 {
                #expect(try await t.send(.POST, "/api/v1/auth/login", json: wrong, headers: from("203.0.113.5")).status == .unauthorized)
            }
            let refused = try await t.send(.POST, "/api/v1/auth/login", json: wrong, headers: from("203.0.113.5"))
            #expect(refused.status == .tooManyRequests)
            #expect((Int(refused.headers.first(name: .retryAfter) ?? "") ?? 0) > 0)
            #expect(refused.problem?.detail?.contains("登录尝试过于频繁") == true)
            // Another address, and the account itself (4 failures, under its lockout), still sign in.
            let right = ["username": "admin", "password": TestContext.adminPassword]
            #expect(try await t.send(.POST, "/api/v1/auth/login", json: right, headers: from("203.0.113.6")).status == .ok)

            let track = ["number": "DL010200-20260921-9999", "idTail": "0000"]
            for _ in 0..<2 {
                #expect(try await t.send(.POST, "/api/v1/cases/track", json: track, headers: from("198.51.100.7")).status == .notFound)
            }
            let tracked = try await t.send(.POST, "/api/v1/cases/track", json: track, headers: from("198.51.100.7"))
            #expect(tracked.status == .tooManyRequests)
            #expect(tracked.headers.first(name: .retryAfter) != nil)

            let ticket = ["center": "DL010200", "group": "NONE"]
            for _ in 0..<5 {
                #expect(try await t.send(.POST, "/api/v1/tickets", json: ticket, headers: from("192.0.2.9")).status != .tooManyRequests)
            }
            let form = try await t.send(.POST, "/api/v1/tickets", json: ticket, headers: from("192.0.2.9"))
            #expect(form.status == .tooManyRequests)
            #expect(form.problem?.detail?.contains("提交过于频繁") == true)
            // Time passes: the address may send again.
            t.clock.advance(601)
            #expect(try await t.send(.POST, "/api/v1/tickets", json: ticket, headers: from("192.0.2.9")).status != .tooManyRequests)
        }
    }
}

@Suite("Storage faults")
struct StorageFaultTests {
    @Test("a database that cannot be reached or written is answered 503 or 507 with Retry-After, not 500")
    func faults() async throws {
        #expect(StorageFault.of(PSQLError.poolClosed) == .unavailable)
        #expect(StorageFault.of(ConnectionPoolTimeoutError.connectionRequestTimeout) == .unavailable)
        #expect(StorageFault.of(ValidationFailure([])) == nil)
        try await withOneStop(.sqlite) { t in
            let req = Request(application: t.app, url: "/api/v1/windows", on: t.app.eventLoopGroup.next())
            let down = await ErrorResponder().render(PSQLError.poolClosed, for: req)
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers.first(name: .retryAfter) == "5")
            #expect(down.body.string?.contains("数据库暂时无法连接") == true)
            let other = await ErrorResponder().render(TestFailure("boom"), for: req)
            #expect(other.status == .internalServerError)
        }
    }
}
