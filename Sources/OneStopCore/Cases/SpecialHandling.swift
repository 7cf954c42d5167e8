/// 特事特办 (DOMAIN.md section 4): a case marked for whom waiting costs most — the elderly, the
/// disabled, people from elsewhere (外地人员) and priority investment projects. A marked case leads
/// its handler's list and the supervision board; its time limits stay what the law sets.
public enum SpecialHandling: String, CaseIterable, Sendable, Codable {
    case elderly
    case disabled
    case nonLocal = "non_local"
    case keyProject = "key_project"

    /// The message key of its name.
    public var messageKey: String { "special.\(rawValue)" }

    /// Checks a marking: a known kind and, when marking, a reason of at most 200 characters.
    /// An empty kind clears the mark.
    public static func validate(kind: String?, reason: String?) -> Result<(SpecialHandling?, String), ValidationFailure> {
        let raw = (kind ?? "").trimmingCharacters(in: .whitespaces)
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if raw.isEmpty { return .success((nil, "")) }
        var errors: [FieldError] = []
        let k = SpecialHandling(rawValue: raw)
        if k == nil { errors.append(FieldError("special", "invalidChoice")) }
        if why.count > 200 { errors.append(FieldError("specialReason", "tooLong")) }
        guard errors.isEmpty, let k else { return .failure(ValidationFailure(errors)) }
        return .success((k, why))
    }

    /// Marked cases first, the rest after, each keeping its order.
    public static func leading<T>(_ rows: [T], marked: (T) -> Bool) -> [T] {
        rows.filter(marked) + rows.filter { !marked($0) }
    }
}
