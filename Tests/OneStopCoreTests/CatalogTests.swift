import Foundation
import OneStopCore
import Testing

/// A valid promised item, for tests to spoil one field at a time.
func sampleInput(code: String = "X-001", name: String = "食品经营许可证核发") -> ItemInput {
    var i = ItemInput()
    i.code = code
    i.name = name
    i.type = "行政许可"
    i.tier = "main"
    i.exerciseLevel = "county"
    i.caseType = "承诺件"
    i.legalDays = 20
    i.promisedDays = 5
    i.feeFree = true
    i.basis = "《中华人民共和国食品安全法》"
    i.conditions = "依法取得营业执照的市场主体"
    i.materials = [.init(name: "申请书", form: "原件", copies: 1, need: "必需")]
    i.steps = ["申请", "受理", "决定"]
    i.officeHours = "工作日 9:00–17:00"
    i.consultPhone = "0533-6010100"
    i.supervisePhone = "12345"
    i.visits = 1
    i.theme = "business"
    return i
}

@Suite("Catalog rules")
struct CatalogRuleTests {
    func codes(_ i: ItemInput) -> [String] {
        if case .failure(let f) = i.validate() { return f.errors.map { "\($0.field):\($0.code)" } }
        return []
    }

    @Test("a complete item validates, with Chinese or English terms")
    func valid() throws {
        let g = try sampleInput().validate().get()
        #expect(g.type == .licensing && g.caseType == .promised && g.theme == .business && g.daysSaved == 15)
    }

    @Test("the promised limit never exceeds the legal one, and is 0 exactly for 即办件")
    func limits() {
        var i = sampleInput()
        i.promisedDays = 21
        #expect(codes(i) == ["promisedDays:item.promisedOverLegal"])
        i.caseType = "immediate"
        i.promisedDays = 3
        #expect(codes(i) == ["promisedDays:item.immediateIsZero"])
        i.promisedDays = 0
        #expect(codes(i).isEmpty)
        i.caseType = "promised"
        #expect(codes(i) == ["promisedDays:item.timedNeedsDays"])
        i.legalDays = -1
        #expect(codes(i).contains("legalDays:outOfRange"))
    }

    @Test("every bad field is reported at once, list entries by position")
    func everyError() {
        var i = ItemInput()
        i.tier = "handling"
        i.materials = [.init(name: "", form: "折纸", copies: 0), .init(name: "照片", form: "copy", need: "conditional")]
        i.specialProcedures = [.init(name: "听证", days: 0)]
        i.feeFree = false
        i.consultPhone = "12"
        let c = codes(i)
        for expected in [
            "code:required", "name:required", "parentCode:required", "handlingKind:required", "type:required", "caseType:required",
            "materials.1.name:required", "materials.1.form:invalidChoice", "materials.1.copies:outOfRange",
            "materials.2.condition:required",
            "specialProcedures.1.days:outOfRange", "feeStandard:required", "feeBasis:required", "consultPhone:phone", "steps:required",
        ] {
            #expect(c.contains(expected), "missing \(expected) in \(c)")
        }
    }

    @Test("a main item has no parent; only handling items have a handling kind; materials are unique")
    func hierarchy() {
        var i = sampleInput()
        i.parentCode = "P-1"
        i.handlingKind = "new"
        i.materials = [.init(name: "营业执照（副本）", form: "copy"), .init(name: "营业执照(副本)", form: "original")]
        #expect(
            Set(codes(i)) == [
                "parentCode:item.mainHasNoParent", "handlingKind:item.handlingKindOnlyForHandling", "materials.2.name:duplicate",
            ])
    }

    @Test("the text forms round-trip a guide")
    func textForms() throws {
        let text = "申请书 | 原件 | 2 | 必需\n委托书 | 复印件 | 1 | 视情形 | 委托他人办理的\n\n"
        let m = ItemText.materials(text)
        #expect(m.count == 2 && m[0].copies == 2 && m[1].condition == "委托他人办理的")
        var i = sampleInput()
        i.materials = m
        i.specialProcedures = ItemText.special("专家评审 | 20")
        let g = try i.validate().get()
        #expect(
            ItemText.materials(ItemText.materialsText(g.materials))
                == g.materials.map {
                    .init(name: $0.name, form: $0.form.chineseName, copies: $0.copies, need: $0.need.chineseName, condition: $0.condition)
                })
        #expect(try ItemInput(g).validate().get() == g)
        #expect(ItemText.windows("5, 6，x") == [5, 6, 0])
    }

    @Test("a bundle's materials are merged across items, keeping the strictest need and the most copies")
    func bundles() throws {
        var a = sampleInput(code: "A", name: "甲")
        a.materials = [.init(name: "营业执照（副本）", form: "copy", copies: 1), .init(name: "身份证", form: "original", copies: 1)]
        var b = sampleInput(code: "B", name: "乙")
        b.materials = [
            .init(name: "营业执照(副本)", form: "copy", copies: 2),
            .init(name: "身份证", form: "copy", copies: 1, need: "conditional", condition: "代办"),
            .init(name: "健康证明", form: "original"),
        ]
        let combined = BundleMaterials.combine([try a.validate().get(), try b.validate().get()])
        #expect(combined.map(\.material.name) == ["营业执照（副本）", "身份证", "健康证明"])
        #expect(combined[0].material.copies == 2 && combined[0].items == ["甲", "乙"])
        #expect(combined[1].material.need == .required && combined[1].material.form == .originalAndCopy)
    }

    @Test("template uploads are recognised by their bytes and file names are stripped of paths")
    func templates() throws {
        #expect((try? TemplateFile.contentType(Array("%PDF-1.7".utf8), filename: "a.pdf").get()) == "application/pdf")
        #expect((try? TemplateFile.contentType([0x50, 0x4B, 3, 4], filename: "表.docx").get())?.contains("wordprocessingml") == true)
        #expect(throws: FieldError.self) { try TemplateFile.contentType(Array("<script>".utf8), filename: "a.pdf").get() }
        #expect(throws: FieldError.self) { try TemplateFile.contentType([0x50, 0x4B, 3, 4], filename: "a.exe").get() }
        #expect(throws: FieldError.self) {
            try TemplateFile.contentType([UInt8](repeating: 0x25, count: TemplateFile.maxBytes + 1), filename: "a.pdf").get()
        }
        #expect(TemplateFile.safeName("../../etc/passwd") == "passwd")
        #expect(TemplateFile.safeName("C:\\x\\..\\申请表.docx") == "申请表.docx")
        #expect(TemplateFile.safeName("..") == "file")
        // The stored name's extension follows the detected type.
        #expect(TemplateFile.storedName("evil.html", contentType: "application/pdf") == "evil.pdf")
        #expect(TemplateFile.storedName("scan", contentType: "image/jpeg") == "scan.jpg")
        #expect(TemplateFile.storedName("photo.JPEG", contentType: "image/jpeg") == "photo.JPEG")
        #expect(TemplateFile.storedName("a.b.png.exe", contentType: "image/png") == "a.b.png.png")
        #expect(TemplateFile.storedName("表.docx", contentType: "application/vnd.ms-excel") == "表.xls")
        let pdf = Array("%PDF-1.7 x".utf8)
        #expect(try CaseUpload.check(pdf, filename: "../x.html", field: "m").get().filename == "x.pdf")
    }
}

@Suite("Catalog CSV")
struct CatalogCSVTests {
    @Test("quoted cells hold commas, quotes and line breaks; an export parses back to the same guides")
    func roundTrip() throws {
        var i = sampleInput()
        i.conditions = "条件一，\"引号\"\n条件二"
        i.materials = [.init(name: "申请书, 原件", form: "original"), .init(name: "照片", form: "copy", copies: 2)]
        i.keywords = ["食品", "餐饮"]
        let g = try i.validate().get()
        let csv = ItemCSV.export([g, try sampleInput(code: "X-002", name: "第二项").validate().get()])
        let rows = try ItemCSV.parse(csv).get()
        #expect(rows.count == 2)
        #expect(rows[0].line == 2 && rows[1].line == 7)
        #expect(try rows[0].input.validate().get() == g)
    }

    @Test("the file's shape problems come back by line: unknown and missing columns, cell counts, bad numbers")
    func shapeErrors() {
        guard case .failure(let header) = ItemCSV.parse("code,nom\nA,B\n") else { Issue.record("accepted"); return }
        #expect(header.errors.contains(.init(line: 1, field: "nom", code: "import.unknownColumn")))
        #expect(header.errors.contains(.init(line: 1, field: "name", code: "import.missingColumn")))
        guard case .failure(let rows) = ItemCSV.parse("code,name,legal_days,online\nA,甲,十,maybe\nB,乙\n") else {
            Issue.record("accepted"); return
        }
        #expect(
            Set(rows.errors) == [
                .init(line: 2, field: "legalDays", code: "import.notANumber"),
                .init(line: 2, field: "onlineApplication", code: "import.notAFlag"),
                .init(line: 3, field: "row", code: "import.cellCount"),
            ])
        guard case .failure(let quote) = ItemCSV.parse("code,name\n\"A,甲\n") else { Issue.record("accepted"); return }
        #expect(quote.errors == [.init(line: 2, field: "row", code: "import.unclosedQuote")])
    }
}

@Suite("Catalog search")
struct CatalogSearchTests {
    let index = CatalogSearchIndex([
        .init(
            id: "food", code: "SCJG-002-01", name: "食品经营许可证核发", keywords: ["餐饮"], department: "县市场监督管理局", materials: ["营业执照"],
            centers: ["c"]),
        .init(
            id: "food-new", code: "SCJG-002-01-1", name: "食品经营许可证核发（新办）", keywords: [], department: "县市场监督管理局", materials: ["营业执照"],
            centers: ["c"]),
        .init(id: "id", code: "GA-001-01", name: "居民身份证换领", keywords: ["身份证"], department: "县公安局", materials: ["居民户口簿"], centers: ["c"]),
        .init(
            id: "biz", code: "SCJG-001-01", name: "个体工商户设立登记", keywords: ["营业执照"], department: "县市场监督管理局", materials: ["经营场所证明"],
            centers: ["c", "t"]),
        .init(id: "clinic", code: "WJ-003", name: "诊所备案", keywords: [], department: "县卫生健康局", materials: ["食品安全制度说明"], centers: ["c"]),
    ])

    func ids(_ q: String, center: String? = nil) -> [String] { index.search(q, center: center).hits.map(\.id) }

    @Test("a two-character query finds the item, names before materials, shorter names first")
    func twoCharacters() {
        #expect(ids("食品") == ["food", "food-new", "clinic"])
    }

    @Test("code, keyword, department and material all find items; exact code ranks first")
    func fields() {
        #expect(ids("SCJG-002-01-1").first == "food-new")
        #expect(ids("scjg－００２").prefix(2) == ["food", "food-new"])  // full-width and case folded
        #expect(ids("身份证").first == "id")
        #expect(ids("公安").first == "id")
        #expect(ids("营业执照").first == "biz")
        #expect(ids("户口簿") == ["id"])
    }

    @Test("a typo gets suggestions instead of nothing, and a query matching nothing gets nothing")
    func typos() {
        let r = index.search("食品经营许可证核法")
        #expect(r.isSuggestion && r.hits.first?.id == "food")
        #expect(index.search("火箭发射").hits.isEmpty)
        // One wrong character in a four-character query breaks two of its three pairs; the names
        // that hold the other three characters are offered (there is no item named 身份证 here, but
        // 居民身份证换领 holds 身、份、证).
        let short = index.search("身分证")
        #expect(short.isSuggestion && short.hits.map(\.id) == ["id"])
        #expect(index.search("   ").hits.isEmpty)
    }

    @Test("filtering by center keeps only items served there")
    func byCenter() {
        #expect(ids("营业执照", center: "t") == ["biz"])
    }
}

@Suite("Bundle materials an earlier step issues")
struct BundleProducedTests {
    func guide(_ name: String, _ materials: [String], result: String? = nil) -> ItemGuide {
        ItemGuide(
            code: name, name: name, parentCode: nil, type: .licensing, tier: .handling, handlingKind: .new, exerciseLevel: .county,
            caseType: .promised, legalDays: 20, promisedDays: 5, fee: .init(free: true), basis: "", conditions: "",
            materials: materials.map { .init(name: $0, form: .original, copies: 1, need: .required) }, steps: [], specialProcedures: [],
            officeHours: "", consultPhone: "", supervisePhone: "", visits: 0, onlineApplication: false, theme: .business, keywords: [],
            windowNumbers: [], result: result)
    }

    @Test("a later item's material that an earlier item issues is produced, not asked; an earlier one is still asked")
    func produced() {
        let entries = BundleMaterials.combine([
            guide("食品经营许可", ["营业执照（副本）", "身份证件"]),
            guide("个体工商户设立登记", ["身份证件", "经营场所使用证明"], result: "营业执照"),
            guide("发票票种核定", ["营业执照副本复印件", "身份证件"]),
        ])
        // Asked by the first item, before the licence exists: still to bring.
        #expect(entries.first { $0.material.name == "营业执照（副本）" }?.producedBy == nil)
        let later = entries.first { $0.material.name == "营业执照副本复印件" }
        #expect(later?.producedBy == "个体工商户设立登记" && later?.items == ["发票票种核定"])
        #expect(entries.first { $0.material.name == "身份证件" }?.items.count == 3)
        #expect(entries.filter { $0.producedBy != nil }.count == 1)
    }
}
