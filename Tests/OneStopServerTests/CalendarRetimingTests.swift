import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Calendar: provisional years and re-timing")
struct CalendarRetimingTests {
    struct Day: Decodable { var date: String; var kind: String; var isWorkingDay: Bool; var provisional: Bool; var retimingID: UUID? }
    struct Sum: Decodable { var result: String; var provisional: Bool }
    struct Years: Decodable {
        struct Year: Decodable { var year: Int; var status: String; var source: String?; var statutoryDays: [String] }
        var lastConfirmedYear: Int?
        var years: [Year]
    }
    struct Job: Decodable {
        struct Moved: Decodable { var number: String; var what: String; var from: String; var to: String }
        var id: UUID
        var status: String
        var cases: Int
        var tasks: Int
        var steps: Int
        var withdrawn: Int
        var notified: Int
        var sample: [Moved]?
    }
    struct Event: Decodable { var action: String; var reason: String }
    struct Full: Decodable {
        struct Clock: Decodable { var promisedDue: String?; var legalDue: String?; var provisional: Bool }
        var clock: Clock?
        var events: [Event]
    }

    func run(_ t: TestContext) async throws {
        let clock = t.clock
        try await CalendarRetiming.runPending(app: t.app, now: { clock.now })
    }

    @Test(
        "a closure re-times an open case, its co-department's task and its next look, tells the webhook, and leaves a closed case alone",
        arguments: TestDB.available)
    func closure(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let county = try await t.centerID(code: "DL010200")
            let hook = try await t.send(
                .POST, "/api/v1/webhooks", token: admin,
                json: ["centerID": county.uuidString, "url": "http://127.0.0.1:9/hook", "events": "case.retimed"])
            #expect(hook.status == .created, "\(hook.body.string)")
            // A joint item, 15 working days promised, 20 legal, with a 3-day task for the police.
            let scjg = try await t.department("SCJG")
            let ga = try await t.department("GA")
            var body = itemBody(scjg, code: "J-016", name: "联办日历事项")
            body.caseType = "joint"
            body.promisedDays = 15
            body.legalDays = 20
            let itemID = try t.item(try await t.send(.POST, "/api/v1/items", token: admin, json: body)).id
            #expect(try await t.send(.POST, "/api/v1/items/\(itemID)/publish", token: admin).status == .ok)
            // Monday 2026-09-21: the food licence, promised in 5 working days (09-29, over 中秋).
            let food = try await t.foodItem()
            let open = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            #expect(try await t.move(clerk, open.id, "accept").caseView().clock?.promisedDue == "2026-09-29")
            let joint = try await t.intake(clerk, item: "J-016", marks: ["provided"]).caseView()
            _ = try await t.move(clerk, joint.id, "accept")
            struct Task: Encodable { var departmentID: UUID?; var title: String; var days: Int }
            let task = try await t.send(
                .POST, "/api/v1/cases/\(joint.id)/tasks", token: clerk, json: Task(departmentID: ga, title: "核查消防", days: 3)
            ).content.decode(CaseTaskDTO.self)
            #expect(task.dueOn == "2026-09-24")
            let closed = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            #expect(try await t.move(clerk, closed.id, "refuse", ["reason": "不属于本机关职权"]).caseView().state == "refused")
            let closedBefore = try #require(try await CaseModel.find(closed.id, on: t.app.db))

            // A typhoon closes the county tomorrow, Tuesday 09-22.
            let set = try await t.send(
                .PUT, "/api/v1/centers/\(county)/calendar/days/2026-09-22", token: admin, json: ["kind": "closure", "name": "台风停办"])
            let day = try set.content.decode(Day.self)
            #expect(day.kind == "closure" && !day.provisional)
            let jobID = try #require(day.retimingID)
            var job = try await t.send(.GET, "/api/v1/calendar/retimings/\(jobID)", token: admin).content.decode(Job.self)
            #expect(job.status == "pending")
            try await run(t)
            job = try await t.send(.GET, "/api/v1/calendar/retimings/\(jobID)", token: admin).content.decode(Job.self)
            #expect(job.status == "done" && job.cases == 2 && job.tasks == 1 && job.notified == 2, "\(job)")
            #expect(job.sample?.contains { $0.number == open.number && $0.from == "2026-09-29" && $0.to == "2026-09-30" } == true)

            let after = try await t.send(.GET, "/api/v1/cases/\(open.id)", token: clerk).content.decode(Full.self)
            #expect(after.clock?.promisedDue == "2026-09-30" && after.clock?.legalDue == "2026-10-27")
            let entry = try #require(after.events.last)
            #expect(entry.action == "retime" && entry.reason.contains("承诺办结日期由 2026-09-29 调整为 2026-09-30"))
            // Supervision looks again when three days are left: now on Thursday 09-24, not 09-23.
            #expect(try await Supervision.queued(open.id, on: t.app.db).contains("2026-09-24"))
            let taskRow = try #require(try await CaseTaskModel.find(task.id, on: t.app.db))
            #expect(taskRow.dueOn == "2026-09-28")
            let jointEvents = try await t.send(.GET, "/api/v1/cases/\(joint.id)", token: clerk).content.decode(Full.self).events
            #expect(jointEvents.contains { $0.reason.contains("联办任务「核查消防」期限由 2026-09-24 调整为 2026-09-28") })
            // The webhook is told of each moved promised date.
            let told = try await OutboxModel.query(on: t.app.db).filter(\.$event == "case.retimed").all()
            #expect(told.filter { $0.channel == "webhook" }.count == 2)
            // This applicant was taken in at the window and has no account: no inbox message.
            #expect(!told.contains { $0.channel == "inbox" })
            // The closed case is as it was, with no new timeline entry.
            let closedAfter = try #require(try await CaseModel.find(closed.id, on: t.app.db))
            #expect(closedAfter.updatedAt == closedBefore.updatedAt && closedAfter.legalDue == closedBefore.legalDue)
            #expect(try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == closed.id).filter(\.$action == "retime").count() == 0)

            // Running the job again changes nothing; setting the same day again queues nothing.
            try await run(t)
            #expect(try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == open.id).filter(\.$action == "retime").count() == 1)
            let again = try await t.send(
                .PUT, "/api/v1/centers/\(county)/calendar/days/2026-09-22", token: admin, json: ["kind": "closure", "name": "台风停办"])
            #expect(try again.content.decode(Day.self).retimingID == nil)
            let list = try await t.send(.GET, "/api/v1/calendar/retimings", token: admin).content.decode([Job].self)
            #expect(list.map(\.id) == [jobID])
            // The audit trail names the re-timing and the cases it moved.
            let audited = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "calendar.retime").all()
            #expect(audited.count == 2 && audited.contains { $0.detail.contains(open.number) })
        }
    }

    @Test(
        "a card only the old calendar raised is withdrawn, never deleted, and issued again when due; a past day closed cases were timed on is refused",
        arguments: TestDB.available)
    func withdrawal(db: TestDB) async throws {
        try await withOneStop(db) { t in
            var (admin, clerk, _) = try await t.caseStaff()
            let county = try await t.centerID(code: "DL010200")
            let food = try await t.foodItem()
            let c = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            _ = try await t.move(clerk, c.id, "accept")
            let other = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            // Wednesday 09-30: the promised 09-29 has passed — a yellow card and an anomaly.
            t.clock.advance(9 * 86400)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await CaseModel.find(c.id, on: t.app.db)?.level == "yellow")
            #expect(try await CardModel.query(on: t.app.db).filter(\.$caseID == c.id).all().map(\.status) == ["open"])
            (admin, clerk) = (try await t.login(), try await t.login("case_clerk", "Case-Pass-2026"))

            // The morning's storm closes the hall today: the case is not late after all.
            let set = try await t.send(
                .PUT, "/api/v1/centers/\(county)/calendar/days/2026-09-30", token: admin, json: ["kind": "closure", "name": "暴雨停办"])
            #expect(set.status == .ok, "\(set.body.string)")
            try await run(t)
            let card = try #require(try await CardModel.query(on: t.app.db).filter(\.$caseID == c.id).first())
            #expect(card.status == "withdrawn" && card.decisionNote.contains("撤销按原日历发出的黄牌"))
            struct Withdrawn: Decodable { var kind: String; var withdrawn: String }
            let sql = try #require(t.app.db as? any SQLDatabase)
            let anomalies = try await sql.raw(
                "SELECT kind, withdrawn FROM anomalies WHERE case_id = \(sql.bind(id: c.id))"
            ).all(decoding: Withdrawn.self)
            #expect(anomalies.count == 1 && anomalies.first?.withdrawn.contains("因日历调整") == true, "\(anomalies)")
            let report = try await t.send(.GET, "/api/v1/supervision/anomalies", token: admin)
            #expect(!report.body.string.contains(c.number), "\(report.body.string)")
            #expect(try await CaseModel.find(c.id, on: t.app.db)?.level == "reminder")
            let job = try await t.send(.GET, "/api/v1/calendar/retimings", token: admin).content.decode([Job].self).first
            #expect(job?.withdrawn == 1)

            // Another case closes today; a day before today that its clock ran across can no longer change.
            _ = try await t.move(clerk, other.id, "refuse", ["reason": "材料虚假"])
            let past = try await t.send(
                .PUT, "/api/v1/centers/\(county)/calendar/days/2026-09-29", token: admin, json: ["kind": "closure", "name": "补记停办"])
            #expect(past.status == .unprocessableEntity && past.problem?.errors?.first?.code == "calendar.pastDayClosedCases")
            let day = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2026-09-29").content.decode(Day.self)
            #expect(day.kind == "workday")
            #expect(try await t.send(.GET, "/api/v1/calendar/retimings", token: admin).content.decode([Job].self).count == 1)

            // Thursday 10-08: now it is late on the new calendar, and a new card is issued beside the withdrawn one.
            t.clock.advance(8 * 86400)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            let cards = try await CardModel.query(on: t.app.db).filter(\.$caseID == c.id).all()
            #expect(cards.map(\.status).sorted() == ["open", "withdrawn"])
            #expect(try await AnomalyModel.query(on: t.app.db).filter(\.$caseID == c.id).all().map(\.kind) == ["overdue", "overdue"])
        }
    }

    @Test(
        "a provisional year counts its statutory days, says so everywhere, asks for the arrangement, and importing it re-times and confirms",
        arguments: TestDB.available)
    func provisionalYear(db: TestDB) async throws {
        try await withOneStop(db) { t in
            // Monday 2026-12-28.
            t.clock.advance(98 * 86400)
            let (admin, clerk, _) = try await t.caseStaff()
            let county = try await t.centerID(code: "DL010200")
            var newYear = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2027-01-01").content.decode(Day.self)
            #expect(newYear.kind == "holiday" && !newYear.isWorkingDay && newYear.provisional)
            let sum = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/add-working-days?start=2026-12-28&days=5").content
                .decode(Sum.self)
            #expect(sum.result == "2027-01-05" && sum.provisional)
            var years = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/years").content.decode(Years.self)
            #expect(years.lastConfirmedYear == 2026)
            #expect(years.years.first { $0.year == 2027 }?.status == "provisional")
            #expect(years.years.first { $0.year == 2027 }?.statutoryDays.contains("2027-02-05") == true)
            #expect(years.years.first { $0.year == 2025 }?.status == "confirmed")

            // A case accepted today is promised on 2027-01-05, marked provisional, and its notice says so.
            let food = try await t.foodItem()
            let c = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            let accepted = try await t.move(clerk, c.id, "accept").caseView()
            let full = try await t.send(.GET, "/api/v1/cases/\(c.id)", token: clerk).content.decode(Full.self)
            #expect(full.clock?.promisedDue == "2027-01-05" && full.clock?.provisional == true)
            struct Summary: Decodable { var number: String; var dueProvisional: Bool }
            let listed = try await t.send(.GET, "/api/v1/cases", token: clerk).content.decode([Summary].self)
            #expect(listed.first { $0.number == c.number }?.dueProvisional == true)
            let notice = try #require(accepted.notices.first { $0.kind == "acceptance" })
            let html = try await t.send(.GET, "/notices/\(notice.serial)", token: clerk).body.string
            #expect(html.contains("按国家法定节假日推算") && html.contains("5 个工作日"))

            // December: the administrator sees the banner on every page.
            let page = try await t.app.testing().sendRequest(.GET, "/admin/calendar?year=2027") { req in
                req.headers.bearerAuthorization = .init(token: admin)
            }
            #expect(page.body.string.contains("2027 年全国节假日安排尚未导入"))
            #expect(page.body.string.contains("2027 年为临时日历"))
            let clerkPage = try await t.app.testing().sendRequest(.GET, "/cases") { req in
                req.headers.bearerAuthorization = .init(token: clerk)
            }
            #expect(!clerkPage.body.string.contains("全国节假日安排尚未导入"))

            // A year with no working day is refused and changes nothing.
            var lines = ["date,kind,name"]
            var d = CivilDate(year: 2027, month: 1, day: 1)!
            while d.year == 2027 {
                if !d.isWeekend { lines.append("\(d),holiday,假") }
                d = d.adding(days: 1)
            }
            let empty = try await t.sendText(.POST, "/api/v1/calendar/import?year=2027", token: admin, body: lines.joined(separator: "\n"))
            #expect(empty.status == .unprocessableEntity && empty.problem?.errors?.first?.code == "calendar.noWorkingDay")

            // The arrangement arrives: New Year's Day and a bridging Monday off, made up on Saturday 01-09.
            let csv = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n2027-01-09,makeup_workday,元旦调休上班\n"
            let imported = try await t.sendText(
                .POST, "/api/v1/calendar/import?year=2027&source=%E5%9B%BD%E5%8A%9E%E5%8F%91%E6%98%8E%E7%94%B5", token: admin, body: csv)
            #expect(imported.status == .ok, "\(imported.body.string)")
            struct Imported: Decodable { var days: Int; var retimingID: UUID? }
            #expect(try imported.content.decode(Imported.self).retimingID != nil)
            try await run(t)
            let retimed = try await t.send(.GET, "/api/v1/cases/\(c.id)", token: clerk).content.decode(Full.self)
            #expect(retimed.clock?.promisedDue == "2027-01-06" && retimed.clock?.provisional == false)
            #expect(retimed.events.last?.reason.contains("由 2027-01-05 调整为 2027-01-06") == true)
            // What was printed stays as printed.
            #expect(try await t.send(.GET, "/notices/\(notice.serial)", token: clerk).body.string == html)
            newYear = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2027-01-01").content.decode(Day.self)
            #expect(!newYear.provisional)
            // The derived days of 2027 are gone: 中秋 (09-15) is only off if the import says so.
            #expect(try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2027-09-15").content.decode(Day.self).isWorkingDay)
            years = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/years").content.decode(Years.self)
            #expect(years.lastConfirmedYear == 2027 && years.years.first { $0.year == 2027 }?.source == "国办发明电")
            #expect(try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2028-01-01").content.decode(Day.self).provisional)
            let pageAfter = try await t.app.testing().sendRequest(.GET, "/admin/calendar?year=2027") { req in
                req.headers.bearerAuthorization = .init(token: admin)
            }
            #expect(!pageAfter.body.string.contains("全国节假日安排尚未导入") && pageAfter.body.string.contains("2027 年已确认"))
            let metrics = try await t.send(.GET, "/metrics").body.string
            #expect(metrics.contains("onestop_calendar_last_confirmed_year 2027"))
        }
    }
}
