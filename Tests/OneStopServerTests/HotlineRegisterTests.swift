import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

/// The report of 接诉即办 and the supervision-phone register (issue 20).
@Suite("Work-order report and phone register")
struct HotlineRegisterTests {
    typealias Desk = WorkOrderTests.Desk

    struct Row: Decodable {
        var departmentID: UUID?
        var received: Int
        var dispatched: Int
        var signedInTime: Int
        var replied: Int
        var callBacks: Int
        var solved: Int
        var satisfied: Int
        var reopened: Int
        var validComplaints: Int
        var responseRate: Double?
        var satisfactionRate: Double?
    }
    struct Report: Decodable {
        var rows: [Row]
        var total: Row
    }

    @Test(
        "the report counts each department's steps of the period, as JSON, CSV and a page; a chief representative sees their own row",
        arguments: TestDB.writers)
    func report(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let a = try #require(try await d.take(["kind": "complaint", "callerPhone": "13800138011", "text": "营业执照窗口推诿"]))
            let b = try #require(try await d.take(["kind": "complaint", "callerPhone": "13800138012", "text": "户籍窗口态度差"]))
            try await d.take(["kind": "consultation", "callerPhone": "13800138013", "text": "几点下班", "answer": "17:30"])
            try await d.step(a.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            try await d.step(b.id, "dispatch", ["department": d.ga.uuidString], token: d.hotline)
            try await d.step(a.id, "sign", token: d.chief)
            try await d.step(a.id, "reply", ["reply": "已整改"], token: d.chief)
            // Judged once replied; the dissatisfied call-back then reopens it.
            struct Judge: Content { var valid: Bool; var reason: String }
            let judged = try await t.send(
                .POST, "/api/v1/work-orders/\(a.id)/judge", token: d.supervisor, json: Judge(valid: true, reason: "核实属实"))
            #expect(judged.status == .ok, "\(judged.body.string)")
            struct CallBack: Content { var reached: Bool; var satisfaction: String; var solved: Bool; var note: String }
            let cb = try await t.send(
                .POST, "/api/v1/work-orders/\(a.id)/call-back", token: d.hotline,
                json: CallBack(reached: true, satisfaction: "dissatisfied", solved: false, note: ""))
            #expect(cb.status == .ok, "\(cb.body.string)")

            let res = try await t.send(.GET, "/api/v1/work-orders/report?center=DL010200", token: d.hotline)
            #expect(res.status == .ok, "\(res.body.string)")
            let r = try res.content.decode(Report.self)
            let scjg = try #require(r.rows.first { $0.departmentID == d.scjg })
            #expect(scjg.received == 1 && scjg.dispatched == 1 && scjg.signedInTime == 1 && scjg.replied == 1)
            #expect(scjg.callBacks == 1 && scjg.solved == 0 && scjg.satisfied == 0 && scjg.reopened == 1 && scjg.validComplaints == 1)
            #expect(scjg.responseRate == 1 && scjg.satisfactionRate == 0)
            let ga = try #require(r.rows.first { $0.departmentID == d.ga })
            #expect(ga.received == 1 && ga.signedInTime == 0 && ga.responseRate == 0)
            #expect(r.total.received == 3 && r.total.dispatched == 2, "the center took in three orders")

            // A chief representative: their department's row and a total of their own.
            let own = try await t.send(.GET, "/api/v1/work-orders/report", token: d.chief).content.decode(Report.self)
            #expect(own.rows.map(\.departmentID) == [d.scjg] && own.total.received == 0 && own.total.dispatched == 1)
            // CSV with the header in the reader's language; bad dates change nothing and say why.
            let csv = try await t.send(.GET, "/api/v1/work-orders/report?format=csv", token: d.hotline)
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            #expect(csv.body.string.hasPrefix("\u{FEFF}部门,") && csv.body.string.contains("\r\n"))
            let bad = try await t.send(.GET, "/api/v1/work-orders/report?from=2026-13-01", token: d.hotline)
            #expect(bad.status == .unprocessableEntity || bad.status == .badRequest, "\(bad.body.string)")
            #expect(try await t.send(.GET, "/api/v1/work-orders/report", token: t.login()).status == .ok)
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, "/work-orders/report")
            #expect(page.status == .ok && page.body.string.contains("id=\"work-order-report\""))
            #expect(!page.body.string.contains("公安"), "a department's page names no other department")
        }
    }

    struct Day: Decodable {
        struct Window: Decodable {
            var window: String; var calls: Int; var unanswered: Int; var tests: Int; var testsFailed: Int; var warned: Bool
        }
        struct Call: Decodable { var caller: String?; var disposition: String; var test: Bool; var source: String }
        var windows: [Window]
        var unansweredWindows: [String]
        var calls: [Call]
    }

    static func cdr(_ lines: [(dst: String, start: String, disposition: String, id: String)]) -> String {
        lines.map { l in
            [
                "", "13900001111", l.dst, "from-pstn", "\"张三\" <13900001111>", "SIP/trunk-0001", "SIP/801-0002", "Dial", "SIP/801,30",
                l.start, l.disposition == "ANSWERED" ? l.start : "", l.start, "40", l.disposition == "ANSWERED" ? "35" : "0",
                l.disposition, "DOCUMENTATION", l.id, "",
            ].map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
                .joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    @Test(
        "calls to a window's phone: logged by hand, imported from Master.csv all or nothing, a third unanswered call warns once",
        arguments: TestDB.writers)
    func phones(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let day = HallClock.day(t.clock.now).description
            let window = try #require(
                try await WindowModel.query(on: t.app.db).filter(\.$centerID == d.county).filter(\.$departmentID == d.scjg).first())
            let phone = try #require(window.phone)
            struct Log: Content {
                var center = "DL010200"
                var window: String
                var disposition: String?
                var caller: String?
                var test: Bool?
                var verdict: String?
            }
            var res = try await t.send(
                .POST, "/api/v1/phone-calls", token: d.hotline,
                json: Log(window: String(window.number), disposition: "no_answer", caller: "13900002222"))
            #expect(res.status == .created, "\(res.body.string)")
            // Refusals: no such window, a test call by the hotline, a verdict that contradicts the call.
            res = try await t.send(.POST, "/api/v1/phone-calls", token: d.hotline, json: Log(window: "99", disposition: "answered"))
            #expect(res.problem?.errors?.map(\.code) == ["phone.noWindowPhone"])
            res = try await t.send(
                .POST, "/api/v1/phone-calls", token: d.hotline, json: Log(window: String(window.number), test: true, verdict: "good"))
            #expect(res.problem?.errors?.map(\.code) == ["phone.testSupervisorsOnly"])
            res = try await t.send(
                .POST, "/api/v1/phone-calls", token: d.supervisor,
                json: Log(window: String(window.number), disposition: "answered", test: true, verdict: "unanswered"))
            #expect(res.problem?.errors?.map(\.code) == ["phone.verdictDisposition"])
            // A supervisor's test call: unanswered (the second of the day).
            res = try await t.send(
                .POST, "/api/v1/phone-calls", token: d.supervisor,
                json: Log(window: String(window.number), test: true, verdict: "unanswered"))
            #expect(res.status == .created, "\(res.body.string)")
            #expect(try await PhoneCallModel.query(on: t.app.db).count() == 2)
            #expect(try await PhoneWarningModel.query(on: t.app.db).count() == 0)

            // A file with bad lines: every one named, nothing written.
            let local = DateFormatter()
            local.timeZone = HallClock.zone
            local.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let at = local.string(from: t.clock.now.addingTimeInterval(-600))
            let bad = Self.cdr([
                (phone, at, "NO ANSWER", "1700000000.1"), (phone, "yesterday", "NO ANSWER", "1700000000.2"),
                (phone, at, "HUNG UP", "1700000000.3"), (phone, at, "ANSWERED", "1700000000.1"),
            ])
            res = try await t.sendText(.POST, "/api/v1/phone-calls/import?center=DL010200", token: d.hotline, body: bad)
            #expect(res.status == .unprocessableEntity)
            #expect(
                Set(res.problem?.errors?.map(\.field) ?? []) == ["cdr.2.start", "cdr.3.disposition", "cdr.4.uniqueid"],
                "\(res.body.string)")
            #expect(try await PhoneCallModel.query(on: t.app.db).count() == 2)

            // A good file: the third unanswered call warns the department and the administrators, once.
            let good = Self.cdr([
                (phone, at, "NO ANSWER", "1700000000.1"), (phone, at, "ANSWERED", "1700000000.2"),
                ("0533-6999999", at, "NO ANSWER", "1700000000.3"),
            ])
            struct Imported: Decodable { var imported: Int; var alreadyImported: Int; var otherNumbers: Int; var warnings: [String] }
            res = try await t.sendText(.POST, "/api/v1/phone-calls/import?center=DL010200", token: d.hotline, body: good)
            #expect(res.status == .ok, "\(res.body.string)")
            let first = try res.content.decode(Imported.self)
            #expect(first.imported == 2 && first.alreadyImported == 0 && first.otherNumbers == 1 && first.warnings.count == 1)
            let again = try await t.sendText(.POST, "/api/v1/phone-calls/import?center=DL010200", token: d.hotline, body: good)
                .content.decode(Imported.self)
            #expect(again.imported == 0 && again.alreadyImported == 2 && again.warnings.isEmpty)
            #expect(try await PhoneWarningModel.query(on: t.app.db).count() == 1)
            let chiefUser = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "chief_scjg").first())
            #expect(
                try await OutboxModel.query(on: t.app.db).filter(\.$event == "phone.warning").filter(\.$target == chiefUser.id!.uuidString)
                    .count() == 1)
            // A fourth unanswered call warns no more.
            res = try await t.send(
                .POST, "/api/v1/phone-calls", token: d.hotline, json: Log(window: String(window.number), disposition: "busy"))
            #expect(
                try await OutboxModel.query(on: t.app.db).filter(\.$event == "phone.warning").filter(\.$target == chiefUser.id!.uuidString)
                    .count() == 1)

            // The day's report: the window named, its counts; the hotline sees numbers whole, a department masked.
            let mine = try await t.send(.GET, "/api/v1/phone-calls?center=DL010200&day=\(day)", token: d.hotline)
            #expect(mine.status == .ok, "\(mine.body.string)")
            let full = try mine.content.decode(Day.self)
            let w = try #require(full.windows.first)
            #expect(w.calls == 5 && w.unanswered == 4 && w.tests == 1 && w.testsFailed == 1 && w.warned, "\(mine.body.string)")
            #expect(full.unansweredWindows == [w.window])
            #expect(full.calls.contains { $0.caller == "13900002222" })
            let theirs = try await t.send(.GET, "/api/v1/phone-calls?day=\(day)", token: d.chief).content.decode(Day.self)
            #expect(theirs.windows.count == 1 && theirs.calls.count == 5 && !theirs.calls.contains { $0.caller == "13900002222" })
            let other = try await t.send(.GET, "/api/v1/phone-calls?day=\(day)&unanswered=true", token: d.otherChief).content.decode(
                Day.self)
            #expect(other.calls.isEmpty && other.unansweredWindows.isEmpty)
            let tests = try await t.send(.GET, "/api/v1/phone-calls?day=\(day)&test=true", token: d.supervisor).content.decode(Day.self)
            #expect(tests.calls.map(\.test) == [true])
            #expect(try await t.send(.GET, "/api/v1/phone-calls?day=someday", token: d.hotline).status == .unprocessableEntity)
            #expect(
                try await t.send(.POST, "/api/v1/phone-calls", token: d.chief, json: Log(window: "1", disposition: "busy")).status
                    == .forbidden)

            // The page: the report and the form; a call logged through it.
            let web = Browser(t)
            _ = try await web.signIn("rexian", "Order-Pass-2026")
            let csrf = try await web.csrf(from: "/phone-calls")
            let page = try await web.request(.GET, "/phone-calls?day=\(day)")
            #expect(page.status == .ok && page.body.string.contains("id=\"phone-report\"") && page.body.string.contains("已预警"))
            let posted = try await web.request(
                .POST, "/phone-calls",
                form: ["_csrf": csrf, "window": String(window.number), "disposition": "answered", "durationSeconds": "abc"])
            #expect(posted.status == .unprocessableEntity && posted.body.string.contains("通话时长"))
            let logged = try await web.request(
                .POST, "/phone-calls",
                form: ["_csrf": csrf, "window": String(window.number), "disposition": "answered", "durationSeconds": "60"])
            #expect(logged.status == .seeOther || logged.status == .found, "\(logged.body.string)")
            #expect(try await PhoneCallModel.query(on: t.app.db).count() == 6)
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$action ~~ ["phone.log", "phone.import", "phone.warn"]).all()
            #expect(audit.count == 7 && !audit.contains { $0.detail.contains("13900002222") })
        }
    }

    @Test(
        "attachments: checked by content, five to an order, sent with the public form or added later, read by whoever sees the order",
        arguments: TestDB.writers)
    func attachments(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await Desk.open(t)
            let a = try #require(try await d.take(["kind": "complaint", "callerPhone": "13800138021", "text": "窗口乱收费"]))
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            func upload(_ bytes: [UInt8], name: String, token: String) async throws -> TestingHTTPResponse {
                try await t.app.testing().sendRequest(.POST, "/api/v1/work-orders/\(a.id)/attachments?filename=\(name)") { req in
                    req.headers.bearerAuthorization = .init(token: token)
                    req.headers.contentType = .binary
                    req.body = ByteBuffer(bytes: bytes)
                }
            }
            var res = try await upload(png, name: "receipt.png", token: d.hotline)
            #expect(res.status == .created, "\(res.body.string)")
            res = try await upload(Array("<html>".utf8), name: "x.png", token: d.hotline)
            #expect(res.problem?.errors?.map(\.code) == ["file.caseType"])
            // The department sees the files once the order is theirs; another department never.
            #expect(try await t.send(.GET, "/api/v1/work-orders/\(a.id)/attachments", token: d.chief).status == .forbidden)
            try await d.step(a.id, "dispatch", ["department": d.scjg.uuidString], token: d.hotline)
            struct File: Decodable { var id: UUID; var filename: String; var contentType: String }
            let files = try await t.send(.GET, "/api/v1/work-orders/\(a.id)/attachments", token: d.chief).content.decode([File].self)
            #expect(files.map(\.contentType) == ["image/png"] && files.first?.filename == "receipt.png")
            #expect(try await t.send(.GET, "/api/v1/work-orders/\(a.id)/attachments", token: d.otherChief).status == .forbidden)
            for n in 2...5 { #expect(try await upload(png, name: "p\(n).png", token: d.chief).status == .created) }
            res = try await upload(png, name: "p6.png", token: d.chief)
            #expect(res.problem?.errors?.map(\.code) == ["workOrder.tooManyFiles"])
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, "/work-orders/\(a.id)")
            #expect(page.body.string.contains("receipt.png"))
            let file = try await web.request(.GET, "/work-orders/\(a.id)/attachments/\(files[0].id)")
            #expect(file.status == .ok && Array(file.body.readableBytesView) == png && file.headers.contentType?.description == "image/png")

            // The public form: a bad file refuses the whole request; a PDF comes with the order.
            let visitor = Browser(t)
            let csrf = try await visitor.csrf(from: "/hall/DL010200/complaints")
            func ask(_ bytes: [UInt8], _ name: String) async throws -> TestingHTTPResponse {
                let boundary = "----onestop-test"
                var body = ""
                for (k, v) in ["_csrf": csrf, "kind": "complaint", "text": "大厅空调坏了", "callerPhone": "13800138031"] {
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n"
                }
                var data = Array(body.utf8)
                data += Array(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        .utf8)
                data += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
                let cookie = visitor.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                return try await t.app.testing().sendRequest(.POST, "/hall/DL010200/complaints") { req in
                    req.headers.replaceOrAdd(name: .cookie, value: cookie)
                    req.headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                    req.body = ByteBuffer(bytes: data)
                }
            }
            let before = try await WorkOrderModel.query(on: t.app.db).count()
            res = try await ask(Array("MZ executable".utf8), "virus.exe")
            #expect(res.status == .unprocessableEntity && res.body.string.contains("PDF"))
            #expect(try await WorkOrderModel.query(on: t.app.db).count() == before)
            res = try await ask(Array("%PDF-1.4 test".utf8), "照片说明.pdf")
            #expect(res.status == .ok, "\(res.body.string)")
            let made = try #require(try await WorkOrderModel.query(on: t.app.db).filter(\.$channel == "web").first())
            let attached = try await WorkOrderAttachmentModel.query(on: t.app.db).filter(\.$orderID == made.requireID()).all()
            #expect(attached.map(\.contentType) == ["application/pdf"] && made.channel == "web")
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "workOrder.attach").count()
            #expect(audit == 6)
        }
    }

}
