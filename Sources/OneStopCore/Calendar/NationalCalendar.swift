/// The official holiday arrangements that ship with OneStop (国务院办公厅关于部分节假日安排的通知).
/// Later years are imported by an administrator (`onestop calendar import`).
public enum NationalCalendar {
    /// 2026, published 2025-11-04.
    public static let year2026: [DayOverride] = {
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
        return days
    }()

    public static let shipped: [DayOverride] = year2026
}
