/// 差评整改 — what happens to a bad rating (DOMAIN.md §6, issue 19): it is assigned to the
/// responsible department at once; a real-name one is called back (回访); the department rectifies
/// (整改) or explains (情况说明, where the demand has no legal basis) within the limit, on the
/// center's calendar; the rater may then rate again (round 2, kept beside round 1). A department may
/// appeal (申诉) a mistaken or malicious rating; a supervisor upholds or rejects it. An upheld
/// appeal takes the rating out of every figure and keeps it on record.

/// 好评标签 — what a good rating may praise.
public enum PraiseTag: String, CaseIterable, Sendable, Codable {
    /// 服务热情
    case warm
    /// 一次办好
    case oneTrip = "one_trip"
    /// 材料精简
    case fewerMaterials = "fewer_materials"
    /// 办理迅速
    case fast
    /// 业务精通
    case skilled
    /// 环境舒适
    case comfortable
}

/// The facts of a bad rating's handling, as stored.
public struct BadRatingCase: Sendable, Equatable {
    public enum Resolution: String, Sendable, Codable, CaseIterable {
        /// 已整改
        case rectified
        /// 已说明 (no legal basis for the demand)
        case explained
    }

    public enum Appeal: String, Sendable, Codable, CaseIterable {
        case pending
        case upheld
        case rejected
    }

    /// The rater gave an identity (real-name): a call-back is owed.
    public var realName: Bool
    /// The day it was assigned, and the last day to rectify or explain.
    public var assignedOn: CivilDate
    public var dueOn: CivilDate
    public var calledBackOn: CivilDate?
    public var resolution: Resolution?
    public var resolvedOn: CivilDate?
    public var appeal: Appeal?
    /// A second rating was given after the resolution.
    public var ratedAgain: Bool

    public init(
        realName: Bool, assignedOn: CivilDate, dueOn: CivilDate, calledBackOn: CivilDate? = nil, resolution: Resolution? = nil,
        resolvedOn: CivilDate? = nil, appeal: Appeal? = nil, ratedAgain: Bool = false
    ) {
        self.realName = realName
        self.assignedOn = assignedOn
        self.dueOn = dueOn
        self.calledBackOn = calledBackOn
        self.resolution = resolution
        self.resolvedOn = resolvedOn
        self.appeal = appeal
        self.ratedAgain = ratedAgain
    }

    /// Where the handling stands, for the worklists.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Waiting for the call-back (real-name).
        case callBackDue = "call_back_due"
        /// Waiting for the rectification or explanation.
        case resolutionDue = "resolution_due"
        /// An appeal waits for a supervisor.
        case appealPending = "appeal_pending"
        /// Rectified or explained; the rater may rate again.
        case resolved
        /// The appeal was upheld: out of every figure.
        case excluded
    }

    public var status: Status {
        if appeal == .upheld { return .excluded }
        if appeal == .pending { return .appealPending }
        if resolution != nil { return .resolved }
        if realName && calledBackOn == nil { return .callBackDue }
        return .resolutionDue
    }

    /// Past its day without a rectification or explanation (an appeal pending does not stop the
    /// clock: the department answers either way).
    public func isOverdue(on today: CivilDate) -> Bool {
        resolution == nil && appeal != .upheld && today > dueOn
    }

    /// Rectified or explained by its day.
    public var resolvedOnTime: Bool {
        guard resolution != nil, let d = resolvedOn else { return false }
        return d <= dueOn
    }

    public enum Step: Equatable, Sendable {
        case callBack
        case resolve
        case appeal
        case decideAppeal
        case rateAgain
    }

    /// Why a step cannot be taken now (a message key), or nil when it can.
    public func refusal(_ step: Step) -> String? {
        if appeal == .upheld { return "badRating.excluded" }
        switch step {
        case .callBack:
            if !realName { return "badRating.anonymous" }
            if calledBackOn != nil { return "badRating.calledBackAlready" }
        case .resolve:
            if resolution != nil { return "badRating.resolvedAlready" }
            if realName && calledBackOn == nil { return "badRating.callBackFirst" }
        case .appeal:
            if appeal != nil { return "badRating.appealedAlready" }
        case .decideAppeal:
            if appeal != .pending { return "badRating.noAppeal" }
        case .rateAgain:
            if resolution == nil { return "badRating.notResolved" }
            if ratedAgain { return "badRating.ratedAgainAlready" }
        }
        return nil
    }

    /// What supervision owes a bad rating today (issue 19): a warning to the department when its
    /// day is `warnDays` working days away or nearer, a card once its day has passed without a
    /// rectification or explanation — each once (`warned`, `carded`). Nothing once it is resolved
    /// or excluded by an upheld appeal; a pending appeal does not stop the clock.
    public enum Watch: Equatable, Sendable {
        case none
        case warn(daysLeft: Int)
        case card
    }

    public func watch(today: CivilDate, calendar: WorkCalendar, warnDays: Int, warned: Bool, carded: Bool) -> Watch {
        guard resolution == nil, appeal != .upheld else { return .none }
        if today > dueOn { return carded ? .none : .card }
        guard !warned, let left = calendar.countWorkingDays(from: today, to: dueOn), left <= warnDays else { return .none }
        return .warn(daysLeft: left)
    }

    /// Working days before its day that a bad rating's department is warned.
    public static let warnDays = 3

    /// The last day to rectify or explain: `limit` working days after the day it was assigned.
    public static func due(assignedOn: CivilDate, limit: Int, calendar: WorkCalendar) -> CivilDate? {
        calendar.addWorkingDays(limit, to: assignedOn)
    }

    /// 15 working days unless the center sets another limit (some places use 5).
    public static let defaultLimit = 15
}

extension RatingInput {
    /// The checked rating with its tags by kind: a bad rating's reasons (at least one), a good
    /// one's praise (any), each from its own list.
    public func checkedWithPraise() -> Result<(RatingLevel, reasons: [RatingTag], praise: [PraiseTag], text: String), ValidationFailure> {
        var v = Validator()
        let level = level.flatMap(RatingLevel.init(rawValue:))
        if level == nil { v.add("ratingLevel", self.level == nil ? "required" : "rating.levelRange") }
        var reasons: [RatingTag] = []
        var praise: [PraiseTag] = []
        for raw in tags where !raw.isEmpty {
            if let level, level.isBad {
                guard let t = RatingTag(rawValue: raw) else {
                    v.add("tags", PraiseTag(rawValue: raw) == nil ? "invalidChoice" : "rating.praiseOnBad")
                    break
                }
                if !reasons.contains(t) { reasons.append(t) }
            } else {
                guard let t = PraiseTag(rawValue: raw) else {
                    v.add("tags", RatingTag(rawValue: raw) == nil ? "invalidChoice" : "rating.reasonOnGood")
                    break
                }
                if !praise.contains(t) { praise.append(t) }
            }
        }
        if let level, level.isBad, reasons.isEmpty, !v.errors.contains(where: { $0.field == "tags" }) {
            v.add("tags", "rating.tagsRequired")
        }
        let t = v.text("text", text, max: 500, required: false)
        guard v.errors.isEmpty, let level else { return .failure(ValidationFailure(v.errors)) }
        return .success((level, reasons, praise, t))
    }
}
