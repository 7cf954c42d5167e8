/// 办件编号: the center's code, the day of receipt and the day's sequence number of that center,
/// e.g. `DL010200-20261123-0042` — unique, sortable, and readable over the phone.
public enum CaseNumber {
    public static func make(center: String, day: CivilDate, sequence: Int) -> String {
        let ymd = String(day.year * 10_000 + day.month * 100 + day.day)
        let seq = String(sequence)
        return center + "-" + ymd + "-" + String(repeating: "0", count: max(0, 4 - seq.count)) + seq
    }

    /// The parts of a case number, or nil when the text is not one.
    public static func parse(_ text: String) -> (center: String, day: CivilDate, sequence: Int)? {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].count <= 32, parts[1].count == 8, (4...9).contains(parts[2].count),
            parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            let day = CivilDate(String(parts[1])), let seq = Int(parts[2]), seq > 0
        else { return nil }
        return (String(parts[0]), day, seq)
    }
}
