import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// The brand registry (issue 22): defined by the department, approved by the campaign office,
/// public after; the logo sanitised.
@Suite("Brand registry")
struct BrandRegistryTests {
    struct Brand: Decodable {
        var id: UUID
        var departmentID: UUID?
        var name: String
        var state: String
        var logoPath: String?
        var warnings: [String]
        var items: [String]
    }

    struct Culture: Encodable { var purpose: String; var spirit = "" }
    struct System: Encodable { var commitments: [String] }
    struct Input: Encodable {
        var center = "DL010200"
        var name: String
        var category = "administrative"
        var culture: Culture
        var system: System
        var items: [String]? = nil
    }

    /// The county's campaign office account, `jiwei`.
    static func addOffice(_ t: TestContext, _ d: WorkOrderTests.Desk) async throws {
        let made = try await t.send(
            .POST, "/api/v1/users", token: d.admin,
            json: [
                "username": "jiwei", "displayName": "机关工委", "password": "Order-Pass-2026", "role": "campaign_office",
                "centerID": d.county.uuidString,
            ])
        #expect(made.status == .created, "\(made.body.string)")
    }

    static func upload(_ t: TestContext, _ path: String, _ bytes: [UInt8], token: String) async throws -> TestingHTTPResponse {
        try await t.app.testing().sendRequest(.POST, path) { req in
            req.headers.bearerAuthorization = .init(token: token)
            req.headers.contentType = .binary
            req.body = ByteBuffer(bytes: bytes)
        }
    }

    @Test(
        "a department defines its brand, only its own; the campaign office approves it once; it is public after, with a logo stripped of scripts",
        arguments: TestDB.available)
    func registry(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await Self.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")

            var res = try await t.send(
                .POST, "/api/v1/brands", token: d.chief,
                json: Input(name: " ", category: "other", culture: Culture(purpose: ""), system: System(commitments: [])))
            #expect(
                Set(res.problem?.errors?.map(\.field) ?? []) == ["name", "category", "culture.purpose", "system.commitments"],
                "\(res.body.string)")
            let good = Input(
                name: "市场监管暖心服务一站通", culture: Culture(purpose: "让企业办事更便捷"), system: System(commitments: ["24 小时答复"]),
                items: ["DL010200-SCJG-002-01"])
            res = try await t.send(.POST, "/api/v1/brands", token: d.chief, json: good)
            #expect(res.status == .created, "\(res.body.string)")
            let brand = try res.content.decode(Brand.self)
            #expect(brand.departmentID == d.scjg && brand.state == "cultivating" && brand.warnings == ["brand.nameLong"])
            #expect(brand.items == ["DL010200-SCJG-002-01"])
            res = try await t.send(.POST, "/api/v1/brands", token: d.admin, json: good)
            #expect(try res.content.decode(Brand.self).warnings == ["brand.nameLong", "brand.nameTaken"], "a warning, not a refusal")
            var bad = good
            bad.items = ["NOPE"]
            #expect(try await t.send(.POST, "/api/v1/brands", token: d.chief, json: bad).problem?.errors?.first?.field == "items")

            // Only its own department's chief (or the administrator, or its owner) edits it.
            let path = "/api/v1/brands/\(brand.id)"
            var renamed = good
            renamed.name = "红盾先锋"
            #expect(try await t.send(.PUT, path, token: d.otherChief, json: renamed).status == .forbidden)
            res = try await t.send(.PUT, path, token: d.chief, json: renamed)
            #expect(try res.content.decode(Brand.self).warnings.isEmpty && (try res.content.decode(Brand.self).name) == "红盾先锋")

            // A logo: the script and the outside link go, the drawing stays.
            let svg = """
                <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>\
                <circle cx="5" cy="5" r="4" fill="#c00"/><image href="https://evil.example/x.png"/></svg>
                """
            res = try await Self.upload(t, path + "/logo", Array(svg.utf8), token: d.chief)
            #expect(res.status == .ok, "\(res.body.string)")
            res = try await Self.upload(t, path + "/logo", Array("<!DOCTYPE svg><svg/>".utf8), token: d.chief)
            #expect(res.problem?.errors?.first?.code == "brand.logoDoctype")

            // Not public before approval.
            #expect(try await t.send(.GET, path).status == .notFound)
            #expect(try await t.send(.GET, "/brands/\(brand.id)").status == .notFound)
            #expect(try await t.send(.GET, path + "/logo").status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/brands?center=DL010200").content.decode([Brand].self).isEmpty)
            #expect(try await t.send(.GET, "/api/v1/brands?center=DL010200", token: d.admin).content.decode([Brand].self).count == 2)

            #expect(try await t.send(.POST, path + "/approve", token: d.chief).status == .forbidden)
            res = try await t.send(.POST, path + "/approve", token: office)
            #expect(try res.content.decode(Brand.self).state == "practising", "\(res.body.string)")
            #expect(try await t.send(.POST, path + "/approve", token: office).status == .conflict)

            let seen = try await t.send(.GET, path).content.decode(Brand.self)
            #expect(seen.logoPath == "/api/v1/brands/\(brand.id.uuidString.lowercased())/logo")
            let logo = try await t.send(.GET, seen.logoPath!)
            #expect(logo.headers.contentType?.description == "image/svg+xml")
            #expect(logo.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            let image = logo.body.string
            #expect(image.contains("<circle") && !image.contains("script") && !image.contains("alert") && !image.contains("evil"))
            #expect(try await t.send(.GET, "/api/v1/brands?center=DL010200").content.decode([Brand].self).map(\.id) == [brand.id])

            // Its public page: the culture, the commitments, this month's figures of its department.
            let page = try await t.send(.GET, "/brands/\(brand.id)").body.string
            #expect(page.contains("红盾先锋") && page.contains("让企业办事更便捷") && page.contains("24 小时答复"))
            #expect(page.contains("实时数据") && page.contains("窗口服务满意率") && page.contains("县市场监督管理局"))
            let showcase = try await t.send(.GET, "/brands?center=DL010200").body.string
            #expect(showcase.contains("红盾先锋") && showcase.contains("行政") && !showcase.contains("市场监管暖心服务一站通"))
            #expect(try await t.send(.GET, "/brands?center=DL010200&q=nothing").body.string.contains("还没有公开的服务品牌"))
            // The search matches part of a name, and a wildcard is only itself.
            #expect(try await t.send(.GET, "/brands?center=DL010200&q=%E7%BA%A2%E7%9B%BE").body.string.contains("红盾先锋"))
            #expect(try await t.send(.GET, "/brands?center=DL010200&q=%25").body.string.contains("还没有公开的服务品牌"))
            #expect(
                try await t.send(.GET, "/brands?center=DL010200&page=9").body.string.contains("红盾先锋"), "a page past the last shows the last"
            )

            // A PNG is kept as it is.
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            res = try await Self.upload(t, path + "/logo", png, token: d.admin)
            #expect(res.status == .ok)
            #expect(Array((try await t.send(.GET, path + "/logo")).body.readableBytesView) == png)
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$entityType == "brand").count() == 6)
        }
    }

    @Test(
        "the pages: a chief defines the department's brand in a form, fixes what it refuses, and the campaign office approves it from the list",
        arguments: TestDB.available)
    func pages(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await Self.addOffice(t, d)
            let chief = Browser(t)
            _ = try await chief.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await chief.request(.GET, "/brands/manage")
            #expect(page.status == .ok && page.body.string.contains("新建服务品牌") && page.body.string.contains("县市场监督管理局"))
            var csrf = try await chief.csrf(from: "/brands/manage")
            let action = "/brands/manage?center=\(d.county.uuidString)"
            var res = try await chief.request(
                .POST, action, form: ["_csrf": csrf, "name": "红盾先锋", "category": "administrative", "purpose": "", "commitments": ""])
            #expect(res.status == .unprocessableEntity && res.body.string.contains("宗旨") && res.body.string.contains("服务承诺"))
            #expect(res.body.string.contains("value=\"红盾先锋\""), "what was typed stays")
            csrf = try await chief.csrf(from: "/brands/manage")
            res = try await chief.request(
                .POST, action,
                form: [
                    "_csrf": csrf, "name": "红盾先锋", "category": "administrative", "purpose": "让企业办事更便捷",
                    "commitments": "咨询 24 小时答复\n材料齐全当场受理", "measures": "首问负责",
                ])
            #expect(res.status == .seeOther, "\(res.body.string.prefix(400))")
            let brand = try #require(try await BrandModel.query(on: t.app.db).filter(\.$name == "红盾先锋").first())
            #expect(brand.departmentID == d.scjg && brand.systemValue.commitments == ["咨询 24 小时答复", "材料齐全当场受理"])
            #expect(
                try await chief.request(.GET, "/brands/manage").body.string.contains("/brands/\(brand.id!.uuidString.lowercased())/edit"))

            let office = Browser(t)
            _ = try await office.signIn("jiwei", "Order-Pass-2026")
            let list = try await office.request(.GET, "/brands/manage?center=\(d.county.uuidString)").body.string
            #expect(list.contains("审核通过") && !list.contains("新建服务品牌"))
            csrf = try await office.csrf(from: "/brands/manage?center=\(d.county.uuidString)")
            res = try await office.request(.POST, "/brands/\(brand.id!.uuidString.lowercased())/approve", form: ["_csrf": csrf])
            #expect(res.status == .seeOther)
            #expect(try await BrandModel.find(brand.id, on: t.app.db)?.state == "practising")
            #expect(try await t.send(.GET, "/brands/\(brand.id!)").status == .ok)
        }
    }

    @Test(
        "a campaign: opened by the office with four phases in order, its phase today, and which departments still have no brand",
        arguments: TestDB.available)
    func campaign(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await Self.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")
            struct Span: Encodable { var phase: String; var from: String; var to: String }
            struct Open: Encodable { var center = "DL010200"; var name: String; var phases: [Span]; var requirements = "三个体现、两个创新" }
            let phases = [
                Span(phase: "cultivation", from: "2026-01-01", to: "2026-03-31"),
                Span(phase: "practice", from: "2026-04-01", to: "2026-09-30"),
                Span(phase: "selection", from: "2026-10-01", to: "2026-11-30"),
                Span(phase: "consolidation", from: "2026-12-01", to: "2027-12-31"),
            ]
            var res = try await t.send(
                .POST, "/api/v1/brand-campaigns", token: office, json: Open(name: "", phases: Array(phases.reversed())))
            #expect(
                Set(res.problem?.errors?.map(\.code) ?? []) == ["required", "brand.phasesOrder", "brand.phasesOverlap"],
                "\(res.body.string)")
            #expect(
                try await t.send(.POST, "/api/v1/brand-campaigns", token: d.chief, json: Open(name: "x", phases: phases)).status
                    == .forbidden)
            _ = try await t.send(
                .POST, "/api/v1/brands", token: d.chief,
                json: Input(name: "红盾先锋", culture: Culture(purpose: "便民"), system: System(commitments: ["24 小时答复"])))
            res = try await t.send(.POST, "/api/v1/brand-campaigns", token: office, json: Open(name: "机关服务品牌创建活动", phases: phases))
            #expect(res.status == .created, "\(res.body.string)")
            struct Campaign: Decodable {
                struct Coverage: Decodable { var departments: Int; var withBrand: Int; var missing: [String] }
                var name: String
                var phaseNow: String?
                var coverage: Coverage
            }
            let listed = try await t.send(.GET, "/api/v1/brand-campaigns?center=DL010200", token: d.chief).content.decode([Campaign].self)
            let c = try #require(listed.first)
            #expect(c.phaseNow == "practice" && c.coverage.withBrand == 1 && c.coverage.departments == 8, "\(c)")
            #expect(c.coverage.missing.count == 7 && !c.coverage.missing.contains("县市场监督管理局"))
            // The office reminds the seven departments without a brand; the chief of one of them is told.
            struct Listed: Decodable { var id: UUID }
            let campaignID = try await t.send(.GET, "/api/v1/brand-campaigns?center=DL010200", token: d.chief).content.decode(
                [Listed].self)[0].id
            #expect(try await t.send(.POST, "/api/v1/brand-campaigns/\(campaignID)/reminders", token: d.chief).status == .forbidden)
            let reminded = try await t.send(.POST, "/api/v1/brand-campaigns/\(campaignID)/reminders", token: office)
            #expect(reminded.body.string.contains("\"departments\":7"), "\(reminded.body.string)")
            let gaChief = try await UserModel.query(on: t.app.db).filter(\.$username == "chief_ga").first()!.requireID()
            #expect(
                try await OutboxModel.query(on: t.app.db).filter(\.$event == "brand.campaign.remind").filter(
                    \.$target == gaChief.uuidString
                )
                .count() == 1)
            let web = Browser(t)
            _ = try await web.signIn("jiwei", "Order-Pass-2026")
            let page = try await web.request(.GET, "/brands/manage?center=\(d.county.uuidString)").body.string
            #expect(page.contains("机关服务品牌创建活动") && page.contains("实践推进") && page.contains("已有品牌的部门 1 / 8"))
        }
    }
}
