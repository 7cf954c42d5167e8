import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

/// Two-step verification (issue 18): enrolment by QR code, codes at sign-in on the web and the
/// API, recovery codes, the grace period, the administrator's reset, and the lockout.
@Suite("Two-step sign-in")
struct TwoFactorSignInTests {
    static func required(_ s: inout Settings) { s.twoFactor.mode = .required }

    /// The secret the enrolment page shows, as an app would take it.
    static func secret(_ html: String) throws -> OneStopCore.TOTP {
        guard let r = html.range(of: "id=\"tf-secret\">") else { throw TestFailure("no secret on the page") }
        let text = String(html[r.upperBound...].prefix { $0 != "<" })
        guard let bytes = Base32.decode(text) else { throw TestFailure("the secret is not base32: \(text)") }
        return OneStopCore.TOTP(secret: bytes)
    }

    static func codes(_ html: String) -> [String] {
        html.components(separatedBy: "<li><code>").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    /// Signs the browser in within the grace period and enrols; returns the app and the recovery codes.
    static func enrol(_ b: Browser, _ t: TestContext) async throws -> (OneStopCore.TOTP, [String]) {
        let res = try await b.signIn()
        #expect(res.status == .seeOther)
        #expect(res.headers.first(name: .location) == "/account/two-factor?next=%2Fadmin%2Fwindows")
        let page = try await b.request(.GET, "/account/two-factor?next=%2Fadmin%2Fwindows")
        #expect(page.body.string.contains("id=\"tf-skip\""), "grace lets it skip")
        #expect(page.body.string.contains("<svg"), "a QR code")
        #expect(page.headers.first(name: .cacheControl) == "no-store")
        let totp = try secret(page.body.string)
        let csrf = try await b.csrf(from: "/account/two-factor")
        let wrong = try await b.request(.POST, "/account/two-factor/confirm", form: ["_csrf": csrf, "code": "000000", "next": "/"])
        #expect(wrong.status == .unprocessableEntity)
        let ok = try await b.request(
            .POST, "/account/two-factor/confirm",
            form: ["_csrf": csrf, "code": totp.code(at: t.clock.now.timeIntervalSince1970), "next": "/"])
        #expect(ok.status == .ok)
        let codes = codes(ok.body.string)
        #expect(codes.count == 10)
        return (totp, codes)
    }

    @Test("enrolment by QR code, then codes at sign-in on the web and the API, each good once", arguments: TestDB.available)
    func enrolAndSignIn(db: TestDB) async throws {
        try await withOneStop(db, tune: Self.required) { t in
            // In the grace period the API signs in with the password alone.
            _ = try await t.login()
            let b = Browser(t)
            let (totp, codes) = try await Self.enrol(b, t)

            // The secret is sealed at rest; recovery codes are stored as keyed hashes only.
            let sql = t.app.db as! any SQLDatabase
            let row = try await sql.raw("SELECT totp_secret, recovery_codes FROM users WHERE username = 'admin'").first()!
            #expect(try row.decode(column: "totp_secret", as: String.self).hasPrefix("enc:"))
            let stored = try row.decode(column: "recovery_codes", as: String.self)
            #expect(!stored.contains(codes[0]) && !stored.contains(RecoveryCodes.normalise(codes[0])))

            // The API now wants the code.
            let missing = try await t.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.problem?.errors?.first?.field == "otp")
            let wrongOTP = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword, "otp": "123456"])
            #expect(wrongOTP.status == .unauthorized)
            // The code that confirmed the enrolment cannot be used again: the next one can.
            let now = t.clock.now.timeIntervalSince1970
            let replay = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword, "otp": totp.code(at: now)])
            #expect(replay.status == .unauthorized)
            t.clock.advance(30)
            let code = totp.code(at: t.clock.now.timeIntervalSince1970)
            let ok = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword, "otp": code])
            #expect(ok.status == .ok, "\(ok.body.string)")
            let again = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword, "otp": code])
            #expect(again.status == .unauthorized, "a code is good once")
            // A recovery code, typed in capitals with spaces, works once.
            let typed = codes[3].uppercased().replacingOccurrences(of: "-", with: " ")
            let rec = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword, "otp": typed])
            #expect(rec.status == .ok)
            let rec2 = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestContext.adminPassword, "otp": typed])
            #expect(rec2.status == .unauthorized)

            // The web: password, then the code page, then where the user was going.
            let w = Browser(t)
            let first = try await w.signIn()
            #expect(first.headers.first(name: .location) == "/login/verify")
            // Not signed in yet: an admin page still sends it to sign in.
            #expect(try await w.request(.GET, "/admin/windows").status != .ok)
            let csrf = try await w.csrf(from: "/login/verify")
            let bad = try await w.request(.POST, "/login/verify", form: ["_csrf": csrf, "code": "999999"])
            #expect(bad.status == .unauthorized)
            #expect(bad.body.string.contains("tf-error"))
            t.clock.advance(30)
            let good = try await w.request(
                .POST, "/login/verify", form: ["_csrf": csrf, "code": totp.code(at: t.clock.now.timeIntervalSince1970)])
            #expect(good.status == .seeOther)
            #expect(good.headers.first(name: .location) == "/admin/windows")
            #expect(try await w.request(.GET, "/admin/windows").status == .ok)
            let status = try await w.request(.GET, "/account/two-factor")
            #expect(status.body.string.contains("id=\"tf-on\""))
            #expect(!status.body.string.contains("/account/two-factor/disable"), "an administrator cannot turn it off")

            // A pending sign-in lapses after five minutes.
            let slow = Browser(t)
            _ = try await slow.signIn()
            t.clock.advance(301)
            let lapsed = try await slow.request(.GET, "/login/verify")
            #expect(lapsed.headers.first(name: .location) == "/login")

            let actions = try await AuditEntryModel.query(on: t.app.db).all().map(\.action)
            for a in ["auth.twoFactorBegin", "auth.twoFactorEnrolled", "auth.recoveryCodeUsed"] { #expect(actions.contains(a), "\(a)") }
            #expect(actions.filter { $0 == "auth.loginFailed" }.count >= 3)
        }
    }

    @Test(
        "after the grace sign-in must enrol; an administrator's reset is audited and asks for enrolment again", arguments: TestDB.available)
    func graceAndReset(db: TestDB) async throws {
        // The administrator's token outlives the week the clock jumps.
        try await withOneStop(
            db,
            tune: {
                Self.required(&$0); $0.apiTokenHours = 720
            }
        ) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let made = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "sup1", "displayName": "监察一", "password": "Super-Pass-2026", "role": "supervisor",
                    "centerID": county.uuidString,
                ])
            #expect(made.status == .created)
            let staff = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "clerk1", "displayName": "窗口一", "password": "Clerk-Pass-2026", "role": "window_staff",
                    "centerID": county.uuidString,
                ])
            #expect(staff.status == .created)
            t.clock.advance(8 * 86_400)
            // A window clerk is not required to: the password is enough.
            _ = try await t.login("clerk1", "Clerk-Pass-2026")
            // The supervisor's grace is over.
            let api = try await t.send(.POST, "/api/v1/auth/login", json: ["username": "sup1", "password": "Super-Pass-2026"])
            #expect(api.status == .forbidden)
            let b = Browser(t)
            let csrf = try await b.csrf(from: "/login")
            let res = try await b.request(
                .POST, "/login", form: ["username": "sup1", "password": "Super-Pass-2026", "_csrf": csrf, "next": "/"])
            #expect(res.headers.first(name: .location) == "/login/enrol")
            let page = try await b.request(.GET, "/login/enrol")
            #expect(!page.body.string.contains("tf-skip"), "no skipping after the grace")
            let totp = try Self.secret(page.body.string)
            let enrolCSRF = try await b.csrf(from: "/login/enrol")
            let done = try await b.request(
                .POST, "/login/enrol", form: ["_csrf": enrolCSRF, "code": totp.code(at: t.clock.now.timeIntervalSince1970)])
            #expect(done.status == .ok)
            #expect(Self.codes(done.body.string).count == 10)
            #expect(try await b.request(.GET, "/account/two-factor").body.string.contains("id=\"tf-on\""), "signed in once enrolled")
            let user = try await UserModel.query(on: t.app.db).filter(\.$username == "sup1").first()!
            #expect(TwoFactorService.enrolled(user))

            // The phone is lost: the administrator resets it.
            let id = try user.requireID()
            let reset = try await t.send(.POST, "/api/v1/users/\(id)/two-factor-reset", token: admin)
            #expect(reset.status == .ok)
            #expect(reset.body.string.contains("\"twoFactor\":false"))
            let entry = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "user.twoFactorReset").first()
            #expect(entry?.actor == "user:admin")
            #expect(entry?.entityID == id.uuidString.lowercased() || entry?.entityID == id.uuidString)
            let again = Browser(t)
            let c2 = try await again.csrf(from: "/login")
            let r2 = try await again.request(
                .POST, "/login", form: ["username": "sup1", "password": "Super-Pass-2026", "_csrf": c2, "next": "/"])
            #expect(r2.headers.first(name: .location) == "/login/enrol")
            // Again: there is nothing to reset now; and no one resets their own.
            #expect(try await t.send(.POST, "/api/v1/users/\(id)/two-factor-reset", token: admin).status == .conflict)
            let adminID = try await UserModel.query(on: t.app.db).filter(\.$username == "admin").first()!.requireID()
            let own = try await t.send(.POST, "/api/v1/users/\(adminID)/two-factor-reset", token: admin)
            #expect(own.problem?.errors?.first?.code == "user.twoFactorResetSelf")
            // Only an administrator may reset.
            let clerk = try await t.login("clerk1", "Clerk-Pass-2026")
            #expect(try await t.send(.POST, "/api/v1/users/\(id)/two-factor-reset", token: clerk).status == .forbidden)
        }
    }

    @Test("wrong codes count toward the lockout; an optional account may turn it off", arguments: TestDB.available)
    func lockoutAndOptional(db: TestDB) async throws {
        try await withOneStop(db, tune: Self.required) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            _ = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "clerk2", "displayName": "窗口二", "password": "Clerk-Pass-2026", "role": "window_staff",
                    "centerID": county.uuidString,
                ])
            let b = Browser(t)
            let csrf = try await b.csrf(from: "/login")
            let r = try await b.request(
                .POST, "/login", form: ["username": "clerk2", "password": "Clerk-Pass-2026", "_csrf": csrf, "next": "/"])
            #expect(r.headers.first(name: .location) == "/", "no prompt for a role that need not")
            let offer = try await b.request(.GET, "/account/two-factor")
            #expect(offer.body.string.contains("id=\"tf-begin\""))
            let c = try await b.csrf(from: "/account/two-factor")
            _ = try await b.request(.POST, "/account/two-factor/begin", form: ["_csrf": c])
            let page = try await b.request(.GET, "/account/two-factor")
            let totp = try Self.secret(page.body.string)
            let ok = try await b.request(
                .POST, "/account/two-factor/confirm", form: ["_csrf": c, "code": totp.code(at: t.clock.now.timeIntervalSince1970)])
            #expect(Self.codes(ok.body.string).count == 10)

            for i in 1...4 {
                let w = try await t.send(
                    .POST, "/api/v1/auth/login", json: ["username": "clerk2", "password": "Clerk-Pass-2026", "otp": "00000\(i)"])
                #expect(w.status == .unauthorized)
            }
            let fifth = try await t.send(
                .POST, "/api/v1/auth/login", json: ["username": "clerk2", "password": "Clerk-Pass-2026", "otp": "000009"])
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.headers.first(name: "Retry-After") != nil)
            t.clock.advance(16 * 60)

            // Turning it off needs a current code.
            let status = try await b.request(.GET, "/account/two-factor")
            #expect(status.body.string.contains("/account/two-factor/disable"))
            let refused = try await b.request(.POST, "/account/two-factor/disable", form: ["_csrf": c, "code": "111111"])
            #expect(refused.status == .unauthorized)
            let off = try await b.request(
                .POST, "/account/two-factor/disable", form: ["_csrf": c, "code": totp.code(at: t.clock.now.timeIntervalSince1970)])
            #expect(off.status == .seeOther)
            _ = try await t.login("clerk2", "Clerk-Pass-2026")
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "auth.twoFactorDisabled").count() == 1)
        }
    }
}
