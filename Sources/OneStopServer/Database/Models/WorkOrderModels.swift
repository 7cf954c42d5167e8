import Fluent
import Foundation
import OneStopCore

/// A work order (工单, issue 20): a consultation, complaint, suggestion, request for help, report or
/// praise, from intake to call-back. The caller's name, phone and ID are sealed; the phone's keyed
/// hash finds the caller's earlier orders and duplicates.
final class WorkOrderModel: Model, @unchecked Sendable {
    static let schema = "work_orders"

    @ID(key: .id) var id: UUID?
    /// `GD` + the day + a four-digit count of the day (GD202612030001), unique.
    @Field(key: "number") var number: String
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "channel") var channel: String
    @Field(key: "urgency") var urgency: String
    @Field(key: "state") var state: String
    @Field(key: "anonymous") var anonymous: Bool
    /// A 举报, or the caller asked: only the hotline sees who called.
    @Field(key: "confidential") var confidential: Bool
    @OptionalField(key: "caller_name") var sealedCallerName: String?
    @OptionalField(key: "caller_phone") var sealedCallerPhone: String?
    @OptionalField(key: "caller_id_number") var sealedCallerID: String?
    /// The keyed hash of the caller's phone ("" when none).
    @Field(key: "phone_index") var phoneIndex: String
    @Field(key: "title") var title: String
    @Field(key: "text") var text: String
    @Field(key: "address") var address: String
    @OptionalField(key: "lat") var lat: Double?
    @OptionalField(key: "lon") var lon: Double?
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @OptionalField(key: "item_id") var itemID: UUID?
    @OptionalField(key: "case_id") var caseID: UUID?
    /// The service brand of a brand-hotline order (brands come in a later issue).
    @Field(key: "brand_ref") var brandRef: String
    /// Open311: the service code asked for.
    @Field(key: "service_code") var serviceCode: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    /// Co-departments, comma-separated ids.
    @Field(key: "co_departments") var coDepartments: String
    @Field(key: "received_at") var receivedAt: Int64
    @OptionalField(key: "dispatched_at") var dispatchedAt: Int64?
    @OptionalField(key: "sign_due_at") var signDueAt: Int64?
    @OptionalField(key: "signed_at") var signedAt: Int64?
    /// When the handling clock started (dispatch or reopening), and when it ends.
    @OptionalField(key: "clock_start") var clockStart: Int64?
    @OptionalField(key: "due_at") var dueAt: Int64?
    /// The limit as set ("2h", "7d"), extensions included.
    @Field(key: "limit_text") var limitText: String
    @OptionalField(key: "replied_at") var repliedAt: Int64?
    @Field(key: "reply") var reply: String
    @Field(key: "replied_by") var repliedBy: String
    @OptionalField(key: "called_back_at") var calledBackAt: Int64?
    @OptionalField(key: "satisfaction") var satisfaction: String?
    @OptionalField(key: "solved") var solved: Bool?
    @OptionalField(key: "closed_at") var closedAt: Int64?
    @Field(key: "returns") var returns: Int
    @Field(key: "reopens") var reopens: Int
    @OptionalField(key: "merged_into") var mergedInto: UUID?
    /// A complaint judged by a supervisor: valid (有效投诉) or not, with the reason.
    @OptionalField(key: "valid") var valid: Bool?
    @Field(key: "judge_note") var judgeNote: String
    /// How far supervision has gone with the running clock (`WorkOrderWatch.Stage`), and when to
    /// look again (nil: nothing to look at).
    @Field(key: "stage") var stage: Int
    @OptionalField(key: "next_look") var nextLook: Int64?
    /// Who took it in ("" for the public form and Open311).
    @Field(key: "taken_by") var takenBy: String
    /// Open311: the contact's e-mail (sealed), the picture or file the request links to, and the
    /// API key it came with.
    @OptionalField(key: "caller_email") var sealedCallerEmail: String?
    @Field(key: "media_url") var mediaURL: String
    @OptionalField(key: "open311_key_id") var open311KeyID: UUID?
    /// A complaint's cited banned phrase of the center's 文明用语规范.
    @OptionalField(key: "phrase") var phrase: String?

    static let nameField = "work_orders.caller_name"
    static let phoneField = "work_orders.caller_phone"
    static let idField = "work_orders.caller_id_number"
    static let emailField = "work_orders.caller_email"

    var callerName: String? {
        get { PersonalData.open(sealedCallerName, Self.nameField) }
        set { sealedCallerName = PersonalData.seal(newValue, Self.nameField) }
    }
    var callerPhone: String? {
        get { PersonalData.open(sealedCallerPhone, Self.phoneField) }
        set { sealedCallerPhone = PersonalData.seal(newValue, Self.phoneField) }
    }
    var callerID: String? {
        get { PersonalData.open(sealedCallerID, Self.idField) }
        set { sealedCallerID = PersonalData.seal(newValue, Self.idField) }
    }
    var callerEmail: String? {
        get { PersonalData.open(sealedCallerEmail, Self.emailField) }
        set { sealedCallerEmail = PersonalData.seal(newValue, Self.emailField) }
    }

    var kindValue: WorkOrderKind { WorkOrderKind(rawValue: kind) ?? .consultation }
    var stateValue: WorkOrderState { WorkOrderState(rawValue: state) ?? .received }
    var coDepartmentIDs: [UUID] { coDepartments.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }

    var flow: WorkOrderFlow {
        .init(
            state: stateValue, kind: kindValue, reachable: !(sealedCallerPhone ?? "").isEmpty, mergedInto: mergedInto != nil,
            judged: valid != nil)
    }

    init() {}
}

/// One step of an order's history, as the order page shows it. `note` is what the acting side
/// wrote; nothing of the caller is ever put here.
final class WorkOrderEventModel: Model, @unchecked Sendable {
    static let schema = "work_order_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "at") var at: Int64
    @Field(key: "actor") var actor: String
    /// `create`, `answer`, `dispatch`, `sign`, `return`, `reply`, `call_back`, `reopen`, `merge`,
    /// `extend`, `judge`, `card`.
    @Field(key: "action") var action: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    /// What came of the step, for the report: `in_time`/`late` (sign, reply), the call-back's
    /// satisfaction and `solved`/`unsolved`, `valid`/`invalid`, `overrule`.
    @Field(key: "outcome") var outcome: String
    @Field(key: "note") var note: String

    init() {}
}

/// A line of the dispatch directory: a department is responsible for orders that mention these
/// keywords or concern these items.
final class DispatchRuleModel: Model, @unchecked Sendable {
    static let schema = "dispatch_rules"

    @ID(key: .id) var id: UUID?
    /// The center whose directory it is (its subtree uses it too).
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    /// The duty in words (what the department answers for), shown to the operator.
    @Field(key: "duty") var duty: String
    /// Comma-separated.
    @Field(key: "keywords") var keywords: String
    @Field(key: "item_kinds") var itemKinds: String
    @Field(key: "item_codes") var itemCodes: String
    /// Open311: the complaint category's service code ("" none).
    @Field(key: "service_code") var serviceCode: String

    init() {}

    var rule: DispatchDirectory.Rule {
        func list(_ s: String) -> [String] {
            s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return .init(
            departmentID: departmentID.uuidString, keywords: list(keywords), itemKinds: list(itemKinds), itemCodes: list(itemCodes),
            centers: [centerID.uuidString])
    }
}
