import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 评选 (issue 22): declaration, experts (exclusion, hidden scores), the survey (one vote per
/// person), the decision (frozen scores, 公示, objections), then naming, review and revocation.
@Suite("Brand selection")
struct BrandSelectionTests {
    struct Score: Encodable { var points: Double; var comment = "" }
    struct ScoreIn: Encodable { var scores: [String: Score]? = nil; var conflict: Bool? = nil }
    struct Cards: Decodable {
        struct Card: Decodable { var expertName: String; var excluded: String?; var scored: Bool; var total: Double? }
        var visible: Bool
        var cards: [Card]
    }
    struct Selection: Decodable {
        struct Standing: Decodable {
            var brandID: UUID
            var expert: Double?
            var survey: Double?
            var votes: Int
            var social: Double?
            var combined: Double?
            var rank: Int?
        }
        struct Objection: Decodable { var id: UUID; var contact: String; var answer: String }
        var decided: Bool
        var selectionID: UUID?
        var announceUntil: String?
        var noticePath: String?
        var standings: [Standing]
        var objections: [Objection]
    }

    static func scores(_ n: Double, _ l: Double, _ c: Double, _ s: Double, _ b: Double) -> ScoreIn {
        ScoreIn(scores: [
            "name": Score(points: n), "logo": Score(points: l), "culture": Score(points: c), "system": Score(points: s),
            "benefit": Score(points: b),
        ])
    }

    @Test(
        "declared, scored by experts (own department excluded, scores hidden until all have scored), voted on once per person, decided with frozen scores and a 公示, objected to, then named, reviewed and revoked",
        arguments: TestDB.available)
    func selection(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            var office = try await t.login("jiwei", "Order-Pass-2026")
            // Today, 2026-09-21, is in the selection phase.
            let campaign = try await BrandPracticeServerTests.campaign(
                t, office: office,
                [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-09-13"), ("2026-09-14", "2026-10-31"), ("2026-11-01", "2027-12-31")])
            let a = try await BrandPracticeServerTests.brand(t, chief: d.chief, office: office, name: "红盾先锋")
            let b = try await BrandPracticeServerTests.brand(t, chief: d.otherChief, office: office, name: "平安护航")

            // 自查申报: every standard, and the campaign's requirements.
            let assessment = ["name": "简短好记", "logo": "寓意明确", "culture": "理念清晰", "system": "承诺上墙", "benefit": "群众点赞"]
            var res = try await t.send(
                .POST, "/api/v1/brands/\(a)/declaration", token: d.chief,
                json: BrandSelectionService.DeclareInput(assessment: assessment.filter { $0.key != "logo" }, requirements: nil))
            #expect(Set(res.problem?.errors?.map(\.field) ?? []) == ["assessment.logo", "requirements"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/brands/\(a)/declaration", token: d.otherChief,
                json: BrandSelectionService.DeclareInput(assessment: assessment, requirements: "三个体现"))
            #expect(res.status == .forbidden)
            for (brand, chief) in [(a, d.chief), (b, d.otherChief)] {
                res = try await t.send(
                    .POST, "/api/v1/brands/\(brand)/declaration", token: chief,
                    json: BrandSelectionService.DeclareInput(assessment: assessment, requirements: "服务中心、服务基层、服务群众"))
                #expect(res.status == .created, "\(res.body.string)")
            }
            res = try await t.send(
                .POST, "/api/v1/brands/\(a)/declaration", token: d.chief,
                json: BrandSelectionService.DeclareInput(assessment: assessment, requirements: "再报"))
            #expect(res.status == .conflict, "declared once")

            // Experts: one of the market regulator's own staff, two from outside.
            for (name, dept) in [("zj1", d.scjg as UUID?), ("zj2", nil), ("zj3", nil)] {
                var body = [
                    "username": name, "displayName": "专家\(name)", "password": "Order-Pass-2026", "role": "expert_reviewer",
                    "centerID": d.county.uuidString,
                ]
                if let dept { body["departmentID"] = dept.uuidString }
                #expect(try await t.send(.POST, "/api/v1/users", token: d.admin, json: body).status == .created)
            }
            let ids = try await UserModel.query(on: t.app.db).filter(\.$username ~~ ["zj1", "zj2", "zj3"]).sort(\.$username).all()
                .map { $0.id! }
            let (e1, e2, e3) = (
                try await t.login("zj1", "Order-Pass-2026"), try await t.login("zj2", "Order-Pass-2026"),
                try await t.login("zj3", "Order-Pass-2026")
            )
            res = try await t.send(.POST, "/api/v1/brands/\(a)/experts", token: office, json: ["experts": [d.county]])
            #expect(res.problem?.errors?.first?.code == "brand.notExpert")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/experts", token: office, json: ["experts": ids])
            var cards = try res.decoded(Cards.self)
            #expect(cards.cards.map(\.excluded) == ["own_department", nil, nil], "\(res.body.string)")
            _ = try await t.send(.POST, "/api/v1/brands/\(b)/experts", token: office, json: ["experts": [ids[1], ids[2]]])

            res = try await t.send(.POST, "/api/v1/brands/\(a)/scores", token: e1, json: Self.scores(10, 10, 10, 10, 10))
            #expect(res.status == .forbidden, "an expert of the brand's own department")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/scores", token: e2, json: Self.scores(20, 10, 10, 10, 10))
            #expect(res.problem?.errors?.map(\.field) == ["scores.name"], "\(res.body.string)")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/scores", token: e2, json: Self.scores(14, 13, 18, 22, 23))
            cards = try res.decoded(Cards.self)
            #expect(!cards.visible && cards.cards[1].total == 90 && cards.cards[2].total == nil)
            cards = try await t.send(.GET, "/api/v1/brands/\(a)/scores", token: e3).decoded(Cards.self)
            #expect(cards.cards[1].scored && cards.cards[1].total == nil, "not seen by the others until all have scored")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/scores", token: e3, json: Self.scores(12, 12, 16, 20, 20))
            cards = try res.decoded(Cards.self)
            #expect(cards.visible && cards.cards.compactMap(\.total) == [90, 80])
            res = try await t.send(.POST, "/api/v1/brands/\(b)/scores", token: e3, json: ScoreIn(conflict: true))
            #expect(try res.decoded(Cards.self).cards.map(\.excluded) == [nil, "declared"])
            _ = try await t.send(.POST, "/api/v1/brands/\(b)/scores", token: e2, json: Self.scores(10, 10, 10, 10, 10))

            // 社会评价: one vote per person, with a phone confirmed by its code.
            res = try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: ["closesOn": "2026-11-15"])
            #expect(res.problem?.errors?.first?.code == "brand.closesInSelection")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: [String: String]())
            #expect(res.status == .created, "\(res.body.string)")
            struct Survey: Decodable { var id: UUID; var closesOn: String; var votes: Int; var score: Double? }
            let survey = try res.decoded(Survey.self)
            #expect(survey.closesOn == "2026-10-31")
            #expect(try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: [String: String]()).status == .conflict)
            _ = try await t.send(
                .POST, "/api/v1/webhooks", token: d.admin,
                json: ["url": "https://sms.example.gov.cn/send", "events": "vote.code", "centerID": d.county.uuidString])
            struct Vote: Encodable { var satisfaction: Int?; var phone: String; var smsCode: String; var comment = "" }
            let base = "/api/v1/brand-surveys/\(survey.id)"
            for (phone, level) in [("13900001111", 5), ("13900002222", 4), ("13900003333", 1)] {
                #expect(try await t.send(.POST, base + "/codes", json: ["phone": phone]).status == .accepted)
                let code = try await StarRatingTests.lastCode(t)
                res = try await t.send(.POST, base + "/votes", json: Vote(satisfaction: 6, phone: phone, smsCode: code))
                #expect(res.problem?.errors?.map(\.field) == ["satisfaction"])
                res = try await t.send(.POST, base + "/votes", json: Vote(satisfaction: level, phone: phone, smsCode: code))
                #expect(res.status == .created, "\(res.body.string)")
            }
            _ = try await t.send(.POST, base + "/codes", json: ["phone": "13900001111"])
            res = try await t.send(
                .POST, base + "/votes", json: Vote(satisfaction: 1, phone: "139 0000 1111", smsCode: try await StarRatingTests.lastCode(t)))
            #expect(res.status == .conflict, "one vote per person")
            struct V: Decodable { var id: UUID; var level: Int }
            let votes = try await t.send(.GET, base + "/votes", token: office).decoded([V].self)
            let low = try #require(votes.first { $0.level == 1 })
            res = try await t.send(.POST, "/api/v1/brand-votes/\(low.id)/exclusion", token: office, json: ["reason": "同一设备集中投票"])
            #expect(res.status == .ok)
            #expect(try await t.send(.GET, base).decoded(Survey.self).score == 87.5, "the excluded vote does not count")

            // The standings: A ranked; B without a survey has no social score.
            var sel = try await t.send(.GET, "/api/v1/brand-campaigns/\(campaign)/selection", token: office).decoded(Selection.self)
            let sa = try #require(sel.standings.first { $0.brandID == a })
            #expect(sa.expert == 85 && sa.survey == 87.5 && sa.social == 87.5 && sa.combined == 86 && sa.rank == 1, "\(sa)")
            #expect(sel.standings.first { $0.brandID == b }?.combined == nil)
            res = try await t.send(.POST, "/api/v1/brand-campaigns/\(campaign)/decision", token: office, json: ["typical": [b]])
            #expect(res.problem?.errors?.first?.code == "brand.notCandidateRef", "a brand without both scores")
            res = try await t.send(.POST, "/api/v1/brand-campaigns/\(campaign)/decision", token: d.chief, json: ["typical": [a]])
            #expect(res.status == .forbidden)
            res = try await t.send(.POST, "/api/v1/brand-campaigns/\(campaign)/decision", token: office, json: ["typical": [a]])
            #expect(res.status == .created, "\(res.body.string)")
            sel = try res.decoded(Selection.self)
            #expect(sel.decided && sel.announceUntil.map { $0 > "2026-09-21" } == true && sel.noticePath != nil)
            #expect(sel.standings.first { $0.brandID == a }?.combined == 86)
            #expect(try await BrandModel.find(a, on: t.app.db)?.state == "typical")
            #expect(try await BrandModel.find(b, on: t.app.db)?.state == "practising", "not chosen: back to practice")
            #expect(
                try await t.send(.POST, "/api/v1/brand-campaigns/\(campaign)/decision", token: office, json: ["typical": [a]]).status
                    == .conflict)
            // Frozen: no more votes, no more scores, nothing moves.
            _ = try await t.send(.POST, base + "/codes", json: ["phone": "13900004444"])
            res = try await t.send(
                .POST, base + "/votes", json: Vote(satisfaction: 1, phone: "13900004444", smsCode: try await StarRatingTests.lastCode(t)))
            #expect(res.status == .conflict)
            #expect(try await t.send(.POST, "/api/v1/brands/\(a)/scores", token: e2, json: Self.scores(0, 0, 0, 0, 0)).status == .conflict)
            let notice = try await t.send(.GET, try #require(sel.noticePath)).body.string
            #expect(notice.contains("品选〔2026〕1号") && notice.contains("红盾先锋") && notice.contains("86.00"))

            // 公示: objections from anyone, each answered once.
            let objections = "/api/v1/brand-selections/\(try #require(sel.selectionID))/objections"
            res = try await t.send(.POST, objections, json: ["brand": b.uuidString, "contact": "13900005555", "text": "x"])
            #expect(res.problem?.errors?.first?.field == "brand")
            res = try await t.send(
                .POST, objections, json: ["brand": a.uuidString, "name": "张先生", "contact": "13900005555", "text": "窗口午休时无人"])
            #expect(res.status == .created, "\(res.body.string)")
            sel = try await t.send(.GET, "/api/v1/brand-campaigns/\(campaign)/selection", token: office).decoded(Selection.self)
            let objection = try #require(sel.objections.first)
            #expect(objection.contact == "139****5555")
            res = try await t.send(.POST, "/api/v1/brand-objections/\(objection.id)/answer", token: office, json: ["answer": "已核实，午间有人值守"])
            #expect(res.status == .ok)
            #expect(
                try await t.send(.POST, "/api/v1/brand-objections/\(objection.id)/answer", token: office, json: ["answer": "again"]).status
                    == .conflict)

            // Naming is a later act of the consolidation phase.
            #expect(try await t.send(.POST, "/api/v1/brands/\(a)/name", token: office, json: [String: String]()).status == .conflict)
            t.clock.advance(45 * 86400)
            office = try await t.login("jiwei", "Order-Pass-2026")
            res = try await t.send(.POST, objections, json: ["brand": a.uuidString, "contact": "13900006666", "text": "晚了"])
            #expect(res.status == .conflict, "the announcement is over")
            // 年度社会评价: the typical brand is evaluated again in the consolidation phase, as a new
            // round of its survey, in which those who voted in the selection vote again.
            res = try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: ["closesOn": "2028-01-01"])
            #expect(res.problem?.errors?.first?.code == "brand.closesInPhase")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: ["closesOn": "2026-11-10"])
            #expect(res.status == .created, "\(res.body.string)")
            struct Round: Decodable { var id: UUID; var purpose: String; var round: Int; var votes: Int; var score: Double? }
            var yearly = try res.decoded(Round.self)
            #expect(yearly.id == survey.id && yearly.purpose == "consolidation" && yearly.round == 2 && yearly.votes == 0)
            #expect(try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: [String: String]()).status == .conflict)
            for (phone, level) in [("13900001111", 4), ("13900007777", 5)] {
                _ = try await t.send(.POST, base + "/codes", json: ["phone": phone])
                res = try await t.send(
                    .POST, base + "/votes", json: Vote(satisfaction: level, phone: phone, smsCode: try await StarRatingTests.lastCode(t)))
                #expect(res.status == .created, "one vote a round: \(res.body.string)")
            }
            _ = try await t.send(.POST, base + "/codes", json: ["phone": "13900007777"])
            res = try await t.send(
                .POST, base + "/votes", json: Vote(satisfaction: 1, phone: "13900007777", smsCode: try await StarRatingTests.lastCode(t)))
            #expect(res.status == .conflict)
            yearly = try await t.send(.GET, base).decoded(Round.self)
            #expect(yearly.votes == 2 && yearly.score == 87.5, "the round's own votes: \(yearly)")
            let selectionVotes = try await BrandVoteModel.query(on: t.app.db).filter(\.$surveyID == survey.id).filter(\.$round == 1).count()
            #expect(selectionVotes == 3, "the selection's votes stay in their round")
            sel = try await t.send(.GET, "/api/v1/brand-campaigns/\(campaign)/selection", token: office).decoded(Selection.self)
            #expect(sel.standings.first { $0.brandID == a }?.combined == 86, "a frozen score does not move")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/name", token: office, json: ["reason": "群众满意度高"])
            #expect(try res.decoded(BrandRegistryTests.Brand.self).state == "named", "\(res.body.string)")
            let naming = try await BrandNoticeModel.query(on: t.app.db).filter(\.$brandID == a).filter(\.$kind == "naming").first()
            #expect(try #require(naming).body.contains("年度社会评价 87.5 分（有效票 2）"))
            // Once a year: not again in 2026, again in 2027 (round 3).
            t.clock.advance(10 * 86400)
            office = try await t.login("jiwei", "Order-Pass-2026")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: [String: String]())
            #expect(res.problem?.detail == "该品牌今年已开展过年度社会评价，每年一次。", "\(res.body.string)")
            t.clock.advance(60 * 86400)
            office = try await t.login("jiwei", "Order-Pass-2026")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/survey", token: office, json: [String: String]())
            #expect(try res.decoded(Round.self).round == 3)
            res = try await t.send(.POST, "/api/v1/brands/\(a)/review", token: office, json: [String: String]())
            #expect(res.problem?.errors?.first?.field == "reason")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/review", token: office, json: ["reason": "连续三个月未达承诺"])
            #expect(try res.decoded(BrandRegistryTests.Brand.self).state == "under_review")
            res = try await t.send(.POST, "/api/v1/brands/\(a)/revoke", token: office, json: ["reason": "整改不到位"])
            #expect(try res.decoded(BrandRegistryTests.Brand.self).state == "revoked")
            #expect(try await t.send(.POST, "/api/v1/brands/\(a)/name", token: office, json: [String: String]()).status == .conflict)
            struct Notice: Decodable { var number: String; var kind: String }
            let notices = try await t.send(.GET, "/api/v1/brand-notices?center=DL010200").decoded([Notice].self)
            #expect(Set(notices.map(\.number)) == ["品选〔2026〕1号", "品命〔2026〕1号", "品撤〔2027〕1号"], "\(notices)")
            #expect(try await t.send(.GET, "/api/v1/brands/\(a)").status == .notFound, "a revoked brand is no longer public")
        }
    }

    @Test(
        "the pages: the department files a report and declares on the work page, refusals keep what was typed; the office assigns and opens the survey; an expert scores on their page; the public votes and sees the selection",
        arguments: TestDB.available)
    func pages(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")
            let campaign = try await BrandPracticeServerTests.campaign(
                t, office: office,
                [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-09-13"), ("2026-09-14", "2026-10-31"), ("2026-11-01", "2027-12-31")])
            let a = try await BrandPracticeServerTests.brand(t, chief: d.chief, office: office, name: "红盾先锋")
            let key = a.uuidString.lowercased()
            let made = try await t.send(
                .POST, "/api/v1/users", token: d.admin,
                json: [
                    "username": "zhuanjia", "displayName": "王专家", "password": "Order-Pass-2026", "role": "expert_reviewer",
                    "centerID": d.county.uuidString,
                ])
            #expect(made.status == .created, "\(made.body.string)")
            let chief = Browser(t)
            _ = try await chief.signIn("chief_scjg", "Order-Pass-2026")
            var html = try await chief.request(.GET, "/brands/\(key)/work").body.string
            #expect(
                html.contains("id=\"declare-form\"") && !html.contains("id=\"inspection-form\""),
                "the department declares; only the office inspects")
            var csrf = try await chief.csrf(from: "/brands/\(key)/work")
            var form = ["_csrf": csrf, "assess_name": "简短好记", "requirements": "三个体现"]
            var res = try await chief.request(.POST, "/brands/\(key)/work/declare", form: form)
            #expect(res.status == .unprocessableEntity && res.body.string.contains("自评（品牌标识）：必填"), "\(res.body.string.prefix(300))")
            #expect(res.body.string.contains(">三个体现</textarea>"), "what was typed stays")
            for s in ["logo", "culture", "system", "benefit"] { form["assess_\(s)"] = "好" }
            res = try await chief.request(.POST, "/brands/\(key)/work/declare", form: form)
            #expect(res.status == .seeOther || res.status == .found, "\(res.status)")

            let desk = Browser(t)
            _ = try await desk.signIn("jiwei", "Order-Pass-2026")
            html = try await desk.request(.GET, "/brands/\(key)/work").body.string
            #expect(html.contains("id=\"experts-form\"") && html.contains("王专家") && html.contains("id=\"inspection-form\""))
            let expert = try await UserModel.query(on: t.app.db).filter(\.$username == "zhuanjia").first()!.requireID()
            csrf = try await desk.csrf(from: "/brands/\(key)/work")
            res = try await desk.request(.POST, "/brands/\(key)/work/experts", form: ["_csrf": csrf, "expert_\(expert.uuidString)": "on"])
            #expect(res.status == .seeOther || res.status == .found)
            res = try await desk.request(.POST, "/brands/\(key)/work/survey", form: ["_csrf": csrf, "closesOn": "2030-01-01"])
            #expect(res.status == .unprocessableEntity && res.body.string.contains("截止日期须在今天与评选阶段结束之间"))
            res = try await desk.request(.POST, "/brands/\(key)/work/survey", form: ["_csrf": csrf])
            html = try await desk.request(.GET, "/brands/\(key)/work").body.string
            #expect(html.contains("<svg") && html.contains("/brands/survey/"), "the survey's QR code")

            let zj = Browser(t)
            _ = try await zj.signIn("zhuanjia", "Order-Pass-2026")
            html = try await zj.request(.GET, "/brands/experts").body.string
            #expect(html.contains("/brands/\(key)/score") && html.contains("待评分"))
            csrf = try await zj.csrf(from: "/brands/\(key)/score")
            var scores = ["_csrf": csrf, "points_name": "16", "points_logo": "10", "points_culture": "15", "points_system": "20"]
            res = try await zj.request(.POST, "/brands/\(key)/score", form: scores)
            #expect(res.status == .unprocessableEntity && res.body.string.contains("品牌名称得分超出该项分值范围"))
            #expect(res.body.string.contains("社会效益得分：必填"), "\(res.body.string.prefix(200))")
            scores["points_name"] = "14"
            scores["points_benefit"] = "20"
            res = try await zj.request(.POST, "/brands/\(key)/score", form: scores)
            #expect(res.status == .seeOther || res.status == .found)
            #expect(try await zj.request(.GET, "/brands/\(key)/work").status == .forbidden, "an expert has no work page")

            let visitor = Browser(t)
            html = try await visitor.request(.GET, "/brands/selection/\(campaign.uuidString.lowercased())").body.string
            #expect(
                html.contains("红盾先锋") && html.contains("去评价") && !html.contains(">综合得分<"), "the public sees no scores before the decision")
            let survey = try await BrandSurveyModel.query(on: t.app.db).first()!.requireID()
            html = try await visitor.request(.GET, "/brands/survey/\(survey.uuidString.lowercased())?via=qr").body.string
            #expect(html.contains("您对“红盾先锋”的服务是否满意？"))
            csrf = try await visitor.csrf(from: "/brands/survey/\(survey.uuidString.lowercased())")
            res = try await visitor.request(
                .POST, "/brands/survey/\(survey.uuidString.lowercased())", form: ["_csrf": csrf, "satisfaction": "5"])
            #expect(res.status == .unprocessableEntity && res.body.string.contains("电话：必填"))
        }
    }
}
