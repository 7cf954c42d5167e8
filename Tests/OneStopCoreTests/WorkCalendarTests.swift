import Testing

@testable import OneStopCore

@Suite("Work calendar")
struct WorkCalendarTests {
    let cal = WorkCalendar(NationalCalendar.year2026)

    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test("civil dates round-trip through day numbers and know their weekday")
    func civilDates() {
        #expect(d("1970-01-01").dayNumber == 0)
        #expect(d("2026-10-01").weekday == 4)  // a Thursday
        #expect(d("2026-02-14").weekday == 6)  // Saturday
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(dayNumber: n).dayNumber == n)
        }
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("20261001") == d("2026-10-01"))
        #expect(CivilDate("2026-1-1") == nil)
        #expect(CivilDate("2026-13-01") == nil && CivilDate("2026-00-10") == nil && CivilDate("2026-04-31") == nil)
        #expect(CivilDate("2026-0a-01") == nil && CivilDate("2026/10/01") == nil)
        #expect(CivilDate(" 2026-10-01 ") == d("2026-10-01"))
        // Every day of a span reads back from its text.
        for n in stride(from: -2000, through: 80_000, by: 7) {
            let day = CivilDate(dayNumber: n)
            #expect(CivilDate(day.description) == day)
        }
    }

    @Test(
        "2026 holidays are off and the make-up weekend days are on",
        arguments: [
            ("2026-01-01", false), ("2026-01-03", false), ("2026-01-04", true), ("2026-02-14", true),
            ("2026-02-15", false), ("2026-02-23", false), ("2026-02-24", true), ("2026-02-28", true),
            ("2026-03-01", false), ("2026-04-06", false), ("2026-05-05", false), ("2026-05-09", true),
            ("2026-06-19", false), ("2026-09-20", true), ("2026-09-25", false), ("2026-10-07", false),
            ("2026-10-08", true), ("2026-10-10", true), ("2026-10-11", false), ("2026-11-20", true),
        ])
    func workingDays(date: String, working: Bool) {
        #expect(cal.isWorkingDay(d(date)) == working)
    }

    @Test("adding working days skips holidays and counts make-up days")
    func addWorkingDays() {
        #expect(cal.addWorkingDays(1, to: d("2026-09-30")) == d("2026-10-08"))
        #expect(cal.addWorkingDays(3, to: d("2026-09-30")) == d("2026-10-10"))  // Saturday, a make-up day
        #expect(cal.addWorkingDays(1, to: d("2026-09-24")) == d("2026-09-28"))
        #expect(cal.addWorkingDays(1, to: d("2026-02-13")) == d("2026-02-14"))
        #expect(cal.addWorkingDays(2, to: d("2026-02-13")) == d("2026-02-24"))
        // Starting on a holiday: the clock runs from the next working day.
        #expect(cal.addWorkingDays(1, to: d("2026-10-03")) == d("2026-10-08"))
        #expect(cal.addWorkingDays(0, to: d("2026-10-03")) == d("2026-10-03"))
        #expect(cal.addWorkingDays(-1, to: d("2026-10-08")) == d("2026-09-30"))
        #expect(cal.addWorkingDays(-1, to: d("2026-10-03")) == d("2026-09-30"))
        // A 20-working-day limit accepted on 2026-09-21 runs over National Day.
        #expect(cal.addWorkingDays(20, to: d("2026-09-21")) == d("2026-10-26"))
    }

    @Test("counting working days is the inverse of adding them")
    func countWorkingDays() {
        #expect(cal.countWorkingDays(from: d("2026-09-30"), to: d("2026-10-10")) == 3)
        #expect(cal.countWorkingDays(from: d("2026-10-10"), to: d("2026-09-30")) == -3)
        #expect(cal.countWorkingDays(from: d("2026-01-01"), to: d("2026-12-31")) == 248)
        var g = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let start = CivilDate(dayNumber: d("2025-06-01").dayNumber + Int(g.next() % 700))
            let n = Int(g.next() % 60) + 1
            let end = cal.addWorkingDays(n, to: start)!
            #expect(cal.countWorkingDays(from: start, to: end) == n)
            #expect(cal.isWorkingDay(end))
            #expect(end == naiveAdd(n, to: start))
        }
    }

    func naiveAdd(_ n: Int, to start: CivilDate) -> CivilDate {
        var d = start
        var left = n
        while left > 0 {
            d = d.adding(days: 1)
            if cal.isWorkingDay(d) { left -= 1 }
        }
        return d
    }

    @Test("a center's own layer overrides the national one, and closures stop the clock")
    func layers() {
        let local = [DayOverride(date: d("2026-10-08"), kind: .closure, name: "暴雨停办")]
        let c = WorkCalendar(layers: [NationalCalendar.year2026, local])
        #expect(c.kind(of: d("2026-10-08")) == .closure)
        #expect(c.name(of: d("2026-10-08")) == "暴雨停办")
        #expect(c.addWorkingDays(1, to: d("2026-09-30")) == d("2026-10-09"))
        #expect(cal.addWorkingDays(1, to: d("2026-09-30")) == d("2026-10-08"))
    }

    @Test("outside the span the weekend rule still answers, and arithmetic says nil")
    func span() {
        #expect(cal.kind(of: d("1900-01-06")) == .weekend)
        #expect(cal.addWorkingDays(5, to: d("1900-01-01")) == nil)
        #expect(cal.addWorkingDays(10, to: d("2150-12-30")) == nil)
    }
}

/// A tiny deterministic generator so property tests repeat exactly.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
