import Foundation

/// 预约 — when a service group takes appointments: the opening periods of a day, cut into slots
/// of equal length, each with the same capacity. Configured per group of a center.
///
/// 延时服务: beyond office hours a group may offer extended-hours periods on working days (the
/// lunch break, after closing) and on ordinary weekends (not holidays or closures); their slots
/// are booked the same way and marked extended.
public struct SlotPlan: Sendable, Equatable, Codable {
    /// Minutes after midnight, start inclusive, end exclusive.
    public struct Period: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
    }

    public struct Slot: Sendable, Equatable, Hashable {
        public var start: Int
        public var end: Int
        /// An extended-hours slot (延时服务), outside office hours.
        public var extended: Bool = false

        public var label: String { SlotPlan.clock(start) + "-" + SlotPlan.clock(end) }
        public var startLabel: String { SlotPlan.clock(start) }
    }

    public var periods: [Period]
    public var slotMinutes: Int
    public var capacity: Int
    /// How many days ahead a booking may be made (today counts as 0).
    public var daysAhead: Int
    /// Extended hours on working days, outside `periods`; none by default.
    public var extended: [Period]
    /// Extended hours on ordinary weekend days; none by default.
    public var weekend: [Period]

    public init(
        periods: [Period], slotMinutes: Int, capacity: Int, daysAhead: Int, extended: [Period] = [], weekend: [Period] = []
    ) {
        self.periods = periods
        self.slotMinutes = slotMinutes
        self.capacity = capacity
        self.daysAhead = daysAhead
        self.extended = extended
        self.weekend = weekend
    }

    /// Whether the group offers any extended hours.
    public var offersExtendedHours: Bool { !extended.isEmpty || !weekend.isEmpty }

    /// 09:00-12:00 and 13:30-17:00, half-hour slots of 4, a week ahead.
    public static let standard = SlotPlan(
        periods: [Period(start: 540, end: 720), Period(start: 810, end: 1020)], slotMinutes: 30, capacity: 4, daysAhead: 7)

    /// The office-hours slots of a working day, in order.
    public var slots: [Slot] { cut(periods, extended: false) }

    /// The slots bookable on a day of this kind: office hours and extended hours on a working day,
    /// the weekend's extended hours on an ordinary weekend day, none on a holiday or closure.
    public func slots(on kind: DayKind) -> [Slot] {
        switch kind {
        case .workday, .makeupWorkday: (slots + cut(extended, extended: true)).sorted { $0.start < $1.start }
        case .weekend: cut(weekend, extended: true)
        case .holiday, .closure: []
        }
    }

    private func cut(_ list: [Period], extended: Bool) -> [Slot] {
        guard slotMinutes > 0 else { return [] }
        var out: [Slot] = []
        for p in list {
            var s = p.start
            while s + slotMinutes <= p.end {
                out.append(Slot(start: s, end: s + slotMinutes, extended: extended))
                s += slotMinutes
            }
        }
        return out
    }

    public func slot(startingAt label: String) -> Slot? { slot(startingAt: label, on: .workday) }

    public func slot(startingAt label: String, on kind: DayKind) -> Slot? {
        guard let m = SlotPlan.minutes(label) else { return nil }
        return slots(on: kind).first { $0.start == m }
    }

    /// "09:00-12:00,13:30-17:00" as the settings form shows it.
    public var periodsText: String { SlotPlan.text(periods) }
    public var extendedText: String { SlotPlan.text(extended) }
    public var weekendText: String { SlotPlan.text(weekend) }

    public static func text(_ list: [Period]) -> String {
        list.map { SlotPlan.clock($0.start) + "-" + SlotPlan.clock($0.end) }.joined(separator: ",")
    }

    /// Extended-hours periods as typed: "" is none; nil when not a list of HH:MM-HH:MM.
    public static func parseOptionalPeriods(_ text: String) -> [Period]? {
        text.trimmingCharacters(in: .whitespaces).isEmpty ? [] : parsePeriods(text)
    }

    /// Reads the periods text; nil when it is not a list of ordered, non-overlapping HH:MM-HH:MM.
    public static func parsePeriods(_ text: String) -> [Period]? {
        var out: [Period] = []
        let parts = text.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == ";" || $0 == " " })
        for part in parts {
            let ends = part.split(separator: "-")
            guard ends.count == 2, let a = minutes(String(ends[0])), let b = minutes(String(ends[1])), a < b else { return nil }
            if let last = out.last, a < last.end { return nil }
            out.append(Period(start: a, end: b))
        }
        return out.isEmpty ? nil : out
    }

    /// Field errors, named as the group form and API name them.
    public func problems() -> [FieldError] {
        var out: [FieldError] = []
        if !(5...240).contains(slotMinutes) { out.append(FieldError("slotMinutes", "queue.slotMinutesRange")) }
        if !(0...500).contains(capacity) { out.append(FieldError("slotCapacity", "queue.capacityRange")) }
        if !(0...60).contains(daysAhead) { out.append(FieldError("daysAhead", "queue.daysAheadRange")) }
        if periods.isEmpty || (slotMinutes > 0 && slots.isEmpty) { out.append(FieldError("periods", "queue.periods")) }
        if extended.contains(where: { e in periods.contains { $0.start < e.end && e.start < $0.end } }) {
            out.append(FieldError("extendedPeriods", "queue.extendedOverlap"))
        }
        if slotMinutes > 0, !extended.isEmpty, cut(extended, extended: true).isEmpty {
            out.append(FieldError("extendedPeriods", "queue.periods"))
        }
        if slotMinutes > 0, !weekend.isEmpty, cut(weekend, extended: true).isEmpty {
            out.append(FieldError("weekendPeriods", "queue.periods"))
        }
        return out
    }

    static func minutes(_ text: String) -> Int? {
        let p = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard p.count == 2, p[1].count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0...59).contains(m),
            h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    public static func clock(_ minutes: Int) -> String {
        let h = minutes / 60
        let m = minutes % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }
}

/// Whether a booking may be made: the checks that need no database, in the order a visitor meets
/// them. `today` and `date` are day numbers; `nowMinute` the minute of today.
public enum BookingRule {
    /// `kind` is what the date is on the center's calendar: a weekend day is open only for the
    /// group's weekend extended hours.
    public static func problem(
        plan: SlotPlan, date: CivilDate, today: CivilDate, nowMinute: Int, kind: DayKind, slot: SlotPlan.Slot?,
        booked: Int, personHasBooking: Bool
    ) -> FieldError? {
        if plan.capacity == 0 { return FieldError("group", "queue.noAppointments") }
        if date < today || date.dayNumber > today.dayNumber + plan.daysAhead { return FieldError("date", "queue.dateOutOfRange") }
        if plan.slots(on: kind).isEmpty { return FieldError("date", "queue.closedDay") }
        guard let slot else { return FieldError("slot", "queue.noSuchSlot") }
        if date == today && slot.start <= nowMinute { return FieldError("slot", "queue.slotPast") }
        if personHasBooking { return FieldError("idNumber", "queue.alreadyBooked") }
        if booked >= plan.capacity { return FieldError("slot", "queue.slotFull") }
        return nil
    }
}
