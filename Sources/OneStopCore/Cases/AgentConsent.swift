/// 全程代办 (DOMAIN.md section 4) for investment projects and, at a township's 代办点, for ordinary
/// citizens (an elderly person's pension, a disability certificate). A citizen's agency needs
/// their recorded consent: signed, given in person before two members of staff, or confirmed by
/// the citizen online.
public enum AgentProjectKind: String, CaseIterable, Sendable, Codable {
    case investment
    case citizen
}

public enum ConsentMethod: String, CaseIterable, Sendable, Codable {
    /// 书面委托书签字 — the printed authorisation, signed.
    case signed
    /// 当面口头同意 — before two witnesses among staff, named in the note.
    case witnessed
    /// 本人网上确认
    case online
}

public enum AgentConsent {
    public struct Valid: Sendable, Equatable {
        public var method: ConsentMethod
        public var on: CivilDate
        public var note: String
    }

    /// A citizen project's consent: a known method, a day not after today, and for consent given
    /// in person the witnesses named in the note.
    public static func validate(method: String?, on: String?, note: String?, today: CivilDate) -> Result<Valid, ValidationFailure> {
        var errors: [FieldError] = []
        let m = ConsentMethod(rawValue: (method ?? "").trimmingCharacters(in: .whitespaces))
        if m == nil { errors.append(FieldError("consentMethod", (method ?? "").isEmpty ? "required" : "invalidChoice")) }
        let raw = (on ?? "").trimmingCharacters(in: .whitespaces)
        let day = raw.isEmpty ? today : CivilDate(raw)
        if day == nil {
            errors.append(FieldError("consentOn", "date"))
        } else if let d = day, d > today {
            errors.append(FieldError("consentOn", "project.consentFuture"))
        }
        let text = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > 500 { errors.append(FieldError("consentNote", "tooLong")) }
        if m == .witnessed, text.isEmpty { errors.append(FieldError("consentNote", "project.witnesses")) }
        guard errors.isEmpty, let m, let day else { return .failure(ValidationFailure(errors)) }
        return .success(Valid(method: m, on: day, note: text))
    }
}
