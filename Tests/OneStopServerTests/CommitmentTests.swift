import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 一诺 and 回头看 (issue 21).
@Suite("Commitments")
struct CommitmentTests {
    struct Pledge: Codable {
        var text: String
        var indicator: String?
        var target: Double?
        var measured: String?
        var result: String?
        var note: String?
    }

    struct Commitment: Decodable {
        var id: UUID
        var state: String
        var pledges: [Pledge]
        var renews: UUID?
    }

    struct Input: Encodable {
        var committer: String
        var period: String
        var pledges: [Pledge]
    }

    @Test(
        "a department's half-year commitment, made by its chief representative, reviewed pledge by pledge with the measured figure, then renewed; a staff member's on their profile",
        arguments: TestDB.available)
    func commitments(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let desk = try await t.caseStaff()
            // September: two cases of the market regulator, one decided late — 50% on time.
            _ = try await t.septemberCases(clerk: desk.clerk, chief: desk.chief)

            let department = "department:" + d.scjg.uuidString.lowercased()
            let pledges = [
                Pledge(text: "承诺件按时办结率不低于 98%", indicator: "on_time", target: 0.98),
                Pledge(text: "一次性告知，不让群众多跑腿"),
            ]
            let scjgChief = try await t.login("chief_scjg", "Order-Pass-2026")
            let supervisor = try await t.login("jiancha", "Order-Pass-2026")
            var res = try await t.send(
                .POST, "/api/v1/commitments", token: try await t.login("chief_ga", "Order-Pass-2026"),
                json: Input(committer: department, period: "half_year:2026-H2", pledges: pledges))
            #expect(res.status == .forbidden, "another department's chief")
            res = try await t.send(
                .POST, "/api/v1/commitments", token: scjgChief, json: Input(committer: department, period: "month:2026-09", pledges: []))
            #expect(Set(res.problem?.errors?.map(\.code) ?? []) == ["commitment.halfYear", "required"], "\(res.body.string)")
            res = try await t.send(
                .POST, "/api/v1/commitments", token: scjgChief,
                json: Input(
                    committer: department, period: "half_year:2026-H2", pledges: [Pledge(text: "x", indicator: "on_time", target: 1.5)]))
            #expect(res.problem?.errors?.first?.code == "commitment.target")
            // The guide pages of the department's items publish it (an anonymous page, cached before).
            let guide = "/guide/DL010200-SCJG-002-01?center=DL010200"
            #expect(try await t.send(.GET, guide).body.string.contains("食品经营许可证核发"))
            #expect(!(try await t.send(.GET, guide).body.string.contains("一次性告知，不让群众多跑腿")))
            res = try await t.send(
                .POST, "/api/v1/commitments", token: scjgChief,
                json: Input(committer: department, period: "half_year:2026-H2", pledges: pledges))
            #expect(res.status == .created, "\(res.body.string)")
            let first = try res.content.decode(Commitment.self)
            let published = try await t.send(.GET, guide).body.string
            #expect(published.contains("2026年下半年公开承诺") && published.contains("一次性告知，不让群众多跑腿"))
            res = try await t.send(
                .POST, "/api/v1/commitments", token: scjgChief,
                json: Input(committer: department, period: "half_year:2026-H2", pledges: pledges))
            #expect(res.status == .conflict)

            // 回头看: a verdict for each pledge, a note unless kept; the measured figure is attached.
            struct Item: Encodable { var result: String; var note: String? }
            struct Review: Encodable { var results: [Item] }
            let path = "/api/v1/commitments/\(first.id)/review"
            res = try await t.send(.POST, path, token: supervisor, json: Review(results: [Item(result: "kept")]))
            #expect(res.problem?.errors?.first?.code == "commitment.everyPledge")
            res = try await t.send(
                .POST, path, token: supervisor, json: Review(results: [Item(result: "not_kept"), Item(result: "kept")]))
            #expect(res.problem?.errors?.first?.field == "results.0.note")
            res = try await t.send(
                .POST, path, token: supervisor,
                json: Review(results: [Item(result: "not_kept", note: "9 月有 1 件超期"), Item(result: "kept")]))
            let reviewed = try res.content.decode(Commitment.self)
            #expect(reviewed.state == "reviewed" && reviewed.pledges[0].measured == "50.0%" && reviewed.pledges[1].measured == nil)
            #expect(reviewed.pledges.map(\.result) == ["not_kept", "kept"])
            #expect(try await t.send(.GET, guide).body.string.contains("承诺件按时办结率不低于 98%（未兑现）"), "the 回头看 on the guide")
            #expect(
                try await t.send(.POST, path, token: supervisor, json: Review(results: [Item(result: "kept"), Item(result: "kept")]))
                    .status == .conflict)
            // 再承诺: the next half-year's renews it.
            res = try await t.send(
                .POST, "/api/v1/commitments", token: scjgChief,
                json: Input(committer: department, period: "half_year:2027-H1", pledges: pledges))
            #expect(try res.content.decode(Commitment.self).renews == first.id)
            let listed = try await t.send(.GET, "/api/v1/commitments?subject=\(department)").content.decode([Commitment].self)
            #expect(listed.map(\.id).last == first.id && listed.count == 2)

            // A staff member's own, on the public profile.
            let staff = try #require(try await StaffModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).first())
            res = try await t.send(
                .POST, "/api/v1/commitments", token: try await t.login(),
                json: Input(committer: "staff:\(staff.id!)", period: "half_year:2026-H2", pledges: [Pledge(text: "微笑服务，首问负责")]))
            #expect(res.status == .created)
            let profile = try await t.send(.GET, "/staff/\(staff.id!)").body.string
            #expect(profile.contains("本期承诺（2026年下半年）") && profile.contains("微笑服务，首问负责"))
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$entityType == "commitment").count() == 4)
            let web = Browser(t)
            _ = try await web.signIn("chief_scjg", "Order-Pass-2026")
            let page = try await web.request(.GET, "/commitments?center=DL010200")
            #expect(page.status == .ok && page.body.string.contains("承诺件按时办结率不低于 98%"), "\(page.status) \(page.body.string.prefix(300))")
        }
    }
}
