/// The administrative level of a service center (DOMAIN.md §1).
public enum CenterLevel: String, CaseIterable, Codable, Sendable, Comparable {
    /// 省级政务服务中心
    case province
    /// 市级
    case city
    /// 县（区）级
    case county
    /// 乡镇（街道）便民服务中心
    case township
    /// 村（社区）便民服务站
    case village

    public var depth: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: CenterLevel, b: CenterLevel) -> Bool { a.depth < b.depth }

    /// A child center sits at a lower level than its parent; a top-level center has no parent.
    public func canBeChild(of parent: CenterLevel?) -> Bool {
        guard let parent else { return true }
        return parent < self
    }
}

/// 窗口类型 — a window serves one department, or is a comprehensive window (一窗受理).
public enum WindowKind: String, CaseIterable, Codable, Sendable {
    case department
    case comprehensive
}
