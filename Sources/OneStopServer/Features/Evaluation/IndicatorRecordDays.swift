import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

extension IndicatorStore {
    /// The other days the changed records count on: a case's acceptance and decision, a rating's
    /// day and its rectification deadline, a work order's reception.
    static func recordDays(_ ids: [String: Set<UUID>], on sql: any SQLDatabase) async throws -> Set<Pair> {
        var out = Set<Pair>()
        func chunks(_ s: Set<UUID>?) -> [[UUID]] {
            let a = Array(s ?? [])
            return stride(from: 0, to: a.count, by: 500).map { Array(a[$0..<min($0 + 500, a.count)]) }
        }
        func add(_ center: UUID, _ day: String?) {
            if let day, let d = CivilDate(day) { out.insert(Pair(center: center, day: d)) }
        }
        struct CaseDays: Decodable {
            var centerID: UUID
            var acceptedOn: String?
            var decidedOn: String?

            enum CodingKeys: String, CodingKey {
                case centerID = "center_id"
                case acceptedOn = "accepted_on"
                case decidedOn = "decided_on"
            }
        }
        for chunk in chunks(ids["case"]) {
            for c in try await sql.raw("SELECT center_id, accepted_on, decided_on FROM cases WHERE id IN \(sql.idList(chunk))")
                .all(decoding: CaseDays.self)
            {
                add(c.centerID, c.acceptedOn)
                add(c.centerID, c.decidedOn)
            }
        }
        struct Stamped: Decodable {
            var centerID: UUID
            var at: Int64

            enum CodingKeys: String, CodingKey {
                case centerID = "center_id"
                case at
            }
        }
        struct Due: Decodable {
            var centerID: UUID
            var dueOn: String

            enum CodingKeys: String, CodingKey {
                case centerID = "center_id"
                case dueOn = "due_on"
            }
        }
        for chunk in chunks(ids["rating"]) {
            for r in try await sql.raw("SELECT center_id, at FROM ratings WHERE id IN \(sql.idList(chunk))").all(decoding: Stamped.self) {
                out.insert(Pair(center: r.centerID, day: HallClock.day(Date(timeIntervalSince1970: Double(r.at) / 1000))))
            }
            for b in try await sql.raw("SELECT center_id, due_on FROM bad_ratings WHERE id IN \(sql.idList(chunk))").all(decoding: Due.self)
            {
                add(b.centerID, b.dueOn)
            }
        }
        struct Day: Decodable {
            var centerID: UUID
            var day: String

            enum CodingKeys: String, CodingKey {
                case centerID = "center_id"
                case day
            }
        }
        for chunk in chunks(ids["outside_score"]) {
            for o in try await sql.raw("SELECT center_id, day FROM outside_scores WHERE id IN \(sql.idList(chunk))").all(decoding: Day.self)
            {
                add(o.centerID, o.day)
            }
        }
        // A volunteer service counts on its day, which may be before the day it was entered.
        for chunk in chunks(ids["volunteer_service"]) {
            for v in try await sql.raw("SELECT center_id, day FROM volunteer_services WHERE id IN \(sql.idList(chunk))")
                .all(decoding: Day.self)
            {
                add(v.centerID, v.day)
            }
        }
        for chunk in chunks(ids["work_order"]) {
            for o in try await sql.raw("SELECT center_id, received_at AS at FROM work_orders WHERE id IN \(sql.idList(chunk))")
                .all(decoding: Stamped.self)
            {
                out.insert(Pair(center: o.centerID, day: HallClock.day(Date(timeIntervalSince1970: Double(o.at) / 1000))))
            }
        }
        return out
    }
}
