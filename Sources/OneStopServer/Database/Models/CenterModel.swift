import Fluent
import Foundation

/// 中心 — one service hall in the tree of centers.
final class CenterModel: Model, @unchecked Sendable {
    static let schema = "centers"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "name") var name: String
    @Field(key: "code") var code: String
    @Field(key: "level") var level: String
    @Field(key: "address") var address: String
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "office_hours") var officeHours: String
    /// 服务承诺, published with the center's guides.
    @Field(key: "commitment") var commitment: String
    /// `DutySeparation`: whether one person may both accept and decide a case.
    @Field(key: "duty_separation") var dutySeparation: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// 进驻部门, with its chief representative's four authorisations.
final class DepartmentModel: Model, @unchecked Sendable {
    static let schema = "departments"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "name") var name: String
    @Field(key: "code") var code: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "chief_staff_id") var chiefStaffID: UUID?
    @Field(key: "can_approve_on_spot") var canApproveOnSpot: Bool
    @Field(key: "can_review_reported") var canReviewReported: Bool
    @Field(key: "can_supervise_promised") var canSupervisePromised: Bool
    @Field(key: "can_coordinate_joint") var canCoordinateJoint: Bool
    @Field(key: "commitment") var commitment: String
    /// `IssuerKind`: who signs the department's notices; `issuer_name` the authority's full name.
    @Field(key: "issuer") var issuer: String
    @OptionalField(key: "issuer_name") var issuerName: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// 窗口 — a numbered counter.
final class WindowModel: Model, @unchecked Sendable {
    static let schema = "windows"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "is_open") var isOpen: Bool
    @OptionalField(key: "phone") var phone: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// 窗口工作人员 with the public-profile fields (五亮).
final class StaffModel: Model, @unchecked Sendable {
    static let schema = "staff"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "name") var name: String
    @Field(key: "job_number") var jobNumber: String
    @Field(key: "post") var post: String
    @Field(key: "party_member") var partyMember: Bool
    @Field(key: "duties") var duties: String
    @Field(key: "commitment") var commitment: String
    /// Sealed (`PersonalData`): read and set through `phone` and `idNumber`.
    @OptionalField(key: "phone") var sealedPhone: String?
    @OptionalField(key: "id_number") var sealedIDNumber: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var phone: String? {
        get { PersonalData.open(sealedPhone, Self.phoneField) }
        set { sealedPhone = PersonalData.seal(newValue, Self.phoneField) }
    }
    var idNumber: String? {
        get { PersonalData.open(sealedIDNumber, Self.idNumberField) }
        set { sealedIDNumber = PersonalData.seal(newValue, Self.idNumberField) }
    }

    static let phoneField = "staff.phone"
    static let idNumberField = "staff.id_number"
}
