import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

private let voterID = "11010519491231002X"

/// 双评 and the 十星级 (issue 21).
@Suite("Star ratings")
struct StarRatingTests {
    struct Subject: Decodable {
        var subject: String
        var kind: String
        var name: String
        var surveyPath: String
        var votes: Int?
        var survey: Double?
        var leaderScore: Double?
        var combined: Double?
        var stars: Int?
        var comment: String?
    }

    struct Breakdown: Decodable {
        var votes: Int
        var criterionMeans: [Double]
        var survey: Double?
        var leaderScore: Double?
        var combined: Double?
        var stars: Int?
        var comment: String?
    }

    struct Rating: Decodable {
        var id: UUID
        var state: String
        var criteria: [String]
        var kinds: [String]
        var subjects: [Subject]?
        var breakdown: Breakdown?
    }

    struct Vote: Encodable {
        var ratee: String
        var levels: [Int]
        var phone: String?
        var smsCode: String?
        var comment: String?
    }

    struct Review: Encodable {
        var ratee: String
        var scores: [Double]
        var comments: [String]
        var overall: String
    }

    /// The code the SMS gateway was asked to send to the last phone.
    /// The county's half-year rating opened by the administrator, with an SMS webhook for the codes:
    /// its API path and a member of staff to rate.
    static func openCountyRating(_ t: TestContext) async throws -> (base: String, ratee: String) {
        let admin = try await t.login()
        let county = try await t.centerID(code: "DL010200")
        _ = try await t.send(
            .POST, "/api/v1/webhooks", token: admin,
            json: ["url": "https://sms.example.gov.cn/send", "events": "*", "centerID": county.uuidString])
        let res = try await t.send(
            .POST, "/api/v1/star-ratings", token: admin, json: ["center": "DL010200", "period": "half_year:2026-H2"])
        let rating = try res.content.decode(Rating.self)
        let staff = try #require(try await StaffModel.query(on: t.app.db).filter(\.$centerID == county).first())
        return ("/api/v1/star-ratings/\(rating.id)", "staff:" + staff.id!.uuidString)
    }

    static func lastCode(_ t: TestContext) async throws -> String {
        let row = try #require(
            try await OutboxModel.query(on: t.app.db).filter(\.$event == "vote.code").sort(\.$createdAt, .descending).sort(
                \.$id, .descending
            )
            .first())
        let message = try JSONDecoder().decode(Outbox.Message.self, from: Data(row.payload.utf8))
        return try #require(message.data["code"])
    }

    @Test(
        "a half-year's star rating: opened with its criteria, voted once per person by confirmed phone or account, reviewed by the department head and the center, confirmed by the campaign office into stars on the profile; nothing changes after",
        arguments: TestDB.available)
    func starRating(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let made = try await t.send(
                .POST, "/api/v1/users", token: d.admin,
                json: [
                    "username": "jiwei", "displayName": "机关工委", "password": "Order-Pass-2026", "role": "campaign_office",
                    "centerID": d.county.uuidString,
                ])
            #expect(made.status == .created, "\(made.body.string)")
            let office = try await t.login("jiwei", "Order-Pass-2026")

            // Opening: a half-year, distinct criteria, ten ascending bands.
            var res = try await t.send(
                .POST, "/api/v1/star-ratings", token: office,
                json: [
                    "center": AnyEncodable("DL010200"), "period": AnyEncodable("month:2026-09"),
                    "criteria": AnyEncodable(["服务态度", "服务态度"]),
                ])
            #expect(Set(res.problem?.errors?.map(\.code) ?? []) == ["commitment.halfYear", "star.criteriaRepeated"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/star-ratings", token: office,
                json: [
                    "center": AnyEncodable("DL010200"), "period": AnyEncodable("half_year:2026-H2"), "bands": AnyEncodable([10.0, 5.0]),
                ])
            #expect(res.problem?.errors?.map(\.code) == ["star.bands"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/star-ratings", token: d.chief, json: ["center": "DL010200", "period": "half_year:2026-H2"])
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, "/api/v1/star-ratings", token: office,
                json: [
                    "center": AnyEncodable("DL010200"), "period": AnyEncodable("half_year:2026-H2"),
                    "criteria": AnyEncodable(["服务态度", "办事效率"]),
                ])
            #expect(res.status == .created, "\(res.body.string)")
            let rating = try res.content.decode(Rating.self)
            #expect(rating.kinds == ["staff", "department", "party"] && rating.criteria == ["服务态度", "办事效率"])
            res = try await t.send(
                .POST, "/api/v1/star-ratings", token: office, json: ["center": "DL010200", "period": "half_year:2026-H2"])
            #expect(res.status == .conflict)

            let staff = try #require(try await StaffModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).first())
            let ratee = "staff:" + staff.id!.uuidString.lowercased()
            let base = "/api/v1/star-ratings/\(rating.id)"
            // The public sees whom to rate and where, not the figures.
            var seen = try await t.send(.GET, base).content.decode(Rating.self)
            let mine = try #require(seen.subjects?.first { $0.subject == ratee })
            #expect(mine.surveyPath == "/stars/\(rating.id.uuidString.lowercased())/staff/\(staff.id!.uuidString.lowercased())")
            #expect(mine.votes == nil && seen.subjects?.contains { $0.kind == "party" } == true)

            // A phone is confirmed by a code, through the center's SMS gateway.
            res = try await t.send(.POST, base + "/codes", json: ["phone": "13900001111"])
            #expect(res.status == .serviceUnavailable, "no gateway yet")
            let hook = try await t.send(
                .POST, "/api/v1/webhooks", token: d.admin,
                json: ["url": "https://sms.example.gov.cn/send", "events": "vote.code", "centerID": d.county.uuidString])
            #expect(hook.status == .created || hook.status == .ok, "\(hook.body.string)")
            res = try await t.send(.POST, base + "/codes", json: ["phone": "12345"])
            #expect(res.problem?.errors?.first?.code == "star.mobile")
            res = try await t.send(.POST, base + "/codes", json: ["phone": "13900001111"])
            #expect(res.status == .accepted, "\(res.body.string)")
            let code = try await Self.lastCode(t)
            res = try await t.send(
                .POST, base + "/votes",
                json: Vote(ratee: ratee, levels: [5, 4], phone: "13900001111", smsCode: code == "000000" ? "111111" : "000000"))
            #expect(res.problem?.errors?.first?.code == "star.codeWrong")
            res = try await t.send(.POST, base + "/votes", json: Vote(ratee: ratee, levels: [5], phone: "13900001111", smsCode: code))
            #expect(res.problem?.errors?.first?.code == "star.everyCriterion")
            res = try await t.send(.POST, base + "/votes", json: Vote(ratee: ratee, levels: [6, 1], phone: "13900001111", smsCode: code))
            #expect(res.problem?.errors?.first?.code == "invalidChoice")
            res = try await t.send(
                .POST, base + "/votes", json: Vote(ratee: ratee, levels: [5, 4], phone: "139 0000 1111", smsCode: code, comment: "耐心细致"))
            #expect(res.status == .created, "\(res.body.string)")
            res = try await t.send(.POST, base + "/votes", json: Vote(ratee: ratee, levels: [1, 1], phone: "13900001111", smsCode: code))
            #expect(res.status == .conflict, "one vote per person per subject")
            // The same phone may rate someone else.
            let unit = "department:" + d.scjg.uuidString.lowercased()
            res = try await t.send(.POST, base + "/votes", json: Vote(ratee: unit, levels: [4, 4], phone: "13900001111", smsCode: code))
            #expect(res.status == .created, "\(res.body.string)")
            // A second phone.
            _ = try await t.send(.POST, base + "/codes", json: ["phone": "13900002222"])
            res = try await t.send(
                .POST, base + "/votes",
                json: Vote(ratee: ratee, levels: [3, 5], phone: "13900002222", smsCode: try await Self.lastCode(t)))
            #expect(res.status == .created, "\(res.body.string)")
            // A signed-in applicant needs no code, and also votes once.
            let anon = Browser(t)
            _ = try await anon.request(
                .POST, "/register",
                form: ["kind": "person", "name": "张三", "idNumber": voterID, "phone": "13800138000", "password": "Apply-2026-pass"])
            let applicant = try await t.login(voterID, "Apply-2026-pass")
            res = try await t.send(.POST, base + "/votes", token: applicant, json: Vote(ratee: ratee, levels: [5, 5]))
            #expect(res.status == .created, "\(res.body.string)")
            res = try await t.send(.POST, base + "/votes", token: applicant, json: Vote(ratee: ratee, levels: [5, 5]))
            #expect(res.status == .conflict)

            // 领导点评: the department head for their own staff, the center for everyone.
            let review = Review(ratee: ratee, scores: [80, 90], comments: ["热情", "高效"], overall: "业务熟练，服务热情")
            res = try await t.send(.POST, base + "/reviews", token: d.otherChief, json: review)
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, base + "/reviews", token: d.chief, json: Review(ratee: ratee, scores: [80, 120], comments: ["热情", ""], overall: ""))
            #expect(Set(res.problem?.errors?.map(\.field) ?? []) == ["scores.1", "comments.1", "overall"], "\(res.body.string)")
            res = try await t.send(.POST, base + "/reviews", token: d.chief, json: review)
            #expect(res.status == .ok, "\(res.body.string)")
            res = try await t.send(
                .POST, base + "/reviews", token: d.admin,
                json: Review(ratee: ratee, scores: [70, 80], comments: ["尚可", "较快"], overall: "群众满意度高"))
            #expect(res.status == .ok, "\(res.body.string)")
            res = try await t.send(
                .POST, base + "/reviews", token: d.chief, json: Review(ratee: unit, scores: [80, 80], comments: ["a", "b"], overall: "c"))
            #expect(res.status == .forbidden, "a unit is reviewed by the center")

            // Leaders see the provisional figures; the public does not.
            seen = try await t.send(.GET, base, token: d.chief).content.decode(Rating.self)
            // Survey: (100 + 75 + 50 + 100 + 100 + 100) / 6 = 87.5; leaders: (85 + 75) / 2 = 80.
            let provisional = try #require(seen.subjects?.first { $0.subject == ratee })
            #expect(provisional.votes == 3 && provisional.survey == 87.5 && provisional.leaderScore == 80, "\(provisional)")
            #expect(provisional.combined == 83.75 && provisional.stars == 8)
            #expect(try await t.send(.GET, base + "?subject=\(ratee)").content.decode(Rating.self).breakdown == nil)

            // Confirmation, by the campaign office only; then nothing moves.
            #expect(try await t.send(.POST, base + "/confirm", token: d.admin).status == .forbidden)
            res = try await t.send(.POST, base + "/confirm", token: office)
            #expect(res.status == .ok, "\(res.body.string)")
            #expect(try res.content.decode(Rating.self).state == "confirmed")
            #expect(try await t.send(.POST, base + "/confirm", token: office).status == .conflict)
            _ = try await t.send(.POST, base + "/codes", json: ["phone": "13900003333"])
            res = try await t.send(.POST, base + "/votes", token: applicant, json: Vote(ratee: unit, levels: [1, 1]))
            #expect(res.status == .conflict)
            #expect(try await t.send(.POST, base + "/reviews", token: d.admin, json: review).status == .conflict)

            // Published: how the score was made up, to anyone.
            let published = try await t.send(.GET, base + "?subject=\(ratee)").content.decode(Rating.self)
            let b = try #require(published.breakdown)
            #expect(b.votes == 3 && b.criterionMeans == [83.33, 91.67] && b.stars == 8 && b.comment == "群众满意度高", "\(b)")
            let unitResult = try #require(published.subjects?.first { $0.subject == unit })
            #expect(unitResult.votes == 1 && unitResult.stars == nil, "no leader review, no stars")
            let profile = try await t.send(.GET, "/staff/\(staff.id!)").body.string
            #expect(profile.contains("★★★★★★★★☆☆") && profile.contains("群众满意度高"), "\(profile)")

            // No phone number is kept in the clear, nor in the audit trail.
            let codes = try await VoteCodeModel.query(on: t.app.db).all()
            #expect(codes.count == 2 && codes.allSatisfy { !$0.sealedPhone.contains("1390000") && $0.phone.hasPrefix("1390000") })
            #expect(try await StarVoteModel.query(on: t.app.db).all().allSatisfy { !$0.voter.contains("1390000") })
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$entityType == "star_rating").all()
            #expect(audit.filter { $0.action == "star.vote" }.count == 4 && audit.contains { $0.action == "star.confirm" })
            #expect(!audit.contains { $0.detail.contains("1390000") })
        }
    }

    @Test(
        "a survey from one shared address: its codes have their own allowance, and votes, which carry a code, are not limited by address",
        arguments: TestDB.available)
    func sharedAddress(db: TestDB) async throws {
        try await withOneStop(
            db,
            tune: {
                $0.throttle.forms = .init(count: 2, seconds: 600)
                $0.throttle.surveys = .init(count: 4, seconds: 600)
            }
        ) { t in
            let (base, ratee) = try await Self.openCountyRating(t)
            let office: HTTPHeaders = ["X-Forwarded-For": "203.0.113.40"]
            var codes: [(String, String)] = []
            for n in 1...4 {
                let phone = "1370000000\(n)"
                #expect(try await t.send(.POST, base + "/codes", json: ["phone": phone], headers: office).status == .accepted)
                codes.append((phone, try await Self.lastCode(t)))
            }
            #expect(
                try await t.send(.POST, base + "/codes", json: ["phone": "13700000009"], headers: office).status == .tooManyRequests,
                "the survey codes' own allowance")
            for (phone, code) in codes {
                let vote = try await t.send(
                    .POST, base + "/votes", json: Vote(ratee: ratee, levels: [5, 5, 5, 5, 5], phone: phone, smsCode: code), headers: office)
                #expect(vote.status == .created, "a vote past the public forms' allowance of 2: \(vote.body.string)")
            }
            // Other public forms from that address are still limited by the forms' allowance.
            let ticket = ["center": "DL010200", "group": "NONE"]
            for _ in 0..<2 { _ = try await t.send(.POST, "/api/v1/tickets", json: ticket, headers: office) }
            #expect(try await t.send(.POST, "/api/v1/tickets", json: ticket, headers: office).status == .tooManyRequests)
        }
    }

    @Test("a phone's code: wrong tries run out, and a phone gets five codes an hour", arguments: TestDB.available)
    func codes(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (base, ratee) = try await Self.openCountyRating(t)
            var res: TestingHTTPResponse
            res = try await t.send(.POST, base + "/codes", json: ["phone": "13700001111"])
            let code = try await Self.lastCode(t)
            let wrong = code == "123456" ? "654321" : "123456"
            for _ in 0..<5 {
                res = try await t.send(
                    .POST, base + "/votes", json: Vote(ratee: ratee, levels: [5, 5, 5, 5, 5], phone: "13700001111", smsCode: wrong))
                #expect(res.problem?.errors?.first?.code == "star.codeWrong")
            }
            res = try await t.send(
                .POST, base + "/votes", json: Vote(ratee: ratee, levels: [5, 5, 5, 5, 5], phone: "13700001111", smsCode: code))
            #expect(res.problem?.errors?.first?.code == "star.codeExpired", "five wrong tries spend the code")
            for _ in 0..<4 { #expect(try await t.send(.POST, base + "/codes", json: ["phone": "13700001111"]).status == .accepted) }
            #expect(try await t.send(.POST, base + "/codes", json: ["phone": "13700001111"]).status == .tooManyRequests)
            // Ten minutes on, the code has lapsed.
            t.clock.advance(11 * 60)
            res = try await t.send(
                .POST, base + "/votes",
                json: Vote(ratee: ratee, levels: [5, 5, 5, 5, 5], phone: "13700001111", smsCode: try await Self.lastCode(t)))
            #expect(res.problem?.errors?.first?.code == "star.codeExpired")
        }
    }
}
