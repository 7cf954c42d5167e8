/// Who signs and seals a department's notices and decisions (DOMAIN.md section 1): the department
/// itself, or the center where it holds 相对集中行政许可权 (a 行政审批局 decides in its own name).
public enum IssuerKind: String, CaseIterable, Sendable, Codable {
    case department, center

    /// The name printed above the seal: the name set for the authority, else the department's
    /// (or, for the center, the center's) own name. A case without a department is the center's.
    public static func authority(_ kind: IssuerKind?, name: String?, department: String?, center: String) -> String {
        if let n = name?.trimmingCharacters(in: .whitespacesAndNewlines), !n.isEmpty { return n }
        switch kind ?? .department {
        case .department: return department ?? center
        case .center: return center
        }
    }
}
