import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Queue housekeeping")
struct QueueSweepTests {
    @Test("a backlog of visits not rated is recorded a chunk per transaction, each ticket once", arguments: TestDB.writers)
    func notRatedInChunks(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let clerk = try await hall.clerk("clerk1", at: 1)
            _ = try await hall.evaluator(at: 1)
            var served: [UUID] = []
            for _ in 0..<5 {
                let ticket = try await hall.issue("A")
                _ = try await hall.callNext(1, token: clerk)
                try await hall.act("start", ticket.id, at: 1, token: clerk)
                try await hall.act("finish", ticket.id, at: 1, token: clerk)
                served.append(ticket.id)
            }
            t.clock.advance(30 + 61)
            let config = try await t.app.halls.config(for: hall.county, on: t.app.db)
            let now = t.clock.now
            let deadline = HallClock.millis(now) - Int64(config.ratingTimeout + 60) * 1000
            let n = try await HallSweeper.recordNotRated(hall: config, app: t.app, deadline: deadline, now: now, chunk: 2)
            #expect(n == 5)
            let ratings = try await RatingModel.query(on: t.app.db).filter(\.$ticketID ~~ served).all()
            #expect(ratings.count == 5 && ratings.allSatisfy { $0.level == nil })
            #expect(try await TicketModel.query(on: t.app.db).filter(\.$id ~~ served).filter(\.$rated == false).count() == 0)
            #expect(try await HallSweeper.recordNotRated(hall: config, app: t.app, deadline: deadline, now: now, chunk: 2) == 0)
            // Counted once each in the day's figures, for the center and for the window.
            let today = HallClock.day(now)
            for scope in ["center:\(hall.county.uuidString.lowercased())", "window:\(hall.windows[1]!.uuidString.lowercased())"] {
                let (sum, _) = try await RatingFigures.sum(scopes: [scope], from: today, to: today, on: t.app.db)
                #expect(sum.levels[0] == 5 && sum.channels["window_device"] == 5, "\(scope)")
            }
            let audited = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "rating.create").count()
            #expect(audited == 5)
        }
    }

    @Test("the sweep: missed bookings, yesterday's leftovers and seats, not rated after the rating time", arguments: TestDB.writers)
    func sweep(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let hall = try await Hall.open(t)
            let clerk = try await hall.clerk("clerk1", at: 1)
            _ = try await hall.evaluator(at: 1)
            let served = try await hall.issue("A")
            let left = try await hall.issue("A")
            _ = try await hall.callNext(1, token: clerk)
            try await hall.act("start", served.id, at: 1, token: clerk)
            try await hall.act("finish", served.id, at: 1, token: clerk)
            // Within the rating time nothing is recorded.
            var o = try await HallSweeper.sweep(app: t.app, now: t.clock.now)
            #expect(o.notRated == 0 && o.expired == 0)
            t.clock.advance(30 + 61)
            o = try await HallSweeper.sweep(app: t.app, now: t.clock.now)
            #expect(o.notRated == 1)
            let r = try #require(try await RatingModel.query(on: t.app.db).filter(\.$ticketID == served.id).first())
            #expect(r.level == nil && r.channel == "window_device" && r.windowID == hall.windows[1])
            // A second sweep (or another instance) finds nothing more to do.
            #expect(try await HallSweeper.sweep(app: t.app, now: t.clock.now) == .init())
            // A booking for tomorrow morning that nobody checks in for.
            let booked = try await t.send(
                .POST, "/api/v1/appointments",
                json: [
                    "center": "DL010200", "group": "C", "date": "2026-09-22", "slot": "09:00", "name": "李华",
                    "idNumber": "11010519491231002X", "phone": "13800138000",
                ])
            #expect(booked.status == .created, "\(booked.body.string)")
            // The next day: the waiting ticket expires, the window is signed out at midnight, the
            // booking is a no-show.
            _ = try await hall.callNext(1, token: clerk)
            t.clock.advance(24 * 3600)
            o = try await HallSweeper.sweep(app: t.app, now: t.clock.now)
            #expect(o.expired == 1 && o.signedOut == 1 && o.noShows == 1)
            #expect(try await AppointmentModel.query(on: t.app.db).first()?.state == "no_show")
            let gone = try #require(try await TicketModel.find(left.id, on: t.app.db))
            #expect(gone.state == "expired")
            let seat = try #require(try await WindowStateModel.find(hall.windows[1], on: t.app.db))
            #expect(seat.userID == nil && seat.ticketID == nil)
            let out = try await WindowEventModel.query(on: t.app.db).filter(\.$kind == "signout").all()
            #expect(out.count == 1 && out.first?.day == "2026-09-21")
            // The report counts the missed booking for its group and day, and in the total.
            struct Row: Decodable {
                var label: String
                var bookings: Int?
                var missedBookings: Int?
            }
            struct Report: Decodable {
                var rows: [Row]
                var total: Row
            }
            let base = "/api/v1/centers/\(hall.county)/queue/report?from=2026-09-22"
            let admin = try await t.login()  // a day later: yesterday's token has expired
            let g = try await t.send(.GET, base, token: admin).content.decode(Report.self)
            let c = try #require(g.rows.first { $0.label.hasPrefix("C ") })
            #expect(c.bookings == 1 && c.missedBookings == 1 && g.total.missedBookings == 1)
            let w = try await t.send(.GET, base + "&by=window", token: admin).content.decode(Report.self)
            #expect(w.total.missedBookings == nil && w.rows.allSatisfy { $0.bookings == nil })
            let csv = try await t.send(.GET, base + "&format=csv", token: admin).body.string
            #expect(csv.contains("预约爽约") && csv.split(separator: "\r\n").contains { $0.hasPrefix("C ") && $0.hasSuffix(",1,1") })
        }
    }

    @Test("a phone may take only so many tickets; kiosks and staff are not limited", arguments: [TestDB.sqlite])
    func limit(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            func take(from ip: String) async throws -> TestingHTTPResponse {
                try await t.app.testing().sendRequest(.POST, "/api/v1/tickets") { req in
                    req.headers.replaceOrAdd(name: .xForwardedFor, value: ip)
                    try req.content.encode(["center": "DL010200", "group": "A"], as: .json)
                }
            }
            for _ in 0..<30 { #expect(try await take(from: "203.0.113.7").status == .created) }
            let refused = try await take(from: "203.0.113.7")
            #expect(refused.status == .tooManyRequests && refused.headers.first(name: .retryAfter) != nil)
            #expect(refused.body.string.contains("取号过于频繁"))
            #expect(try await take(from: "203.0.113.8").status == .created)
            t.clock.advance(601)
            #expect(try await take(from: "203.0.113.7").status == .created)
        }
    }
}
