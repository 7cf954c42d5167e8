import Foundation

/// The documents a case produces (DOMAIN.md §4), each printed on A4 with a serial number.
public enum NoticeKind: String, Codable, Sendable, CaseIterable {
    /// 服务告知单: given when materials are received.
    case serviceInfo = "service_info"
    /// 受理通知书
    case acceptance
    /// 补正材料通知书
    case supplement
    /// 不予受理通知书
    case refusal
    /// 延长办理期限通知书
    case `extension`
    /// 特殊程序期限告知书
    case specialProcedure = "special_procedure"
    /// 准予许可决定书
    case approval
    /// 不予许可决定书
    case disapproval
    /// 送达回执
    case deliveryReceipt = "delivery_receipt"

    /// The short code in a notice's serial number.
    public var code: String {
        switch self {
        case .serviceInfo: "GZ"
        case .acceptance: "SL"
        case .supplement: "BZ"
        case .refusal: "BSL"
        case .`extension`: "YC"
        case .specialProcedure: "TS"
        case .approval: "ZY"
        case .disapproval: "BY"
        case .deliveryReceipt: "SD"
        }
    }

    public var messageKey: String { "notice.kind." + rawValue }

    /// The notice a move of the case hands out, if any.
    public static func issued(by action: CaseAction) -> NoticeKind? {
        switch action {
        case .accept: .acceptance
        case .requestSupplement: .supplement
        case .refuse: .refusal
        case .extend: .`extension`
        case .suspend: .specialProcedure
        case .approve: .approval
        case .disapprove: .disapproval
        case .deliver: .deliveryReceipt
        case .supplyMaterials, .startReview, .resume, .forward, .withdraw, .terminate: nil
        }
    }

    /// `<case number>-<code><n>`: the n-th notice of this kind for the case.
    public static func serial(caseNumber: String, kind: NoticeKind, count: Int) -> String {
        caseNumber + "-" + kind.code + String(count)
    }
}

public enum ApplicantKind: String, Codable, Sendable, CaseIterable {
    /// 自然人, identified by the resident ID number.
    case person
    /// 法人或其他组织, identified by the unified social credit code.
    case entity
}

/// Who applies, as typed at registration or at a window.
public struct ApplicantInput: Codable, Sendable {
    public var kind: String?
    public var name: String?
    public var idNumber: String?
    public var phone: String?
    /// The contact person of an entity.
    public var contact: String?

    public init(kind: String? = nil, name: String? = nil, idNumber: String? = nil, phone: String? = nil, contact: String? = nil) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.contact = contact
    }

    public struct Valid: Sendable, Equatable {
        public var kind: ApplicantKind
        public var name: String
        public var idNumber: String
        public var phone: String
        public var contact: String
    }

    /// The kind and normalised number alone, when both are valid: enough to find someone on record
    /// before the rest is typed.
    public func identity() -> (kind: ApplicantKind, idNumber: String)? {
        guard let kind = ApplicantKind(rawValue: (kind ?? "person").trimmingCharacters(in: .whitespaces)) else { return nil }
        switch kind {
        case .entity: if case .success(let c) = CreditCode.validate(idNumber ?? "") { return (kind, c) }
        case .person: if case .success(let c) = ResidentID.validate(idNumber ?? "") { return (kind, c) }
        }
        return nil
    }

    /// Checked and normalised, or every problem at once.
    public func validated(prefix: String = "") -> Result<Valid, ValidationFailure> {
        var v: [FieldError] = []
        let kind = ApplicantKind(rawValue: (kind ?? "person").trimmingCharacters(in: .whitespaces))
        if kind == nil { v.append(FieldError(prefix + "kind", "invalidChoice")) }
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            v.append(FieldError(prefix + "name", "required"))
        } else if name.count > 100 {
            v.append(FieldError(prefix + "name", "tooLong"))
        }
        var id = ""
        let raw = idNumber ?? ""
        if raw.trimmingCharacters(in: .whitespaces).isEmpty {
            v.append(FieldError(prefix + "idNumber", "required"))
        } else if kind == .entity {
            switch CreditCode.validate(raw) {
            case .success(let c): id = c
            case .failure(let f): v.append(FieldError(prefix + "idNumber", f.problem.rawValue))
            }
        } else {
            switch ResidentID.validate(raw) {
            case .success(let c): id = c
            case .failure(let f): v.append(FieldError(prefix + "idNumber", f.problem.rawValue))
            }
        }
        let phone = PhoneNumber.normalized(phone ?? "")
        if phone == nil { v.append(FieldError(prefix + "phone", (self.phone ?? "").isEmpty ? "required" : "phone")) }
        let contact = (contact ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if kind == .entity, contact.isEmpty { v.append(FieldError(prefix + "contact", "required")) }
        if contact.count > 100 { v.append(FieldError(prefix + "contact", "tooLong")) }
        guard v.isEmpty, let kind, let phone else { return .failure(ValidationFailure(v)) }
        return .success(Valid(kind: kind, name: name, idNumber: id, phone: phone, contact: kind == .entity ? contact : ""))
    }
}

/// Where a material of the checklist stands at intake.
public enum MaterialStatus: String, Codable, Sendable, CaseIterable {
    case provided
    case missing
    case defective
    /// A conditional material whose condition does not apply.
    case notApplicable = "not_applicable"

    public var messageKey: String { "material.status." + rawValue }
}

public enum CaseIntake {
    /// The checklist ticked at the window, against the guide's materials: every required material
    /// provided before acceptance; a supplement request names at least one missing or defective
    /// material, each with what is wrong when defective.
    public static func check(
        _ marks: [(status: MaterialStatus, note: String)], needs: [MaterialNeed], for action: CaseAction
    ) -> [FieldError] {
        var v: [FieldError] = []
        if marks.count != needs.count { return [FieldError("materials", "case.checklistIncomplete")] }
        for (i, (mark, need)) in zip(marks, needs).enumerated() {
            if mark.status == .notApplicable, need == .required { v.append(FieldError("materials.\(i + 1)", "case.materialRequired")) }
            if mark.status == .defective, mark.note.trimmingCharacters(in: .whitespaces).isEmpty {
                v.append(FieldError("materials.\(i + 1)", "case.defectNeedsNote"))
            }
            if mark.note.count > 500 { v.append(FieldError("materials.\(i + 1)", "tooLong")) }
        }
        let lacking = marks.contains { $0.status == .missing || $0.status == .defective }
        if action == .accept, lacking { v.append(FieldError("materials", "case.acceptNeedsAll")) }
        if action == .requestSupplement, !lacking { v.append(FieldError("materials", "case.supplementNamesNothing")) }
        return v
    }

    /// A reason for a move that needs one: required, at most 1,000 characters.
    public static func reason(_ text: String?, for action: CaseAction) -> [FieldError] {
        let t = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if action.needsReason, t.isEmpty { return [FieldError("reason", "case.reasonRequired")] }
        if t.count > 1000 { return [FieldError("reason", "tooLong")] }
        return []
    }
}
