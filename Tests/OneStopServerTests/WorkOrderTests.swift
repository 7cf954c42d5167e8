import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

/// Complaints, consultations and the hotline (issue 20): work orders from intake to call-back.
@Suite("Work orders")
struct WorkOrderTests {
    struct Order: Decodable {
        var id: UUID
        var number: String
        var state: String
        var kind: String
        var urgency: String
        var confidential: Bool
        var callerName: String?
        var callerPhone: String?
        var callerHidden: Bool
        var departmentID: UUID?
        var dueAt: Date?
        var limit: String
        var overdue: Bool
        var reply: String
        var returns: Int
        var reopens: Int
        var mergedInto: UUID?
        var valid: Bool?
        struct Event: Decodable { var action: String; var outcome: String; var note: String }
        var history: [Event]?
        struct Duplicate: Decodable { var id: UUID; var number: String }
        var duplicates: [Duplicate]?
    }

    /// The demo county with a hotline operator, the market regulator's and the police's chief
    /// representatives and a supervisor.
    struct Desk {
        let t: TestContext
        let admin: String
        let county: UUID
        let scjg: UUID
        let ga: UUID
        let hotline: String
        let chief: String
        let otherChief: String
        let supervisor: String

        static func open(_ t: TestContext) async throws -> Desk {
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            func dept(_ code: String) async throws -> UUID {
                try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == county).filter(\.$code == code).first()!.requireID()
            }
            let scjg = try await dept("SCJG")
            let ga = try await dept("GA")
            for (name, role, d) in [
                ("rexian", "hotline_operator", nil as UUID?), ("chief_scjg", "chief_representative", scjg),
                ("chief_ga", "chief_representative", ga), ("jiancha", "supervisor", nil),
            ] {
                var body = [
                    "username": name, "displayName": name, "password": "Order-Pass-2026", "role": role, "centerID": county.uuidString,
                ]
                if let d { body["departmentID"] = d.uuidString }
                let res = try await t.send(.POST, "/api/v1/users", token: admin, json: body)
                #expect(res.status == .created, "\(res.body.string)")
            }
            return Desk(
                t: t, admin: admin, county: county, scjg: scjg, ga: ga, hotline: try await t.login("rexian", "Order-Pass-2026"),
                chief: try await t.login("chief_scjg", "Order-Pass-2026"), otherChief: try await t.login("chief_ga", "Order-Pass-2026"),
                supervisor: try await t.login("jiancha", "Order-Pass-2026"))
        }

        @discardableResult
        func take(_ body: [String: String], token: String? = nil, expect status: HTTPStatus = .created) async throws -> Order? {
            var b = ["center": "DL010200", "channel": "phone"]
            b.merge(body) { _, new in new }
            let res = try await t.send(.POST, "/api/v1/work-orders", token: token ?? hotline, json: b)
            #expect(res.status == status, "take: \(res.body.string)")
            return status == .created ? try res.content.decode(Order.self) : nil
        }

        @discardableResult

        func step(
            _ id: UUID, _ step: String, _ body: [String: String] = [:], token: String, expect status: HTTPStatus = .ok
        )
            async throws -> TestingHTTPResponse
        {
            let res = try await t.send(.POST, "/api/v1/work-orders/\(id)/\(step)", token: token, json: body)
            #expect(res.status == status, "\(step): \(res.body.string)")
            return res
        }

        func get(_ id: UUID, token: String) async throws -> Order {
            try await t.send(.GET, "/api/v1/work-orders/\(id)", token: token).content.decode(Order.self)
        }
    }

    @Test(
        "a complaint from the call to its close: suggested and dispatched, signed, replied, a dissatisfied call-back reopens it, then it is solved",
        arguments: TestDB.writers)
    func lifecycle(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            // The directory: the market regulator answers for 营业执照 and food.
            let rule = try await t.send(
                .POST, "/api/v1/dispatch-rules", token: d.admin,
                json: DispatchRule(departmentID: d.scjg, duty: "市场主体登记、食品经营许可", keywords: ["营业执照", "食品"]))
            #expect(rule.status == .created, "\(rule.body.string)")
            #expect(
                try await t.send(
                    .POST, "/api/v1/dispatch-rules", token: d.admin, json: DispatchRule(departmentID: d.scjg, duty: "x", keywords: [])
                ).problem?.errors?.first?.code == "workOrder.ruleEmpty")
            #expect(try await t.send(.GET, "/api/v1/dispatch-rules", token: d.hotline).status == .ok)

            let o = try #require(
                try await d.take([
                    "kind": "complaint", "urgency": "general", "callerName": "张三", "callerPhone": "13800138001",
                    "subject": "营业执照办了三次没办成", "text": "4号窗口办营业执照，材料要求前后不一，跑了三次。",
                ]))
            #expect(o.state == "received" && o.number.hasPrefix("GD") && o.callerPhone == "13800138001")
            // Refusals change nothing: a complaint without a phone, a kind that does not exist, a window clerk on the phone.
            try await d.take(["kind": "complaint", "text": "x"], expect: .unprocessableEntity)
            try await d.take(["kind": "gossip", "text": "x", "callerPhone": "13800138001"], expect: .unprocessableEntity)
            #expect(try await WorkOrderModel.query(on: t.app.db).count() == 1)

            struct Suggestion: Decodable { var departmentID: UUID; var because: [String] }
            let suggested = try await t.send(.GET, "/api/v1/work-orders/\(o.id)/suggestions", token: d.hotline)
            let first = try #require(try suggested.content.decode([Suggestion].self).first)
            #expect(first.departmentID == d.scjg && first.because.contains("营业执照"), "\(suggested.body.string)")

            // Dispatch → the department, which alone sees it; the other department does not.
            let dispatched = try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            let afterDispatch = try dispatched.content.decode(Order.self)
            #expect(afterDispatch.state == "dispatched" && afterDispatch.limit == "7d" && afterDispatch.dueAt != nil)
            #expect(try await t.send(.GET, "/api/v1/work-orders/\(o.id)", token: d.otherChief).status == .forbidden)
            let mine = try await t.send(.GET, "/api/v1/work-orders", token: d.chief).content.decode([Order].self)
            #expect(mine.map(\.id) == [o.id] && mine[0].callerPhone == "138****8001", "a department sees the number masked")
            #expect(try await t.send(.GET, "/api/v1/work-orders", token: d.otherChief).content.decode([Order].self).isEmpty)
            // Only the lead department signs; a reply needs the signature first.
            try await d.step(o.id, "sign", token: d.otherChief, expect: .forbidden)
            try await d.step(o.id, "reply", ["reply": "x"], token: d.chief, expect: .conflict)
            try await d.step(o.id, "sign", token: d.chief)
            try await d.step(o.id, "sign", token: d.chief, expect: .conflict)
            try await d.step(o.id, "reply", ["reply": ""], token: d.chief, expect: .unprocessableEntity)
            try await d.step(o.id, "reply", ["reply": "已核实，窗口一次性告知不到位，已批评教育并重新梳理材料清单。"], token: d.chief)
            // The call-back: dissatisfied → 重办 to the same department, counted.
            t.clock.advance(3600)
            let incomplete = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/call-back", token: d.hotline, json: CallBack(reached: true, note: ""))
            #expect(
                incomplete.status == .unprocessableEntity
                    && Set(incomplete.problem?.errors?.map(\.field) ?? []) == ["satisfaction", "solved"])
            var res = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/call-back", token: d.hotline,
                json: CallBack(reached: true, satisfaction: "dissatisfied", solved: false, note: "执照仍未办下"))
            #expect(res.status == .ok, "\(res.body.string)")
            let reopened = try res.content.decode(Order.self)
            #expect(reopened.state == "handling" && reopened.reopens == 1 && reopened.departmentID == d.scjg)
            try await d.step(o.id, "reply", ["reply": "已当场办结营业执照。"], token: d.chief)
            res = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/call-back", token: d.hotline,
                json: CallBack(reached: true, satisfaction: "satisfied", solved: true, note: ""))
            let closed = try res.content.decode(Order.self)
            #expect(closed.state == "closed")
            #expect(closed.history?.map(\.action) == ["create", "dispatch", "sign", "reply", "call_back", "reply", "call_back"])
            #expect(closed.history?[2].outcome == "in_time" && closed.history?[4].outcome == "dissatisfied,unsolved")
            // A supervisor judges the complaint, once; nobody else may.
            try await d.step(o.id, "judge", ["valid": "true", "reason": "x"], token: d.hotline, expect: .forbidden)
            _ = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/judge", token: d.supervisor, json: Judge(valid: true, reason: "窗口一次性告知不到位，属实"))
            #expect(try await d.get(o.id, token: d.supervisor).valid == true)
            let again = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/judge", token: d.supervisor, json: Judge(valid: false, reason: "x"))
            #expect(again.status == .conflict)
            let audited = try await AuditEntryModel.query(on: t.app.db).filter(\.$entityType == "work_order").count()
            #expect(audited == 8, "create, dispatch, sign, reply, call-back, reply, call-back, judge")
            #expect(try await AuditVerifier.verify(on: t.app.db).problem == nil)
        }
    }

    struct DispatchRule: Content {
        var center = "DL010200"
        var departmentID: UUID
        var duty: String
        var keywords: [String]
    }

    struct CallBack: Content {
        var reached: Bool
        var satisfaction: String?
        var solved: Bool?
        var note: String
    }

    struct Judge: Content {
        var valid: Bool
        var reason: String
    }

    @Test(
        "a 举报's caller is seen by the hotline only: never in the department's answers, pages or the audit log", arguments: TestDB.writers)
    func confidential(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let o = try #require(
                try await d.take([
                    "kind": "report", "callerName": "李秘密", "callerPhone": "13912345678", "subject": "窗口人员收取好处费",
                    "text": "市场监管窗口有人收取加急费。",
                ]))
            #expect(o.confidential && o.callerName == "李秘密" && o.callerPhone == "13912345678", "the hotline sees the caller")
            try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            for path in ["/api/v1/work-orders/\(o.id)", "/api/v1/work-orders"] {
                let body = try await t.send(.GET, path, token: d.chief).body.string
                #expect(!body.contains("李秘密") && !body.contains("13912345678") && !body.contains("5678"), "\(path)")
            }
            let seen = try await d.get(o.id, token: d.chief)
            #expect(seen.callerHidden && seen.callerName == nil && seen.callerPhone == nil)
            #expect(try await d.get(o.id, token: d.supervisor).callerHidden, "a supervisor does not see a reporter either")
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, "/work-orders/\(o.id)")
            #expect(page.status == .ok && !page.body.string.contains("李秘密") && !page.body.string.contains("13912345678"))
            #expect(page.body.string.contains("保密"))
            let audit = try await AuditEntryModel.query(on: t.app.db).all().map(\.detail).joined()
            #expect(!audit.contains("李秘密") && !audit.contains("13912345678"))
            // Stored sealed.
            let row = try #require(try await WorkOrderModel.find(o.id, on: t.app.db))
            #expect(row.sealedCallerPhone?.contains("13912345678") == false && row.callerPhone == "13912345678")
        }
    }

    @Test(
        "a return goes back to dispatch, which overrules it with a note or sends it elsewhere; returns are counted",
        arguments: TestDB.writers)
    func returns(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let o = try #require(try await d.take(["kind": "help", "callerPhone": "13800138002", "text": "身份证丢了怎么补办"]))
            try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            try await d.step(o.id, "return", ["reason": ""], token: d.chief, expect: .unprocessableEntity)
            try await d.step(o.id, "return", ["reason": "身份证补办属公安"], token: d.chief)
            var now = try await d.get(o.id, token: d.hotline)
            #expect(now.state == "returned" && now.returns == 1)
            // Overruling (the same department again) needs a note.
            try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline, expect: .unprocessableEntity)
            try await d.step(o.id, "dispatch", ["department": d.ga.uuidString, "note": "转公安"], token: d.hotline)
            now = try await d.get(o.id, token: d.otherChief)
            #expect(now.state == "dispatched" && now.departmentID == d.ga && now.returns == 1)
            #expect(try await t.send(.GET, "/api/v1/work-orders/\(o.id)", token: d.chief).status == .forbidden)
        }
    }

    @Test(
        "the public form takes an order without signing in; the tracker shows its state and reply by number and phone tail",
        arguments: TestDB.writers)
    func publicForm(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let web = Browser(t)
            let csrf = try await web.csrf(from: "/hall/DL010200/complaints")
            let bad = try await web.request(
                .POST, "/hall/DL010200/complaints", form: ["_csrf": csrf, "kind": "complaint", "text": "窗口态度差", "anonymous": "1"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("id=\"errors\""))
            #expect(bad.body.string.contains("窗口态度差"), "what was typed is kept")
            let ok = try await web.request(
                .POST, "/hall/DL010200/complaints",
                form: ["_csrf": csrf, "kind": "complaint", "text": "窗口态度差", "callerName": "王五", "callerPhone": "13700001234"])
            #expect(ok.status == .ok && ok.body.string.contains("id=\"tracked-number\""), "\(ok.body.string.prefix(300))")
            let row = try #require(try await WorkOrderModel.query(on: t.app.db).first())
            #expect(row.channel == "web" && row.takenBy == "" && row.callerName == "王五")
            // The API's public door is the same; staff channels are not open to it.
            let api = try await t.send(
                .POST, "/api/v1/public/work-orders", json: ["center": "DL010200", "kind": "suggestion", "text": "建议增加夜间服务"])
            #expect(api.status == .created, "\(api.body.string)")
            // Tracking: the number and the last four digits.
            struct Tracked: Decodable { var number: String; var state: String; var reply: String }
            let wrong = try await t.send(.POST, "/api/v1/work-orders/track", json: ["orderNumber": row.number, "phoneTail": "9999"])
            #expect(wrong.status == .notFound)
            try await d.step(row.id!, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            try await d.step(row.id!, "sign", token: d.chief)
            try await d.step(row.id!, "reply", ["reply": "已对窗口人员批评教育。"], token: d.chief)
            let found = try await t.send(.POST, "/api/v1/work-orders/track", json: ["orderNumber": row.number, "phoneTail": "1234"])
            let tracked = try found.content.decode(Tracked.self)
            #expect(tracked.state == "replied" && tracked.reply == "已对窗口人员批评教育。")
            let page = try await web.request(
                .POST, "/complaints/track",
                form: ["_csrf": try await web.csrf(from: "/complaints/track"), "orderNumber": row.number, "phoneTail": "1234"])
            #expect(page.status == .ok && page.body.string.contains("已对窗口人员批评教育。"))
        }
    }

    @Test(
        "an emergency order's 2 hours run through the night: reminded, then carded yellow and red on the supervision cards",
        arguments: TestDB.writers)
    func timeLimits(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let o = try #require(
                try await d.take(["kind": "help", "urgency": "emergency", "callerPhone": "13800138003", "text": "大厅电梯困人"]))
            try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            #expect(try await d.get(o.id, token: d.hotline).limit == "2h")
            t.clock.advance(95 * 60)
            _ = try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now)
            #expect(try await OutboxModel.query(on: t.app.db).filter(\.$event == "workOrder.reminder").count() > 0)
            #expect(try await CardModel.query(on: t.app.db).count() == 0)
            t.clock.advance(30 * 60)
            _ = try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now)
            _ = try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now)
            var cards = try await CardModel.query(on: t.app.db).all()
            #expect(cards.map(\.kind) == ["work_order_yellow"] && cards[0].workOrderID == o.id && cards[0].departmentID == d.scjg)
            #expect(try await d.get(o.id, token: d.hotline).overdue)
            t.clock.advance(2 * 3600)
            _ = try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now)
            cards = try await CardModel.query(on: t.app.db).sort(\.$kind).all()
            #expect(cards.map(\.kind) == ["work_order_red", "work_order_yellow"])
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, "/supervision/cards")
            #expect(page.body.string.contains("/work-orders/\(o.id)"))
            // An extension moves the deadline; a reply stops the clock.
            struct Extend: Content { var by: Int; var reason: String }
            let extended = try await t.send(
                .POST, "/api/v1/work-orders/\(o.id)/extend", token: d.hotline, json: Extend(by: 4, reason: "等待维保单位"))
            #expect(extended.status == .ok, "\(extended.body.string)")
            #expect(try await d.get(o.id, token: d.hotline).limit == "6h")
        }
    }

    @Test(
        "the sweep decides its orders a batch at a time: each running order reminded once, with its event, notice and audit entry; a replied one is left alone",
        arguments: TestDB.writers)
    func sweepBatches(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            var running: [UUID] = []
            for n in 0..<5 {
                let o = try #require(
                    try await d.take(["kind": "help", "urgency": "emergency", "callerPhone": "1380013800\(n)", "text": "电梯\(n)"]))
                try await d.step(o.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
                running.append(o.id)
            }
            let replied = running.removeLast()
            try await d.step(replied, "sign", token: d.chief)
            try await d.step(replied, "reply", ["reply": "已派维保单位处理，电梯恢复运行。"], token: d.chief)
            t.clock.advance(95 * 60)
            // The replied order's clock stopped: it is not due a look at all.
            #expect(try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now, batch: 2) == 4)
            let reminders = try await WorkOrderEventModel.query(on: t.app.db).filter(\.$action == "remind").all()
            #expect(Set(reminders.map(\.orderID)) == Set(running) && reminders.count == 4)
            #expect(reminders.allSatisfy { $0.departmentID == d.scjg && $0.actor == "system" && $0.outcome == "reminded" })
            let notices = try await OutboxModel.query(on: t.app.db).filter(\.$event == "workOrder.reminder").all()
            // The department's chief representative is told of each order once.
            let chief = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "chief_scjg").first()?.id)
            #expect(notices.filter { $0.target == chief.uuidString }.count == 4, "\(notices.map(\.target))")
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "workOrder.remind").count() == 4)
            let stages = try await WorkOrderModel.query(on: t.app.db).all()
            #expect(
                stages.filter { $0.stage == 1 }.map(\.id).sorted { $0!.uuidString < $1!.uuidString }
                    == running.sorted { $0.uuidString < $1.uuidString })
            #expect(stages.first { $0.id == replied }?.nextLook == nil)
            // Nothing more is due until the deadline: a second sweep finds nothing.
            #expect(try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now, batch: 2) == 0)
            t.clock.advance(30 * 60)
            #expect(try await Supervision.sweepWorkOrders(app: t.app, now: t.clock.now, batch: 3) == 4)
            #expect(try await CardModel.query(on: t.app.db).filter(\.$kind == "work_order_yellow").count() == 4)
        }
    }

    @Test("orders taken in at once share a write: each stored whole, with its own number and history", arguments: TestDB.writers)
    func concurrentIntake(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let orders = try await withThrowingTaskGroup(of: Order?.self) { g in
                for n in 0..<12 {
                    g.addTask { try await d.take(["kind": "complaint", "callerPhone": "139001390\(n + 10)", "text": "排队太久 \(n)"]) }
                }
                return try await g.reduce(into: [Order]()) { if let o = $1 { $0.append(o) } }
            }
            #expect(orders.count == 12 && Set(orders.map(\.number)).count == 12)
            let stored = try await WorkOrderModel.query(on: t.app.db).all()
            #expect(stored.count == 12 && Set(stored.compactMap(\.callerPhone)).count == 12)
            #expect(stored.allSatisfy { $0.text.hasPrefix("排队太久") && $0.phoneIndex.count > 0 && $0.state == "received" })
            let created = try await WorkOrderEventModel.query(on: t.app.db).filter(\.$action == "create").all()
            #expect(Set(created.map(\.orderID)) == Set(stored.compactMap(\.id)))
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "workOrder.create").count() == 12)
        }
    }

    @Test("duplicates are found by phone and merged: one handling, each caller called back", arguments: TestDB.writers)
    func merging(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let a = try #require(try await d.take(["kind": "complaint", "callerPhone": "13800138004", "text": "停车场收费不合理"]))
            let b = try #require(try await d.take(["kind": "complaint", "callerPhone": "13800138004", "text": "停车场又收费了"]))
            #expect(b.duplicates?.map(\.id) == [a.id])
            try await d.step(b.id, "merge", ["into": b.id.uuidString], token: d.hotline, expect: .unprocessableEntity)
            try await d.step(b.id, "merge", ["into": a.id.uuidString], token: d.hotline)
            try await d.step(b.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline, expect: .conflict)
            try await d.step(a.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            var merged = try await d.get(b.id, token: d.hotline)
            #expect(merged.state == "dispatched" && merged.departmentID == d.scjg && merged.mergedInto == a.id)
            try await d.step(a.id, "sign", token: d.chief)
            try await d.step(a.id, "reply", ["reply": "收费按物价部门核定标准执行，已公示。"], token: d.chief)
            merged = try await d.get(b.id, token: d.hotline)
            #expect(merged.state == "replied" && merged.reply == "收费按物价部门核定标准执行，已公示。")
            let res = try await t.send(
                .POST, "/api/v1/work-orders/\(b.id)/call-back", token: d.hotline,
                json: CallBack(reached: true, satisfaction: "basically", solved: true, note: ""))
            #expect(try res.content.decode(Order.self).state == "closed")
            #expect(try await d.get(a.id, token: d.hotline).state == "replied", "the primary's caller is called back on their own")
        }
    }

    @Test(
        "a consultation answered on the call is closed at once; the console shows the guide and the caller's earlier orders",
        arguments: TestDB.writers)
    func answered(db: TestDB) async throws {
        try await withOneStop(db) { t in
            _ = try await Desk.open(t)
            let web = Browser(t)
            _ = try await web.signIn("rexian", "Order-Pass-2026")
            let csrf = try await web.csrf(from: "/work-orders/new")
            let looked = try await web.request(
                .POST, "/work-orders/new",
                form: [
                    "_csrf": csrf, "kind": "consultation", "channel": "phone", "text": "食品经营许可", "callerPhone": "13800138005",
                    "lookup": "1",
                ])
            #expect(looked.status == .ok && looked.body.string.contains("id=\"guide-hits\""), "\(looked.body.string.count)")
            #expect(try await WorkOrderModel.query(on: t.app.db).count() == 0, "a look-up takes nothing in")
            let made = try await web.request(
                .POST, "/work-orders/new",
                form: [
                    "_csrf": csrf, "kind": "consultation", "channel": "phone", "text": "食品经营许可要带什么", "callerPhone": "13800138005",
                    "answer": "带营业执照和场所平面图，到 4 号窗口办理。",
                ])
            #expect(made.status == .seeOther || made.status == .found, "\(made.body.string.prefix(400))")
            let row = try #require(try await WorkOrderModel.query(on: t.app.db).first())
            #expect(row.state == "closed" && row.reply.contains("营业执照"))
            let again = try await web.request(
                .POST, "/work-orders/new",
                form: ["_csrf": csrf, "kind": "consultation", "channel": "phone", "text": "x", "callerPhone": "13800138005", "lookup": "1"])
            #expect(again.body.string.contains(row.number), "the caller's earlier order")
        }
    }
}
