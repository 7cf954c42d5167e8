import Foundation

/// 窗口人员管理 (issue 23): the registration of who a department sent to the center, their
/// training, and the periodic appraisals (定期考评) by the department and by the center.
public enum StaffRecords {
    /// How a member of staff came to the window.
    public enum Selection: String, Codable, Sendable, CaseIterable {
        /// 部门选派
        case assigned
        /// 公开选拔
        case competitive
        /// 轮岗交流
        case rotation
        /// 招聘 (an employee of the center)
        case hired
    }

    /// 定期考评's grades.
    public enum Grade: String, Codable, Sendable, CaseIterable {
        /// 优秀
        case excellent
        /// 称职
        case competent
        /// 基本称职
        case basic
        /// 不称职
        case incompetent
    }

    /// Who appraises.
    public enum Appraiser: String, Codable, Sendable, CaseIterable {
        case department, center
    }

    /// A posting's problems: the day of arrival required, the day of leaving not before it.
    public static func postingProblems(arrived: CivilDate?, left: CivilDate?, post: String) -> [FieldError] {
        var v: [FieldError] = []
        if post.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("post", "required")) }
        if let arrived, let left, left < arrived { v.append(FieldError("leftOn", "staff.leftBeforeArrival")) }
        return v
    }

    /// Whether a posting has the person at the center on `day`.
    public static func posted(arrived: CivilDate, left: CivilDate?, on day: CivilDate) -> Bool {
        arrived <= day && (left.map { day <= $0 } ?? true)
    }

    /// A training record's problems: a course, hours within 0.5…200, not in the future.
    public static func trainingProblems(course: String, hoursTenths: Int?, day: CivilDate?, today: CivilDate) -> [FieldError] {
        var v: [FieldError] = []
        if course.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("course", "required")) }
        if let h = hoursTenths {
            if !(5...2000).contains(h) { v.append(FieldError("hours", "staff.hoursRange")) }
        } else {
            v.append(FieldError("hours", "required"))
        }
        if let day, day > today { v.append(FieldError("day", "staff.future")) }
        return v
    }

    /// Hours as typed ("2", "1.5") in tenths, nil when it is not a number with at most one decimal.
    public static func tenths(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count <= 6, let whole = Int(parts[0]), whole >= 0 else { return nil }
        if parts.count == 1 { return whole * 10 }
        guard parts[1].count == 1, let tenth = Int(parts[1]) else { return nil }
        return whole * 10 + tenth
    }

    /// Hours sent as a number in tenths; a number too large to count (or not a number) reads as
    /// -1, which every range check refuses, rather than trapping.
    public static func tenths(hours: Double) -> Int {
        guard hours.isFinite, abs(hours) < 1_000_000 else { return -1 }
        return Int((hours * 10).rounded())
    }

    public static func hoursText(_ tenths: Int) -> String {
        tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }
}
