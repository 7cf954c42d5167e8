import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("The demo's hall history")
struct DemoHistoryTests {
    @Test(
        "four weeks of working days with tickets, waits and ratings: the report draws its charts, the forecast has demand",
        arguments: TestDB.available)
    func history(db: TestDB) async throws {
        try await withOneStop(db, hallHistory: true) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            struct B: Decodable {
                var key: String
                var tickets: Int
                var meanWaitMinutes: Double?
            }
            struct Report: Decodable {
                struct Row: Decodable {
                    var tickets: Int
                    var served: Int
                    var ratings: Int
                    var meanRating: Double?
                }
                var total: Row
                var byDay: [B]
                var byHour: [B]
                var byGroup: [B]
            }
            // 2026-08-24 (Monday) to 2026-09-20 (Sunday): four weeks before the test's today.
            let r = try await t.send(.GET, "/api/v1/centers/\(county)/queue/report?from=2026-08-24&to=2026-09-20", token: admin)
            #expect(r.status == .ok, "\(r.body.string)")
            let report = try r.content.decode(Report.self)
            #expect(report.byDay.count == 28)
            // Days off have none (2026-09-20, a Sunday, is worked for the National Day holiday).
            let calendar = WorkCalendar(NationalCalendar.shipped)
            let off = report.byDay.filter { !calendar.isWorkingDay(CivilDate($0.key)!) }
            #expect(off.count == 7 && off.allSatisfy { $0.tickets == 0 })
            #expect(report.byDay.filter { calendar.isWorkingDay(CivilDate($0.key)!) }.allSatisfy { $0.tickets > 100 })
            #expect(report.byHour.first?.key == "09" && report.byHour.last?.key == "16")
            #expect(report.byGroup.count == 6 && report.byGroup.allSatisfy { ($0.meanWaitMinutes ?? -1) >= 0 })
            #expect(report.total.served > report.total.tickets * 9 / 10 && report.total.ratings > report.total.served / 2)
            #expect((report.total.meanRating ?? 0) > 4.5)
            // Nothing today: the live hall starts empty.
            let today = try await t.send(.GET, "/api/v1/centers/\(county)/queue/report", token: admin).content.decode(Report.self)
            #expect(today.total.tickets == 0)
            struct Forecast: Decodable {
                struct Group: Decodable {
                    struct Hour: Decodable { var windows: Int? }
                    var prefix: String
                    var hours: [Hour]
                }
                var daysObserved: Int
                var groups: [Group]
            }
            let f = try await t.send(.GET, "/api/v1/centers/\(county)/queue/forecast", token: admin)
            let forecast = try f.content.decode(Forecast.self)
            #expect(forecast.daysObserved >= 3, "\(f.body.string.prefix(300))")
            let a = try #require(forecast.groups.first { $0.prefix == "A" })
            #expect(a.hours.contains { ($0.windows ?? 0) >= 2 })
            // The page draws the three charts.
            let b = Browser(t)
            _ = try await b.signIn()
            let page = try await b.request(.GET, "/manage/hall/report?center=\(county)&from=2026-08-24&to=2026-09-20").body.string
            #expect(page.contains("id=\"chart-hour\"") && page.contains("id=\"chart-group\"") && page.contains("id=\"chart-day\""))
        }
    }
}
