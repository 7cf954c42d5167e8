import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

/// 好差评 under supervision (issue 19): an unrectified bad rating warns its department before its
/// day and is carded after it; the card sits on `/supervision/cards` with the case cards.
@Suite("Bad ratings under supervision")
struct RatingSupervisionTests {
    /// A bad rating at window 4 (the market regulator's), with its department's chief.
    static func badVisit(_ t: TestContext, _ hall: Hall, chief: String = "chief_scjg") async throws -> (rating: UUID, chief: String) {
        let scjg = try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == hall.county).filter(\.$code == "SCJG").first()!
            .requireID()
        let body = [
            "username": chief, "displayName": chief, "password": "Rating-Pass-2026", "role": "chief_representative",
            "centerID": hall.county.uuidString, "departmentID": scjg.uuidString,
        ]
        let made = try await t.send(.POST, "/api/v1/users", token: hall.admin, json: body)
        #expect(made.status == .created, "\(made.body.string)")
        let clerk = try await hall.clerk("clerk4", at: 4)
        let device = try await hall.evaluator(at: 4)
        let ticket = try await hall.issue("B")
        _ = try #require(try await hall.callNext(4, token: clerk))
        try await hall.act("start", ticket.id, at: 4, token: clerk)
        try await hall.act("finish", ticket.id, at: 4, token: clerk)
        struct R: Encodable {
            var level = 2
            var tags = ["slow"]
        }
        let res = try await t.send(.POST, "/api/v1/tickets/\(ticket.id)/rating", token: device, json: R())
        #expect(res.status == .created, "\(res.body.string)")
        struct Made: Decodable { var id: UUID }
        return (try res.content.decode(Made.self).id, chief)
    }

    @Test("an unrectified bad rating is warned before its day and carded after it, once each", arguments: TestDB.writers)
    func overdue(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let (id, chiefName) = try await Self.badVisit(t, hall)
            let bad = try #require(try await BadRatingModel.find(id, on: t.app.db))
            let calendar = try await t.app.calendars.calendar(for: hall.county, on: t.app.db)
            let today = HallClock.day(t.clock.now)
            let due = try #require(CivilDate(bad.dueOn))
            @Sendable func events(_ e: String) async throws -> Int {
                try await OutboxModel.query(on: t.app.db).filter(\.$event == e).count()
            }
            // Nothing is owed on the first days.
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await events("rating.reminder") == 0)
            // Three working days before the day: the department is warned, once.
            let warnDay = try #require(calendar.addWorkingDays(12, to: today))
            t.clock.advance(Double(warnDay.dayNumber - today.dayNumber) * 86400)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            let warned = try await events("rating.reminder")
            #expect(warned >= 1)
            #expect(try await BadRatingModel.find(id, on: t.app.db)?.warnedOn == warnDay.description)
            #expect(try await CardModel.query(on: t.app.db).count() == 0)
            // The day after its day, unrectified: a card for the department, once.
            t.clock.advance(Double(due.dayNumber + 1 - warnDay.dayNumber) * 86400)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await events("rating.reminder") == warned)
            let cards = try await CardModel.query(on: t.app.db).all()
            #expect(cards.count == 1)
            let card = try #require(cards.first)
            #expect(card.ratingID == id && card.caseID == nil && card.kind == "rating_overdue" && card.status == "open")
            #expect(card.departmentID == bad.departmentID)
            #expect(try await events("card.issued") >= 1)

            // The chief sees it beside the case cards, explains it; it links to the rating.
            let chief = try await t.login(chiefName, "Rating-Pass-2026")
            let list = try await t.send(.GET, "/api/v1/supervision/cards", token: chief)
            #expect(list.status == .ok)
            #expect(list.body.string.contains(id.uuidString.lowercased()) || list.body.string.contains(id.uuidString))
            let explained = try await t.send(
                .POST, "/api/v1/supervision/cards/\(card.requireID())/explanation", token: chief,
                json: ["text": "窗口人员请假，已安排补位并回访"])
            #expect(explained.status == .ok, "\(explained.body.string)")
            let b = Browser(t)
            _ = try await b.signIn(chiefName, "Rating-Pass-2026")
            let page = try await b.request(.GET, "/supervision/cards")
            #expect(page.body.string.contains("/ratings/\(id.uuidString)"))
            #expect(try await b.request(.GET, "/ratings/\(id.uuidString)").status == .ok)
        }
    }

    @Test("a rating rectified in time is neither warned nor carded", arguments: TestDB.writers)
    func rectifiedInTime(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let (id, chiefName) = try await Self.badVisit(t, hall)
            let chief = try await t.login(chiefName, "Rating-Pass-2026")
            let res = try await t.send(
                .POST, "/api/v1/ratings/\(id)/resolution", token: chief, json: ["kind": "rectified", "note": "已加派窗口人员"])
            #expect(res.status == .ok, "\(res.body.string)")
            t.clock.advance(40 * 86400)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await CardModel.query(on: t.app.db).count() == 0)
            #expect(try await OutboxModel.query(on: t.app.db).filter(\.$event == "rating.reminder").count() == 0)
        }
    }

    struct Disclosure: Decodable {
        struct Figures: Decodable {
            var rated: Int
            var excluded: Int
        }
        var figures: Figures
    }

    struct Flag: Decodable {
        var id: UUID
        var ratingID: UUID
        var signal: String
        var measured: Int
        var explanation: String
        var verdict: String?
        var excluded: Bool
    }

    @Test(
        "five ratings from one address in a minute and an evaluator answered at once are flagged, kept, and reviewed by a supervisor",
        arguments: TestDB.writers)
    func flags(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let made = try await t.send(
                .POST, "/api/v1/users", token: hall.admin,
                json: [
                    "username": "jiancha", "displayName": "监察", "password": "Rating-Pass-2026", "role": "supervisor",
                    "centerID": hall.county.uuidString,
                ])
            #expect(made.status == .created)
            let supervisor = try await t.login("jiancha", "Rating-Pass-2026")
            let person = try #require(try await StaffModel.query(on: t.app.db).filter(\.$centerID == hall.county).first()).requireID()
            let clerk = try await hall.clerk("clerk4", at: 4, staff: person)
            var served: [TicketBody] = []
            for _ in 0..<6 {
                let ticket = try await hall.issue("B")
                _ = try #require(try await hall.callNext(4, token: clerk))
                try await hall.act("start", ticket.id, at: 4, token: clerk)
                try await hall.act("finish", ticket.id, at: 4, token: clerk)
                served.append(ticket)
            }
            t.clock.advance(120)
            // Five from one address, ten seconds apart: the fifth is a burst; a kiosk rating counts
            // as a kiosk's.
            struct Rate: Encodable {
                var level = 5
                var token: String
                var channel: String
            }
            var ids: [UUID] = []
            for (n, ticket) in served.prefix(5).enumerated() {
                let res = try await t.send(
                    .POST, "/api/v1/tickets/\(ticket.id)/rating",
                    json: Rate(token: ticket.followToken!, channel: n == 0 ? "kiosk" : "qr_code"),
                    headers: ["X-Forwarded-For": "203.0.113.9"])
                #expect(res.status == .created, "\(res.body.string)")
                struct Made: Decodable { var id: UUID; var channel: String }
                let m = try res.content.decode(Made.self)
                #expect(m.channel == (n == 0 ? "kiosk" : "qr_code"))
                ids.append(m.id)
                t.clock.advance(10)
            }
            let bogus = try await t.send(
                .POST, "/api/v1/tickets/\(served[5].id)/rating", json: Rate(token: served[5].followToken!, channel: "fax"))
            #expect(bogus.status == .unprocessableEntity && bogus.problem?.errors?.first?.field == "channel")
            // The evaluator answered the moment the visit ended.
            let device = try await hall.evaluator(at: 4)
            let next = try await hall.issue("B")
            _ = try #require(try await hall.callNext(4, token: clerk))
            try await hall.act("start", next.id, at: 4, token: clerk)
            try await hall.act("finish", next.id, at: 4, token: clerk)
            let fast = try await t.send(.POST, "/api/v1/tickets/\(next.id)/rating", token: device, json: ["level": 5])
            #expect(fast.status == .created)

            let list = try await t.send(.GET, "/api/v1/ratings/flags", token: supervisor)
            #expect(list.status == .ok, "\(list.body.string)")
            let flags = try list.content.decode([Flag].self)
            #expect(Set(flags.map(\.signal)) == ["burst", "too_fast"], "\(flags)")
            let burst = try #require(flags.first { $0.signal == "burst" })
            #expect(burst.ratingID == ids[4] && burst.measured == 5 && burst.explanation.contains("60"))
            // Not dropped: all six count until reviewed.
            @Sendable func rated() async throws -> Disclosure.Figures {
                let res = try await t.send(.GET, "/api/v1/centers/\(hall.county)/ratings/disclosure")
                let decoded = try JSONDecoder().decode(Disclosure.self, from: Data(res.body.readableBytesView))
                return decoded.figures
            }
            #expect(try await rated().rated == 6)

            // Only supervisors review; administrators look; a chief representative does neither.
            #expect(try await t.send(.GET, "/api/v1/ratings/flags", token: hall.admin).status == .ok)
            let byAdmin = try await t.send(
                .POST, "/api/v1/ratings/flags/\(burst.id)/review", token: hall.admin, json: ["verdict": "confirmed", "note": "x"])
            #expect(byAdmin.status == .forbidden)
            let noNote = try await t.send(
                .POST, "/api/v1/ratings/flags/\(burst.id)/review", token: supervisor, json: ["verdict": "confirmed"])
            #expect(noNote.status == .unprocessableEntity && noNote.problem?.errors?.first?.field == "note")
            let confirmed = try await t.send(
                .POST, "/api/v1/ratings/flags/\(burst.id)/review", token: supervisor,
                json: ["verdict": "confirmed", "note": "同一网络地址连续刷好评"])
            #expect(confirmed.status == .ok, "\(confirmed.body.string)")
            #expect(try confirmed.content.decode(Flag.self).excluded)
            let after = try await rated()
            #expect(after.rated == 5 && after.excluded == 1)
            let again = try await t.send(
                .POST, "/api/v1/ratings/flags/\(burst.id)/review", token: supervisor, json: ["verdict": "cleared", "note": "x"])
            #expect(again.status == .conflict)
            let fastFlag = try #require(flags.first { $0.signal == "too_fast" })
            let cleared = try await t.send(
                .POST, "/api/v1/ratings/flags/\(fastFlag.id)/review", token: supervisor, json: ["verdict": "cleared", "note": "评价器演示"])
            #expect(cleared.status == .ok)
            #expect(try await rated().rated == 5)
            #expect(try await t.send(.GET, "/api/v1/ratings/flags", token: supervisor).content.decode([Flag].self).isEmpty)
            #expect(try await t.send(.GET, "/api/v1/ratings/flags?reviewed=all", token: supervisor).content.decode([Flag].self).count == 2)

            // The window's screen shows this month's satisfaction, the clerk's profile 12 months, from
            // the day figures (the confirmed one is out of both).
            struct Screen: Decodable {
                var monthRated: Int
                var monthSatisfaction: Double?
                var stars: Int?
                var surveyPath: String?
            }
            let profilePath = "/api/v1/windows/\(hall.windows[4]!)/profile"
            let screen = try await t.send(.GET, profilePath).content.decode(Screen.self)
            // The stars are the 十星级 once confirmed, not the mean of the ratings.
            #expect(screen.monthRated == 5 && screen.monthSatisfaction == 1 && screen.stars == nil, "\(screen)")
            #expect(screen.surveyPath == nil)
            let opened = try await t.send(
                .POST, "/api/v1/star-ratings", token: try await t.login(), json: ["center": "DL010200", "period": "half_year:2026-H2"])
            #expect(opened.status == .created, "\(opened.body.string)")
            let during = try await t.send(.GET, profilePath).content.decode(Screen.self)
            #expect(during.surveyPath?.hasPrefix("/stars/") == true, "the window's QR code leads to its clerk's survey")
            struct Profile: Decodable {
                struct R: Decodable {
                    struct M: Decodable {
                        var month: String
                        var rated: Int
                    }
                    var rated: Int
                    var months: [M]
                }
                var ratings: R?
            }
            let staffID = try #require(try await RatingModel.find(ids[0], on: t.app.db)?.staffID)
            #expect(staffID == person)
            let profile = try await t.send(.GET, "/api/v1/staff/\(staffID)/profile").content.decode(Profile.self)
            let thisMonth = String(HallClock.day(t.clock.now).description.prefix(7))
            #expect(profile.ratings?.rated == 5 && profile.ratings?.months.count == 12 && profile.ratings?.months.last?.month == thisMonth)
            #expect(try await t.send(.GET, "/staff/\(staffID)").body.string.contains("id=\"staff-ratings-t\""))

            // The managers' figures: by window and by staff member, the confirmed one out.
            struct Breakdown: Decodable {
                struct Row: Decodable {
                    var id: UUID
                    var rated: Int
                }
                var rows: [Row]
            }
            let byWindow = try await t.send(.GET, "/api/v1/ratings/figures?by=window", token: supervisor).content.decode(Breakdown.self)
            #expect(byWindow.rows.first { $0.id == hall.windows[4] }?.rated == 5)
            let byStaff = try await t.send(.GET, "/api/v1/ratings/figures?by=staff", token: hall.admin).content.decode(Breakdown.self)
            #expect(byStaff.rows.map(\.id) == [person])
            let wrongBy = try await t.send(.GET, "/api/v1/ratings/figures?by=planet", token: supervisor)
            #expect(wrongBy.status == .unprocessableEntity && wrongBy.problem?.errors?.first?.field == "by")

            // The page: the rule in words, the review form for the supervisor.
            let b = Browser(t)
            _ = try await b.signIn("jiancha", "Rating-Pass-2026")
            let page = try await b.request(.GET, "/ratings/flags?reviewed=all")
            #expect(page.status == .ok && page.body.string.contains("60 秒内"))
            let figures = try await b.request(.GET, "/ratings/figures?by=window")
            #expect(figures.status == .ok && figures.body.string.contains("id=\"figures-table\""))
        }
    }

    @Test(
        "热线评价: an operator records a caller's rating of a visit or a case; the caller is the rater (sealed), the operator is recorded; refusals",
        arguments: TestDB.writers)
    func hotline(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, chief) = try await t.caseStaff()
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let made = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "rexian", "displayName": "热线一号", "password": "Rating-Pass-2026", "role": "hotline_operator",
                    "centerID": county.uuidString, "phone": "13700001111",
                ])
            #expect(made.status == .created, "\(made.body.string)")
            let op = try await t.login("rexian", "Rating-Pass-2026")
            struct H: Encodable {
                var caseNumber: String?
                var ticketNumber: String?
                var day: String?
                var callerName = "李四"
                var callerPhone = "13912345678"
                var level = 1
                var tags = ["attitude"]
                var text = "窗口态度不好"
            }
            // A visit, by its ticket number and day.
            let hall = try await Hall.open(t)
            let desk = try await hall.clerk("clerk4", at: 4)
            let ticket = try await hall.issue("B")
            _ = try #require(try await hall.callNext(4, token: desk))
            try await hall.act("start", ticket.id, at: 4, token: desk)
            try await hall.act("finish", ticket.id, at: 4, token: desk)
            let today = HallClock.day(t.clock.now).description
            // Only an operator; and what is rated must be named, once.
            #expect(
                try await t.send(.POST, "/api/v1/ratings/hotline", token: clerk, json: H(ticketNumber: ticket.number)).status == .forbidden)
            let neither = try await t.send(.POST, "/api/v1/ratings/hotline", token: op, json: H())
            #expect(neither.problem?.errors?.first?.code == "rating.hotlineSubject")
            let noReason = try await t.send(
                .POST, "/api/v1/ratings/hotline", token: op, json: H(ticketNumber: ticket.number, day: today, tags: []))
            #expect(noReason.problem?.errors?.contains { $0.code == "rating.tagsRequired" } == true)
            let ownPhone = try await t.send(
                .POST, "/api/v1/ratings/hotline", token: op, json: H(ticketNumber: ticket.number, day: today, callerPhone: "13700001111"))
            #expect(ownPhone.problem?.errors?.first?.code == "rating.ownBehalf")
            let res = try await t.send(.POST, "/api/v1/ratings/hotline", token: op, json: H(ticketNumber: ticket.number, day: today))
            #expect(res.status == .created, "\(res.body.string)")
            struct Made: Decodable { var id: UUID; var channel: String }
            let visit = try res.content.decode(Made.self)
            #expect(visit.channel == "hotline")
            let again = try await t.send(.POST, "/api/v1/ratings/hotline", token: op, json: H(ticketNumber: ticket.number, day: today))
            #expect(again.problem?.errors?.first?.code == "queue.alreadyRated")
            let r = try #require(try await RatingModel.find(visit.id, on: t.app.db))
            #expect(r.operatorName == "user:rexian" && r.raterIdentity?.hasPrefix("phone:") == true && r.windowID == hall.windows[4])
            #expect(r.callerName == "李四" && r.callerPhone == "13912345678")
            #expect(r.sealedCallerPhone?.contains("13912345678") == false, "the caller's phone is stored sealed")
            // Real-name: a call-back is owed, and the department sees whom to call.
            let b = try #require(try await BadRatingModel.find(visit.id, on: t.app.db))
            #expect(b.realName && b.flow.status == .callBackDue)
            let web = Browser(t)
            _ = try await web.signIn()
            let list = try await web.request(.GET, "/ratings/\(visit.id)")
            #expect(list.body.string.contains("李四 13912345678") && list.body.string.contains("rexian"))
            // The audit names the operator, never the caller's number.
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "rating.create").all()
            #expect(!audit.isEmpty && audit.allSatisfy { !$0.detail.contains("13912345678") })

            // A case, by its number, once decided; the operator who handles it could not.
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            let early = try await t.send(.POST, "/api/v1/ratings/hotline", token: op, json: H(caseNumber: c.number, level: 5, tags: []))
            #expect(early.problem?.errors?.first?.code == "rating.caseNotDone")
            #expect(try await t.move(clerk, c.id, "review").status == .ok)
            #expect(try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
            let good = try await t.send(
                .POST, "/api/v1/ratings/hotline", token: op, json: H(caseNumber: c.number, level: 5, tags: ["warm"], text: "很满意"))
            #expect(good.status == .created, "\(good.body.string)")
            let twice = try await t.send(.POST, "/api/v1/ratings/hotline", token: op, json: H(caseNumber: c.number, level: 4, tags: []))
            #expect(twice.problem?.errors?.first?.code == "rating.alreadyRated")
            let unknown = try await t.send(.POST, "/api/v1/ratings/hotline", token: op, json: H(caseNumber: "NOPE-1", level: 5, tags: []))
            #expect(unknown.problem?.errors?.first?.code == "rating.caseNotFound")
            #expect(try await CaseRating.existing(c.id, on: t.app.db) == nil, "the applicant may still rate their case")

            // The operator's page records one, and keeps the form when something is wrong.
            let page = Browser(t)
            _ = try await page.signIn("rexian", "Rating-Pass-2026")
            let csrf = try await page.csrf(from: "/ratings/hotline")
            let wrong = try await page.request(
                .POST, "/ratings/hotline",
                form: ["_csrf": csrf, "caseNumber": c.number, "callerName": "王五", "callerPhone": "12", "level": "5"])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("王五"))
        }
    }

    @Test(
        "一事一评 without signing in: the decision notice and the 送达回执 carry the case's rating QR; delivery sends the link through the outbox; the link rates once",
        arguments: TestDB.writers)
    func ratingLink(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, chief) = try await t.caseStaff()
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            let link = RatingLinks.path(for: c.id)
            #expect(RatingLinks.valid(String(link.split(separator: "/").last!), for: c.id))
            #expect(!RatingLinks.valid(String(link.split(separator: "/").last!), for: UUID()))
            // Before the decision the link says so; a wrong token is nobody's.
            let early = try await t.send(.GET, link)
            #expect(early.status == .ok && early.body.string.contains("id=\"rate-not-yet\""))
            #expect(try await t.send(.GET, "/rate/\(c.id)/AAAAAAAAAAAAAAAAAAAAAA").status == .notFound)
            // The center's SMS gateway takes the invitations.
            let hook = try await t.send(
                .POST, "/api/v1/webhooks", token: try await t.login(),
                json: [
                    "url": "https://sms.example.gov.cn/send", "events": "rating.invite",
                    "centerID": try await t.centerID(code: "DL010200").uuidString,
                ])
            #expect(hook.status == .created || hook.status == .ok, "\(hook.body.string)")
            #expect(try await t.move(clerk, c.id, "review").status == .ok)
            #expect(try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
            let delivered = try await t.move(clerk, c.id, "deliver", ["method": "window", "recipient": "张三"])
            let view = try delivered.caseView()
            #expect(view.state == "delivered")
            // The QR code on the decision and on the receipt, not on the earlier notices.
            for n in view.notices {
                let html = try await t.send(.GET, "/api/v1/notices/\(n.serial)", token: clerk).content.decode(NoticeDTO.self).html
                #expect(html.contains(link) == ["approval", "delivery_receipt"].contains(n.kind), "\(n.kind)")
            }
            // The invitation: in the outbox with the link; the phone is added only as it leaves.
            let invite = try #require(try await OutboxModel.query(on: t.app.db).filter(\.$event == "rating.invite").first())
            #expect(invite.payload.contains(link + "?via=sms"))
            let applicant = try #require(
                try await ApplicantModel.find(try await CaseModel.find(c.id, on: t.app.db)!.applicantID, on: t.app.db))
            #expect(!invite.payload.contains(applicant.phone))

            // The applicant opens the SMS link without an account and rates, once.
            let phone = Browser(t)
            let csrf = try await phone.csrf(from: link + "?via=sms")
            let bad = try await phone.request(.POST, link + "?via=sms", form: ["_csrf": csrf, "level": "1"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("id=\"rating-errors\""))
            let ok = try await phone.request(.POST, link + "?via=sms", form: ["_csrf": csrf, "level": "2", "tags[]": "slow"])
            #expect(ok.status == .seeOther || ok.status == .found, "\(ok.status)")
            let r = try #require(try await CaseRating.existing(c.id, on: t.app.db))
            #expect(r.channel == "sms" && r.raterIdentity == "applicant:" + applicant.id!.uuidString.lowercased() && r.level == 2)
            let after = try await phone.request(.GET, link + "?via=sms")
            #expect(after.body.string.contains("id=\"case-rated\"") && !after.body.string.contains("id=\"rate-case\""))
            let csrf2 = try await phone.csrf(from: "/login")
            let twice = try await phone.request(.POST, link + "?via=sms", form: ["_csrf": csrf2, "level": "5"])
            #expect(twice.status == .unprocessableEntity)
            #expect(try await RatingModel.query(on: t.app.db).filter(\.$caseID == c.id).count() == 1)
            // Real-name: the department calls back the applicant on their number, rectifies; the same
            // link then shows what was done and takes the second round, once.
            let b = try #require(try await BadRatingModel.find(r.id, on: t.app.db))
            #expect(b.realName)
            struct CallBack: Encodable {
                var reached = true
                var note = "已电话致歉"
            }
            #expect(try await t.send(.POST, "/api/v1/ratings/\(r.id!)/call-back", token: chief, json: CallBack()).status == .ok)
            let fixed = try await t.send(
                .POST, "/api/v1/ratings/\(r.id!)/resolution", token: chief, json: ["kind": "rectified", "note": "增设帮办窗口"])
            #expect(fixed.status == .ok)
            let shown = try await phone.request(.GET, link + "?via=sms")
            #expect(shown.body.string.contains("增设帮办窗口") && shown.body.string.contains("id=\"rate-again\""))
            let csrf3 = try await phone.csrf(from: link + "?via=sms")
            let second = try await phone.request(.POST, link + "/again?via=sms", form: ["_csrf": csrf3, "level": "5", "tags[]": "warm"])
            #expect(second.status == .seeOther || second.status == .found, "\(second.status) \(second.body.string.prefix(300))")
            let rounds = try await RatingModel.query(on: t.app.db).filter(\.$caseID == c.id).sort(\.$round).all().map(\.round)
            #expect(rounds == [1, 2])
            #expect(try await BadRatingModel.find(r.id, on: t.app.db)?.ratedAgain == true)
        }
    }

    @Test(
        "ratings that share a batch each count once in the day's figures; one refused in the batch counts in none",
        arguments: TestDB.writers)
    func batchedFigures(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let clerk = try await hall.clerk("clerk4", at: 4)
            var served: [TicketBody] = []
            for _ in 0..<6 {
                let ticket = try await hall.issue("B")
                _ = try #require(try await hall.callNext(4, token: clerk))
                try await hall.act("start", ticket.id, at: 4, token: clerk)
                try await hall.act("finish", ticket.id, at: 4, token: clerk)
                served.append(ticket)
            }
            let app = t.app
            let visits = served
            // Hold the writer, so that the ratings sent meanwhile go in one batch: five good, one bad,
            // and the first ticket rated a second time (refused: the batch runs again job by job).
            let holder = Task {
                try await app.groupCommit.run(actor: "test", now: Date()) { _ -> (Int, [AuditEvent]) in
                    try await Task.sleep(for: .milliseconds(400))
                    return (0, [])
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (i, v) in (visits + [visits[0]]).enumerated() {
                    group.addTask {
                        struct R: Encodable, Sendable { var token: String; var level: Int; var tags: [String] }
                        let r = R(token: v.followToken ?? "", level: i == 5 ? 1 : 5, tags: i == 5 ? ["attitude"] : [])
                        return try await t.send(.POST, "/api/v1/tickets/\(v.id)/rating", json: r).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            _ = try await holder.value
            #expect(statuses.filter { $0 == .created }.count == 6 && statuses.filter { $0 == .unprocessableEntity }.count == 1)
            // Every scope's figure for today is what a count of its ratings gives.
            let ratings = try await RatingModel.query(on: app.db).all()
            #expect(ratings.count == 6)
            let today = HallClock.day(t.clock.now).description
            var expected: [String: RatingTally] = [:]
            for r in ratings {
                for scope in RatingFigures.scopes(r) { expected[scope, default: RatingTally()].add(RatingFigures.entry(r)) }
            }
            #expect(expected["window:" + hall.windows[4]!.uuidString.lowercased()]?.rated == 6)
            for (scope, tally) in expected {
                let (stored, _) = try await RatingFigures.sum(scopes: [scope], from: CivilDate(today)!, to: CivilDate(today)!, on: app.db)
                #expect(stored == tally, "\(scope)")
            }
            let problem = try await AuditVerifier.verify(on: app.db).problem
            #expect(problem == nil)
        }
    }

    @Test(
        "an applicant's ratings from one address count once each: three cases of a clerk in a minute are many cases of one window, not a burst",
        arguments: TestDB.writers)
    func identityAndSourceCountOnce(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, chief) = try await t.caseStaff()
            let made = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "jiancha", "displayName": "监察", "password": "Rating-Pass-2026", "role": "supervisor",
                    "centerID": try await t.centerID(code: "DL010200").uuidString,
                ])
            #expect(made.status == .created, "\(made.body.string)")
            let supervisor = try await t.login("jiancha", "Rating-Pass-2026")
            let me = try await t.applicant()
            let item = try await t.foodItem()
            struct R: Encodable { var level: Int; var tags: [String]; var text: String }
            for _ in 0..<3 {
                let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
                #expect(try await t.move(clerk, c.id, "review").status == .ok)
                #expect(try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"]).status == .ok)
                let rated = try await t.send(
                    .POST, "/api/v1/cases/\(c.id)/rating", token: me, json: R(level: 5, tags: [], text: ""),
                    headers: ["X-Forwarded-For": "203.0.113.7"])
                #expect(rated.status == .created, "\(rated.body.string)")
                t.clock.advance(10)
            }
            // Counted twice (once by address, once by person), the third was a burst of five.
            let flags = try await t.send(.GET, "/api/v1/ratings/flags", token: supervisor).content.decode([Flag].self)
            #expect(flags.map(\.signal) == ["same_window_many"], "\(flags)")
            #expect(flags.first?.measured == 3)
        }
    }
}
