/// 办事指南 — the published content of one service item, the "ten publics" (十公开) of DOMAIN.md §2.
/// A published version stores exactly this, frozen; later edits make a new draft.
public struct ItemGuide: Codable, Sendable, Equatable {
    public struct Material: Codable, Sendable, Equatable, Hashable {
        public var name: String
        public var form: MaterialForm
        public var copies: Int
        public var need: MaterialNeed
        /// The case in which a conditional material is needed (e.g. 委托办理的).
        public var condition: String?

        public init(name: String, form: MaterialForm, copies: Int, need: MaterialNeed, condition: String? = nil) {
            self.name = name
            self.form = form
            self.copies = copies
            self.need = need
            self.condition = condition
        }
    }

    /// 特殊环节 (听证, 检验, 检测, 鉴定, 专家评审…): its days do not count toward the time limit.
    public struct SpecialProcedure: Codable, Sendable, Equatable {
        public var name: String
        public var days: Int

        public init(name: String, days: Int) {
            self.name = name
            self.days = days
        }
    }

    public struct Fee: Codable, Sendable, Equatable {
        public var free: Bool
        public var standard: String?
        /// 收费依据
        public var basis: String?

        public init(free: Bool, standard: String? = nil, basis: String? = nil) {
            self.free = free
            self.standard = standard
            self.basis = basis
        }
    }

    public var code: String
    public var name: String
    public var parentCode: String?
    public var type: ItemType
    public var tier: ItemTier
    public var handlingKind: HandlingKind?
    public var exerciseLevel: ExerciseLevel
    public var caseType: CaseType
    /// 法定时限, working days.
    public var legalDays: Int
    /// 承诺时限, working days; never more than the legal limit, 0 for 即办件.
    public var promisedDays: Int
    public var fee: Fee
    /// 设定依据
    public var basis: String
    /// 受理条件
    public var conditions: String
    public var materials: [Material]
    /// 办理流程
    public var steps: [String]
    public var specialProcedures: [SpecialProcedure]
    public var officeHours: String
    /// 咨询电话
    public var consultPhone: String
    /// 监督投诉电话
    public var supervisePhone: String
    /// 到现场次数
    public var visits: Int
    public var onlineApplication: Bool
    public var theme: ItemTheme
    public var keywords: [String]
    /// Windows of the owning center that serve it.
    public var windowNumbers: [Int]
    /// 审批结果名称: what the item issues (营业执照, 食品经营许可证); nil when it issues nothing
    /// a later application could ask for.
    public var result: String?

    public init(
        code: String, name: String, parentCode: String?, type: ItemType, tier: ItemTier, handlingKind: HandlingKind?,
        exerciseLevel: ExerciseLevel, caseType: CaseType, legalDays: Int, promisedDays: Int, fee: Fee, basis: String, conditions: String,
        materials: [Material], steps: [String], specialProcedures: [SpecialProcedure], officeHours: String, consultPhone: String,
        supervisePhone: String, visits: Int, onlineApplication: Bool, theme: ItemTheme, keywords: [String], windowNumbers: [Int],
        result: String? = nil
    ) {
        self.result = result
        self.code = code
        self.name = name
        self.parentCode = parentCode
        self.type = type
        self.tier = tier
        self.handlingKind = handlingKind
        self.exerciseLevel = exerciseLevel
        self.caseType = caseType
        self.legalDays = legalDays
        self.promisedDays = promisedDays
        self.fee = fee
        self.basis = basis
        self.conditions = conditions
        self.materials = materials
        self.steps = steps
        self.specialProcedures = specialProcedures
        self.officeHours = officeHours
        self.consultPhone = consultPhone
        self.supervisePhone = supervisePhone
        self.visits = visits
        self.onlineApplication = onlineApplication
        self.theme = theme
        self.keywords = keywords
        self.windowNumbers = windowNumbers
    }

    /// Days saved against the legal limit, for the guide's "承诺时限比法定时限压缩 N 个工作日".
    public var daysSaved: Int { legalDays - promisedDays }
}

/// 一件事 — a bundle's combined material list: the same material named by several items is asked
/// for once, with the largest number of copies and the strictest form and need.
public enum BundleMaterials {
    public struct Entry: Sendable, Equatable {
        public var material: ItemGuide.Material
        /// Names of the items that ask for it, in bundle order.
        public var items: [String]
        /// The earlier item of the bundle whose result this material is (its 营业执照): the
        /// visitor does not bring it, the bundle produces it.
        public var producedBy: String?
    }

    /// The combined list in bundle order. A material that an earlier item of the bundle issues
    /// (its name begins with that item's result) is marked `producedBy` instead of being asked for.
    public static func combine(_ guides: [ItemGuide]) -> [Entry] {
        var order: [String] = []
        var entries: [String: Entry] = [:]
        var produced: [(result: String, item: String)] = []
        for g in guides {
            for m in g.materials {
                let key = normalizedName(m.name)
                if entries[key] == nil, let source = produced.first(where: { key.hasPrefix($0.result) }) {
                    order.append(key)
                    entries[key] = Entry(material: m, items: [g.name], producedBy: source.item)
                    continue
                }
                if var e = entries[key] {
                    e.material.copies = max(e.material.copies, m.copies)
                    if e.material.form != m.form { e.material.form = .originalAndCopy }
                    if m.need == .required {
                        e.material.need = .required
                        e.material.condition = nil
                    }
                    if !e.items.contains(g.name) { e.items.append(g.name) }
                    entries[key] = e
                } else {
                    order.append(key)
                    entries[key] = Entry(material: m, items: [g.name])
                }
            }
            if let r = g.result.map(normalizedName), !r.isEmpty { produced.append((r, g.name)) }
        }
        return order.compactMap { entries[$0] }
    }

    /// Names differing only in brackets, spaces or punctuation are one material:
    /// 「营业执照（副本）」 and 「营业执照(副本)」.
    static func normalizedName(_ name: String) -> String {
        SearchText.normalize(name)
    }
}
