import Fluent
import Foundation
import OneStopCore
import SQLKit

/// Four weeks of made-up hall history for the demo county, so that a new user sees the report's
/// charts, the staffing forecast and the windows' ratings with something in them: tickets over
/// the office hours with a morning peak, served first come first served by each group's open
/// windows, a few no-shows, and ratings. Seeded with a fixed generator, so every demo is alike.
enum QueueDemoHistory {
    /// Tickets a working day and the mean service minutes, per group prefix.
    static let load: [String: (perDay: Int, serviceMinutes: Double)] = [
        "A": (70, 7), "B": (24, 11), "C": (32, 9), "D": (44, 10), "E": (14, 17), "F": (24, 8),
    ]
    /// Weights of the half hours from 9:00 to 17:00 (12:00–13:30 closed): a morning peak and a
    /// smaller one after lunch.
    static let halfHours: [(minute: Int, weight: Int)] = [
        (540, 3), (570, 5), (600, 6), (630, 5), (660, 4), (690, 2), (810, 2), (840, 4), (870, 4), (900, 3), (930, 3), (960, 2),
        (990, 1),
    ]

    /// A small deterministic generator (SplitMix64).
    struct Dice {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func seed(on db: any Database, county: UUID, today: CivilDate, weeks: Int = 4) async throws -> [AuditEvent] {
        let calendar = WorkCalendar(NationalCalendar.shipped)
        let groups = try await ServiceGroupModel.query(on: db).filter(\.$centerID == county).all()
        struct Link: Decodable {
            var windowID: UUID
            var groupID: UUID
        }
        guard let sql = db as? any SQLDatabase else { return [] }
        let links = try await sql.raw(#"SELECT window_id AS "windowID", group_id AS "groupID" FROM window_groups"#).all(
            decoding: Link.self)
        let windows = try await WindowModel.query(on: db).filter(\.$centerID == county).filter(\.$isOpen == true).all()
        let staff = try await StaffModel.query(on: db).filter(\.$centerID == county).sort(\.$jobNumber).all()
        // The staff member at each open window: a department's second member (its chief sits
        // elsewhere), and for the comprehensive windows members taken in turn.
        var seat: [UUID: UUID] = [:]
        var spare = staff.makeIterator()
        for w in windows.sorted(by: { $0.number < $1.number }) {
            if let d = w.departmentID, let s = staff.filter({ $0.departmentID == d }).last {
                seat[w.id!] = s.id
            } else if let s = spare.next() {
                seat[w.id!] = s.id
            }
        }
        let openIDs = Set(windows.compactMap(\.id))
        var dice = Dice(state: 20_260_921)
        var tickets: [TicketModel] = []
        var ratings: [RatingModel] = []
        var events: [WindowEventModel] = []
        let totalWeight = halfHours.reduce(0) { $0 + $1.weight }
        var day = today.adding(days: -weeks * 7)
        while day < today {
            defer { day = day.adding(days: 1) }
            guard calendar.isWorkingDay(day) else { continue }
            func at(_ minute: Double) -> Int64 { HallClock.millis(HallClock.instant(day, minute: 0)) + Int64(minute * 60_000) }
            for w in windows {
                for (kind, minute) in [("signin", 540.0), ("signout", 1020.0)] {
                    let e = WindowEventModel()
                    e.id = UUID.timeOrdered()
                    e.windowID = w.id!
                    e.centerID = county
                    e.staffID = seat[w.id!]
                    e.day = day.description
                    e.kind = kind
                    e.at = at(minute)
                    events.append(e)
                }
            }
            for g in groups {
                guard let (perDay, service) = load[g.prefix] else { continue }
                let served = links.filter { $0.groupID == g.id && openIDs.contains($0.windowID) }.map(\.windowID).sorted {
                    $0.uuidString < $1.uuidString
                }
                guard !served.isEmpty else { continue }
                // Mondays are busier, Fridays quieter.
                let weekday = day.weekday
                let count = Int(Double(perDay) * (weekday == 1 ? 1.25 : weekday == 5 ? 0.85 : 1.0) * (0.85 + 0.3 * dice.unit()))
                var arrivals: [Double] = (0..<count).map { _ in
                    var pick = dice.below(totalWeight)
                    var slot = halfHours[0].minute
                    for h in halfHours {
                        if pick < h.weight {
                            slot = h.minute
                            break
                        }
                        pick -= h.weight
                    }
                    return Double(slot) + dice.unit() * 30
                }
                arrivals.sort()
                var free = served.map { _ in 540.0 }
                for (n, arrival) in arrivals.enumerated() {
                    let k = free.indices.min { free[$0] < free[$1] }!
                    var start = max(arrival, free[k]) + 0.5
                    if start >= 720 && start < 810 { start = 810 + dice.unit() }
                    let length = service * (0.4 + 1.2 * dice.unit())
                    let t = TicketModel()
                    t.id = UUID.timeOrdered()
                    t.centerID = county
                    t.groupID = g.id!
                    t.day = day.description
                    t.sequence = n + 1
                    t.number = g.prefix + String(format: "%03d", n + 1)
                    t.ticketClass = dice.below(25) == 0 ? TicketClass.green.rawValue : TicketClass.ordinary.rawValue
                    t.source = dice.below(6) == 0 ? "phone" : "kiosk"
                    t.followToken = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                    t.issuedAt = at(arrival)
                    t.queuedAt = t.issuedAt
                    t.windowID = served[k]
                    t.staffID = seat[served[k]]
                    t.skips = 0
                    t.calls = 1
                    t.rated = false
                    t.calledAt = at(start - 0.5)
                    if dice.below(30) == 0 {
                        // Called three times and never came.
                        t.state = TicketState.expired.rawValue
                        t.calls = 3
                        t.skips = 3
                        t.finishedAt = at(start + 1)
                        free[k] = start + 1
                    } else {
                        t.state = TicketState.finished.rawValue
                        t.startedAt = at(start)
                        t.finishedAt = at(start + length)
                        free[k] = start + length
                        if dice.unit() < 0.7 {
                            t.rated = true
                            let roll = dice.below(200)
                            let level = roll < 164 ? 5 : roll < 192 ? 4 : roll < 197 ? 3 : roll < 199 ? 2 : 1
                            let r = RatingModel()
                            r.id = UUID.timeOrdered()
                            r.centerID = county
                            r.departmentID = g.departmentID
                            r.windowID = t.windowID
                            r.staffID = t.staffID
                            r.ticketID = t.id
                            r.channel = RatingChannel.windowDevice.rawValue
                            r.raterKind = RaterKind.person.rawValue
                            r.level = level
                            r.tags = level <= 2 ? RatingTag.overtime.rawValue : ""
                            r.text = ""
                            r.at = t.finishedAt! + 20_000
                            r.round = 1
                            r.excluded = false
                            r.source = ""
                            r.operatorName = ""
                            ratings.append(r)
                        }
                    }
                    tickets.append(t)
                }
            }
        }
        for chunk in stride(from: 0, to: tickets.count, by: 200) {
            try await Array(tickets[chunk..<min(chunk + 200, tickets.count)]).create(on: db)
        }
        for chunk in stride(from: 0, to: ratings.count, by: 200) {
            try await Array(ratings[chunk..<min(chunk + 200, ratings.count)]).create(on: db)
        }
        for chunk in stride(from: 0, to: events.count, by: 200) {
            try await Array(events[chunk..<min(chunk + 200, events.count)]).create(on: db)
        }
        return [
            AuditEvent(
                "queue.demoHistory", "center", id: county, center: county,
                detail: ["tickets": String(tickets.count), "ratings": String(ratings.count), "weeks": String(weeks)])
        ]
    }
}
