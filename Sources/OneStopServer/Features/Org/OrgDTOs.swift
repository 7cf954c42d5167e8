import Foundation
import OneStopCore
import Vapor

struct CenterDTO: Content {
    var id: UUID
    var parentID: UUID?
    var name: String
    var code: String
    var level: String
    var address: String
    var phone: String?
    var officeHours: String
    var commitment: String
    var dutySeparation: String

    init(_ m: CenterModel) {
        commitment = m.commitment
        dutySeparation = m.dutySeparation
        id = m.id!
        parentID = m.parentID
        name = m.name
        code = m.code
        level = m.level
        address = m.address
        phone = m.phone
        officeHours = m.officeHours
    }
}

struct DepartmentDTO: Content {
    struct Authorisations: Content {
        var approveOnSpot: Bool
        var reviewReported: Bool
        var supervisePromised: Bool
        var coordinateJoint: Bool
    }

    var id: UUID
    var centerID: UUID
    var name: String
    var code: String
    var phone: String?
    var chiefStaffID: UUID?
    var authorisations: Authorisations
    var commitment: String
    /// Who signs its notices (`department` or `center`) and the authority's name as set.
    var issuer: String
    var issuerName: String?

    init(_ m: DepartmentModel) {
        commitment = m.commitment
        issuer = m.issuer
        issuerName = m.issuerName
        id = m.id!
        centerID = m.centerID
        name = m.name
        code = m.code
        phone = m.phone
        chiefStaffID = m.chiefStaffID
        authorisations = .init(
            approveOnSpot: m.canApproveOnSpot, reviewReported: m.canReviewReported,
            supervisePromised: m.canSupervisePromised, coordinateJoint: m.canCoordinateJoint)
    }
}

struct WindowDTO: Content {
    var id: UUID
    var centerID: UUID
    var number: Int
    var name: String
    var kind: String
    var departmentID: UUID?
    var isOpen: Bool
    var phone: String?

    init(_ m: WindowModel) {
        id = m.id!
        centerID = m.centerID
        number = m.number
        name = m.name
        kind = m.kind
        departmentID = m.departmentID
        isOpen = m.isOpen
        phone = m.phone
    }
}

/// Staff as administrators see them: personal numbers masked, since no screen needs them whole.
struct StaffDTO: Content {
    var id: UUID
    var centerID: UUID
    var departmentID: UUID?
    var name: String
    var jobNumber: String
    var post: String
    var partyMember: Bool
    var duties: String
    var commitment: String
    var phoneMasked: String?
    var idNumberMasked: String?

    init(_ m: StaffModel) {
        id = m.id!
        centerID = m.centerID
        departmentID = m.departmentID
        name = m.name
        jobNumber = m.jobNumber
        post = m.post
        partyMember = m.partyMember
        duties = m.duties
        commitment = m.commitment
        phoneMasked = m.phone.map(PhoneNumber.masked)
        idNumberMasked = m.idNumber.map(ResidentID.masked)
    }
}

struct UserDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
    var role: String
    var centerID: UUID
    var departmentID: UUID?
    var staffID: UUID?
    var phoneMasked: String?
    var locked: Bool
    var disabled: Bool
    /// Two-step verification is on.
    var twoFactor: Bool

    init(_ m: UserModel, now: Date) {
        id = m.id!
        username = m.username
        displayName = m.displayName
        role = m.role
        centerID = m.centerID
        departmentID = m.departmentID
        staffID = m.staffID
        phoneMasked = m.phone.map(PhoneNumber.masked)
        locked = (m.lockedUntil ?? 0) > now.timeIntervalSince1970
        disabled = m.disabled
        twoFactor = TwoFactorService.enrolled(m)
    }
}

struct DeviceDTO: Content {
    var id: UUID
    var label: String
    var role: String
    var centerID: UUID
    var windowID: UUID?
    var revoked: Bool
    /// Only in the answer to `createDevice`: the bearer token, shown once and never stored.
    var token: String?

    init(_ m: DeviceModel, token: String? = nil) {
        id = m.id!
        label = m.label
        role = m.role
        centerID = m.centerID
        windowID = m.windowID
        revoked = m.revokedAt != nil
        self.token = token
    }
}
