/// The five levels of 好差评 (DOMAIN.md §6). 1–2 are a bad rating (差评); 3 and above satisfied.
public enum RatingLevel: Int, CaseIterable, Sendable, Codable {
    case veryDissatisfied = 1
    case dissatisfied = 2
    case basicallySatisfied = 3
    case satisfied = 4
    case verySatisfied = 5

    public var isBad: Bool { rawValue <= 2 }
}

/// Where a rating was given.
public enum RatingChannel: String, CaseIterable, Sendable, Codable {
    case windowDevice = "window_device"
    case kiosk, web, mobile
    case qrCode = "qr_code"
    case sms, hotline
}

/// 评价人类型 — a person or a legal entity; anonymous ratings are persons without an identity.
public enum RaterKind: String, CaseIterable, Sendable, Codable {
    case person
    case legalEntity = "legal_entity"
}

/// Reasons a bad rating must carry (at least one), as the national 好差评 forms list them.
public enum RatingTag: String, CaseIterable, Sendable, Codable {
    /// 超时办理且无正当理由
    case overtime
    /// 要求提供办事指南以外的材料
    case extraMaterials = "extra_materials"
    /// 服务态度差
    case attitude
    /// 一次性告知不清，多次跑动
    case multipleTrips = "multiple_trips"
    /// 办事效率低、等候时间长
    case slow
    /// 窗口无人或擅离岗位
    case absent
    /// 吃拿卡要
    case misconduct
    /// 设施、环境不便
    case facilities
    case other
}

/// A rating as given, before it is stored: the rules every channel checks alike.
public struct RatingInput: Sendable, Equatable {
    public var level: Int?
    public var tags: [String]
    public var text: String

    public init(level: Int?, tags: [String], text: String) {
        self.level = level
        self.tags = tags
        self.text = text
    }

    /// The checked rating, or the field errors: a level from 1 to 5, known tags, at least one tag
    /// on a bad rating, a text of at most 500 characters.
    public func checked() -> Result<(RatingLevel, [RatingTag], String), ValidationFailure> {
        var v = Validator()
        let level = level.flatMap(RatingLevel.init(rawValue:))
        if level == nil { v.add("ratingLevel", self.level == nil ? "required" : "rating.levelRange") }
        var known: [RatingTag] = []
        for raw in tags where !raw.isEmpty {
            guard let t = RatingTag(rawValue: raw) else {
                v.add("tags", "invalidChoice")
                break
            }
            if !known.contains(t) { known.append(t) }
        }
        if let level, level.isBad, known.isEmpty { v.add("tags", "rating.tagsRequired") }
        let t = v.text("text", text, max: 500, required: false)
        guard v.errors.isEmpty, let level else { return .failure(ValidationFailure(v.errors)) }
        return .success((level, known, t))
    }
}
