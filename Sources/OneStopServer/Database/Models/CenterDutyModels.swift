import Fluent
import Foundation
import OneStopCore

/// The center's own rules for running the hall (issue 23); a center without a row has the defaults.
final class CenterRulesModel: Model, @unchecked Sendable {
    static let schema = "center_rules"

    @ID(custom: "center_id", generatedBy: .user) var id: UUID?
    @Field(key: "patrols_per_day") var patrolsPerDay: Int
    /// JSON [String], the conduct inspections' checklist; "" reads as the default.
    @Field(key: "checklist") var checklist: String
    /// JSON `Courtesy`; "" reads as the defaults.
    @Field(key: "courtesy") var courtesy: String
    /// JSON [item code]: the items offered as home visits (上门办).
    @Field(key: "home_visit_items") var homeVisitItems: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Int64

    init() {}

    var checklistValue: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(checklist.utf8))) ?? ConductRules.defaultChecklist }
        set { checklist = BrandModel.json(newValue) }
    }

    struct Courtesy: Codable, Equatable {
        var polite: [String]
        var banned: [String]
        static let defaults = Courtesy(polite: HallRules.defaultPolite, banned: HallRules.defaultBanned)
    }

    var homeVisitItemsValue: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(homeVisitItems.utf8))) ?? [] }
        set { homeVisitItems = BrandModel.json(newValue) }
    }

    var courtesyValue: Courtesy {
        get { (try? JSONDecoder().decode(Courtesy.self, from: Data(courtesy.utf8))) ?? .defaults }
        set { courtesy = BrandModel.json(newValue) }
    }

    /// A row with the defaults, for a center that has none yet.
    static func fresh(_ center: UUID) -> CenterRulesModel {
        let r = CenterRulesModel()
        r.id = center
        r.patrolsPerDay = DutyRules.defaultPatrolsPerDay
        r.checklist = ""
        r.courtesy = ""
        r.homeVisitItems = ""
        return r
    }
}

/// A shift on the duty rota: the leader on duty or a department head on the floor, for one day.
final class DutyShiftModel: Model, @unchecked Sendable {
    static let schema = "duty_shifts"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "day") var day: String
    @Field(key: "kind") var kind: String
    @Field(key: "user_id") var userID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "set_by") var setBy: String
    @Field(key: "set_at") var setAt: Int64

    init() {}
}

/// 巡查: one walk through the hall by the leader on duty.
final class PatrolModel: Model, @unchecked Sendable {
    static let schema = "patrols"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "day") var day: String
    @Field(key: "at") var at: Int64
    @Field(key: "user_id") var userID: UUID
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "observations") var observations: String
    @Field(key: "note") var note: String

    init() {}

    var observationsValue: [DutyRules.Observation] {
        get { (try? JSONDecoder().decode([DutyRules.Observation].self, from: Data(observations.utf8))) ?? [] }
        set { observations = BrandModel.json(newValue) }
    }
}

/// What a patrol found at a window: a task for the window's department, due on a working day,
/// closed with what was done.
final class PatrolFindingModel: Model, @unchecked Sendable {
    static let schema = "patrol_findings"

    @ID(key: .id) var id: UUID?
    @Field(key: "patrol_id") var patrolID: UUID
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "text") var text: String
    @Field(key: "due") var due: String
    /// A banned phrase of the center's 文明用语规范 the finding cites.
    @OptionalField(key: "phrase") var phrase: String?
    @OptionalField(key: "action") var action: String?
    @OptionalField(key: "closed_by") var closedBy: String?
    @OptionalField(key: "closed_at") var closedAt: Int64?

    init() {}
}

/// A photo a patrol finding carries: PNG or JPEG, at most 2 MB.
final class PatrolPhotoModel: Model, @unchecked Sendable {
    static let schema = "patrol_photos"

    @ID(key: .id) var id: UUID?
    @Field(key: "finding_id") var findingID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "content_type") var contentType: String
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Int64

    init() {}
}

/// 窗口人员登记备案: a member of staff a department sent to the center, from the day they arrived
/// to the day they left.
final class StaffPostingModel: Model, @unchecked Sendable {
    static let schema = "staff_postings"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "staff_id") var staffID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    /// How they were chosen: 选派, 公开选拔, 轮岗交流, 招聘, …
    @Field(key: "selection") var selection: String
    @Field(key: "post") var post: String
    @Field(key: "arrived_on") var arrivedOn: String
    @OptionalField(key: "left_on") var leftOn: String?
    @Field(key: "note") var note: String
    @Field(key: "registered_by") var registeredBy: String
    @Field(key: "registered_at") var registeredAt: Int64

    init() {}
}

/// 请假: asked for, decided, ended on return (销假).
final class StaffLeaveModel: Model, @unchecked Sendable {
    static let schema = "staff_leaves"
    static let reasonField = "staff_leaves.reason"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "staff_id") var staffID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "state") var state: String
    @Field(key: "from_day") var fromDay: String
    @Field(key: "to_day") var toDay: String
    /// Sealed (`PersonalData`): read and set through `reason`.
    @Field(key: "reason") var sealedReason: String
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "stand_in_staff_id") var standInStaffID: UUID?
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "requested_at") var requestedAt: Int64
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Int64?
    @OptionalField(key: "decision_note") var decisionNote: String?
    @OptionalField(key: "returned_on") var returnedOn: String?
    @OptionalField(key: "ended_by") var endedBy: String?
    @OptionalField(key: "ended_at") var endedAt: Int64?

    init() {}

    var reason: String {
        get { PersonalData.open(sealedReason, Self.reasonField) }
        set { sealedReason = PersonalData.seal(newValue, Self.reasonField) }
    }
}

/// A course a member of staff took.
final class StaffTrainingModel: Model, @unchecked Sendable {
    static let schema = "staff_trainings"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "staff_id") var staffID: UUID
    @Field(key: "day") var day: String
    @Field(key: "course") var course: String
    @Field(key: "hours_tenths") var hoursTenths: Int
    @Field(key: "result") var result: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64

    init() {}
}

/// 定期考评: the department's or the center's appraisal of a member of staff for a period.
final class StaffAppraisalModel: Model, @unchecked Sendable {
    static let schema = "staff_appraisals"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "staff_id") var staffID: UUID
    @Field(key: "period") var period: String
    @Field(key: "appraiser") var appraiser: String
    @Field(key: "grade") var grade: String
    @Field(key: "comment") var comment: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64

    init() {}
}

/// 作风督查: one inspection of the windows' conduct by a team, against the center's checklist.
final class ConductInspectionModel: Model, @unchecked Sendable {
    static let schema = "conduct_inspections"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "day") var day: String
    @Field(key: "team") var team: String
    @Field(key: "checklist") var checklist: String
    @Field(key: "started_by") var startedBy: String
    @Field(key: "started_at") var startedAt: Int64

    init() {}

    var checklistValue: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(checklist.utf8))) ?? [] }
        set { checklist = BrandModel.json(newValue) }
    }
}

/// A conduct inspection's finding at a window: notified, explained, closed.
final class ConductFindingModel: Model, @unchecked Sendable {
    static let schema = "conduct_findings"

    @ID(key: .id) var id: UUID?
    @Field(key: "inspection_id") var inspectionID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "day") var day: String
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "item") var item: String
    @Field(key: "text") var text: String
    /// A banned phrase of the center's 文明用语规范 the finding cites.
    @OptionalField(key: "phrase") var phrase: String?
    @Field(key: "state") var state: String
    @Field(key: "explain_by") var explainBy: String
    @OptionalField(key: "explanation") var explanation: String?
    @OptionalField(key: "rectification") var rectification: String?
    @OptionalField(key: "explained_by") var explainedBy: String?
    @OptionalField(key: "explained_at") var explainedAt: Int64?
    @OptionalField(key: "close_note") var closeNote: String?
    @OptionalField(key: "closed_by") var closedBy: String?
    @OptionalField(key: "closed_at") var closedAt: Int64?
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64

    init() {}
}

/// 一周一小结: a window unit's (department's) summary of a week.
final class WeeklySummaryModel: Model, @unchecked Sendable {
    static let schema = "weekly_summaries"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "week") var week: String
    @Field(key: "summary") var summary: String
    @Field(key: "late") var late: Bool
    @Field(key: "filed_by") var filedBy: String
    @Field(key: "filed_at") var filedAt: Int64

    init() {}
}

/// 志愿服务台帐: who volunteered in the hall, when, doing what, for how long.
final class VolunteerServiceModel: Model, @unchecked Sendable {
    static let schema = "volunteer_services"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "volunteer") var volunteer: String
    @Field(key: "day") var day: String
    @Field(key: "activity") var activity: String
    @Field(key: "hours_tenths") var hoursTenths: Int
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64

    init() {}
}

/// 进驻: a department's admission to the center, as asked for and decided.
final class AdmissionModel: Model, @unchecked Sendable {
    static let schema = "admissions"

    struct Authorisations: Codable, Equatable, Sendable {
        var approveOnSpot: Bool
        var reviewReported: Bool
        var supervisePromised: Bool
        var coordinateJoint: Bool
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "items") var items: String
    @Field(key: "staff") var staff: String
    @Field(key: "equipment") var equipment: String
    @Field(key: "authorisations") var authorisations: String
    @Field(key: "entrusted") var entrusted: String
    @Field(key: "note") var note: String
    @Field(key: "state") var state: String
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "requested_at") var requestedAt: Int64
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_on") var decidedOn: String?
    @OptionalField(key: "decision_note") var decisionNote: String?

    init() {}

    static func decode<T: Decodable>(_ s: String, _ fallback: T) -> T {
        (try? JSONDecoder().decode(T.self, from: Data(s.utf8))) ?? fallback
    }
    var itemsValue: [String] { Self.decode(items, []) }
    var staffValue: [UUID] { Self.decode(staff, []) }
    var equipmentValue: [String] { Self.decode(equipment, []) }
    var entrustedValue: [String] { Self.decode(entrusted, []) }
    var authorisationsValue: Authorisations {
        Self.decode(
            authorisations, Authorisations(approveOnSpot: false, reviewReported: false, supervisePromised: false, coordinateJoint: false))
    }
}

/// A later change to an admission: an item added, withdrawn or delegated down.
final class AdmissionEventModel: Model, @unchecked Sendable {
    static let schema = "admission_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "admission_id") var admissionID: UUID
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "item_code") var itemCode: String
    @Field(key: "note") var note: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int64

    init() {}
}

/// 上门办: a home visit asked for by someone who cannot come to the hall.
final class HomeVisitModel: Model, @unchecked Sendable {
    static let schema = "home_visits"
    static let nameField = "home_visits.name"
    static let phoneField = "home_visits.phone"
    static let addressField = "home_visits.address"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "item_code") var itemCode: String
    @Field(key: "item_name") var itemName: String
    @Field(key: "name") var sealedName: String
    @OptionalField(key: "phone") var sealedPhone: String?
    @Field(key: "address") var sealedAddress: String
    @Field(key: "reason") var reason: String
    @OptionalField(key: "preferred_day") var preferredDay: String?
    @Field(key: "state") var state: String
    /// What the citizen quotes to follow their request.
    @Field(key: "tracking") var tracking: String
    @OptionalField(key: "scheduled_day") var scheduledDay: String?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @OptionalField(key: "outcome") var outcome: String?
    @Field(key: "requested_at") var requestedAt: Int64
    @OptionalField(key: "updated_by") var updatedBy: String?
    @OptionalField(key: "updated_at") var updatedAt: Int64?

    init() {}

    var name: String {
        get { PersonalData.open(sealedName, Self.nameField) }
        set { sealedName = PersonalData.seal(newValue, Self.nameField) }
    }
    var phone: String? {
        get { PersonalData.open(sealedPhone, Self.phoneField) }
        set { sealedPhone = PersonalData.seal(newValue, Self.phoneField) }
    }
    var address: String {
        get { PersonalData.open(sealedAddress, Self.addressField) }
        set { sealedAddress = PersonalData.seal(newValue, Self.addressField) }
    }
}
