/// 法定节假日 — the days 《全国年节及纪念日放假办法》 gives every citizen off, as in force on each
/// date (DOMAIN.md §4). They are what a year's calendar is known to hold before the State
/// Council's yearly notice (bridging days and make-up workdays cannot be derived): a year without
/// an imported notice is *provisional*, with exactly these days off.
public enum StatutoryHolidays {
    /// One version of the regulation and the day it took effect.
    struct Version: Sendable {
        var from: CivilDate
        var days: @Sendable (Feasts) -> [(CivilDate, String)]
    }

    /// The movable feasts of one Gregorian year, computed once.
    struct Feasts {
        var year: Int
        /// 正月初一, 五月初五, 八月十五 of the lunar year beginning in `year`, and 清明.
        var newYear: CivilDate
        var duanwu: CivilDate
        var zhongqiu: CivilDate
        var qingming: CivilDate

        init(_ year: Int) {
            self.year = year
            let months = ChineseCalendar.months(endingIn: year).months
            func day(_ month: Int, _ d: Int) -> CivilDate { ChineseCalendar.date(month: month, day: d, in: months)! }
            newYear = day(1, 1)
            duanwu = day(5, 5)
            zhongqiu = day(8, 15)
            qingming = ChineseCalendar.qingming(year)
        }
    }

    private static func fixed(_ year: Int, _ month: Int, _ days: ClosedRange<Int>, _ name: String) -> [(CivilDate, String)] {
        days.map { (CivilDate(year: year, month: month, day: $0)!, name) }
    }

    private static func springFestival(_ f: Feasts, eve: Bool, days: Int) -> [(CivilDate, String)] {
        let first = f.newYear
        return (eve ? [(first.adding(days: -1), "春节")] : []) + (0..<days).map { (first.adding(days: $0), "春节") }
    }

    /// 1949 (政务院), 1999 and 2007, 2013 and 2024 (国务院令 第270、513、644、795号) revisions.
    static let versions: [Version] = [
        Version(from: CivilDate(year: 1949, month: 12, day: 23)!) { f in
            fixed(f.year, 1, 1...1, "元旦") + springFestival(f, eve: false, days: 3) + fixed(f.year, 5, 1...1, "劳动节")
                + fixed(f.year, 10, 1...2, "国庆节")
        },
        Version(from: CivilDate(year: 1999, month: 9, day: 18)!) { f in
            fixed(f.year, 1, 1...1, "元旦") + springFestival(f, eve: false, days: 3) + fixed(f.year, 5, 1...3, "劳动节")
                + fixed(f.year, 10, 1...3, "国庆节")
        },
        Version(from: CivilDate(year: 2008, month: 1, day: 1)!) { f in
            fixed(f.year, 1, 1...1, "元旦") + springFestival(f, eve: true, days: 2) + [(f.qingming, "清明节")]
                + fixed(f.year, 5, 1...1, "劳动节") + [(f.duanwu, "端午节"), (f.zhongqiu, "中秋节")] + fixed(f.year, 10, 1...3, "国庆节")
        },
        Version(from: CivilDate(year: 2014, month: 1, day: 1)!) { f in
            fixed(f.year, 1, 1...1, "元旦") + springFestival(f, eve: false, days: 3) + [(f.qingming, "清明节")]
                + fixed(f.year, 5, 1...1, "劳动节") + [(f.duanwu, "端午节"), (f.zhongqiu, "中秋节")] + fixed(f.year, 10, 1...3, "国庆节")
        },
        Version(from: CivilDate(year: 2025, month: 1, day: 1)!) { f in
            fixed(f.year, 1, 1...1, "元旦") + springFestival(f, eve: true, days: 3) + [(f.qingming, "清明节")]
                + fixed(f.year, 5, 1...2, "劳动节") + [(f.duanwu, "端午节"), (f.zhongqiu, "中秋节")] + fixed(f.year, 10, 1...3, "国庆节")
        },
    ]

    /// The statutory days off of Gregorian `year`, each under the version in force on it, in order.
    /// (春节 falls between January 21 and February 20, so 除夕 is always in the same year.)
    public static func days(of year: Int) -> [DayOverride] {
        func version(on date: CivilDate) -> Int? { versions.lastIndex { $0.from <= date } }
        let first = CivilDate(year: year, month: 1, day: 1)!
        let last = CivilDate(year: year, month: 12, day: 31)!
        let feasts = Feasts(year)
        var out: [CivilDate: String] = [:]
        for (i, v) in versions.enumerated() where v.from <= last && (i + 1 == versions.count || versions[i + 1].from > first) {
            for (date, name) in v.days(feasts) where date.year == year && version(on: date) == i { out[date] = name }
        }
        return out.keys.sorted().map { DayOverride(date: $0, kind: .holiday, name: out[$0]!) }
    }
}
