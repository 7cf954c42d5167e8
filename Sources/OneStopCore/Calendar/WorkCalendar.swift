/// 工作日历 — a center's working-day calendar, precomputed so that every query is a few array reads.
///
/// Time limits in DOMAIN.md §4 are counted in working days. `cumulative[i]` holds the number of
/// working days strictly before day `first + i`, and `workdays` lists the day numbers of every
/// working day in order, so "is it a working day", "add N working days" and "count working days"
/// are O(1) however many holidays lie between.
public struct WorkCalendar: Sendable {
    /// The span a calendar covers. Queries outside it fall back to the weekend rule.
    public static let defaultSpan =
        CivilDate(year: 1990, month: 1, day: 1)!...CivilDate(
            year: 2150, month: 12, day: 31)!

    public let span: ClosedRange<CivilDate>
    private let first: Int
    private let kinds: [DayKind]
    private let names: [Int: String]
    private let cumulative: [Int32]
    private let workdays: [Int32]
    /// Years whose national arrangement is not imported: only their statutory days are off, and
    /// every date computed in them says so (DOMAIN.md §4).
    public let provisionalYears: Set<Int>

    /// Builds a calendar from layered overrides: later layers win (national, then each ancestor
    /// center, then the center itself).
    public init(
        layers: [[DayOverride]], provisionalYears: Set<Int> = [], span: ClosedRange<CivilDate> = WorkCalendar.defaultSpan
    ) {
        self.span = span
        self.provisionalYears = provisionalYears
        let first = span.lowerBound.dayNumber
        let count = span.upperBound.dayNumber - first + 1
        var kinds = [DayKind](repeating: .workday, count: count)
        for i in 0..<count {
            // (first + i + 3) mod 7 gives 0 = Monday; 5 and 6 are the weekend.
            let w = ((first + i + 3) % 7 + 7) % 7
            if w >= 5 { kinds[i] = .weekend }
        }
        var names: [Int: String] = [:]
        for layer in layers {
            for o in layer {
                let i = o.date.dayNumber - first
                guard i >= 0, i < count else { continue }
                kinds[i] = o.kind.dayKind
                names[o.date.dayNumber] = o.name
            }
        }
        var cumulative = [Int32](repeating: 0, count: count + 1)
        var workdays: [Int32] = []
        workdays.reserveCapacity(count * 5 / 7 + 16)
        for i in 0..<count {
            let working = kinds[i].isWorkingDay
            cumulative[i + 1] = cumulative[i] + (working ? 1 : 0)
            if working { workdays.append(Int32(first + i)) }
        }
        self.first = first
        self.kinds = kinds
        self.names = names
        self.cumulative = cumulative
        self.workdays = workdays
    }

    public init(_ overrides: [DayOverride]) { self.init(layers: [overrides]) }

    public func kind(of date: CivilDate) -> DayKind {
        let i = date.dayNumber - first
        guard i >= 0, i < kinds.count else { return date.isWeekend ? .weekend : .workday }
        return kinds[i]
    }

    /// The holiday, make-up or closure name of a day, if it has one.
    public func name(of date: CivilDate) -> String? { names[date.dayNumber] }

    public func isWorkingDay(_ date: CivilDate) -> Bool { kind(of: date).isWorkingDay }

    /// Whether the day lies in a provisional year.
    public func isProvisional(_ date: CivilDate) -> Bool { provisionalYears.contains(date.year) }

    /// Whether a date computed by counting from `from` to `to` rests on a provisional year.
    public func isProvisional(from: CivilDate, to: CivilDate) -> Bool {
        guard !provisionalYears.isEmpty else { return false }
        let (a, b) = from <= to ? (from.year, to.year) : (to.year, from.year)
        return (a...b).contains { provisionalYears.contains($0) }
    }

    public func contains(_ date: CivilDate) -> Bool { span.contains(date) }

    /// The date `n` working days after `start` (before it, when `n` is negative); `start` itself
    /// never counts, so a 20-working-day limit accepted on day D ends on the 20th working day
    /// after D. `n == 0` returns `start`. Nil when the answer falls outside the calendar's span.
    public func addWorkingDays(_ n: Int, to start: CivilDate) -> CivilDate? {
        if n == 0 { return start }
        let i = start.dayNumber - first
        guard i >= 0, i < kinds.count else { return nil }
        // Working days strictly before `start`, plus one if `start` itself is one.
        let upTo = Int(cumulative[i + 1])
        let before = Int(cumulative[i])
        let target = n > 0 ? upTo + n - 1 : before + n
        guard target >= 0, target < workdays.count else { return nil }
        return CivilDate(dayNumber: Int(workdays[target]))
    }

    /// Working days in the half-open interval (from, to]: the days a clock started on `from` has
    /// consumed by the end of `to`. Negative when `to` is before `from`. Nil outside the span.
    public func countWorkingDays(from: CivilDate, to: CivilDate) -> Int? {
        let a = from.dayNumber - first
        let b = to.dayNumber - first
        guard a >= 0, b >= 0, a < kinds.count, b < kinds.count else { return nil }
        return Int(cumulative[b + 1]) - Int(cumulative[a + 1])
    }

    /// Every day of one month with its kind, for the month grid.
    public func month(year: Int, month: Int) -> [(date: CivilDate, kind: DayKind, name: String?)] {
        (1...CivilDate.daysIn(month: month, year: year)).compactMap { d in
            CivilDate(year: year, month: month, day: d).map { ($0, kind(of: $0), name(of: $0)) }
        }
    }
}
