import Foundation

/// 值班与巡查 (issue 23, DOMAIN.md §1): who is on duty in the hall each working day — the leader
/// on duty (值班领导) and the department heads on the floor (部门领导带班) — and the patrols the
/// leader on duty records, at least `patrolsPerDay` of them (a setting, 2 by default).
public enum DutyRules {
    /// A shift on the rota.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// 值班领导: one per day.
        case leader
        /// 部门领导带班/坐班: any number per day, each for a department.
        case floor
    }

    public static let defaultPatrolsPerDay = 2
    /// The most days one change of the rota may cover: a month and a bit.
    public static let maxDaysPerChange = 62
    /// Working days a patrol finding gives the department to correct it, unless the patrol says.
    public static let defaultCorrectionDays = 3

    /// One day of the rota as it is to be: the leader on duty and the heads on the floor. A day
    /// listed in a change is replaced as a whole.
    public struct DayInput: Sendable, Equatable {
        public var day: CivilDate
        public var leader: UUID?
        public var floor: [UUID]

        public init(day: CivilDate, leader: UUID?, floor: [UUID]) { (self.day, self.leader, self.floor) = (day, leader, floor) }
    }

    /// What is wrong with a change of the rota, field by field. `working` says whether a day is a
    /// working day on the center's calendar; `today` is the center's day (days gone by can't
    /// change); `swaps` whether the change takes a day from a leader already on it — a swap (调班),
    /// which needs a reason.
    public static func rotaProblems(
        _ days: [DayInput], today: CivilDate, working: (CivilDate) -> Bool, swaps: Bool, reason: String
    ) -> [FieldError] {
        var v: [FieldError] = []
        if days.isEmpty { v.append(FieldError("rota", "required")) }
        if days.count > maxDaysPerChange { v.append(FieldError("rota", "duty.tooManyDays")) }
        if let lo = days.map(\.day).min(), let hi = days.map(\.day).max(), hi.dayNumber - lo.dayNumber >= maxDaysPerChange {
            v.append(FieldError("rota", "duty.tooManyDays"))
        }
        var seen = Set<CivilDate>()
        for (i, d) in days.enumerated() {
            if !seen.insert(d.day).inserted { v.append(FieldError("rota.\(i).day", "duty.duplicate")) }
            if d.day < today { v.append(FieldError("rota.\(i).day", "duty.pastDay")) }
            if !working(d.day) && (d.leader != nil || !d.floor.isEmpty) { v.append(FieldError("rota.\(i).day", "duty.notWorkingDay")) }
            if Set(d.floor).count != d.floor.count { v.append(FieldError("rota.\(i).floor", "duty.duplicate")) }
            if d.floor.count > 10 { v.append(FieldError("rota.\(i).floor", "tooLong")) }
        }
        if swaps && reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("reason", "duty.swapReason")) }
        return v
    }

    /// What a window looked like on a patrol (巡查): the clerk present, the counter tidy, the badge
    /// worn, the queue under control.
    public struct Observation: Codable, Sendable, Equatable {
        public var windowID: UUID
        public var present: Bool
        public var tidy: Bool
        public var badge: Bool
        public var queue: Bool
        public var note: String

        public init(windowID: UUID, present: Bool, tidy: Bool, badge: Bool, queue: Bool, note: String = "") {
            (self.windowID, self.present, self.tidy, self.badge, self.queue, self.note) = (windowID, present, tidy, badge, queue, note)
        }

        /// Everything as it should be.
        public var clean: Bool { present && tidy && badge && queue }
    }

    /// A day's patrols against the number required.
    public enum DayStatus: String, Codable, Sendable {
        /// As many patrols as required.
        case complete
        /// The day is over with fewer: flagged.
        case short
        /// Today, fewer so far.
        case open
        /// Not a working day: nothing required.
        case off
        /// A day still to come.
        case upcoming
        /// A working day gone by with nobody on duty and no patrol: flagged as a gap in the rota.
        case unplanned
    }

    /// `planned`: whether the day had a leader on duty.
    public static func status(
        day: CivilDate, today: CivilDate, working: Bool, patrols: Int, required: Int, planned: Bool = true
    )
        -> DayStatus
    {
        if !working { return .off }
        if day > today { return .upcoming }
        if !planned && patrols == 0 && day < today { return .unplanned }
        if patrols >= required { return .complete }
        return day < today ? .short : .open
    }

    /// A patrol finding's close: what was done (整改情况) is required.
    public static func closeProblems(rectification action: String) -> [FieldError] {
        action.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [FieldError("rectification", "patrol.rectificationRequired")] : []
    }
}
