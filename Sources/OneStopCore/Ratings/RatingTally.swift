/// 好差评公示 — the figures of the monthly public disclosure (DOMAIN.md §6, issue 19), as a tally
/// that adds up: one per day and scope is kept current as ratings arrive, and a month (or any
/// range, or a center with its subtree) is the sum of its days, so no report scans the ratings.
///
/// What is counted where, decided here once for every page, export and assessment:
/// - levels, channels, the satisfaction rate and the average score count **first-round** ratings
///   (the service as it was given); second-round ratings are counted apart, as how the rectified
///   ratings ended;
/// - a visit the evaluator's timer closed unanswered counts as "not rated" and in no rate;
/// - a rating whose appeal was upheld counts in none of the figures, only in `excluded`;
/// - the call-back rate is real-name bad ratings called back ÷ real-name bad ratings, on the day
///   of the rating; the on-time rectification rate is bad ratings rectified or explained by their
///   deadline ÷ bad ratings whose deadline falls in the period, on the day of the deadline.
public struct RatingTally: Sendable, Equatable, Codable {
    /// First-round ratings by level; index 0 is "not rated".
    public var levels: [Int] = Array(repeating: 0, count: 6)
    public var channels: [String: Int] = [:]
    /// Bad ratings' reasons.
    public var reasons: [String: Int] = [:]
    public var realNameBad = 0
    public var calledBack = 0
    /// Bad ratings whose deadline is in the period, and those of them resolved by it.
    public var due = 0
    public var dueOnTime = 0
    public var secondRound = 0
    public var secondRoundSatisfied = 0
    /// Ratings taken out by an upheld appeal.
    public var excluded = 0

    public init() {}

    /// A rating as the tally sees it.
    public struct Rating: Sendable, Equatable {
        public var level: Int?
        public var channel: String
        public var round: Int
        public var reasons: [String]
        public var realName: Bool
        public var calledBack: Bool
        public var excluded: Bool

        public init(
            level: Int?, channel: String, round: Int = 1, reasons: [String] = [], realName: Bool = false, calledBack: Bool = false,
            excluded: Bool = false
        ) {
            self.level = level
            self.channel = channel
            self.round = round
            self.reasons = reasons
            self.realName = realName
            self.calledBack = calledBack
            self.excluded = excluded
        }
    }

    /// Counts a rating on the day it was given (`sign` −1 takes it out again, when it changes).
    public mutating func add(_ r: Rating, sign: Int = 1) {
        if r.excluded {
            excluded += sign
            return
        }
        if r.round > 1 {
            secondRound += sign
            if let l = r.level, l >= 3 { secondRoundSatisfied += sign }
            return
        }
        let l = r.level.map { min(max($0, 1), 5) } ?? 0
        levels[l] += sign
        channels[r.channel, default: 0] += sign
        if l >= 1 && l <= 2 {
            for t in r.reasons { reasons[t, default: 0] += sign }
            if r.realName {
                realNameBad += sign
                if r.calledBack { calledBack += sign }
            }
        }
        channels = channels.filter { $0.value != 0 }
        reasons = reasons.filter { $0.value != 0 }
    }

    /// Counts a bad rating on the day of its deadline: whether it was resolved by then.
    public mutating func addDue(onTime: Bool, sign: Int = 1) {
        due += sign
        if onTime { dueOnTime += sign }
    }

    public static func + (a: RatingTally, b: RatingTally) -> RatingTally {
        var s = a
        for i in 0..<6 { s.levels[i] += b.levels[i] }
        s.channels.merge(b.channels, uniquingKeysWith: +)
        s.reasons.merge(b.reasons, uniquingKeysWith: +)
        s.realNameBad += b.realNameBad
        s.calledBack += b.calledBack
        s.due += b.due
        s.dueOnTime += b.dueOnTime
        s.secondRound += b.secondRound
        s.secondRoundSatisfied += b.secondRoundSatisfied
        s.excluded += b.excluded
        return s
    }

    /// The same counts without the channels and reasons that came to zero (a rating counted and
    /// taken out again), as `add` keeps them.
    public var withoutZeros: RatingTally {
        var t = self
        t.channels = channels.filter { $0.value != 0 }
        t.reasons = reasons.filter { $0.value != 0 }
        return t
    }

    /// First-round ratings with a level.
    public var rated: Int { levels[1...].reduce(0, +) }
    public var notRated: Int { levels[0] }
    public var satisfied: Int { levels[3...].reduce(0, +) }
    public var bad: Int { levels[1] + levels[2] }

    /// 满意率: levels 3–5 ÷ all rated; nil when nothing was rated.
    public var satisfaction: Double? { rated == 0 ? nil : Double(satisfied) / Double(rated) }
    /// 平均分 on the five-level scale.
    public var average: Double? {
        rated == 0 ? nil : Double((1...5).reduce(0) { $0 + $1 * levels[$1] }) / Double(rated)
    }
    /// 回访率; nil when no real-name bad rating.
    public var callBackRate: Double? { realNameBad == 0 ? nil : Double(calledBack) / Double(realNameBad) }
    /// 按期整改率; nil when nothing fell due.
    public var onTimeRate: Double? { due == 0 ? nil : Double(dueOnTime) / Double(due) }

    /// The most frequent reasons, most first (ties by name, so the order is stable).
    public func topReasons(_ n: Int = 5) -> [(tag: String, count: Int)] {
        reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map { ($0.key, $0.value) }
    }
}
