/// 统一社会信用代码 — the 18-character unified social credit code of a legal entity (GB 32100-2015):
/// registering authority (1), entity type (1), administrative division (6 digits), organisation
/// code (9, GB 11714), check character (1). The characters are the digits and the capital letters
/// without I, O, S, V and Z.
public enum CreditCode {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    private static let values: [Character: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })
    private static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public enum Problem: String, Sendable {
        case length = "uscc.length"
        case characters = "uscc.characters"
        case division = "uscc.division"
        case checkCharacter = "uscc.checkCharacter"
    }

    /// The normalised code (upper case, no spaces), or the first problem found.
    public static func validate(_ raw: String) -> Result<String, ProblemBox> {
        let text = raw.uppercased().filter { !$0.isWhitespace }
        guard text.count == 18 else { return .failure(.init(.length)) }
        let chars = Array(text)
        guard chars.allSatisfy({ values[$0] != nil }) else { return .failure(.init(.characters)) }
        guard chars[2..<8].allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.init(.division)) }
        guard checkCharacter(for: chars.prefix(17).map { values[$0]! }) == chars[17] else {
            return .failure(.init(.checkCharacter))
        }
        return .success(text)
    }

    public static func isValid(_ raw: String) -> Bool {
        if case .success = validate(raw) { return true }
        return false
    }

    /// The check character for the values of the first 17 characters.
    public static func checkCharacter(for values: [Int]) -> Character {
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

    public struct ProblemBox: Error, Sendable {
        public let problem: Problem
        init(_ p: Problem) { problem = p }
    }
}
