import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Queue set-up and reports")
struct QueueManageTests {
    struct Group: Decodable {
        var id: UUID
        var prefix: String
        var name: String
        var active: Bool
        var windows: [Int]
        var slotCapacity: Int
    }

    struct SettingsIn: Encodable, Sendable {
        var interleave: Int?
        var ratingTimeout: Int?
        var voiceTemplate: String?
        var notice: String?
    }

    struct GroupIn: Encodable, Sendable {
        var prefix: String
        var name: String
        var windows: [Int]?
        var slotCapacity: Int?
    }

    @Test("settings and groups: checked, audited, seen at once; bad input changes nothing", arguments: TestDB.writers)
    func setup(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let base = "/api/v1/centers/\(hall.county)/queue"
            let before = try await t.send(.GET, "\(base)/settings", token: hall.admin)
            #expect(before.status == .ok && before.body.string.contains("\"interleave\":3"))
            let bad = try await t.send(
                .PUT, "\(base)/settings", token: hall.admin,
                json: SettingsIn(interleave: 0, ratingTimeout: 2, voiceTemplate: "请到窗口"))
            #expect(bad.status == .unprocessableEntity)
            #expect(
                Set(bad.problem?.errors?.map(\.code) ?? []) == ["queue.interleaveRange", "queue.ratingTimeoutRange", "queue.voiceNumber"])
            let unchanged = try await t.send(.GET, "\(base)/settings", token: hall.admin)
            #expect(try unchanged.content.decode(QueueSettingsDTO.self).interleave == 3)
            #expect(try unchanged.content.decode(QueueSettingsDTO.self).ratingTimeout == 30)
            let good = try await t.send(
                .PUT, "\(base)/settings", token: hall.admin, json: SettingsIn(interleave: 2, notice: "今天下午 3 点系统维护"))
            #expect(good.status == .ok && good.body.string.contains("\"interleave\":2"), "\(good.body.string)")
            // The board sees the new notice at once (the cached set-up was dropped).
            let status = try await t.send(.GET, "/api/v1/centers/DL010200/queue")
            #expect(status.body.string.contains("今天下午 3 点系统维护"))

            let missing = try await t.send(
                .POST, "\(base)/groups", token: hall.admin, json: GroupIn(prefix: "G", name: "公积金", windows: [2, 99]))
            #expect(missing.problem?.errors?.map(\.code) == ["queue.noSuchWindow"])
            let taken = try await t.send(.POST, "\(base)/groups", token: hall.admin, json: ["prefix": "a", "name": "重复"])
            #expect(taken.problem?.errors?.map(\.code) == ["duplicate"])
            let badLetter = try await t.send(
                .POST, "\(base)/groups", token: hall.admin, json: ["prefix": "甲", "name": "x", "periods": "9-5"])
            #expect(Set(badLetter.problem?.errors?.map(\.code) ?? []) == ["queue.prefix", "queue.periods"])
            let created = try await t.send(
                .POST, "\(base)/groups", token: hall.admin,
                json: GroupIn(prefix: "g", name: "公积金", windows: [2, 3], slotCapacity: 2))
            #expect(created.status == .created, "\(created.body.string)")
            let g = try created.content.decode(Group.self)
            #expect(g.prefix == "G" && g.windows == [2, 3] && g.active && g.slotCapacity == 2)
            // Window 2 now calls G tickets.
            let ticket = try await hall.issue("G")
            #expect(ticket.number == "G001")
            let clerk = try await hall.clerk("clerk-g", at: 2)
            #expect(try await hall.callNext(2, token: clerk)?.id == ticket.id)
            // Retired: the kiosk no longer offers it; its tickets and history stay.
            let retired = try await t.send(.PUT, "\(base)/groups/\(g.id)", token: hall.admin, json: ["active": false])
            let retiredGroup = try retired.content.decode(Group.self)
            #expect(retired.status == .ok && retiredGroup.windows == [2, 3])
            let refused = try await t.send(.POST, "/api/v1/tickets", json: ["center": "DL010200", "group": "G"])
            #expect(refused.status == .unprocessableEntity)
            let list = try await t.send(.GET, "\(base)/groups", token: hall.admin).content.decode([Group].self)
            #expect(list.map(\.prefix) == ["A", "B", "C", "D", "E", "F", "G"] && list.last?.active == false)
            // Only administrators change the set-up.
            let staffToken = try await hall.clerk("clerk-x", at: 5)
            #expect(try await t.send(.PUT, "\(base)/settings", token: staffToken, json: ["interleave": 4]).status == .forbidden)
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(
                \.$action ~~ ["queue.settings", "queue.group.create", "queue.group.update"]
            ).count()
            #expect(audit == 1 + 6 + 1 + 1 + 1)  // seed settings + 6 seed groups, then ours

            // The pages: a bad form shows its errors and changes nothing; a good one saves.
            let b = Browser(t)
            _ = try await b.signIn()
            let page = try await b.request(.GET, "/admin/hall?center=\(hall.county)")
            #expect(page.status == .ok && page.body.string.contains("今天下午 3 点系统维护"))
            let csrf = try await b.csrf(from: "/admin/hall?center=\(hall.county)")
            let form = [
                "_csrf": csrf, "center": hall.county.uuidString, "interleave": "x", "ageingSeconds": "2700", "maxSkips": "2",
                "checkInEarlyMinutes": "30", "checkInLateMinutes": "15", "voiceTemplate": "请 {number} 号到 {window} 号窗口",
                "notice": "", "ratingTimeout": "30",
            ]
            let wrong = try await b.request(.POST, "/admin/hall", form: form)
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("请输入数字"))
            var fixed = form
            fixed["interleave"] = "4"
            #expect(try await b.request(.POST, "/admin/hall", form: fixed).status == .seeOther)
            #expect(try await t.send(.GET, "\(base)/settings", token: hall.admin).body.string.contains("\"interleave\":4"))
            let groups = try await b.request(.GET, "/admin/hall-groups?center=\(hall.county)")
            #expect(groups.status == .ok && groups.body.string.contains("公积金") && groups.body.string.contains("2, 3"))
            let edit = try await b.request(.GET, "/admin/hall-groups/\(g.id)")
            #expect(edit.status == .ok && edit.body.string.contains("value=\"2,3\""))
            let csrf2 = try await b.csrf(from: "/admin/hall-groups/\(g.id)")
            let saved = try await b.request(
                .POST, "/admin/hall-groups/\(g.id)",
                form: [
                    "_csrf": csrf2, "center": hall.county.uuidString, "prefix": "G", "name": "住房公积金", "windows": "3，4",
                    "sort": "7", "active": "on", "periods": "09:00-12:00", "slotMinutes": "30", "slotCapacity": "0", "daysAhead": "7",
                ])
            #expect(saved.status == .seeOther)
            let after = try await t.send(.GET, "\(base)/groups", token: hall.admin).content.decode([Group].self).last
            #expect(after?.name == "住房公积金" && after?.windows == [3, 4] && after?.active == true)
        }
    }

    @Test("the report: waits, service, no-shows, idle and ratings per group, window and staff; CSV", arguments: TestDB.writers)
    func report(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            // A clerk who is a staff member of the center, for the per-staff rows.
            let made = try await t.send(
                .POST, "/api/v1/users", token: hall.admin,
                json: [
                    "username": "clerk1", "displayName": "clerk1", "password": "Clerk-Pass-2026", "role": "window_staff",
                    "centerID": hall.county.uuidString,
                ])
            #expect(made.status == .created)
            let member = try #require(try await StaffModel.query(on: t.app.db).filter(\.$centerID == hall.county).first())
            let user = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "clerk1").first())
            user.staffID = member.id
            try await user.save(on: t.app.db)
            let clerk = try await t.login("clerk1", "Clerk-Pass-2026")
            #expect(try await t.send(.POST, "/api/v1/windows/\(hall.windows[1]!)/sign-in", token: clerk).status == .ok)
            let device = try await hall.evaluator(at: 1)
            let a1 = try await hall.issue("A")
            let a2 = try await hall.issue("A")
            _ = try await hall.issue("B")
            t.clock.advance(60)
            _ = try await hall.callNext(1, token: clerk)
            t.clock.advance(30)
            try await hall.act("start", a1.id, at: 1, token: clerk)  // waited 90 s
            t.clock.advance(300)
            try await hall.act("finish", a1.id, at: 1, token: clerk)  // served 300 s
            struct R: Encodable { var level: Int; var tags: [String] }
            #expect(
                try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", token: device, json: R(level: 5, tags: [])).status == .created)
            // A002 is called three times and does not come: a no-show.
            for _ in 0..<3 {
                #expect(try await hall.callNext(1, token: clerk)?.id == a2.id)
                try await hall.act("skip", a2.id, at: 1, token: clerk)
            }
            t.clock.advance(120)
            let base = "/api/v1/centers/\(hall.county)/queue/report"
            struct Row: Decodable {
                var label: String
                var tickets: Int
                var served: Int
                var noShows: Int
                var noShowRate: Double?
                var meanWaitSeconds: Double?
                var meanServiceSeconds: Double?
                var idleSeconds: Int?
                var ratings: Int
                var meanRating: Double?
            }
            struct Report: Decodable {
                var rows: [Row]
                var total: Row
            }
            let byGroup = try await t.send(.GET, base, token: hall.admin)
            #expect(byGroup.status == .ok, "\(byGroup.body.string)")
            let g = try byGroup.content.decode(Report.self)
            let a = try #require(g.rows.first { $0.label.hasPrefix("A ") })
            #expect(a.tickets == 2 && a.served == 1 && a.noShows == 1 && a.noShowRate == 0.5)
            #expect(a.meanWaitSeconds == 90 && a.meanServiceSeconds == 300 && a.ratings == 1 && a.meanRating == 5)
            #expect(a.idleSeconds == nil && g.total.tickets == 3)
            let w = try await t.send(.GET, base + "?by=window", token: hall.admin).content.decode(Report.self)
            let w1 = try #require(w.rows.first)
            #expect(w1.label.contains("1 号窗口") && w1.served == 1 && w1.ratings == 1)
            // Signed in all along: idle is the 60 s before the first call and the 120 s at the end, not the 330 s on A001.
            #expect(w1.idleSeconds == 60 + 120, "\(w1)")
            let s = try await t.send(.GET, base + "?by=staff", token: hall.admin).content.decode(Report.self)
            #expect(s.rows.count == 1 && s.rows.first?.served == 1 && s.rows.first?.idleSeconds == 180)
            #expect(s.rows.first?.label.contains(member.name) == true)
            // Bad ranges are refused with the field named.
            let wrong = try await t.send(.GET, base + "?from=2026-09-22&to=2026-09-01&by=desk", token: hall.admin)
            #expect(Set(wrong.problem?.errors?.map(\.code) ?? []) == ["queue.reportOrder", "queue.reportBy"])
            let csv = try await t.send(.GET, base + "?by=group&format=csv", token: hall.admin)
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(
                lines.first?.contains("平均等候（分钟）") == true
                    && lines.contains { $0.hasPrefix("A 综合受理,2,1,1,50.0,1.5,1.5,5.0,5.0,,1,0,5.00,0") })
            // Window staff may not read it; supervisors may; the pages render.
            #expect(try await t.send(.GET, base, token: clerk).status == .forbidden)
            let b = Browser(t)
            _ = try await b.signIn()
            let live = try await b.request(.GET, "/manage/hall?center=\(hall.county)")
            #expect(live.status == .ok && live.body.string.contains("今日过号") && live.body.string.contains("data-page=\"manage\""))
            let page = try await b.request(.GET, "/manage/hall/report?center=\(hall.county)&by=window")
            #expect(page.status == .ok && page.body.string.contains("1 号窗口") && page.body.string.contains("format=csv"))
            // Minutes in the page (idle 180 s is 3.0), and the charts drawn on the server with their figures.
            #expect(page.body.string.contains("<td class=\"numeric\">3.0</td>"))
            let charts = try await b.request(.GET, "/manage/hall/report?center=\(hall.county)&from=2026-09-15&to=2026-09-21")
            let html = charts.body.string
            #expect(html.contains("id=\"chart-hour\"") && html.contains("id=\"chart-group\"") && html.contains("id=\"chart-day\""))
            #expect(html.contains("<title>A 综合受理：2 张，平均等候 1.5 分钟</title>") && html.contains("<svg class=\"chart\""))
            #expect(html.contains("<title>2026-09-21：3 张") && html.contains("<title>2026-09-15：0 张"))
            struct Trends: Decodable {
                struct B: Decodable {
                    var key: String
                    var tickets: Int
                    var meanWaitMinutes: Double?
                }
                var byHour: [B]
                var byGroup: [B]
                var byDay: [B]
            }
            let tr = try await t.send(.GET, base + "?from=2026-09-15&to=2026-09-21", token: hall.admin).content.decode(Trends.self)
            #expect(tr.byDay.count == 7 && tr.byDay.last?.tickets == 3 && tr.byDay.first?.tickets == 0)
            #expect(tr.byGroup.map(\.tickets) == [2, 1] && tr.byGroup.first?.meanWaitMinutes == 1.5)
            #expect(tr.byHour.reduce(0) { $0 + $1.tickets } == 3)
            let badPage = try await b.request(.GET, "/manage/hall/report?center=\(hall.county)&from=nope")
            #expect(badPage.status == .unprocessableEntity && badPage.body.string.contains("有效日期"))
        }
    }

    @Test("the live view warns of a group waiting with no window open and of waits past the center's target", arguments: TestDB.writers)
    func alerts(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            struct Alert: Decodable {
                var kind: String
                var group: String
                var waiting: Int?
                var waitedSeconds: Int?
            }
            struct Status: Decodable {
                var waitTargetMinutes: Int
                var alerts: [Alert]
            }
            func status() async throws -> Status {
                try await t.send(.GET, "/api/v1/centers/\(hall.county)/queue").content.decode(Status.self)
            }
            _ = try await hall.issue("A")
            var s = try await status()
            #expect(s.waitTargetMinutes == 20)
            #expect(s.alerts.map(\.kind) == ["noOpenWindow"] && s.alerts.first?.group == "A" && s.alerts.first?.waiting == 1)
            // A window opens: no longer alone; 21 minutes later the wait is past the target.
            _ = try await hall.clerk("alerts1", at: 1)
            #expect(try await status().alerts.isEmpty)
            t.clock.advance(21 * 60)
            s = try await status()
            #expect(s.alerts.map(\.kind) == ["overTarget"] && s.alerts.first?.waitedSeconds == 21 * 60)
            let b = Browser(t)
            _ = try await b.signIn()
            // A province's administrator opens on the first center with a hall, not on the province's zeros.
            let live = try await b.request(.GET, "/manage/hall")
            #expect(live.body.string.contains("石桥县") && live.body.string.contains("超过目标 20 分钟"), "\(live.body.string.prefix(3000))")
            // The center raises its target: the warning goes; a target out of range is refused, nothing changed.
            let settings = "/api/v1/centers/\(hall.county)/queue/settings"
            let raised = try await t.send(.PUT, settings, token: hall.admin, json: ["waitTargetMinutes": 30])
            #expect(raised.status == .ok, "\(raised.body.string)")
            #expect(try await status().alerts.isEmpty)
            let bad = try await t.send(.PUT, settings, token: hall.admin, json: ["waitTargetMinutes": 0])
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.code == "queue.waitTargetRange")
            #expect(try await status().waitTargetMinutes == 30)
        }
    }

    @Test(
        "the staffing forecast plans each group's windows hour by hour from the same weekday's last four weeks", arguments: TestDB.writers
    )
    func forecast(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let config = try await t.app.halls.config(for: hall.county, on: t.app.db)
            let a = try #require(config.group(prefix: "A"))
            // The four Mondays before 2026-09-21: 30 visitors in the 9 o'clock hour, 10 minutes each;
            // and one Tuesday, which a Monday's forecast leaves out.
            var n = 0
            for (day, count) in [("2026-08-24", 30), ("2026-08-31", 30), ("2026-09-07", 30), ("2026-09-14", 30), ("2026-09-15", 90)] {
                let nine = HallClock.instant(CivilDate(day)!, minute: 9 * 60)
                for i in 0..<count {
                    n += 1
                    let at = HallClock.millis(nine) + Int64(i) * 60_000
                    let ticket = TicketModel()
                    ticket.id = UUID()
                    ticket.centerID = hall.county
                    ticket.groupID = a.id
                    ticket.day = day
                    ticket.sequence = i + 1
                    ticket.number = "A\(i + 1)"
                    ticket.ticketClass = "ordinary"
                    ticket.state = "finished"
                    ticket.source = "kiosk"
                    ticket.followToken = "fc\(n)"
                    ticket.issuedAt = at
                    ticket.queuedAt = at
                    ticket.startedAt = at + 60_000
                    ticket.finishedAt = at + 660_000
                    ticket.skips = 0
                    ticket.calls = 1
                    ticket.rated = false
                    try await ticket.create(on: t.app.db)
                }
            }
            struct Hour: Decodable {
                var hour: Int
                var arrivalsPerHour: Double
                var windows: Int?
            }
            struct Group: Decodable {
                var prefix: String
                var meanServiceSeconds: Double
                var measuredService: Bool
                var plannedWindows: Int
                var hours: [Hour]
            }
            struct Forecast: Decodable {
                var date: String
                var daysObserved: Int
                var targetMinutes: Int
                var groups: [Group]
            }
            let base = "/api/v1/centers/\(hall.county)/queue/forecast"
            let res = try await t.send(.GET, base + "?date=2026-09-28", token: hall.admin)
            #expect(res.status == .ok, "\(res.body.string)")
            let f = try res.content.decode(Forecast.self)
            let g = try #require(f.groups.first { $0.prefix == "A" })
            #expect(f.daysObserved == 4 && f.targetMinutes == 20)
            #expect(g.measuredService && g.meanServiceSeconds == 600)
            #expect(g.hours.count == 1 && g.hours[0].hour == 9 && g.hours[0].arrivalsPerHour == 30 && g.hours[0].windows == 6)
            // Without a date: the next working day (a Tuesday), from the one Tuesday observed.
            let next = try await t.send(.GET, base, token: hall.admin).content.decode(Forecast.self)
            #expect(next.date == "2026-09-22" && next.daysObserved == 1)
            #expect(try await t.send(.GET, base + "?date=nope", token: hall.admin).status == .unprocessableEntity)
            // The page: the hour, the windows needed, and a warning where fewer are planned.
            let b = Browser(t)
            _ = try await b.signIn()
            let page = try await b.request(.GET, "/manage/hall/forecast?center=\(hall.county)&date=2026-09-28").body.string
            #expect(page.contains("09:00–10:00") && page.contains("需 6 个窗口"))
            #expect(page.contains("窗口不足") == (g.plannedWindows < 6))
        }
    }

    @Test("the ticket carries a QR code of its follow address", arguments: [TestDB.sqlite])
    func qr(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let ticket = try await hall.issue("A")
            let token = try #require(ticket.followToken)
            let page = try await t.send(.GET, "/t/\(token)")
            #expect(page.body.string.contains("/t/\(token)/qr.svg"))
            let svg = try await t.send(.GET, "/t/\(token)/qr.svg")
            #expect(svg.status == .ok && svg.headers.contentType?.description == "image/svg+xml")
            #expect(svg.body.string.hasPrefix("<svg") && svg.body.string.contains("/t/\(token)</title>"))
            #expect(try await t.send(.GET, "/t/nope/qr.svg").status == .notFound)
            // The hall's own code, on its board, leads a phone to the take-a-ticket page.
            #expect(try await t.send(.GET, "/hall/DL010200/board").body.string.contains("/hall/DL010200/qr.svg"))
            let hallQR = try await t.send(.GET, "/hall/DL010200/qr.svg")
            #expect(hallQR.status == .ok && hallQR.body.string.contains("/hall/DL010200/queue</title>"))
        }
    }
}

@Suite("The spoken call")
struct AnnouncementTests {
    func hall(_ template: String) -> HallConfig {
        HallConfig(
            centerID: UUID(), centerName: "石桥县政务服务中心", centerCode: "DL010200",
            policy: QueuePolicy(interleave: 3, ageingSeconds: 2700, maxSkips: 2, checkInEarlyMinutes: 30, checkInLateMinutes: 15),
            voiceTemplate: template, notice: "", ratingTimeout: 30, waitTargetMinutes: 20, groups: [], windows: [])
    }

    @Test("the template's placeholders are filled, each as often as it appears; other braces stay")
    func fill() {
        let window = HallConfig.Window(id: UUID(), number: 7, name: "税务窗口", departmentID: nil, groups: [])
        #expect(hall(HallConfig.defaultVoice).announcement(number: "A 0 1 2", window: window) == "请 A 0 1 2 号到 7 号窗口办理")
        #expect(
            hall("{number}，{number}，请到{window}号{name}（{unknown}）{").announcement(number: "B3", window: window)
                == "B3，B3，请到7号税务窗口（{unknown}）{")
        #expect(hall("请到窗口").announcement(number: "C1", window: window) == "请到窗口")
        #expect(hall("").announcement(number: "C1", window: window) == "")
    }
}
