import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

struct TicketBody: Decodable {
    var id: UUID
    var number: String
    var groupID: UUID
    var ticketClass: String
    var state: String
    var ahead: Int?
    var estimatedWaitMinutes: Int?
    var windowNumber: Int?
    var followToken: String?
    var calls: Int
    var skips: Int
}

struct CallBody: Decodable { var ticket: TicketBody? }

/// A hall to drive: the demo county, its windows by number and a token per clerk.
struct Hall {
    let t: TestContext
    let admin: String
    let county: UUID
    let windows: [Int: UUID]

    static func open(_ t: TestContext) async throws -> Hall {
        let admin = try await t.login()
        let county = try await t.centerID(code: "DL010200")
        let ws = try await WindowModel.query(on: t.app.db).filter(\.$centerID == county).all()
        return Hall(t: t, admin: admin, county: county, windows: Dictionary(uniqueKeysWithValues: ws.map { ($0.number, $0.id!) }))
    }

    func issue(_ group: String, cls: String? = nil, token: String? = nil) async throws -> TicketBody {
        var body = ["center": "DL010200", "group": group]
        if let cls { body["ticketClass"] = cls }
        let res = try await t.send(.POST, "/api/v1/tickets", token: token, json: body)
        #expect(res.status == .created, "issue: \(res.body.string)")
        return try res.content.decode(TicketBody.self)
    }

    /// A window clerk account, signed in at window `n`.
    /// A clerk signed in at window `n`; `staff`: the staff record (五亮 profile) the account is.
    func clerk(_ name: String, at n: Int, staff: UUID? = nil) async throws -> String {
        var body = [
            "username": name, "displayName": name, "password": "Clerk-Pass-2026", "role": "window_staff",
            "centerID": county.uuidString,
        ]
        if let staff { body["staffID"] = staff.uuidString }
        let res = try await t.send(.POST, "/api/v1/users", token: admin, json: body)
        #expect(res.status == .created, "user: \(res.body.string)")
        let token = try await t.login(name, "Clerk-Pass-2026")
        let s = try await t.send(.POST, "/api/v1/windows/\(windows[n]!)/sign-in", token: token)
        #expect(s.status == .ok, "sign-in: \(s.body.string)")
        return token
    }

    func callNext(_ n: Int, token: String) async throws -> TicketBody? {
        let res = try await t.send(.POST, "/api/v1/windows/\(windows[n]!)/call-next", token: token)
        #expect(res.status == .ok, "call-next: \(res.body.string)")
        return try res.content.decode(CallBody.self).ticket
    }

    @discardableResult
    func act(
        _ action: String, _ ticket: UUID, at n: Int, token: String, expect status: HTTPStatus = .ok
    ) async throws -> TestingHTTPResponse {
        let res = try await t.send(.POST, "/api/v1/tickets/\(ticket)/\(action)", token: token, json: ["window": windows[n]!.uuidString])
        #expect(res.status == status, "\(action): \(res.body.string)")
        return res
    }

    func evaluator(at n: Int) async throws -> String {
        let res = try await t.send(
            .POST, "/api/v1/devices", token: admin,
            json: ["label": "评价器 \(n)", "role": "window_evaluator", "centerID": county.uuidString, "windowID": windows[n]!.uuidString])
        #expect(res.status == .created, "device: \(res.body.string)")
        struct D: Decodable { var token: String? }
        return try res.content.decode(D.self).token!
    }
}

@Suite("Queue API")
struct QueueAPITests {
    @Test("a visit from ticket to rating: numbers, people ahead, call, start, finish, one rating", arguments: TestDB.writers)
    func lifecycle(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let a1 = try await hall.issue("A")
            let a2 = try await hall.issue("A")
            #expect(a1.number == "A001" && a2.number == "A002")
            #expect(a1.ahead == 0 && a2.ahead == 1)
            #expect(a2.followToken != nil)
            let clerk = try await hall.clerk("clerk1", at: 1)
            let called = try #require(try await hall.callNext(1, token: clerk))
            #expect(called.id == a1.id && called.state == "called" && called.windowNumber == 1)
            // The window holds A001: it cannot call another before dealing with it.
            let busy = try await t.send(.POST, "/api/v1/windows/\(hall.windows[1]!)/call-next", token: clerk)
            #expect(busy.status == .unprocessableEntity && busy.problem?.errors?.first?.code == "queue.windowBusy")
            try await hall.act("recall", a1.id, at: 1, token: clerk)
            try await hall.act("start", a1.id, at: 1, token: clerk)
            t.clock.advance(240)
            try await hall.act("finish", a1.id, at: 1, token: clerk)
            // The follower sees the ticket finished; A002 is now first.
            let followed = try await t.send(.GET, "/api/v1/tickets/follow/\(a2.followToken!)")
            #expect(try followed.content.decode(TicketBody.self).ahead == 0)
            // Staff cannot rate; the window's evaluator can, once.
            let own = try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", token: clerk, json: ["level": 5])
            #expect(own.status == .forbidden)
            // A wrong token, another window's evaluator and an unknown ticket are refused, and rate nothing.
            struct Tokened: Encodable { var level = 5; var token: String }
            let wrongToken = try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", json: Tokened(token: "0123456789abcdef"))
            #expect(wrongToken.status == .forbidden)
            let elsewhere = try await hall.evaluator(at: 2)
            let other = try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", token: elsewhere, json: ["level": 5])
            #expect(other.status == .forbidden && other.problem?.detail?.contains("评价器") == true, "\(other.body.string)")
            #expect(try await t.send(.POST, "/api/v1/tickets/\(UUID())/rating", token: elsewhere, json: ["level": 5]).status == .notFound)
            #expect(try await RatingModel.query(on: t.app.db).count() == 0)
            let device = try await hall.evaluator(at: 1)
            let pending = try await t.send(.GET, "/api/v1/windows/\(hall.windows[1]!)/evaluation", token: device)
            #expect(try pending.content.decode(CallBody.self).ticket?.id == a1.id)
            struct R: Encodable { var level: Int; var tags: [String] }
            let bad = try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", token: device, json: R(level: 2, tags: []))
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.code == "rating.tagsRequired")
            let ok = try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", token: device, json: R(level: 2, tags: ["attitude"]))
            #expect(ok.status == .created, "\(ok.body.string)")
            let again = try await t.send(.POST, "/api/v1/tickets/\(a1.id)/rating", token: device, json: R(level: 5, tags: []))
            #expect(again.problem?.errors?.first?.code == "queue.alreadyRated")
            let rating = try #require(try await RatingModel.query(on: t.app.db).first())
            #expect(rating.level == 2 && rating.tags == "attitude" && rating.channel == "window_device")
            #expect(rating.windowID == hall.windows[1] && rating.ticketID == a1.id && rating.departmentID == nil)
            // Every state change is in the audit log.
            let actions = try await AuditEntryModel.query(on: t.app.db).filter(
                \.$action ~~ ["queue.issue", "queue.call", "queue.finish", "rating.create"]
            ).count()
            #expect(actions == 5)
        }
    }

    @Test("priority classes come from guides and kiosks only, and go first", arguments: TestDB.writers)
    func priority(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let res = try await t.send(.POST, "/api/v1/tickets", json: ["center": "DL010200", "group": "C", "ticketClass": "green"])
            #expect(res.status == .unprocessableEntity && res.problem?.errors?.first?.code == "queue.classForGuides")
            let c1 = try await hall.issue("C")
            t.clock.advance(5)
            let green = try await hall.issue("C", cls: "green", token: hall.admin)
            t.clock.advance(5)
            let military = try await hall.issue("C", cls: "military", token: hall.admin)
            #expect(green.ticketClass == "green" && green.ahead == 0 && military.ahead == 0)
            let c1Now = try await t.send(.GET, "/api/v1/tickets/follow/\(c1.followToken!)")
            #expect(try c1Now.content.decode(TicketBody.self).ahead == 2)
            let clerk = try await hall.clerk("clerk6", at: 6)
            var order: [String] = []
            for _ in 0..<3 {
                let c = try #require(try await hall.callNext(6, token: clerk))
                order.append(c.number)
                try await hall.act("start", c.id, at: 6, token: clerk)
                try await hall.act("finish", c.id, at: 6, token: clerk)
            }
            #expect(order == [military.number, green.number, c1.number])
            #expect(try await hall.callNext(6, token: clerk) == nil)
        }
    }

    @Test("a no-show goes back to the queue twice, then expires; park, resume and transfer with return", arguments: TestDB.writers)
    func skipsParkTransfer(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let clerk = try await hall.clerk("clerk7", at: 7)
            let d1 = try await hall.issue("D")
            for round in 1...3 {
                let c = try #require(try await hall.callNext(7, token: clerk))
                #expect(c.id == d1.id)
                let r = try await hall.act("skip", d1.id, at: 7, token: clerk)
                let after = try r.content.decode(TicketBody.self)
                #expect(after.state == (round < 3 ? "waiting" : "expired"))
            }
            #expect(try await hall.callNext(7, token: clerk) == nil)

            let d2 = try await hall.issue("D")
            let d3 = try await hall.issue("D")
            _ = try await hall.callNext(7, token: clerk)
            try await hall.act("start", d2.id, at: 7, token: clerk)
            try await hall.act("park", d2.id, at: 7, token: clerk)
            let next = try #require(try await hall.callNext(7, token: clerk))
            #expect(next.id == d3.id)
            try await hall.act("resume", d2.id, at: 7, token: clerk, expect: .unprocessableEntity)
            try await hall.act("start", d3.id, at: 7, token: clerk)
            // D003 goes to the real-estate group and comes back here afterwards.
            let e = try await t.send(
                .POST, "/api/v1/tickets/\(d3.id)/transfer", token: clerk,
                json: TransferBody(window: hall.windows[7]!, group: try await groupID(t, "E"), returnHere: true))
            #expect(e.status == .ok, "\(e.body.string)")
            let moved = try e.content.decode(TicketBody.self)
            #expect(moved.number == "E001")
            try await hall.act("resume", d2.id, at: 7, token: clerk)
            try await hall.act("finish", d2.id, at: 7, token: clerk)
            let clerk9 = try await hall.clerk("clerk9", at: 9)
            let e1 = try #require(try await hall.callNext(9, token: clerk9))
            #expect(e1.id == moved.id)
            try await hall.act("start", e1.id, at: 9, token: clerk9)
            try await hall.act("finish", e1.id, at: 9, token: clerk9)
            // Back at window 7, ahead of anything else waiting for D.
            let later = try await hall.issue("D")
            #expect(later.number == "D005")
            let back = try #require(try await hall.callNext(7, token: clerk))
            #expect(back.number == "D004" && back.id != moved.id)
            // The visitor's phone follows the visit through the transfer and back.
            let followed = try await t.send(.GET, "/api/v1/tickets/follow/\(d3.followToken!)")
            #expect(try followed.content.decode(TicketBody.self).id == back.id)
        }
    }

    struct TransferBody: Encodable {
        var window: UUID
        var group: UUID
        var returnHere: Bool
    }

    func groupID(_ t: TestContext, _ prefix: String) async throws -> UUID {
        try await ServiceGroupModel.query(on: t.app.db).filter(\.$prefix == prefix).first()!.requireID()
    }

    @Test("numbers never repeat and no ticket is called twice when many ask at once", arguments: TestDB.writers)
    func concurrency(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<60 { group.addTask { try await hall.issue("A").number } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(numbers).count == 60)
            #expect(Set(numbers) == Set((1...60).map { TicketNumber.format(prefix: "A", sequence: $0) }))
            var clerks: [(Int, String)] = []
            for n in 1...4 { clerks.append((n, try await hall.clerk("clerk_c\(n)", at: n))) }
            let called = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for (n, token) in clerks {
                    group.addTask {
                        var mine: [UUID] = []
                        while let c = try await hall.callNext(n, token: token) {
                            mine.append(c.id)
                            try await hall.act("start", c.id, at: n, token: token)
                            try await hall.act("finish", c.id, at: n, token: token)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(called.count == 60 && Set(called).count == 60)
        }
    }

    @Test(
        "actions that share a batch see each other's changes, and one the database refuses fails alone",
        arguments: TestDB.writers)
    func batched(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            // Windows 1–4 serve A (4 also B), 5 serves B, 7 and 8 serve D.
            var tickets: [TicketBody] = []
            for g in ["A", "A", "A", "A", "A", "A", "B", "B", "D", "D"] { tickets.append(try await hall.issue(g)) }
            var clerks: [(Int, String)] = []
            for n in [1, 2, 3, 4, 5, 7, 8] { clerks.append((n, try await hall.clerk("clerk_b\(n)", at: n))) }
            let desks = clerks
            let app = t.app
            // Hold the writer with a slow job, so that everything sent meanwhile lands in one batch.
            @Sendable func holdingTheWriter<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
                let holder = Task {
                    try await app.groupCommit.run(actor: "test", now: Date()) { _ -> (Int, [AuditEvent]) in
                        try await Task.sleep(for: .milliseconds(400))
                        return (0, [])
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
                let result = try await work()
                _ = try await holder.value
                return result
            }
            // First a batch where nothing fails: every call sees the ones before it.
            let called = try await holdingTheWriter {
                try await withThrowingTaskGroup(of: UUID?.self) { group in
                    for (n, token) in desks { group.addTask { try await hall.callNext(n, token: token)?.id } }
                    return try await group.reduce(into: [UUID?]()) { $0.append($1) }
                }
            }.compactMap { $0 }
            #expect(called.count == 7 && Set(called).count == 7)
            // Then a batch with two failures: one refused by Core (not this window's ticket), one
            // refused by the database only when the batch writes (two tickets, one follow token).
            let first = tickets[0].id
            let second = tickets[1].id
            let wrongTicket = tickets[7].id
            let firstClerk = desks[0].1
            let outcome = try await holdingTheWriter {
                let starts = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (n, token) in desks.dropFirst() {
                            group.addTask {
                                let seat = try await WindowStateModel.find(hall.windows[n]!, on: app.db)!
                                try await hall.act("start", seat.ticketID!, at: n, token: token)
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                let wrong = Task { try await hall.act("start", wrongTicket, at: 1, token: firstClerk, expect: .unprocessableEntity) }
                let clash = Task {
                    try await app.groupCommit.run(actor: "test", now: Date(), needs: HallNeeds(tickets: [first, second])) {
                        db -> (Int, [AuditEvent]) in
                        let a = try await HallRows.ticket(first, on: db)!
                        let b = try await HallRows.ticket(second, on: db)!
                        b.followToken = a.followToken
                        try await HallRows.save(b, on: db)
                        return (0, [AuditEvent("test.clash", "ticket", id: second, center: nil)])
                    }
                }
                try await starts.value
                _ = try await wrong.value
                do {
                    _ = try await clash.value
                    return false
                } catch {
                    return true
                }
            }
            #expect(outcome, "the clashing job must fail")
            for (n, _) in desks.dropFirst() {
                let seat = try await WindowStateModel.find(hall.windows[n]!, on: app.db)!
                #expect(try await TicketModel.find(seat.ticketID!, on: app.db)!.state == "serving")
            }
            // Within each group, the first issued were called; both of D (windows 7 and 8 serve only D).
            for g in Set(tickets.map(\.groupID)) {
                let ofGroup = tickets.filter { $0.groupID == g }.map(\.id)
                let k = ofGroup.filter(called.contains).count
                #expect(Set(ofGroup.prefix(k)) == Set(ofGroup.filter(called.contains)))
            }
            #expect(called.contains(tickets[8].id) && called.contains(tickets[9].id))
            for (n, _) in desks {
                let seat = try await WindowStateModel.find(hall.windows[n]!, on: app.db)!
                let held = try await TicketModel.find(seat.ticketID!, on: app.db)!
                #expect(held.windowID == hall.windows[n]! && called.contains(held.id!))
            }
            let stored = try await TicketModel.query(on: app.db).filter(\.$id ~~ [first, second]).all()
            #expect(Set(stored.map(\.followToken)).count == 2)
            let (_, problem) = try await AuditVerifier.verify(on: app.db)
            #expect(problem == nil)
            let clashes = try await AuditEntryModel.query(on: app.db).filter(\.$action == "test.clash").count()
            #expect(clashes == 0)
        }
    }

    @Test("appointments: slots, one per person per group per day, cancel, check in on time for priority", arguments: TestDB.writers)
    func appointments(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            // The test clock is Monday 2026-09-21, 22:13 in Beijing; book Tuesday.
            let slots = try await t.send(.GET, "/api/v1/centers/DL010200/slots?group=C&date=2026-09-22")
            #expect(slots.status == .ok)
            struct S: Decodable {
                var open: Bool
                var slots: [AppointmentService.SlotInfo]
            }
            let s = try slots.content.decode(S.self)
            #expect(s.open && s.slots.first?.start == "09:00" && s.slots.first?.capacity == 6)
            let sunday = try await t.send(.GET, "/api/v1/centers/DL010200/slots?group=C&date=2026-09-27")
            #expect(try sunday.content.decode(S.self).open == false)
            let person = [
                "center": "DL010200", "group": "C", "date": "2026-09-22", "slot": "09:00", "name": "李华", "idNumber": "11010519491231002X",
                "phone": "13800138000",
            ]
            let booked = try await t.send(.POST, "/api/v1/appointments", json: person)
            #expect(booked.status == .created, "\(booked.body.string)")
            struct A: Decodable { var code: String; var state: String; var idNumberMasked: String; var ticket: TicketBody? }
            let a = try booked.content.decode(A.self)
            #expect(a.idNumberMasked == "110***********002X")
            var again = person
            again["slot"] = "10:00"
            let twice = try await t.send(.POST, "/api/v1/appointments", json: again)
            #expect(twice.problem?.errors?.first?.code == "queue.alreadyBooked")
            var weekend = person
            weekend["date"] = "2026-09-27"
            let closed = try await t.send(.POST, "/api/v1/appointments", json: weekend)
            #expect(closed.problem?.errors?.first?.code == "queue.closedDay")
            let wrong = try await t.send(.POST, "/api/v1/appointments/\(a.code)/cancel", json: ["idNumber": "110105194912310021"])
            #expect(wrong.problem?.errors?.first?.code == "queue.noSuchBooking")
            let cancelled = try await t.send(.POST, "/api/v1/appointments/\(a.code)/cancel", json: ["idNumber": "11010519491231002X"])
            #expect(try cancelled.content.decode(A.self).state == "cancelled")
            let rebooked = try await t.send(.POST, "/api/v1/appointments", json: again)
            let b = try rebooked.content.decode(A.self)
            // Tuesday 09:50 Beijing: on time for the 10:00 slot.
            t.clock.advance(11 * 3600 + 37 * 60)
            let anonymous = try await t.send(.POST, "/api/v1/appointments/\(b.code)/check-in")
            #expect(anonymous.status == .unauthorized)
            let checked = try await t.send(.POST, "/api/v1/appointments/\(b.code)/check-in", token: hall.admin)
            #expect(checked.status == .ok, "\(checked.body.string)")
            let c = try checked.content.decode(A.self)
            #expect(c.state == "checked_in" && c.ticket?.ticketClass == "appointment")
            let walkIn = try await hall.issue("C")
            #expect(walkIn.ahead == 1)
        }
    }

    @Test("the hall takes no tickets on a day its calendar closes", arguments: TestDB.writers)
    func closedDay(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            t.clock.advance(5 * 86400)  // Saturday
            let res = try await t.send(.POST, "/api/v1/tickets", json: ["center": "DL010200", "group": "A"])
            #expect(res.problem?.errors?.first?.code == "queue.closedToday")
            let status = try await t.send(.GET, "/api/v1/centers/DL010200/queue")
            struct S: Decodable { var openToday: Bool }
            #expect(try status.content.decode(S.self).openToday == false)
            #expect(try await TicketModel.query(on: t.app.db).count() == 0)
        }
    }

    @Test("the hall's pages: take a ticket by form, see it, board, screen and desk", arguments: TestDB.writers)
    func pages(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let take = try await t.send(.GET, "/hall/DL010200/queue")
            #expect(take.status == .ok && take.body.string.contains("综合受理") && take.body.string.contains("id=\"take-A\""))
            let groupA = try await groupID(t, "A")
            let posted = try await t.app.testing().sendRequest(.POST, "/hall/DL010200/queue") { req in
                try req.content.encode(["group": groupA.uuidString], as: .urlEncodedForm)
            }
            #expect(posted.status == .seeOther)
            let location = try #require(posted.headers.first(name: .location))
            #expect(location.hasPrefix("/t/"))
            let ticket = try await t.send(.GET, String(location.split(separator: "?")[0]))
            #expect(ticket.status == .ok && ticket.body.string.contains("A001") && ticket.body.string.contains("前面等候"))
            #expect(try await t.send(.GET, "/hall/DL010200/board").status == .ok)
            #expect(try await t.send(.GET, "/hall/DL010200/window/1").status == .ok)
            let book = try await t.send(.GET, "/hall/DL010200/book").body.string
            #expect(book.contains("C 户政与出入境"), "\(book.suffix(3000))")
            let desk = try await t.send(.GET, "/desk")
            #expect(desk.status == .seeOther || desk.status == .unauthorized)
            let profile = try await t.send(.GET, "/api/v1/windows/\(try await Hall.open(t).windows[1]!)/profile")
            #expect(profile.status == .ok)
        }
    }
}
