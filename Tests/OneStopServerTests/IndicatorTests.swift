import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// The indicator table and its drill-down (issue 21), from cases, anomalies and complaints made
/// through the API.
@Suite("Indicators")
struct IndicatorTests {
    struct Figure: Decodable {
        var indicator: String
        var numerator: Int
        var denominator: Int?
        var value: Double?
        var text: String
        var available: Bool
        var records: String?
        var recordCount: Int?
        var previousText: String
    }

    struct Table: Decodable {
        var scope: String
        var period: String
        var previousPeriod: String
        var figures: [Figure]
        var departments: [Department]

        struct Department: Decodable {
            var departmentID: UUID
            var texts: [String: String]
        }

        subscript(_ i: String) -> Figure { figures.first { $0.indicator == i }! }
    }

    struct Records: Decodable {
        var total: Int
        var records: [Record]

        struct Record: Decodable {
            var day: String
            var reference: String
            var link: String
        }
    }

    @Test(
        "a month's figures from the records, with numerator, denominator and the previous month; each figure's records agree with it; a complaint judged later counts on the day it was received",
        arguments: TestDB.available)
    func indicators(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            var (_, clerk, chief) = try await t.caseStaff()
            let item = try await t.foodItem()
            // Monday 2026-09-21: two cases accepted; the first reviewed and approved the same day.
            let a = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            let b = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            #expect(try await t.move(clerk, a.id, "review").status == .ok)
            #expect(try await t.send(.POST, "/api/v1/cases/\(a.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
            #expect(try await t.move(clerk, b.id, "review").status == .ok)
            // A complaint the same evening, called back twice: dissatisfied (重办), then satisfied.
            let o = try #require(try await d.take(["kind": "complaint", "callerPhone": "13800138009", "text": "窗口一次性告知不到位"]))
            try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            try await d.step(o.id, "sign", token: d.chief)
            try await d.step(o.id, "reply", ["reply": "已核实，已批评教育。"], token: d.chief)
            typealias CallBack = WorkOrderTests.CallBack
            var res = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/call-back", token: d.hotline,
                json: CallBack(reached: true, satisfaction: "dissatisfied", solved: false, note: "仍未解决"))
            #expect(res.status == .ok, "\(res.body.string)")
            try await d.step(o.id, "reply", ["reply": "已当场办结。"], token: d.chief)
            res = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/call-back", token: d.hotline,
                json: CallBack(reached: true, satisfaction: "satisfied", solved: true, note: ""))
            #expect(res.status == .ok, "\(res.body.string)")

            // Wednesday 09-30: the second case is past its promised day (09-29): the sweep records
            // it overdue, then it is approved, late; and the complaint is judged valid.
            t.clock.advance(9 * 86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) >= 1)
            (clerk, chief) = (try await t.login("case_clerk", "Case-Pass-2026"), try await t.login("case_chief", "Case-Pass-2026"))
            #expect(try await t.send(.POST, "/api/v1/cases/\(b.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
            let supervisor = try await t.login("jiancha", "Order-Pass-2026")
            res = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/judge", token: supervisor,
                json: WorkOrderTests.Judge(valid: true, reason: "窗口一次性告知不到位，属实"))
            #expect(res.status == .ok, "\(res.body.string)")

            func table(_ query: String, token: String? = nil) async throws -> Table {
                let r = try await t.send(.GET, "/api/v1/indicators?center=DL010200&" + query, token: token ?? supervisor)
                #expect(r.status == .ok, "\(r.body.string)")
                return try r.content.decode(Table.self)
            }
            let month = try await table("period=month:2026-09")
            #expect(month.period == "month:2026-09" && month.previousPeriod == "month:2026-08")
            #expect(month["on_time"].numerator == 1 && month["on_time"].denominator == 2 && month["on_time"].text == "50.0%")
            #expect(month["on_site"].numerator == 1 && month["on_site"].denominator == 2)
            #expect(month["joint"].text == "0.0%" && month["online_acceptance"].text == "0.0%")
            #expect(month["valid_complaints"].numerator == 1 && month["complaint_rate"].text == "50.0%")
            #expect(month["complaint_satisfaction"].numerator == 1 && month["complaint_satisfaction"].denominator == 2)
            let anomalies = month["anomalies"].numerator
            #expect(anomalies >= 1)
            // No ratings and no online applications: nothing to divide by is no figure, not 0%.
            #expect(month["satisfaction"].value == nil && month["satisfaction"].text == "—")
            #expect(month["first_time_success"].value == nil && month["on_time"].previousText == "—")
            #expect(!month["item_residency"].available && month["item_residency"].value == nil)
            #expect(month.departments.map(\.departmentID) == [d.scjg] && month.departments[0].texts["on_time"] == "50.0%")

            // Every figure's records agree with it.
            for f in month.figures {
                guard let kind = f.records, let expected = f.recordCount else { continue }
                let r = try await t.send(
                    .GET, "/api/v1/indicators/records?center=DL010200&period=month:2026-09&indicator=\(f.indicator)", token: supervisor)
                let records = try r.content.decode(Records.self)
                #expect(records.total == expected && records.records.count == min(expected, 50), "\(f.indicator) \(kind)")
            }
            let late = try await t.send(
                .GET, "/api/v1/indicators/records?center=DL010200&period=month:2026-09&indicator=on_time", token: supervisor
            ).content.decode(Records.self)
            #expect(late.records.map(\.reference) == [b.number] && late.records.first?.day == "2026-09-30")
            #expect(late.records.first?.link == "/cases/\(b.id)")
            let csv = try await t.send(
                .GET, "/api/v1/indicators/records?center=DL010200&period=month:2026-09&indicator=on_time&format=csv", token: supervisor)
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true && csv.body.string.contains(b.number))

            // `onestop indicators recount` counts the same figures again from the records.
            try await (t.app.db as! any SQLDatabase).raw("DELETE FROM indicator_tallies").run()
            #expect(try await table("period=month:2026-09")["on_time"].denominator == 0)
            var context = CommandContext(
                console: Terminal(), input: CommandInput(arguments: ["onestop", "recount", "--from", "2026-09-01", "--to", "2026-09-30"]))
            context.application = t.app
            try await IndicatorsCommand().run(using: &context)
            let again = try await table("period=month:2026-09")
            #expect(again.figures.map(\.numerator) == month.figures.map(\.numerator))
            #expect(again.figures.map(\.denominator) == month.figures.map(\.denominator))

            let file = try await t.send(.GET, "/api/v1/indicators?center=DL010200&period=month:2026-09&format=csv", token: supervisor)
            #expect(file.body.string.contains("按时办结率,50,1,2,,") && file.body.string.contains("县市场监督管理局"), "\(file.body.string)")
            // The complaint counts on the day it came in, although judged nine days later.
            #expect(try await table("period=day:2026-09-21")["valid_complaints"].numerator == 1)
            #expect(try await table("period=day:2026-09-30")["valid_complaints"].numerator == 0)
            // Any range; the department's own figures; a chief representative sees only theirs.
            let range = try await table("kind=range&from=2026-09-25&to=2026-10-05")
            #expect(
                range["on_time"].denominator == 1 && range["on_site"].denominator == 0
                    && range.previousPeriod == "range:2026-09-14..2026-09-24")
            let scjg = try await table("period=month:2026-09&scope=department:\(d.scjg.uuidString)")
            #expect(scjg["on_time"].numerator == 1 && scjg.departments.isEmpty)
            let own = try await table("period=month:2026-09&scope=subtree", token: try await t.login("chief_ga", "Order-Pass-2026"))
            #expect(own.scope == "department:\(d.ga.uuidString.lowercased())" && own["on_time"].denominator == 0)

            // Bad input names the field and changes nothing.
            for (query, field) in [
                ("period=month:2026-13", "period"), ("kind=decade", "kind"), ("kind=range&from=2026-09-30&to=2026-09-01", "to"),
                ("scope=department:\(UUID())", "scope"), ("scope=nonsense", "scope"), ("kind=month&date=2026-02-30", "date"),
            ] {
                let r = try await t.send(.GET, "/api/v1/indicators?center=DL010200&" + query, token: supervisor)
                #expect(r.status == .unprocessableEntity && r.problem?.errors?.first?.field == field, "\(query): \(r.body.string)")
            }
            #expect(try await t.send(.GET, "/api/v1/indicators", token: clerk).status == .forbidden)

            // The pages: the table with its formula and links, and the records behind a figure.
            let web = Browser(t)
            _ = try await web.signIn("jiancha", "Order-Pass-2026")
            let page = try await web.request(.GET, "/indicators?center=DL010200&kind=month&date=2026-09-15").body.string
            #expect(page.contains("按时办结率") && page.contains("50.0%") && page.contains("按承诺期限办结的承诺件数"))
            #expect(page.contains("/indicators/records?") && page.contains("indicator=on_time"))
            let records = try await web.request(.GET, "/indicators/records?center=DL010200&period=month:2026-09&indicator=on_time")
            #expect(records.status == .ok && records.body.string.contains(b.number))
        }
    }

    @Test("a catch-up follows the audit log once: nothing new, nothing recounted; a new month starts empty", arguments: TestDB.available)
    func catchUp(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            _ = try await IndicatorStore.catchUp(app: t.app, now: t.clock.now)
            #expect(try await IndicatorStore.catchUp(app: t.app, now: t.clock.now) == 0)
            _ = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            #expect(try await IndicatorStore.catchUp(app: t.app, now: t.clock.now) == 1)
            #expect(try await IndicatorStore.catchUp(app: t.app, now: t.clock.now) == 0)
            let county = try await t.centerID(code: "DL010200")
            let september = try await IndicatorStore.read(
                centers: [county], kind: "center", period: EvaluationPeriod(.month, containing: CivilDate("2026-09-01")!), on: t.app.db)
            #expect(september.values.reduce(IndicatorCounts(), +)[.accepted] == 1)
            let october = try await IndicatorStore.read(
                centers: [county], kind: "center", period: EvaluationPeriod(.month, containing: CivilDate("2026-10-01")!), on: t.app.db)
            #expect(october.isEmpty)
        }
    }
}

extension TestContext {
    /// Two cases of the market regulator accepted on Monday 2026-09-21, one reviewed and approved the
    /// same day, the other approved on 09-30, past its promised 09-29: September's on-time rate is
    /// 50 %. The clock is left on 09-30; the clerk's and chief's sign-ins returned are fresh.
    func septemberCases(clerk: String, chief: String) async throws -> (clerk: String, chief: String, late: CaseView) {
        let item = try await foodItem()
        let a = try await intake(clerk, item: item.code, marks: try await complete(item), accept: true).caseView()
        let b = try await intake(clerk, item: item.code, marks: try await complete(item), accept: true).caseView()
        for c in [a, b] { #expect(try await move(clerk, c.id, "review").status == .ok) }
        #expect(try await send(.POST, "/api/v1/cases/\(a.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
        clock.advance(9 * 86400)
        let (clerk, chief) = (try await login("case_clerk", "Case-Pass-2026"), try await login("case_chief", "Case-Pass-2026"))
        #expect(try await send(.POST, "/api/v1/cases/\(b.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
        return (clerk, chief, b)
    }
}
