import Fluent
import Foundation
import OneStopCore
import Vapor

/// Notices: rendered once, when issued, into a self-contained A4 page (its own styles, the
/// tracking QR code inline), stored with its SHA-256, and from then on only ever served as stored.
/// Official documents are in Chinese whatever the language of the screen.
enum CaseNotices {
    struct Line: Encodable {
        var n: Int
        var name: String
        var status: String
        var note: String
    }

    struct Page: Encodable {
        var kind: String
        var title: String
        var serial: String
        var centerName: String
        /// Signs the notice, above its seal.
        var authority: String
        /// The licence or document number a decision issued; empty when none.
        var licenceNumber: String
        var number: String
        var itemName: String
        var applicantName: String
        var applicantID: String
        var received: String
        var accepted: String?
        var promisedDue: String?
        var promisedDays: Int
        var legalDays: Int
        /// Set when the promised date lies in a year without an imported national arrangement.
        var provisionalNote: String
        var reason: String
        var days: String
        var procedure: String
        var method: String
        var recipient: String
        /// The fee charged with a decision, in 元; empty when none.
        var fee: String
        var inReview: Bool
        var materials: [Line]
        var consultPhone: String
        var supervisePhone: String
        var issuedBy: String
        var issuedOn: String
        var trackURL: String
        var qr: String
        /// On a decision and the 送达回执: the case's rating link (一事一评) and its QR code.
        var rateURL: String
        var rateQR: String
    }

    static let titles: [NoticeKind: String] = [
        .serviceInfo: "服务告知单", .acceptance: "受理通知书", .supplement: "补正材料通知书", .refusal: "不予受理通知书",
        .extension: "延长办理期限通知书", .specialProcedure: "特殊程序期限告知书", .approval: "准予行政许可决定书",
        .disapproval: "不予行政许可决定书", .deliveryReceipt: "送达回执",
    ]

    static let statusNames: [String: String] = [
        "provided": "已提交", "missing": "缺少", "defective": "不符合要求", "not_applicable": "不适用",
    ]

    static let methods: [String: String] = ["window": "窗口领取", "mail": "邮寄送达", "electronic": "电子送达"]

    /// What a notice prints besides the case row. Read once, before the write transaction, by a
    /// caller that has it at hand; `issue` reads what it is not given.
    struct Known: Sendable {
        var centerName: String
        var centerPhone: String?
        var applicant: ApplicantModel
        var guide: ItemGuide?
        /// The checklist as it stands, when the caller holds it.
        var materials: [Line]?
        /// How many notices the case has: 0 for a case being opened.
        var issued: [String]?
        /// The authority the notice is issued by; looked up from the case's department when nil.
        var authority: String?
    }

    /// The authority a case's notices are issued by: its department's choice (DOMAIN.md section 1).
    static func authority(for c: CaseModel, centerName: String, on db: any Database) async throws -> String {
        let d = try await DepartmentModel.find(c.departmentID, on: db)
        return IssuerKind.authority(IssuerKind(rawValue: d?.issuer ?? ""), name: d?.issuerName, department: d?.name, center: centerName)
    }

    /// The checklist rows as a notice prints them.
    static func lines(_ rows: [CaseMaterialModel]) -> [Line] {
        rows.map { Line(n: $0.position, name: $0.name, status: statusNames[$0.status] ?? $0.status, note: $0.note) }
    }

    /// Renders, stores and returns the notice, inside the caller's transaction.
    static func issue(
        _ kind: NoticeKind, for c: CaseModel, by issuer: String, at millis: Int64, extra: [String: String], known: Known? = nil,
        req: Request, on db: any Database
    ) async throws -> NoticeModel {
        let n = try await render(kind, for: c, by: issuer, at: millis, extra: extra, known: known, req: req, on: db)
        try await CaseRows.insert(n, on: db)
        return n
    }

    /// Renders the notice, not yet stored. Reads what `known` does not give through `db`; a
    /// caller with everything known renders it before taking the writer.
    static func render(
        _ kind: NoticeKind, for c: CaseModel, by issuer: String, at millis: Int64, extra: [String: String], known: Known? = nil,
        req: Request, on db: (any Database)? = nil
    ) async throws -> NoticeModel {
        let db = db ?? req.db
        var issued = known?.issued ?? []
        if known?.issued == nil {
            issued = try await NoticeModel.query(on: db).filter(\.$caseID == c.id!).field(\.$id).field(\.$kind).all().map(\.kind)
        }
        let count = issued.filter { $0 == kind.rawValue }.count
        let serial = NoticeKind.serial(caseNumber: c.number, kind: kind, count: count + 1)
        let centerName: String
        let centerPhone: String?
        let applicant: ApplicantModel
        let guide: ItemGuide?
        if let known {
            (centerName, centerPhone, applicant, guide) = (known.centerName, known.centerPhone, known.applicant, known.guide)
        } else {
            guard let center = try await CenterModel.find(c.centerID, on: db),
                let a = try await ApplicantModel.find(c.applicantID, on: db)
            else { throw Abort(.internalServerError) }
            (centerName, centerPhone, applicant) = (center.name, center.phone, a)
            guide = try await CatalogService.publishedGuide(c.itemID, c.guideVersion, on: db)
        }
        var lines = known?.materials ?? []
        if known?.materials == nil {
            lines = Self.lines(try await CaseMaterialModel.query(on: db).filter(\.$caseID == c.id!).sort(\.$position).all())
        }
        var authority = known?.authority ?? ""
        if known?.authority == nil { authority = try await Self.authority(for: c, centerName: centerName, on: db) }
        if kind == .supplement { lines = lines.filter { $0.status == statusNames["missing"] || $0.status == statusNames["defective"] } }
        let track = QueuePages.publicBase(req) + "/track?number=" + c.number
        let rated: Set<NoticeKind> = [.approval, .disapproval, .deliveryReceipt]
        let rate = rated.contains(kind) ? QueuePages.publicBase(req) + RatingLinks.path(for: c.id!) + "?via=qr" : ""
        let confirmed = try await req.application.calendars.confirmedYears(on: db)
        let provisionalYear = c.promisedDue.flatMap(CivilDate.init).map(\.year).flatMap { confirmed[$0] == nil ? $0 : nil }
        let page = Page(
            kind: kind.rawValue, title: titles[kind] ?? kind.rawValue, serial: serial, centerName: centerName, authority: authority,
            licenceNumber: c.licenceNumber ?? "", number: c.number,
            itemName: c.itemName, applicantName: applicant.name,
            applicantID: applicant.kind == ApplicantKind.entity.rawValue ? applicant.idNumber : ResidentID.masked(applicant.idNumber),
            received: chinese(c.receivedOn), accepted: c.acceptedOn.map(chinese), promisedDue: c.promisedDue.map(chinese),
            promisedDays: c.promisedDays + c.extensionDays, legalDays: c.legalDays + c.extensionDays,
            provisionalNote: provisionalYear.map {
                "上述日期按国家法定节假日推算。\($0) 年节假日安排公布后如有调整，办理期限仍为上述工作日数，日期以调整后为准，本机关将另行告知。"
            } ?? "",
            reason: extra["reason"] ?? "",
            days: extra["days"] ?? "", procedure: extra["procedure"] ?? "", method: methods[extra["method"] ?? ""] ?? "",
            recipient: extra["recipient"] ?? "", fee: extra["fee"] ?? "", inReview: c.acceptedOn != nil, materials: lines,
            consultPhone: guide?.consultPhone ?? centerPhone ?? "", supervisePhone: guide?.supervisePhone ?? "", issuedBy: issuer,
            issuedOn: chinese(HallClock.day(Date(timeIntervalSince1970: Double(millis) / 1000)).description), trackURL: track,
            qr: QRCode.encode(track)?.svg(title: c.number) ?? "", rateURL: rate,
            rateQR: rate.isEmpty ? "" : QRCode.encode(rate)?.svg(title: "评价 " + c.number) ?? "")
        let view = try await req.view.render("cases/notice", page)
        let html = String(buffer: view.data)
        let n = NoticeModel()
        n.id = UUID.timeOrdered()
        n.caseID = c.id!
        n.seq = issued.count + 1
        n.kind = kind.rawValue
        n.serial = serial
        n.issuedAt = millis
        n.issuedBy = issuer
        n.html = html
        n.sha256 = Digest.sha256Hex(html)
        return n
    }

    /// `2026-11-23` as 2026年11月23日.
    static func chinese(_ day: String) -> String {
        guard let d = CivilDate(day) else { return day }
        return "\(d.year)年\(d.month)月\(d.day)日"
    }

    /// The page as stored, with a policy that lets its own styles and inline QR code show and
    /// nothing else run.
    static func response(_ n: NoticeModel) -> Response {
        let res = Response(status: .ok, body: .init(string: n.html))
        res.headers.contentType = .html
        res.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value:
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "SAMEORIGIN")
        res.headers.replaceOrAdd(name: "ETag", value: "\"\(n.sha256)\"")
        return res
    }
}
