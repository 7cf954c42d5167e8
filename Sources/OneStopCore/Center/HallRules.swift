import Foundation

/// The hall's own rules (issue 23): the center's 文明用语规范 — the polite expressions it publishes
/// in the hall and on its website, and the banned phrases a complaint, a patrol or an inspection
/// can cite — and the window units' weekly summaries (一周一小结) and volunteer ledger (志愿服务台帐).
public enum HallRules {
    /// What a center starts with.
    public static let defaultPolite = ["您好，请问您办理什么业务？", "请稍等，马上为您办理。", "请您核对一下材料。", "对不起，让您久等了。", "请慢走，欢迎再来。"]
    public static let defaultBanned = ["不知道，自己看。", "下班了，明天再来。", "不归我管。", "急什么，没看见我在忙吗？"]

    /// A phrase list as set: at most 100 phrases of at most 100 characters, none twice.
    public static func phraseProblems(_ list: [String], field: String) -> [FieldError] {
        var v: [FieldError] = []
        if list.count > 100 { v.append(FieldError(field, "tooLong")) }
        if list.contains(where: { $0.count > 100 }) { v.append(FieldError(field, "tooLong")) }
        if Set(list).count != list.count { v.append(FieldError(field, "duty.duplicate")) }
        return v
    }

    /// The lines of a text box, trimmed, without the empty ones.
    public static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A weekly summary: its week must have begun, and it says something.
    public static func summaryProblems(week: CivilDate?, today: CivilDate, summary: String) -> [FieldError] {
        var v: [FieldError] = []
        if summary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("summary", "required")) }
        if let week, week > today { v.append(FieldError("week", "staff.future")) }
        return v
    }

    /// The Monday of `day`'s week: a summary's week is named by it.
    public static func monday(of day: CivilDate) -> CivilDate { day.adding(days: 1 - day.weekday) }

    /// A volunteer service: who, when (not ahead), what, 0.5–24 hours.
    public static func volunteerProblems(
        volunteer: String, day: CivilDate?, today: CivilDate, activity: String, hoursTenths: Int?
    )
        -> [FieldError]
    {
        var v: [FieldError] = []
        if volunteer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("volunteer", "required")) }
        if activity.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("activity", "required")) }
        if let day, day > today { v.append(FieldError("day", "staff.future")) }
        if let h = hoursTenths {
            if !(5...240).contains(h) { v.append(FieldError("hours", "hall.volunteerHours")) }
        } else {
            v.append(FieldError("hours", "required"))
        }
        return v
    }
}

/// 上门办 (issue 23): a citizen who cannot come — elderly, disabled, ill — asks for a home visit
/// for an item the center offers that way; the center schedules it on a working day with a member
/// of staff, and records what was done.
public enum HomeVisitRules {
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case elderly, disabled, ill, other
    }

    public enum State: String, Codable, Sendable, CaseIterable {
        case requested, scheduled, done, cancelled
    }

    /// What a request needs: an item offered for home visits, who, where, why.
    public static func requestProblems(
        itemOffered: Bool, name: String, address: String, preferred: CivilDate?, today: CivilDate
    )
        -> [FieldError]
    {
        var v: [FieldError] = []
        if !itemOffered { v.append(FieldError("item", "homeVisit.notOffered")) }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { v.append(FieldError("name", "required")) }
        if address.trimmingCharacters(in: .whitespaces).isEmpty { v.append(FieldError("address", "required")) }
        if let preferred, preferred < today { v.append(FieldError("preferredDay", "duty.pastDay")) }
        return v
    }

    public static func maySchedule(_ s: State) -> Bool { s == .requested || s == .scheduled }
    public static func mayFinish(_ s: State) -> Bool { s == .scheduled }
}
