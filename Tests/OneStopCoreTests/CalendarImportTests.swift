import Testing

@testable import OneStopCore

@Suite("Calendar import")
struct CalendarImportTests {
    @Test("a good CSV becomes overrides, with Chinese kind words accepted")
    func csv() throws {
        let text = "date,kind,name\n2027-01-01,holiday,元旦\n\n# comment\n2027-02-06,班,春节调休上班\n2027-03-03,closure,停电\n"
        guard case .success(let days) = CalendarImport.parse(text, year: 2027) else { Issue.record("should parse"); return }
        #expect(days.count == 3)
        #expect(days[1].kind == .makeupWorkday)
        #expect(days[2] == DayOverride(date: CivilDate("2027-03-03")!, kind: .closure, name: "停电"))
    }

    @Test("every bad line is reported with its line number, and nothing is returned")
    func csvErrors() {
        let text =
            "date,kind,name\n2027-13-01,holiday,x\n2026-05-01,holiday,y\n2027-05-01,party,z\n2027-05-02,holiday,a\n2027-05-02,holiday,b\nonlyone\n"
        guard case .failure(let errors) = CalendarImport.parse(text, year: 2027) else { Issue.record("should fail"); return }
        #expect(errors.map(\.line) == [2, 3, 4, 6, 7])
        #expect(
            errors.map(\.code) == [
                "calendar.import.date", "calendar.import.wrongYear", "calendar.import.kind",
                "calendar.import.duplicate", "calendar.import.columns",
            ])
    }

    @Test("an empty file is an error, not a silent wipe of the year")
    func empty() {
        guard case .failure(let errors) = CalendarImport.parse("date,kind,name\n", year: 2027) else { Issue.record("should fail"); return }
        #expect(errors.first?.code == "calendar.import.empty")
    }

    @Test("iCalendar events span DTSTART up to the exclusive DTEND; summaries decide the kind")
    func ics() {
        let text = """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            BEGIN:VEVENT\r
            DTSTART;VALUE=DATE:20270101\r
            DTEND;VALUE=DATE:20270104\r
            SUMMARY:元旦\r
            END:VEVENT\r
            BEGIN:VEVENT\r
            DTSTART;VALUE=DATE:20270206\r
            SUMMARY:春节调休\r
             上班\r
            END:VEVENT\r
            END:VCALENDAR\r

            """
        guard case .success(let days) = CalendarImport.parse(text, year: 2027) else { Issue.record("should parse"); return }
        #expect(days.map(\.date.description) == ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-06"])
        #expect(days.last?.kind == .makeupWorkday)
        #expect(days.last?.name == "春节调休上班")
    }
}
