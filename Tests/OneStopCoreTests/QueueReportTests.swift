import Foundation
import OneStopCore
import Testing

@Suite("Queue report")
struct QueueReportTests {
    @Test("bookings and missed bookings per group, summed in the total; not measured per window")
    func bookings() {
        let visits: [QueueReport.Visit] = [.init(key: "A", issued: 0, called: nil, started: nil, finished: nil, state: .waiting)]
        let booked = ["A": QueueReport.Bookings(booked: 3, missed: 1), "C": QueueReport.Bookings(booked: 2, missed: 2)]
        let rows = QueueReport.rows(visits: visits, ratings: [], idle: nil, bookings: booked)
        #expect(rows.map(\.key) == ["A", "C"])
        #expect(rows[0].bookings == 3 && rows[0].missedBookings == 1 && rows[0].tickets == 1)
        #expect(rows[1].bookings == 2 && rows[1].missedBookings == 2 && rows[1].tickets == 0)
        let total = QueueReport.total(visits: visits, ratings: [], idle: nil, bookings: booked)
        #expect(total.bookings == 5 && total.missedBookings == 3)
        let byWindow = QueueReport.rows(visits: visits, ratings: [], idle: [:])
        #expect(byWindow.allSatisfy { $0.bookings == nil && $0.missedBookings == nil })
    }

    @Test("waits, service times, no-shows and ratings per key")
    func rows() {
        let s: Int64 = 1000
        let visits: [QueueReport.Visit] = [
            .init(key: "A", issued: 0, called: 50 * s, started: 60 * s, finished: 360 * s, state: .finished),
            .init(key: "A", issued: 0, called: 100 * s, started: 120 * s, finished: 220 * s, state: .finished),
            .init(key: "A", issued: 0, called: 10 * s, started: nil, finished: 30 * s, state: .expired),
            .init(key: "A", issued: 0, called: nil, started: nil, finished: nil, state: .waiting),
            .init(key: "B", issued: 0, called: nil, started: nil, finished: nil, state: .expired),
            .init(key: nil, issued: 0, called: nil, started: nil, finished: nil, state: .waiting),
        ]
        let rows = QueueReport.rows(
            visits: visits, ratings: [("A", 5), ("A", 2), ("A", nil), (nil, 4), ("C", 3)], idle: nil)
        #expect(rows.map(\.key) == ["A", "B", "C"])
        let a = rows[0]
        #expect(a.tickets == 4 && a.served == 2 && a.noShows == 1)
        #expect(a.noShowRate == 1.0 / 3.0)
        #expect(a.meanWaitSeconds == 90 && a.p90WaitSeconds == 120)
        #expect(a.meanServiceSeconds == 200 && a.p90ServiceSeconds == 300)
        #expect(a.ratings == 2 && a.notRated == 1 && a.badRatings == 1 && a.meanRating == 3.5)
        #expect(a.idleSeconds == nil)
        // Never called: left at the end of the day, not a no-show.
        #expect(rows[1].noShows == 0 && rows[1].noShowRate == nil && rows[1].meanWaitSeconds == nil)
        #expect(rows[2].tickets == 0 && rows[2].ratings == 1)
    }

    @Test("idle time is signed-in, unpaused time less the time on tickets")
    func idle() {
        let e: [QueueReport.Event] = [
            .init(kind: .signin, at: 0), .init(kind: .pause, at: 100), .init(kind: .resume, at: 150),
            .init(kind: .signout, at: 300), .init(kind: .signin, at: 400),
        ]
        // Open: 0–100, 150–300, 400–500 = 350; busy 20–60 and 50–120 merge to 20–120, of which
        // 20–100 is open (80); 420–450 open (30).
        let busy: [(start: Int64, end: Int64)] = [(20, 60), (50, 120), (420, 450)]
        #expect(QueueReport.idleMillis(events: e, busy: busy, until: 500) == 350 - 80 - 30)
        #expect(QueueReport.idleMillis(events: [], busy: busy, until: 500) == 0)
        // A resume without a pause, and a pause while signed out, change nothing.
        #expect(QueueReport.idleMillis(events: [.init(kind: .resume, at: 5), .init(kind: .signin, at: 10)], busy: [], until: 20) == 10)
    }
}

@Suite("Queue report charts")
struct QueueTrendTests {
    let zone = TimeZone(identifier: "Asia/Shanghai")!
    /// Milliseconds of 2026-09-21 at an hour and minute in Beijing time (UTC+8).
    func at(_ hour: Int, _ minute: Int = 0, day: Int = 21) -> Int64 {
        let base = Int64(CivilDate(year: 2026, month: 9, day: day)!.dayNumber) * 86_400_000
        return base + Int64((hour - 8) * 3600 + minute * 60) * 1000
    }

    @Test("by hour in the center's zone, empty hours kept between the first and the last; waits in minutes")
    func byHour() {
        let tickets: [QueueTrends.Ticket] = [
            .init(group: "A", issued: at(9, 5), started: at(9, 15)),
            .init(group: "A", issued: at(9, 40), started: at(10, 0)),
            .init(group: "B", issued: at(11, 59), started: nil),
        ]
        let hours = QueueTrends.byHour(tickets, zone: zone)
        #expect(hours.map(\.key) == ["09", "10", "11"])
        #expect(hours.map(\.tickets) == [2, 0, 1])
        #expect(hours[0].meanWaitMinutes == 15 && hours[1].meanWaitMinutes == nil && hours[2].meanWaitMinutes == nil)
        #expect(QueueTrends.byHour([], zone: zone).isEmpty)
    }

    @Test("by day: every day of the range, a ticket at 23:30 Beijing time on its own day")
    func byDay() {
        let tickets: [QueueTrends.Ticket] = [
            .init(group: "A", issued: at(23, 30, day: 20), started: nil), .init(group: "A", issued: at(8, 0), started: at(8, 6)),
        ]
        let days = QueueTrends.byDay(
            tickets, zone: zone, from: CivilDate(year: 2026, month: 9, day: 19)!, to: CivilDate(year: 2026, month: 9, day: 21)!)
        #expect(days.map(\.key) == ["2026-09-19", "2026-09-20", "2026-09-21"])
        #expect(days.map(\.tickets) == [0, 1, 1] && days[2].meanWaitMinutes == 6)
    }

    @Test("by group in the hall's order, unknown groups after")
    func byGroup() {
        let tickets: [QueueTrends.Ticket] = [
            .init(group: "B", issued: 0, started: nil), .init(group: "Z", issued: 0, started: nil),
            .init(group: "A", issued: 0, started: nil),
            .init(group: "B", issued: 0, started: nil),
        ]
        let groups = QueueTrends.byGroup(tickets, order: ["B", "A", "C"])
        #expect(groups.map(\.key) == ["B", "A", "Z"] && groups.map(\.tickets) == [2, 1, 1])
    }
}
