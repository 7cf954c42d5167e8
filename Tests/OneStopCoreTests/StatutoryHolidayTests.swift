import Testing

@testable import OneStopCore

@Suite("Statutory holidays and provisional years")
struct StatutoryHolidayTests {
    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test("new year, leap month, 清明, 端午 and 中秋 agree with the reference table, 1990–2150")
    func referenceTable() {
        var checked = 0
        for line in LunarReference.table.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            let year = Int(f[0])!
            func date(_ mmdd: String) -> CivilDate { CivilDate("\(year)-\(mmdd)")! }
            #expect(ChineseCalendar.newYear(year) == date(f[1]), "春节 \(year)")
            #expect(ChineseCalendar.leapMonth(year) == Int(f[2])!, "闰月 \(year)")
            #expect(ChineseCalendar.qingming(year) == date(f[3]), "清明 \(year)")
            #expect(ChineseCalendar.date(year: year, month: 5, day: 5) == date(f[4]), "端午 \(year)")
            #expect(ChineseCalendar.date(year: year, month: 8, day: 15) == date(f[5]), "中秋 \(year)")
            checked += 1
        }
        #expect(checked == 161)
    }

    @Test("2027's derived days are the ones DOMAIN.md names")
    func year2027() {
        let days = StatutoryHolidays.days(of: 2027)
        #expect(
            days.map(\.date.description) == [
                "2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-05-01", "2027-05-02",
                "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03",
            ])
        #expect(days.first { $0.date == d("2027-02-05") }?.name == "春节")
        #expect(days.first { $0.date == d("2027-09-15") }?.name == "中秋节")
    }

    @Test("every statutory day of 2025 and 2026 is off in the published arrangement", arguments: [2025, 2026])
    func publishedYearsHoldEveryStatutoryDay(year: Int) {
        let published = WorkCalendar(year == 2025 ? NationalCalendar.year2025 : NationalCalendar.year2026)
        let derived = StatutoryHolidays.days(of: year)
        #expect(derived.count == 13)
        for day in derived { #expect(!published.isWorkingDay(day.date), "\(day.date) \(day.name)") }
    }

    @Test("each year follows the regulation in force: 11 days in 2014–2024, 除夕 in 2008–2013, 劳动节 3 days in 2000–2007")
    func earlierVersions() {
        #expect(StatutoryHolidays.days(of: 2024).count == 11)
        #expect(!StatutoryHolidays.days(of: 2024).contains { $0.date == ChineseCalendar.newYear(2024).adding(days: -1) })
        #expect(StatutoryHolidays.days(of: 2010).contains { $0.date == ChineseCalendar.newYear(2010).adding(days: -1) })
        #expect(StatutoryHolidays.days(of: 2005).filter { $0.name == "劳动节" }.count == 3)
        #expect(!StatutoryHolidays.days(of: 2005).contains { $0.name == "清明节" })
        // 1999: May under the 1949 rules (one day), October under the new ones (three).
        #expect(StatutoryHolidays.days(of: 1999).filter { $0.name == "劳动节" }.count == 1)
        #expect(StatutoryHolidays.days(of: 1999).filter { $0.name == "国庆节" }.count == 3)
    }

    @Test("a provisional year counts its statutory days off and says so")
    func provisionalArithmetic() {
        let layer = NationalCalendar.layer(imported: NationalCalendar.shipped, confirmed: [2025, 2026])
        let cal = WorkCalendar(layers: [layer.days], provisionalYears: layer.provisional)
        #expect(!cal.isWorkingDay(d("2027-01-01")))
        #expect(cal.kind(of: d("2027-01-01")) == .holiday && cal.name(of: d("2027-01-01")) == "元旦")
        // Five working days from 2026-12-28 step over New Year's Day 2027.
        #expect(cal.addWorkingDays(5, to: d("2026-12-28")) == d("2027-01-05"))
        #expect(cal.isProvisional(d("2027-01-05")) && !cal.isProvisional(d("2026-12-31")))
        #expect(cal.isProvisional(from: d("2026-12-28"), to: d("2027-01-05")))
        #expect(!cal.isProvisional(from: d("2026-12-01"), to: d("2026-12-31")))
        // A confirmed year is exactly its arrangement, make-up days included.
        #expect(cal.isWorkingDay(d("2026-10-08")) && !cal.isWorkingDay(d("2026-02-23")))
        #expect(cal.isWorkingDay(d("2026-02-14")))
        // An imported day of a provisional year wins over the derived one.
        let patched = NationalCalendar.layer(
            imported: [DayOverride(date: d("2027-02-04"), kind: .holiday, name: "春节")], confirmed: [2025, 2026])
        #expect(!WorkCalendar(layers: [patched.days]).isWorkingDay(d("2027-02-04")))
        // 2027 has 261 weekdays; 7 of its 13 statutory days fall on one.
        #expect(cal.countWorkingDays(from: d("2026-12-31"), to: d("2027-12-31")) == 254)
    }
}
