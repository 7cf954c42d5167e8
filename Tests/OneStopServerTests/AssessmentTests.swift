import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 百分制 assessments (issue 21): templates, the four steps and the report's immutability.
@Suite("Assessments")
struct AssessmentTests {
    struct Template: Decodable {
        var id: UUID
        var points: Double
        var criteria: [Criterion]

        struct Criterion: Decodable {
            var key: String
            var indicator: String?
        }
    }

    struct Report: Decodable {
        var id: UUID
        var state: String
        var version: Int
        var outOf: Double
        var lines: [Line]

        struct Line: Decodable {
            var rank: Int
            var subject: String
            var name: String
            var scores: [String: Double?]
            var figures: [String: String]
            var adjustment: Double
            var points: Double
            var unscored: Int
        }
    }

    @Test(
        "a monthly assessment of the departments: computed criteria frozen at the start, hand scores with reasons, a bounded review, a sign-off after which nothing changes; a re-run is a new version",
        arguments: TestDB.available)
    func procedure(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let desk = try await t.caseStaff()
            // Two cases accepted on 2026-09-21; one decided at once, the other on 09-30, late.
            let (clerk, chief, _) = try await t.septemberCases(clerk: desk.clerk, chief: desk.chief)
            let item = try await t.foodItem()
            let admin = try await t.login()
            let supervisor = try await t.login("jiancha", "Order-Pass-2026")

            // The township example: nine criteria, 85 points.
            var res = try await t.send(
                .POST, "/api/v1/assessment-templates", token: admin,
                json: ["center": "DL010200", "name": "乡镇便民服务中心考核", "example": "township"])
            #expect(res.status == .created, "\(res.body.string)")
            let township = try res.content.decode(Template.self)
            #expect(township.points == 85 && township.criteria.count == 9)
            // A template that cannot work is refused, every fault named.
            struct Rule: Encodable { var kind: String; var zeroAt: Double?; var fullAt: Double? }
            struct Criterion: Encodable { var key: String; var name: String; var points: Double; var indicator: String?; var rule: Rule }
            struct Input: Encodable { var center = "DL010200"; var name: String; var criteria: [Criterion] }
            res = try await t.send(
                .POST, "/api/v1/assessment-templates", token: admin,
                json: Input(
                    name: "坏模板",
                    criteria: [
                        .init(key: "c1", name: "办结率", points: 0, indicator: "on_time", rule: .init(kind: "linear", zeroAt: 0.9, fullAt: 1)),
                        .init(key: "c2", name: "现场", points: 10, indicator: nil, rule: .init(kind: "linear", zeroAt: 0, fullAt: 1)),
                    ]))
            #expect(
                res.status == .unprocessableEntity
                    && Set(res.problem?.errors?.map(\.field) ?? []) == ["criteria.0.points", "criteria.1.rule"], "\(res.body.string)")
            #expect(
                try await t.send(.POST, "/api/v1/assessment-templates", token: supervisor, json: ["example": "township"]).status
                    == .forbidden)
            res = try await t.send(
                .POST, "/api/v1/assessment-templates", token: admin,
                json: Input(
                    name: "部门月度考核",
                    criteria: [
                        .init(key: "c1", name: "按时办结", points: 15, indicator: "on_time", rule: .init(kind: "linear", zeroAt: 0, fullAt: 1)),
                        .init(key: "c2", name: "现场管理", points: 10, indicator: nil, rule: .init(kind: "by_hand")),
                    ]))
            let template = try res.content.decode(Template.self)
            #expect(template.points == 25)

            // Data analysis: the computed criterion from the month's indicators, frozen.
            struct Start: Encodable {
                var template: UUID; var center = "DL010200"; var subjects = "department"; var period = "month:2026-09"
            }
            res = try await t.send(.POST, "/api/v1/assessments", token: supervisor, json: Start(template: template.id))
            #expect(res.status == .created, "\(res.body.string)")
            var report = try res.content.decode(Report.self)
            let scjg = "department:" + d.scjg.uuidString.lowercased()
            var line = try #require(report.lines.first { $0.subject == scjg })
            #expect(report.state == "scoring" && report.version == 1 && report.outOf == 25)
            #expect(line.scores["c1"] == 7.5 && line.figures["c1"] == "50.0%" && line.unscored == 1, "\(line)")
            #expect(report.lines.filter { $0.subject != scjg }.allSatisfy { ($0.scores["c1"] ?? nil) == nil }, "no cases, no data")

            // Scoring by hand: a reason and evidence, within the criterion's points; not a computed one.
            struct Score: Encodable {
                var subject: String; var criterion: String; var points: Double; var reason: String; var evidence: String
            }
            let path = "/api/v1/assessments/\(report.id)"
            res = try await t.send(.POST, path + "/review", token: admin, json: ["comment": "整体较好"])
            #expect(res.status == .conflict, "the review waits for every hand score")
            res = try await t.send(
                .POST, path + "/scores", token: supervisor,
                json: Score(subject: scjg, criterion: "c1", points: 15, reason: "x", evidence: "y"))
            #expect(res.problem?.errors?.first?.code == "assessment.computed")
            res = try await t.send(
                .POST, path + "/scores", token: supervisor,
                json: Score(subject: scjg, criterion: "c2", points: 11, reason: "", evidence: ""))
            #expect(Set(res.problem?.errors?.map(\.field) ?? []) == ["points", "reason", "evidence"], "\(res.body.string)")
            for l in report.lines {
                res = try await t.send(
                    .POST, path + "/scores", token: supervisor,
                    json: Score(
                        subject: l.subject, criterion: "c2", points: l.subject == scjg ? 9 : 8, reason: "现场检查", evidence: "检查记录 9 月"))
                #expect(res.status == .ok, "\(res.body.string)")
            }
            // The qualitative review: at most ±5 points, with a reason; only the center's administrators.
            struct Review: Encodable { var subject: String?; var adjustment: Double?; var reason: String?; var comment: String? }
            res = try await t.send(
                .POST, path + "/review", token: supervisor, json: Review(subject: scjg, adjustment: 1, reason: "x", comment: ""))
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, path + "/review", token: admin, json: Review(subject: scjg, adjustment: 6, reason: "x", comment: ""))
            #expect(res.problem?.errors?.first?.code == "assessment.adjustmentBound")
            res = try await t.send(
                .POST, path + "/review", token: admin, json: Review(subject: scjg, adjustment: 2, reason: nil, comment: nil))
            #expect(res.problem?.errors?.first?.field == "reason")
            res = try await t.send(
                .POST, path + "/review", token: admin, json: Review(subject: scjg, adjustment: 2, reason: "群众表扬信 3 封", comment: "服务主动"))
            report = try res.content.decode(Report.self)
            line = try #require(report.lines.first { $0.subject == scjg })
            #expect(report.state == "review" && line.points == 18.5 && line.rank == 1 && line.adjustment == 2, "\(line)")
            #expect(report.lines.filter { $0.subject != scjg }.allSatisfy { $0.points == 8 && $0.rank == 2 }, "equal totals share a rank")
            res = try await t.send(
                .POST, path + "/scores", token: supervisor,
                json: Score(subject: scjg, criterion: "c2", points: 10, reason: "x", evidence: "y"))
            #expect(res.status == .conflict, "scoring closed with the review")

            // The sign-off: the report never changes again; new records make a new version only.
            #expect(try await t.send(.POST, path + "/sign-off", token: supervisor).status == .forbidden)
            report = try await t.send(.POST, path + "/sign-off", token: admin).content.decode(Report.self)
            #expect(report.state == "signed")
            #expect(try await t.send(.POST, path + "/sign-off", token: admin).status == .conflict)
            #expect(
                try await t.send(
                    .POST, path + "/review", token: admin, json: Review(subject: nil, adjustment: nil, reason: nil, comment: "再改")
                ).status == .conflict)
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            _ = try await t.move(clerk, c.id, "review")
            _ = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            let again = try await t.send(.GET, path, token: supervisor).content.decode(Report.self)
            #expect(again.lines.first { $0.subject == scjg }?.points == 18.5 && again.state == "signed")
            res = try await t.send(.POST, "/api/v1/assessments", token: supervisor, json: Start(template: template.id))
            #expect(try res.content.decode(Report.self).version == 2)

            // The ranking is the last signed run; the CSV and the pages.
            let ranking = try await t.send(
                .GET, "/api/v1/rankings?center=DL010200&subjects=department&period=month:2026-09", token: supervisor)
            #expect(try ranking.content.decode(Report.self).id == report.id)
            #expect(try await t.send(.GET, "/api/v1/rankings?center=DL010200&subjects=window", token: supervisor).status == .notFound)
            let xlsx = try await t.send(.GET, path + "?format=xlsx", token: supervisor)
            let bytes = Array(xlsx.body.readableBytesView)
            #expect(xlsx.headers.contentType?.description.contains("spreadsheetml") == true && bytes.starts(with: [0x50, 0x4B, 3, 4]))
            let sheet = try #require(XLSXReading.part("xl/worksheets/sheet1.xml", in: bytes))
            #expect(sheet.contains("<v>18.5</v>") && sheet.contains("按时办结（15）"), "numbers as numbers")
            let csv = try await t.send(.GET, path + "?format=csv", token: supervisor).body.string
            #expect(csv.contains("按时办结（15）") && csv.contains("18.5"))
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$entityType == "assessment").count() >= 4 + report.lines.count)
            let web = Browser(t)
            _ = try await web.signIn("jiancha", "Order-Pass-2026")
            #expect(try await web.request(.GET, "/assessments?center=DL010200").body.string.contains("部门月度考核"))
            let page = try await web.request(.GET, "/assessments/\(report.id)").body.string
            #expect(page.contains("18.5") && page.contains("群众表扬信 3 封") && page.contains("形成报告"))
        }
    }
}

extension AssessmentTests {
    /// A run over the county's departments for September 2026 of a template with one hand criterion `c1`.
    static func handRun(_ t: TestContext, admin: String, name: String, criterion: String, points: Double) async throws -> Report {
        struct Rule: Encodable { var kind = "by_hand" }
        struct Criterion: Encodable { var key = "c1"; var name: String; var points: Double; var rule = Rule() }
        struct Input: Encodable { var center = "DL010200"; var name: String; var criteria: [Criterion] }
        let template = try await t.send(
            .POST, "/api/v1/assessment-templates", token: admin,
            json: Input(name: name, criteria: [Criterion(name: criterion, points: points)])
        ).content.decode(Template.self)
        struct Start: Encodable {
            var template: UUID; var center = "DL010200"; var subjects = "department"; var period = "month:2026-09"
        }
        return try await t.send(.POST, "/api/v1/assessments", token: admin, json: Start(template: template.id)).content.decode(
            Report.self)
    }

    @Test(
        "第三方评估: a third party's CSV scores a hand criterion of every unit named in it, all or nothing",
        arguments: TestDB.available)
    func thirdPartyImport(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let admin = try await t.login()
            let run = try await Self.handRun(t, admin: admin, name: "第三方测评考核", criterion: "第三方测评", points: 20)
            let scjg = try #require(run.lines.first { $0.subject == "department:" + d.scjg.uuidString.lowercased() })
            let ga = try #require(run.lines.first { $0.subject == "department:" + d.ga.uuidString.lowercased() })
            struct Import: Encodable { var criterion = "c1"; var source = "某大学评估中心"; var csv: String }
            let path = "/api/v1/assessments/\(run.id)/import"
            // One bad line of three: nothing is scored.
            var res = try await t.send(
                .POST, path, token: admin,
                json: Import(csv: "单位,得分,说明\n\(scjg.name),18.5,暗访良好\n\(ga.name),25\n不存在的单位,10\n"))
            #expect(res.status == .unprocessableEntity)
            #expect(res.problem?.errors?.map(\.field) == ["csv.3", "csv.4"], "\(res.body.string)")
            #expect(res.problem?.errors?.map(\.code) == ["assessment.import.points", "assessment.import.subject"])
            var report = try await t.send(.GET, "/api/v1/assessments/\(run.id)", token: admin).content.decode(Report.self)
            #expect(report.lines.allSatisfy { ($0.scores["c1"] ?? nil) == nil }, "all or nothing")
            res = try await t.send(
                .POST, path, token: admin, json: Import(csv: "\(scjg.name),18.5,暗访良好\n\(ga.subject),16\n\(ga.name),15\n"))
            #expect(res.problem?.errors?.map(\.code) == ["assessment.import.repeated"])
            res = try await t.send(.POST, path, token: d.chief, json: Import(csv: "\(scjg.name),18.5"))
            #expect(res.status == .forbidden)
            res = try await t.send(.POST, path, token: admin, json: Import(csv: "\(scjg.name),18.5,暗访良好\n\(ga.subject),16\n"))
            #expect(res.status == .ok, "\(res.body.string)")
            report = try res.content.decode(Report.self)
            #expect(report.lines.first { $0.subject == scjg.subject }?.scores["c1"] == 18.5)
            #expect(report.lines.first { $0.subject == ga.subject }?.scores["c1"] == 16)
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "assessment.import").count() == 1)
        }
    }

    @Test(
        "awards: the red flag goes to the first of the period's signed ranking, once a period; a pioneer post to a person; they show on the window screen and the staff profile",
        arguments: TestDB.available)
    func awards(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let admin = try await t.login()
            let run = try await Self.handRun(t, admin: admin, name: "部门月度考核", criterion: "现场管理", points: 10)
            let scjg = "department:" + d.scjg.uuidString.lowercased()
            struct Score: Encodable {
                var subject: String; var criterion = "c1"; var points: Double; var reason = "现场检查"; var evidence = "记录"
            }
            for l in run.lines {
                _ = try await t.send(
                    .POST, "/api/v1/assessments/\(run.id)/scores", token: admin,
                    json: Score(subject: l.subject, points: l.subject == scjg ? 9 : 8))
            }
            struct Grant: Encodable {
                var center = "DL010200"; var kind: String; var awardee: String?; var period = "month:2026-09"; var reason: String
            }
            // No signed ranking yet: the red flag needs a subject.
            var res = try await t.send(.POST, "/api/v1/awards", token: admin, json: Grant(kind: "red_flag", reason: "9 月考核第一"))
            #expect(res.problem?.errors?.first?.code == "award.noRanking", "\(res.body.string)")
            _ = try await t.send(.POST, "/api/v1/assessments/\(run.id)/review", token: admin, json: ["comment": "总体良好"])
            #expect(try await t.send(.POST, "/api/v1/assessments/\(run.id)/sign-off", token: admin).status == .ok)
            res = try await t.send(.POST, "/api/v1/awards", token: admin, json: Grant(kind: "red_flag", reason: "9 月考核第一"))
            #expect(res.status == .created, "\(res.body.string)")
            struct Award: Decodable { var subject: String; var subjectName: String; var name: String }
            #expect(try res.content.decode(Award.self).subject == scjg)
            res = try await t.send(.POST, "/api/v1/awards", token: admin, json: Grant(kind: "red_flag", awardee: scjg, reason: "再授"))
            #expect(res.status == .conflict, "one red flag a period")
            let staff = try #require(try await StaffModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).first())
            let person = "staff:" + staff.id!.uuidString.lowercased()
            res = try await t.send(.POST, "/api/v1/awards", token: admin, json: Grant(kind: "red_flag", awardee: person, reason: "x"))
            #expect(res.problem?.errors?.first?.code == "award.wrongSubject")
            res = try await t.send(
                .POST, "/api/v1/awards", token: admin,
                json: Grant(kind: "red_flag", awardee: "center:" + d.county.uuidString.lowercased(), period: "month:2026-08", reason: "x"))
            #expect(res.problem?.errors?.first?.code == "award.notBelow", "a hall's flag comes from above")
            res = try await t.send(
                .POST, "/api/v1/awards", token: admin, json: Grant(kind: "party_pioneer_post", awardee: person, reason: "带头服务"))
            #expect(res.status == .created)
            #expect(
                try await t.send(
                    .POST, "/api/v1/awards", token: d.supervisor, json: Grant(kind: "service_pacesetter", awardee: person, reason: "x")
                ).status == .forbidden)

            // Shown where the public sees them.
            let window = try #require(try await WindowModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).first())
            struct Screen: Decodable { var awards: [String] }
            let screen = try await t.send(.GET, "/api/v1/windows/\(window.id!)/profile").content.decode(Screen.self)
            #expect(screen.awards == ["流动红旗 · 2026年9月"], "\(screen.awards)")
            let profile = try await t.send(.GET, "/staff/\(staff.id!)").body.string
            #expect(profile.contains("党员先锋岗（2026年9月）") && profile.contains("流动红旗（2026年9月） · 县市场监督管理局"), "\(profile)")
            let board = try await t.send(.GET, "/hall/DL010200/board").body.string
            #expect(board.contains("流动红旗 · 县市场监督管理局（2026年9月）"), "the hall board shows its units' red flag")
            let listed = try await t.send(.GET, "/api/v1/awards?center=DL010200").content.decode([Award].self)
            #expect(Set(listed.map(\.name)) == ["流动红旗", "党员先锋岗"])
            // Two periods on, the September flag is no longer shown.
            t.clock.advance(50 * 86400)
            #expect(try await t.send(.GET, "/api/v1/windows/\(window.id!)/profile").content.decode(Screen.self).awards.isEmpty)
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "award.grant").count() == 2)
        }
    }
}

/// Reads a stored (uncompressed) part back out of a ZIP archive, for the tests: each local header
/// names its part and its size.
enum XLSXReading {
    static func part(_ name: String, in b: [UInt8]) -> String? {
        var i = 0
        func le(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        while i + 30 <= b.count, le(i, 4) == 0x0403_4B50 {
            let size = le(i + 18, 4)
            let nameLength = le(i + 26, 2)
            let extra = le(i + 28, 2)
            let partName = String(decoding: b[(i + 30)..<(i + 30 + nameLength)], as: UTF8.self)
            let start = i + 30 + nameLength + extra
            let data = Array(b[start..<(start + size)])
            if partName == name {
                // The stored CRC must be the data's.
                return XLSX.crc32(data) == UInt32(le(i + 14, 4)) ? String(decoding: data, as: UTF8.self) : nil
            }
            i = start + size
        }
        return nil
    }
}

@Suite("XLSX")
struct XLSXTests {
    @Test("the CRC of the ZIP format, column names, escaping, and a workbook's parts")
    func workbook() {
        #expect(XLSX.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(XLSX.column(0) == "A" && XLSX.column(25) == "Z" && XLSX.column(26) == "AA" && XLSX.column(701) == "ZZ")
        let b = XLSX.workbook(sheet: "考核/结果", rows: [[.text("名称 <&>"), .number(95.5), .empty, .number(3)]])
        let sheet = XLSXReading.part("xl/worksheets/sheet1.xml", in: b) ?? ""
        #expect(
            sheet.contains("名称 &lt;&amp;&gt;") && sheet.contains(#"<c r="B1"><v>95.5</v></c>"#)
                && sheet.contains(#"<c r="D1"><v>3</v></c>"#))
        #expect(XLSXReading.part("xl/workbook.xml", in: b)?.contains(#"name="考核结果""#) == true)
        #expect(XLSXReading.part("[Content_Types].xml", in: b) != nil)
    }
}
