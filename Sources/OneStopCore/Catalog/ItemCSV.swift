/// CSV import and export of a department's item list. The header row names the columns (in any
/// order; unknown columns are an error, missing optional ones are empty). Lists sit in one quoted
/// cell, one entry per line, in the forms of `ItemText`.
public enum ItemCSV {
    public static let columns = [
        "code", "name", "parent_code", "type", "tier", "handling_kind", "exercise_level", "case_type", "legal_days",
        "promised_days", "fee_free", "fee_standard", "fee_basis", "basis", "conditions", "materials", "steps",
        "special_procedures", "office_hours", "consult_phone", "supervise_phone", "visits", "online", "theme", "keywords",
        "windows", "result",
    ]

    /// One problem of an import, by the line where its record starts (the header is line 1).
    public struct RowError: Error, Sendable, Hashable, Codable {
        public var line: Int
        public var field: String
        public var code: String

        public init(line: Int, field: String, code: String) {
            self.line = line
            self.field = field
            self.code = code
        }
    }

    public struct Row: Sendable {
        public var line: Int
        public var input: ItemInput

        public init(line: Int, input: ItemInput) {
            self.line = line
            self.input = input
        }
    }

    /// Parses the file into inputs, or reports the problems of the file's shape (not of the
    /// values, which `ItemInput.validate` checks).
    public static func parse(_ text: String) -> Result<[Row], ImportFailure> {
        let records: [(line: Int, cells: [String])]
        switch CSVReader.records(text) {
        case .failure(let e): return .failure(ImportFailure([e]))
        case .success(let r): records = r
        }
        guard let header = records.first else { return .failure(ImportFailure([RowError(line: 1, field: "file", code: "import.empty")])) }
        let names = header.cells.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var errors: [RowError] = []
        for n in names where !columns.contains(n) { errors.append(RowError(line: 1, field: n, code: "import.unknownColumn")) }
        for required in ["code", "name"] where !names.contains(required) {
            errors.append(RowError(line: 1, field: required, code: "import.missingColumn"))
        }
        if Set(names).count != names.count { errors.append(RowError(line: 1, field: "header", code: "duplicate")) }
        if !errors.isEmpty { return .failure(ImportFailure(errors)) }
        var rows: [Row] = []
        for record in records.dropFirst() {
            if record.cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            if record.cells.count != names.count {
                errors.append(RowError(line: record.line, field: "row", code: "import.cellCount"))
                continue
            }
            var cell: [String: String] = [:]
            for (n, v) in zip(names, record.cells) { cell[n] = v }
            rows.append(Row(line: record.line, input: input(cell, line: record.line, errors: &errors)))
        }
        return errors.isEmpty ? .success(rows) : .failure(ImportFailure(errors))
    }

    static func input(_ c: [String: String], line: Int, errors: inout [RowError]) -> ItemInput {
        func s(_ k: String) -> String? {
            guard let v = c[k]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        func n(_ k: String) -> Int? {
            guard let v = s(k) else { return nil }
            guard let i = Int(v) else {
                errors.append(RowError(line: line, field: camel(k), code: "import.notANumber"))
                return nil
            }
            return i
        }
        func b(_ k: String) -> Bool? {
            guard let v = s(k) else { return nil }
            guard let f = ItemText.flag(v) else {
                errors.append(RowError(line: line, field: camel(k), code: "import.notAFlag"))
                return nil
            }
            return f
        }
        var i = ItemInput()
        i.code = s("code")
        i.name = s("name")
        i.parentCode = s("parent_code")
        i.type = s("type")
        i.tier = s("tier")
        i.handlingKind = s("handling_kind")
        i.exerciseLevel = s("exercise_level")
        i.caseType = s("case_type")
        i.legalDays = n("legal_days")
        i.promisedDays = n("promised_days")
        i.feeFree = b("fee_free")
        i.feeStandard = s("fee_standard")
        i.feeBasis = s("fee_basis")
        i.basis = s("basis")
        i.conditions = s("conditions")
        i.materials = ItemText.materials(s("materials"))
        i.steps = ItemText.steps(s("steps"))
        i.specialProcedures = ItemText.special(s("special_procedures"))
        i.officeHours = s("office_hours")
        i.consultPhone = s("consult_phone")
        i.supervisePhone = s("supervise_phone")
        i.visits = n("visits")
        i.onlineApplication = b("online")
        i.theme = s("theme")
        i.keywords = ItemText.keywords(s("keywords"))
        i.windowNumbers = ItemText.windows(s("windows"))
        i.result = s("result")
        return i
    }

    /// `legal_days` → `legalDays`, the field names validation uses.
    public static func camel(_ column: String) -> String {
        switch column {
        case "windows": return "windowNumbers"
        case "online": return "onlineApplication"
        default:
            let parts = column.split(separator: "_")
            return parts.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
        }
    }

    public static func export(_ guides: [ItemGuide]) -> String {
        var out = columns.joined(separator: ",") + "\r\n"
        for g in guides {
            let cells: [String] = [
                g.code, g.name, g.parentCode ?? "", g.type.rawValue, g.tier.rawValue, g.handlingKind?.rawValue ?? "",
                g.exerciseLevel.rawValue, g.caseType.rawValue, String(g.legalDays), String(g.promisedDays), g.fee.free ? "true" : "false",
                g.fee.standard ?? "", g.fee.basis ?? "", g.basis, g.conditions, ItemText.materialsText(g.materials),
                g.steps.joined(separator: "\n"), ItemText.specialText(g.specialProcedures), g.officeHours, g.consultPhone,
                g.supervisePhone, String(g.visits), g.onlineApplication ? "true" : "false", g.theme.rawValue,
                g.keywords.joined(separator: ","), g.windowNumbers.map(String.init).joined(separator: ","), g.result ?? "",
            ]
            out += cells.map(CSVReader.quote).joined(separator: ",") + "\r\n"
        }
        return out
    }
}

/// Every problem of an import at once; nothing is imported while there is one.
public struct ImportFailure: Error, Sendable {
    public var errors: [ItemCSV.RowError]
    public init(_ errors: [ItemCSV.RowError]) { self.errors = errors }
}

/// RFC 4180 CSV: quoted cells may hold commas, quotes ("") and line breaks. A UTF-8 byte order
/// mark (as Excel writes) is skipped.
public enum CSVReader {
    public static func records(_ text: String) -> Result<[(line: Int, cells: [String])], ItemCSV.RowError> {
        var out: [(Int, [String])] = []
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        var atCellStart = true
        while i < chars.count {
            let ch = chars[i]
            if quoted {
                if ch == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" {
                        cell.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if ch == "\n" { line += 1 }
                    if !(ch == "\r" && i + 1 < chars.count && chars[i + 1] == "\n") { cell.unicodeScalars.append(ch) }
                }
            } else if ch == "\"" && atCellStart {
                quoted = true
                atCellStart = false
            } else if ch == "," {
                cells.append(cell)
                cell = ""
                atCellStart = true
                i += 1
                continue
            } else if ch == "\n" || ch == "\r" {
                if ch == "\r", i + 1 < chars.count, chars[i + 1] == "\n" { i += 1 }
                cells.append(cell)
                out.append((recordLine, cells))
                cells = []
                cell = ""
                line += 1
                recordLine = line
                atCellStart = true
                i += 1
                continue
            } else {
                cell.unicodeScalars.append(ch)
            }
            atCellStart = false
            i += 1
        }
        if quoted { return .failure(.init(line: recordLine, field: "row", code: "import.unclosedQuote")) }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(cell)
            out.append((recordLine, cells))
        }
        return .success(out)
    }

    public static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
