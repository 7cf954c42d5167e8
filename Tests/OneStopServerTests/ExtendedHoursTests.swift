import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 延时服务 (issue 23): a group's extended hours on working days and weekends, booked like any
/// appointment, assigned to staff, checked in on a day the hall is otherwise closed.
@Suite("Extended hours")
struct ExtendedHoursTests {
    struct Slot: Decodable { var start: String; var extended: Bool }
    struct Slots: Decodable { var open: Bool; var slots: [Slot] }
    struct Ticket: Decodable { var ticketClass: String }
    struct Booking: Decodable {
        var id: UUID
        var code: String
        var date: String
        var state: String
        var extended: Bool
        var staffID: UUID?
        var staffName: String?
        var ticket: Ticket?
    }
    struct Group: Decodable { var id: UUID; var prefix: String; var extendedPeriods: String?; var weekendPeriods: String? }

    @Test(
        "extended hours: set on a group apart from office hours, booked and marked, listed per department, assigned to staff, checked in at the weekend",
        arguments: TestDB.available)
    func extendedHours(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let s = try await WindowStaffTests.Staffed.open(t)
            let d = s.d
            let groups = try await t.send(.GET, "/api/v1/centers/\(d.county)/queue/groups", token: d.admin).decoded([Group].self)
            let b = try #require(groups.first { $0.prefix == "B" })
            #expect(b.extendedPeriods == "" && b.weekendPeriods == "", "none by default")
            let path = "/api/v1/centers/\(d.county)/queue/groups/\(b.id)"
            func codes(_ r: TestingHTTPResponse) -> [String] { r.problem?.errors?.map { "\($0.field):\($0.code)" } ?? [] }
            var res = try await t.send(.PUT, path, token: d.admin, json: ["extendedPeriods": "11:30-13:00"])
            #expect(codes(res) == ["extendedPeriods:queue.extendedOverlap"])
            res = try await t.send(.PUT, path, token: d.admin, json: ["weekendPeriods": "9点到12点"])
            #expect(codes(res) == ["weekendPeriods:queue.periods"])
            #expect(try await ServiceGroupModel.find(b.id, on: t.app.db)?.weekendPeriods == "", "a refusal changes nothing")
            struct Hours: Encodable { var extendedPeriods: String; var weekendPeriods: String; var daysAhead: Int }
            res = try await t.send(
                .PUT, path, token: d.admin,
                json: Hours(extendedPeriods: "12:00-13:00,17:00-18:00", weekendPeriods: "09:00-10:00", daysAhead: 30))
            #expect(try res.decoded(Group.self).extendedPeriods == "12:00-13:00,17:00-18:00", "\(res.body.string)")

            // A working day — a weekday or a made-up one — lists office and extended slots, the latter
            // marked; an ordinary weekend only the weekend's hours; a holiday none; another group's
            // weekend stays closed.
            func slots(_ date: String, _ group: String = "B") async throws -> Slots {
                try await t.send(.GET, "/api/v1/centers/DL010200/slots?group=\(group)&date=\(date)").decoded(Slots.self)
            }
            for day in ["2026-09-22", "2026-10-10"] {
                let work = try await slots(day)
                #expect(work.slots.filter(\.extended).map(\.start) == ["12:00", "12:30", "17:00", "17:30"], "\(day)")
                #expect(work.slots.first?.start == "09:00" && work.slots.first?.extended == false)
            }
            let sunday = try await slots("2026-10-11")
            #expect(sunday.open && sunday.slots.map(\.start) == ["09:00", "09:30"] && sunday.slots.allSatisfy(\.extended))
            #expect(try await slots("2026-09-26").open == false, "中秋节")
            #expect(try await slots("2026-10-11", "C").open == false)

            func book(_ date: String, _ slot: String, _ id: String, group: String = "B") async throws -> TestingHTTPResponse {
                try await t.send(
                    .POST, "/api/v1/appointments",
                    json: [
                        "center": "DL010200", "group": group, "date": date, "slot": slot, "name": "孙丽", "idNumber": id,
                        "phone": "13800138000",
                    ])
            }
            res = try await book("2026-10-11", "12:00", "11010519491231002X")
            #expect(codes(res) == ["slot:queue.noSuchSlot"], "noon is a working day's extended hour, not Sunday's")
            res = try await book("2026-09-26", "09:00", "11010519491231002X")
            #expect(codes(res) == ["date:queue.closedDay"])
            let lunch = try await book("2026-09-22", "12:00", "11010519491231002X").decoded(Booking.self)
            #expect(lunch.extended && lunch.staffID == nil)
            let weekend = try await book("2026-10-11", "09:00", "110105194912310038").decoded(Booking.self)
            #expect(weekend.extended)
            let office = try await book("2026-09-22", "09:00", "110105194912310046").decoded(Booking.self)
            #expect(!office.extended)

            // The listing: extended bookings only, soonest first, a department's chief sees its groups'.
            let list = "/api/v1/centers/\(d.county)/extended-bookings"
            #expect(try await t.send(.GET, list).status == .unauthorized)
            let all = try await t.send(.GET, list, token: d.admin).decoded([Booking].self)
            #expect(all.map(\.id) == [lunch.id, weekend.id])
            #expect(try await t.send(.GET, list, token: d.chief).decoded([Booking].self).count == 2)
            #expect(try await t.send(.GET, list, token: d.otherChief).decoded([Booking].self).isEmpty)

            // Assigning: staff of the department; another department's chief may not; an office-hours
            // booking is not one of these.
            let assign = "/api/v1/extended-bookings/\(lunch.id)/assign"
            #expect(try await t.send(.POST, assign, token: d.otherChief, json: ["staffID": s.zhao]).status == .forbidden)
            #expect(codes(try await t.send(.POST, assign, token: d.chief, json: ["staffID": UUID()])) == ["staffID:invalidReference"])
            #expect(codes(try await t.send(.POST, assign, token: d.chief, json: [String: String]())) == ["staffID:required"])
            #expect(
                try await t.send(.POST, "/api/v1/extended-bookings/\(office.id)/assign", token: d.admin, json: ["staffID": s.zhao])
                    .status == .notFound)
            var assigned = try await t.send(.POST, assign, token: d.chief, json: ["staffID": s.zhao]).decoded(Booking.self)
            #expect(assigned.staffID == s.zhao && assigned.staffName == "赵敏")
            assigned = try await t.send(
                .POST, "/api/v1/extended-bookings/\(weekend.id)/assign", token: d.admin, json: ["staffID": s.qian]
            ).decoded(Booking.self)
            #expect(assigned.staffName == "钱多")
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "appointment.assign").count() == 2)

            // Sunday 11 October, 08:50 in Beijing: the hall takes no walk-ins, yet the weekend booking
            // checks in for an appointment ticket; once checked in it is no longer reassigned.
            t.clock.advance(19 * 86_400 + 10 * 3600 + 37 * 60)
            let admin = try await t.login()
            res = try await t.send(.POST, "/api/v1/tickets", json: ["center": "DL010200", "group": "B"])
            #expect(res.problem?.errors?.first?.code == "queue.closedToday")
            let checked = try await t.send(.POST, "/api/v1/appointments/\(weekend.code)/check-in", token: admin)
            #expect(checked.status == .ok, "\(checked.body.string)")
            let c = try checked.decoded(Booking.self)
            #expect(c.state == "checked_in" && c.ticket?.ticketClass == "appointment")
            res = try await t.send(.POST, "/api/v1/extended-bookings/\(weekend.id)/assign", token: admin, json: ["staffID": s.zhao])
            #expect(res.status == .conflict)
        }
    }
}
