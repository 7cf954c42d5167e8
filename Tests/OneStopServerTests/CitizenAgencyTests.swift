import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("全程代办 for citizens")
struct CitizenAgencyTests {
    @Test(
        "a township's agent takes on a citizen's county cases with their recorded consent, follows them, and prints the authorisation",
        arguments: TestDB.available)
    func citizen(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let staff = try await t.caseStaff()
            let item = try await t.foodItem()
            let own = try await t.intake(staff.clerk, item: item.code, marks: try await t.complete(item)).caseView()
            let other = try await t.intake(
                staff.clerk, item: item.code, marks: try await t.complete(item),
                applicant: [
                    "kind": "person", "name": "李四", "idNumber": DemoData.syntheticID(area: "370102", birth: "19500101", seq: 7),
                    "phone": "13900001111",
                ]
            ).caseView()
            let town = try await t.centerID(code: "DL010201")
            let made = try await t.send(
                .POST, "/api/v1/users", token: staff.admin,
                json: [
                    "username": "town_agent", "displayName": "代办员小陈", "password": "Agent-Pass-2026", "role": "window_staff",
                    "centerID": town.uuidString,
                ])
            #expect(made.status == .created, "\(made.body.string)")
            let agent = try await t.login("town_agent", "Agent-Pass-2026")
            let agentID = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "town_agent").first()?.id)
            // Before any project the county's case is not theirs to see.
            #expect(try await t.send(.GET, "/api/v1/cases/\(own.id)", token: agent).status == .notFound)
            struct New: Encodable {
                var centerID: UUID
                var name = "张三养老待遇代办"
                var applicantNumber = "11010519491231002X"
                var agentID: UUID
                var kind = "citizen"
                var consentMethod: String?
                var consentOn: String?
                var consentNote: String?
            }
            func create(_ body: New) async throws -> TestingHTTPResponse {
                try await t.send(.POST, "/api/v1/projects", token: agent, json: body)
            }
            var r = try await create(New(centerID: town, agentID: agentID))
            #expect(r.problem?.errors?.map(\.code) == ["required"] && r.problem?.errors?.first?.field == "consentMethod")
            r = try await create(New(centerID: town, agentID: agentID, consentMethod: "witnessed"))
            #expect(r.problem?.errors?.first?.code == "project.witnesses", "\(r.body.string)")
            r = try await create(New(centerID: town, agentID: agentID, consentMethod: "signed", consentOn: "2026-10-01"))
            #expect(r.problem?.errors?.first?.code == "project.consentFuture")
            var entity = New(centerID: town, agentID: agentID, consentMethod: "signed")
            entity.applicantNumber = "91350100M000100Y43"
            r = try await create(entity)
            #expect(r.problem?.errors?.contains { $0.field == "applicantNumber" } == true)
            #expect(try await AgentProjectModel.query(on: t.app.db).count() == 0)
            r = try await create(New(centerID: town, agentID: agentID, consentMethod: "witnessed", consentNote: "见证人：王芳、刘强"))
            #expect(r.status == .created, "\(r.body.string)")
            let p = try r.content.decode(AgentProjectDTO.self)
            #expect(p.kind == "citizen" && p.consentMethod == "witnessed" && p.consentOn == "2026-09-21")
            // The citizen's own county case joins; someone else's does not.
            r = try await t.send(.POST, "/api/v1/projects/\(p.id)/cases", token: agent, json: ["caseNumber": other.number])
            #expect(r.problem?.errors?.first?.code == "project.notTheirCase", "\(r.body.string)")
            r = try await t.send(.POST, "/api/v1/projects/\(p.id)/cases", token: agent, json: ["caseNumber": own.number])
            #expect(try r.content.decode(AgentProjectDTO.self).cases.map(\.number) == [own.number], "\(r.body.string)")
            // Now the agent follows it.
            #expect(try await t.send(.GET, "/api/v1/cases/\(own.id)", token: agent).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/cases/\(other.id)", token: agent).status == .notFound)
            let b = Browser(t)
            _ = try await b.signIn("town_agent", "Agent-Pass-2026")
            let page = try await b.request(.GET, "/projects/\(p.id)").body.string
            #expect(page.contains("群众个人代办") && page.contains("当面口头同意") && page.contains("/projects/\(p.id)/consent"))
            let sheet = try await b.request(.GET, "/projects/\(p.id)/consent").body.string
            #expect(sheet.contains("全程代办委托书") && sheet.contains("张三") && sheet.contains(ResidentID.masked("11010519491231002X")))
            #expect(sheet.contains(own.number) && !sheet.contains("11010519491231002X"))
        }
    }
}
