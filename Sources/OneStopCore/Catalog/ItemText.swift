/// The plain-text forms of an item's lists, shared by the edit page's text boxes and the CSV
/// columns: one material per line as `名称 | 原件 | 1 | 必需 | 条件`, one step per line, one special
/// procedure per line as `名称 | 天数`, keywords and window numbers separated by commas.
public enum ItemText {
    static let separators: Set<Character> = ["|", "｜"]

    static func cells(_ line: Substring) -> [String] {
        line.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func lines(_ text: String?) -> [Substring] {
        (text ?? "").split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// A number cell; text that is not a number becomes 0, which validation reports as out of range.
    static func int(_ cell: String?) -> Int? {
        guard let c = cell, !c.isEmpty else { return nil }
        return Int(c) ?? 0
    }

    public static func materials(_ text: String?) -> [ItemInput.MaterialInput] {
        lines(text).map { line in
            let c = cells(line)
            func at(_ i: Int) -> String? { i < c.count && !c[i].isEmpty ? c[i] : nil }
            return .init(name: at(0), form: at(1) ?? MaterialForm.original.rawValue, copies: int(at(2)), need: at(3), condition: at(4))
        }
    }

    public static func materialsText(_ list: [ItemGuide.Material]) -> String {
        list.map { m in
            var c = [m.name, m.form.chineseName, String(m.copies), m.need.chineseName]
            if let cond = m.condition { c.append(cond) }
            return c.joined(separator: " | ")
        }.joined(separator: "\n")
    }

    public static func steps(_ text: String?) -> [String] { lines(text).map { $0.trimmingCharacters(in: .whitespaces) } }

    public static func special(_ text: String?) -> [ItemInput.SpecialProcedureInput] {
        lines(text).map { line in
            let c = cells(line)
            return .init(name: c.first, days: int(c.count > 1 ? c[1] : nil))
        }
    }

    public static func specialText(_ list: [ItemGuide.SpecialProcedure]) -> String {
        list.map { "\($0.name) | \($0.days)" }.joined(separator: "\n")
    }

    public static func keywords(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { ",，、;；".contains($0) || $0.isNewline }).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    /// Window numbers; something that is not a number becomes 0, reported as a bad window number.
    public static func windows(_ text: String?) -> [Int] {
        keywords(text).map { Int($0) ?? 0 }
    }

    /// Yes/no cells: 是/否, true/false, 1/0, y/n.
    public static func flag(_ text: String?) -> Bool? {
        switch (text ?? "").trimmingCharacters(in: .whitespaces).lowercased() {
        case "": nil
        case "1", "true", "yes", "y", "是", "可", "免费": true
        case "0", "false", "no", "n", "否", "不可", "收费": false
        default: nil
        }
    }
}
