import Fluent
import Foundation
import SQLKit
import Testing

@testable import OneStopServer

@Suite("Supervision on a SQLite file")
struct SupervisionFileTests {
    @Test("on a SQLite file the sweep leaves the writer's automatic checkpoints on again after it, and its work is kept")
    func checkpoints() async throws {
        try await withOneStop(.sqlite, sqliteFile: true) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let c = try await t.intake(clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            @Sendable func writerSetting() async throws -> Int {
                try await t.app.groupCommit.run(actor: "test", now: Date()) { db -> (Int, [AuditEvent]) in
                    let row = try await (db as! any SQLDatabase).raw("PRAGMA wal_autocheckpoint").first()!
                    return (try row.decode(column: "wal_autocheckpoint", as: Int.self), [])
                }
            }
            #expect(try await writerSetting() == 1000)
            t.clock.advance(2 * 86400)  // 2026-09-23: 3 working days left, a reminder
            #expect(try await Supervision.sweep(app: t.app, now: t.clock.now) == 1)
            #expect(try await writerSetting() == 1000)
            let row = try #require(try await CaseModel.find(c.id, on: t.app.db))
            #expect(row.level == "reminder" && row.reminded == 3)
            let mode = try await (t.app.db as! any SQLDatabase).raw("PRAGMA journal_mode").first()!
            #expect(try mode.decode(column: "journal_mode", as: String.self) == "wal")
        }
    }
}
