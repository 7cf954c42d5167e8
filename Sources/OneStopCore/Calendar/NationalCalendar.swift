/// The official holiday arrangements that ship with OneStop (国务院办公厅关于部分节假日安排的通知).
/// Later years are imported by an administrator (`onestop calendar import`); until then a year is
/// provisional, with its statutory days off (`layer`).
public enum NationalCalendar {
    private final class Days {
        var days: [DayOverride] = []
        func off(_ from: String, _ to: String, _ name: String) {
            var d = CivilDate(from)!
            while d <= CivilDate(to)! {
                days.append(DayOverride(date: d, kind: .holiday, name: name))
                d = d.adding(days: 1)
            }
        }
        func on(_ date: String, _ name: String) {
            days.append(DayOverride(date: CivilDate(date)!, kind: .makeupWorkday, name: name))
        }
    }

    /// 2025, published 2024-11-12 (国办发明电〔2024〕12号).
    public static let year2025: [DayOverride] = {
        let d = Days()
        d.off("2025-01-01", "2025-01-01", "元旦")
        d.on("2025-01-26", "春节调休上班")
        d.off("2025-01-28", "2025-02-04", "春节")
        d.on("2025-02-08", "春节调休上班")
        d.off("2025-04-04", "2025-04-06", "清明节")
        d.on("2025-04-27", "劳动节调休上班")
        d.off("2025-05-01", "2025-05-05", "劳动节")
        d.off("2025-05-31", "2025-06-02", "端午节")
        d.on("2025-09-28", "国庆节、中秋节调休上班")
        d.off("2025-10-01", "2025-10-08", "国庆节、中秋节")
        d.on("2025-10-11", "国庆节、中秋节调休上班")
        return d.days
    }()

    /// 2026, published 2025-11-04.
    public static let year2026: [DayOverride] = {
        let d = Days()
        func off(_ from: String, _ to: String, _ name: String) { d.off(from, to, name) }
        func on(_ date: String, _ name: String) { d.on(date, name) }
        off("2026-01-01", "2026-01-03", "元旦")
        on("2026-01-04", "元旦调休上班")
        on("2026-02-14", "春节调休上班")
        off("2026-02-15", "2026-02-23", "春节")
        on("2026-02-28", "春节调休上班")
        off("2026-04-04", "2026-04-06", "清明节")
        off("2026-05-01", "2026-05-05", "劳动节")
        on("2026-05-09", "劳动节调休上班")
        off("2026-06-19", "2026-06-21", "端午节")
        on("2026-09-20", "国庆节调休上班")
        off("2026-09-25", "2026-09-27", "中秋节")
        off("2026-10-01", "2026-10-07", "国庆节")
        on("2026-10-10", "国庆节调休上班")
        return d.days
    }()

    /// The years that ship, with where they come from.
    public static let shippedYears: [(year: Int, source: String, days: [DayOverride])] = [
        (2025, "国务院办公厅关于2025年部分节假日安排的通知（2024-11-12）", year2025),
        (2026, "国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）", year2026),
    ]

    public static let shipped: [DayOverride] = year2025 + year2026

    /// The statutory days off of every year of the work calendar's span, computed once.
    static let statutory: [Int: [DayOverride]] = {
        let span = WorkCalendar.defaultSpan
        return Dictionary(uniqueKeysWithValues: (span.lowerBound.year...span.upperBound.year).map { ($0, StatutoryHolidays.days(of: $0)) })
    }()

    /// The national layer of a calendar: the imported days as they are, and for every year of the
    /// span not in `confirmed` its statutory days (an imported day of such a year still wins).
    /// Returns the days and the provisional years.
    public static func layer(imported: [DayOverride], confirmed: Set<Int>) -> (days: [DayOverride], provisional: Set<Int>) {
        let span = WorkCalendar.defaultSpan
        let provisional = Set((span.lowerBound.year...span.upperBound.year).filter { !confirmed.contains($0) })
        let derived = provisional.sorted().flatMap { statutory[$0] ?? [] }
        return (derived + imported, provisional)
    }

    /// The statutory days of one year (the provisional days of a year without an arrangement).
    public static func statutoryDays(of year: Int) -> [DayOverride] { statutory[year] ?? StatutoryHolidays.days(of: year) }
}
