import Foundation

/// 请假与销假 (issue 23): a member of window staff asks for leave, their department's chief
/// representative or the center approves it, and it is closed on return (销假). A working day on
/// which a registered clerk neither signed in to a window nor was on approved leave is an absence.
public enum LeaveRules {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// 事假
        case personal
        /// 病假
        case sick
        /// 年休假
        case annual
        /// 公假 (training, meetings, called away by the department)
        case official
        case other
    }

    public enum State: String, Codable, Sendable, CaseIterable {
        case requested, approved, refused
        /// 销假: closed on return.
        case ended
    }

    /// The longest leave one request may ask for.
    public static let maxDays = 90
    /// How far back a request may start: leave for an illness is often asked for on return.
    public static let backdateDays = 7

    /// What is wrong with a request. `overlaps`: whether it overlaps a leave of the same person
    /// that is asked for or approved.
    public static func requestProblems(from: CivilDate?, to: CivilDate?, today: CivilDate, reason: String, overlaps: Bool) -> [FieldError] {
        var v: [FieldError] = []
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("reason", "required")) }
        guard let from, let to else { return v }
        if to < from { v.append(FieldError("to", "leave.endsBeforeStart")) }
        if to.dayNumber - from.dayNumber >= maxDays { v.append(FieldError("to", "leave.tooLong")) }
        if from.dayNumber < today.dayNumber - backdateDays { v.append(FieldError("from", "leave.tooFarBack")) }
        if overlaps { v.append(FieldError("from", "leave.overlap")) }
        return v
    }

    /// Whether two spans of days share a day.
    public static func overlap(_ a: (CivilDate, CivilDate), _ b: (CivilDate, CivilDate)) -> Bool {
        a.0 <= b.1 && b.0 <= a.1
    }

    /// The days a leave keeps someone away: approved, its span; ended, its span up to the day
    /// before the return (a return on the first day covers nothing).
    public static func covers(state: State, from: CivilDate, to: CivilDate, returnedOn: CivilDate?, day: CivilDate) -> Bool {
        switch state {
        case .approved: return from <= day && day <= to
        case .ended:
            let last = returnedOn.map { min(to, $0.adding(days: -1)) } ?? to
            return from <= day && day <= last
        case .requested, .refused: return false
        }
    }

    /// Which transitions exist: a request is decided once, an approved leave is ended once.
    public static func mayDecide(_ state: State) -> Bool { state == .requested }
    public static func mayEnd(_ state: State) -> Bool { state == .approved }

    /// The registered staff who were neither signed in nor on leave on a working day.
    public static func absentees<ID: Hashable>(expected: [ID], signedIn: Set<ID>, onLeave: Set<ID>) -> [ID] {
        expected.filter { !signedIn.contains($0) && !onLeave.contains($0) }
    }
}
