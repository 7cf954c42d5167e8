import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

/// A valid item body for the API.
func itemBody(_ departmentID: UUID?, code: String, name: String, tier: String = "main", parent: String? = nil) -> ItemInput {
    var i = ItemInput()
    i.departmentID = departmentID?.uuidString
    i.code = code
    i.name = name
    i.type = "licensing"
    i.tier = tier
    i.parentCode = parent
    i.handlingKind = tier == "handling" ? "new" : nil
    i.exerciseLevel = "county"
    i.caseType = "promised"
    i.legalDays = 20
    i.promisedDays = 5
    i.feeFree = true
    i.basis = "《测试条例》"
    i.conditions = "符合条件的申请人"
    i.materials = [.init(name: "申请书", form: "original", copies: 1, need: "required")]
    i.steps = ["申请", "受理", "决定"]
    i.officeHours = "工作日"
    i.consultPhone = "0533-6010100"
    i.supervisePhone = "12345"
    i.visits = 1
    i.theme = "business"
    i.windowNumbers = [5]
    return i
}

extension TestContext {
    func department(_ code: String) async throws -> UUID {
        let county = try await centerID(code: "DL010200")
        return try await DepartmentModel.query(on: app.db).filter(\.$centerID == county).filter(\.$code == code).first()!.requireID()
    }

    func item(_ res: TestingHTTPResponse) throws -> ItemDTO { try res.content.decode(ItemDTO.self) }
}

@Suite("Catalog API")
struct CatalogAPITests {
    @Test("a published version never changes: edits make a draft, the public sees the version in force", arguments: TestDB.available)
    func versioning(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let dept = try await t.department("SCJG")
            let created = try await t.send(.POST, "/api/v1/items", token: admin, json: itemBody(dept, code: "T-001", name: "测试许可"))
            #expect(created.status == .created, "\(created.body.string)")
            let id = try t.item(created).id
            #expect(try t.item(created).status == "draft")
            #expect(try await t.send(.GET, "/api/v1/items/\(id)").status == .notFound)

            let published = try await t.send(.POST, "/api/v1/items/\(id)/publish", token: admin)
            #expect(try t.item(published).versionInForce == 1)
            #expect(try await t.send(.GET, "/api/v1/items/\(id)").content.decode(ItemDTO.self).guide?.name == "测试许可")

            var changed = itemBody(dept, code: "T-001", name: "测试许可（修订）")
            changed.promisedDays = 3
            let draft = try await t.send(.PUT, "/api/v1/items/\(id)", token: admin, json: changed)
            #expect(try t.item(draft).draft?.name == "测试许可（修订）" && t.item(draft).versionInForce == 1)
            let public1 = try await t.send(.GET, "/api/v1/items/\(id)").content.decode(ItemDTO.self)
            #expect(public1.guide?.name == "测试许可" && public1.draft == nil && public1.versions == nil)

            changed.code = "T-999"
            let renamed = try await t.send(.PUT, "/api/v1/items/\(id)", token: admin, json: changed)
            #expect(renamed.problem?.errors?.contains { $0.field == "code" && $0.code == "item.codeFrozen" } == true)

            _ = try await t.send(.POST, "/api/v1/items/\(id)/publish", token: admin)
            let v1 = try await t.send(.GET, "/api/v1/items/\(id)/versions/1").content.decode(ItemGuide.self)
            let v2 = try await t.send(.GET, "/api/v1/items/\(id)/versions/2").content.decode(ItemGuide.self)
            #expect(v1.name == "测试许可" && v1.promisedDays == 5)
            #expect(v2.name == "测试许可（修订）" && v2.promisedDays == 3)
            let search = try await t.send(.GET, "/api/v1/items/search?q=%E6%B5%8B%E8%AF%95%E8%AE%B8%E5%8F%AF").content.decode(
                ItemSearchDTO.self)
            #expect(search.items.first?.id == id)

            let withdrawn = try await t.send(.POST, "/api/v1/items/\(id)/withdraw", token: admin)
            #expect(try t.item(withdrawn).status == "withdrawn")
            #expect(try await t.send(.GET, "/api/v1/items/\(id)").status == .notFound)
            let after = try await t.send(.GET, "/api/v1/items/search?q=%E6%B5%8B%E8%AF%95%E8%AE%B8%E5%8F%AF").content.decode(
                ItemSearchDTO.self)
            #expect(!after.items.contains { $0.id == id })
            let again = try await t.send(.POST, "/api/v1/items/\(id)/withdraw", token: admin)
            #expect(again.status == .unprocessableEntity)

            let actions = try await AuditEntryModel.query(on: t.app.db).filter(\.$entityID == id.uuidString.lowercased()).sort(\.$id).all()
                .map(\.action)
            #expect(actions == ["item.create", "item.publish", "item.update", "item.publish", "item.withdraw"])
        }
    }

    @Test("a chief representative edits only the department's items and cannot publish", arguments: TestDB.available)
    func departmentScoping(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let scjg = try await t.department("SCJG")
            let ga = try await t.department("GA")
            let user = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "chief_scjg", "displayName": "市场监管首代", "password": "Chief-Pass-2026", "role": "chief_representative",
                    "centerID": county.uuidString, "departmentID": scjg.uuidString,
                ])
            #expect(user.status == .created, "\(user.body.string)")
            let chief = try await t.login("chief_scjg", "Chief-Pass-2026")

            let own = try await t.send(.POST, "/api/v1/items", token: chief, json: itemBody(nil, code: "S-001", name: "本部门事项"))
            #expect(own.status == .created, "\(own.body.string)")
            #expect(try t.item(own).departmentID == scjg)
            let other = try await t.send(.POST, "/api/v1/items", token: chief, json: itemBody(ga, code: "S-002", name: "别的部门"))
            #expect(other.problem?.errors?.contains { $0.field == "departmentID" } == true)

            let gaItem = try await ServiceItemModel.query(on: t.app.db).filter(\.$departmentID == ga).first()!
            let edit = try await t.send(.PUT, "/api/v1/items/\(gaItem.id!)", token: chief, json: itemBody(ga, code: gaItem.code, name: "改"))
            #expect(edit.status == .forbidden)
            let publish = try await t.send(.POST, "/api/v1/items/\(try t.item(own).id)/publish", token: chief)
            #expect(publish.status == .forbidden && publish.headers.first(name: "X-OneStop-Denied") == "role")

            let mine = try await t.send(.GET, "/api/v1/items?status=all&limit=1000", token: chief).content.decode([ItemSummaryDTO].self)
            #expect(!mine.isEmpty && mine.allSatisfy { $0.departmentID == scjg })
            let anonymous = try await t.send(.GET, "/api/v1/items?status=all")
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test(
        "an import's dry run reports every bad row by line and field and writes nothing; a clean file imports", arguments: TestDB.available)
    func importItems(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let dept = try await t.department("MZ")
            let before = try await ServiceItemModel.query(on: t.app.db).count()
            let audit = try await AuditEntryModel.query(on: t.app.db).count()
            let header =
                "code,name,parent_code,type,tier,handling_kind,exercise_level,case_type,legal_days,promised_days,fee_free,basis,conditions,materials,steps,consult_phone,supervise_phone,visits,theme,windows,office_hours"
            func row(
                _ code: String, _ name: String, parent: String = "", tier: String = "main", promised: String = "5",
                phone: String = "0533-6010100"
            ) -> String {
                "\(code),\(name),\(parent),行政确认,\(tier),\(tier == "handling" ? "新设" : ""),county,承诺件,20,\(promised),是,依据,条件,\"申请书 | 原件 | 1 | 必需\n身份证 | 复印件 | 1\",\"申请\n受理\",\(phone),12345,1,personal,12,工作日"
            }
            let bad = [
                header, row("M-1", "甲"), row("M-2", "乙", promised: "30"), row("M-1", "重复"), row("M-3", "丙", parent: "NOPE", tier: "sub"),
                row("M-4", "丁", phone: "12"),
            ].joined(separator: "\n")
            let dry = try await t.sendText(.POST, "/api/v1/items/import?department=\(dept)&dryRun=true", token: admin, body: bad)
            #expect(dry.status == .unprocessableEntity)
            let report = try dry.content.decode(ImportReport.self)
            let found = Set(report.errors.map { "\($0.line):\($0.field):\($0.code)" })
            // Each record spans three lines (materials and steps are multi-line cells).
            #expect(
                found == [
                    "5:promisedDays:item.promisedOverLegal", "8:code:import.duplicateInFile", "11:parentCode:item.parentNotFound",
                    "14:consultPhone:phone",
                ], "\(found)")
            #expect(report.errors.allSatisfy { !$0.message.isEmpty && !$0.message.hasPrefix("error.") })
            let notDry = try await t.sendText(.POST, "/api/v1/items/import?department=\(dept)", token: admin, body: bad)
            #expect(notDry.status == .unprocessableEntity)
            #expect(try await ServiceItemModel.query(on: t.app.db).count() == before)
            #expect(try await AuditEntryModel.query(on: t.app.db).count() == audit)

            var lines = [header]
            for m in 1...40 {
                lines.append(row("M-\(m)", "事项\(m)"))
                lines.append(row("M-\(m)-01", "事项\(m)子项", parent: "M-\(m)", tier: "sub"))
                lines.append(row("M-\(m)-01-1", "事项\(m)新设", parent: "M-\(m)-01", tier: "handling"))
            }
            let good = lines.dropFirst().reversed().joined(separator: "\n")  // children before their parents is fine
            let checked = try await t.sendText(
                .POST, "/api/v1/items/import?department=\(dept)&dryRun=true", token: admin, body: header + "\n" + good)
            #expect(try checked.content.decode(ImportReport.self).created == 120)
            #expect(try await ServiceItemModel.query(on: t.app.db).count() == before)
            let done = try await t.sendText(.POST, "/api/v1/items/import?department=\(dept)", token: admin, body: header + "\n" + good)
            #expect(done.status == .ok, "\(done.body.string)")
            #expect(try await ServiceItemModel.query(on: t.app.db).count() == before + 120)
            let child = try await ServiceItemModel.query(on: t.app.db).filter(\.$code == "M-7-01-1").first()
            let parent = try await ServiceItemModel.query(on: t.app.db).filter(\.$code == "M-7-01").first()
            #expect(child?.parentID == parent?.id && child?.status == "draft")
            #expect(try await AuditEntryModel.query(on: t.app.db).count() == audit + 120)
            let verify = try await t.send(.GET, "/api/v1/audit/verify", token: admin)
            #expect(verify.body.string.contains("\"intact\":true"), "\(verify.body.string)")

            let again = try await t.sendText(.POST, "/api/v1/items/import?department=\(dept)", token: admin, body: header + "\n" + good)
            #expect(try again.content.decode(ImportReport.self).updated == 120)

            let csv = try await t.send(.GET, "/api/v1/items/export?department=\(dept)&format=csv", token: admin)
            let parsed = try ItemCSV.parse(csv.body.string).get()
            #expect(parsed.contains { $0.input.code == "M-40-01-1" && $0.input.parentCode == "M-40-01" })
            let json = try await t.send(.GET, "/api/v1/items/export?department=\(dept)&format=json", token: admin)
            let reimport = try await t.sendText(
                .POST, "/api/v1/items/import?department=\(dept)&format=json&dryRun=true", token: admin, body: json.body.string)
            #expect(reimport.status == .ok, "\(reimport.body.string.prefix(500))")
            #expect(try reimport.content.decode(ImportReport.self).created == 0)
        }
    }

    @Test("search finds 食品 items, offers suggestions for a typo, and respects where an item is served", arguments: TestDB.available)
    func search(db: TestDB) async throws {
        try await withOneStop(db) { t in
            func q(_ text: String, _ center: String) async throws -> ItemSearchDTO {
                let e = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return try await t.send(.GET, "/api/v1/items/search?q=\(e)&center=\(center)").content.decode(ItemSearchDTO.self)
            }
            let food = try await q("食品", "DL010200")
            // One entry per service: the main item, its sub-items and handling items folded under it.
            #expect(!food.suggestion && food.items.first?.name == "食品经营许可")
            #expect(food.items.first?.children?.contains { $0.name == "食品经营许可证核发" } == true)
            #expect(food.items.first?.children?.contains { $0.name == "食品经营许可证核发（新办）" } == true)
            #expect(food.items.allSatisfy { !$0.name.hasPrefix("食品经营许可证核发") })
            // By pinyin and by initials, too.
            #expect(try await q("shipin", "DL010200").items.first?.name == "食品经营许可")
            #expect(try await q("sfz", "DL010200").items.contains { $0.name.hasPrefix("居民身份证") })
            #expect(try await q("居民身份证换领", "DL010200").items.first?.name == "居民身份证换领")
            #expect(try await q("个体工商户设立登记", "DL010200").items.first?.name == "个体工商户设立登记")
            let typo = try await q("食品经营许可证核法", "DL010200")
            #expect(typo.suggestion && typo.items.first?.name.hasPrefix("食品经营许可") == true)
            let town = try await q("社会保障卡", "DL010201")
            #expect(town.items.contains { $0.name == "社会保障卡申领（新办）" || $0.children?.contains { $0.name == "社会保障卡申领（新办）" } == true })
            #expect(try await q("食品", "DL010201").items.isEmpty)
            let page = try await t.send(.GET, "/search?q=%E9%A3%9F%E5%93%81&center=DL010200")
            #expect(page.status == .ok && page.body.string.contains("食品经营许可证核发"))
            let none = try await t.send(.GET, "/search?q=%E7%81%AB%E7%AE%AD&center=DL010200")
            #expect(none.body.string.contains("身份证"))  // the no-results page offers popular searches
        }
    }

    @Test("guides, checklists, bundles, Open311 and the display modes", arguments: TestDB.available)
    func publicPages(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let code = "DL010200-SCJG-002-01"
            let guide = try await t.send(.GET, "/guide/\(code)")
            #expect(guide.status == .ok)
            for text in ["食品经营许可证核发", "承诺时限", "法定时限", "现场核查", "12345", "市场监督管理局窗口", "中心服务承诺".isEmpty ? "" : "服务承诺"] {
                #expect(guide.body.string.contains(text), "guide lacks \(text)")
            }
            #expect(try await t.send(.GET, "/guide/\(code)/checklist").body.string.contains("申请材料核对清单"))
            #expect(try await t.send(.GET, "/guide/NOPE").status == .notFound)

            let bundles = try await t.send(.GET, "/api/v1/bundles?center=DL010200").content.decode([BundleDTO].self)
            let restaurant = try #require(bundles.first { $0.name == "开办餐馆一件事" })
            let full = try await t.send(.GET, "/api/v1/bundles/\(restaurant.id)").content.decode(BundleDTO.self)
            let asked = full.items.count
            #expect(asked == 4)
            let materials = try #require(full.materials)
            #expect(Set(materials.map(\.name)).count == materials.count)
            #expect(materials.contains { $0.name == "经营者身份证件" && $0.items.count == 2 })
            // The 营业执照 the first step issues is not asked for by the food licence after it.
            let licence = try #require(materials.first { $0.name == "营业执照" })
            #expect(licence.producedBy == "个体工商户设立登记（新办）" && licence.items.first == "食品经营许可证核发（新办）", "\(licence.items)")
            #expect(materials.filter { $0.producedBy != nil }.count == 1)
            let page = try await t.send(.GET, "/bundles/\(restaurant.id)").body.string
            #expect(page.contains("不用带：由本件事前面的事项办结后产生") && page.contains("由“个体工商户设立登记（新办）”办结后产生"))
            // The description names only what the bundle holds (it once promised 社保 too).
            #expect(!full.summary.contains("社保") && full.summary.contains("发票"))

            let services = try await t.send(.GET, "/open311/v2/services.json?jurisdiction_id=DL010200")
            let list = try JSONDecoder().decode([Open311Controller.Service].self, from: Data(services.body.readableBytesView))
            #expect(list.count == 206 && list.allSatisfy { $0.type == "batch" })
            let xml = try await t.send(.GET, "/open311/v2/services.xml")
            #expect(
                xml.headers.contentType?.description.hasPrefix("text/xml") == true
                    && xml.body.string.contains("<service_code>\(code)</service_code>"))
            let def = try await t.send(.GET, "/open311/v2/services/\(code).json").content.decode(Open311Controller.Definition.self)
            // The six materials, read-only, then the kind of request a client may choose (`attribute[kind]`).
            #expect(def.attributes.count == 7 && def.attributes.dropLast().allSatisfy { !$0.variable })
            #expect(def.attributes.last?.code == "kind" && def.attributes.last?.values?.map(\.key).contains("complaint") == true)
            #expect(try await t.send(.GET, "/open311/v2/discovery.json").body.string.contains("GeoReport_v2"))

            let kiosk = try await t.send(.GET, "/kiosk/DL010200?idle=30")
            let cookie = try #require(kiosk.headers.setCookie?[DisplayModes.kioskCookie]?.string)
            #expect(cookie == "DL010200:30")
            let onKiosk = try await t.send(.GET, "/hall/DL010200", headers: ["Cookie": "\(DisplayModes.kioskCookie)=\(cookie)"])
            #expect(onKiosk.body.string.contains("data-kiosk-home=\"/hall/DL010200\" data-kiosk-idle=\"30\""))
            let elder = try await t.send(.GET, "/elder/on?back=/hall/DL010200")
            #expect(elder.headers.setCookie?[DisplayModes.elderCookie]?.string == "1")
            let big = try await t.send(.GET, "/hall/DL010200", headers: ["Cookie": "\(DisplayModes.elderCookie)=1"])
            #expect(big.body.string.contains("class=\"elder"))
        }
    }

    @Test("anonymous pages come from the page cache and follow every change behind them", arguments: TestDB.available)
    func pageCache(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let code = "DL010200-SCJG-002-01"
            let first = try await t.send(.GET, "/guide/\(code)")
            #expect(first.status == .ok && first.body.string.contains("食品经营许可证核发"))
            let cached = t.app.publicPages.count
            #expect(cached >= 1)
            #expect(try await t.send(.GET, "/guide/\(code)").body.string == first.body.string)
            #expect(t.app.publicPages.count == cached)

            // Another language is another page, not the cached Chinese one.
            let english = try await t.send(.GET, "/guide/\(code)", headers: ["Cookie": "\(Language.cookieName)=en"])
            #expect(english.body.string.contains("<html lang=\"en\"") && first.body.string.contains("<html lang=\"zh-CN\""))

            // A department's commitment is shown on the guide: changing it reaches the cached page.
            let deptID = try await t.department("SCJG")
            let dept = try #require(try await DepartmentModel.find(deptID, on: t.app.db))
            let input = DepartmentInput(
                centerID: dept.centerID.uuidString, name: dept.name, code: dept.code, phone: dept.phone, canApproveOnSpot: true,
                canReviewReported: true, canSupervisePromised: true, canCoordinateJoint: true, commitment: "承诺：材料齐全当场受理，缓存测试")
            let put = try await t.send(.PUT, "/api/v1/departments/\(deptID)", token: admin, json: input)
            #expect(put.status == .ok, "\(put.body.string)")
            #expect(try await t.send(.GET, "/guide/\(code)").body.string.contains("缓存测试"))

            // A new version in force replaces the cached guide and search page.
            let search = "/search?center=DL010200&q=%E7%BC%93%E5%AD%98"  // 缓存
            #expect(!(try await t.send(.GET, search).body.string.contains("缓存许可")))
            let created = try await t.send(.POST, "/api/v1/items", token: admin, json: itemBody(deptID, code: "T-CACHE", name: "缓存许可"))
            let id = try t.item(created).id
            _ = try await t.send(.POST, "/api/v1/items/\(id)/publish", token: admin)
            #expect(try await t.send(.GET, search).body.string.contains("缓存许可"))
            var changed = itemBody(deptID, code: "T-CACHE", name: "缓存许可（第二版）")
            changed.promisedDays = 2
            _ = try await t.send(.PUT, "/api/v1/items/\(id)", token: admin, json: changed)
            #expect(!(try await t.send(.GET, "/guide/T-CACHE").body.string.contains("第二版")))
            _ = try await t.send(.POST, "/api/v1/items/\(id)/publish", token: admin)
            #expect(try await t.send(.GET, "/guide/T-CACHE").body.string.contains("缓存许可（第二版）"))

            // Signed-in pages are never served from the cache.
            let before = t.app.publicPages.count
            let browser = Browser(t)
            _ = try await browser.signIn()
            let signedIn = try await browser.request(.GET, "/guide/T-CACHE")
            #expect(signedIn.status == .ok && signedIn.headers.first(name: .cacheControl) == "no-store")
            #expect(t.app.publicPages.count == before)
        }
    }

    @Test("template files go up through the API, are checked by content, shown on the guide and removable", arguments: TestDB.available)
    func templateFiles(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let dept = try await t.department("SCJG")
            let created = try await t.send(.POST, "/api/v1/items", token: admin, json: itemBody(dept, code: "T-FILE", name: "模板测试许可"))
            let id = try t.item(created).id
            let pdf = Array("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".utf8)
            func upload(_ bytes: [UInt8], material: String, kind: String, filename: String) async throws -> TestingHTTPResponse {
                let q =
                    "material=\(material.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&kind=\(kind)&filename=\(filename)"
                return try await t.app.testing().sendRequest(.POST, "/api/v1/items/\(id)/files?\(q)") { req in
                    req.headers.bearerAuthorization = .init(token: admin)
                    req.headers.contentType = .binary
                    req.body = ByteBuffer(bytes: bytes)
                }
            }
            // A draft's files are not public yet.
            let ok = try await upload(pdf, material: "申请书", kind: "template", filename: "sqs.pdf")
            #expect(ok.status == .created, "\(ok.body.string)")
            let file = try ok.content.decode(ItemFileDTO.self)
            #expect(file.size == pdf.count && file.kind == "template")
            #expect(try await t.send(.GET, "/api/v1/items/\(id)/files").status == .notFound)
            #expect(try await t.send(.GET, file.href).status == .notFound)

            // A renamed executable, an unknown material and a bad kind are refused, in Chinese, and nothing is stored.
            let bad = try await upload(Array("MZ\u{90}\u{00}".utf8), material: "营业执照", kind: "sample", filename: "x.pdf")
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["material", "kind", "file"])
            #expect(bad.body.string.contains("只接受 PDF、Word、Excel、JPEG 或 PNG"))
            #expect(try await t.send(.GET, "/api/v1/items/\(id)/files", token: admin).content.decode([ItemFileDTO].self).count == 1)

            _ = try await t.send(.POST, "/api/v1/items/\(id)/publish", token: admin)
            #expect(try await t.send(.GET, "/api/v1/items/\(id)/files").content.decode([ItemFileDTO].self).map(\.id) == [file.id])
            let download = try await t.send(.GET, file.href)
            #expect(download.status == .ok && Array(download.body.readableBytesView) == pdf)
            #expect(try await t.send(.GET, "/guide/T-FILE").body.string.contains(file.href))

            #expect(try await t.send(.DELETE, "/api/v1/items/\(id)/files/\(file.id)", token: admin).status == .noContent)
            #expect(try await t.send(.GET, file.href).status == .notFound)
            #expect(!(try await t.send(.GET, "/guide/T-FILE").body.string.contains(file.href)))
            let actions = try await AuditEntryModel.query(on: t.app.db).filter(\.$entityID == id.uuidString.lowercased()).sort(\.$id).all()
                .map(\.action)
            #expect(actions == ["item.create", "item.file.add", "item.publish", "item.file.remove"])
        }
    }
}
