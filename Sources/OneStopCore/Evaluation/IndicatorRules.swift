import Foundation

/// How records become indicator counters, where a record's own shape decides (issue 21): the
/// call-back of a complaint, the 好差评 tally of a day, and how counters are stored and which
/// stored periods make up a period.
public enum IndicatorRules {
    /// A complaint's call-back as the 投诉处理满意率 counts it: nil when it does not count (the
    /// caller was not reached, or a merged order's, which its primary's call-back speaks for);
    /// else whether the caller was satisfied or basically satisfied.
    public static func callBack(outcome: String) -> Bool? {
        if outcome == WorkOrderFigures.followerOutcome { return nil }
        let parts = Set(outcome.split(separator: ",").map(String.init))
        guard !parts.isEmpty, !parts.contains("not_reached") else { return nil }
        return parts.contains(WorkOrderSatisfaction.satisfied.rawValue) || parts.contains(WorkOrderSatisfaction.basically.rawValue)
    }

    /// The 窗口服务满意率 and 差评整改按时率 counters of a day's 好差评 tally: first-round ratings
    /// given (not "not rated"; appeal-upheld ones are already out of the tally) and those of level 3
    /// or better; bad ratings due that day and those resolved in time.
    public static func ratingCounts(_ t: RatingTally) -> IndicatorCounts {
        var c = IndicatorCounts()
        c[.ratings] = t.levels.dropFirst().reduce(0, +)
        c[.ratingsGood] = t.levels.count > 3 ? t.levels[3...].reduce(0, +) : 0
        c[.badRatingsDue] = t.due
        c[.badRatingsRectifiedInTime] = t.dueOnTime
        return c
    }

    /// An item's 办理提速 — (legal − promised) ÷ legal — in basis points; nil when it lacks either
    /// limit (an immediate item, or one without a legal limit).
    public static func speedUp(legalDays: Int, promisedDays: Int) -> Int? {
        guard legalDays > 0, promisedDays > 0 else { return nil }
        return Int((Double(legalDays - promisedDays) / Double(legalDays) * 10_000).rounded())
    }

    /// Counters as stored: a JSON object of the non-zero ones, keys sorted.
    public static func encode(_ c: IndicatorCounts) -> String {
        let pairs = c.values.sorted { $0.key < $1.key }.map { "\"\($0.key.rawValue)\":\($0.value)" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// Counters from their stored form; unknown keys (a counter since retired) are skipped.
    public static func decode(_ text: String) -> IndicatorCounts {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return IndicatorCounts() }
        var c = IndicatorCounts()
        for (k, v) in object {
            guard let counter = IndicatorCounter(rawValue: k) else { continue }
            if let n = v as? Int { c[counter] += n } else if let n = v as? NSNumber { c[counter] += n.intValue }
        }
        return c
    }

    /// The stored periods whose sum is `period`: each month it covers whole (`2026-11`) and each
    /// day of the months it covers in part (`2026-12-01`).
    public static func periodKeys(_ period: EvaluationPeriod) -> [String] {
        var keys: [String] = []
        var day = period.first
        while day <= period.last {
            let month = EvaluationPeriod(.month, containing: day)
            if day == month.first, month.last <= period.last {
                keys.append(String(day.description.prefix(7)))
                day = month.last.adding(days: 1)
            } else {
                keys.append(day.description)
                day = day.adding(days: 1)
            }
        }
        return keys
    }
}
