import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

/// The hall's reads that run on every ticket issued and every batch of calls must not grow with the
/// tickets waiting: each walks an index range of its own, checked here by SQLite's query plans (a
/// benchmark found both walking every ticket waiting in the hall).
@Suite("Queue query plans")
struct QueuePlanTests {
    struct PlanRow: Decodable { var detail: String }

    static func plan(_ q: SQLQueryString, on db: any Database) async throws -> [String] {
        var explain = SQLQueryString("EXPLAIN QUERY PLAN ")
        explain.appendInterpolation(q)
        let rows = try await (db as! any SQLDatabase).raw(explain).all(decoding: PlanRow.self)
        return rows.map(\.detail).filter { $0.contains("tickets") }
    }

    @Test("people ahead count index ranges of the group's class, and the windows' returns use the window index")
    func plans() async throws {
        try await withOneStop(.sqlite) { t in
            let hall = try await Hall.open(t)
            _ = try await hall.issue("A")
            let issued = try await hall.issue("A")
            let ticket = try #require(try await TicketModel.find(issued.id, on: t.app.db))
            let config = try await t.app.halls.config(for: hall.county, on: t.app.db)

            let ahead = try await Self.plan(try #require(TicketPosition.query(ticket, hall: config)), on: t.app.db)
            #expect(ahead.count == 3, "\(ahead)")
            // Each count narrows to the class (and the queued time) inside the group's index: no row
            // of another class, and no ticket numbered earlier, is read.
            for line in ahead {
                #expect(line.contains("tickets_group_day (group_id=? AND day=? AND state=? AND class=?"), "\(line)")
            }

            let heads = try await Self.plan(
                try #require(
                    HallRows.queueHeadsQuery(
                        center: hall.county, day: ticket.day, limits: [ticket.groupID: 2], windows: config.windows.map(\.id))),
                on: t.app.db)
            #expect(!heads.isEmpty)
            for line in heads where line.hasPrefix("SEARCH") || line.hasPrefix("SCAN") {
                #expect(
                    line.contains("tickets_group_day (group_id=? AND day=? AND state=? AND class=?")
                        || line.contains("tickets_window (window_id=? AND state=?)"), "\(line)")
            }
            #expect(heads.contains { $0.contains("tickets_window") }, "\(heads)")
        }
    }
}
