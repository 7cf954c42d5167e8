import Fluent
import Foundation
import OneStopCore
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Electronic licences")
struct ElectronicLicenceTests {
    struct Licence: Decodable {
        var id: UUID
        var number: String
        var kind: String
        var holderName: String
        var validUntil: String?
        var sha256: String
        var verifyURL: String
        var code: String
        var pdfURL: String
    }
    struct Decided: Decodable {
        var state: String
        var licence: Licence?
        var materials: [CaseView.Material]
    }

    @Test(
        "an approval of an item that issues a licence issues a PDF verifiable by its hash; the holder's next application needs not bring it",
        arguments: TestDB.available)
    func licence(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let staff = try await t.caseStaff()
            // 个体工商户设立登记 issues a 营业执照: an on-the-spot case, accepted and decided at once.
            let shop = try #require(try await ServiceItemModel.query(on: t.app.db).filter(\.$name == "个体工商户设立登记（新办）").first())
            let opened = try await t.intake(staff.clerk, item: shop.code, marks: try await t.complete(shop), accept: true).caseView()
            // A term in the past is refused and nothing is issued.
            let past = try await t.move(staff.chief, opened.id, "decide", ["outcome": "approved", "validUntil": "2026-01-01"])
            #expect(past.problem?.errors?.first?.code == "case.validUntil", "\(past.body.string)")
            #expect(try await LicenceModel.query(on: t.app.db).count() == 0)
            let r = try await t.move(staff.chief, opened.id, "decide", ["outcome": "approved", "validUntil": "2031-09-20"])
            let decided = try r.content.decode(Decided.self)
            let licence = try #require(decided.licence, "\(r.body.string)")
            #expect(decided.state == "approved" && licence.kind == "营业执照" && licence.validUntil == "2031-09-20")
            #expect(licence.number.hasSuffix("-Z") && licence.holderName == "张三")  // staff see the name in full

            // The PDF: a real PDF, its hash the stored one, the licence's data and address in it.
            let pdf = try await t.send(.GET, licence.pdfURL, token: staff.clerk)
            #expect(pdf.status == .ok && pdf.headers.contentType?.description == "application/pdf")
            let bytes = Array(pdf.body.readableBytesView)
            #expect(bytes.starts(with: Array("%PDF-1.4".utf8)) && Digest.sha256Hex(bytes) == licence.sha256)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains(ElectronicLicence.ucs2("营业执照")) && text.contains(ElectronicLicence.ucs2(licence.verifyURL)))
            #expect(text.hasSuffix("%%EOF\n") && text.contains("/BaseFont /STSong-Light"))
            // Nobody else downloads it: a visitor is sent to sign in, another applicant finds nothing.
            let anonymous = try await t.send(.GET, licence.pdfURL)
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location)?.hasPrefix("/login") == true)

            // Verified in public: by number and code, and by the QR code's address; the name masked.
            let api = try await t.send(.GET, "/api/v1/licences/verify?number=\(licence.number)&code=\(licence.code)")
            #expect(try api.content.decode(Licence.self).holderName == "张*", "\(api.body.string)")
            #expect(try await t.send(.GET, "/api/v1/licences/verify?number=\(licence.number)&code=0000-0000").status == .notFound)
            let path = String(licence.verifyURL[licence.verifyURL.range(of: "/verify/")!.lowerBound...])
            let b = Browser(t)
            let page = try await b.request(.GET, path)
            #expect(page.status == .ok && page.body.string.contains("有效") && page.body.string.contains(licence.sha256))
            let byForm = try await b.request(.GET, "/verify?number=\(licence.number)&code=\(licence.code.lowercased())")
            #expect(byForm.status == .seeOther && byForm.headers.first(name: .location) == path)
            #expect(try await b.request(.GET, "/verify?number=\(licence.number)&code=1234-5678").status == .unprocessableEntity)
            // A file checked against the stored hash: the issued one matches, a changed one does not.
            // (A visitor without a session has no CSRF token to send.)
            func check(_ file: [UInt8]) async throws -> String {
                var form = Multipart()
                form.file("file", "licence.pdf", file)
                let cookie = b.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                let res = try await t.app.testing().sendRequest(
                    .POST, path,
                    beforeRequest: { req in
                        req.headers.replaceOrAdd(name: .cookie, value: cookie)
                        req.headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(form.boundary)")
                        req.body = form.body
                    })
                return res.body.string
            }
            #expect(try await check(bytes).contains("文件与平台存档完全一致"))
            var forged = bytes
            forged[forged.count / 2] ^= 1
            #expect(try await check(forged).contains("文件与平台存档不一致"))

            // 张三 applies for the food licence: the 营业执照 OneStop issued is provided, though the
            // clerk left it unchecked, and the case says why.
            let food = try await t.foodItem()
            var marks = try await t.complete(food)
            marks[1] = "missing"  // 营业执照
            let second = try await t.intake(staff.clerk, item: food.code, marks: marks, accept: true)
            #expect(second.status == .created, "\(second.body.string)")
            let view = try second.content.decode(Decided.self)
            #expect(view.state == "accepted" && view.materials[1].status == "provided")
            let row = try #require(try await CaseMaterialModel.query(on: t.app.db).filter(\.$name == "营业执照").first())
            #expect(row.note == "免提交：电子证照 \(licence.number)")

            // The window finds 张三 by ID number as it is typed: the masked phone, the earlier cases,
            // the licence, and which material of the next item it stands in for.
            struct Lookup: Decodable {
                struct Exempt: Decodable {
                    var position: Int
                    var number: String
                }
                var found: Bool
                var name: String?
                var phone: String?
                var cases: Int
                var licences: [ElectronicLicence.Held]
                var exempt: [Exempt]
            }
            let q = "/api/v1/applicants/lookup?kind=person&idNumber=11010519491231002x&item=\(food.code)&center=DL010200"
            let found = try await t.send(.GET, q, token: staff.clerk)
            let who = try found.content.decode(Lookup.self)
            #expect(
                who.found && who.name == "张三" && who.phone == PhoneNumber.masked("13800138000") && who.cases == 2, "\(found.body.string)")
            #expect(who.licences.map(\.kind) == ["营业执照"] && who.exempt.map(\.position) == [2] && who.exempt.first?.number == licence.number)
            let stranger = try await t.send(
                .GET, "/api/v1/applicants/lookup?idNumber=\(DemoData.syntheticID(area: "370102", birth: "19800101", seq: 5))",
                token: staff.clerk)
            #expect(try stranger.content.decode(Lookup.self).found == false)
            let typo = try await t.send(.GET, "/api/v1/applicants/lookup?idNumber=1101051949", token: staff.clerk)
            #expect(typo.status == .unprocessableEntity && typo.problem?.errors?.first?.code == "applicant.idForLookup")
            #expect(try await t.send(.GET, q).status == .unauthorized)
            // On record, the number is enough: no name or phone typed again.
            struct Body: Encodable {
                var item: String
                var applicant: [String: String]
                var materials: [[String: String]]
            }
            let bare = try await t.send(
                .POST, "/api/v1/cases", token: staff.clerk,
                json: Body(
                    item: shop.code, applicant: ["kind": "person", "idNumber": "11010519491231002X"],
                    materials: try await t.complete(shop).map { ["status": $0] }))
            #expect(bare.status == .created, "\(bare.body.string)")
        }
    }
}
