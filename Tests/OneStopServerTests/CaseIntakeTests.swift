import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Intake against the catalog in force")
struct CaseIntakeTests {
    @Test(
        "a window takes in only an item in force and served at its center; a delegation, its end and a withdrawal count at once",
        arguments: TestDB.available)
    func servedHere(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let admin = try await t.login()
            let township = try await t.centerID(code: "DL010201")
            let food = try await t.foodItem()
            let marks = try await t.complete(food)
            let delegated = try await ServiceItemModel.query(on: t.app.db).filter(\.$code == "DL010200-MZ-006-01-1").first()!
            let delegatedMarks = try await t.complete(delegated)
            struct Body: Encodable, Sendable {
                var center: String
                var item: String
                var applicant: [String: String]
                var materials: [[String: String]]
                var accept: Bool
            }
            func intake(_ center: String, _ item: String, _ marks: [String]) async throws -> TestingHTTPResponse {
                try await t.send(
                    .POST, "/api/v1/cases", token: admin,
                    json: Body(
                        center: center, item: item,
                        applicant: ["kind": "person", "name": "李四", "idNumber": "11010519491231002X", "phone": "13800138000"],
                        materials: marks.map { ["status": $0] }, accept: true))
            }

            // The food licence is the county's own and not delegated: refused at the township.
            var r = try await intake("DL010201", food.code, marks)
            #expect(r.problem?.errors?.first?.code == "case.itemNotServedHere", "\(r.body.string)")
            #expect(r.problem?.errors?.first?.message.isEmpty == false)
            // A delegated item is taken in there, by its code or its id.
            r = try await intake("DL010201", delegated.code, delegatedMarks)
            #expect(try r.caseView().state == "accepted")
            r = try await intake(township.uuidString, delegated.id!.uuidString, delegatedMarks)
            #expect(try r.caseView().number.hasPrefix("DL010201-"))

            // Once the delegation ends, at once.
            let ended = try await t.send(.DELETE, "/api/v1/items/\(delegated.id!)/delegations/\(township)", token: admin)
            #expect(ended.status == .noContent)
            r = try await intake("DL010201", delegated.code, delegatedMarks)
            #expect(r.problem?.errors?.first?.code == "case.itemNotServedHere", "\(r.body.string)")

            // A withdrawn item is not in force anywhere, at once; an unknown center or item is named.
            r = try await intake("DL010200", food.code, marks)
            #expect(r.status == .created)
            #expect(try await t.send(.POST, "/api/v1/items/\(food.id!)/withdraw", token: admin).status == .ok)
            r = try await intake("DL010200", food.code, marks)
            #expect(r.problem?.errors?.first?.code == "case.itemNotInForce", "\(r.body.string)")
            r = try await intake("NOPE", food.code, marks)
            #expect(r.problem?.errors?.first?.field == "center")
            r = try await intake("DL010200", "NO-SUCH-ITEM", marks)
            #expect(r.problem?.errors?.first?.code == "case.itemNotInForce")
            #expect(try await CaseModel.query(on: t.app.db).count() == 3)
        }
    }
}
