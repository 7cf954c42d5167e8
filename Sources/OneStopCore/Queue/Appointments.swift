import Foundation

/// 预约 — when a service group takes appointments: the opening periods of a day, cut into slots
/// of equal length, each with the same capacity. Configured per group of a center.
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

        public var label: String { SlotPlan.clock(start) + "-" + SlotPlan.clock(end) }
        public var startLabel: String { SlotPlan.clock(start) }
    }

    public var periods: [Period]
    public var slotMinutes: Int
    public var capacity: Int
    /// How many days ahead a booking may be made (today counts as 0).
    public var daysAhead: Int

    public init(periods: [Period], slotMinutes: Int, capacity: Int, daysAhead: Int) {
        self.periods = periods
        self.slotMinutes = slotMinutes
        self.capacity = capacity
        self.daysAhead = daysAhead
    }

    /// 09:00-12:00 and 13:30-17:00, half-hour slots of 4, a week ahead.
    public static let standard = SlotPlan(
        periods: [Period(start: 540, end: 720), Period(start: 810, end: 1020)], slotMinutes: 30, capacity: 4, daysAhead: 7)

    /// The slots of a day, in order.
    public var slots: [Slot] {
        guard slotMinutes > 0 else { return [] }
        var out: [Slot] = []
        for p in periods {
            var s = p.start
            while s + slotMinutes <= p.end {
                out.append(Slot(start: s, end: s + slotMinutes))
                s += slotMinutes
            }
        }
        return out
    }

    public func slot(startingAt label: String) -> Slot? {
        guard let m = SlotPlan.minutes(label) else { return nil }
        return slots.first { $0.start == m }
    }

    /// "09:00-12:00,13:30-17:00" as the settings form shows it.
    public var periodsText: String { periods.map { SlotPlan.clock($0.start) + "-" + SlotPlan.clock($0.end) }.joined(separator: ",") }

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
    public static func problem(
        plan: SlotPlan, date: CivilDate, today: CivilDate, nowMinute: Int, isWorkingDay: Bool, slot: SlotPlan.Slot?,
        booked: Int, personHasBooking: Bool
    ) -> FieldError? {
        if plan.capacity == 0 { return FieldError("group", "queue.noAppointments") }
        if date < today || date.dayNumber > today.dayNumber + plan.daysAhead { return FieldError("date", "queue.dateOutOfRange") }
        if !isWorkingDay { return FieldError("date", "queue.closedDay") }
        guard let slot else { return FieldError("slot", "queue.noSuchSlot") }
        if date == today && slot.start <= nowMinute { return FieldError("slot", "queue.slotPast") }
        if personHasBooking { return FieldError("idNumber", "queue.alreadyBooked") }
        if booked >= plan.capacity { return FieldError("slot", "queue.slotFull") }
        return nil
    }
}
