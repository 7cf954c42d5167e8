import Foundation
import SQLKit
import SQLiteKit
import Testing

@testable import OneStopServer

@Suite("The commit lane's own SQLite connection")
struct LaneSQLiteTests {
    @Test("a kept statement runs again with new values; a refused one fails alone and the next runs; the cache starts again when full")
    func statements() throws {
        let dir = NSTemporaryDirectory() + "onestop-lane-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lane = LaneSQLite(path: dir + "/db.sqlite")
        defer { lane.close() }
        func rows(_ sql: String, _ binds: [SQLiteData] = []) throws -> [[String: SQLiteData]] {
            var out: [[String: SQLiteData]] = []
            try lane.run(sql, binds) { row in
                var r: [String: SQLiteData] = [:]
                for (c, v) in zip(row.allColumns, row.values) { r[c] = v }
                out.append(r)
            }
            return out
        }
        _ = try rows("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT)")
        let insert = "INSERT INTO t (id, name, note) VALUES (?, ?, ?)"
        _ = try rows(insert, [.integer(1), .text("一"), .null])
        _ = try rows(insert, [.integer(2), .text("two"), .text("x")])
        let select = "SELECT id, name, note FROM t WHERE id >= ? ORDER BY id"
        #expect(try rows(select, [.integer(1)]).map { $0["name"] } == [.text("一"), .text("two")])
        #expect(try rows(select, [.integer(2)]).map { $0["note"] } == [.text("x")])
        // A repeated name: refused as a constraint, and the kept statement is usable again.
        do {
            _ = try rows(insert, [.integer(3), .text("two"), .null])
            Issue.record("a repeated name was accepted")
        } catch let e as LaneSQLiteError {
            #expect(e.isConstraintFailure, "\(e)")
        }
        _ = try rows(insert, [.integer(3), .text("three"), .null])
        #expect(try rows(select, [.integer(3)]).map { $0["name"] } == [.text("three")])
        // More statements than the cache keeps.
        for n in 0..<(LaneSQLite.maxStatements + 10) {
            #expect(try rows("SELECT \(n) AS n").first?["n"] == .integer(n))
        }
        #expect(try rows(select, [.integer(1)]).count == 3)
        // Typed reads as SQLKit's rows give them.
        var names: [String] = []
        try lane.run(select, [.integer(1)]) { names.append(try $0.decode(column: "name", as: String.self)) }
        #expect(names == ["一", "two", "three"])
        #expect(StorageFault.of(LaneSQLiteError(code: 13, message: "full")) == .diskFull)
        #expect(StorageFault.of(LaneSQLiteError(code: 10 | (3 << 8), message: "write")) == .unavailable)
        #expect(StorageFault.of(LaneSQLiteError(code: 19, message: "constraint")) == nil)
    }

    @Test("multi-row inserts go in few shapes on SQLite (powers of two), in as few statements as allowed elsewhere")
    func insertShapes() {
        #expect(SQLRows.chunks(45, most: 400, shapes: true) == [32, 8, 4, 1])
        #expect(SQLRows.chunks(45, most: 400, shapes: false) == [45])
        #expect(SQLRows.chunks(1000, most: 400, shapes: false) == [400, 400, 200])
        let big = SQLRows.chunks(1000, most: 400, shapes: true)
        #expect(big == [256, 256, 256, 128, 64, 32, 8] && big.reduce(0, +) == 1000)
        #expect(SQLRows.chunks(0, most: 400, shapes: true).isEmpty)
        #expect(SQLRows.padded([1, 2, 3], shapes: true) == [1, 2, 3, 3])
        #expect(SQLRows.padded([1], shapes: true) == [1] && SQLRows.padded([Int](), shapes: true).isEmpty)
        #expect(SQLRows.padded([1, 2, 3], shapes: false) == [1, 2, 3])
    }
}
