import Foundation
import Testing

@testable import OneStopCore

/// The readings shipped with the server, read from the repository.
let pinyinTable: PinyinTable = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let text = (try? String(contentsOf: root.appendingPathComponent("Resources/Pinyin/readings.txt"), encoding: .utf8)) ?? ""
    return PinyinTable(text: text)
}()

@Suite("Pinyin search")
struct PinyinTests {
    let index = CatalogSearchIndex(
        [
            .init(id: "biz", code: "SCJG-001-01", name: "营业执照", keywords: [], department: "县市场监督管理局", materials: [], centers: ["c"]),
            .init(
                id: "food", code: "SCJG-002-01", name: "食品经营许可证核发", keywords: ["开饭店"], department: "县市场监督管理局",
                materials: ["营业执照"], centers: ["c"]),
            .init(
                id: "gas", code: "ZJ-010", name: "燃气经营许可证核发", keywords: [], department: "县住房和城乡建设局", materials: ["营业执照"],
                centers: ["c"]),
            .init(id: "id", code: "GA-001-01", name: "居民身份证换领", keywords: [], department: "县公安局", materials: [], centers: ["c", "t"]),
            .init(id: "bank", code: "YH-001", name: "银行开户", keywords: [], department: "县人民银行", materials: [], centers: ["c"]),
        ], pinyin: pinyinTable)

    func ids(_ q: String, center: String? = nil) -> [String] { index.search(q, center: center).hits.map(\.id) }

    @Test("the shipped table knows the common characters and their several readings")
    func table() {
        #expect(pinyinTable.readings(of: "营") == ["ying"])
        #expect(pinyinTable.readings(of: "行").contains("xing") && pinyinTable.readings(of: "行").contains("hang"))
        #expect(pinyinTable.readings(of: "照") == ["zhao"])
        #expect(pinyinTable.readings(of: "a").isEmpty)
    }

    @Test("initials take each character's commonest reading, not the alphabetically first")
    func initials() {
        // 身 is also juan, 份 also bin, 行 also hang: alphabetically first, but not the commonest.
        #expect(pinyinTable.readings(of: "身").first == "shen")
        #expect(pinyinTable.readings(of: "身").contains("juan"))
        #expect(pinyinTable.initials("居民身份证换领") == "jmsfzhl")
        #expect(pinyinTable.initials("营业执照 2") == "yyzz2")
        #expect(pinyinTable.initials("银行") == "yx")
        // The format: `=` marks the commonest reading wherever its entry stands in the line.
        let table = PinyinTable(text: "a~乙 ba=乙 b~丙 c=丙")
        #expect(table.readings(of: "乙") == ["ba", "a"])
        #expect(table.initials("乙丙") == "bc")
    }

    @Test("initials, full pinyin and a mix of both find a name; the name's start ranks first")
    func spelling() {
        #expect(ids("yyzz") == ["biz"])
        #expect(ids("yingyezhizhao") == ["biz"])
        #expect(ids("yingyzz") == ["biz"])
        #expect(ids("shipin") == ["food"])
        #expect(ids("sfz") == ["id"])
        // 经营许可: in two names, neither at its start; the shorter of equals first.
        #expect(Set(ids("jyxk")) == ["food", "gas"])
        // A reading other than the commonest (银行: yin hang, not yin xing).
        #expect(ids("yinhang") == ["bank"])
        // A keyword's pinyin finds its item, below names.
        #expect(ids("kaifandian") == ["food"])
    }

    @Test("pinyin respects the center filter, and a single letter or nonsense finds nothing")
    func limits() {
        #expect(ids("sfz", center: "t") == ["id"])
        #expect(ids("yyzz", center: "t").isEmpty)
        #expect(ids("x").isEmpty)  // a single letter is no pinyin query (and no code holds x)
        #expect(ids("qqqqxx").isEmpty)
    }

    @Test("a match covers a run of characters: start, length and whether it is the whole text")
    func runs() {
        let s = pinyinTable.spell(SearchText.normalize("居民身份证换领"))
        #expect(s.match("sfz", table: pinyinTable) == .init(start: 2, length: 3, whole: false))
        #expect(s.match("jumsfzhl", table: pinyinTable) == .init(start: 0, length: 7, whole: true))
        #expect(s.match("zs", table: pinyinTable) == nil)
    }
}

@Suite("Search results as a visitor means them")
struct SearchFoldingTests {
    let index = CatalogSearchIndex([
        .init(id: "reg", code: "SCJG-001", name: "个体工商户登记", keywords: ["营业执照"], department: "市场监管局", materials: [], centers: ["c"]),
        .init(
            id: "reg-set", code: "SCJG-001-01", name: "个体工商户设立登记", keywords: ["营业执照"], department: "市场监管局", materials: [],
            centers: ["c"], parentCode: "SCJG-001"),
        .init(
            id: "reg-new", code: "SCJG-001-01-1", name: "个体工商户设立登记（新办）", keywords: ["营业执照"], department: "市场监管局", materials: [],
            centers: ["c"], parentCode: "SCJG-001-01"),
        .init(
            id: "gas", code: "ZJ-010", name: "燃气经营许可证核发", keywords: [], department: "住建局", materials: ["营业执照"], centers: ["c"]),
        .init(
            id: "gas-new", code: "ZJ-010-1", name: "燃气经营许可证核发（新办）", keywords: [], department: "住建局", materials: ["营业执照"],
            centers: ["c"], parentCode: "ZJ-010"),
    ])

    @Test("sub-items and handling items fold under the highest item found; items that only ask for it come after, marked")
    func folding() {
        let r = index.search("营业执照")
        #expect(r.hits.map(\.id) == ["reg", "gas"])
        #expect(r.total == 2)
        #expect(r.hits[0].children == ["reg-set", "reg-new"] && !r.hits[0].related)
        #expect(r.hits[1].children == ["gas-new"] && r.hits[1].related)
        // A sub-item found by its own name is not folded under a parent found only by materials.
        let own = index.search("个体工商户设立登记（新办）")
        #expect(own.hits.first?.id == "reg-new")
    }
}
