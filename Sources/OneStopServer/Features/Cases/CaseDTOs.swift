import Foundation
import OneStopCore
import Vapor

struct RegisterApplicantInput: Content {
    var kind: String?
    var name: String?
    var idNumber: String?
    var phone: String?
    var contact: String?
    var password: String?

    var applicant: ApplicantInput { ApplicantInput(kind: kind, name: name, idNumber: idNumber, phone: phone, contact: contact) }
}

/// An applicant as shown to someone: the ID number and phone masked unless it is the applicant.
struct ApplicantDTO: Content {
    var id: UUID
    var kind: String
    var name: String
    var idNumber: String
    var phone: String
    var contact: String
    var registered: Bool

    init(_ a: ApplicantModel, unmasked: Bool) {
        id = a.id!
        kind = a.kind
        name = a.name
        // A credit code is public; a resident ID number is not.
        idNumber = unmasked || a.kind == ApplicantKind.entity.rawValue ? a.idNumber : ResidentID.masked(a.idNumber)
        phone = unmasked ? a.phone : PhoneNumber.masked(a.phone)
        contact = a.contact
        registered = a.userID != nil
    }
}

struct RegisteredApplicantDTO: Content {
    var applicant: ApplicantDTO
    var username: String
}

struct MaterialMark: Content {
    var status: String?
    var note: String?
}

/// Taking in an application at a window (or, from a ticket being served, with `ticket`).
struct IntakeInput: Content {
    /// Center id or code; the caller's own center when left out.
    var center: String?
    /// Item id or code.
    var item: String?
    /// An applicant already known…
    var applicantID: UUID?
    /// …or one typed in at the window.
    var applicant: ApplicantInput?
    var ticket: UUID?
    /// The guide's materials, in order.
    var materials: [MaterialMark]?
    /// The application form's fields.
    var form: [String: String]?
    /// Accept on the spot: every required material is provided (收件即受理).
    var accept: Bool?
    /// 特事特办 from the start: `SpecialHandling` and why.
    var special: String?
    var specialReason: String?
}

/// Marking a case 特事特办, or clearing the mark with an empty kind.
struct SpecialInput: Content {
    var special: String?
    var reason: String?
}

/// A move of a case. Which fields matter depends on the move.
struct CaseActionInput: Content {
    var reason: String?
    /// The checklist again, when the move changes it (accept, request or supply materials).
    var materials: [MaterialMark]?
    /// Working days of an extension.
    var days: Int?
    /// The special procedure's name (听证, 检验, 鉴定…) when suspending.
    var procedure: String?
    /// The fee charged with a decision, in 元 ("12.50"); checked against the guide's standard.
    var fee: String?
    /// `approved` or `not_approved` for a decision.
    var outcome: String?
    /// The number of the licence or approval document an approval issued.
    var licenceNumber: String?
    /// The last day an issued licence is valid (`2031-09-20`); empty for one without a term.
    var validUntil: String?
    /// How a decision was delivered (window, mail, electronic) and to whom.
    var method: String?
    var recipient: String?
}

struct TrackInput: Content {
    var number: String?
    /// The last 4 characters of the applicant's ID number or credit code.
    var idTail: String?
}

struct CaseClockDTO: Content {
    var promisedDays: Int
    var legalDays: Int
    var extensionDays: Int
    var used: Int?
    var promisedLeft: Int?
    var legalLeft: Int?
    var promisedDue: String?
    var legalDue: String?
    var stopped: Bool
    var level: String?
    /// A due date lies in a year without an imported national holiday arrangement: it follows the
    /// statutory holidays and moves if the arrangement adds days.
    var provisional: Bool
}

struct CaseEventDTO: Content {
    var seq: Int
    var action: String
    var fromState: String
    var toState: String
    var actor: String
    var at: Date
    var day: String
    var reason: String
}

struct CaseMaterialDTO: Content {
    var position: Int
    var name: String
    var need: String
    var status: String
    var note: String
}

struct CaseFileDTO: Content {
    var id: UUID
    var position: Int
    var filename: String
    var contentType: String
    var size: Int
    var sha256: String
    var uploadedAt: Date
    var downloadURL: String
}

struct NoticeSummaryDTO: Content {
    var id: UUID
    var kind: String
    var serial: String
    var issuedAt: Date
    var issuedBy: String
    var sha256: String
    var printURL: String

    init(_ n: NoticeModel) {
        id = n.id!
        kind = n.kind
        serial = n.serial
        issuedAt = Date(timeIntervalSince1970: Double(n.issuedAt) / 1000)
        issuedBy = n.issuedBy
        sha256 = n.sha256
        printURL = "/notices/\(n.serial)"
    }
}

struct NoticeDTO: Content {
    var notice: NoticeSummaryDTO
    var caseNumber: String
    /// The page exactly as issued.
    var html: String
}

struct CaseDTO: Content {
    var id: UUID
    var number: String
    var centerID: UUID
    var departmentID: UUID
    var itemID: UUID
    var itemCode: String
    var itemName: String
    var guideVersion: Int
    var caseType: String
    var channel: String
    var state: String
    var receivedOn: String
    var acceptedOn: String?
    var decidedOn: String?
    var deliveredOn: String?
    var applicant: ApplicantDTO
    var clock: CaseClockDTO?
    var materials: [CaseMaterialDTO]
    var files: [CaseFileDTO]
    var form: [String: String]
    var events: [CaseEventDTO]
    var notices: [NoticeSummaryDTO]
    var tasks: [CaseTaskDTO]
    /// The fee charged with the decision, in 元 ("12.50"); nil when none was recorded.
    var fee: String? = nil
    /// The licence or document number the approval issued.
    var licenceNumber: String? = nil
    /// The electronic licence the approval issued, when the item issues one.
    var licence: LicenceDTO? = nil
    /// 特事特办: its kind and why.
    var special: String? = nil
    var specialReason: String? = nil
    /// When the retention period erased the case's personal data.
    var anonymisedAt: Date? = nil
}

/// What tracking by case number shows without signing in: the timeline, nothing personal.
struct TrackedCaseDTO: Content {
    var number: String
    var itemName: String
    var state: String
    var receivedOn: String
    var acceptedOn: String?
    var promisedDue: String?
    var applicantName: String
    var events: [Event]

    struct Event: Content {
        var action: String
        var toState: String
        var day: String
        var at: Date
    }
}
