import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Who issues a notice, and the licence a decision issued")
struct NoticeAuthorityTests {
    @Test(
        "notices are signed by the department's authority (or the center's), the 受理通知书 lists what was received, an approval prints its licence number",
        arguments: TestDB.available)
    func authority(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let staff = try await t.caseStaff()
            let item = try await t.foodItem()
            let county = try await t.centerID(code: "DL010200")
            let dept = try #require(
                try await DepartmentModel.query(on: t.app.db).filter(\.$centerID == county).filter(\.$code == "SCJG").first())
            func put(_ issuer: String, _ name: String) async throws -> TestingHTTPResponse {
                try await t.send(
                    .PUT, "/api/v1/departments/\(dept.id!)", token: staff.admin,
                    json: [
                        "centerID": county.uuidString, "name": dept.name, "code": dept.code, "issuer": issuer, "issuerName": name,
                        "commitment": dept.commitment,
                    ])
            }
            // A wrong choice is refused and changes nothing.
            let bad = try await put("mayor", "")
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "issuer", "\(bad.body.string)")
            #expect(try await DepartmentModel.find(dept.id, on: t.app.db)?.issuer == "department")
            let ok = try await put("department", "石桥县市场监督管理局")
            #expect(ok.status == .ok, "\(ok.body.string)")
            struct D: Decodable {
                var issuer: String
                var issuerName: String?
            }
            #expect(try ok.content.decode(D.self).issuerName == "石桥县市场监督管理局")

            let c = try await t.intake(staff.clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            let acceptance = try #require(
                try await NoticeModel.query(on: t.app.db).filter(\.$caseID == c.id).filter(\.$kind == "acceptance").first())
            #expect(acceptance.html.contains("<p class=\"authority\">石桥县市场监督管理局</p>") && acceptance.html.contains("（印章）"))
            #expect(acceptance.html.contains("收到的申请材料如下") && acceptance.html.contains("已提交"))
            #expect(try await t.move(staff.clerk, c.id, "review").status == .ok)
            // A licence number on two lines, or too long, is refused and the case stays as it was.
            for wrong in ["SP1\nSP2", String(repeating: "9", count: 61)] {
                let r = try await t.move(staff.chief, c.id, "decide", ["outcome": "approved", "licenceNumber": wrong])
                #expect(r.problem?.errors?.first?.code == "case.licenceNumber", "\(r.body.string)")
            }
            #expect(try await CaseModel.find(c.id, on: t.app.db)?.state == "under_review")
            let decided = try await t.move(
                staff.chief, c.id, "decide", ["outcome": "approved", "licenceNumber": "JY13301020000123"])
            #expect(try decided.caseView().state == "approved")
            struct Licence: Decodable { var licenceNumber: String? }
            #expect(try decided.content.decode(Licence.self).licenceNumber == "JY13301020000123")
            let letter = try #require(
                try await NoticeModel.query(on: t.app.db).filter(\.$caseID == c.id).filter(\.$kind == "approval").first())
            #expect(letter.html.contains("证照（批准文件）编号：JY13301020000123") && letter.html.contains("石桥县市场监督管理局"))
            let audit = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "case.approve").all()
            #expect(audit.contains { $0.detail.contains("JY13301020000123") })

            // Under 相对集中行政许可权 the center signs, in the name it was given.
            #expect(try await put("center", "石桥县行政审批局").status == .ok)
            let other = try await t.intake(staff.clerk, item: item.code, marks: try await t.complete(item), accept: true).caseView()
            let second = try #require(
                try await NoticeModel.query(on: t.app.db).filter(\.$caseID == other.id).filter(\.$kind == "acceptance").first())
            #expect(second.html.contains("<p class=\"authority\">石桥县行政审批局</p>"))
            // The same licence number twice is refused.
            #expect(try await t.move(staff.clerk, other.id, "review").status == .ok)
            let again = try await t.move(staff.chief, other.id, "decide", ["outcome": "approved", "licenceNumber": "JY13301020000123"])
            #expect(again.problem?.errors?.first?.code == "case.licenceTaken", "\(again.body.string)")
            // The case page shows the number; the department form offers the choice.
            let b = Browser(t)
            _ = try await b.signIn()
            #expect(try await b.request(.GET, "/cases/\(c.id)").body.string.contains("JY13301020000123"))
            let form = try await b.request(.GET, "/admin/departments/\(dept.id!)").body.string
            #expect(form.contains("name=\"issuer\"") && form.contains("石桥县行政审批局"))
        }
    }
}
