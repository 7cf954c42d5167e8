/// 居民身份证号码 — an 18-character citizen identity number (GB 11643-1999).
public enum ResidentID {
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    public enum Problem: String, Sendable {
        case length = "id.length"
        case characters = "id.characters"
        case birthDate = "id.birthDate"
        case checkDigit = "id.checkDigit"
    }

    /// The normalised number (upper-case X), or the first problem found.
    public static func validate(_ raw: String) -> Result<String, ProblemBox> {
        let text = raw.uppercased().filter { !$0.isWhitespace }
        guard text.count == 18 else { return .failure(.init(.length)) }
        let chars = Array(text)
        guard chars.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }),
            chars[17].isASCII, chars[17].isNumber || chars[17] == "X"
        else { return .failure(.init(.characters)) }
        let digits = chars.prefix(17).map { Int(String($0))! }
        let y = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        let m = digits[10] * 10 + digits[11]
        let d = digits[12] * 10 + digits[13]
        guard y >= 1900, CivilDate(year: y, month: m, day: d) != nil else {
            return .failure(.init(.birthDate))
        }
        guard checkCharacter(for: digits) == chars[17] else { return .failure(.init(.checkDigit)) }
        return .success(text)
    }

    public static func isValid(_ raw: String) -> Bool {
        if case .success = validate(raw) { return true }
        return false
    }

    /// The check character for the first 17 digits.
    public static func checkCharacter(for digits: [Int]) -> Character {
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Shows the first 3 and last 4 characters: `110***********123X`.
    public static func masked(_ id: String) -> String { Masking.keep(id, head: 3, tail: 4) }

    public struct ProblemBox: Error, Sendable {
        public let problem: Problem
        init(_ p: Problem) { problem = p }
    }
}

/// Phone numbers of mainland China: mobile numbers, landlines with an area code, and the short
/// service numbers (12345) a center publishes.
public enum PhoneNumber {
    public static func normalized(_ raw: String) -> String? {
        var t = raw.filter { !$0.isWhitespace }
        if t.hasPrefix("+86") { t.removeFirst(3) }
        let chars = Array(t)
        guard !chars.isEmpty, chars.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "-" }) else { return nil }
        let digits = chars.filter { $0 != "-" }
        // Mobile: 1[3-9] followed by 9 digits, no dashes.
        if chars.count == 11, chars[0] == "1", ("3"..."9").contains(chars[1]) { return t }
        // Landline: 0 + 2–3 digit area code, optional dash, 7–8 digit number, optional -extension.
        if chars[0] == "0" {
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 1, (10...12).contains(digits.count) { return t }
            if parts.count >= 2, parts.count <= 3, (3...4).contains(parts[0].count),
                (7...8).contains(parts[1].count), parts.count == 2 || (1...6).contains(parts[2].count)
            {
                return t
            }
            return nil
        }
        // Service short numbers: 12345, 12315, 95xxx…
        if !chars.contains("-"), (5...6).contains(digits.count), chars[0] == "1" || chars[0] == "9" { return t }
        return nil
    }

    public static func isValid(_ raw: String) -> Bool { normalized(raw) != nil }

    /// `138****1234` for mobiles; landlines keep the area code and the last 2 digits.
    public static func masked(_ phone: String) -> String {
        if phone.count == 11, phone.first == "1" { return Masking.keep(phone, head: 3, tail: 4) }
        if let dash = phone.firstIndex(of: "-") {
            let area = phone[...dash]
            return area + Masking.keep(String(phone[phone.index(after: dash)...]), head: 0, tail: 2)
        }
        if phone.count <= 6 { return phone }  // a public service number is not personal
        return Masking.keep(phone, head: 3, tail: 2)
    }
}

public enum Masking {
    public static func keep(_ text: String, head: Int, tail: Int) -> String {
        let chars = Array(text)
        guard chars.count > head + tail else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(head)) + String(repeating: "*", count: chars.count - head - tail)
            + String(chars.suffix(tail))
    }
}
