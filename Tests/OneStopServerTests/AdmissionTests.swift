import Fluent
import Foundation
import OneStopCore
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// 进驻 (issue 23): a department asks to move in, the center decides and the authorisations follow;
/// adjustments are recorded; an item's versions since the admission give 压缩时限 and 精简材料.
@Suite("Admissions")
struct AdmissionTests {
    struct Auth: Codable { var approveOnSpot: Bool; var reviewReported: Bool; var supervisePromised: Bool; var coordinateJoint: Bool }
    struct In: Encodable {
        var items: [String]
        var entrusted: [String] = []
        var equipment: [String] = []
        var authorisations: Auth? = nil
    }
    struct Admission: Decodable { var id: UUID; var state: String; var items: [String]; var events: [Ev] }
    struct Ev: Decodable { var kind: String; var itemCode: String }
    struct History: Decodable { var admittedOn: String?; var daysCut: Int?; var materialsDropped: [String] }
    struct Unit: Decodable { var department: String; var itemsCut: Int; var daysCut: Int; var materialsDropped: Int }
    struct Figures: Decodable { var total: Unit; var departments: [Unit] }

    struct Decide: Encodable { var approve: Bool; var note: String }

    @Test(
        "admission: asked for with the department's items, decided once by the center with the authorisations granted, adjusted later; the items' limits and materials since",
        arguments: TestDB.available)
    func admission(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let items = try await ServiceItemModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).filter(\.$versionInForce != nil)
                .sort(\.$code).all()
            try #require(items.count >= 2)
            let codes = items.prefix(2).map(\.code)
            let path = "/api/v1/centers/\(d.county)/admissions"
            var res = try await t.send(.POST, path, token: d.chief, json: In(items: [codes[0], "NOPE"], entrusted: [codes[1]]))
            #expect(
                Set(res.problem?.errors?.map(\.code) ?? []) == ["invalidReference", "admission.entrustedNotAdmitted"], "\(res.body.string)")
            let auth = Auth(approveOnSpot: true, reviewReported: true, supervisePromised: false, coordinateJoint: true)
            let asked = try await t.send(
                .POST, path, token: d.chief, json: In(items: codes, entrusted: [codes[1]], equipment: ["营业执照打印机"], authorisations: auth)
            ).decoded(Admission.self)
            #expect(asked.state == "requested")
            res = try await t.send(.POST, path, token: d.chief, json: In(items: codes))
            #expect(res.status == .conflict, "one open request per department")
            res = try await t.send(.POST, "/api/v1/admissions/\(asked.id)/decision", token: d.chief, json: ["approve": true])
            #expect(res.status == .forbidden, "the center decides")
            res = try await t.send(
                .POST, "/api/v1/admissions/\(asked.id)/adjustments", token: d.admin, json: ["kind": "added", "itemCode": codes[0]])
            #expect(res.status == .conflict, "not approved yet")
            res = try await t.send(.POST, "/api/v1/admissions/\(asked.id)/decision", token: d.admin, json: ["approve": true])
            #expect(try res.decoded(Admission.self).state == "approved")
            let dept = try await DepartmentModel.find(d.scjg, on: t.app.db)!
            #expect(dept.canApproveOnSpot && dept.canReviewReported && !dept.canSupervisePromised && dept.canCoordinateJoint)
            res = try await t.send(
                .POST, "/api/v1/admissions/\(asked.id)/decision", token: d.admin, json: Decide(approve: false, note: "x"))
            #expect(res.status == .conflict)
            res = try await t.send(
                .POST, "/api/v1/admissions/\(asked.id)/adjustments", token: d.admin,
                json: ["kind": "delegated", "itemCode": codes[1], "note": "下放至乡镇"])
            #expect(try res.decoded(Admission.self).events.map(\.kind) == ["delegated"])

            // A version published after the admission cuts the promised limit and drops a material.
            var found: (ServiceItemModel, ItemVersionModel, ItemGuide)?
            for candidate in try await ServiceItemModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).all() {
                guard
                    let v = try await ItemVersionModel.query(on: t.app.db).filter(\.$itemID == candidate.requireID())
                        .sort(\.$version, .descending).first()
                else { continue }
                let g = try CatalogService.guide(v.content)
                if g.promisedDays > 1 && g.materials.count > 1 {
                    found = (candidate, v, g)
                    break
                }
            }
            let (item, current, original) = try #require(found)
            var guide = original
            let before = guide.promisedDays
            try #require(before > 1 && guide.materials.count > 1)
            let dropped = guide.materials.removeLast().name
            guide.promisedDays = 1
            let v = ItemVersionModel()
            v.itemID = try item.requireID()
            v.version = current.version + 1
            v.content = String(decoding: try JSONEncoder().encode(guide), as: UTF8.self)
            v.publishedAt = t.clock.now.addingTimeInterval(86_400)
            v.publishedBy = "test"
            try await v.create(on: t.app.db)
            let history = try await t.send(.GET, "/api/v1/items/\(item.requireID())/history", token: d.chief).decoded(History.self)
            #expect(history.admittedOn != nil && history.daysCut == before - 1 && history.materialsDropped == [dropped], "\(history)")
            let figures = try await t.send(.GET, "/api/v1/centers/\(d.county)/streamlining", token: d.supervisor).decoded(Figures.self)
            let scjg = try #require(figures.departments.first { $0.department.contains("市场") })
            #expect(scjg.itemsCut == 1 && scjg.daysCut == before - 1 && scjg.materialsDropped == 1)
            #expect(figures.total.daysCut == before - 1)
            #expect(
                try await AuditEntryModel.query(on: t.app.db).filter(
                    \.$action ~~ ["admission.request", "admission.approve", "admission.adjust", "department.authorisations"]
                ).count() == 4)
        }
    }
}
