/// The time limits of one case or task, counted in working days on its center's calendar
/// (DOMAIN.md §4).
///
/// Conventions, the same as `WorkCalendar.addWorkingDays`: the day a clock starts never counts, so
/// a case accepted on D with a 5-day limit is due at the end of the 5th working day after D. A stop
/// from day S to day E (a supplement asked for on S and received on E, a special procedure from S
/// to E) takes the working days of (S, E] out of the count: the clock runs again from the day
/// after E. An extension adds its working days to both limits.
public struct CaseClock: Sendable, Equatable {
    public struct Stop: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Codable {
            case supplement
            case special
        }

        public var kind: Kind
        public var from: CivilDate
        /// Nil while the clock is stopped.
        public var to: CivilDate?

        public init(_ kind: Kind, from: CivilDate, to: CivilDate? = nil) {
            self.kind = kind
            self.from = from
            self.to = to
        }
    }

    public var started: CivilDate
    public var promisedDays: Int
    public var legalDays: Int
    public var extensionDays: Int
    public var stops: [Stop]

    public init(started: CivilDate, promisedDays: Int, legalDays: Int, extensionDays: Int = 0, stops: [Stop] = []) {
        self.started = started
        self.promisedDays = promisedDays
        self.legalDays = legalDays
        self.extensionDays = extensionDays
        self.stops = stops
    }

    public var isStopped: Bool { stops.contains { $0.to == nil } }

    /// Where the clock stands at the end of a day.
    public struct Reading: Sendable, Equatable {
        /// Working days counted so far (stops excluded).
        public var used: Int
        /// Working days left to the promised and the legal limit; negative when overdue.
        public var promisedLeft: Int
        public var legalLeft: Int
        /// The due dates; nil while the clock is stopped (they move with the stop).
        public var promisedDue: CivilDate?
        public var legalDue: CivilDate?
        public var stopped: Bool
    }

    /// Nil only when a date lies outside the calendar's span.
    public func reading(on day: CivilDate, calendar: WorkCalendar) -> Reading? {
        guard let used = used(by: day, calendar: calendar) else { return nil }
        let promised = promisedDays + extensionDays
        let legal = legalDays + extensionDays
        return Reading(
            used: used, promisedLeft: promised - used, legalLeft: legal - used,
            promisedDue: due(after: promised, calendar: calendar), legalDue: due(after: legal, calendar: calendar),
            stopped: isStopped)
    }

    /// Working days counted from the start to the end of `day`, stops taken out.
    public func used(by day: CivilDate, calendar: WorkCalendar) -> Int? {
        guard day > started else { return 0 }
        guard var used = calendar.countWorkingDays(from: started, to: day) else { return nil }
        for stop in stops where stop.from < day {
            let end = min(stop.to ?? day, day)
            guard end > stop.from, let paused = calendar.countWorkingDays(from: max(stop.from, started), to: end) else { continue }
            used -= max(0, paused)
        }
        return used
    }

    /// The day the clock reaches `limit` working days; nil while it is stopped before reaching it.
    public func due(after limit: Int, calendar: WorkCalendar) -> CivilDate? {
        var remaining = limit
        var cursor = started
        for stop in stops.sorted(by: { $0.from < $1.from }) {
            let from = max(stop.from, cursor)
            guard let available = calendar.countWorkingDays(from: cursor, to: from) else { return nil }
            if available >= remaining { return calendar.addWorkingDays(remaining, to: cursor) }
            remaining -= max(0, available)
            guard let to = stop.to else { return nil }
            cursor = max(cursor, to)
        }
        return calendar.addWorkingDays(remaining, to: cursor)
    }

    /// 5 working days to ask for supplements after materials are received (行政许可法 第三十二条):
    /// after the end of this day, the application counts as accepted on the day it was received.
    public static func supplementNoticeDeadline(received: CivilDate, calendar: WorkCalendar) -> CivilDate? {
        calendar.addWorkingDays(5, to: received)
    }

    /// 送达: a decision is delivered within 10 working days of being made (行政许可法 第四十四条).
    public static func deliveryDeadline(decided: CivilDate, calendar: WorkCalendar) -> CivilDate? {
        calendar.addWorkingDays(10, to: decided)
    }
}
