import Foundation

/// 进驻 (issue 23): a department's admission to the center — the items, staff and special
/// equipment it brings, the authorisations its chief representative holds, the items it entrusts
/// the comprehensive windows to take in (委托受理) — approved by the center and adjusted later; and
/// what its items became since: 压缩时限 (working days cut from the promised limits) and 精简材料
/// (materials dropped), as figures.
public enum AdmissionRules {
    public enum State: String, Codable, Sendable, CaseIterable {
        case requested, approved, refused
    }

    /// A later change to what was admitted.
    public enum Adjustment: String, Codable, Sendable, CaseIterable {
        /// 新增进驻事项
        case added
        /// 事项退出
        case withdrawn
        /// 下放 to a center below
        case delegated
    }

    /// A request: at least one item, the entrusted ones among them, no item twice.
    public static func requestProblems(items: [String], entrusted: [String], unknown: [String]) -> [FieldError] {
        var v: [FieldError] = []
        if items.isEmpty { v.append(FieldError("items", "required")) }
        if Set(items).count != items.count { v.append(FieldError("items", "duty.duplicate")) }
        if !unknown.isEmpty { v.append(FieldError("items", "invalidReference")) }
        if !Set(entrusted).isSubset(of: Set(items)) { v.append(FieldError("entrusted", "admission.entrustedNotAdmitted")) }
        return v
    }

    /// One published version of an item, as far as its limits and materials go.
    public struct Version: Sendable, Equatable {
        public var version: Int
        public var day: CivilDate
        public var legalDays: Int
        public var promisedDays: Int
        public var materials: [String]

        public init(version: Int, day: CivilDate, legalDays: Int, promisedDays: Int, materials: [String]) {
            (self.version, self.day, self.legalDays, self.promisedDays, self.materials) = (version, day, legalDays, promisedDays, materials)
        }
    }

    /// What an item became since `since` (the department's admission; nil: since its first
    /// version): the version it is measured from, the one now, the days cut and the materials
    /// dropped (by name; a negative cut means it grew).
    public struct Change: Sendable, Equatable {
        public var base: Version
        public var now: Version
        public var daysCut: Int { base.promisedDays - now.promisedDays }
        public var materialsDropped: [String] { base.materials.filter { !now.materials.contains($0) } }
        public var materialsAdded: [String] { now.materials.filter { !base.materials.contains($0) } }
    }

    /// `versions` in order of publication. The base is the last version published on or before
    /// `since`, else the first.
    public static func change(_ versions: [Version], since: CivilDate?) -> Change? {
        guard let first = versions.first, let last = versions.last else { return nil }
        var base = first
        if let since { base = versions.last { $0.day <= since } ?? first }
        return Change(base: base, now: last)
    }

    /// A department's or a center's sum: items measured, items with a shorter limit, days cut in
    /// all, materials dropped in all.
    public struct Tally: Sendable, Equatable, Codable {
        public var items = 0
        public var itemsCut = 0
        public var daysCut = 0
        public var materialsDropped = 0

        public init() {}

        public mutating func add(_ c: Change) {
            items += 1
            if c.daysCut > 0 { itemsCut += 1 }
            daysCut += c.daysCut
            materialsDropped += c.materialsDropped.count - c.materialsAdded.count
        }
    }
}
