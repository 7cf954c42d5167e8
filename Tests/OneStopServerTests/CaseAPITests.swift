import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

/// A person's valid resident ID number (the standard's own example) and a phone.
private let personID = "11010519491231002X"
private let personPhone = "13800138000"

extension TestContext {
    /// 张三, registered as an applicant (the standard's example ID number) and signed in.
    func applicant() async throws -> String {
        let registered = try await send(
            .POST, "/api/v1/applicants",
            json: ["name": "张三", "idNumber": personID, "phone": personPhone, "password": "Apply-2026-pass"])
        #expect(registered.status == .created, "\(registered.body.string)")
        return try await login(personID, "Apply-2026-pass")
    }

    /// A window clerk of the county center and the market regulator's chief representative.
    func caseStaff() async throws -> (admin: String, clerk: String, chief: String) {
        let admin = try await login()
        let county = try await centerID(code: "DL010200")
        let scjg = try await DepartmentModel.query(on: app.db).filter(\.$centerID == county).filter(\.$code == "SCJG").first()!.requireID()
        for (name, role) in [("case_clerk", "window_staff"), ("case_chief", "chief_representative")] {
            let res = try await send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": name, "displayName": name, "password": "Case-Pass-2026", "role": role, "centerID": county.uuidString,
                    "departmentID": scjg.uuidString,
                ])
            #expect(res.status == .created, "\(res.body.string)")
        }
        return (admin, try await login("case_clerk", "Case-Pass-2026"), try await login("case_chief", "Case-Pass-2026"))
    }

    /// The food business licence: a promised case, 5 working days promised, 20 legal, 5 materials.
    func foodItem() async throws -> ServiceItemModel {
        try await ServiceItemModel.query(on: app.db).filter(\.$name == "食品经营许可证核发").first()!
    }

    /// The marks for a complete application: required materials provided, conditional ones not
    /// applicable.
    func complete(_ item: ServiceItemModel) async throws -> [String] {
        let v = try await CatalogService.version(item.id!, item.versionInForce!, on: app.db)!
        return try CatalogService.guide(v.content).materials.map { $0.need == .required ? "provided" : "not_applicable" }
    }

    func intake(
        _ token: String, item: String, marks: [String], applicant: [String: String]? = nil, accept: Bool? = nil
    ) async throws -> TestingHTTPResponse {
        struct Body: Encodable, Sendable {
            var item: String
            var applicant: [String: String]
            var materials: [[String: String]]
            var form: [String: String]
            var accept: Bool?
        }
        return try await send(
            .POST, "/api/v1/cases", token: token,
            json: Body(
                item: item,
                applicant: applicant ?? ["kind": "person", "name": "张三", "idNumber": personID, "phone": personPhone],
                materials: marks.map { ["status": $0, "note": $0 == "missing" ? "请提供原件" : ""] }, form: ["经营场所": "大连路1号"],
                accept: accept))
    }

    func move(_ token: String, _ id: UUID, _ path: String, _ body: [String: String] = [:]) async throws -> TestingHTTPResponse {
        try await send(.POST, "/api/v1/cases/\(id)/\(path)", token: token, json: body)
    }

    func moveMarks(_ token: String, _ id: UUID, _ path: String, _ marks: [[String: String]]) async throws -> TestingHTTPResponse {
        struct Body: Encodable, Sendable { var materials: [[String: String]] }
        return try await send(.POST, "/api/v1/cases/\(id)/\(path)", token: token, json: Body(materials: marks))
    }
}

struct UnexpectedResponse: Error {}

extension TestingHTTPResponse {
    /// The case in a 200 or 201 answer; anything else is recorded where it was asked for.
    func caseView(sourceLocation: SourceLocation = #_sourceLocation) throws -> CaseView {
        guard status == .ok || status == .created else {
            Issue.record("\(status): \(body.string)", sourceLocation: sourceLocation)
            throw UnexpectedResponse()
        }
        return try content.decode(CaseView.self)
    }
}

struct CaseView: Decodable {
    struct Clock: Decodable {
        var promisedDue: String?
        var legalDue: String?
        var stopped: Bool
        var used: Int?
        var level: String?
    }
    struct Applicant: Decodable {
        var idNumber: String
        var phone: String
    }
    struct Material: Decodable {
        var status: String
    }
    struct Notice: Decodable {
        var kind: String
        var serial: String
        var sha256: String
    }
    struct Event: Decodable {
        var action: String
        var toState: String
    }
    var id: UUID
    var number: String
    var state: String
    var acceptedOn: String?
    var guideVersion: Int
    var clock: Clock?
    var applicant: Applicant
    var materials: [Material]
    var notices: [Notice]
    var events: [Event]
}

@Suite("Cases over the API")
struct CaseAPITests {
    @Test(
        "a promised case from intake to delivery: supplements once, acceptance, review, extension, a stop, decision, notices",
        arguments: TestDB.writers)
    func lifecycle(db: TestDB) async throws {
        try await withOneStop(db) { t in
            var (_, clerk, chief) = try await t.caseStaff()
            let item = try await t.foodItem()
            let code = item.code
            let full = try await t.complete(item)
            #expect(full.count > 5 && full.prefix(5).allSatisfy { $0 == "provided" })
            func marks(_ changes: [Int: [String: String]]) -> [[String: String]] {
                full.enumerated().map { i, m in changes[i] ?? ["status": m] }
            }

            // Bad input changes nothing.
            let bad = try await t.intake(
                clerk, item: code, marks: full, applicant: ["kind": "person", "name": "", "idNumber": "110105194912310021", "phone": "12"])
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["name", "idNumber", "phone"])
            #expect(bad.problem?.errors?.first { $0.field == "idNumber" }?.message == "证件号码：身份证号码校验位不正确")
            let short = try await t.intake(clerk, item: code, marks: ["provided"])
            #expect(short.problem?.errors?.first?.code == "case.checklistIncomplete")
            #expect(try await CaseModel.query(on: t.app.db).count() == 0)
            #expect(try await ApplicantModel.query(on: t.app.db).count() == 0)

            // Received with two materials missing: a service information sheet.
            var twoMissing = full
            twoMissing[1] = "missing"
            twoMissing[3] = "missing"
            let res = try await t.intake(clerk, item: code, marks: twoMissing)
            #expect(res.status == .created, "\(res.body.string)")
            var c = try res.caseView()
            #expect(c.number == "DL010200-20260921-0001")
            #expect(c.state == "submitted" && c.guideVersion == item.versionInForce)
            #expect(c.applicant.idNumber == "110***********002X" && c.applicant.phone == "138****8000")
            #expect(c.notices.map(\.kind) == ["service_info"])

            // Not accepted while materials are missing; a supplement notice names them all at once.
            var r = try await t.move(clerk, c.id, "accept")
            #expect(r.problem?.errors?.first?.code == "case.acceptNeedsAll")
            r = try await t.moveMarks(
                clerk, c.id, "supplement-request",
                marks([1: ["status": "missing", "note": "原件"], 2: ["status": "defective"], 3: ["status": "missing", "note": "x"]]))
            #expect(r.problem?.errors?.map(\.code) == ["case.defectNeedsNote"])
            r = try await t.moveMarks(
                clerk, c.id, "supplement-request",
                marks([
                    1: ["status": "missing", "note": "营业执照原件"], 2: ["status": "defective", "note": "复印件不清晰"],
                    3: ["status": "missing", "note": "设备布局图"],
                ]))
            c = try r.caseView()
            #expect(c.state == "supplement_requested", "\(r.body.string)")
            let bz = try #require(c.notices.first { $0.kind == "supplement" })
            #expect(bz.serial == "DL010200-20260921-0001-BZ1")
            let bzPage = try await t.send(.GET, "/api/v1/notices/\(bz.serial)", token: clerk)
            let bzHTML = try bzPage.content.decode(NoticeDTO.self).html
            #expect(bzHTML.contains("营业执照") && bzHTML.contains("复印件不清晰") && bzHTML.contains("设备布局图"))
            #expect(!bzHTML.contains("食品经营许可申请书"))  // provided materials are not asked for

            // Waiting for the applicant: no other move; then supplied, and no second request.
            r = try await t.move(clerk, c.id, "accept")
            #expect(r.status == .conflict)
            #expect(r.problem?.detail?.contains("补正") == true)
            r = try await t.moveMarks(clerk, c.id, "materials", marks([:]))
            #expect(try r.caseView().state == "submitted")
            r = try await t.moveMarks(clerk, c.id, "supplement-request", marks([0: ["status": "missing", "note": "x"]]))
            #expect(r.status == .conflict && r.problem?.detail?.contains("一次性告知") == true, "\(r.body.string)")

            // Accepted on Monday 2026-09-21: 5 working days skip the Mid-Autumn days (09-25..27).
            r = try await t.move(clerk, c.id, "accept")
            c = try r.caseView()
            #expect(c.state == "accepted" && c.acceptedOn == "2026-09-21")
            #expect(c.clock?.promisedDue == "2026-09-29" && c.clock?.legalDue == "2026-10-26")
            let sl = try #require(c.notices.first { $0.kind == "acceptance" })
            let slHTML = try await t.send(.GET, "/notices/\(sl.serial)", token: clerk).body.string
            #expect(slHTML.contains("2026年9月29日") && slHTML.contains("<svg"))

            // Deciding needs an approver, and a review first.
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: clerk, json: ["outcome": "approved"])
            #expect(r.status == .forbidden)
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            #expect(r.status == .conflict && r.problem?.detail == "承诺件须先审查再作决定")
            #expect(try await t.move(clerk, c.id, "review").status == .ok)

            // An extension needs an approver and a reason, and moves the deadline by its days.
            #expect(try await t.send(.POST, "/api/v1/cases/\(c.id)/extend", token: clerk, json: ["days": 5]).status == .forbidden)
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/extend", token: chief, json: ["days": 5])
            #expect(r.problem?.errors?.first?.code == "case.reasonRequired")
            struct Extend: Encodable { var days: Int; var reason: String }
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/extend", token: chief, json: Extend(days: 5, reason: "需现场核查"))
            c = try r.caseView()
            #expect(c.clock?.promisedDue == "2026-10-12", "\(r.body.string)")

            // A special procedure stops the clock for two days.
            r = try await t.move(clerk, c.id, "suspend", ["procedure": "专家评审", "reason": "需专家论证设备布局"])
            c = try r.caseView()
            #expect(c.state == "suspended" && c.clock?.stopped == true && c.clock?.promisedDue == nil)
            t.clock.advance(2 * 86400)
            // Sign-ins do not last two days.
            (clerk, chief) = (try await t.login("case_clerk", "Case-Pass-2026"), try await t.login("case_chief", "Case-Pass-2026"))
            r = try await t.move(clerk, c.id, "resume")
            c = try r.caseView()
            #expect(c.clock?.promisedDue == "2026-10-14" && c.clock?.used == 0, "\(r.body.string)")

            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            #expect(try r.caseView().state == "approved")
            r = try await t.move(clerk, c.id, "deliver", ["method": "window", "recipient": "张三"])
            c = try r.caseView()
            #expect(c.state == "delivered")
            #expect(
                c.notices.map(\.kind) == [
                    "service_info", "supplement", "acceptance", "extension", "special_procedure", "approval", "delivery_receipt",
                ])
            #expect(
                c.events.map(\.action) == [
                    "submit", "request_supplement", "supply_materials", "accept", "start_review", "extend", "suspend", "resume", "approve",
                    "deliver",
                ])

            // Closed: every move is refused with the reason, in the user's language.
            r = try await t.move(clerk, c.id, "terminate", ["reason": "x"])
            #expect(r.status == .conflict && r.problem?.detail == "办件已结束（已送达办结），不能再异常终止")
            r = try await t.send(
                .POST, "/api/v1/cases/\(c.id)/terminate", token: clerk, json: ["reason": "x"], headers: ["Accept-Language": "en"])
            #expect(r.problem?.detail?.hasPrefix("The case is Delivered and closed") == true, "\(r.body.string)")

            // Notices are kept as issued: a later change of the center does not alter them.
            try await (t.app.db as! any SQLDatabase).raw("UPDATE centers SET name = '改名后的中心'").run()
            for n in c.notices {
                let got = try await t.send(.GET, "/api/v1/notices/\(n.serial)", token: clerk).content.decode(NoticeDTO.self)
                #expect(Digest.sha256Hex(got.html) == n.sha256 && !got.html.contains("改名后的中心"))
                let page = try await t.send(.GET, "/notices/\(n.serial)", token: clerk)
                #expect(page.body.string == got.html)
                #expect(page.headers.first(name: "Content-Security-Policy")?.contains("script") == false)
            }
            let (checked, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == nil && checked > 0)
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "case.accept").count() == 1)
        }
    }

    @Test(
        "tracking without signing in shows a masked timeline and stops guessers; applicants see only their own cases",
        arguments: TestDB.writers)
    func trackingAndApplicants(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item)).caseView()

            var r = try await t.send(.POST, "/api/v1/cases/track", json: ["number": c.number, "idTail": "002x"])
            #expect(r.status == .ok, "\(r.body.string)")
            let body = r.body.string
            #expect(body.contains("\"applicantName\":\"张*\"") && !body.contains(personID) && !body.contains(personPhone))
            r = try await t.send(.POST, "/api/v1/cases/track", json: ["number": c.number, "idTail": "1234"])
            #expect(r.status == .notFound && r.problem?.detail == "未找到办件：请核对办件编号和证件号码后四位")
            for _ in 0..<9 { _ = try await t.send(.POST, "/api/v1/cases/track", json: ["number": c.number, "idTail": "0000"]) }
            r = try await t.send(.POST, "/api/v1/cases/track", json: ["number": c.number, "idTail": "002X"])
            #expect(r.status == .tooManyRequests)

            // Registering with the walk-in's own name and phone takes the record over; a stranger
            // with the same number cannot.
            r = try await t.send(
                .POST, "/api/v1/applicants",
                json: ["name": "李四", "idNumber": personID, "phone": personPhone, "password": "Apply-2026-pass"])
            #expect(r.problem?.errors?.first?.code == "applicant.taken")
            r = try await t.send(
                .POST, "/api/v1/applicants",
                json: ["name": "张三", "idNumber": personID, "phone": personPhone, "password": "Apply-2026-pass"])
            #expect(r.status == .created, "\(r.body.string)")
            #expect(!(r.body.string.contains("\"username\":\"\(personID)")))
            let mine = try await t.login(personID.lowercased(), "Apply-2026-pass")
            r = try await t.send(.GET, "/api/v1/cases", token: mine)
            #expect(r.body.string.contains(c.number))
            r = try await t.send(.GET, "/api/v1/cases/\(c.id)", token: mine)
            #expect(try r.caseView().applicant.idNumber == personID)
            // An applicant moves nothing and manages nothing.
            #expect(try await t.move(mine, c.id, "accept").status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/centers", token: mine).status == .forbidden)

            // Another applicant (an entity) sees nothing of it.
            r = try await t.send(
                .POST, "/api/v1/applicants",
                json: [
                    "kind": "entity", "name": "某某公司", "idNumber": "91350100M000100Y43", "phone": "0411-88886666", "contact": "王五",
                    "password": "Apply-2026-pass",
                ])
            #expect(r.status == .created, "\(r.body.string)")
            r = try await t.send(
                .POST, "/api/v1/applicants",
                json: [
                    "kind": "entity", "name": "某某公司", "idNumber": "91350100M000100Y44", "phone": "0411-88886666",
                    "password": "Apply-2026-pass",
                ])
            #expect(Set(r.problem?.errors?.map(\.code) ?? []) == ["uscc.checkCharacter", "required"])
            let other = try await t.login("91350100M000100Y43", "Apply-2026-pass")
            #expect(try await t.send(.GET, "/api/v1/cases/\(c.id)", token: other).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/notices/\(c.notices[0].serial)", token: other).status == .notFound)

            // Staff of another center do not see it either; the county's administrator does.
            let town = try await t.centerID(code: "DL010201")
            _ = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "town_clerk", "displayName": "t", "password": "Case-Pass-2026", "role": "window_staff",
                    "centerID": town.uuidString,
                ])
            let townClerk = try await t.login("town_clerk", "Case-Pass-2026")
            #expect(try await t.send(.GET, "/api/v1/cases/\(c.id)", token: townClerk).status == .notFound)
            #expect(try await t.move(townClerk, c.id, "accept").status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/cases/\(c.id)", token: admin).status == .ok)
        }
    }

    @Test(
        "a complete application is accepted on the spot with one acceptance notice; an incomplete one is refused and nothing is kept",
        arguments: TestDB.writers)
    func acceptOnTheSpot(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, chief) = try await t.caseStaff()
            let item = try await t.foodItem()
            let full = try await t.complete(item)
            let before = try await CaseModel.query(on: t.app.db).count()
            var short = full
            short[0] = "missing"
            let refused = try await t.intake(clerk, item: item.code, marks: short, accept: true)
            #expect(refused.status == .unprocessableEntity, "\(refused.body.string)")
            #expect(try await CaseModel.query(on: t.app.db).count() == before)
            #expect(try await NoticeModel.query(on: t.app.db).count() == 0)

            let c = try await t.intake(clerk, item: item.code, marks: full, accept: true).caseView()
            #expect(c.state == "accepted")
            #expect(c.acceptedOn == "2026-09-21")
            // Five working days promised from Monday 2026-09-21, past the Mid-Autumn days (09-25..27).
            #expect(c.clock?.promisedDue == "2026-09-29" && c.clock?.legalDue == "2026-10-26")
            #expect(c.notices.map(\.kind) == ["acceptance"])
            #expect(c.events.map(\.action) == ["submit", "accept"])
            let notice = try await NoticeModel.query(on: t.app.db).filter(\.$caseID == c.id).first()!
            #expect(notice.html.contains("受理通知书") && notice.html.contains("2026年9月29日"))
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$entityID == c.id.uuidString.lowercased()).all()
            #expect(Set(audit.map(\.action)) == ["case.submit", "case.accept"])
            // Accepted cases move on as any other: the next step is the review.
            #expect(try await t.move(clerk, c.id, "review").status == .ok)

            // The supervision board filters by department and by the member of staff handling it.
            let admin = try await t.login()
            let scjg = try await t.department("SCJG")
            var board = try await t.send(.GET, "/supervision?departmentID=\(scjg)", token: admin)
            #expect(board.body.string.contains(c.number) && board.body.string.contains("id=\"s-dept\""))
            board = try await t.send(.GET, "/supervision?departmentID=\(try await t.department("GA"))", token: admin)
            #expect(board.status == .ok && !board.body.string.contains(c.number))
            let clerkID = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "case_clerk").first()?.id)
            board = try await t.send(.GET, "/supervision?handlerID=\(clerkID)", token: admin)
            #expect(board.body.string.contains(c.number))

            // The clerk's open cases by due date: the accepted one first, with its working days
            // left; one only received, after it; one taken in by somebody else, not at all.
            let received = try await t.intake(clerk, item: item.code, marks: full).caseView()
            _ = try await t.intake(
                chief, item: item.code, marks: full, applicant: ["name": "李四", "idNumber": "110105194912310038", "phone": "13900139000"]
            ).caseView()
            struct Summary: Decodable {
                var number: String
                var daysLeft: Int?
                var level: String?
            }
            let mine = try await t.send(.GET, "/api/v1/cases?mine=true", token: clerk).content.decode([Summary].self)
            #expect(mine.map(\.number) == [c.number, received.number])
            #expect(mine.first?.daysLeft == 5 && mine.first?.level == "normal" && mine.last?.daysLeft == nil)
            let page = try await t.send(.GET, "/cases?mine=true", token: clerk)
            #expect(page.status == .ok && page.body.string.contains(c.number) && page.body.string.contains("<td>5</td>"))
        }
    }

    @Test(
        "a fee recorded with a decision is printed on it, and one outside the published standard is an anomaly", arguments: TestDB.writers
    )
    func fees(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, chief) = try await t.caseStaff()
            var body = itemBody(try await t.department("SCJG"), code: "F-001", name: "收费测试事项")
            body.feeFree = false
            body.feeStandard = "每件 10 元"
            body.feeBasis = "《收费标准》"
            let r = try await t.send(.POST, "/api/v1/items", token: admin, json: body)
            #expect(r.status == .created, "\(r.body.string)")
            #expect(try await t.send(.POST, "/api/v1/items/\(try t.item(r).id)/publish", token: admin).status == .ok)
            func decided(_ fee: String) async throws -> TestingHTTPResponse {
                let c = try await t.intake(clerk, item: "F-001", marks: ["provided"], accept: true).caseView()
                _ = try await t.move(clerk, c.id, "review")
                return try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved", "fee": fee])
            }
            var res = try await decided("abc")
            #expect(res.problem?.errors?.first?.code == "case.feeAmount", "\(res.body.string)")
            #expect(try await CaseModel.query(on: t.app.db).filter(\.$state == "approved").count() == 0)
            // Twice the standard (two pieces): in the standard; printed on the decision.
            res = try await decided("20")
            let inStandard = try res.caseView()
            #expect(inStandard.state == "approved")
            let letter = try await NoticeModel.query(on: t.app.db).filter(\.$caseID == inStandard.id).filter(\.$kind == "approval").first()
            #expect(letter?.html.contains("收取费用 20.00 元") == true)
            #expect(try await AnomalyModel.query(on: t.app.db).count() == 0)
            // 15 元 is no whole number of pieces at 10 元: an anomaly.
            let outside = try await decided("15").caseView()
            let anomalies = try await AnomalyModel.query(on: t.app.db).all()
            #expect(anomalies.map(\.kind) == ["fee_outside_standard"] && anomalies.first?.caseID == outside.id)
            #expect(anomalies.first?.detail.contains("每件 10 元") == true)
            // The supervisor's indicators count it; the list names the case.
            struct Report: Decodable {
                struct Count: Decodable { var kind: String; var count: Int }
                struct Line: Decodable { var caseNumber: String; var kind: String }
                var counts: [Count]
                var anomalies: [Line]
            }
            let report = try await t.send(.GET, "/api/v1/supervision/anomalies?kind=fee_outside_standard", token: admin)
                .content.decode(Report.self)
            #expect(report.counts.first { $0.kind == "fee_outside_standard" }?.count == 1)
            #expect(report.counts.first { $0.kind == "overdue" }?.count == 0)
            #expect(report.anomalies.map(\.caseNumber) == [outside.number])
            let bad = try await t.send(.GET, "/api/v1/supervision/anomalies?from=2026-13-01", token: admin)
            #expect(bad.status == .unprocessableEntity)
            let page = try await t.send(.GET, "/supervision/anomalies", token: admin)
            #expect(page.status == .ok && page.body.string.contains("超标准收费") && page.body.string.contains(outside.number))
        }
    }

    @Test("numbers stay unique when many cases are taken in at once", arguments: TestDB.writers)
    func concurrentNumbers(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let code = item.code
            let full = try await t.complete(item)
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        let id = String(format: "1101051949123%04d", i)
                        let digits = id.map { Int(String($0))! }
                        let number = id + String(ResidentID.checkCharacter(for: digits))
                        let r = try await t.intake(
                            clerk, item: code, marks: full, applicant: ["name": "申请人\(i)", "idNumber": number, "phone": personPhone])
                        return try r.caseView().number
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(numbers).count == 12)
            #expect(Set(numbers.map { String($0.suffix(4)) }) == Set((1...12).map { String(format: "%04d", $0) }))
            // A restart (a fresh allocator) goes on from the recorded counter.
            t.app.caseNumbers = CaseNumbers()
            let next = try await t.intake(clerk, item: code, marks: full).caseView()
            #expect(next.number.hasSuffix("-0013"), "\(next.number)")
        }
    }
}

@Suite("Case pages")
struct CasePageTests {
    @Test(
        "a window takes in, asks for supplements, accepts and prints through the pages; tracking and registration work without signing in",
        arguments: TestDB.writers)
    func windowPages(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let b = Browser(t)
            _ = try await b.signIn()
            let county = try await t.centerID(code: "DL010200")
            let item = try await t.foodItem()
            let full = try await t.complete(item)
            var page = try await b.request(.GET, "/cases/new?center=\(county)&item=\(item.code)")
            #expect(page.status == .ok && page.body.string.contains("食品经营许可证核发") && page.body.string.contains("name=\"m\(full.count)\""))
            var form = [
                "_csrf": try await b.csrf(from: "/cases/new"), "center": county.uuidString, "item": item.code,
                "materials": String(full.count),
            ]
            form["kind"] = "person"
            form["name"] = "张三"
            form["idNumber"] = "110105194912310021"
            form["phone"] = "13800138000"
            for (i, m) in full.enumerated() { form["m\(i + 1)"] = m }
            form["m2"] = "missing"
            form["n2"] = "请提供原件"
            page = try await b.request(.POST, "/cases/new", form: form)
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("证件号码：身份证号码校验位不正确") && page.body.string.contains("value=\"张三\""))
            #expect(try await CaseModel.query(on: t.app.db).count() == 0)
            form["idNumber"] = personID
            page = try await b.request(.POST, "/cases/new", form: form)
            #expect(page.status == .seeOther)
            let location = try #require(page.headers.first(name: .location))
            page = try await b.request(.GET, location)
            #expect(page.body.string.contains("已收件，办件编号 DL010200-20260921-0001"))
            #expect(page.body.string.contains("110***********002X") && !page.body.string.contains(personID))
            let id = String(location.split(separator: "/").last!)

            // Accepting with a material missing comes back with the reason and changes nothing.
            var move = ["_csrf": try await b.csrf(from: location), "materials": String(full.count)]
            for (i, m) in full.enumerated() { move["m\(i + 1)"] = m }
            move["m2"] = "missing"
            page = try await b.request(.POST, "/cases/\(id)/accept", form: move)
            #expect(page.status == .unprocessableEntity && page.body.string.contains("还有缺少或不符合要求的材料"))
            move["n2"] = "营业执照原件"
            page = try await b.request(.POST, "/cases/\(id)/request_supplement", form: move)
            #expect(page.status == .seeOther)
            move["m2"] = "provided"
            _ = try await b.request(.POST, "/cases/\(id)/supply_materials", form: move)
            page = try await b.request(.POST, "/cases/\(id)/accept", form: move)
            #expect(page.status == .seeOther)
            page = try await b.request(.GET, location)
            #expect(page.body.string.contains("已受理") && page.body.string.contains("2026-09-29"))
            // A refused move says why in the page.
            page = try await b.request(.POST, "/cases/\(id)/deliver", form: ["_csrf": move["_csrf"]!, "method": "window"])
            #expect(page.status == .conflict && page.body.string.contains("办件尚未作出决定，不能送达"))

            // From the console: the ticket being served is recorded on the case.
            let issued = try await t.send(.POST, "/api/v1/tickets", json: ["center": "DL010200", "group": "A"])
            struct Issued: Decodable { var id: UUID; var number: String }
            let ticket = try issued.content.decode(Issued.self)
            page = try await b.request(.GET, "/cases/new?ticket=\(ticket.id)&item=\(item.code)")
            #expect(page.body.string.contains(ticket.number) && page.body.string.contains("name=\"ticket\" value=\"\(ticket.id)\""))
            var fromDesk = form
            fromDesk["ticket"] = ticket.id.uuidString
            fromDesk["idNumber"] = personID
            page = try await b.request(.POST, "/cases/new", form: fromDesk)
            #expect(page.status == .seeOther)
            #expect(try await CaseModel.query(on: t.app.db).filter(\.$ticketID == ticket.id).count() == 1)
            // The second button accepts on the spot; with a material missing it says why and keeps nothing.
            var onTheSpot = fromDesk
            onTheSpot["ticket"] = nil
            onTheSpot["accept"] = "1"
            let before = try await CaseModel.query(on: t.app.db).count()
            page = try await b.request(.POST, "/cases/new", form: onTheSpot)
            #expect(page.status == .unprocessableEntity && page.body.string.contains("还有缺少或不符合要求的材料"))
            #expect(try await CaseModel.query(on: t.app.db).count() == before)
            onTheSpot["m2"] = "provided"
            page = try await b.request(.POST, "/cases/new", form: onTheSpot)
            #expect(page.status == .seeOther)
            page = try await b.request(.GET, try #require(page.headers.first(name: .location)))
            #expect(page.body.string.contains("受理通知书已出具") && page.body.string.contains("已受理"))

            let serial = "DL010200-20260921-0001-SL1"
            page = try await b.request(.GET, "/notices/\(serial)")
            #expect(page.body.string.contains("受理通知书") && page.body.string.contains("2026年9月29日"))

            // Tracking and registering are public pages.
            let anon = Browser(t)
            page = try await anon.request(.GET, "/track?number=DL010200-20260921-0001")
            #expect(page.body.string.contains("value=\"DL010200-20260921-0001\""))
            page = try await anon.request(.POST, "/track", form: ["number": "DL010200-20260921-0001", "idTail": "002X"])
            #expect(page.status == .ok && page.body.string.contains("受理") && page.body.string.contains("张*"))
            page = try await anon.request(.POST, "/track", form: ["number": "DL010200-20260921-0001", "idTail": "9999"])
            #expect(page.status == .notFound && page.body.string.contains("未找到办件"))
            page = try await anon.request(
                .POST, "/register",
                form: ["kind": "person", "name": "张三", "idNumber": personID, "phone": "13800138000", "password": "short"])
            #expect(page.status == .unprocessableEntity && page.body.string.contains("value=\"张三\"") && !page.body.string.contains("short"))
            page = try await anon.request(
                .POST, "/register",
                form: ["kind": "person", "name": "张三", "idNumber": personID, "phone": "13800138000", "password": "Apply-2026-pass"])
            #expect(page.body.string.contains("注册成功"))
            let mine = Browser(t)
            _ = try await mine.signIn(personID, "Apply-2026-pass")
            page = try await mine.request(.GET, "/cases")
            #expect(page.body.string.contains("DL010200-20260921-0001") && page.body.string.contains("我的办件"))
            page = try await mine.request(.GET, location)
            // Their own, unmasked; no staff moves, only withdrawing.
            #expect(page.body.string.contains(personID) && !page.body.string.contains("action=\"/cases/\(id)/start_review"))
            #expect(page.body.string.contains("action=\"/cases/\(id)/withdraw"))
        }
    }
}

/// A multipart/form-data body, as a browser sends it.
struct Multipart {
    let boundary = "----onestop" + UUID().uuidString.prefix(8)
    var parts: [(name: String, filename: String?, bytes: [UInt8])] = []

    mutating func field(_ name: String, _ value: String) { parts.append((name, nil, Array(value.utf8))) }
    mutating func file(_ name: String, _ filename: String, _ bytes: [UInt8]) { parts.append((name, filename, bytes)) }

    var body: ByteBuffer {
        var b = ByteBuffer()
        for p in parts {
            b.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(p.name)\"")
            if let f = p.filename { b.writeString("; filename=\"\(f)\"\r\nContent-Type: application/octet-stream") }
            b.writeString("\r\n\r\n")
            b.writeBytes(p.bytes)
            b.writeString("\r\n")
        }
        b.writeString("--\(boundary)--\r\n")
        return b
    }
}

extension TestContext {
    func sendMultipart(_ path: String, token: String, _ form: Multipart) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, path) { req in
            req.headers.bearerAuthorization = .init(token: token)
            req.headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(form.boundary)")
            req.body = form.body
        }
    }
}

@Suite("Applying online")
struct OnlineApplicationTests {
    static let pdf = Array("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".utf8)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 100)

    @Test(
        "uploads are checked by content, size and count before anything is kept; supplements are answered by upload; files are only downloads",
        arguments: TestDB.writers)
    func online(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let full = try await t.complete(item)
            var r = try await t.send(
                .POST, "/api/v1/applicants",
                json: ["name": "张三", "idNumber": personID, "phone": personPhone, "password": "Apply-2026-pass"])
            #expect(r.status == .created)
            let me = try await t.login(personID, "Apply-2026-pass")

            func form(_ files: [(Int, String, [UInt8])]) -> Multipart {
                var m = Multipart()
                m.field("center", "DL010200")
                m.field("item", item.code)
                m.field("summary", "开设小餐馆")
                for (n, name, bytes) in files { m.file("files[m\(n)][]", name, bytes) }
                return m
            }
            let required = full.enumerated().filter { $0.element == "provided" }.map { $0.offset + 1 }
            var good = required.map { ($0, "材料\($0).pdf", Self.pdf) }

            // Wrong type (by content, whatever the name says), too large, a missing material, no such material.
            r = try await t.sendMultipart(
                "/api/v1/cases", token: me, form(good.dropFirst() + [(1, "申请书.pdf", Array("MZ\u{90}binary".utf8))]))
            #expect(r.status == .unprocessableEntity)
            #expect(r.problem?.errors?.map(\.code) == ["file.caseType"], "\(r.body.string)")
            r = try await t.sendMultipart(
                "/api/v1/cases", token: me,
                form(good.dropFirst() + [(1, "big.pdf", Self.pdf + Array(repeating: 0, count: CaseUpload.maxFileBytes))]))
            #expect(r.problem?.errors?.map(\.code) == ["file.tooLarge10"])
            r = try await t.sendMultipart("/api/v1/cases", token: me, form(Array(good.dropFirst(2))))
            #expect(Set(r.problem?.errors?.map(\.field) ?? []) == ["materials.\(required[0])", "materials.\(required[1])"])
            #expect(r.problem?.errors?.first?.message.contains("请上传") == true)
            r = try await t.sendMultipart("/api/v1/cases", token: me, form(good + [(99, "x.pdf", Self.pdf)]))
            #expect(r.problem?.errors?.map(\.code) == ["case.noSuchMaterial"])
            r = try await t.sendMultipart("/api/v1/cases", token: me, form(good + Array(repeating: (1, "x.pdf", Self.pdf), count: 10)))
            #expect(r.problem?.errors?.map(\.code) == ["file.tooMany"])
            #expect(try await CaseModel.query(on: t.app.db).count() == 0)
            #expect(try await CaseFileModel.query(on: t.app.db).count() == 0)

            // A good one, with a path in a file name and a photo for the first material.
            good[1] = (required[1], "../../etc/营业执照.jpg", Self.jpeg)
            r = try await t.sendMultipart("/api/v1/cases", token: me, form(good))
            #expect(r.status == .created, "\(r.body.string)")
            let c = try r.caseView()
            #expect(c.state == "submitted" && c.applicant.idNumber == personID)
            struct Files: Decodable {
                struct F: Decodable { var filename: String; var contentType: String; var downloadURL: String; var position: Int }
                var files: [F]
                var channel: String
            }
            let detail = try r.content.decode(Files.self)
            #expect(detail.channel == "online" && detail.files.count == required.count)
            let photo = try #require(detail.files.first { $0.position == required[1] })
            #expect(photo.filename == "营业执照.jpg" && photo.contentType == "image/jpeg")
            let download = try await t.send(.GET, photo.downloadURL, token: clerk)
            #expect(download.status == .ok && Array(download.body.readableBytesView) == Self.jpeg)
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            #expect(download.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)

            // The window finds the photo unreadable: the applicant answers by uploading it again.
            var marks = full.map { ["status": $0] }
            marks[required[1] - 1] = ["status": "defective", "note": "照片模糊"]
            r = try await t.moveMarks(clerk, c.id, "supplement-request", marks)
            #expect(try r.caseView().state == "supplement_requested")
            #expect(try await t.move(me, c.id, "accept").status == .forbidden)
            var answer = Multipart()
            answer.file("files[m\(required[0])][]", "again.pdf", Self.pdf)
            r = try await t.sendMultipart("/api/v1/cases/\(c.id)/materials", token: me, answer)
            #expect(r.problem?.errors?.map(\.field) == ["materials.\(required[1])"])
            answer.file("files[m\(required[1])][]", "清晰.jpg", Self.jpeg)
            r = try await t.sendMultipart("/api/v1/cases/\(c.id)/materials", token: me, answer)
            let after = try r.caseView()
            #expect(after.state == "submitted" && after.materials[required[1] - 1].status == "provided")
            #expect(try await CaseFileModel.query(on: t.app.db).count() == required.count + 2)

            // Someone else's applicant account sees none of it.
            _ = try await t.send(
                .POST, "/api/v1/applicants",
                json: ["name": "李四", "idNumber": "110105194912310038", "phone": "13900139000", "password": "Apply-2026-pass"])
            let other = try await t.login("110105194912310038", "Apply-2026-pass")
            #expect(try await t.send(.GET, photo.downloadURL, token: other).status == .notFound)
            #expect(try await t.sendMultipart("/api/v1/cases/\(c.id)/materials", token: other, answer).status == .notFound)

            // Withdrawing needs a reason; then the case is closed.
            #expect(try await t.move(me, c.id, "withdraw").problem?.errors?.first?.code == "case.reasonRequired")
            #expect(try await t.move(me, c.id, "withdraw", ["reason": "不再开店"]).caseView().state == "withdrawn")
        }
    }
}
