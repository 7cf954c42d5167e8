import Foundation

/// 作风督查 (issue 23): an inspection team checks the windows' conduct against the center's
/// checklist, monthly by default; each finding is notified to the window's department, which
/// explains it and says what it corrected, and the center closes it — or sends it back.
public enum ConductRules {
    /// The checklist a center starts with.
    public static let defaultChecklist = ["出勤纪律", "服务态度", "文明用语", "一次性告知", "工作纪律"]
    /// Working days the department has to explain a finding, unless the inspection says.
    public static let defaultExplainDays = 3

    public enum State: String, Codable, Sendable, CaseIterable {
        /// 已通报: waiting for the department.
        case notified
        /// 已说明: explained and corrected, waiting for the center.
        case explained
        /// 已办结
        case closed
    }

    public static func mayExplain(_ s: State) -> Bool { s == .notified }
    public static func mayClose(_ s: State) -> Bool { s == .explained }

    /// A checklist as set: 1…20 items, each named once, none empty.
    public static func checklistProblems(_ items: [String]) -> [FieldError] {
        var v: [FieldError] = []
        let trimmed = items.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if trimmed.isEmpty || trimmed.count > 20 { v.append(FieldError("checklist", "conduct.checklistSize")) }
        if trimmed.contains(where: \.isEmpty) { v.append(FieldError("checklist", "required")) }
        if Set(trimmed).count != trimmed.count { v.append(FieldError("checklist", "duty.duplicate")) }
        if trimmed.contains(where: { $0.count > 50 }) { v.append(FieldError("checklist", "tooLong")) }
        return v
    }

    /// A finding: on an item of the inspection's checklist, with what was seen, explained within
    /// 1…10 working days.
    public static func findingProblems(item: String, checklist: [String], text: String, days: Int) -> [FieldError] {
        var v: [FieldError] = []
        if !checklist.contains(item) { v.append(FieldError("criterion", item.isEmpty ? "required" : "invalidChoice")) }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("text", "required")) }
        if !(1...10).contains(days) { v.append(FieldError("days", "conduct.daysRange")) }
        return v
    }

    /// The department's answer: why, and what it corrected; both required.
    public static func explanationProblems(explanation: String, rectification: String) -> [FieldError] {
        var v: [FieldError] = []
        if explanation.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { v.append(FieldError("explanation", "required")) }
        if rectification.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            v.append(FieldError("rectification", "patrol.rectificationRequired"))
        }
        return v
    }

    /// The center's close: accepted, or sent back with the reason.
    public static func closeProblems(accept: Bool?, note: String) -> [FieldError] {
        guard let accept else { return [FieldError("accept", "required")] }
        if !accept && note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [FieldError("note", "conduct.returnReason")] }
        return []
    }
}
