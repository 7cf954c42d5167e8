import Foundation

/// Reads a year of calendar overrides from CSV or iCalendar text, reporting every bad line at
/// once so that nothing is imported from a half-valid file.
public enum CalendarImport {
    public struct LineError: Error, Equatable, Sendable {
        public var line: Int
        public var field: String
        public var code: String
        public var value: String

        public init(line: Int, field: String, code: String, value: String) {
            self.line = line
            self.field = field
            self.code = code
            self.value = value
        }
    }

    public enum Outcome: Sendable {
        case success([DayOverride])
        case failure([LineError])
    }

    /// Picks the format from the content: iCalendar files start with `BEGIN:VCALENDAR`.
    public static func parse(_ text: String, year: Int) -> Outcome {
        let trimmed = text.drop(while: { $0 == "\u{FEFF}" || $0.isWhitespace })
        return trimmed.hasPrefix("BEGIN:VCALENDAR") ? parseICalendar(text, year: year) : parseCSV(text, year: year)
    }

    /// CSV with header `date,kind,name`; kind is `holiday`, `makeup_workday` or `closure`
    /// (or 休 / 班 / 停). Blank lines and lines starting with `#` are skipped.
    public static func parseCSV(_ text: String, year: Int) -> Outcome {
        var days: [DayOverride] = []
        var errors: [LineError] = []
        var seen: Set<CivilDate> = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var sawHeader = false
        for (index, raw) in lines.enumerated() {
            let lineNo = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces.union(["\u{FEFF}"]))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces.union(["\""])) }
            if !sawHeader {
                sawHeader = true
                if cells.first?.lowercased() == "date" { continue }
            }
            guard cells.count >= 2 else {
                errors.append(.init(line: lineNo, field: "line", code: "calendar.import.columns", value: line))
                continue
            }
            let name = cells.count > 2 ? cells[2] : ""
            validate(
                dateText: cells[0], kindText: cells[1], name: name, line: lineNo, year: year,
                seen: &seen, days: &days, errors: &errors)
        }
        if days.isEmpty && errors.isEmpty {
            errors.append(.init(line: 0, field: "file", code: "calendar.import.empty", value: ""))
        }
        return errors.isEmpty ? .success(days) : .failure(errors)
    }

    /// iCalendar (RFC 5545) all-day VEVENTs. The kind comes from `X-ONESTOP-KIND` or `CATEGORIES`
    /// when present, otherwise from the summary: one naming a working day (班, 上班, workday) is a
    /// make-up day and anything else a holiday. DTEND is exclusive, as the RFC says.
    public static func parseICalendar(_ text: String, year: Int) -> Outcome {
        // Unfold continuation lines first.
        var lines: [(Int, String)] = []
        for (i, raw) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            if (raw.hasPrefix(" ") || raw.hasPrefix("\t")), let last = lines.popLast() {
                lines.append((last.0, last.1 + raw.dropFirst()))
            } else {
                lines.append((i + 1, String(raw)))
            }
        }
        var days: [DayOverride] = []
        var errors: [LineError] = []
        var seen: Set<CivilDate> = []
        var event: [String: (Int, String)]? = nil
        for (lineNo, line) in lines {
            if line == "BEGIN:VEVENT" { event = [:]; continue }
            if line == "END:VEVENT", let e = event {
                event = nil
                let start = e["DTSTART"]
                let summary = e["SUMMARY"]?.1 ?? ""
                let kindText = e["X-ONESTOP-KIND"]?.1 ?? e["CATEGORIES"]?.1 ?? (looksLikeWorkday(summary) ? "makeup_workday" : "holiday")
                guard let (startLine, startText) = start else {
                    errors.append(.init(line: lineNo, field: "DTSTART", code: "calendar.import.missingDate", value: ""))
                    continue
                }
                guard let first = CivilDate(String(startText.prefix(8))) else {
                    errors.append(.init(line: startLine, field: "DTSTART", code: "calendar.import.date", value: startText))
                    continue
                }
                var last = first
                if let (endLine, endText) = e["DTEND"] {
                    guard let end = CivilDate(String(endText.prefix(8))), end > first else {
                        errors.append(.init(line: endLine, field: "DTEND", code: "calendar.import.date", value: endText))
                        continue
                    }
                    last = end.adding(days: -1)
                }
                var d = first
                while d <= last {
                    validate(
                        dateText: d.description, kindText: kindText, name: summary, line: startLine, year: year,
                        seen: &seen, days: &days, errors: &errors)
                    d = d.adding(days: 1)
                }
                continue
            }
            guard event != nil, let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].split(separator: ";").first.map(String.init)?.uppercased() ?? ""
            event?[key] = (lineNo, String(line[line.index(after: colon)...]))
        }
        if days.isEmpty && errors.isEmpty {
            errors.append(.init(line: 0, field: "file", code: "calendar.import.empty", value: ""))
        }
        return errors.isEmpty ? .success(days) : .failure(errors)
    }

    static func looksLikeWorkday(_ summary: String) -> Bool {
        let s = summary.lowercased()
        return s.contains("班") || s.contains("workday") || s.contains("working day")
    }

    static func kind(_ text: String) -> DayOverride.Kind? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "holiday", "休", "假", "节假日": .holiday
        case "makeup_workday", "workday", "班", "上班", "调休上班": .makeupWorkday
        case "closure", "停", "停办": .closure
        default: nil
        }
    }

    private static func validate(
        dateText: String, kindText: String, name: String, line: Int, year: Int,
        seen: inout Set<CivilDate>, days: inout [DayOverride], errors: inout [LineError]
    ) {
        guard let date = CivilDate(dateText) else {
            errors.append(.init(line: line, field: "date", code: "calendar.import.date", value: dateText))
            return
        }
        guard date.year == year else {
            errors.append(.init(line: line, field: "date", code: "calendar.import.wrongYear", value: dateText))
            return
        }
        guard let kind = kind(kindText) else {
            errors.append(.init(line: line, field: "kind", code: "calendar.import.kind", value: kindText))
            return
        }
        guard name.count <= 60 else {
            errors.append(.init(line: line, field: "name", code: "calendar.import.nameTooLong", value: name))
            return
        }
        guard seen.insert(date).inserted else {
            errors.append(.init(line: line, field: "date", code: "calendar.import.duplicate", value: dateText))
            return
        }
        days.append(DayOverride(date: date, kind: kind, name: name))
    }
}
