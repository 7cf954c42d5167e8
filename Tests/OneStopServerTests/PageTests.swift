import Fluent
import Foundation
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Pages")
struct PageTests {
    @Test("a bad form comes back with every error beside its field, keeping what was typed", arguments: [TestDB.sqlite])
    func formErrors(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            _ = try await b.signIn()
            let county = try await t.centerID(code: "DL010200")
            let token = try await b.csrf(from: "/admin/staff/new")
            let res = try await b.request(
                .POST, "/admin/staff/new",
                form: [
                    "_csrf": token, "centerID": county.uuidString, "name": "钱多多", "jobNumber": "", "post": "受理员", "idNumber": "123",
                ])
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            #expect(html.contains("工号：必填"))
            #expect(html.contains("证件号码：身份证号码应为 18 位"))
            #expect(html.contains("value=\"钱多多\""))
            #expect(try await StaffModel.query(on: t.app.db).filter(\.$name == "钱多多").count() == 0)
        }
    }

    @Test("the language switch persists and pages follow it", arguments: [TestDB.sqlite])
    func language(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            #expect(try await b.request(.GET, "/login").body.string.contains("<html lang=\"zh-CN\">"))
            let sw = try await b.request(.GET, "/lang/en?back=%2Flogin")
            #expect(sw.headers.first(name: .location) == "/login")
            let page = try await b.request(.GET, "/login").body.string
            #expect(page.contains("<html lang=\"en\">"))
            #expect(page.contains("Sign in"))
            let offsite = try await b.request(.GET, "/lang/zh-CN?back=//evil.example")
            #expect(offsite.headers.first(name: .location) == "/")
        }
    }

    @Test("user text is escaped in pages", arguments: [TestDB.sqlite])
    func escaping(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let made = try await t.send(
                .POST, "/api/v1/staff", token: token,
                json: [
                    "centerID": county.uuidString, "name": "<script>x</script>", "jobNumber": "X1", "post": "p",
                ])
            let id = try made.content.decode(StaffDTO.self).id
            let html = try await t.send(.GET, "/staff/\(id)").body.string
            #expect(!html.contains("<script>x</script>"))
            #expect(html.contains("&lt;script&gt;"))
        }
    }

    @Test("every admin page renders for an administrator", arguments: TestDB.available)
    func adminPages(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            _ = try await b.signIn()
            let county = try await t.centerID(code: "DL010200")
            for path in [
                "/", "/admin/centers", "/admin/centers/new", "/admin/departments?center=\(county)", "/admin/departments/new",
                "/admin/windows?center=\(county)", "/admin/windows/new", "/admin/staff?center=\(county)", "/admin/staff/new",
                "/admin/users", "/admin/users/new", "/admin/devices", "/admin/devices/new",
                "/admin/calendar?center=\(county)&year=2026", "/admin/calendar/day?center=\(county)&date=2026-10-08", "/admin/audit",
            ] {
                let res = try await b.request(.GET, path)
                #expect(res.status == .ok, "\(path): \(res.status)")
            }
        }
    }

    @Test("the menu groups an administrator's occasional links and counts unread messages", arguments: [TestDB.sqlite])
    func menu(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            _ = try await b.signIn()
            let home = try await b.request(.GET, "/admin/windows").body.string
            // The province's administrator lands on the county that has the windows, departments,
            // staff and items, not on the province's empty lists; asking for a center still works.
            #expect(home.contains("综合受理窗口（企业开办）"))
            #expect(try await b.request(.GET, "/admin/departments").body.string.contains("县市场监督管理局"))
            #expect(try await b.request(.GET, "/admin/items").body.string.contains("食品经营许可"))
            #expect(try await b.request(.GET, "/admin/bundles").body.string.contains("开办餐馆一件事"))
            let province = try await t.centerID(code: "DL000000")
            #expect(!(try await b.request(.GET, "/admin/windows?center=\(province)").body.string.contains("综合受理窗口（企业开办）")))
            // A center may be named by its code too, as links from guides do.
            let intake = try await b.request(.GET, "/cases/new?item=DL010200-SCJG-002-01-1&center=DL010200").body.string
            #expect(intake.contains("食品经营许可证核发（新办）") && intake.contains("id=\"a-id\""))
            #expect(home.contains("<details class=\"nav-group\"><summary class=\"current\">中心设置</summary>"))
            #expect(home.contains("href=\"/admin/windows\" aria-current=\"page\"") && !home.contains("条未读"))
            let admin = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "admin").first())
            for n in 1...2 {
                let m = InboxMessageModel()
                m.id = UUID()
                m.userID = admin.id!
                m.event = "test"
                m.title = "消息 \(n)"
                m.body = ""
                m.link = "/inbox"
                m.createdAt = 0
                m.readAt = n == 2 ? 1 : nil
                try await m.create(on: t.app.db)
            }
            #expect(try await b.request(.GET, "/").body.string.contains("aria-label=\"1 条未读\">1</span>"))
        }
    }

    @Test("health, readiness and metrics answer", arguments: TestDB.available)
    func system(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let health = try await t.send(.GET, "/healthz")
            #expect(health.body.string == "ok")
            #expect(health.headers.contentType == .plainText)
            #expect(try await t.send(.GET, "/readyz").status == .ok)
            _ = try await t.send(.GET, "/login")
            let metrics = try await t.send(.GET, "/metrics").body.string
            #expect(metrics.contains("onestop_http_requests_total"))
        }
    }

    @Test("both catalogs hold the same keys, and every code Core emits has a message")
    func catalogs() throws {
        let catalog = try MessageCatalog(directory: "Resources/Locales")
        #expect(catalog.keys(.zh) == catalog.keys(.en))
        for code in [
            "required", "tooLong", "codeCharacters", "invalidChoice", "phone", "id.length", "id.checkDigit", "id.birthDate",
            "id.characters", "center.levelBelowParent", "window.numberRange", "window.departmentRequired",
            "window.comprehensiveNoDepartment", "user.departmentRequired", "user.deviceRole", "password.tooShort",
            "password.lettersAndDigits", "tooShort", "invalidCharacters", "invalidReference", "duplicate", "date",
        ] {
            #expect(catalog.has("error.\(code)"), "missing message for \(code)")
        }
    }
}

@Suite("Staff home")
struct StaffHomeTests {
    @Test("a clerk's home is their own work: the window and who waits for it, their cases by days left, cards and messages")
    func clerkHome() async throws {
        try await withOneStop(.sqlite) { t in
            let staff = try await t.caseStaff()
            let item = try await t.foodItem()
            let res = try await t.intake(staff.clerk, item: item.code, marks: try await t.complete(item), accept: true)
            #expect(res.status == .created, "\(res.body.string)")
            let b = Browser(t)
            _ = try await b.signIn("case_clerk", "Case-Pass-2026")
            var home = try await b.request(.GET, "/").body.string
            #expect(home.contains("我的在办件") && home.contains("剩 5 个工作日") && home.contains("您尚未在窗口签到"))
            #expect(!home.contains("中心概况"))  // the center's counts are for those who run it
            // At a window: its number and who waits for its services.
            let hall = try await Hall.open(t)
            _ = try await hall.clerk("home1", at: 1)
            _ = try await hall.issue("A")
            let seated = Browser(t)
            _ = try await seated.signIn("home1", "Clerk-Pass-2026")
            home = try await seated.request(.GET, "/").body.string
            #expect(home.contains("1 号窗口") && home.contains("<p class=\"big\">1 <span>"), "\(home.prefix(4000))")
            // An administrator still sees the center's figures.
            let admin = Browser(t)
            _ = try await admin.signIn()
            #expect(try await admin.request(.GET, "/").body.string.contains("中心概况"))
            // Past the promised day the case leads as overdue.
            t.clock.advance(10 * 86400)
            let later = Browser(t)
            _ = try await later.signIn("case_clerk", "Case-Pass-2026")
            home = try await later.request(.GET, "/").body.string
            #expect(home.contains("<span class=\"tone-bad\">已超期 "), "\(home.prefix(4000))")
        }
    }
}
