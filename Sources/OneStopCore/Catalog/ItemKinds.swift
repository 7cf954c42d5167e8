/// The closed vocabularies of a service item (DOMAIN.md §2). Each accepts its English code or its
/// Chinese name on input, so a department's spreadsheet may use either.
public protocol CatalogTerm: RawRepresentable, CaseIterable, Codable, Sendable, Hashable where RawValue == String {
    /// The name used in published guides.
    var chineseName: String { get }
}

extension CatalogTerm {
    /// Reads the English code or the Chinese name.
    public static func parse(_ text: String) -> Self? {
        let t = text.trimmingCharacters(in: .whitespaces)
        return Self(rawValue: t) ?? allCases.first { $0.chineseName == t }
    }
}

/// 事项类型
public enum ItemType: String, CatalogTerm {
    case licensing, confirmation, adjudication, benefit, reward, filing, otherPower = "other_power", publicService = "public_service"

    public var chineseName: String {
        switch self {
        case .licensing: "行政许可"
        case .confirmation: "行政确认"
        case .adjudication: "行政裁决"
        case .benefit: "行政给付"
        case .reward: "行政奖励"
        case .filing: "行政备案"
        case .otherPower: "其他行政权力"
        case .publicService: "公共服务"
        }
    }
}

/// 主项 → 子项 → 业务办理项
public enum ItemTier: String, CatalogTerm {
    case main, sub, handling

    public var chineseName: String {
        switch self {
        case .main: "主项"
        case .sub: "子项"
        case .handling: "业务办理项"
        }
    }

    /// The tier an item of this tier hangs under; nil for a main item.
    public var parentTier: ItemTier? {
        switch self {
        case .main: nil
        case .sub: .main
        case .handling: .sub
        }
    }
}

/// What a 业务办理项 does: 新设/变更/延续/注销.
public enum HandlingKind: String, CatalogTerm {
    case new, change, renewal, cancellation

    public var chineseName: String {
        switch self {
        case .new: "新设"
        case .change: "变更"
        case .renewal: "延续"
        case .cancellation: "注销"
        }
    }
}

/// 行使层级 — the level of government that exercises the power.
public enum ExerciseLevel: String, CatalogTerm {
    case national, province, city, county, township, village

    public var chineseName: String {
        switch self {
        case .national: "国家级"
        case .province: "省级"
        case .city: "市级"
        case .county: "县级"
        case .township: "乡镇（街道）级"
        case .village: "村（社区）级"
        }
    }
}

/// 办件类型
public enum CaseType: String, CatalogTerm {
    /// 即办件 — decided on the spot, not timed.
    case immediate
    /// 承诺件 — decided within the promised limit.
    case promised
    /// 上报件 — preliminary review here, decided above.
    case reported
    /// 联办件/并联件 — several departments, one lead.
    case joint

    public var chineseName: String {
        switch self {
        case .immediate: "即办件"
        case .promised: "承诺件"
        case .reported: "上报件"
        case .joint: "联办件"
        }
    }
}

/// Who an item is for, for browsing by theme (个人办事/法人办事).
public enum ItemTheme: String, CatalogTerm {
    case personal, business, both

    public var chineseName: String {
        switch self {
        case .personal: "个人办事"
        case .business: "法人办事"
        case .both: "个人和法人"
        }
    }

    public func includes(_ other: ItemTheme) -> Bool { self == .both || other == .both || self == other }
}

/// 原件/复印件 — what form of a material is handed in.
public enum MaterialForm: String, CatalogTerm {
    case original, copy, originalAndCopy = "original_and_copy", electronic

    public var chineseName: String {
        switch self {
        case .original: "原件"
        case .copy: "复印件"
        case .originalAndCopy: "原件和复印件"
        case .electronic: "电子材料"
        }
    }
}

/// Whether a material is always needed or only in a stated case.
public enum MaterialNeed: String, CatalogTerm {
    case required, conditional

    public var chineseName: String {
        switch self {
        case .required: "必需"
        case .conditional: "视情形"
        }
    }
}

/// 草稿 → 已发布 → 已撤销
public enum ItemStatus: String, CatalogTerm {
    case draft, published, withdrawn

    public var chineseName: String {
        switch self {
        case .draft: "草稿"
        case .published: "已发布"
        case .withdrawn: "已撤销"
        }
    }
}
