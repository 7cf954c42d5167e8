/// 电子监察 — the warning levels of a timed case or task and the cards they raise (DOMAIN.md §5).
public enum WarningLevel: String, Codable, Sendable, CaseIterable, Comparable {
    /// In time, nothing due soon.
    case normal
    /// 提醒: the promised deadline is near.
    case reminder
    /// 黄牌
    case yellow
    /// 红牌
    case red

    private var rank: Int {
        switch self {
        case .normal: 0
        case .reminder: 1
        case .yellow: 2
        case .red: 3
        }
    }

    public static func < (a: WarningLevel, b: WarningLevel) -> Bool { a.rank < b.rank }
    public var messageKey: String { "supervision.level." + rawValue }
}

/// An item's supervision thresholds, in working days (configurable per item; these are the
/// defaults of DOMAIN.md §5).
public struct SupervisionThresholds: Codable, Sendable, Equatable {
    /// Reminders to the responsible staff this many working days before the promised deadline.
    public var reminderDays: [Int]
    /// Yellow card once the promised deadline is passed by this many working days.
    public var yellowAfterPromised: Int
    /// Red card once the legal deadline is passed by this many working days.
    public var redAfterLegal: Int
    /// Working days a carded department or person has to file an explanation.
    public var explainWithin: Int

    public static let standard = SupervisionThresholds(reminderDays: [3, 1], yellowAfterPromised: 1, redAfterLegal: 1, explainWithin: 3)

    public init(reminderDays: [Int], yellowAfterPromised: Int, redAfterLegal: Int, explainWithin: Int) {
        self.reminderDays = reminderDays
        self.yellowAfterPromised = yellowAfterPromised
        self.redAfterLegal = redAfterLegal
        self.explainWithin = explainWithin
    }

    /// Field errors (message keys) for thresholds an administrator typed.
    public func problems() -> [FieldError] {
        var v: [FieldError] = []
        if reminderDays.count > 5 || reminderDays.contains(where: { !(1...60).contains($0) }) {
            v.append(FieldError("reminderDays", "supervision.reminderDaysRange"))
        }
        if !(1...60).contains(yellowAfterPromised) { v.append(FieldError("yellowAfterPromised", "supervision.daysRange")) }
        if !(1...60).contains(redAfterLegal) { v.append(FieldError("redAfterLegal", "supervision.daysRange")) }
        if !(1...30).contains(explainWithin) { v.append(FieldError("explainWithin", "supervision.explainRange")) }
        return v
    }

    /// The level a clock reading stands at.
    public func level(promisedLeft: Int, legalLeft: Int) -> WarningLevel {
        if -legalLeft >= redAfterLegal { return .red }
        if -promisedLeft >= yellowAfterPromised { return .yellow }
        if let most = reminderDays.max(), promisedLeft <= most { return .reminder }
        return .normal
    }

    /// The reminder due on a reading: the smallest configured day count not above the days left,
    /// so that a sweep that missed a day still sends the one that matters now, and each is sent once.
    public func reminderDue(promisedLeft: Int) -> Int? {
        guard promisedLeft >= 0 else { return nil }
        return reminderDays.filter { promisedLeft <= $0 }.min()
    }
}

/// What supervision makes of a timed case on one day, and when it next has to look again.
public struct SupervisionCheck: Sendable, Equatable {
    public var level: WarningLevel
    /// The reminder threshold due today, if any (3 or 1 working days by default).
    public var reminder: Int?
    /// In how many working days the level or a reminder changes; nil while nothing can change
    /// (the clock is stopped, or the case is already red).
    public var nextChangeIn: Int?

    /// `promisedLeft` and `legalLeft` as of the end of today; `running` false while the clock stops.
    public static func evaluate(
        promisedLeft: Int, legalLeft: Int, running: Bool, thresholds t: SupervisionThresholds
    ) -> SupervisionCheck {
        let level = t.level(promisedLeft: promisedLeft, legalLeft: legalLeft)
        let reminder = t.reminderDue(promisedLeft: promisedLeft)
        guard running, level != .red else { return SupervisionCheck(level: level, reminder: reminder, nextChangeIn: nil) }
        // Every threshold in terms of days left to the promised deadline: the reminders, the
        // yellow card, and the red card (legal and promised limits differ by a fixed amount).
        let gap = legalLeft - promisedLeft
        let marks = t.reminderDays + [-t.yellowAfterPromised, -t.redAfterLegal - gap]
        let next = marks.filter { $0 < promisedLeft }.max()
        return SupervisionCheck(level: level, reminder: reminder, nextChangeIn: next.map { promisedLeft - $0 })
    }

    /// A co-department's task (联办件) has one deadline of its own: reminders before it, and a
    /// yellow card once it is passed by the item's yellow threshold. It has no legal limit, so no
    /// red card; once yellow, nothing further changes.
    public static func task(left: Int, thresholds t: SupervisionThresholds) -> SupervisionCheck {
        let reminder = t.reminderDue(promisedLeft: left)
        if -left >= t.yellowAfterPromised { return SupervisionCheck(level: .yellow, reminder: reminder, nextChangeIn: nil) }
        let level: WarningLevel = (t.reminderDays.max().map { left <= $0 } ?? false) ? .reminder : .normal
        let next = (t.reminderDays + [-t.yellowAfterPromised]).filter { $0 < left }.max()
        return SupervisionCheck(level: level, reminder: reminder, nextChangeIn: next.map { left - $0 })
    }
}
