import Fluent
import Foundation

/// A person (居民身份证) or a legal entity (统一社会信用代码) who applies. `userID` is set once
/// they have registered online; walk-in applicants entered at a window have none.
final class ApplicantModel: Model, @unchecked Sendable {
    static let schema = "applicants"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    /// Sealed (`PersonalData`): read and set through `name`, `idNumber`, `phone` and `contact`.
    @Field(key: "name") var sealedName: String
    @Field(key: "id_number") var sealedIDNumber: String
    /// The blind index of the number, for finding an applicant by it.
    @Field(key: "id_number_index") var idNumberIndex: String
    @Field(key: "phone") var sealedPhone: String
    @Field(key: "contact") var sealedContact: String
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "created_at") var createdAt: Int64

    init() {}

    var name: String {
        get { PersonalData.open(sealedName, Self.nameField) }
        set { sealedName = PersonalData.seal(newValue, Self.nameField) }
    }
    var idNumber: String {
        get { PersonalData.open(sealedIDNumber, Self.idNumberField) }
        set {
            sealedIDNumber = PersonalData.seal(newValue, Self.idNumberField)
            idNumberIndex = Self.index(newValue)
        }
    }
    var phone: String {
        get { PersonalData.open(sealedPhone, Self.phoneField) }
        set { sealedPhone = PersonalData.seal(newValue, Self.phoneField) }
    }
    /// The contact person of an entity; empty for a person.
    var contact: String {
        get { PersonalData.open(sealedContact, Self.contactField) }
        set { sealedContact = PersonalData.seal(newValue, Self.contactField) }
    }

    static let nameField = "applicants.name"
    static let idNumberField = "applicants.id_number"
    static let phoneField = "applicants.phone"
    static let contactField = "applicants.contact"

    /// The blind index an ID number or credit code is found by.
    static func index(_ idNumber: String) -> String { PersonalData.index(idNumber, idNumberField) }
}

final class CaseModel: Model, @unchecked Sendable {
    static let schema = "cases"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "item_code") var itemCode: String
    @Field(key: "item_name") var itemName: String
    /// The version of the item's guide in force when the case was received.
    @Field(key: "guide_version") var guideVersion: Int
    @Field(key: "case_type") var caseType: String
    /// `online` or `window`.
    @Field(key: "channel") var channel: String
    @Field(key: "applicant_id") var applicantID: UUID
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "state") var state: String
    @Field(key: "received_on") var receivedOn: String
    @OptionalField(key: "accepted_on") var acceptedOn: String?
    @OptionalField(key: "decided_on") var decidedOn: String?
    @OptionalField(key: "delivered_on") var deliveredOn: String?
    @Field(key: "promised_days") var promisedDays: Int
    @Field(key: "legal_days") var legalDays: Int
    @Field(key: "extension_days") var extensionDays: Int
    @OptionalField(key: "promised_due") var promisedDue: String?
    @OptionalField(key: "legal_due") var legalDue: String?
    /// A 补正材料通知书 was issued before acceptance.
    @Field(key: "supplement_asked") var supplementAsked: Bool
    /// The staff account responsible now.
    @OptionalField(key: "handler_id") var handlerID: UUID?
    /// Supervision: the warning level last seen, the smallest reminder already sent, and the day
    /// the sweep has to look at the case again (nil: nothing can change until the case moves).
    /// The agent-service project (全程代办) it belongs to, if any.
    @OptionalField(key: "project_id") var projectID: UUID?
    @Field(key: "level") var level: String
    @OptionalField(key: "reminded") var reminded: Int?
    /// The application form's fields, as JSON.
    @Field(key: "form") var form: String
    /// The fee charged on the decision, in cents; nil when none was recorded.
    @OptionalField(key: "fee_cents") var feeCents: Int?
    /// The number of the licence or document an approval issued (许可证编号, 批准文号).
    @OptionalField(key: "licence_number") var licenceNumber: String?
    /// 特事特办: `SpecialHandling` and why; nil for an ordinary case.
    @OptionalField(key: "special") var special: String?
    @OptionalField(key: "special_reason") var specialReason: String?
    /// While suspended for a special procedure the guide publishes with a limit: the day it is due.
    @OptionalField(key: "step_due") var stepDue: String?
    @Field(key: "created_at") var createdAt: Int64
    @Field(key: "updated_at") var updatedAt: Int64
    /// When the retention period erased the case's personal data (milliseconds); nil: kept.
    @OptionalField(key: "anonymised_at") var anonymisedAt: Int64?

    init() {}
}

/// One move of a case: who, when, from where to where, and why.
final class CaseEventModel: Model, @unchecked Sendable {
    static let schema = "case_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "action") var action: String
    @Field(key: "from_state") var fromState: String
    @Field(key: "to_state") var toState: String
    /// The audit name (`user:wang`, `applicant:<id>`, `system`).
    @Field(key: "actor") var actor: String
    @Field(key: "actor_name") var actorName: String
    @Field(key: "at_ms") var atMillis: Int64
    @Field(key: "day") var day: String
    @Field(key: "reason") var reason: String
    @Field(key: "detail") var detail: String

    init() {}
}

/// A stop of a case's clock: a supplement awaited during review, or a special procedure.
final class CaseStopModel: Model, @unchecked Sendable {
    static let schema = "case_stops"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "from_day") var fromDay: String
    @OptionalField(key: "to_day") var toDay: String?

    init() {}
}

/// One line of a case's material checklist, from the guide version it was received under.
final class CaseMaterialModel: Model, @unchecked Sendable {
    static let schema = "case_materials"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "name") var name: String
    @Field(key: "need") var need: String
    /// `provided`, `missing`, `defective` or `not_applicable`.
    @Field(key: "status") var status: String
    @Field(key: "note") var note: String

    init() {}
}

/// A notice exactly as it was issued: printed again from `html`, never regenerated.
final class NoticeModel: Model, @unchecked Sendable {
    static let schema = "notices"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    /// The order of issue within the case.
    @Field(key: "seq") var seq: Int
    @Field(key: "kind") var kind: String
    @Field(key: "serial") var serial: String
    @Field(key: "issued_at") var issuedAt: Int64
    @Field(key: "issued_by") var issuedBy: String
    @Field(key: "html") var html: String
    @Field(key: "sha256") var sha256: String

    init() {}
}

/// A file an applicant uploaded for one material of the checklist. Never served inline.
final class CaseFileModel: Model, @unchecked Sendable {
    static let schema = "case_files"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    /// The material's position in the checklist.
    @Field(key: "position") var position: Int
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_at") var uploadedAt: Int64
    @Field(key: "uploaded_by") var uploadedBy: String

    init() {}
}

/// A co-department's task in a joint case (联办件), with its own time limit.
final class CaseTaskModel: Model, @unchecked Sendable {
    static let schema = "case_tasks"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "title") var title: String
    @Field(key: "limit_days") var limitDays: Int
    @Field(key: "started_on") var startedOn: String
    @Field(key: "due_on") var dueOn: String
    /// `open` or `done`.
    @Field(key: "state") var state: String
    @OptionalField(key: "done_on") var doneOn: String?
    @Field(key: "done_by") var doneBy: String
    @Field(key: "note") var note: String
    /// Supervision's view of an open task: warning level, last reminder (working days before the
    /// deadline) and the day it next has to look; none once done.
    @Field(key: "level") var level: String
    @OptionalField(key: "reminded") var reminded: Int?
    @OptionalField(key: "next_check") var nextCheck: String?

    init() {}
}

/// 电子证照 issued by an approval: the licence's data, the PDF exactly as issued and its SHA-256.
final class LicenceModel: Model, @unchecked Sendable {
    static let schema = "licences"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    /// The guide's result (营业执照, 食品经营许可证).
    @Field(key: "kind") var kind: String
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "applicant_id") var applicantID: UUID
    @Field(key: "item_code") var itemCode: String
    @Field(key: "item_name") var itemName: String
    @Field(key: "authority") var authority: String
    @Field(key: "holder_name") var holderName: String
    @Field(key: "holder_id_masked") var holderIDMasked: String
    @Field(key: "issued_on") var issuedOn: String
    @OptionalField(key: "valid_until") var validUntil: String?
    /// The secret in the QR code's address; its first 8 characters are the printed code.
    @Field(key: "verify_token") var verifyToken: String
    @Field(key: "sha256") var sha256: String
    @Field(key: "pdf") var pdf: Data
    /// `valid` or `revoked`.
    @Field(key: "state") var state: String
    @Field(key: "created_at") var createdAt: Int64

    init() {}
}
