import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// A webhook receiver on a port of its own, keeping what it was sent.
final class Receiver: Sendable {
    let app: Application
    let got = NIOLockedValueBox<[(headers: HTTPHeaders, body: [UInt8])]>([])
    let failing = NIOLockedValueBox(false)

    init() async throws {
        app = try await Application.make(.testing)
        app.logger.logLevel = .error
        let got = self.got
        let failing = self.failing
        app.post("hook") { req -> HTTPStatus in
            if failing.withLockedValue({ $0 }) { return .serviceUnavailable }
            got.withLockedValue { $0.append((req.headers, Array(req.body.data?.readableBytesView ?? ByteBuffer().readableBytesView))) }
            return .ok
        }
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        try app.server.start()
    }

    var url: String { "http://127.0.0.1:\(app.http.server.shared.localAddress?.port ?? 0)/hook" }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

@Suite("Supervision")
struct SupervisionTests {
    @Test(
        "reminders, a yellow card, an explanation and its review; the sweep touches only cases due a look; notifications reach the inbox and a signed webhook, with retries",
        arguments: TestDB.available)
    func cards(db: TestDB) async throws {
        let receiver = try await Receiver()
        try await withOneStop(db) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let county = try await t.centerID(code: "DL010200")
            _ = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "jiancha", "displayName": "监察员", "password": "Case-Pass-2026", "role": "supervisor",
                    "centerID": county.uuidString,
                ])
            var hook = try await t.send(.POST, "/api/v1/webhooks", token: admin, json: ["url": "ftp://x", "events": "nope"])
            #expect(Set(hook.problem?.errors?.map(\.field) ?? []) == ["url", "events"])
            hook = try await t.send(
                .POST, "/api/v1/webhooks", token: admin,
                json: ["centerID": county.uuidString, "url": receiver.url, "events": "case.reminder,card.issued"])
            #expect(hook.status == .created, "\(hook.body.string)")
            let secret = try #require(try hook.content.decode(WebhookDTO.self).secret)

            // A case accepted on Monday 2026-09-21: promised by 09-29 (5 days), legal by 10-26.
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item)).caseView()
            #expect(try await t.move(clerk, c.id, "accept").caseView().clock?.promisedDue == "2026-09-29")
            var row = try #require(try await CaseModel.find(c.id, on: t.app.db))
            #expect(row.level == "normal")
            // Queued for 09-23, 3 days left then: the first reminder (and still for 09-30, the look
            // at the acceptance step queued at intake, which will find the case accepted).
            #expect(try await Supervision.queued(c.id, on: t.app.db) == ["2026-09-23", "2026-09-30"])

            // The next day nothing is due a look; on 09-23 the case is, and a reminder goes out.
            t.clock.advance(86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 0)
            t.clock.advance(86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 1)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 0)
            row = try #require(try await CaseModel.find(c.id, on: t.app.db))
            #expect(row.level == "reminder" && row.reminded == 3)
            #expect(try await Supervision.queued(c.id, on: t.app.db) == ["2026-09-28", "2026-09-30"])
            #expect(try await Outbox.deliverDue(app: t.app, now: t.clock.now) == 3)  // clerk, chief, webhook
            #expect(try await Outbox.deliverDue(app: t.app, now: t.clock.now) == 0)
            let sent = try #require(receiver.got.withLockedValue { $0 }.first)
            #expect(sent.headers.first(name: "X-OneStop-Event") == "case.reminder")
            let mac = "sha256=" + Digest.hex(HMAC<SHA256>.authenticationCode(for: sent.body, using: SymmetricKey(data: Array(secret.utf8))))
            #expect(sent.headers.first(name: "X-OneStop-Signature") == mac)
            #expect(String(decoding: sent.body, as: UTF8.self).contains(c.number))
            let clerkInbox = try await t.send(.GET, "/api/v1/inbox", token: try await t.login("case_clerk", "Case-Pass-2026"))
            #expect(try clerkInbox.content.decode([InboxDTO].self).map(\.title) == ["办件临近承诺期限：\(c.number)"])

            // A webhook that fails is tried again later, and gives up after the last attempt.
            receiver.failing.withLockedValue { $0 = true }
            t.clock.advance(5 * 86400)  // 2026-09-28: 1 day left — the second reminder
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 1)
            #expect(try await Outbox.deliverDue(app: t.app, now: t.clock.now) == 2)  // the inboxes; the webhook failed
            let failed = try #require(
                try await OutboxModel.query(on: t.app.db).filter(\.$channel == "webhook").filter(\.$deliveredAt == nil).first())
            #expect(failed.attempts == 1 && failed.nextAttemptAt > HallClock.millis(t.clock.now) && !failed.lastError.isEmpty)
            receiver.failing.withLockedValue { $0 = false }
            t.clock.advance(60)
            #expect(try await Outbox.deliverDue(app: t.app, now: t.clock.now) == 1)
            #expect(receiver.got.withLockedValue { $0 }.count == 2)

            // 09-30: the promised deadline passed — a yellow card, an anomaly, the board shows it.
            t.clock.advance(2 * 86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 1)
            let sup = try await t.login("jiancha", "Case-Pass-2026")
            let board = try await t.send(.GET, "/api/v1/supervision/cases?level=yellow", token: sup).content.decode([WarningDTO].self)
            #expect(board.map(\.number) == [c.number] && board.first?.daysLeft == -1)
            #expect(try await AnomalyModel.query(on: t.app.db).filter(\.$kind == "overdue").count() == 1)
            let chiefNow = try await t.login("case_chief", "Case-Pass-2026")
            var cards = try await t.send(.GET, "/api/v1/supervision/cards", token: chiefNow).content.decode([CardDTO].self)
            #expect(cards.map(\.kind) == ["yellow"] && cards.first?.explainBy == "2026-10-10")  // 10-08, 10-09 and the make-up Saturday
            let card = cards[0].id

            // The department explains; the supervisor must give a reason to reject, then accepts.
            #expect(
                try await t.send(.POST, "/api/v1/supervision/cards/\(card)/decision", token: sup, json: ["accept": true]).status
                    == .unprocessableEntity)
            var r = try await t.send(.POST, "/api/v1/supervision/cards/\(card)/explanation", token: chiefNow, json: ["text": "现场核查延误"])
            #expect(try r.content.decode(CardDTO.self).status == "explained", "\(r.body.string)")
            r = try await t.send(.POST, "/api/v1/supervision/cards/\(card)/explanation", token: chiefNow, json: ["text": "again"])
            #expect(r.problem?.errors?.first?.code == "card.notOpen")
            struct Reject: Encodable { var accept: Bool; var note: String? }
            r = try await t.send(.POST, "/api/v1/supervision/cards/\(card)/decision", token: sup, json: Reject(accept: false, note: nil))
            #expect(r.problem?.errors?.first?.code == "card.rejectNeedsNote")
            r = try await t.send(.POST, "/api/v1/supervision/cards/\(card)/decision", token: sup, json: Reject(accept: true, note: "情况属实"))
            #expect(try r.content.decode(CardDTO.self).status == "accepted")
            #expect(
                try await t.send(.POST, "/api/v1/supervision/cards/\(card)/decision", token: chiefNow, json: Reject(accept: true)).status
                    == .forbidden)
            cards = try await t.send(.GET, "/api/v1/supervision/cards?status=accepted", token: sup).content.decode([CardDTO].self)
            #expect(cards.count == 1)
            let (_, problem) = try await AuditVerifier.verify(on: t.app.db)
            #expect(problem == nil)
            #expect(
                try await AuditEntryModel.query(on: t.app.db).filter(\.$action ~~ ["card.issue", "card.explain", "card.decide"]).count()
                    == 3)
        }
        try await receiver.stop()
    }

    @Test("an application nobody handles within 5 working days gets a card for the acceptance step", arguments: TestDB.available)
    func acceptanceStep(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item)).caseView()
            // Received Monday 09-21: 5 working days end 09-29 (the Mid-Autumn days are off).
            #expect(try await Supervision.queued(c.id, on: t.app.db) == ["2026-09-30"])
            t.clock.advance(8 * 86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 0)
            t.clock.advance(86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 1)
            #expect(try await CardModel.query(on: t.app.db).filter(\.$kind == "acceptance_step").count() == 1)
            #expect(try await AnomalyModel.query(on: t.app.db).filter(\.$kind == "acceptance_overrun").count() == 1)
        }
    }
}

@Suite("Chief representatives' authorisations")
struct AuthorisationAPITests {
    @Test(
        "without the supervision authorisation for an item, its chief representative can neither extend nor decide its promised cases",
        arguments: TestDB.available)
    func restricted(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, chief) = try await t.caseStaff()
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item)).caseView()
            _ = try await t.move(clerk, c.id, "accept")
            _ = try await t.move(clerk, c.id, "review")
            let dept = item.departmentID
            var r = try await t.send(.GET, "/api/v1/departments/\(dept)/authorisations/\(item.code)", token: chief)
            #expect(try r.content.decode(AuthorisationsDTO.self).restricted == false)
            #expect(
                try await t.send(.PUT, "/api/v1/departments/\(dept)/authorisations/\(item.code)", token: chief, json: ["supervise": false])
                    .status == .forbidden)
            r = try await t.send(.PUT, "/api/v1/departments/\(dept)/authorisations/\(item.code)", token: admin, json: ["supervise": false])
            let set = try r.content.decode(AuthorisationsDTO.self)
            #expect(!set.supervise && set.approveOnSpot && set.restricted)
            struct Extend: Encodable { var days: Int; var reason: String }
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/extend", token: chief, json: Extend(days: 3, reason: "x"))
            #expect(r.status == .forbidden && r.problem?.detail == "本事项未授予你“承诺件督办权”")
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            #expect(r.status == .forbidden)
            // The center's administrator still may; granting it back lets the chief decide.
            _ = try await t.send(.PUT, "/api/v1/departments/\(dept)/authorisations/\(item.code)", token: admin, json: ["supervise": true])
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            #expect(try r.caseView().state == "approved")
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "department.authorisations").count() == 2)
        }
    }
}

@Suite("Joint cases")
struct JointCaseTests {
    @Test(
        "a special procedure the guide publishes with a limit is watched while the case's clock is stopped, and carded once it overruns",
        arguments: TestDB.available)
    func specialProcedure(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, chief) = try await t.caseStaff()
            var body = itemBody(try await t.department("SCJG"), code: "S-001", name: "检验测试事项")
            body.promisedDays = 10
            body.specialProcedures = [.init(name: "检验", days: 3)]
            var r = try await t.send(.POST, "/api/v1/items", token: admin, json: body)
            #expect(try await t.send(.POST, "/api/v1/items/\(try t.item(r).id)/publish", token: admin).status == .ok)
            let c = try await t.intake(clerk, item: "S-001", marks: ["provided"], accept: true).caseView()
            _ = try await t.move(clerk, c.id, "review")
            r = try await t.move(chief, c.id, "suspend", ["procedure": "检验", "reason": "送检"])
            #expect(try r.caseView().state == "suspended")
            var row = try #require(try await CaseModel.find(c.id, on: t.app.db))
            // Three working days from Monday 2026-09-21; looked at the working day after (25–27 are off).
            #expect(row.stepDue == "2026-09-24")
            #expect(try await Supervision.queued(c.id, on: t.app.db).contains("2026-09-28"))
            let notice = try await NoticeModel.query(on: t.app.db).filter(\.$caseID == c.id).filter(\.$kind == "special_procedure").first()
            #expect(notice?.html.contains("公示时限 3 个工作日") == true)
            t.clock.advance(2 * 86400)
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 0)
            t.clock.advance(5 * 86400)  // Monday 2026-09-28
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 1)
            let cards = try await CardModel.query(on: t.app.db).filter(\.$caseID == c.id).all()
            #expect(cards.map(\.kind) == ["special_step"])
            #expect(try await AnomalyModel.query(on: t.app.db).filter(\.$caseID == c.id).all().map(\.kind) == ["special_overrun"])
            // Resumed, the case runs on its own clock again and the step's deadline is gone.
            let chief2 = try await t.login("case_chief", "Case-Pass-2026")
            #expect(try await t.move(chief2, c.id, "resume").caseView().state == "under_review")
            row = try #require(try await CaseModel.find(c.id, on: t.app.db))
            #expect(row.stepDue == nil)
            let queuedWhileRunning = try await Supervision.queued(c.id, on: t.app.db)
            #expect(queuedWhileRunning.contains { $0 > "2026-09-28" })
            // A procedure the guide does not publish has no limit to watch.
            _ = try await t.move(chief2, c.id, "suspend", ["procedure": "专家评审", "reason": "评审"])
            row = try #require(try await CaseModel.find(c.id, on: t.app.db))
            #expect(row.state == "suspended" && row.stepDue == nil)
            #expect(try await Supervision.queued(c.id, on: t.app.db) == queuedWhileRunning)  // nothing new to look at
        }
    }

    @Test(
        "a co-department's task is watched against its own deadline: reminders to the co-department, then its own card and anomaly",
        arguments: TestDB.available)
    func taskSupervision(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let scjg = try await t.department("SCJG")
            let ga = try await t.department("GA")
            var body = itemBody(scjg, code: "J-002", name: "联办监察事项")
            body.caseType = "joint"
            body.promisedDays = 15
            body.legalDays = 20
            var r = try await t.send(.POST, "/api/v1/items", token: admin, json: body)
            let itemID = try t.item(r).id
            #expect(try await t.send(.POST, "/api/v1/items/\(itemID)/publish", token: admin).status == .ok)
            r = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "ga_chief", "displayName": "公安首代", "password": "Case-Pass-2026", "role": "chief_representative",
                    "centerID": try await t.centerID(code: "DL010200").uuidString, "departmentID": ga.uuidString,
                ])
            let gaChiefID = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "ga_chief").first()?.id)
            let c = try await t.intake(clerk, item: "J-002", marks: ["provided"]).caseView()
            _ = try await t.move(clerk, c.id, "accept")
            struct Task: Encodable { var departmentID: UUID?; var title: String; var days: Int }
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks", token: clerk, json: Task(departmentID: ga, title: "核查消防", days: 3))
            let task = try r.content.decode(CaseTaskDTO.self)
            #expect(task.dueOn == "2026-09-24")
            func taskRow() async throws -> CaseTaskModel {
                guard let row = try await CaseTaskModel.find(task.id, on: t.app.db) else { throw UnexpectedResponse() }
                return row
            }
            func taskMessages() async throws -> [OutboxModel] {
                try await OutboxModel.query(on: t.app.db).filter(\.$target == gaChiefID.uuidString).all()
                    .filter { $0.event == "case.reminder" && $0.payload.contains("联办任务") }
            }
            // Three working days to go: the first reminder is due at once, to the co-department.
            #expect(try await taskRow().nextCheck == "2026-09-21")
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            let first = try await taskRow()
            #expect(first.reminded == 3 && first.level == "reminder")
            #expect(try await taskMessages().count == 1)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await taskMessages().count == 1)  // nothing twice
            t.clock.advance(2 * 86400)  // 2026-09-23: one day left
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await taskRow().reminded == 1)
            #expect(try await taskMessages().count == 2)
            // Monday 2026-09-28 (25–27 are the Mid-Autumn days): the task is a working day late,
            // while the case (promised 15 days) is still in time.
            t.clock.advance(5 * 86400)
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            let row = try await taskRow()
            #expect(row.level == "yellow" && row.nextCheck == nil)
            let cards = try await CardModel.query(on: t.app.db).filter(\.$caseID == c.id).all()
            #expect(cards.map(\.kind) == ["task_step_1"] && cards.first?.departmentID == ga)
            #expect(try await AnomalyModel.query(on: t.app.db).filter(\.$caseID == c.id).all().map(\.kind) == ["task_overrun_1"])
            #expect(try await CaseModel.find(c.id, on: t.app.db)?.level != "yellow")
            try await Supervision.sweep(app: t.app, now: t.clock.now)
            #expect(try await CardModel.query(on: t.app.db).filter(\.$caseID == c.id).count() == 1)

            // The board lists the task by its own deadline; the co-department explains its card.
            let admin2 = try await t.login()
            struct TaskWarning: Decodable { var number: String; var title: String; var daysLeft: Int?; var level: String }
            let warnings = try await t.send(.GET, "/api/v1/supervision/tasks", token: admin2).content.decode([TaskWarning].self)
            #expect(warnings.count == 1 && warnings.first?.level == "yellow" && warnings.first?.daysLeft == -1)
            let page = try await t.send(.GET, "/supervision", token: admin2)
            #expect(page.body.string.contains("核查消防") && page.body.string.contains("联办任务"))
            let gaChief = try await t.login("ga_chief", "Case-Pass-2026")
            r = try await t.send(
                .POST, "/api/v1/supervision/cards/\(cards[0].id!)/explanation", token: gaChief, json: ["text": "等待消防检测报告"])
            #expect(r.status == .ok, "\(r.body.string)")

            // A task done in time leaves supervision at once.
            let clerk2 = try await t.login("case_clerk", "Case-Pass-2026")
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks", token: clerk2, json: Task(departmentID: ga, title: "复核", days: 10))
            let second = try r.content.decode(CaseTaskDTO.self)
            #expect(try await CaseTaskModel.find(second.id, on: t.app.db)?.nextCheck != nil)
            _ = try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks/\(second.id)/done", token: gaChief, json: ["note": "已复核"])
            #expect(try await CaseTaskModel.find(second.id, on: t.app.db)?.nextCheck == nil)
        }
    }

    @Test(
        "a joint case is decided only when every co-department's task is done; tasks are given and completed by the right people",
        arguments: TestDB.available)
    func tasks(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, chief) = try await t.caseStaff()
            let scjg = try await t.department("SCJG")
            let ga = try await t.department("GA")
            var body = itemBody(scjg, code: "J-001", name: "联办测试事项")
            body.caseType = "joint"
            var r = try await t.send(.POST, "/api/v1/items", token: admin, json: body)
            #expect(r.status == .created, "\(r.body.string)")
            let itemID = try t.item(r).id
            #expect(try await t.send(.POST, "/api/v1/items/\(itemID)/publish", token: admin).status == .ok)
            let c = try await t.intake(clerk, item: "J-001", marks: ["provided"]).caseView()
            #expect(try await t.move(clerk, c.id, "accept").caseView().state == "accepted")
            _ = try await t.move(clerk, c.id, "review")

            struct Task: Encodable { var departmentID: UUID?; var title: String; var days: Int }
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks", token: clerk, json: Task(departmentID: scjg, title: "x", days: 3))
            #expect(r.problem?.errors?.first?.code == "task.coDepartment")  // the lead department itself
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks", token: clerk, json: Task(departmentID: ga, title: "核查消防", days: 3))
            #expect(r.status == .created, "\(r.body.string)")
            let task = try r.content.decode(CaseTaskDTO.self)
            #expect(task.dueOn == "2026-09-24" && task.state == "open")

            // Not decided while the task is open; the lead department cannot complete it.
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            #expect(r.status == .conflict && r.problem?.detail == "还有 1 项协办任务未完成，不能作出决定")
            #expect(
                try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks/\(task.id)/done", token: chief, json: ["note": "x"]).status
                    == .forbidden)
            _ = try await t.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "ga_chief", "displayName": "公安首代", "password": "Case-Pass-2026", "role": "chief_representative",
                    "centerID": try await t.centerID(code: "DL010200").uuidString, "departmentID": ga.uuidString,
                ])
            let gaChief = try await t.login("ga_chief", "Case-Pass-2026")
            #expect(try await t.send(.GET, "/api/v1/cases/\(c.id)", token: gaChief).caseView().state == "under_review")
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/tasks/\(task.id)/done", token: gaChief, json: ["note": "已核查"])
            #expect(try r.content.decode(CaseTaskDTO.self).state == "done", "\(r.body.string)")
            r = try await t.send(.POST, "/api/v1/cases/\(c.id)/decide", token: chief, json: ["outcome": "approved"])
            let decided = try r.caseView()
            #expect(decided.state == "approved")

            // The same through the case page: a second joint case, a task given and completed by forms.
            let b = Browser(t)
            _ = try await b.signIn()
            let d = try await t.intake(clerk, item: "J-001", marks: ["provided"]).caseView()
            _ = try await t.move(clerk, d.id, "accept")
            var page = try await b.request(.GET, "/cases/\(d.id)")
            #expect(page.body.string.contains("分派协办任务"))
            let csrf = try await b.csrf(from: "/cases/\(d.id)")
            page = try await b.request(
                .POST, "/cases/\(d.id)/tasks", form: ["_csrf": csrf, "departmentID": ga.uuidString, "title": "核查消防", "days": "2"])
            #expect(page.status == .seeOther)
            page = try await b.request(.GET, "/cases/\(d.id)")
            #expect(page.body.string.contains("核查消防") && page.body.string.contains("办理中"))
            let taskID = try #require(try await CaseTaskModel.query(on: t.app.db).filter(\.$caseID == d.id).first()?.id)
            page = try await b.request(.POST, "/cases/\(d.id)/tasks/\(taskID)/done", form: ["_csrf": csrf, "note": "已核查"])
            #expect(page.status == .seeOther)
            #expect(try await CaseTaskModel.find(taskID, on: t.app.db)?.state == "done")
        }
    }
}

@Suite("First inquiries and one-time notification")
struct InquiryTests {
    @Test(
        "a question is owned until answered or handed over; what an item needs is recorded as told and printable",
        arguments: TestDB.available)
    func inquiries(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, chief) = try await t.caseStaff()
            let item = try await t.foodItem()
            var r = try await t.send(
                .POST, "/api/v1/inquiries", token: clerk, json: ["visitorName": "", "visitorPhone": "12", "question": ""])
            #expect(Set(r.problem?.errors?.map(\.field) ?? []) == ["visitorName", "visitorPhone", "question"])
            r = try await t.send(
                .POST, "/api/v1/inquiries", token: clerk,
                json: ["visitorName": "赵六", "visitorPhone": "13800138000", "question": "开小饭馆要什么材料？", "item": item.code])
            #expect(r.status == .created, "\(r.body.string)")
            let q = try r.content.decode(InquiryDTO.self)
            #expect(q.serial == "DL010200-20260921-Q0001" && q.status == "open" && q.visitorPhone == "138****8000")
            #expect(q.told.first == "事项：食品经营许可证核发（\(item.code)）" && q.told.contains { $0.hasPrefix("材料1：食品经营许可申请书") })

            // Only the owner answers or hands over; the colleague it was handed to then answers.
            #expect(try await t.send(.POST, "/api/v1/inquiries/\(q.id)/answer", token: chief, json: ["answer": "x"]).status == .forbidden)
            let chiefID = try await UserModel.query(on: t.app.db).filter(\.$username == "case_chief").first()!.id!
            struct Hand: Encodable { var userID: UUID; var answer: String }
            r = try await t.send(.POST, "/api/v1/inquiries/\(q.id)/handover", token: clerk, json: Hand(userID: chiefID, answer: "涉及许可条件"))
            #expect(try r.content.decode(InquiryDTO.self).status == "handed_over")
            #expect(try await t.send(.POST, "/api/v1/inquiries/\(q.id)/answer", token: clerk, json: ["answer": "x"]).status == .forbidden)
            r = try await t.send(.POST, "/api/v1/inquiries/\(q.id)/answer", token: chief, json: ["answer": "已一次性告知全部材料"])
            #expect(try r.content.decode(InquiryDTO.self).status == "answered")
            #expect(try await t.send(.GET, "/api/v1/inquiries", token: chief).content.decode([InquiryDTO].self).count == 1)
            #expect(try await t.send(.GET, "/api/v1/inquiries", token: admin).content.decode([InquiryDTO].self).count == 1)

            // The printable sheet says what was told.
            let b = Browser(t)
            _ = try await b.signIn()
            let page = try await b.request(.GET, "/inquiries/\(q.id)/print")
            #expect(page.body.string.contains("一次性告知单") && page.body.string.contains("食品经营许可申请书") && page.body.string.contains("赵六"))
            #expect(
                try await AuditEntryModel.query(on: t.app.db).filter(\.$action ~~ ["inquiry.create", "inquiry.handover", "inquiry.answer"])
                    .count() == 3)
        }
    }
}

@Suite("Agent-service projects")
struct AgentProjectTests {
    @Test(
        "a project groups an applicant's cases under an agent among the staff; bad references change nothing", arguments: TestDB.available)
    func projects(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let entity = ["kind": "entity", "name": "某某餐饮有限公司", "idNumber": "91350100M000100Y43", "phone": "0533-6012345", "contact": "王五"]
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), applicant: entity).caseView()
            let agent = try await UserModel.query(on: t.app.db).filter(\.$username == "case_clerk").first()!.id!
            let county = try await t.centerID(code: "DL010200")
            struct New: Encodable { var centerID: UUID; var name: String; var applicantNumber: String; var agentID: UUID? }
            var r = try await t.send(
                .POST, "/api/v1/projects", token: admin,
                json: New(centerID: county, name: "", applicantNumber: "91350100M000100Y44", agentID: nil))
            #expect(Set(r.problem?.errors?.map(\.field) ?? []) == ["name", "applicantNumber", "agentID"])
            #expect(try await AgentProjectModel.query(on: t.app.db).count() == 0)
            r = try await t.send(
                .POST, "/api/v1/projects", token: admin,
                json: New(centerID: county, name: "某某餐饮门店开办", applicantNumber: "91350100m000100y43", agentID: agent))
            #expect(r.status == .created, "\(r.body.string)")
            let p = try r.content.decode(AgentProjectDTO.self)
            #expect(p.agentName == "case_clerk" && p.applicantName == "某某餐饮有限公司")
            r = try await t.send(.POST, "/api/v1/projects/\(p.id)/cases", token: clerk, json: ["caseNumber": "DL010200-20260921-9999"])
            #expect(r.problem?.errors?.first?.code == "project.noCase")
            r = try await t.send(.POST, "/api/v1/projects/\(p.id)/cases", token: clerk, json: ["caseNumber": c.number])
            #expect(try r.content.decode(AgentProjectDTO.self).cases.map(\.number) == [c.number])
            let b = Browser(t)
            _ = try await b.signIn()
            let page = try await b.request(.GET, "/projects/\(p.id)")
            #expect(page.body.string.contains(c.number) && page.body.string.contains("某某餐饮门店开办"))
        }
    }
}
