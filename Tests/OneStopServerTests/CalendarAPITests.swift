import Fluent
import Foundation
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Calendar API")
struct CalendarAPITests {
    struct Day: Decodable { var date: String; var kind: String; var isWorkingDay: Bool; var name: String? }
    struct Sum: Decodable { var result: String }
    struct Count: Decodable { var workingDays: Int }

    @Test("anyone can ask the calendar; make-up days and holidays answer right", arguments: TestDB.available)
    func queries(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let county = try await t.centerID(code: "DL010200")
            let day = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2026-10-10").content.decode(Day.self)
            #expect(day.kind == "makeup_workday" && day.isWorkingDay)
            let sum = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/add-working-days?start=2026-09-30&days=1").content.decode(
                Sum.self)
            #expect(sum.result == "2026-10-08")
            let count = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/count-working-days?from=2026-09-30&to=2026-10-10")
            #expect(try count.content.decode(Count.self).workingDays == 3)
            let bad = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/add-working-days?start=2026-02-30&days=x")
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["start", "days"])
        }
    }

    @Test("a county closure reaches its townships but not its parent", arguments: TestDB.available)
    func inheritance(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let city = try await t.centerID(code: "DL010000")
            let county = try await t.centerID(code: "DL010200")
            let town = try await t.centerID(code: "DL010201")
            let set = try await t.send(
                .PUT, "/api/v1/centers/\(county)/calendar/days/2026-10-08", token: token,
                json: ["kind": "closure", "name": "台风停办"])
            #expect(set.status == .ok, "\(set.body.string)")
            let townSum = try await t.send(.GET, "/api/v1/centers/\(town)/calendar/add-working-days?start=2026-09-30&days=1").content
                .decode(Sum.self)
            #expect(townSum.result == "2026-10-09")
            let citySum = try await t.send(.GET, "/api/v1/centers/\(city)/calendar/add-working-days?start=2026-09-30&days=1").content
                .decode(Sum.self)
            #expect(citySum.result == "2026-10-08")
            _ = try await t.send(.PUT, "/api/v1/centers/\(county)/calendar/days/2026-10-08", token: token, json: ["kind": "normal"])
            let again = try await t.send(.GET, "/api/v1/centers/\(town)/calendar/add-working-days?start=2026-09-30&days=1").content.decode(
                Sum.self)
            #expect(again.result == "2026-10-08")
        }
    }

    @Test("importing a year replaces it, all or nothing", arguments: TestDB.available)
    func importYear(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let token = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            let good = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,makeup_workday,春节调休上班\n"
            let res = try await t.app.testing().sendRequest(.POST, "/api/v1/calendar/import?year=2027", body: .init(string: good)) { req in
                req.headers.bearerAuthorization = .init(token: token)
                req.headers.contentType = .init(type: "text", subType: "csv")
            }
            #expect(res.status == .ok, "\(res.body.string)")
            let sat = try await t.send(.GET, "/api/v1/centers/\(county)/calendar/days/2027-02-06").content.decode(Day.self)
            #expect(sat.isWorkingDay)
            let before = try await CalendarDayModel.query(on: t.app.db).count()
            let bad = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,x\n"
            let refused = try await t.app.testing().sendRequest(.POST, "/api/v1/calendar/import?year=2027", body: .init(string: bad)) {
                req in
                req.headers.bearerAuthorization = .init(token: token)
                req.headers.contentType = .init(type: "text", subType: "csv")
            }
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.problem?.errors?.first?.field == "line 3 date")
            #expect(try await CalendarDayModel.query(on: t.app.db).count() == before)
        }
    }
}
