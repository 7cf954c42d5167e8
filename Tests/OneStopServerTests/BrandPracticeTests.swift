import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 实践推进 (issue 22): weekly reports on time, late and missing, with the reminders; the
/// photos; inspections and their notices.
@Suite("Brand practice")
struct BrandPracticeServerTests {
    struct Span: Encodable { var phase: String; var from: String; var to: String }
    struct Open: Encodable { var center = "DL010200"; var name: String; var phases: [Span]; var requirements = "三个体现、两个创新" }

    /// Opens the county's campaign with its phases, returning its id.
    static func campaign(_ t: TestContext, office: String, _ dates: [(String, String)]) async throws -> UUID {
        let phases = zip(["cultivation", "practice", "selection", "consolidation"], dates).map { Span(phase: $0, from: $1.0, to: $1.1) }
        let res = try await t.send(.POST, "/api/v1/brand-campaigns", token: office, json: Open(name: "机关服务品牌创建活动", phases: phases))
        #expect(res.status == .created, "\(res.body.string)")
        struct C: Decodable { var id: UUID }
        return try res.decoded(C.self).id
    }

    /// A brand of the chief's department, approved by the office.
    static func brand(_ t: TestContext, chief: String, office: String, name: String) async throws -> UUID {
        let res = try await t.send(
            .POST, "/api/v1/brands", token: chief,
            json: BrandRegistryTests.Input(
                name: name, culture: .init(purpose: "便民"), system: .init(commitments: ["24 小时答复"])))
        #expect(res.status == .created, "\(res.body.string)")
        let id = try res.decoded(BrandRegistryTests.Brand.self).id
        #expect(try await t.send(.POST, "/api/v1/brands/\(id)/approve", token: office).status == .ok)
        return id
    }

    struct Weeks: Decodable {
        struct Week: Decodable {
            struct Report: Decodable { var late: Bool; var photos: [String] }
            var week: String
            var status: String
            var report: Report?
        }
        var weeks: [Week]
        var onTime: Int
        var late: Int
        var missing: Int
    }

    @Test(
        "weekly reports: one per week of practice, late after the week's last day, missing ones counted and reminded of once, photos of the brand's own",
        arguments: TestDB.available)
    func reports(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            var office = try await t.login("jiwei", "Order-Pass-2026")
            _ = try await Self.campaign(
                t, office: office,
                [("2026-01-01", "2026-08-31"), ("2026-09-01", "2026-10-18"), ("2026-10-19", "2026-11-30"), ("2026-12-01", "2027-12-31")])
            var res = try await t.send(
                .POST, "/api/v1/brands", token: d.chief,
                json: BrandRegistryTests.Input(name: "红盾先锋", culture: .init(purpose: "便民"), system: .init(commitments: ["24 小时答复"])))
            let id = try res.decoded(BrandRegistryTests.Brand.self).id
            res = try await t.send(.POST, "/api/v1/brands/\(id)/reports", token: d.chief, json: ["done": "制定方案"])
            #expect(res.status == .conflict, "not before the office approves")
            #expect(try await t.send(.POST, "/api/v1/brands/\(id)/approve", token: office).status == .ok)
            // Today is Monday 2026-09-21: the week of the 21st is owed, and open.
            res = try await t.send(.POST, "/api/v1/brands/\(id)/reports", token: d.chief, json: ["done": " ", "week": "2026-12-01"])
            #expect(Set(res.problem?.errors?.map(\.field) ?? []) == ["done", "week"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: d.otherChief, json: ["done": "推行延时服务"])
            #expect(res.status == .forbidden, "another department's chief")
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: d.chief,
                json: ["done": "推行延时服务", "changes": "午间可办", "figures": "办件 320 件"])
            #expect(res.status == .created, "\(res.body.string)")
            res = try await t.send(.POST, "/api/v1/brands/\(id)/reports", token: d.chief, json: ["done": "再报一次"])
            #expect(res.status == .conflict, "one report a week")

            // Two weeks on: the week of the 28th passed without a report.
            t.clock.advance(14 * 86400)
            // Tokens have expired meanwhile.
            office = try await t.login("jiwei", "Order-Pass-2026")
            let chief = try await t.login("chief_scjg", "Order-Pass-2026")
            var weeks = try await t.send(.GET, "/api/v1/brands/\(id)/reports", token: office).decoded(Weeks.self)
            #expect(weeks.weeks.map(\.status) == ["open", "missing", "on_time"], "\(weeks)")
            #expect(weeks.onTime == 1 && weeks.missing == 1 && weeks.late == 0)
            #expect(try await BrandReportService.remind(app: t.app, now: t.clock.now) == 1)
            #expect(try await BrandReportService.remind(app: t.app, now: t.clock.now) == 0, "once per week")
            let reminders = try await OutboxModel.query(on: t.app.db).filter(\.$event == "brand.report.missing").all()
            #expect(!reminders.isEmpty && reminders.allSatisfy { $0.payload.contains("2026-09-28") })

            // The late report, with a photo; a file that is no image is refused.
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]
            res = try await BrandRegistryTests.upload(t, "/api/v1/brands/\(id)/files?name=现场", Array("hello".utf8), token: chief)
            #expect(res.problem?.errors?.first?.code == "brand.fileType", "\(res.body.string)")
            res = try await BrandRegistryTests.upload(t, "/api/v1/brands/\(id)/files?name=现场", png, token: chief)
            #expect(res.status == .created, "\(res.body.string)")
            struct F: Decodable { var id: UUID; var path: String }
            let photo = try res.decoded(F.self)
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: chief,
                json: BrandReportService.Input(week: "2026-09-30", done: "补报", photos: [photo.id, UUID()]))
            #expect(res.problem?.errors?.map(\.field) == ["photos"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/reports", token: chief,
                json: BrandReportService.Input(week: "2026-09-30", done: "补报", photos: [photo.id]))
            #expect(res.status == .created, "\(res.body.string)")
            weeks = try await t.send(.GET, "/api/v1/brands/\(id)/reports", token: chief).decoded(Weeks.self)
            #expect(weeks.onTime == 1 && weeks.late == 1 && weeks.missing == 0)
            #expect(weeks.weeks[1].report?.late == true && weeks.weeks[1].report?.photos == [photo.path])
            #expect(try await t.send(.GET, photo.path).status == .ok, "a public brand's photos are public")
            #expect(try await t.send(.GET, "/api/v1/brands/\(id)/reports").status == .unauthorized)
        }
    }

    @Test(
        "an inspection: recorded by the office only, checked, and published once as a numbered notice, internal ones shown to staff only",
        arguments: TestDB.available)
    func inspections(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            try await BrandRegistryTests.addOffice(t, d)
            let office = try await t.login("jiwei", "Order-Pass-2026")
            let id = try await Self.brand(t, chief: d.chief, office: office, name: "红盾先锋")
            struct P: Encodable { var text: String; var deadline: String }
            struct I: Encodable { var day: String; var inspectors: String; var findings: [String: String]; var problems: [P] }
            let good = I(
                day: "2026-09-18", inspectors: "机关工委督查组", findings: ["culture": "理念上墙、人人熟知", "system": "承诺未公开"],
                problems: [P(text: "公开服务承诺", deadline: "2026-10-18")])
            var res = try await t.send(.POST, "/api/v1/brands/\(id)/inspections", token: d.chief, json: good)
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, "/api/v1/brands/\(id)/inspections", token: office,
                json: I(day: "2026-09-30", inspectors: "", findings: ["colour": "x"], problems: [P(text: "a", deadline: "2026-09-01")]))
            #expect(
                Set(res.problem?.errors?.map(\.field) ?? []) == [
                    "findings.colour", "day", "inspectors", "findings", "problems.0.deadline",
                ], "\(res.body.string)")
            res = try await t.send(.POST, "/api/v1/brands/\(id)/inspections", token: office, json: good)
            #expect(res.status == .created, "\(res.body.string)")
            struct Inspection: Decodable { var id: UUID; var noticePath: String? }
            let inspection = try res.decoded(Inspection.self)
            res = try await t.send(
                .POST, "/api/v1/brand-inspections/\(inspection.id)/notice", token: office, json: ["visibility": "secret"])
            #expect(res.problem?.errors?.first?.field == "visibility")
            res = try await t.send(
                .POST, "/api/v1/brand-inspections/\(inspection.id)/notice", token: office, json: ["visibility": "internal"])
            #expect(res.status == .created, "\(res.body.string)")
            struct Notice: Decodable { var id: UUID; var number: String; var path: String; var kind: String }
            let notice = try res.decoded(Notice.self)
            #expect(notice.number == "品督〔2026〕1号" && notice.kind == "inspection")
            res = try await t.send(
                .POST, "/api/v1/brand-inspections/\(inspection.id)/notice", token: office, json: ["visibility": "public"])
            #expect(res.status == .conflict, "published once, never changed")
            #expect(try await t.send(.GET, notice.path).status == .notFound, "internal: not for the public")
            #expect(try await t.send(.GET, "/api/v1/brand-notices/\(notice.id)").status == .notFound)
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, notice.path).body.string
            #expect(page.contains("品督〔2026〕1号") && page.contains("公开服务承诺（2026-10-18 前整改到位）") && page.contains("内部通报"))
            let listed = try await t.send(.GET, "/api/v1/brands/\(id)/inspections", token: d.supervisor).decoded([Inspection].self)
            #expect(listed.count == 1 && listed[0].noticePath == notice.path)
            // A second inspection's public notice is the second number of the year, and public.
            res = try await t.send(.POST, "/api/v1/brands/\(id)/inspections", token: office, json: good)
            let second = try res.decoded(Inspection.self)
            res = try await t.send(.POST, "/api/v1/brand-inspections/\(second.id)/notice", token: office, json: ["visibility": "public"])
            let publicNotice = try res.decoded(Notice.self)
            #expect(publicNotice.number == "品督〔2026〕2号")
            #expect(try await t.send(.GET, publicNotice.path).status == .ok)
            let all = try await t.send(.GET, "/api/v1/brand-notices?center=DL010200").decoded([Notice].self)
            #expect(all.map(\.number) == ["品督〔2026〕2号"], "the public sees the public one")
        }
    }
}
