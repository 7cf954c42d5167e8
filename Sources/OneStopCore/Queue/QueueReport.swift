/// The hall's daily and date-range report (DOMAIN.md section 3): per group, window or staff
/// member, the tickets, wait and service times, no-shows, idle time and ratings. Times are
/// milliseconds since 1970; the report gives seconds.
public enum QueueReport {
    /// One ticket as the report needs it. `key` is the row it counts in (a group, window or staff
    /// id), nil when it belongs to none (a ticket never called has no window).
    public struct Visit: Sendable {
        public var key: String?
        public var issued: Int64
        public var called: Int64?
        public var started: Int64?
        public var finished: Int64?
        public var state: TicketState

        public init(key: String?, issued: Int64, called: Int64?, started: Int64?, finished: Int64?, state: TicketState) {
            self.key = key
            self.issued = issued
            self.called = called
            self.started = started
            self.finished = finished
            self.state = state
        }
    }

    public struct Row: Sendable, Equatable, Codable {
        public var key: String
        /// What the reader sees for the key (a group's letter and name, a window, a person); the
        /// key until the caller names it.
        public var label: String
        /// Tickets that count in the row: issued for a group; called to the window or by the staff member.
        public var tickets: Int
        public var served: Int
        /// Tickets that ended as no-shows (skipped more often than allowed).
        public var noShows: Int
        /// noShows ÷ (served + noShows); nil when neither happened.
        public var noShowRate: Double?
        public var meanWaitSeconds: Double?
        public var p90WaitSeconds: Double?
        public var meanServiceSeconds: Double?
        public var p90ServiceSeconds: Double?
        /// Signed in, not paused, and serving no one; nil for groups.
        public var idleSeconds: Int?
        public var ratings: Int
        public var notRated: Int
        public var meanRating: Double?
        /// Ratings of level 1–2 (差评).
        public var badRatings: Int
        /// Appointments booked for the row's days and not cancelled; nil where not measured
        /// (bookings are per group, not per window or person).
        public var bookings: Int?
        /// Of those, the ones nobody checked in for (爽约): the slot was freed and counted.
        public var missedBookings: Int?

        /// A row with nothing counted yet; idle time and bookings start at 0 where measured at all.
        public static func empty(_ key: String, measuresIdle: Bool, measuresBookings: Bool = false) -> Row {
            Row(
                key: key, label: key, tickets: 0, served: 0, noShows: 0, noShowRate: nil, meanWaitSeconds: nil, p90WaitSeconds: nil,
                meanServiceSeconds: nil, p90ServiceSeconds: nil, idleSeconds: measuresIdle ? 0 : nil, ratings: 0, notRated: 0,
                meanRating: nil, badRatings: 0, bookings: measuresBookings ? 0 : nil, missedBookings: measuresBookings ? 0 : nil)
        }
    }

    /// Appointments of one row: booked (not cancelled) and missed.
    public struct Bookings: Sendable, Equatable {
        public var booked: Int
        public var missed: Int

        public init(booked: Int, missed: Int) {
            self.booked = booked
            self.missed = missed
        }
    }

    /// Builds one row per key that has a visit, a rating, idle time or a booking, sorted by key.
    /// `ratings` are (key, level) with nil for "not rated"; `idle` is seconds per key; `bookings`
    /// per key where bookings are measured (groups), else nil.
    public static func rows(
        visits: [Visit], ratings: [(key: String?, level: Int?)], idle: [String: Int]?, bookings: [String: Bookings]? = nil
    ) -> [Row] {
        var waits: [String: [Double]] = [:]
        var services: [String: [Double]] = [:]
        var rows: [String: Row] = [:]
        func row(_ k: String) -> Row { rows[k] ?? .empty(k, measuresIdle: idle != nil, measuresBookings: bookings != nil) }
        for v in visits {
            guard let k = v.key else { continue }
            var r = row(k)
            r.tickets += 1
            if v.state == .finished { r.served += 1 }
            if v.state == .expired && v.called != nil { r.noShows += 1 }
            if let s = v.started {
                waits[k, default: []].append(Double(max(0, s - v.issued)) / 1000)
                if let f = v.finished, v.state == .finished { services[k, default: []].append(Double(max(0, f - s)) / 1000) }
            }
            rows[k] = r
        }
        var levels: [String: [Int]] = [:]
        for (key, level) in ratings {
            guard let k = key else { continue }
            var r = row(k)
            if let level {
                r.ratings += 1
                if level <= 2 { r.badRatings += 1 }
                levels[k, default: []].append(level)
            } else {
                r.notRated += 1
            }
            rows[k] = r
        }
        for (k, seconds) in idle ?? [:] {
            var r = row(k)
            r.idleSeconds = seconds
            rows[k] = r
        }
        for (k, b) in bookings ?? [:] {
            var r = row(k)
            r.bookings = b.booked
            r.missedBookings = b.missed
            rows[k] = r
        }
        for k in rows.keys {
            var r = rows[k]!
            let w = waits[k] ?? []
            let s = services[k] ?? []
            r.meanWaitSeconds = mean(w)
            r.p90WaitSeconds = QueueMeasures.percentile(w, 90)
            r.meanServiceSeconds = mean(s)
            r.p90ServiceSeconds = QueueMeasures.percentile(s, 90)
            let closed = r.served + r.noShows
            r.noShowRate = closed == 0 ? nil : Double(r.noShows) / Double(closed)
            r.meanRating = mean((levels[k] ?? []).map(Double.init))
            rows[k] = r
        }
        return rows.values.sorted { $0.key < $1.key }
    }

    /// Everything as one row, keyed "*".
    public static func total(
        visits: [Visit], ratings: [(key: String?, level: Int?)], idle: [String: Int]?, bookings: [String: Bookings]? = nil
    ) -> Row {
        let all = visits.map { v -> Visit in
            var v = v
            v.key = "*"
            return v
        }
        let booked = bookings.map { b in
            ["*": Bookings(booked: b.values.reduce(0) { $0 + $1.booked }, missed: b.values.reduce(0) { $0 + $1.missed })]
        }
        return rows(
            visits: all, ratings: ratings.map { (key: "*", level: $0.level) }, idle: idle.map { ["*": $0.values.reduce(0, +)] },
            bookings: booked
        ).first ?? .empty("*", measuresIdle: idle != nil, measuresBookings: bookings != nil)
    }

    static func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }

    /// A sign-in, sign-out, pause or resume of a window (or of a staff member at any window).
    public struct Event: Sendable {
        public enum Kind: String, Sendable { case signin, signout, pause, resume }
        public var kind: Kind
        public var at: Int64

        public init(kind: Kind, at: Int64) {
            self.kind = kind
            self.at = at
        }
    }

    /// Idle milliseconds: time signed in and not paused, less the time spent on tickets (called to
    /// finished). A sign-in still open at `until` counts up to `until`.
    public static func idleMillis(events: [Event], busy: [(start: Int64, end: Int64)], until: Int64) -> Int64 {
        var open: [(Int64, Int64)] = []
        var signedIn: Int64?
        var paused = false
        var since: Int64 = 0
        func close(_ t: Int64) {
            if signedIn != nil, !paused, t > since { open.append((since, t)) }
        }
        for e in events.sorted(by: { $0.at < $1.at }) {
            switch e.kind {
            case .signin:
                close(e.at)
                signedIn = e.at
                paused = false
                since = e.at
            case .signout:
                close(e.at)
                signedIn = nil
                paused = false
            case .pause:
                close(e.at)
                paused = true
            case .resume:
                if paused { since = e.at }
                paused = false
            }
        }
        if signedIn != nil { close(max(until, since)) }
        let total = open.reduce(Int64(0)) { $0 + ($1.1 - $1.0) }
        // Busy time inside the open intervals, with overlapping tickets merged.
        var merged: [(Int64, Int64)] = []
        for b in busy.filter({ $0.end > $0.start }).sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, b.start <= last.1 {
                merged[merged.count - 1].1 = max(last.1, b.end)
            } else {
                merged.append((b.start, b.end))
            }
        }
        var covered: Int64 = 0
        for (a, b) in open {
            for (c, d) in merged where c < b && d > a { covered += min(b, d) - max(a, c) }
        }
        return max(0, total - covered)
    }
}
