import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Calendar re-timing: common clocks in slices")
struct CalendarRetimingSliceTests {
    struct Full: Decodable {
        struct Clock: Decodable { var promisedDue: String?; var legalDue: String? }
        struct Event: Decodable { var action: String; var reason: String }
        var clock: Clock?
        var events: [Event]
    }
    struct Job: Decodable { var status: String; var cases: Int; var notified: Int }

    @Test(
        "a plain running clock is re-timed with its group, a registered applicant told with its link; a clock that stopped once goes case by case",
        arguments: TestDB.available)
    func slices(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let county = try await t.centerID(code: "DL010200")
            let food = try await t.foodItem()
            // Monday 2026-09-21: two food licences accepted, promised on 09-29.
            let plain = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            #expect(try await t.move(clerk, plain.id, "accept").caseView().clock?.promisedDue == "2026-09-29")
            let stopped = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            _ = try await t.move(clerk, stopped.id, "accept")
            _ = try await t.move(clerk, stopped.id, "review")
            let suspended = try await t.move(clerk, stopped.id, "suspend", ["procedure": "检验", "reason": "送检"])
            #expect(try suspended.caseView().state == "suspended", "\(suspended.body.string)")
            let resumed = try await t.move(clerk, stopped.id, "resume").caseView()
            let stoppedDue = try #require(resumed.clock?.promisedDue)
            // The first applicant has an account: the re-timing tells them in their inbox.
            let chief = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "case_chief").first()?.id)
            let row = try #require(try await CaseModel.find(plain.id, on: t.app.db))
            let applicant = try #require(try await ApplicantModel.find(row.applicantID, on: t.app.db))
            let second = try #require(try await CaseModel.find(stopped.id, on: t.app.db))
            #expect(second.applicantID == applicant.id)
            applicant.userID = chief
            try await applicant.save(on: t.app.db)

            let set = try await t.send(
                .PUT, "/api/v1/centers/\(county)/calendar/days/2026-09-22", token: admin, json: ["kind": "closure", "name": "台风停办"])
            struct Day: Decodable { var retimingID: UUID? }
            let jobID = try #require(try set.content.decode(Day.self).retimingID)
            let clock = t.clock
            try await CalendarRetiming.runPending(app: t.app, now: { clock.now })
            let job = try await t.send(.GET, "/api/v1/calendar/retimings/\(jobID)", token: admin).content.decode(Job.self)
            #expect(job.status == "done" && job.cases == 2 && job.notified == 2, "\(job)")

            let a = try await t.send(.GET, "/api/v1/cases/\(plain.id)", token: clerk).content.decode(Full.self)
            #expect(a.clock?.promisedDue == "2026-09-30" && a.clock?.legalDue == "2026-10-27", "\(String(describing: a.clock))")
            #expect(
                a.events.last?.action == "retime"
                    && a.events.last?.reason == "因日历调整，承诺办结日期由 2026-09-29 调整为 2026-09-30；法定办结期限由 2026-10-26 调整为 2026-10-27")
            let b = try await t.send(.GET, "/api/v1/cases/\(stopped.id)", token: clerk).content.decode(Full.self)
            #expect(b.clock?.promisedDue.map { $0 > stoppedDue } == true && b.events.last?.action == "retime")
            #expect(b.events.last?.reason.hasPrefix("因日历调整，承诺办结日期由 \(stoppedDue) 调整为 ") == true)
            // The timeline entries are rows like any other, numbered after the case's last.
            let entries = try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == plain.id).sort(\.$seq).all()
            #expect(entries.last?.action == "retime" && entries.last?.seq == entries.count && entries.last?.id != nil)
            #expect(entries.last?.detail.contains(jobID.uuidString.lowercased()) == true)
            // Each applicant's message names its own case and links to it.
            let told = try await OutboxModel.query(on: t.app.db).filter(\.$event == "case.retimed").filter(\.$channel == "inbox").all()
            #expect(told.count == 2 && told.allSatisfy { $0.target == chief.uuidString })
            let messages = try told.map { try JSONDecoder().decode(Outbox.Message.self, from: Data($0.payload.utf8)) }
            let first = try #require(messages.first { $0.data["case"] == plain.number })
            #expect(first.link == "/cases/\(plain.id.uuidString.lowercased())" && first.title == "办件承诺办结日期调整：\(plain.number)")
            #expect(first.data["from"] == "2026-09-29" && first.data["to"] == "2026-09-30")
            #expect(messages.contains { $0.data["case"] == stopped.number })
            // The job's groups are gone once it is done.
            let sql = try #require(t.app.db as? any SQLDatabase)
            struct Count: Decodable { var n: Int }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM calendar_retiming_groups").first(decoding: Count.self)?.n == 0)
        }
    }
}
