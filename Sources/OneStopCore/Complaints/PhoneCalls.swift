/// The supervision-phone register (接好每一个电话, issue 20): every call to a window's published
/// consultation or complaint phone, entered by hand or read from the PBX's call-detail records,
/// and the test calls supervisors make (暗访) with their outcome. Three unanswered calls to one
/// window in one day raise a supervision warning.
public enum PhoneCallRules {
    /// Unanswered calls to one window in one day that raise a warning.
    public static let warnAt = 3

    /// Whether a dialled number is a window's phone: the same digits, or one ending with the other
    /// (an extension dialled inside the PBX, or the number with its area code), at least four long.
    public static func matches(dialled: String, phone: String) -> Bool {
        let a = digits(dialled)
        let b = digits(phone)
        guard a.count >= 4, b.count >= 4 else { return false }
        return a == b || a.hasSuffix(b) || b.hasSuffix(a)
    }

    public static func digits(_ s: String) -> String { String(s.unicodeScalars.filter { ("0"..."9").contains($0) }) }
}

/// How a call ended (Asterisk's `disposition`).
public enum CallDisposition: String, Codable, Sendable, CaseIterable {
    case answered
    case noAnswer = "no_answer"
    case busy
    case failed

    public var answered: Bool { self == .answered }

    /// Asterisk writes `ANSWERED`, `NO ANSWER`, `BUSY`, `FAILED` (and `CONGESTION`, a failed call).
    public init?(asterisk: String) {
        switch asterisk.trimmingCharacters(in: .whitespaces).uppercased() {
        case "ANSWERED": self = .answered
        case "NO ANSWER", "NOANSWER", "NO_ANSWER": self = .noAnswer
        case "BUSY": self = .busy
        case "FAILED", "CONGESTION": self = .failed
        default: return nil
        }
    }
}

/// A test call's outcome (暗访).
public enum TestCallVerdict: String, Codable, Sendable, CaseIterable {
    /// Answered, courteous, correct.
    case good
    /// Answered, but the information was wrong or incomplete.
    case wrongInformation = "wrong_information"
    /// Answered, but the manner was poor (推诿, impatience).
    case poorManner = "poor_manner"
    /// Not answered.
    case unanswered
}

/// Asterisk's `Master.csv` (cdr_csv): one call per line, no header, the columns accountcode, src,
/// dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
/// billsec, disposition, amaflags, uniqueid, userfield (the last two optional in old versions,
/// accepted when present). Times are the PBX's wall clock, taken to be the center's.
public enum AsteriskCDR {
    public static let columns = [
        "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata", "start", "answer",
        "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
    ]

    public struct Record: Sendable, Equatable {
        public var line: Int
        public var source: String
        public var dialled: String
        /// Local wall-clock time of the start, `YYYY-MM-DD HH:MM:SS`.
        public var start: CivilDate
        public var startSecond: Int
        public var duration: Int
        public var billsec: Int
        public var disposition: CallDisposition
        public var uniqueID: String
    }

    public struct LineError: Sendable, Equatable, Codable {
        public var line: Int
        public var column: String
        public var code: String
        public var value: String
    }

    /// Every bad line of a file.
    public struct Problems: Error, Sendable, Equatable {
        public var lines: [LineError]
    }

    /// Every record, or every bad line (all of them, not the first): an import is all or nothing.
    public static func parse(_ text: String) -> Result<[Record], Problems> {
        let rows: [(line: Int, cells: [String])]
        switch CSVReader.records(text) {
        case .failure(let e): return .failure(Problems(lines: [LineError(line: e.line, column: "", code: e.code, value: "")]))
        case .success(let r): rows = r
        }
        var records: [Record] = []
        var errors: [LineError] = []
        var seen: [String: Int] = [:]
        for (line, cells) in rows {
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            // A header line, as some exports add, is skipped.
            if line == rows.first?.line, cells.first?.lowercased() == "accountcode" { continue }
            guard cells.count == 16 || cells.count == 17 || cells.count == 18 else {
                errors.append(LineError(line: line, column: "", code: "phone.columns", value: String(cells.count)))
                continue
            }
            func cell(_ name: String) -> String {
                guard let i = columns.firstIndex(of: name), i < cells.count else { return "" }
                return cells[i].trimmingCharacters(in: .whitespaces)
            }
            var bad: [LineError] = []
            let dialled = cell("dst")
            if PhoneCallRules.digits(dialled).count < 4 {
                bad.append(LineError(line: line, column: "dst", code: "phone.number", value: dialled))
            }
            let start = timestamp(cell("start"))
            if start == nil { bad.append(LineError(line: line, column: "start", code: "phone.time", value: cell("start"))) }
            let duration = Int(cell("duration"))
            if duration == nil || duration! < 0 {
                bad.append(LineError(line: line, column: "duration", code: "phone.seconds", value: cell("duration")))
            }
            let billsec = Int(cell("billsec"))
            if billsec == nil || billsec! < 0 {
                bad.append(LineError(line: line, column: "billsec", code: "phone.seconds", value: cell("billsec")))
            }
            let disposition = CallDisposition(asterisk: cell("disposition"))
            if disposition == nil {
                bad.append(LineError(line: line, column: "disposition", code: "phone.disposition", value: cell("disposition")))
            }
            var unique = cell("uniqueid")
            if unique.isEmpty, let start {
                // Old cdr_csv had no uniqueid: the call is known by its start, caller and number.
                unique = "\(start.0) \(start.1)|\(cell("src"))|\(dialled)"
            }
            if let first = seen[unique] {
                bad.append(LineError(line: line, column: "uniqueid", code: "phone.repeated", value: String(first)))
            }
            guard bad.isEmpty, let start, let duration, let billsec, let disposition else {
                errors += bad
                continue
            }
            seen[unique] = line
            records.append(
                Record(
                    line: line, source: cell("src"), dialled: dialled, start: start.0, startSecond: start.1, duration: duration,
                    billsec: billsec, disposition: disposition, uniqueID: unique))
        }
        return errors.isEmpty ? .success(records) : .failure(Problems(lines: errors))
    }

    /// `YYYY-MM-DD HH:MM:SS` → the day and the second of the day.
    public static func timestamp(_ s: String) -> (CivilDate, Int)? {
        let parts = s.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let day = CivilDate(String(parts[0])) else { return nil }
        let hms = parts[1].split(separator: ":").map { Int($0) }
        guard hms.count == 3, let h = hms[0], let m = hms[1], let sec = hms[2], (0..<24).contains(h), (0..<60).contains(m),
            (0..<60).contains(sec)
        else { return nil }
        return (day, h * 3600 + m * 60 + sec)
    }
}

/// A window's day on the register.
public struct PhoneDay: Sendable, Equatable, Codable {
    public var calls = 0
    public var answered = 0
    public var unanswered = 0
    public var tests = 0
    /// Test calls whose outcome was not good.
    public var testsFailed = 0

    public init() {}

    public mutating func count(disposition: CallDisposition, test: Bool, verdict: TestCallVerdict?) {
        calls += 1
        if disposition.answered { answered += 1 } else { unanswered += 1 }
        if test {
            tests += 1
            if let verdict, verdict != .good { testsFailed += 1 }
        }
    }

    /// Whether the day's unanswered calls raise a warning.
    public var warns: Bool { unanswered >= PhoneCallRules.warnAt }
}
