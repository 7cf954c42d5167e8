/// 农历 — the Chinese lunisolar calendar as GB/T 33661-2017 defines it: a month begins on the
/// day of new moon (Beijing time); the month holding the December solstice (冬至) is the 11th; in a
/// year of 13 months between two such months, the first month with no principal term (中气) is
/// the leap month and takes the number of the month before it.
public enum ChineseCalendar {
    /// One lunar month: its number (1…12), whether it is a leap month, and its first day.
    public struct Month: Sendable, Equatable {
        public var number: Int
        public var isLeap: Bool
        public var firstDay: CivilDate
    }

    /// The months from the 11th month before Gregorian `year`'s lunar new year up to, not
    /// including, the 11th month of `year` (the 岁 between two December solstices), with the day
    /// after the last one's end.
    public static func months(endingIn year: Int) -> (months: [Month], end: CivilDate) {
        let solstice1 = Astronomy.solarTerm(longitude: 270, year: year - 1)
        let solstice2 = Astronomy.solarTerm(longitude: 270, year: year)
        let d1 = Astronomy.beijingDay(solstice1)
        let d2 = Astronomy.beijingDay(solstice2)
        // The new moon starting the month that holds each solstice (compared as Beijing days).
        func monthStart(holding day: CivilDate, near jde: Double) -> Int {
            var k = Astronomy.newMoonIndex(atOrBefore: jde + 1)
            while Astronomy.beijingDay(Astronomy.newMoon(k)) > day { k -= 1 }
            while Astronomy.beijingDay(Astronomy.newMoon(k + 1)) <= day { k += 1 }
            return k
        }
        let k1 = monthStart(holding: d1, near: solstice1)
        let k2 = monthStart(holding: d2, near: solstice2)
        let starts = (k1...k2).map { Astronomy.beijingDay(Astronomy.newMoon($0)) }
        var leapIndex: Int? = nil
        if k2 - k1 == 13 {
            // Principal terms of the 岁: 冬至 (270°) and every 30° after it, to the next 冬至.
            let terms = (0...12).map { i -> CivilDate in
                let longitude = Astronomy.normalized(270 + 30 * Double(i))
                return Astronomy.beijingDay(
                    Astronomy.solarTerm(longitude: longitude, near: solstice1 + Double(i) * 365.2422 / 12))
            }
            for i in 1..<13 where !terms.contains(where: { $0 >= starts[i] && $0 < starts[i + 1] }) {
                leapIndex = i
                break
            }
        }
        var months: [Month] = []
        var number = 11
        for i in 0..<(k2 - k1) {
            if i == leapIndex {
                months.append(Month(number: number, isLeap: true, firstDay: starts[i]))
                continue
            }
            if i > 0 { number = number % 12 + 1 }
            months.append(Month(number: number, isLeap: false, firstDay: starts[i]))
        }
        return (months, starts[k2 - k1])
    }

    /// The Gregorian date of day `day` of (non-leap) month `month` of the lunar year that begins
    /// in Gregorian `year`.
    public static func date(year: Int, month: Int, day: Int) -> CivilDate? {
        date(month: month, day: day, in: months(endingIn: year).months)
    }

    /// Day `day` of (non-leap) month `month` of the lunar year that begins inside `months`.
    static func date(month: Int, day: Int, in months: [Month]) -> CivilDate? {
        // The first month numbered 1 in the 岁 begins the lunar year; months after it run to 10.
        guard let first = months.firstIndex(where: { $0.number == 1 && !$0.isLeap }),
            let index = months[first...].firstIndex(where: { $0.number == month && !$0.isLeap })
        else { return nil }
        return months[index].firstDay.adding(days: day - 1)
    }

    /// 春节: the first day of the lunar year that begins in Gregorian `year`.
    public static func newYear(_ year: Int) -> CivilDate { date(year: year, month: 1, day: 1)! }

    /// The leap month of the lunar year beginning in Gregorian `year` (0 when none).
    public static func leapMonth(_ year: Int) -> Int {
        let this = months(endingIn: year).months
        let next = months(endingIn: year + 1).months
        let newYear = this.first { $0.number == 1 && !$0.isLeap }!.firstDay
        let nextNewYear = next.first { $0.number == 1 && !$0.isLeap }!.firstDay
        return (this + next).first { $0.isLeap && $0.firstDay > newYear && $0.firstDay < nextNewYear }?.number ?? 0
    }

    /// 清明: the day the sun reaches 15° in Gregorian `year`.
    public static func qingming(_ year: Int) -> CivilDate {
        Astronomy.beijingDay(Astronomy.solarTerm(longitude: 15, year: year))
    }
}
