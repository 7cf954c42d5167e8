import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

/// 差评整改 (issue 19): a bad rating at the window's evaluator is assigned to the department at
/// once with its deadline and notified; the department rectifies or explains and may appeal; a
/// supervisor decides the appeal.
@Suite("Bad ratings: assignment, rectification, appeal")
struct BadRatingTests {
    struct Row: Decodable {
        var id: UUID
        var status: String
        var dueOn: String
        var departmentID: UUID?
        var realName: Bool
        var resolvedOnTime: Bool
        var excluded: Bool
        var tags: [String]
    }

    @Test(
        "a bad visit rating reaches the department's worklist; rectified, appealed, and excluded when the appeal is upheld",
        arguments: TestDB.writers)
    func flow(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let scjg = try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == hall.county).filter(\.$code == "SCJG").first()!
                .requireID()
            let ga = try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == hall.county).filter(\.$code == "GA").first()!
                .requireID()
            for (name, role, dept) in [
                ("chief_scjg", "chief_representative", scjg as UUID?), ("chief_ga", "chief_representative", ga),
                ("jiancha", "supervisor", nil),
            ] {
                var body = [
                    "username": name, "displayName": name, "password": "Rating-Pass-2026", "role": role, "centerID": hall.county.uuidString,
                ]
                if let dept { body["departmentID"] = dept.uuidString }
                let res = try await t.send(.POST, "/api/v1/users", token: hall.admin, json: body)
                #expect(res.status == .created, "\(res.body.string)")
            }
            let chief = try await t.login("chief_scjg", "Rating-Pass-2026")
            let other = try await t.login("chief_ga", "Rating-Pass-2026")
            let supervisor = try await t.login("jiancha", "Rating-Pass-2026")

            // Two visits at window 4 (group B, the market regulator's): one rated well, one badly.
            let clerk = try await hall.clerk("clerk4", at: 4)
            let device = try await hall.evaluator(at: 4)
            struct R: Encodable { var level: Int; var tags: [String] }
            var ids: [UUID] = []
            for rating in [R(level: 5, tags: ["warm"]), R(level: 1, tags: ["attitude", "extra_materials"])] {
                let ticket = try await hall.issue("B")
                _ = try #require(try await hall.callNext(4, token: clerk))
                try await hall.act("start", ticket.id, at: 4, token: clerk)
                try await hall.act("finish", ticket.id, at: 4, token: clerk)
                let res = try await t.send(.POST, "/api/v1/tickets/\(ticket.id)/rating", token: device, json: rating)
                #expect(res.status == .created, "\(res.body.string)")
                struct Made: Decodable { var id: UUID }
                ids.append(try res.content.decode(Made.self).id)
            }
            #expect(try await BadRatingModel.query(on: t.app.db).count() == 1, "only the bad one is assigned")
            let bad = try #require(try await BadRatingModel.find(ids[1], on: t.app.db))
            let calendar = try await t.app.calendars.calendar(for: hall.county, on: t.app.db)
            let today = HallClock.day(t.clock.now)
            #expect(bad.departmentID == scjg && bad.assignedOn == today.description)
            #expect(bad.dueOn == calendar.addWorkingDays(15, to: today)?.description)
            // The chief representatives of the department and the center's administrators are told.
            let told = try await OutboxModel.query(on: t.app.db).filter(\.$event == "rating.bad").all().map(\.target)
            let chiefID = try await UserModel.query(on: t.app.db).filter(\.$username == "chief_scjg").first()!.requireID()
            let gaID = try await UserModel.query(on: t.app.db).filter(\.$username == "chief_ga").first()!.requireID()
            #expect(told.contains(chiefID.uuidString) && !told.contains(gaID.uuidString))

            // The department's worklist; another department sees none of it.
            let list = try await t.send(.GET, "/api/v1/ratings", token: chief)
            let rows = try list.content.decode([Row].self)
            #expect(rows.count == 1 && rows[0].status == "resolution_due" && !rows[0].realName)
            #expect(rows[0].tags == ["attitude", "extra_materials"])
            #expect(try await t.send(.GET, "/api/v1/ratings", token: other).content.decode([Row].self).isEmpty)
            #expect(try await t.send(.GET, "/api/v1/ratings/\(ids[1])", token: other).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/ratings?status=nonsense", token: chief).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/ratings", token: clerk).status == .forbidden, "window staff have no worklist")

            // The worklist page: the rating with its form, one click from the list.
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Rating-Pass-2026")
            let page = try await web.request(.GET, "/ratings")
            #expect(page.status == .ok && page.body.string.contains("id=\"rating-\(ids[1].uuidString)\""))
            #expect(page.body.string.contains("action=\"/ratings/\(ids[1].uuidString)/resolution\""))
            #expect(!page.body.string.contains("/call-back\""), "no call-back form for an anonymous rating")
            let csrf = try await web.csrf(from: "/ratings")
            let blank = try await web.request(
                .POST, "/ratings/\(ids[1].uuidString)/resolution", form: ["_csrf": csrf, "kind": "rectified", "note": ""])
            #expect(blank.status == .unprocessableEntity && blank.body.string.contains("id=\"errors\""))
            #expect(try await web.request(.GET, "/ratings").body.string.contains("服务态度差"))

            // Anonymous: no call-back. A rectification needs what was done.
            struct CallBack: Encodable { var reached: Bool; var note: String }
            let cb = try await t.send(.POST, "/api/v1/ratings/\(ids[1])/call-back", token: chief, json: CallBack(reached: true, note: "x"))
            #expect(cb.status == .conflict && cb.problem?.detail == "匿名评价无需回访。")
            let empty = try await t.send(
                .POST, "/api/v1/ratings/\(ids[1])/resolution", token: chief, json: ["kind": "rectified", "note": ""])
            #expect(empty.status == .unprocessableEntity && empty.problem?.errors?.first?.field == "note")
            let wrongKind = try await t.send(
                .POST, "/api/v1/ratings/\(ids[1])/resolution", token: chief, json: ["kind": "ignored", "note": "x"])
            #expect(wrongKind.problem?.errors?.first?.field == "kind")
            #expect(try await BadRatingModel.find(ids[1], on: t.app.db)?.resolution == nil, "refusals change nothing")
            t.clock.advance(3600)
            let done = try await t.send(
                .POST, "/api/v1/ratings/\(ids[1])/resolution", token: chief, json: ["kind": "rectified", "note": "已对窗口人员批评教育，材料清单按指南执行。"])
            #expect(done.status == .ok, "\(done.body.string)")
            let resolved = try done.content.decode(Row.self)
            #expect(resolved.status == "resolved" && resolved.resolvedOnTime)
            let twice = try await t.send(
                .POST, "/api/v1/ratings/\(ids[1])/resolution", token: chief, json: ["kind": "explained", "note": "x"])
            #expect(twice.status == .conflict)

            // The public disclosure, from the day figures: this month's two ratings, and the deadline's
            // month counting the bad one rectified on time.
            struct Figures: Decodable {
                var rated: Int
                var bad: Int
                var excluded: Int
                var satisfaction: Double?
                var due: Int
                var onTimeRate: Double?
            }
            struct Disclosure: Decodable {
                var figures: Figures
                struct Reason: Decodable { var tag: String; var count: Int }
                var topReasons: [Reason]
            }
            let month = String(today.description.prefix(7))
            let dueMonth = String(bad.dueOn.prefix(7))
            @Sendable func disclosure(_ m: String) async throws -> Figures {
                let res = try await t.send(.GET, "/api/v1/centers/DL010200/ratings/disclosure?month=\(m)")
                let ok = res.status == .ok
                #expect(ok, "\(res.body.string)")
                let decoded = try JSONDecoder().decode(Disclosure.self, from: Data(res.body.readableBytesView))
                return decoded.figures
            }
            var fig = try await disclosure(month)
            #expect(fig.rated == 2 && fig.bad == 1 && fig.satisfaction == 0.5, "\(fig)")
            fig = try await disclosure(dueMonth)
            #expect(fig.due == 1 && fig.onTimeRate == 1, "\(fig)")
            #expect(try await t.send(.GET, "/api/v1/centers/DL010200/ratings/disclosure?month=2026-13").status == .unprocessableEntity)
            let publicPage = try await t.send(.GET, "/hall/DL010200/ratings?month=\(month)")
            #expect(publicPage.status == .ok && publicPage.body.string.contains("id=\"fig-satisfaction\">50.0%"))
            #expect(!publicPage.body.string.contains("chief_scjg"))
            // The rectified list, a page at a time with its count.
            struct Listed: Decodable {
                var rectifiedMore: Bool
                var page: Int
                struct Item: Decodable { var note: String }
                var rectified: [Item]
            }
            let listed = try await t.send(.GET, "/api/v1/centers/DL010200/ratings/disclosure?month=\(month)&page=1")
            let l = try JSONDecoder().decode(Listed.self, from: Data(listed.body.readableBytesView))
            #expect(l.page == 1 && !l.rectifiedMore && !l.rectified.isEmpty)
            let past = try await t.send(.GET, "/api/v1/centers/DL010200/ratings/disclosure?month=\(month)&page=9")
            let p9 = try JSONDecoder().decode(Listed.self, from: Data(past.body.readableBytesView))
            #expect(p9.rectified.isEmpty && !p9.rectifiedMore)
            let csv = try await t.send(.GET, "/hall/DL010200/ratings.csv?month=\(month)")
            #expect(csv.status == .ok && csv.body.string.contains("50.0%"))

            // The appeal: the department asks, only a supervisor decides; upheld, the rating leaves the figures.
            let appeal = try await t.send(.POST, "/api/v1/ratings/\(ids[1])/appeal", token: chief, json: ["reason": "评价人误按，有录像为证"])
            #expect(appeal.status == .ok, "\(appeal.body.string)")
            #expect(try appeal.content.decode(Row.self).status == "appeal_pending")
            let byChief = try await t.send(
                .POST, "/api/v1/ratings/\(ids[1])/appeal/decision", token: chief, json: ["upheld": "true", "note": "x"])
            #expect(byChief.status == .forbidden)
            struct Decision: Encodable { var upheld: Bool; var note: String }
            let decided = try await t.send(
                .POST, "/api/v1/ratings/\(ids[1])/appeal/decision", token: supervisor, json: Decision(upheld: true, note: "录像显示系误按"))
            #expect(decided.status == .ok, "\(decided.body.string)")
            #expect(try decided.content.decode(Row.self).excluded)
            #expect(try await RatingModel.find(ids[1], on: t.app.db)?.excluded == true)
            #expect(try await RatingModel.find(ids[0], on: t.app.db)?.excluded == false)
            let excluded = try await t.send(.GET, "/api/v1/ratings?status=excluded", token: supervisor)
            #expect(try excluded.content.decode([Row].self).map(\.id) == [ids[1]])
            #expect(try await t.send(.GET, "/api/v1/ratings?status=resolved", token: supervisor).content.decode([Row].self).isEmpty)

            fig = try await disclosure(month)
            #expect(fig.rated == 1 && fig.bad == 0 && fig.excluded == 1 && fig.satisfaction == 1, "\(fig)")
            fig = try await disclosure(dueMonth)
            #expect(fig.due == 0 && fig.onTimeRate == nil, "\(fig)")

            let actions = Set(try await AuditEntryModel.query(on: t.app.db).all().map(\.action))
            for a in ["rating.assign", "rating.resolve", "rating.appeal", "rating.decide_appeal"] { #expect(actions.contains(a), "\(a)") }
        }
    }

    @Test(
        "一事一评: the applicant rates their decided case once; a bad one is real-name and must be called back first",
        arguments: TestDB.writers)
    func caseRating(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, chief) = try await t.caseStaff()
            let me = try await t.applicant()
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            struct R: Encodable { var level: Int; var tags: [String]; var text: String }
            let early = try await t.send(.POST, "/api/v1/cases/\(c.id)/rating", token: me, json: R(level: 5, tags: [], text: ""))
            #expect(early.problem?.errors?.first?.code == "rating.caseNotDone")
            #expect(try await t.move(clerk, c.id, "review").status == .ok)
            #expect(try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
            #expect(
                try await t.send(.POST, "/api/v1/cases/\(c.id)/rating", token: clerk, json: R(level: 5, tags: [], text: "")).status
                    == .forbidden)
            let rated = try await t.send(.POST, "/api/v1/cases/\(c.id)/rating", token: me, json: R(level: 2, tags: ["slow"], text: "等了很久"))
            #expect(rated.status == .created, "\(rated.body.string)")
            let again = try await t.send(.POST, "/api/v1/cases/\(c.id)/rating", token: me, json: R(level: 5, tags: [], text: ""))
            #expect(again.problem?.errors?.first?.code == "rating.alreadyRated")
            let r = try #require(try await RatingModel.query(on: t.app.db).filter(\.$caseID == c.id).first())
            #expect(r.channel == "web" && r.raterIdentity?.hasPrefix("applicant:") == true && r.itemID == item.id)
            let b = try #require(try await BadRatingModel.find(r.id, on: t.app.db))
            let caseDepartment = try await CaseModel.find(c.id, on: t.app.db)?.departmentID
            #expect(b.realName && b.flow.status == .callBackDue && b.departmentID == caseDepartment)
            // Real-name: the call-back comes first.
            let first = try await t.send(
                .POST, "/api/v1/ratings/\(r.id!)/resolution", token: chief, json: ["kind": "rectified", "note": "x"])
            #expect(first.status == .conflict && first.problem?.detail == "实名差评须先回访，再记录整改或说明。")
            struct CallBack: Encodable { var reached: Bool; var note: String }
            #expect(
                try await t.send(.POST, "/api/v1/ratings/\(r.id!)/call-back", token: chief, json: CallBack(reached: true, note: "已电话致歉"))
                    .status
                    == .ok)
            #expect(
                try await t.send(.POST, "/api/v1/ratings/\(r.id!)/resolution", token: chief, json: ["kind": "rectified", "note": "增加窗口"])
                    .status
                    == .ok)
            // The applicant is told what was done, in their inbox.
            let applicantUser = try await UserModel.query(on: t.app.db).filter(\.$role == "applicant").first()!.requireID()
            let toApplicant = try await OutboxModel.query(on: t.app.db).filter(\.$event == "rating.resolved").all()
            #expect(toApplicant.map(\.target) == [applicantUser.uuidString] && toApplicant[0].payload.contains("增加窗口"))
            // The month's figures count the call-back.
            let month = String(HallClock.day(t.clock.now).description.prefix(7))
            let d = try await t.send(.GET, "/api/v1/centers/DL010200/ratings/disclosure?month=\(month)")
            #expect(d.body.string.contains("\"callBackRate\":1"), "\(d.body.string)")
            // The applicant's case page says how they rated it and what was done, and offers round 2.
            let web = Browser(t)
            _ = try await web.signIn("11010519491231002X", "Apply-2026-pass")
            let page = try await web.request(.GET, "/cases/\(c.id)")
            #expect(page.body.string.contains("id=\"case-rated\"") && !page.body.string.contains("id=\"rate-case\""))
            #expect(page.body.string.contains("增加窗口") && page.body.string.contains("id=\"rate-again\""))
            // Round 2, kept beside round 1; once only; nobody else.
            let other = try await t.send(.POST, "/api/v1/ratings/\(r.id!)/again", json: R(level: 5, tags: [], text: ""))
            #expect(other.status == .forbidden)
            let csrf = try await web.csrf(from: "/cases/\(c.id)")
            let second = try await web.request(.POST, "/cases/\(c.id)/rating-again", form: ["_csrf": csrf, "level": "5", "tags[]": "fast"])
            #expect(second.status == .seeOther, "\(second.body.string.prefix(300))")
            #expect(try await RatingModel.query(on: t.app.db).filter(\.$caseID == c.id).filter(\.$round == 2).first()?.level == 5)
            #expect(try await RatingModel.query(on: t.app.db).filter(\.$caseID == c.id).filter(\.$round == 1).first()?.level == 2)
            let third = try await t.send(.POST, "/api/v1/ratings/\(r.id!)/again", token: me, json: R(level: 4, tags: [], text: ""))
            #expect(third.status == .conflict && third.problem?.detail == "已再次评价过。")
            let d2 = try await t.send(.GET, "/api/v1/centers/DL010200/ratings/disclosure?month=\(month)")
            #expect(d2.body.string.contains("\"secondRound\":1") && d2.body.string.contains("\"secondRoundSatisfied\":1"))
        }
    }
}
