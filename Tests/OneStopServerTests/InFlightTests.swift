import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

@testable import OneStopServer

@Suite("Shutting down under load")
struct InFlightTests {
    @Test("a shutdown refuses new requests with 503 in the user's language and waits for those in hand, which still reach the database")
    func drain() async throws {
        try await withOneStop(.sqlite) { t in
            let gate = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
            t.app.get("test-slow") { req async throws -> String in
                await withCheckedContinuation { c in gate.withLockedValue { $0 = c } }
                return String(try await CenterModel.query(on: req.db).count())
            }
            let slow = Task { try await t.send(.GET, "/test-slow") }
            // The slow request is in hand once its handler waits at the gate.
            for _ in 0..<500 where gate.withLockedValue({ $0 == nil }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(t.app.inFlight.count == 1)

            let drained = Task { await t.app.inFlight.drain(timeout: .seconds(10)) }
            try await Task.sleep(for: .milliseconds(100))
            let refused = try await t.send(.GET, "/api/v1/centers", headers: ["Accept-Language": "en"])
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers.first(name: "Retry-After") == "5")
            #expect(refused.body.string == "OneStop is restarting. Please try again in a moment.")
            let zh = try await t.send(.GET, "/healthz")
            #expect(zh.body.string == "系统正在重启，请稍后再试。")
            // Still waiting for the request in hand.
            try await Task.sleep(for: .milliseconds(100))
            #expect(t.app.inFlight.count == 1)

            gate.withLockedValue {
                $0?.resume(); $0 = nil
            }
            let answered = try await slow.value
            #expect(answered.status == .ok)
            #expect(Int(answered.body.string) ?? 0 > 0)
            #expect(await drained.value == 0)
        }
    }

    @Test("a drain gives up after its time and says how many were left")
    func timeout() async {
        let r = InFlightRequests()
        #expect(r.enter())
        #expect(await r.drain(timeout: .milliseconds(50)) == 1)
        #expect(!r.enter())
        r.leave()
        #expect(await r.drain(timeout: .milliseconds(50)) == 0)
    }
}

@Suite("Checkpoints off the writer")
struct WALCheckpointerTests {
    @Test(
        "with the writer's automatic checkpoints taken over, the log grows past 1,000 pages until a passive checkpoint copies it all back")
    func takeOver() async throws {
        try await withOneStop(.sqlite, sqliteFile: true) { t in
            let app = t.app
            try await WALCheckpointer.takeOver(app)
            #expect(app.walWriterPages.withLockedValue { $0 } == 0)
            try await WALCheckpointer.checkpoint(app)
            // About 5 MB through the writer, in batches.
            let blob = String(repeating: "x", count: 4000)
            for batch in 0..<10 {
                try await app.groupCommit.run(actor: "test", now: Date()) { db -> (Void, [AuditEvent]) in
                    let sql = db as! any SQLDatabase
                    if batch == 0 { try await sql.raw("CREATE TABLE wal_test (n INTEGER, body TEXT)").run() }
                    for n in 0..<130 { try await sql.raw("INSERT INTO wal_test VALUES (\(bind: n), \(bind: blob))").run() }
                    return ((), [])
                }
            }
            // Nothing copied the log back in the writer's commits.
            let sql = app.db as! any SQLDatabase
            let before = try await app.db.withConnection { conn in
                try await WALCheckpointer.walCheckpoint("NOOP", on: conn as! any SQLDatabase)
            }
            #expect((before?.log ?? 0) > 1000)
            #expect(before?.checkpointed == 0)
            let after = try #require(try await WALCheckpointer.checkpoint(app))
            #expect(after.log >= before?.log ?? 0)
            #expect(after.checkpointed == after.log)
            let rows = try await sql.raw("SELECT COUNT(*) AS n FROM wal_test").first()?.decode(column: "n", as: Int.self)
            #expect(rows == 1300)
            // A long job's pause holds the checkpointer off, and leaves the writer as it found it.
            try await WALCheckpoints.paused(app, reader: app.db, now: { Date() }) {
                let held = try await WALCheckpointer.checkpoint(app)
                #expect(held == nil)
            }
            #expect(app.walWriterPages.withLockedValue { $0 } == 0)
        }
    }
}
