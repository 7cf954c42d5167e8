import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Separation of acceptance and decision")
struct DutySeparationTests {
    @Test("who accepted a 承诺件 may not decide it unless the center allows; the case page says why", arguments: TestDB.available)
    func separation(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let staff = try await t.caseStaff()
            let item = try await t.foodItem()
            func accepted(by token: String) async throws -> UUID {
                let res = try await t.intake(token, item: item.code, marks: try await t.complete(item), accept: true)
                #expect(res.status == .created, "\(res.body.string)")
                let id = try res.caseView().id
                #expect(try await t.move(token, id, "review").status == .ok)
                return id
            }
            // The chief representative accepted it: another must decide.
            let own = try await accepted(by: staff.chief)
            let refused = try await t.send(.POST, "/api/v1/cases/\(own)/decide", token: staff.chief, json: ["outcome": "approved"])
            #expect(refused.status == .conflict && refused.problem?.detail?.contains("受理与审批须由不同人员") == true, "\(refused.body.string)")
            #expect(try await CaseModel.find(own, on: t.app.db)?.state == "under_review")  // nothing changed
            let b = Browser(t)
            _ = try await b.signIn("case_chief", "Case-Pass-2026")
            let page = try await b.request(.GET, "/cases/\(own)").body.string
            #expect(page.contains("不能办理的操作") && !page.contains("action=\"/cases/\(own)/decide\""))
            // Accepted by the clerk, decided by the chief: as before.
            let other = try await accepted(by: staff.clerk)
            let decided = try await t.send(.POST, "/api/v1/cases/\(other)/decide", token: staff.chief, json: ["outcome": "approved"])
            #expect(try decided.caseView().state == "approved")
            // The center switches it off: the chief may decide what they accepted.
            let county = try await t.centerID(code: "DL010200")
            let center = try #require(try await CenterModel.find(county, on: t.app.db))
            func body(_ separation: String) -> [String: String] {
                [
                    "name": center.name, "code": center.code, "level": center.level, "parentID": center.parentID?.uuidString ?? "",
                    "address": center.address, "phone": center.phone ?? "", "officeHours": center.officeHours,
                    "commitment": center.commitment, "dutySeparation": separation,
                ]
            }
            let put = try await t.send(.PUT, "/api/v1/centers/\(county)", token: staff.admin, json: body("off"))
            #expect(put.status == .ok, "\(put.body.string)")
            let bad = try await t.send(.PUT, "/api/v1/centers/\(county)", token: staff.admin, json: body("sometimes"))
            #expect(
                bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "dutySeparation",
                "\(bad.status) \(bad.body.string)")
            let now = try await t.send(.POST, "/api/v1/cases/\(own)/decide", token: staff.chief, json: ["outcome": "approved"])
            #expect(try now.caseView().state == "approved")
        }
    }
}
