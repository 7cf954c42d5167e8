/// 因日历调整重新计时 — what a change of the calendar does to an open clock's warnings
/// (DOMAIN.md §4, §5). The clock's due dates are laid again on the new calendar; a warning the old
/// calendar raised and the new one would not is withdrawn (with its reason, never deleted), and
/// the case keeps only the level and reminder the new dates justify. A warning the new calendar
/// raises that the old did not is left to supervision's next look, which issues it as usual.
public struct RetimedWarnings: Sendable, Equatable {
    /// The level to store now: never above the one stored, never above what the new dates give.
    public var level: WarningLevel
    /// The smallest reminder threshold that still counts as sent (nil: none).
    public var reminded: Int?
    /// Cards to withdraw: "yellow", "red".
    public var withdrawCards: [String]
    /// Whether a reminder sent under the old dates is void now (more days are left than it said).
    public var withdrawReminder: Bool

    /// `promisedLeft` and `legalLeft` as of the end of today on the new calendar.
    public static func after(
        level old: WarningLevel, reminded: Int?, promisedLeft: Int, legalLeft: Int, thresholds t: SupervisionThresholds
    ) -> RetimedWarnings {
        let now = t.level(promisedLeft: promisedLeft, legalLeft: legalLeft)
        var cards: [String] = []
        if old >= .yellow, now < .yellow { cards.append("yellow") }
        if old == .red, now < .red { cards.append("red") }
        var kept = reminded
        var withdrawReminder = false
        if let sent = reminded, sent < promisedLeft {
            // The reminders sent for fewer days than are left now said the wrong thing; the larger
            // thresholds that the days left still reach stay sent.
            withdrawReminder = true
            kept = t.reminderDays.filter { $0 >= promisedLeft && $0 >= sent }.min()
        }
        return RetimedWarnings(level: min(old, now), reminded: kept, withdrawCards: cards, withdrawReminder: withdrawReminder)
    }

    /// A co-department's task: one deadline, and no legal limit, so no red card.
    public static func task(level old: WarningLevel, reminded: Int?, left: Int, thresholds t: SupervisionThresholds) -> RetimedWarnings {
        after(level: min(old, .yellow), reminded: reminded, promisedLeft: left, legalLeft: Int.max / 2, thresholds: t)
    }
}
