import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// Outside evaluators (群众监督员, 行风评议员, 特邀监察员, issue 21).
@Suite("Outside evaluators")
struct OutsideEvaluationTests {
    typealias Review = StarRatingTests.Review

    struct Breakdown: Decodable {
        var leaderScore: Double?
        var outsideScore: Double?
        var outsideReviews: [Reviewed]?
        var combined: Double?
        var stars: Int?

        struct Reviewed: Decodable {
            var level: String
            var reviewer: String
            var scores: [Double]
        }
    }

    struct Rating: Decodable {
        var id: UUID
        var state: String
        var breakdown: Breakdown?
    }

    struct Card: Decodable {
        var subject: String
        var evaluatorRole: String
        var day: String
        var score: Double
    }

    @Test(
        "outside evaluators have accounts of their own, see nothing of the center but their scoring, score a rating's subjects on its criteria once each, and count in the stars by the scale's weight and as an indicator an assessment template can use",
        arguments: TestDB.available)
    func outsideEvaluators(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            for (name, role) in [("jiandu", "public_supervisor"), ("hangfeng", "conduct_reviewer"), ("jiwei", "campaign_office")] {
                let made = try await t.send(
                    .POST, "/api/v1/users", token: d.admin,
                    json: [
                        "username": name, "displayName": name == "jiandu" ? "李监督" : name == "hangfeng" ? "王评议" : "机关工委",
                        "password": "Order-Pass-2026", "role": role, "centerID": d.county.uuidString,
                    ])
                #expect(made.status == .created, "\(made.body.string)")
            }
            let supervisorOfPublic = try await t.login("jiandu", "Order-Pass-2026")
            let reviewer = try await t.login("hangfeng", "Order-Pass-2026")
            let office = try await t.login("jiwei", "Order-Pass-2026")

            // Not staff: the center's lists, cases and the inbox are closed to them.
            #expect(try await t.send(.GET, "/api/v1/departments", token: supervisorOfPublic).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/cases", token: supervisorOfPublic).status == .forbidden)
            let web = Browser(t)
            _ = try await web.signIn("jiandu", "Order-Pass-2026")
            let home = try await web.request(.GET, "/")
            #expect(home.status == .seeOther && home.headers.first(name: .location) == "/outside-evaluation")
            #expect(try await web.request(.GET, "/inbox").status == .forbidden)
            #expect(try await web.request(.GET, "/outside-evaluation").body.string.contains("目前没有进行中的评定"))

            // The campaign office gives the outside evaluators 20% of the score.
            var res = try await t.send(
                .POST, "/api/v1/star-ratings", token: office,
                json: [
                    "center": AnyEncodable("DL010200"), "period": AnyEncodable("half_year:2026-H2"),
                    "criteria": AnyEncodable(["服务态度", "办事效率"]), "publicWeight": AnyEncodable(0.4),
                    "leaderWeight": AnyEncodable(0.4), "outsideWeight": AnyEncodable(0.2),
                ])
            #expect(res.status == .created, "\(res.body.string)")
            let rating = try res.content.decode(Rating.self)
            let base = "/api/v1/star-ratings/\(rating.id)"
            let staff = try #require(try await StaffModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).first())
            let ratee = "staff:" + staff.id!.uuidString.lowercased()

            // Every criterion scored with a comment; a leader's route is not theirs.
            res = try await t.send(
                .POST, base + "/outside-scores", token: supervisorOfPublic,
                json: Review(ratee: ratee, scores: [80], comments: ["好"], overall: ""))
            #expect(Set(res.problem?.errors?.map(\.code) ?? []) == ["star.everyCriterion", "required"], "\(res.body.string)")
            let card = Review(ratee: ratee, scores: [80, 90], comments: ["热情", "较快"], overall: "暗访两次，表现良好")
            #expect(try await t.send(.POST, base + "/reviews", token: supervisorOfPublic, json: card).status == .forbidden)
            #expect(try await t.send(.POST, base + "/outside-scores", token: d.admin, json: card).status == .forbidden)
            res = try await t.send(.POST, base + "/outside-scores", token: supervisorOfPublic, json: card)
            #expect(res.status == .ok, "\(res.body.string)")
            // Replaced, not added: one card per evaluator and subject.
            res = try await t.send(
                .POST, base + "/outside-scores", token: supervisorOfPublic,
                json: Review(ratee: ratee, scores: [90, 90], comments: ["热情", "高效"], overall: "复核后上调"))
            #expect(res.status == .ok, "\(res.body.string)")
            res = try await t.send(
                .POST, base + "/outside-scores", token: reviewer,
                json: Review(ratee: ratee, scores: [70, 70], comments: ["一般", "一般"], overall: "有等候过长情况"))
            #expect(res.status == .ok, "\(res.body.string)")
            let mine = try await t.send(.GET, base + "/outside-scores", token: supervisorOfPublic).content.decode([Card].self)
            #expect(mine.count == 1 && mine[0].score == 90 && mine[0].evaluatorRole == "public_supervisor" && mine[0].day == "2026-09-21")
            #expect(try await t.send(.GET, base + "/outside-scores", token: d.admin).content.decode([Card].self).count == 2)
            #expect(try await t.send(.GET, base + "/outside-scores", token: d.chief).status == .forbidden)

            // In the stars: (90 + 70) / 2 = 80 beside a leader's 60 and the public's 100.
            let review = Review(ratee: ratee, scores: [60, 60], comments: ["需改进", "需改进"], overall: "继续努力")
            #expect(try await t.send(.POST, base + "/reviews", token: d.admin, json: review).status == .ok)
            var b = try #require(try await t.send(.GET, base + "?subject=\(ratee)", token: d.admin).content.decode(Rating.self).breakdown)
            #expect(b.outsideScore == 80 && b.outsideReviews?.count == 2 && b.leaderScore == 60, "\(b)")
            #expect(b.outsideReviews?.allSatisfy { $0.level == "outside" } == true)
            #expect(b.combined == nil, "no public vote yet")
            let anon = Browser(t)
            _ = try await anon.request(
                .POST, "/register",
                form: [
                    "kind": "person", "name": "张三", "idNumber": "11010519491231002X", "phone": "13800138000", "password": "Apply-2026-pass",
                ])
            let applicant = try await t.login("11010519491231002X", "Apply-2026-pass")
            res = try await t.send(.POST, base + "/votes", token: applicant, json: StarRatingTests.Vote(ratee: ratee, levels: [5, 5]))
            #expect(res.status == .created, "\(res.body.string)")
            b = try #require(try await t.send(.GET, base + "?subject=\(ratee)", token: d.admin).content.decode(Rating.self).breakdown)
            // 0.4 × 100 + 0.4 × 60 + 0.2 × 80 = 80.
            #expect(b.combined == 80 && b.stars == 8, "\(b)")

            // As an indicator: 外部评议得分率 of the day, the staff member's and their department's.
            struct Figure: Decodable {
                var indicator: String
                var numerator: Int
                var denominator: Int?
                var text: String
                var recordCount: Int?
            }
            struct Table: Decodable { var figures: [Figure] }
            let table = try await t.send(
                .GET, "/api/v1/indicators?center=DL010200&period=month:2026-09&scope=department:\(d.scjg.uuidString.lowercased())",
                token: d.admin
            ).content.decode(Table.self)
            let figure = try #require(table.figures.first { $0.indicator == "outside_evaluation" })
            #expect(figure.numerator == 16_000 && figure.denominator == 2 && figure.text == "80.0%", "\(figure)")
            struct Records: Decodable {
                var total: Int
                var records: [IndicatorRecords.Record]
            }
            let records = try await t.send(
                .GET, "/api/v1/indicators/records?center=DL010200&period=month:2026-09&indicator=outside_evaluation", token: d.admin
            ).content.decode(Records.self)
            #expect(records.total == figure.recordCount && records.total == 2)
            #expect(Set(records.records.map(\.reference)) == ["群众监督员", "行风评议员"] && records.records[0].subject == staff.name)

            // Where the template says: a criterion computed from it.
            struct Rule: Encodable { var kind = "linear"; var zeroAt = 0.0; var fullAt = 1.0 }
            struct Criterion: Encodable {
                var key = "c1"; var name = "外部评议"; var points = 10.0; var indicator = "outside_evaluation"; var rule = Rule()
            }
            struct Input: Encodable { var center = "DL010200"; var name = "外部评议考核"; var criteria = [Criterion()] }
            let template = try await t.send(.POST, "/api/v1/assessment-templates", token: d.admin, json: Input()).content.decode(
                AssessmentTests.Template.self)
            struct Start: Encodable {
                var template: UUID; var center = "DL010200"; var subjects = "department"; var period = "month:2026-09"
            }
            res = try await t.send(.POST, "/api/v1/assessments", token: d.admin, json: Start(template: template.id))
            #expect(res.status == .created, "\(res.body.string)")
            let report = try res.content.decode(AssessmentTests.Report.self)
            #expect(report.lines.first { $0.subject == "department:" + d.scjg.uuidString.lowercased() }?.scores["c1"] == 8)
            #expect(report.lines.first { $0.subject == "department:" + d.ga.uuidString.lowercased() }?.scores["c1"] == .some(nil))

            // The pages: their list, and the scoring form without the public's figures.
            let list = try await web.request(.GET, "/outside-evaluation").body.string
            #expect(list.contains(staff.name) && list.contains("已评 1 /"))
            let form = try await web.request(.GET, "/star-ratings/\(rating.id)/review?ratee=\(ratee)").body.string
            #expect(form.contains("外部评议：" + staff.name) && form.contains("复核后上调") && !form.contains("目前群众评议"))

            // Confirmed: no more scoring.
            #expect(try await t.send(.POST, base + "/confirm", token: office).status == .ok)
            #expect(try await t.send(.POST, base + "/outside-scores", token: reviewer, json: card).status == .conflict)
            #expect(
                try await AuditEntryModel.query(on: t.app.db).filter(\.$action ~~ ["outside.score", "outside.score.replace"]).count() == 3)
        }
    }
}
