import Testing

@testable import OneStopCore

@Suite("Extended-hours slots")
struct ExtendedHoursRulesTests {
    let plan = SlotPlan(
        periods: [.init(start: 540, end: 720), .init(start: 810, end: 1020)], slotMinutes: 30, capacity: 2, daysAhead: 7,
        extended: [.init(start: 720, end: 780)], weekend: [.init(start: 540, end: 600)])

    @Test("a working day has office and extended slots in order; a weekend its own; a holiday or closure none")
    func slotsByDay() {
        let work = plan.slots(on: .workday)
        #expect(work.count == 6 + 7 + 2)
        #expect(work.filter(\.extended).map(\.startLabel) == ["12:00", "12:30"])
        #expect(work.map(\.start) == work.map(\.start).sorted())
        #expect(plan.slots(on: .makeupWorkday) == work)
        #expect(plan.slots(on: .weekend).map(\.startLabel) == ["09:00", "09:30"])
        #expect(plan.slots(on: .holiday).isEmpty && plan.slots(on: .closure).isEmpty)
        #expect(plan.slot(startingAt: "12:00", on: .weekend) == nil)
        #expect(plan.slot(startingAt: "09:00", on: .weekend)?.extended == true)
        #expect(SlotPlan.standard.slots(on: .weekend).isEmpty, "no extended hours unless set")
    }

    @Test("extended periods may not overlap office hours and must hold a slot; empty text is none")
    func problems() {
        var p = plan
        p.extended = [.init(start: 700, end: 760)]
        #expect(p.problems().map(\.code) == ["queue.extendedOverlap"])
        p.extended = []
        p.weekend = [.init(start: 540, end: 550)]
        #expect(p.problems().map(\.field) == ["weekendPeriods"])
        #expect(SlotPlan.parseOptionalPeriods(" ") == [])
        #expect(SlotPlan.parseOptionalPeriods("12:00-13:00")?.count == 1)
        #expect(SlotPlan.parseOptionalPeriods("noon") == nil)
    }

    @Test("a weekend is bookable only for its extended hours")
    func booking() {
        let today = CivilDate(year: 2026, month: 9, day: 21)!
        let sat = CivilDate(year: 2026, month: 9, day: 26)!
        func problem(_ p: SlotPlan, _ kind: DayKind, _ slot: String) -> String? {
            BookingRule.problem(
                plan: p, date: sat, today: today, nowMinute: 600, kind: kind, slot: p.slot(startingAt: slot, on: kind), booked: 0,
                personHasBooking: false)?.code
        }
        #expect(problem(plan, .weekend, "09:00") == nil)
        #expect(problem(plan, .weekend, "12:00") == "queue.noSuchSlot")
        #expect(problem(SlotPlan.standard, .weekend, "09:00") == "queue.closedDay")
        #expect(problem(plan, .holiday, "09:00") == "queue.closedDay")
    }
}
