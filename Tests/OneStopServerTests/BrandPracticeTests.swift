import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 实践推进 (issue 22): weekly reports on time, late and missing, with the reminders; the
/// photos; inspections and their notices.
@Suite("Brand practice")
struct BrandPracticeServerTests {
    struct Span: Encodable { var phase: String; var from: String; var to: String }
    struct Open: Encodable { var center = "DL010200"; var name: String; var phases: [Span]; var requirements = "三个体现、两个创新" }

    /// Opens the county's campaign with its phases, returning its id.
    static func campaign(_ t: TestContext, office: String, _ dates: [(String, String)]) async throws -> UUID {
        let phases = zip(["cultivation", "practice", "selection", "consolidation"], dates).map { Span(phase: $0, from: $1.0, to: $1.1) }
        let res = try await t.send(.POST, "/api/v1/brand-campaigns", token: office, json: Open(name: "机关服务品牌创建活动", phases: phases))
        #expect(res.status == .created, "\(res.body.string)")
        struct C: Decodable { var id: UUID }
        return try res.decoded(C.self).id
    }

    /// A brand of the chief's department, approved by the office.
    static func brand(_ t: TestContext, chief: String, office: String, name: String) async throws -> UUID {
        let res = try await t.send(
            .POST, "/api/v1/brands", token: chief,
            json: BrandRegistryTests.Input(
                name: name, culture: .init(purpose: "便民"), system: .init(commitments: ["24 小时答复"])))
        #expect(res.status == .created, "\(res.body.string)")
        let id = try res.decoded(BrandRegistryTests.Brand.self).id
        #expect(try await t.send(.POST, "/api/v1/brands/\(id)/approve", token: office).status == .ok)
        return id
    }

    struct Weeks: Decodable {
        struct Week: Decodable {
            struct Report: Decodable { var late: Bool; var photos: [String] }
            var week: String
            var status: String
            var report: Report?
        }
        var weeks: [Week]
        var onTime: Int
        var late: Int
        var missing: Int
    }

    @Test(
        "weekly reports: one per week of practice, late after the week's last day, missing ones counted and reminded of once, photos of the brand's own",
        arguments: TestDB.available)
    func reports(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            var office = try await t.login("jiwei", "Order-Pass-2026")
            _ = try await Self.campaign(
                t, office: office,
                [("2026-01-01", "2026-08-31"), ("2026-09-01", "2026-10-18"), ("2026-10-19", "2026-11-30"), ("2026-12-01", "2027-12-31")])
            var res = try await t.send(
                .POST, "/api/v1/brands", token: d.chief,
                json: BrandRegistryTests.Input(name: "红盾先锋", culture: .init(purpose: "便民"), system: .init(commitments: ["24 小时答复"])))
            let id = try res.decoded(BrandRegistryTests.Brand.self).id
            res = try await t.send(.POST, "/api/v1/brands/\(id)/reports", token: d.chief, json: ["done": "制定方案"])
            #expect(res.status == .conflict, "not before the office approves")
            #expect(try await t.send(.POST, "/api/v1/brands/\(id)/approve", token: office).status == .ok)
            // Today is Monday 2026-09-21: the week of the 21st is owed, and open.
            res = try await t.send(.POST, "/api/v1/brands/\(id)/reports", token: d.chief, json: ["done": " ", "week": "2026-12-01"])
            #expect(Set(res.problem?.errors?.map(\.field) ?? []) == ["done", "week"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: d.otherChief, json: ["done": "推行延时服务"])
            #expect(res.status == .forbidden, "another department's chief")
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: d.chief,
                json: ["done": "推行延时服务", "changes": "午间可办", "figures": "办件 320 件"])
            #expect(res.status == .created, "\(res.body.string)")
            res = try await t.send(.POST, "/api/v1/brands/\(id)/reports", token: d.chief, json: ["done": "再报一次"])
            #expect(res.status == .conflict, "one report a week")

            // Two weeks on: the week of the 28th passed without a report.
            t.clock.advance(14 * 86400)
            // Tokens have expired meanwhile.
            office = try await t.login("jiwei", "Order-Pass-2026")
            let chief = try await t.login("chief_scjg", "Order-Pass-2026")
            var weeks = try await t.send(.GET, "/api/v1/brands/\(id)/reports", token: office).decoded(Weeks.self)
            #expect(weeks.weeks.map(\.status) == ["open", "missing", "on_time"], "\(weeks)")
            #expect(weeks.onTime == 1 && weeks.missing == 1 && weeks.late == 0)
            #expect(try await BrandReportService.remind(app: t.app, now: t.clock.now) == 1)
            #expect(try await BrandReportService.remind(app: t.app, now: t.clock.now) == 0, "once per week")
            let reminders = try await OutboxModel.query(on: t.app.db).filter(\.$event == "brand.report.missing").all()
            #expect(!reminders.isEmpty && reminders.allSatisfy { $0.payload.contains("2026-09-28") })

            // The late report, with a photo; a file that is no image is refused.
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]
            res = try await BrandRegistryTests.upload(t, "/api/v1/brands/\(id)/files?name=现场", Array("hello".utf8), token: chief)
            #expect(res.problem?.errors?.first?.code == "brand.fileType", "\(res.body.string)")
            res = try await BrandRegistryTests.upload(t, "/api/v1/brands/\(id)/files?name=现场", png, token: chief)
            #expect(res.status == .created, "\(res.body.string)")
            struct F: Decodable { var id: UUID; var path: String }
            let photo = try res.decoded(F.self)
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: chief,
                json: BrandReportService.Input(week: "2026-09-30", done: "补报", photos: [photo.id, UUID()]))
            #expect(res.problem?.errors?.map(\.field) == ["photos"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: chief,
                json: BrandReportService.Input(week: "2026-09-30", done: "补报", photos: [photo.id]))
            #expect(res.status == .created, "\(res.body.string)")
            weeks = try await t.send(.GET, "/api/v1/brands/\(id)/reports", token: chief).decoded(Weeks.self)
            #expect(weeks.onTime == 1 && weeks.late == 1 && weeks.missing == 0)
            #expect(weeks.weeks[1].report?.late == true && weeks.weeks[1].report?.photos == [photo.path])
            #expect(try await t.send(.GET, photo.path).status == .ok, "a public brand's photos are public")
            #expect(try await t.send(.GET, "/api/v1/brands/\(id)/reports").status == .unauthorized)
        }
    }

    @Test(
        "an inspection: recorded by the office only, checked, and published once as a numbered notice, internal ones shown to staff only",
        arguments: TestDB.available)
    func inspections(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")
            let id = try await Self.brand(t, chief: d.chief, office: office, name: "红盾先锋")
            struct P: Encodable { var text: String; var deadline: String }
            struct I: Encodable { var day: String; var inspectors: String; var findings: [String: String]; var problems: [P] }
            let good = I(
                day: "2026-09-18", inspectors: "机关工委督查组", findings: ["culture": "理念上墙、人人熟知", "system": "承诺未公开"],
                problems: [P(text: "公开服务承诺", deadline: "2026-10-18")])
            var res = try await t.send(.POST, "/api/v1/brands/\(id)/inspections", token: d.chief, json: good)
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/inspections", token: office,
                json: I(day: "2026-09-30", inspectors: "", findings: ["colour": "x"], problems: [P(text: "a", deadline: "2026-09-01")]))
            #expect(
                Set(res.problem?.errors?.map(\.field) ?? []) == [
                    "findings.colour", "day", "inspectors", "findings", "problems.0.deadline",
                ], "\(res.body.string)")
            res = try await t.send(.POST, "/api/v1/brands/\(id)/inspections", token: office, json: good)
            #expect(res.status == .created, "\(res.body.string)")
            struct Inspection: Decodable { var id: UUID; var noticePath: String? }
            let inspection = try res.decoded(Inspection.self)
            res = try await t.send(
                .POST, "/api/v1/brand-inspections/\(inspection.id)/notice", token: office, json: ["visibility": "secret"])
            #expect(res.problem?.errors?.first?.field == "visibility")
            res = try await t.send(
                .POST, "/api/v1/brand-inspections/\(inspection.id)/notice", token: office, json: ["visibility": "internal"])
            #expect(res.status == .created, "\(res.body.string)")
            struct Notice: Decodable { var id: UUID; var number: String; var path: String; var kind: String }
            let notice = try res.decoded(Notice.self)
            #expect(notice.number == "品督〔2026〕1号" && notice.kind == "inspection")
            res = try await t.send(
                .POST, "/api/v1/brand-inspections/\(inspection.id)/notice", token: office, json: ["visibility": "public"])
            #expect(res.status == .conflict, "published once, never changed")
            #expect(try await t.send(.GET, notice.path).status == .notFound, "internal: not for the public")
            #expect(try await t.send(.GET, "/api/v1/brand-notices/\(notice.id)").status == .notFound)
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, notice.path).body.string
            #expect(page.contains("品督〔2026〕1号") && page.contains("公开服务承诺（2026-10-18 前整改到位）") && page.contains("内部通报"))
            let listed = try await t.send(.GET, "/api/v1/brands/\(id)/inspections", token: d.supervisor).decoded([Inspection].self)
            #expect(listed.count == 1 && listed[0].noticePath == notice.path)
            // A second inspection's public notice is the second number of the year, and public.
            res = try await t.send(.POST, "/api/v1/brands/\(id)/inspections", token: office, json: good)
            let second = try res.decoded(Inspection.self)
            res = try await t.send(.POST, "/api/v1/brand-inspections/\(second.id)/notice", token: office, json: ["visibility": "public"])
            let publicNotice = try res.decoded(Notice.self)
            #expect(publicNotice.number == "品督〔2026〕2号")
            #expect(try await t.send(.GET, publicNotice.path).status == .ok)
            // 年度考核挂钩: the problems count for the department, as an indicator assessments can score.
            let table = try await t.send(.GET, "/api/v1/indicators?center=DL010200&period=month:2026-09", token: d.supervisor)
                .decoded(IndicatorTests.Table.self)
            #expect(table["brand_problems"].numerator == 2, "two inspections, one problem each")
            let all = try await t.send(.GET, "/api/v1/brand-notices?center=DL010200").decoded([Notice].self)
            #expect(all.map(\.number) == ["品督〔2026〕2号"], "the public sees the public one")
        }
    }

    @Test(
        "commitments against figures: a hotline order waiting past the promised 24 hours misses it on the brand's page, the office is told once a month, and a named brand missing three months in a row goes under review",
        arguments: TestDB.available)
    func commitments(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")
            let res = try await t.send(
                .POST, "/api/v1/brands", token: d.chief,
                json: BrandRegistryTests.Input(
                    name: "红盾先锋", culture: .init(purpose: "便民"), system: .init(commitments: ["咨询 24 小时答复", "争创零投诉", "热情服务"])))
            let id = try res.decoded(BrandRegistryTests.Brand.self).id
            #expect(try await t.send(.POST, "/api/v1/brands/\(id)/approve", token: office).status == .ok)
            try await d.take([
                "kind": "complaint", "channel": "brand_hotline", "brand": "红盾先锋", "callerName": "张三", "callerPhone": "13800138001",
                "subject": "咨询没人回", "text": "打了品牌热线，一直没有答复。",
            ])
            var page = try await t.send(.GET, "/brands/\(id)").body.string
            #expect(page.contains("暂无数据") && page.contains("不自动核对") && !page.contains("未兑现"), "waiting under 24 hours breaks nothing yet")
            #expect(try await BrandFigures.watch(app: t.app, now: t.clock.now).told == 0)

            t.clock.advance(30 * 3600)
            page = try await t.send(.GET, "/brands/\(id)").body.string
            #expect(
                page.contains("未兑现") && page.contains("按时 0 / 1 件"),
                "\(page.components(separatedBy: "commitments").dropFirst().first?.prefix(600) ?? "")")
            #expect(try await BrandFigures.watch(app: t.app, now: t.clock.now).told == 1)
            #expect(try await BrandFigures.watch(app: t.app, now: t.clock.now).told == 0, "once a month")
            let told = try await OutboxModel.query(on: t.app.db).filter(\.$event == "brand.commitment.missed").all()
            #expect(!told.isEmpty && told.allSatisfy { $0.payload.contains("咨询 24 小时答复") })

            // A named brand whose last three settled months all missed goes under review.
            let b = try #require(try await BrandModel.find(id, on: t.app.db))
            b.state = BrandRules.State.named.rawValue
            try await b.save(on: t.app.db)
            for month in ["2026-06", "2026-07", "2026-08"] {
                // The watch has already settled August (nothing missed then); the months are made missed.
                let m = try await BrandMonthModel.query(on: t.app.db).filter(\.$month == month).first() ?? BrandMonthModel()
                if m.id == nil { m.id = UUID() }
                m.brandID = id
                m.month = month
                m.missed = true
                m.detail = "咨询 24 小时答复"
                m.notified = true
                m.checkedAt = HallClock.millis(t.clock.now)
                try await m.save(on: t.app.db)
            }
            #expect(try await BrandFigures.watch(app: t.app, now: t.clock.now).reviewed == 1)
            #expect(try await BrandModel.find(id, on: t.app.db)?.state == "under_review")
        }
    }

    @Test(
        "the edit page chooses the windows, staff and items a brand covers and its owner; a wrong item code is refused and keeps the ticks",
        arguments: TestDB.available)
    func covers(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")
            let id = try await Self.brand(t, chief: d.chief, office: office, name: "红盾先锋")
            let w = WindowModel()
            w.id = UUID()
            w.centerID = d.county
            w.number = 88
            w.name = "市场监管综合窗口"
            w.kind = "general"
            w.departmentID = d.scjg
            w.isOpen = true
            try await w.create(on: t.app.db)
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let path = "/brands/\(id.uuidString.lowercased())/edit"
            var html = try await web.request(.GET, path).body.string
            #expect(html.contains("市场监管综合窗口") && html.contains("id=\"bf-owner\""))
            let csrf = try await web.csrf(from: path)
            let chief = try await UserModel.query(on: t.app.db).filter(\.$username == "chief_scjg").first()!.requireID()
            var form = [
                "_csrf": csrf, "name": "红盾先锋", "category": "administrative", "purpose": "便民", "commitments": "24 小时答复",
                "coversForm": "1", "window_\(w.id!.uuidString)": "on", "items": "NOPE", "owner": chief.uuidString,
            ]
            var res = try await web.request(.POST, path, form: form)
            #expect(res.status == .unprocessableEntity)
            html = res.body.string
            #expect(html.contains("name=\"window_\(w.id!.uuidString)\" value=\"on\" checked"), "the tick stays")
            form["items"] = "DL010200-SCJG-002-01"
            res = try await web.request(.POST, path, form: form)
            #expect(res.status == .seeOther || res.status == .found, "\(res.status)")
            let b = try #require(try await BrandModel.find(id, on: t.app.db))
            #expect(b.coversValue.windows == [w.id!] && b.coversValue.items == ["DL010200-SCJG-002-01"] && b.ownerID == chief)
        }
    }
}
