import Foundation

/// The fields an administrator submits for each organisation entity, and the rules that make them
/// valid. The server adds only what needs the database (uniqueness, the parent's level, scope).
public struct CenterInput: Sendable, Codable, Equatable {
    public var name: String?
    public var code: String?
    public var level: String?
    public var parentID: String?
    public var address: String?
    public var phone: String?
    public var officeHours: String?
    /// 服务承诺 of the center, published beside every guide.
    public var commitment: String?
    /// `DutySeparation`: left out, the center keeps its choice (承诺件 for a new one).
    public var dutySeparation: String?

    public init(
        name: String? = nil, code: String? = nil, level: String? = nil, parentID: String? = nil,
        address: String? = nil, phone: String? = nil, officeHours: String? = nil, commitment: String? = nil,
        dutySeparation: String? = nil
    ) {
        self.dutySeparation = dutySeparation
        self.name = name; self.code = code; self.level = level; self.parentID = parentID
        self.address = address; self.phone = phone; self.officeHours = officeHours; self.commitment = commitment
    }

    public struct Valid: Sendable, Equatable {
        public var name: String, code: String, level: CenterLevel, address: String, phone: String?, officeHours: String
        public var commitment: String
        public var dutySeparation: DutySeparation?
    }

    public func validate(parentLevel: CenterLevel?) -> Result<Valid, ValidationFailure> {
        var v = Validator()
        let name = v.text("name", name, max: 80)
        let code = v.code("code", code, max: 32)
        let level = v.oneOf("level", level, as: CenterLevel.self)
        if let level, !level.canBeChild(of: parentLevel) { v.add("level", "center.levelBelowParent") }
        let address = v.text("address", address, max: 200, required: false)
        let phone = v.phone("phone", phone)
        let hours = v.text("officeHours", officeHours, max: 200, required: false)
        let commitment = v.text("commitment", commitment, max: 1000, required: false)
        let separation = (dutySeparation ?? "").isEmpty ? nil : v.oneOf("dutySeparation", dutySeparation, as: DutySeparation.self)
        guard v.isValid, let level else { return .failure(ValidationFailure(v.errors)) }
        return .success(
            Valid(
                name: name, code: code, level: level, address: address, phone: phone, officeHours: hours, commitment: commitment,
                dutySeparation: separation))
    }
}

/// 进驻部门 and its chief representative's four authorisations (DOMAIN.md §1).
public struct DepartmentInput: Sendable, Codable, Equatable {
    public var centerID: String?
    public var name: String?
    public var code: String?
    public var phone: String?
    public var chiefStaffID: String?
    public var canApproveOnSpot: Bool?
    public var canReviewReported: Bool?
    public var canSupervisePromised: Bool?
    public var canCoordinateJoint: Bool?
    /// 服务承诺 of the department.
    public var commitment: String?
    /// `IssuerKind`: who signs and seals the department's notices; left out, the department.
    public var issuer: String?
    /// The authority's full name as printed (石桥县市场监督管理局); empty for the department's or
    /// the center's own name.
    public var issuerName: String?

    public init(
        centerID: String? = nil, name: String? = nil, code: String? = nil, phone: String? = nil,
        chiefStaffID: String? = nil, canApproveOnSpot: Bool? = nil, canReviewReported: Bool? = nil,
        canSupervisePromised: Bool? = nil, canCoordinateJoint: Bool? = nil, commitment: String? = nil,
        issuer: String? = nil, issuerName: String? = nil
    ) {
        self.commitment = commitment
        self.issuer = issuer
        self.issuerName = issuerName
        self.centerID = centerID; self.name = name; self.code = code; self.phone = phone
        self.chiefStaffID = chiefStaffID; self.canApproveOnSpot = canApproveOnSpot
        self.canReviewReported = canReviewReported; self.canSupervisePromised = canSupervisePromised
        self.canCoordinateJoint = canCoordinateJoint
    }

    public struct Valid: Sendable, Equatable {
        public var name: String, code: String, phone: String?
        public var commitment: String = ""
        public var issuer: IssuerKind = .department
        public var issuerName: String?
    }

    public func validate() -> Result<Valid, ValidationFailure> {
        var v = Validator()
        if (centerID ?? "").isEmpty { v.add("centerID", "required") }
        let name = v.text("name", name, max: 80)
        let code = v.code("code", code, max: 32)
        let phone = v.phone("phone", phone)
        let commitment = v.text("commitment", commitment, max: 1000, required: false)
        let issuer = (issuer ?? "").isEmpty ? IssuerKind.department : v.oneOf("issuer", issuer, as: IssuerKind.self)
        let issuerName = v.text("issuerName", issuerName, max: 80, required: false)
        guard v.isValid, let issuer else { return .failure(ValidationFailure(v.errors)) }
        return .success(
            Valid(
                name: name, code: code, phone: phone, commitment: commitment, issuer: issuer,
                issuerName: issuerName.isEmpty ? nil : issuerName))
    }
}

public struct WindowInput: Sendable, Codable, Equatable {
    public var centerID: String?
    public var number: Int?
    public var name: String?
    public var kind: String?
    public var departmentID: String?
    public var isOpen: Bool?
    public var phone: String?

    public init(
        centerID: String? = nil, number: Int? = nil, name: String? = nil, kind: String? = nil,
        departmentID: String? = nil, isOpen: Bool? = nil, phone: String? = nil
    ) {
        self.centerID = centerID; self.number = number; self.name = name; self.kind = kind
        self.departmentID = departmentID; self.isOpen = isOpen; self.phone = phone
    }

    public struct Valid: Sendable, Equatable {
        public var number: Int, name: String, kind: WindowKind, phone: String?, isOpen: Bool
    }

    public func validate() -> Result<Valid, ValidationFailure> {
        var v = Validator()
        if (centerID ?? "").isEmpty { v.add("centerID", "required") }
        if let n = number { v.check((1...9999).contains(n), "number", "window.numberRange") } else { v.add("number", "required") }
        let name = v.text("name", name, max: 60)
        let kind = v.oneOf("kind", kind, as: WindowKind.self)
        if kind == .department, (departmentID ?? "").isEmpty { v.add("departmentID", "window.departmentRequired") }
        if kind == .comprehensive, !(departmentID ?? "").isEmpty { v.add("departmentID", "window.comprehensiveNoDepartment") }
        let phone = v.phone("phone", phone)
        guard v.isValid, let kind, let number else { return .failure(ValidationFailure(v.errors)) }
        return .success(Valid(number: number, name: name, kind: kind, phone: phone, isOpen: isOpen ?? true))
    }
}

/// 窗口工作人员 with the public-profile fields of the "five shows" (五亮).
public struct StaffInput: Sendable, Codable, Equatable {
    public var centerID: String?
    public var departmentID: String?
    public var name: String?
    public var jobNumber: String?
    public var post: String?
    public var partyMember: Bool?
    public var duties: String?
    public var commitment: String?
    public var phone: String?
    public var idNumber: String?

    public init(
        centerID: String? = nil, departmentID: String? = nil, name: String? = nil, jobNumber: String? = nil,
        post: String? = nil, partyMember: Bool? = nil, duties: String? = nil, commitment: String? = nil,
        phone: String? = nil, idNumber: String? = nil
    ) {
        self.centerID = centerID; self.departmentID = departmentID; self.name = name; self.jobNumber = jobNumber
        self.post = post; self.partyMember = partyMember; self.duties = duties; self.commitment = commitment
        self.phone = phone; self.idNumber = idNumber
    }

    public struct Valid: Sendable, Equatable {
        public var name: String, jobNumber: String, post: String, partyMember: Bool, duties: String,
            commitment: String, phone: String?, idNumber: String?
    }

    public func validate() -> Result<Valid, ValidationFailure> {
        var v = Validator()
        if (centerID ?? "").isEmpty { v.add("centerID", "required") }
        let name = v.text("name", name, max: 40)
        let job = v.code("jobNumber", jobNumber, max: 20)
        let post = v.text("post", post, max: 60)
        let duties = v.text("duties", duties, max: 1000, required: false)
        let commitment = v.text("commitment", commitment, max: 1000, required: false)
        let phone = v.phone("phone", phone)
        let id = v.residentID("idNumber", idNumber)
        return v.isValid
            ? .success(
                Valid(
                    name: name, jobNumber: job, post: post, partyMember: partyMember ?? false,
                    duties: duties, commitment: commitment, phone: phone, idNumber: id))
            : .failure(ValidationFailure(v.errors))
    }
}

public struct UserInput: Sendable, Codable, Equatable {
    public var username: String?
    public var displayName: String?
    public var password: String?
    public var role: String?
    public var centerID: String?
    public var departmentID: String?
    public var staffID: String?
    public var phone: String?

    public init(
        username: String? = nil, displayName: String? = nil, password: String? = nil, role: String? = nil,
        centerID: String? = nil, departmentID: String? = nil, staffID: String? = nil, phone: String? = nil
    ) {
        self.username = username; self.displayName = displayName; self.password = password; self.role = role
        self.centerID = centerID; self.departmentID = departmentID; self.staffID = staffID; self.phone = phone
    }

    public struct Valid: Sendable, Equatable {
        public var username: String, displayName: String, password: String?, role: Role, phone: String?
    }

    /// `passwordRequired` is true when creating; on update an empty password keeps the old one.
    public func validate(passwordRequired: Bool) -> Result<Valid, ValidationFailure> {
        var v = Validator()
        let username = v.code("username", username?.lowercased(), max: 40)
        if !username.isEmpty, username.count < 3 { v.add("username", "tooShort") }
        let display = v.text("displayName", displayName, max: 40)
        var pw: String? = nil
        if let p = password, !p.isEmpty {
            for code in PasswordPolicy.problems(p) { v.add("password", code) }
            pw = p
        } else if passwordRequired {
            v.add("password", "required")
        }
        let role = v.oneOf("role", role, as: Role.self)
        if let role, role.isDevice { v.add("role", "user.deviceRole") }
        if (centerID ?? "").isEmpty { v.add("centerID", "required") }
        if role?.needsDepartment == true, (departmentID ?? "").isEmpty { v.add("departmentID", "user.departmentRequired") }
        let phone = v.phone("phone", phone)
        guard v.isValid, let role else { return .failure(ValidationFailure(v.errors)) }
        return .success(Valid(username: username, displayName: display, password: pw, role: role, phone: phone))
    }
}

public enum PasswordPolicy {
    public static let minimumLength = 10

    public static func problems(_ password: String) -> [String] {
        var out: [String] = []
        if password.count < minimumLength { out.append("password.tooShort") }
        if password.count > 128 { out.append("tooLong") }
        if !(password.contains(where: \.isLetter) && password.contains(where: \.isNumber)) {
            out.append("password.lettersAndDigits")
        }
        return out
    }
}
