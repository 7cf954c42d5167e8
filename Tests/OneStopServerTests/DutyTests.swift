import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// Running the center (issue 23): the duty rota, the leader on duty's patrols, their findings as
/// the departments' tasks, and the day's patrol count against the number required.
@Suite("Duty and patrols")
struct DutyTests {
    struct Person: Decodable { var userID: UUID; var name: String; var department: String? }
    struct Day: Decodable { var day: String; var working: Bool; var leader: Person?; var floor: [Person] }
    struct Rota: Decodable { var patrolsPerDay: Int; var days: [Day] }
    struct Finding: Decodable {
        var id: UUID
        var departmentID: UUID?
        var due: String
        var overdue: Bool
        var rectification: String?
    }
    struct Patrol: Decodable { var id: UUID; var day: String; var findings: [Finding] }
    struct PatrolDay: Decodable { var day: String; var recorded: Int; var required: Int; var status: String; var leader: String? }
    struct Listing: Decodable { var days: [PatrolDay]; var patrols: [Patrol] }

    struct Hall {
        let d: WorkOrderTests.Desk
        let leader: UUID
        let second: String
        let secondID: UUID
        let head: UUID
        let window: UUID

        static func open(_ t: TestContext) async throws -> Hall {
            let d = try await WorkOrderTests.Desk.open(t)
            let made = try await t.send(
                .POST, "/api/v1/users", token: d.admin,
                json: [
                    "username": "zhuren2", "displayName": "副主任", "password": "Order-Pass-2026", "role": "supervisor",
                    "centerID": d.county.uuidString,
                ])
            #expect(made.status == .created, "\(made.body.string)")
            func user(_ name: String) async throws -> UUID {
                try await UserModel.query(on: t.app.db).filter(\.$username == name).first()!.requireID()
            }
            let window = try await WindowModel.query(on: t.app.db).filter(\.$centerID == d.county).filter(\.$departmentID == d.scjg)
                .first()!.requireID()
            return Hall(
                d: d, leader: try await user("jiancha"), second: try await t.login("zhuren2", "Order-Pass-2026"),
                secondID: try await user("zhuren2"), head: try await user("chief_scjg"), window: window)
        }

        var rotaPath: String { "/api/v1/centers/\(d.county)/duty" }
        var patrolPath: String { "/api/v1/centers/\(d.county)/patrols" }

        struct DayIn: Encodable { var day: String; var leader: UUID?; var floor: [UUID] = [] }
        struct RotaIn: Encodable { var rota: [DayIn]; var reason: String? = nil; var patrolsPerDay: Int? = nil }

        func plan(
            _ t: TestContext, _ days: [DayIn], reason: String? = nil, expect status: HTTPStatus = .ok
        ) async throws -> TestingHTTPResponse {
            let res = try await t.send(.PUT, rotaPath, token: d.admin, json: RotaIn(rota: days, reason: reason))
            #expect(res.status == status, "\(res.body.string)")
            return res
        }
    }

    struct Obs: Encodable { var windowID: UUID; var present = true; var tidy = true; var badge = true; var queue = true; var note = "" }
    struct Prob: Encodable { var windowID: UUID?; var text: String; var days: Int? = nil }
    struct PatrolIn: Encodable { var observations: [Obs]; var problems: [Prob] = []; var note = "" }

    @Test(
        "the rota: working days from today on, leaders from the center's leadership, a swap only with its reason",
        arguments: TestDB.available)
    func rota(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let h = try await Hall.open(t)
            // 2026-09-21 is a Monday; the 18th has gone by, the 26th is in the Mid-Autumn holiday.
            var res = try await h.plan(
                t,
                [
                    .init(day: "2026-09-18", leader: h.leader), .init(day: "2026-09-26", leader: h.leader),
                    .init(day: "2026-09-22", leader: h.head), .init(day: "2026-09-23", leader: h.leader, floor: [h.leader]),
                ], expect: .unprocessableEntity)
            #expect(
                Set(res.problem?.errors?.map { "\($0.field):\($0.code)" } ?? []) == [
                    "rota.0.day:duty.pastDay", "rota.1.day:duty.notWorkingDay", "rota.2.leader:duty.notLeader",
                    "rota.3.floor:duty.notDepartmentHead",
                ], "\(res.body.string)")
            #expect(res.problem?.errors?.first { $0.code == "duty.pastDay" }?.message.contains("已过去") == true)
            #expect(try await DutyShiftModel.query(on: t.app.db).count() == 0, "a refused change changes nothing")
            res = try await t.send(
                .PUT, h.rotaPath, token: h.d.chief, json: Hall.RotaIn(rota: [.init(day: "2026-09-21", leader: h.leader)]))
            #expect(res.status == .forbidden, "only the administrator plans the rota")

            _ = try await h.plan(
                t, [.init(day: "2026-09-21", leader: h.leader, floor: [h.head]), .init(day: "2026-09-22", leader: h.leader)])
            let rota = try await t.send(.GET, h.rotaPath + "?from=2026-09-21&to=2026-09-27", token: h.d.chief).decoded(Rota.self)
            #expect(rota.patrolsPerDay == 2 && rota.days.count == 7)
            #expect(rota.days[0].leader?.userID == h.leader && rota.days[0].floor.map(\.userID) == [h.head])
            #expect(rota.days[0].floor.first?.department != nil)
            #expect(rota.days[1].leader?.userID == h.leader && rota.days[1].floor.isEmpty)
            #expect(rota.days[5].working == false && rota.days[5].leader == nil)

            // Taking the 22nd from its leader is a swap: refused without a reason, audited with it.
            res = try await h.plan(t, [.init(day: "2026-09-22", leader: h.secondID)], expect: .unprocessableEntity)
            #expect(res.problem?.errors?.map(\.field) == ["reason"])
            _ = try await h.plan(t, [.init(day: "2026-09-22", leader: h.secondID)], reason: "原值班领导外出开会")
            let swap = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "duty.swap").first()
            #expect(swap?.detail.contains("原值班领导外出开会") == true && swap?.detail.contains("2026-09-22") == true)
            // Re-planning a day with the same leader is not a swap.
            _ = try await h.plan(t, [.init(day: "2026-09-22", leader: h.secondID, floor: [h.head])])
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "duty.swap").count() == 1)

            res = try await t.send(.PUT, h.rotaPath, token: h.d.admin, json: ["patrolsPerDay": 11])
            #expect(res.status == .unprocessableEntity)
            res = try await t.send(.PUT, h.rotaPath, token: h.d.admin, json: ["patrolsPerDay": 3])
            #expect(try res.decoded(Rota.self).patrolsPerDay == 3)

            // The hall board and the staff home say who is on duty today.
            let board = try await t.send(.GET, "/hall/DL010200/board")
            #expect(board.body.string.contains("今日值班领导：jiancha"), "\(board.body.string.prefix(400))")
        }
    }

    @Test(
        "patrols: only today's leader on duty records them; a finding is the department's task, due in working days, closed with what was done; a short day is flagged",
        arguments: TestDB.available)
    func patrols(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let h = try await Hall.open(t)
            _ = try await h.plan(t, [.init(day: "2026-09-21", leader: h.leader), .init(day: "2026-09-22", leader: h.leader)])
            let good = PatrolIn(
                observations: [Obs(windowID: h.window, badge: false, note: "工牌未佩戴")],
                problems: [Prob(windowID: h.window, text: "窗口人员未佩戴工牌")])
            var res = try await t.send(.POST, h.patrolPath, token: h.second, json: good)
            #expect(res.status == .forbidden && res.body.string.contains("不是今日值班领导"), "\(res.body.string)")
            res = try await t.send(.POST, h.patrolPath, token: h.d.chief, json: good)
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, h.patrolPath, token: h.d.supervisor,
                json: PatrolIn(observations: [Obs(windowID: UUID())], problems: [Prob(windowID: h.window, text: "", days: 40)]))
            #expect(
                Set(res.problem?.errors?.map { "\($0.field):\($0.code)" } ?? []) == [
                    "observations.0.windowID:invalidReference", "problems.0.text:required", "problems.0.days:patrol.daysRange",
                ], "\(res.body.string)")
            res = try await t.send(.POST, h.patrolPath, token: h.d.supervisor, json: PatrolIn(observations: []))
            #expect(res.problem?.errors?.map(\.code) == ["patrol.empty"])
            #expect(try await PatrolModel.query(on: t.app.db).count() == 0)

            let first = try await t.send(.POST, h.patrolPath, token: h.d.supervisor, json: good).decoded(Patrol.self)
            #expect(first.findings.count == 1 && first.findings[0].departmentID == h.d.scjg)
            // Three working days after Monday the 21st: Thursday the 24th.
            #expect(first.findings[0].due == "2026-09-24")
            var listing = try await t.send(.GET, h.patrolPath + "?from=2026-09-21&to=2026-09-21", token: h.d.admin).decoded(Listing.self)
            #expect(listing.days.map(\.status) == ["open"] && listing.days[0].recorded == 1 && listing.days[0].leader == "jiancha")

            // The department's findings; another department can't close this one, nor anyone without what was done.
            let mine = try await t.send(.GET, "/api/v1/centers/\(h.d.county)/patrol-findings?open=true", token: h.d.chief)
                .decoded([Finding].self)
            #expect(mine.map(\.id) == [first.findings[0].id])
            let theirs = try await t.send(.GET, "/api/v1/centers/\(h.d.county)/patrol-findings", token: h.d.otherChief)
                .decoded([Finding].self)
            #expect(theirs.isEmpty)
            let close = "/api/v1/patrol-findings/\(first.findings[0].id)/close"
            res = try await t.send(.POST, close, token: h.d.otherChief, json: ["rectification": "已整改"])
            #expect(res.status == .forbidden)
            res = try await t.send(.POST, close, token: h.d.chief, json: ["rectification": "  "])
            #expect(res.status == .unprocessableEntity && res.problem?.errors?.map(\.code) == ["patrol.rectificationRequired"])
            res = try await t.send(.POST, close, token: h.d.chief, json: ["rectification": "已提醒全体窗口人员规范佩戴工牌"])
            #expect(try res.decoded(Finding.self).rectification == "已提醒全体窗口人员规范佩戴工牌")
            res = try await t.send(.POST, close, token: h.d.chief, json: ["rectification": "再次"])
            #expect(res.status == .conflict)
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "patrol.close").count() == 1)

            // Tuesday: one patrol only, and a finding left open past its day.
            t.clock.advance(86_400)
            let leader = try await t.login("jiancha", "Order-Pass-2026")
            let admin = try await t.login()
            let second = try await t.send(
                .POST, h.patrolPath, token: leader,
                json: PatrolIn(observations: [], problems: [Prob(windowID: nil, text: "大厅地面湿滑", days: 1)])
            ).decoded(Patrol.self)
            #expect(second.findings[0].due == "2026-09-23" && second.findings[0].departmentID == nil)
            _ = try await t.send(.POST, h.patrolPath, token: leader, json: PatrolIn(observations: [Obs(windowID: h.window)]))
            t.clock.advance(2 * 86_400)
            let admin2 = try await t.login()
            _ = admin
            listing = try await t.send(.GET, h.patrolPath + "?from=2026-09-21&to=2026-09-23", token: admin2).decoded(Listing.self)
            #expect(listing.days.map(\.status) == ["short", "complete", "unplanned"], "\(listing.days)")
            let open = try await t.send(.GET, "/api/v1/centers/\(h.d.county)/patrol-findings?open=true", token: admin2).decoded(
                [Finding].self)
            #expect(open.map(\.overdue) == [true])
        }
    }

    struct Conduct: Decodable {
        struct F: Decodable { var id: UUID; var state: String; var explainBy: String; var departmentID: UUID? }
        var id: UUID
        var checklist: [String]
        var findings: [F]
    }
    struct ExplainIn: Encodable { var explanation: String; var rectification: String }
    struct CloseIn: Encodable { var accept: Bool; var note: String? = nil }

    @Test(
        "conduct inspections: a finding on the checklist is notified, explained with its correction by the department, sent back or closed by the center, and counted for the assessments",
        arguments: TestDB.available)
    func conduct(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let h = try await Hall.open(t)
            let path = "/api/v1/centers/\(h.d.county)/conduct-inspections"
            var res = try await t.send(.POST, path, token: h.d.chief, json: ["team": "督查组"])
            #expect(res.status == .forbidden, "a department does not inspect")
            res = try await t.send(.POST, path, token: h.d.supervisor, json: ConductStart(team: "", checklist: ["纪律", "纪律"]))
            #expect(Set(res.problem?.errors?.map(\.code) ?? []) == ["required", "duty.duplicate"], "\(res.body.string)")
            let inspection = try await t.send(.POST, path, token: h.d.supervisor, json: ConductStart(team: "效能办 张三、李四", checklist: nil))
                .decoded(Conduct.self)
            #expect(inspection.checklist == ConductRules.defaultChecklist)
            let record = "/api/v1/conduct-inspections/\(inspection.id)/findings"
            res = try await t.send(
                .POST, record, token: h.d.supervisor, json: FindingIn(windowID: h.window, criterion: "仪容仪表", text: "未着工装"))
            #expect(res.problem?.errors?.map(\.code) == ["invalidChoice"], "not on the checklist")
            res = try await t.send(
                .POST, record, token: h.d.supervisor, json: FindingIn(windowID: h.window, criterion: "文明用语", text: "对群众说“不知道，自己看”"))
            let finding = try res.decoded(Conduct.F.self)
            #expect(finding.state == "notified" && finding.departmentID == h.d.scjg && finding.explainBy == "2026-09-24")

            let explain = "/api/v1/conduct-findings/\(finding.id)/explanation"
            res = try await t.send(.POST, explain, token: h.d.otherChief, json: ExplainIn(explanation: "x", rectification: "y"))
            #expect(res.status == .forbidden)
            res = try await t.send(.POST, explain, token: h.d.chief, json: ExplainIn(explanation: "工作人员情绪急躁", rectification: ""))
            #expect(res.problem?.errors?.map(\.code) == ["patrol.rectificationRequired"])
            let close = "/api/v1/conduct-findings/\(finding.id)/close"
            res = try await t.send(.POST, close, token: h.d.supervisor, json: CloseIn(accept: true))
            #expect(res.status == .conflict, "not explained yet")
            res = try await t.send(.POST, explain, token: h.d.chief, json: ExplainIn(explanation: "工作人员情绪急躁", rectification: "已谈话提醒"))
            #expect(try res.decoded(Conduct.F.self).state == "explained")
            res = try await t.send(.POST, close, token: h.d.supervisor, json: CloseIn(accept: false))
            #expect(res.problem?.errors?.map(\.code) == ["conduct.returnReason"])
            res = try await t.send(.POST, close, token: h.d.supervisor, json: CloseIn(accept: false, note: "整改措施不具体"))
            #expect(try res.decoded(Conduct.F.self).state == "notified")
            _ = try await t.send(.POST, explain, token: h.d.chief, json: ExplainIn(explanation: "工作人员情绪急躁", rectification: "组织文明用语培训并当面致歉"))
            res = try await t.send(.POST, close, token: h.d.supervisor, json: CloseIn(accept: true))
            #expect(try res.decoded(Conduct.F.self).state == "closed")
            res = try await t.send(.POST, close, token: h.d.supervisor, json: CloseIn(accept: true))
            #expect(res.status == .conflict)
            let listed = try await t.send(.GET, path, token: h.d.otherChief).decoded([Conduct].self)
            #expect(listed.count == 1 && listed[0].findings.isEmpty, "another department sees none of this department's findings")
            #expect(
                try await AuditEntryModel.query(on: t.app.db).filter(
                    \.$action ~~ ["conduct.start", "conduct.finding", "conduct.explain", "conduct.return", "conduct.close"]
                )
                .count() == 6)
            // 作风督查问题数 for the assessments.
            let table = try await t.send(.GET, "/api/v1/indicators?center=DL010200&period=month:2026-09", token: h.d.supervisor)
                .decoded(IndicatorTests.Table.self)
            #expect(table["conduct_findings"].numerator == 1)
        }
    }

    struct ConductStart: Encodable { var team: String; var checklist: [String]? }
    struct FindingIn: Encodable { var windowID: UUID; var criterion: String; var text: String }

    struct Phrases: Codable { var polite: [String]; var banned: [String] }
    struct UnitWeeks: Decodable { var department: String; var onTime: Int; var late: Int; var missing: Int; var weeks: [String: String] }
    struct Summaries: Decodable { var weeks: [String]; var units: [UnitWeeks] }
    struct Ledger: Decodable { var totalHours: Double; var people: Int }
    struct VolunteerIn: Encodable { var volunteer: String; var day: String; var activity: String; var hours: Double }

    @Test(
        "the hall's rules: the courtesy phrases published and cited, the units' weekly summaries with the late ones counted, the volunteer ledger",
        arguments: TestDB.available)
    func hallRules(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let h = try await Hall.open(t)
            let phrases = "/api/v1/centers/\(h.d.county)/courtesy-phrases"
            var shown = try await t.send(.GET, phrases).decoded(Phrases.self)
            #expect(shown.banned == HallRules.defaultBanned, "public, with the defaults")
            var res = try await t.send(.PUT, phrases, token: h.d.chief, json: Phrases(polite: ["您好"], banned: []))
            #expect(res.status == .forbidden)
            res = try await t.send(.PUT, phrases, token: h.d.admin, json: Phrases(polite: ["您好", "您好"], banned: []))
            #expect(res.problem?.errors?.map(\.code) == ["duty.duplicate"])
            res = try await t.send(.PUT, phrases, token: h.d.admin, json: Phrases(polite: ["您好，请坐", "请慢走"], banned: ["不知道", "找别人去"]))
            #expect(res.status == .ok, "\(res.body.string)")
            shown = try await t.send(.GET, phrases).decoded(Phrases.self)
            #expect(shown.polite == ["您好，请坐", "请慢走"])
            let board = try await t.send(.GET, "/hall/DL010200/board").body.string
            #expect(board.contains("<span>您好，请坐</span>") && board.contains("data-rotate"))
            #expect(try await t.send(.GET, "/hall/DL010200/courtesy").body.string.contains("找别人去"))

            // A patrol cites a banned phrase: only one of the center's.
            _ = try await h.plan(t, [.init(day: "2026-09-21", leader: h.leader)])
            struct Cite: Encodable { var windowID: UUID; var text: String; var phrase: String }
            struct PatrolCite: Encodable { var observations: [Obs]; var problems: [Cite] }
            let patrols = "/api/v1/centers/\(h.d.county)/patrols"
            res = try await t.send(
                .POST, patrols, token: h.d.supervisor,
                json: PatrolCite(observations: [], problems: [Cite(windowID: h.window, text: "对群众说禁语", phrase: "你自己看")]))
            #expect(res.problem?.errors?.map { "\($0.field):\($0.code)" } == ["problems.0.phrase:hall.notBanned"])
            res = try await t.send(
                .POST, patrols, token: h.d.supervisor,
                json: PatrolCite(observations: [], problems: [Cite(windowID: h.window, text: "对群众说禁语", phrase: "找别人去")]))
            #expect(res.status == .created && res.body.string.contains("找别人去"), "\(res.body.string)")

            // A complaint cites one too, from the public form or the console: only a complaint, only
            // one of the center's; a refused one stores nothing.
            let asked = "/api/v1/public/work-orders"
            struct Ask: Encodable {
                var center = "DL010200"
                var kind: String
                var text: String
                var phrase: String
                var callerPhone = "13700001236"
            }
            res = try await t.send(
                .POST, asked, json: Ask(kind: "complaint", text: "窗口让我自己看", phrase: "你自己看"))
            #expect(res.problem?.errors?.map { "\($0.field):\($0.code)" } == ["phrase:hall.notBanned"])
            res = try await t.send(
                .POST, asked, json: Ask(kind: "consultation", text: "怎么办", phrase: "找别人去"))
            #expect(res.problem?.errors?.map { "\($0.field):\($0.code)" } == ["phrase:workOrder.phraseComplaintOnly"])
            #expect(try await WorkOrderModel.query(on: t.app.db).count() == 0)
            res = try await t.send(
                .POST, asked, json: Ask(kind: "complaint", text: "窗口让我找别人去", phrase: "找别人去"))
            #expect(res.status == .created, "\(res.body.string)")
            struct Cited: Decodable { var phrase: String? }
            let taken = try await h.d.take(["kind": "complaint", "text": "电话投诉：说不知道", "phrase": "不知道", "callerPhone": "13700001234"])
            let order = try await t.send(.GET, "/api/v1/work-orders/\(try #require(taken).id)", token: h.d.hotline)
            #expect(try order.decoded(Cited.self).phrase == "不知道")
            #expect(try await WorkOrderModel.query(on: t.app.db).filter(\.$phrase == "找别人去").count() == 1)
            let plain = try #require(try await h.d.take(["kind": "complaint", "text": "排队太久", "callerPhone": "13700001235"]))
            #expect(try await t.send(.GET, "/api/v1/work-orders/\(plain.id)", token: h.d.hotline).decoded(Cited.self).phrase == nil)

            // Weekly summaries: a unit files its own, once a week; after the week's Sunday it is late.
            let file = "/api/v1/departments/\(h.d.scjg)/weekly-summaries"
            let before = try await t.send(.GET, "/api/v1/centers/\(h.d.county)/weekly-summaries?weeks=3", token: h.d.admin)
                .decoded(Summaries.self)
            #expect(
                before.units.allSatisfy { $0.missing == 0 && Set($0.weeks.values) == ["before"] },
                "no week counts as missing before the center's first summary")
            res = try await t.send(.POST, "/api/v1/departments/\(h.d.ga)/weekly-summaries", token: h.d.chief, json: ["summary": "x"])
            #expect(res.status == .forbidden)
            res = try await t.send(.POST, file, token: h.d.chief, json: ["summary": "本周受理 120 件，无投诉。"])
            #expect(res.status == .created, "\(res.body.string)")
            res = try await t.send(.POST, file, token: h.d.chief, json: ["summary": "again"])
            #expect(res.status == .conflict)
            t.clock.advance(8 * 86_400)
            let chief = try await t.login("chief_scjg", "Order-Pass-2026")
            res = try await t.send(.POST, file, token: chief, json: ["week": "2026-09-22", "summary": "补报"])
            #expect(res.status == .conflict, "the week of the 22nd is the week already filed")
            res = try await t.send(.POST, file, token: chief, json: ["week": "2026-09-14", "summary": "上周小结补报"])
            #expect(try res.decoded(Summary.self).late)
            let admin = try await t.login()
            let summaries = try await t.send(.GET, "/api/v1/centers/\(h.d.county)/weekly-summaries?weeks=3", token: admin).decoded(
                Summaries.self)
            #expect(summaries.weeks == ["2026-09-28", "2026-09-21", "2026-09-14"])
            let scjg = try #require(summaries.units.first { $0.department.contains("市场") })
            #expect(scjg.onTime == 1 && scjg.late == 1 && scjg.missing == 0, "\(scjg)")
            #expect(summaries.units.contains { $0.missing == 2 }, "a unit that filed nothing has two missing weeks")

            // The volunteer ledger.
            let ledger = "/api/v1/centers/\(h.d.county)/volunteer-services"
            res = try await t.send(
                .POST, ledger, token: chief, json: VolunteerIn(volunteer: "周晓", day: "2026-09-29", activity: "导办", hours: 30))
            #expect(res.problem?.errors?.map(\.code) == ["hall.volunteerHours"])
            res = try await t.send(
                .POST, ledger, token: chief, json: VolunteerIn(volunteer: "周晓", day: "2026-09-29", activity: "大厅导办", hours: 3.5))
            #expect(res.status == .created)
            _ = try await t.send(
                .POST, ledger, token: admin, json: VolunteerIn(volunteer: "吴红", day: "2026-09-28", activity: "帮老人填表", hours: 2))
            let total = try await t.send(.GET, ledger, token: admin).decoded(Ledger.self)
            #expect(total.totalHours == 5.5 && total.people == 2)
            // Both count for the assessments: the late summary on the day it was filed, each
            // volunteer service on its day, for the unit that recorded it.
            let table = try await t.send(.GET, "/api/v1/indicators?center=DL010200&period=month:2026-09", token: admin)
                .decoded(IndicatorTests.Table.self)
            #expect(table["late_summaries"].numerator == 1 && table["volunteer_services"].numerator == 2)
            let unit = try await t.send(
                .GET, "/api/v1/indicators?center=DL010200&period=day:2026-09-29&scope=department:\(h.d.scjg.uuidString)", token: admin
            ).decoded(IndicatorTests.Table.self)
            #expect(unit["late_summaries"].numerator == 1 && unit["volunteer_services"].numerator == 1)
        }
    }

    @Test(
        "an administrator of the province on a county's center pages: the forms post for that county and come back to it",
        arguments: TestDB.available)
    func widerScope(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let county = try await t.centerID(code: "DL010200")
            let province = try await t.centerID(code: "DL000000")
            let c = county.uuidString.lowercased()
            let admin = Browser(t)
            _ = try await admin.signIn()
            let html = try await admin.request(.GET, "/center/hall-rules?center=\(c)").body.string
            #expect(html.contains("action=\"/center/hall-rules/courtesy?center=\(c)\""), "the form names the county")
            let csrf = try await admin.csrf(from: "/center/hall-rules?center=\(c)")
            let res = try await admin.request(
                .POST, "/center/hall-rules/courtesy?center=\(c)", form: ["_csrf": csrf, "polite": "您好，请坐", "banned": "不知道"])
            #expect(res.status == .seeOther || res.status == .found, "\(res.body.string.prefix(300))")
            #expect(res.headers.first(name: .location) == "/center/hall-rules?center=\(c)#courtesy")
            #expect(try await HallRulesService.courtesy(county, on: t.app.db).polite == ["您好，请坐"])
            #expect(try await HallRulesService.courtesy(province, on: t.app.db).polite == HallRules.defaultPolite)
            // The duty page's weeks keep to the county too; and read in English with English brackets.
            let duty = try await admin.request(.GET, "/center/duty?center=\(c)").body.string
            #expect(duty.contains("&amp;center=\(c)#rota\"") || duty.contains("&center=\(c)#rota\""))
            _ = try await admin.request(.GET, "/lang/en?back=/")
            let english = try await admin.request(.GET, "/center/duty?center=\(c)").body.string
            #expect(english.contains(" (Monday)"), "the rota's days in English")
        }
    }

    struct Summary: Decodable { var late: Bool }
}
