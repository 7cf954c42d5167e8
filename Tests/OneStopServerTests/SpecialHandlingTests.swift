import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("特事特办 and the green channel for people from elsewhere")
struct SpecialHandlingTests {
    @Test(
        "a marked case leads its handler's list and the board; a bad mark changes nothing; the mark is audited", arguments: TestDB.available
    )
    func special(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let staff = try await t.caseStaff()
            let item = try await t.foodItem()
            let first = try await t.intake(staff.clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            let second = try await t.intake(staff.clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            struct Row: Decodable {
                var id: UUID
                var special: String?
            }
            func mine() async throws -> [Row] {
                try await t.send(.GET, "/api/v1/cases?mine=true", token: staff.clerk).content.decode([Row].self)
            }
            #expect(try await mine().map(\.id) == [first.id, second.id])
            // No reason, or an unknown kind: refused, nothing marked.
            var r = try await t.send(.POST, "/api/v1/cases/\(second.id)/special", token: staff.clerk, json: ["special": "elderly"])
            #expect(r.problem?.errors?.first?.field == "reason", "\(r.body.string)")
            r = try await t.send(
                .POST, "/api/v1/cases/\(second.id)/special", token: staff.clerk, json: ["special": "vip", "reason": "x"])
            #expect(r.problem?.errors?.first?.code == "invalidChoice")
            #expect(try await CaseModel.find(second.id, on: t.app.db)?.special == nil)
            r = try await t.send(
                .POST, "/api/v1/cases/\(second.id)/special", token: staff.clerk, json: ["special": "elderly", "reason": "八十五岁独居老人"])
            #expect(r.status == .ok, "\(r.body.string)")
            let marked = try await mine()
            #expect(marked.map(\.id) == [second.id, first.id] && marked.first?.special == "elderly")
            let board = try await t.send(.GET, "/api/v1/supervision/cases", token: staff.admin).content.decode([Row].self)
            #expect(board.first?.id == second.id, "\(board)")
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "case.special").all()
            #expect(audit.count == 1 && audit.first?.detail.contains("八十五岁独居老人") == true)
            // The pages show it: the case's tag and form, the list's tag.
            let b = Browser(t)
            _ = try await b.signIn("case_clerk", "Case-Pass-2026")
            let page = try await b.request(.GET, "/cases/\(second.id)").body.string
            #expect(page.contains("特事特办 · 老年人") && page.contains("action=\"/cases/\(second.id)/special\""))
            #expect(try await b.request(.GET, "/cases?mine=true").body.string.contains("特事特办 · 老年人"))
            // Cleared by an empty kind.
            r = try await t.send(.POST, "/api/v1/cases/\(second.id)/special", token: staff.clerk, json: ["special": ""])
            #expect(try await CaseModel.find(second.id, on: t.app.db)?.special == nil)
            #expect(try await mine().map(\.id) == [first.id, second.id])
        }
    }

    @Test("外地人员 take the green channel where the center admits them, and are refused where it does not", arguments: TestDB.available)
    func nonLocal(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let county = try await t.centerID(code: "DL010200")
            func take() async throws -> TestingHTTPResponse {
                try await t.send(
                    .POST, "/api/v1/tickets", token: admin, json: ["center": "DL010200", "group": "A", "ticketClass": "non_local"])
            }
            // The demo center admits them; the take page offers the choice.
            let ok = try await take()
            #expect(ok.status == .created, "\(ok.body.string)")
            #expect(try await t.send(.GET, "/hall/DL010200/queue").body.string.contains("value=\"non_local\""))
            let put = try await t.send(.PUT, "/api/v1/centers/\(county)/queue/settings", token: admin, json: ["greenNonLocal": false])
            #expect(put.status == .ok, "\(put.body.string)")
            let refused = try await take()
            #expect(refused.problem?.errors?.first?.code == "queue.nonLocalOff", "\(refused.body.string)")
            #expect(try await TicketModel.query(on: t.app.db).count() == 1)
            let page = try await t.send(.GET, "/hall/DL010200/queue").body.string
            #expect(!page.contains("value=\"non_local\""))
        }
    }
}
