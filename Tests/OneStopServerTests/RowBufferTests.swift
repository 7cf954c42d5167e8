import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing

@testable import OneStopServer

@Suite("Rows kept for the batch")
struct RowBufferTests {
    @Test(
        "jobs that defer their rows share one insert; a job that does not sees them first; a refused row fails its own job alone",
        arguments: TestDB.writers)
    func deferred(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let app = t.app
            @Sendable func insert(_ name: String, _ value: Int) async throws -> Int {
                try await app.groupCommit.run(actor: "test", now: Date(), defers: true) { db -> (Int, [AuditEvent]) in
                    try await SQLRows.insert(
                        into: "counters", columns: "name, value", [[SQLBind(name), SQLBind(value)]], deferrable: true, on: db)
                    // Kept, not yet written.
                    let sql = db as! any SQLDatabase
                    let seen = try await sql.raw("SELECT COUNT(*) AS n FROM counters WHERE name = \(bind: name)").first()!
                    return (try seen.decode(column: "n", as: Int.self), [])
                }
            }
            @Sendable func count(_ prefix: String) async throws -> Int {
                try await app.groupCommit.run(actor: "test", now: Date()) { db -> (Int, [AuditEvent]) in
                    let sql = db as! any SQLDatabase
                    let row = try await sql.raw("SELECT COUNT(*) AS n FROM counters WHERE name LIKE \(bind: prefix + "%")").first()!
                    return (try row.decode(column: "n", as: Int.self), [])
                }
            }
            // Hold the writer so that everything sent meanwhile lands in one batch, in order.
            let holder = Task {
                try await app.groupCommit.run(actor: "test", now: Date()) { _ -> (Int, [AuditEvent]) in
                    try await Task.sleep(for: .milliseconds(400))
                    return (0, [])
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            let a = Task { try await insert("rb_a", 1) }
            try await Task.sleep(for: .milliseconds(20))
            let b = Task { try await insert("rb_b", 1) }
            try await Task.sleep(for: .milliseconds(20))
            let between = Task { try await count("rb_") }
            try await Task.sleep(for: .milliseconds(20))
            let dup1 = Task { try await insert("rb_dup", 1) }
            try await Task.sleep(for: .milliseconds(20))
            let dup2 = Task { try await insert("rb_dup", 2) }
            _ = try await holder.value

            #expect(try await a.value == 0)  // its row waited for the batch
            #expect(try await b.value == 0)
            #expect(try await between.value == 2)  // written before a job that keeps none
            #expect(try await dup1.value == 0)
            await #expect(throws: (any Error).self) { try await dup2.value }
            let rows = try await (app.db as! any SQLDatabase).raw("SELECT name, value FROM counters WHERE name LIKE 'rb_%' ORDER BY name")
                .all().map { "\(try $0.decode(column: "name", as: String.self))=\(try $0.decode(column: "value", as: Int.self))" }
            #expect(rows == ["rb_a=1", "rb_b=1", "rb_dup=1"])
        }
    }

    @Test(
        "in one batch the jobs that read through the batch state run before those that do not, which would make the rest read again",
        arguments: TestDB.writers)
    func alonesLast(_ db: TestDB) async throws {
        try await withOneStop(db) { t in
            let app = t.app
            let order = NIOLockedValueBox<[String]>([])
            @Sendable func job(_ name: String, needs: HallNeeds?) async throws {
                _ = try await app.groupCommit.run(actor: "test", now: Date(), needs: needs) { _ -> (Int, [AuditEvent]) in
                    order.withLockedValue { $0.append(name) }
                    return (0, [])
                }
            }
            // Hold the writer until the three jobs wait, so that they land in one batch (on a
            // loaded machine fixed waits were not always enough).
            let holding = NIOLockedValueBox(false)
            let hold = Task {
                try await app.groupCommit.run(actor: "test", now: Date()) { _ -> (Int, [AuditEvent]) in
                    holding.withLockedValue { $0 = true }
                    let deadline = Date().addingTimeInterval(20)
                    while app.groupCommit.waiting < 3, Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
                    return (0, [])
                }
            }
            while !holding.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            let sweep = Task { try await job("sweep", needs: nil) }
            try await Task.sleep(for: .milliseconds(20))
            let a = Task { try await job("window a", needs: HallNeeds()) }
            try await Task.sleep(for: .milliseconds(20))
            let b = Task { try await job("window b", needs: HallNeeds()) }
            for task in [sweep, a, b] { try await task.value }
            _ = try await hold.value
            // The two that declared their needs first (in whichever order they arrived), then the other.
            let ran = order.withLockedValue { $0 }
            #expect(ran.count == 3 && Set(ran.prefix(2)) == ["window a", "window b"] && ran.last == "sweep", "\(ran)")
        }
    }
}
