import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

/// 个人信息保存期限 (issue 18): closed cases older than the setting lose their personal data; the
/// case record, its timeline and open cases keep theirs.
@Suite("Retention of personal data")
struct RetentionTests {
    @Test(
        "a closed case past the retention period is erased and audited; open cases and their applicant are kept",
        arguments: TestDB.available)
    func erasesClosedCases(db: TestDB) async throws {
        try await withOneStop(
            db,
            tune: {
                $0.personalDataRetentionDays = 30; $0.apiTokenHours = 24 * 60
            }
        ) { t in
            let (admin, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            let marks = try await t.complete(item)
            let p1 = ["kind": "person", "name": "张三", "idNumber": "11010519491231002X", "phone": "13800138000"]
            let p2 = ["kind": "person", "name": "李四", "idNumber": "110105198001010016", "phone": "13900139000"]
            let a = try await t.intake(clerk, item: item.code, marks: marks, applicant: p1).caseView()
            let b = try await t.intake(clerk, item: item.code, marks: marks, applicant: p1).caseView()
            let c = try await t.intake(clerk, item: item.code, marks: marks, applicant: p2).caseView()
            for id in [a.id, c.id] {
                #expect(try await t.move(clerk, id, "refuse", ["reason": "不属于本机关职权范围"]).caseView().state == "refused")
            }
            // Not yet: closed 29 days ago.
            t.clock.advance(29 * 86_400)
            let early = try await CaseRetention.run(app: t.app, now: t.clock.now)
            #expect(early == .init())
            t.clock.advance(2 * 86_400)
            let done = try await CaseRetention.run(app: t.app, now: t.clock.now)
            #expect(done == .init(cases: 2, applicants: 1))
            let again = try await CaseRetention.run(app: t.app, now: t.clock.now)
            #expect(again == .init(), "once")

            let rowA = try await CaseModel.find(a.id, on: t.app.db)!
            #expect(rowA.anonymisedAt != nil && rowA.form == "{}")
            #expect(rowA.number == a.number && rowA.state == "refused", "the record stays")
            #expect(try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == a.id).count() >= 2, "the timeline stays")
            for n in try await NoticeModel.query(on: t.app.db).filter(\.$caseID == a.id).all() {
                #expect(!n.html.contains("张三") && n.html.contains("保存期限"))
            }
            let rowB = try await CaseModel.find(b.id, on: t.app.db)!
            #expect(rowB.anonymisedAt == nil && rowB.form != "{}", "an open case is kept")
            for n in try await NoticeModel.query(on: t.app.db).filter(\.$caseID == b.id).all() { #expect(!n.html.contains("保存期限")) }
            // 张三 still has an open case: kept. 李四 has none: anonymised, and no longer found by number.
            let first = try await ApplicantModel.find(rowA.applicantID, on: t.app.db)!
            #expect(first.name == "张三")
            let second = try await ApplicantModel.find(try await CaseModel.find(c.id, on: t.app.db)!.applicantID, on: t.app.db)!
            #expect(second.name == CaseRetention.anonymousName && second.idNumber.isEmpty && second.phone.isEmpty)
            #expect(
                try await ApplicantModel.query(on: t.app.db).filter(\.$idNumberIndex == ApplicantModel.index(p2["idNumber"]!)).count() == 0)
            // The same person applying again is a new applicant, which the unique index allows.
            _ = try await t.intake(clerk, item: item.code, marks: marks, applicant: p2).caseView()

            let entries = try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "case.anonymise").all()
            #expect(entries.count == 2 && entries.allSatisfy { $0.actor == "system:retention" })
            #expect(try await AuditEntryModel.query(on: t.app.db).filter(\.$action == "applicant.anonymise").count() == 1)

            let api = try await t.send(.GET, "/api/v1/cases/\(a.id)", token: admin)
            #expect(api.body.string.contains("\"anonymisedAt\""))
            let b2 = Browser(t)
            _ = try await b2.signIn()
            #expect(try await b2.request(.GET, "/cases/\(a.id)").body.string.contains("id=\"anonymised\""))
        }
    }

    @Test("without the setting nothing is erased", arguments: [TestDB.sqlite])
    func offByDefault(db: TestDB) async throws {
        try await withOneStop(db) { t in
            #expect(t.app.settings.personalDataRetentionDays == nil)
            t.clock.advance(3650 * 86_400)
            let none = try await CaseRetention.run(app: t.app, now: t.clock.now)
            #expect(none == .init())
        }
    }
}
