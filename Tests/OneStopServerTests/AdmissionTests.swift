import Fluent
import Foundation
import OneStopCore
import SQLKit
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

    struct Visit: Decodable {
        var id: UUID
        var tracking: String
        var name: String
        var phone: String?
        var state: String
        var scheduledDay: String?
        var staff: String?
    }
    struct VisitIn: Encodable {
        var item: String
        var name = "王奶奶"
        var phone = "13812345678"
        var address = "石桥县幸福路 8 号 3 单元 201"
        var reason = "elderly"
        var preferredDay: String? = nil
    }
    struct Schedule: Encodable { var day: String; var staffID: UUID }

    @Test(
        "上门办: asked for without signing in for an item the center offers, sealed and masked; scheduled on a working day with staff; done once scheduled",
        arguments: TestDB.available)
    func homeVisit(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let d = try await WorkOrderTests.Desk.open(t)
            let item = try await ServiceItemModel.query(on: t.app.db).filter(\.$departmentID == d.scjg).sort(\.$code).first()!
            let path = "/api/v1/centers/\(d.county)/home-visits"
            var res = try await t.send(.POST, path, json: VisitIn(item: item.code))
            #expect(res.problem?.errors?.map(\.code) == ["homeVisit.notOffered"], "\(res.body.string)")
            res = try await t.send(.PUT, "/api/v1/centers/\(d.county)/home-visit-items", token: d.admin, json: ["items": [item.code]])
            #expect(res.status == .ok, "\(res.body.string)")
            res = try await t.send(.POST, path, json: VisitIn(item: item.code, name: "", phone: "12", preferredDay: "2026-09-01"))
            #expect(Set(res.problem?.errors?.map(\.code) ?? []) == ["required", "phone", "duty.pastDay"], "\(res.body.string)")
            let asked = try await t.send(.POST, path, json: VisitIn(item: item.code, preferredDay: "2026-09-23")).decoded(Visit.self)
            #expect(asked.state == "requested" && asked.tracking.hasPrefix("SM") && asked.name == "王**" && asked.phone == "138****5678")
            struct Raw: Decodable { var name: String; var address: String }
            let raw = try await (t.app.db as! any SQLDatabase).raw("SELECT name, address FROM home_visits").first(decoding: Raw.self)
            #expect(raw?.name.contains("王") == false && raw?.address.contains("幸福路") == false, "sealed at rest")
            let listed = try await t.send(.GET, path, token: d.chief).decoded([Visit].self)
            #expect(listed.map(\.name) == ["王奶奶"], "the staff who handle it see it in full")

            let staff = try await t.send(
                .POST, "/api/v1/staff", token: d.admin,
                json: [
                    "centerID": d.county.uuidString, "departmentID": d.scjg.uuidString, "name": "孙立", "jobNumber": "SC903", "post": "帮代办员",
                ])
            struct Made: Decodable { var id: UUID }
            let sun = try staff.decoded(Made.self).id
            res = try await t.send(.POST, "/api/v1/home-visits/\(asked.id)/done", token: d.chief, json: ["handled": "x"])
            #expect(res.status == .conflict, "not scheduled yet")
            res = try await t.send(
                .POST, "/api/v1/home-visits/\(asked.id)/schedule", token: d.chief, json: Schedule(day: "2026-09-26", staffID: sun))
            #expect(res.problem?.errors?.map(\.code) == ["duty.notWorkingDay"])
            res = try await t.send(
                .POST, "/api/v1/home-visits/\(asked.id)/schedule", token: d.chief, json: Schedule(day: "2026-09-23", staffID: sun))
            let scheduled = try res.decoded(Visit.self)
            #expect(scheduled.state == "scheduled" && scheduled.staff == "孙立" && scheduled.scheduledDay == "2026-09-23")
            res = try await t.send(.POST, "/api/v1/home-visits/\(asked.id)/done", token: d.chief, json: ["handled": "上门采集材料，已受理"])
            #expect(try res.decoded(Visit.self).state == "done")
            res = try await t.send(
                .POST, "/api/v1/home-visits/\(asked.id)/schedule", token: d.chief, json: Schedule(day: "2026-09-24", staffID: sun))
            #expect(res.status == .conflict)
        }
    }
}
