import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Audit log")
struct AuditTests {
    @Test("hashes are the standard SHA-256 in lower-case hex (stored token hashes and the chain depend on it)")
    func digest() {
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.hex([0, 9, 10, 255]) == "00090aff")
    }

    @Test("the seeded chain verifies, and editing, deleting or truncating rows is found", arguments: TestDB.writers)
    func tamper(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let sql = t.app.db as! any SQLDatabase
            var (checked, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == nil)
            #expect(checked > 40)

            try await sql.raw("UPDATE audit_entries SET detail = '{}' WHERE seq = 7").run()
            (_, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == .altered(sequence: 7))
        }
        try await withOneStop(db) { t in
            let sql = t.app.db as! any SQLDatabase
            try await sql.raw("DELETE FROM audit_entries WHERE seq = 12").run()
            let (_, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == .gap(after: 11, next: 13))
        }
        try await withOneStop(db) { t in
            let sql = t.app.db as! any SQLDatabase
            let last = try await AuditEntryModel.query(on: t.app.db).max(\.$id)!
            try await sql.raw("DELETE FROM audit_entries WHERE seq = \(bind: last)").run()
            let (_, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == .truncated(lastFound: last - 1, expected: last))
        }
    }

    @Test("concurrent audited writes keep one unbroken chain", arguments: TestDB.writers)
    func concurrent(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 100..<140 {
                    group.addTask {
                        let r = try await t.send(
                            .POST, "/api/v1/windows", token: token,
                            json: ["centerID": county.uuidString, "number": "\(n)", "name": "窗口\(n)", "kind": "comprehensive"].jsonNumber(
                                "number"))
                        #expect(r.status == .created)
                    }
                }
                try await group.waitForAll()
            }
            let (_, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == nil)
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "window.create").count() == 54)
        }
    }

    @Test("supervisors browse and filter the log; window staff may not", arguments: TestDB.writers)
    func browse(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            for (name, role) in [("jiancha", "supervisor"), ("chuangkou", "window_staff")] {
                _ = try await t.send(
                    .POST, "/api/v1/users", token: admin,
                    json: [
                        "username": name, "displayName": name, "password": "Passw0rd123", "role": role, "centerID": county.uuidString,
                    ])
            }
            let sup = try await t.login("jiancha", "Passw0rd123")
            let page = try await t.send(.GET, "/api/v1/audit?action=window.create&limit=5", token: sup).content.decode(AuditPage.self)
            #expect(page.entries.count == 5)
            #expect(page.entries.allSatisfy { $0.action == "window.create" && $0.centerID == county.uuidString.lowercased() })
            #expect(page.nextBefore != nil)
            let next = try await t.send(.GET, "/api/v1/audit?action=window.create&limit=5&before=\(page.nextBefore!)", token: sup)
                .content.decode(AuditPage.self)
            #expect(next.entries.first!.sequence < page.entries.last!.sequence)
            // The province's own entries are outside a county supervisor's scope.
            let all = try await t.send(.GET, "/api/v1/audit?limit=500", token: sup).content.decode(AuditPage.self)
            #expect(!all.entries.contains { $0.detail.contains("DL000000") })
            let verify = try await t.send(.GET, "/api/v1/audit/verify", token: sup).content.decode(AuditVerification.self)
            #expect(verify.intact)
            let clerk = try await t.login("chuangkou", "Passw0rd123")
            #expect(try await t.send(.GET, "/api/v1/audit", token: clerk).status == .forbidden)
        }
    }

    @Test("the log page reads as what happened: names, actions in words, objects by number; the raw entry one click away")
    func readable() async throws {
        try await withOneStop(.sqlite) { t in
            let b = Browser(t)
            _ = try await b.signIn()
            let admin = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "admin").first())
            let page = try await b.request(.GET, "/admin/audit?action=window.create").body.string
            #expect(page.contains("<strong>新建窗口</strong> 窗口 1"))
            #expect(page.contains("<summary>原始记录</summary>") && page.contains("window.create"))
            let logins = try await b.request(.GET, "/admin/audit?action=auth.login").body.string
            #expect(logins.contains("<strong>登录</strong>"))
            #expect(logins.contains(admin.displayName == "admin" ? "admin" : "\(admin.displayName)（admin）"))
            let english = try await b.request(.GET, "/lang/en?back=%2Fadmin%2Faudit%3Faction%3Dauth.login")
            #expect(english.status == .seeOther || english.status == .found)
            #expect(try await b.request(.GET, "/admin/audit?action=auth.login").body.string.contains("<strong>signed in</strong>"))
        }
    }
}
