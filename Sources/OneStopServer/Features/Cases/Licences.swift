import Fluent
import Foundation
import OneStopCore
import Vapor

/// 电子证照: issued with an approval of an item whose guide names a result, verified on the
/// public `/verify` page, and standing in for that material when the holder applies again.
enum Licences {
    /// Issues the licence of an approved case inside the caller's transaction; nil when the
    /// guide issues nothing. Its number is the decision's, or one made from the case number.
    static func issue(
        for c: CaseModel, kind: String, applicant: ApplicantModel, authority: String, validUntil: String?, today: CivilDate,
        millis: Int64, req: Request, on db: any Database
    ) async throws -> LicenceModel {
        let l = LicenceModel()
        l.id = UUID.timeOrdered()
        l.number = c.licenceNumber ?? (c.number + "-Z")
        l.kind = kind
        l.caseID = c.id!
        l.centerID = c.centerID
        l.departmentID = c.departmentID
        l.applicantID = applicant.id!
        l.itemCode = c.itemCode
        l.itemName = c.itemName
        l.authority = authority
        l.holderName = applicant.name
        let entity = applicant.kind == ApplicantKind.entity.rawValue
        l.holderIDMasked = entity ? applicant.idNumber : ResidentID.masked(applicant.idNumber)
        l.issuedOn = today.description
        l.validUntil = validUntil
        l.verifyToken = Digest.randomToken(bytes: 16).replacingOccurrences(of: "-", with: "a").replacingOccurrences(of: "_", with: "b")
        l.state = "valid"
        l.createdAt = millis
        let sheet = ElectronicLicence.Sheet(
            title: kind,
            rows: [
                ("证照编号", l.number), (entity ? "持证单位" : "持证人", l.holderName),
                (entity ? "统一社会信用代码" : "证件号码", l.holderIDMasked), ("许可事项", l.itemName),
                ("有效期限", validUntil.map { "\(CaseNotices.chinese(l.issuedOn)) 至 \(CaseNotices.chinese($0))" } ?? "长期"),
                ("办件编号", c.number),
            ], authority: authority, issuedOn: CaseNotices.chinese(l.issuedOn), verifyURL: verifyURL(l, req: req),
            code: ElectronicLicence.code(token: l.verifyToken))
        let bytes = ElectronicLicence.pdf(sheet)
        l.pdf = Data(bytes)
        l.sha256 = Digest.sha256Hex(bytes)
        try await l.create(on: db)
        return l
    }

    static func verifyURL(_ l: LicenceModel, req: Request) -> String { QueuePages.publicBase(req) + "/verify/" + l.verifyToken }

    /// The holder's valid licences, for the materials they need not bring.
    static func held(by applicant: UUID, on db: any Database) async throws -> [ElectronicLicence.Held] {
        try await LicenceModel.query(on: db).filter(\.$applicantID == applicant).filter(\.$state == "valid")
            .field(\.$kind).field(\.$number).all()
            .map { ElectronicLicence.Held(kind: $0.kind, number: $0.number) }
    }

    /// The note a material gets when a licence stands in for it.
    static func exemptNote(_ h: ElectronicLicence.Held) -> String { "免提交：电子证照 \(h.number)" }

    /// The checklist with the materials the holder's licences stand in for marked provided.
    static func applyExemptions(
        _ marks: [(status: MaterialStatus, note: String)], guide: ItemGuide, held: [ElectronicLicence.Held]
    ) -> [(status: MaterialStatus, note: String)] {
        let exempt = ElectronicLicence.exempt(materials: guide.materials.map(\.name), held: held)
        return marks.enumerated().map { i, m in exempt[i + 1].map { (MaterialStatus.provided, exemptNote($0)) } ?? m }
    }
}

/// What a case, a verification page and the API show of a licence.
struct LicenceDTO: Content {
    var id: UUID
    var number: String
    var kind: String
    var itemName: String
    var authority: String
    var holderName: String
    var holderID: String
    var issuedOn: String
    var validUntil: String?
    var state: String
    var sha256: String
    var verifyURL: String
    var code: String
    /// Where the PDF is downloaded (staff of the case and the holder only).
    var pdfURL: String

    init(_ l: LicenceModel, req: Request, masked: Bool) {
        id = l.id!
        number = l.number
        kind = l.kind
        itemName = l.itemName
        authority = l.authority
        // A person's name is masked on the public page; an entity's is public anyway.
        holderName = masked && l.holderIDMasked.contains("*") ? Masking.keep(l.holderName, head: 1, tail: 0) : l.holderName
        holderID = l.holderIDMasked
        issuedOn = l.issuedOn
        validUntil = l.validUntil
        state = l.state
        sha256 = l.sha256
        verifyURL = Licences.verifyURL(l, req: req)
        code = ElectronicLicence.code(token: l.verifyToken)
        pdfURL = "/licences/\(l.id!).pdf"
    }
}
