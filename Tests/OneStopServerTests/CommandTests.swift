import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Commands")
struct CommandTests {
    func run(_ t: TestContext, _ arguments: [String]) async throws {
        t.app.environment.arguments = ["onestop"] + arguments
        try await t.app.execute()
    }

    @Test("audit verify passes on an intact log and fails naming the edited entry", arguments: TestDB.available)
    func auditVerify(db: TestDB) async throws {
        try await withOneStop(db) { t in
            try await run(t, ["audit", "verify"])
            try await (t.app.db as! any SQLDatabase).raw("UPDATE audit_entries SET actor = 'user:ghost' WHERE seq = 3").run()
            do {
                try await run(t, ["audit", "verify"])
                Issue.record("verify must fail on an edited log")
            } catch let failure as CommandFailure {
                #expect(failure.description.contains("entry 3 was altered"))
            }
        }
    }

    @Test("calendar import reads a file into the national calendar", arguments: [TestDB.sqlite])
    func calendarImport(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("cal-\(UUID()).ics")
            try
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nDTEND;VALUE=DATE:20270102\nSUMMARY:元旦\nEND:VEVENT\nEND:VCALENDAR\n"
                .write(to: file, atomically: true, encoding: .utf8)
            try await run(t, ["calendar", "import", file.path, "--year", "2027"])
            let day = try await CalendarDayModel.query(on: t.app.db).filter(\.$date == "2027-01-01").first()
            #expect(day?.kind == "holiday" && day?.scope == "national")
            do {
                try await run(t, ["calendar", "import", file.path, "--year", "2028"])
                Issue.record("a file for another year must be refused")
            } catch is CommandFailure {}
        }
    }

    @Test("user add creates an account that can sign in, and refuses bad input", arguments: [TestDB.sqlite])
    func userAdd(db: TestDB) async throws {
        try await withOneStop(db) { t in
            try await run(t, ["user", "add", "xiaoli", "--role", "supervisor", "--center", "DL010200", "--password", "Supervise123"])
            _ = try await t.login("xiaoli", "Supervise123")
            do {
                try await run(t, ["user", "add", "bad", "--role", "kiosk", "--center", "DL010200", "--password", "x"])
                Issue.record("must refuse")
            } catch let failure as CommandFailure {
                #expect(failure.description.contains("password"))
                #expect(failure.description.contains("role"))
            }
        }
    }
}

@Suite("Migrations")
struct MigrationTests {
    @Test("every migration reverts cleanly and applies again", arguments: TestDB.available)
    func revertAndReapply(db: TestDB) async throws {
        try await withOneStop(db) { t in
            try await t.app.autoRevert()
            let sql = t.app.db as! any SQLDatabase
            let left: Int
            if db == .sqlite {
                left =
                    try await sql.raw(
                        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_fluent%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%'"
                    )
                    .first(decoding: Count.self)?.n ?? -1
            } else {
                left =
                    try await sql.raw(
                        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_fluent%'"
                    )
                    .first(decoding: Count.self)?.n ?? -1
            }
            #expect(left == 0)
            try await t.app.autoMigrate()
            #expect(try await CalendarDayModel.query(on: t.app.db).count() > 0)
        }
    }

    struct Count: Decodable { var n: Int }
}
