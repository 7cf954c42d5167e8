/// A service item as submitted by a form, the API or an import row, before validation.
public struct ItemInput: Codable, Sendable, Equatable {
    public struct MaterialInput: Codable, Sendable, Equatable {
        public var name: String?
        public var form: String?
        public var copies: Int?
        public var need: String?
        public var condition: String?

        public init(name: String? = nil, form: String? = nil, copies: Int? = nil, need: String? = nil, condition: String? = nil) {
            self.name = name
            self.form = form
            self.copies = copies
            self.need = need
            self.condition = condition
        }
    }

    public struct SpecialProcedureInput: Codable, Sendable, Equatable {
        public var name: String?
        public var days: Int?

        public init(name: String? = nil, days: Int? = nil) {
            self.name = name
            self.days = days
        }
    }

    public var departmentID: String?
    public var code: String?
    public var name: String?
    public var parentCode: String?
    public var type: String?
    public var tier: String?
    public var handlingKind: String?
    public var exerciseLevel: String?
    public var caseType: String?
    public var legalDays: Int?
    public var promisedDays: Int?
    public var feeFree: Bool?
    public var feeStandard: String?
    public var feeBasis: String?
    public var basis: String?
    public var conditions: String?
    public var materials: [MaterialInput]?
    public var steps: [String]?
    public var specialProcedures: [SpecialProcedureInput]?
    public var officeHours: String?
    public var consultPhone: String?
    public var supervisePhone: String?
    public var visits: Int?
    public var onlineApplication: Bool?
    public var theme: String?
    public var keywords: [String]?
    public var windowNumbers: [Int]?
    /// 审批结果名称 (营业执照); empty when the item issues nothing to name.
    public var result: String?

    public init() {}

    public static let limits = (legalDays: 3650, specialDays: 365, visits: 5, copies: 99, materials: 60, steps: 30)

    /// Checks every field and returns the guide, or every error at once. Errors inside lists are
    /// named `materials.3.name` (1-based), so a form or an import report can point at the row.
    public func validate() -> Result<ItemGuide, ValidationFailure> {
        var v = Validator()
        let code = v.code("code", code, max: 40)
        let name = v.text("name", name, max: 100)
        let tier = term("tier", tier, ItemTier.self, &v)
        let parent = v.code("parentCode", parentCode, max: 40, required: false)
        if let tier {
            if tier == .main, !parent.isEmpty { v.add("parentCode", "item.mainHasNoParent") }
            if tier != .main, parent.isEmpty { v.add("parentCode", "required") }
            if !parent.isEmpty, parent == code { v.add("parentCode", "item.ownParent") }
        }
        var handling: HandlingKind? = nil
        if tier == .handling {
            handling = term("handlingKind", handlingKind, HandlingKind.self, &v)
        } else if let h = handlingKind, !h.isEmpty, tier != nil {
            v.add("handlingKind", "item.handlingKindOnlyForHandling")
        }
        let type = term("type", type, ItemType.self, &v)
        let level = term("exerciseLevel", exerciseLevel, ExerciseLevel.self, &v)
        let caseType = term("caseType", caseType, CaseType.self, &v)
        let legal = number("legalDays", legalDays, 0...Self.limits.legalDays, &v)
        let promised = number("promisedDays", promisedDays, 0...Self.limits.legalDays, &v)
        if let legal, let promised, promised > legal { v.add("promisedDays", "item.promisedOverLegal") }
        if let caseType, let promised {
            if caseType == .immediate, promised != 0 { v.add("promisedDays", "item.immediateIsZero") }
            if caseType != .immediate, promised == 0 { v.add("promisedDays", "item.timedNeedsDays") }
        }
        let free = feeFree ?? false
        let standard = v.text("feeStandard", feeStandard, max: 500, required: !free)
        let feeBasis = v.text("feeBasis", feeBasis, max: 500, required: !free)
        let basis = v.text("basis", basis, max: 2000)
        let conditions = v.text("conditions", conditions, max: 4000)
        let materials = validMaterials(&v)
        let steps = validSteps(&v)
        let special = validSpecial(&v)
        let hours = v.text("officeHours", officeHours, max: 200)
        let consult = v.phone("consultPhone", consultPhone, required: true)
        let supervise = v.phone("supervisePhone", supervisePhone, required: true)
        let visits = number("visits", visits, 0...Self.limits.visits, &v)
        let theme = term("theme", theme, ItemTheme.self, &v)
        let keywords = validKeywords(&v)
        let result = v.text("result", result, max: 60, required: false)
        let windows = windowNumbers ?? []
        if windows.contains(where: { !(1...999).contains($0) }) { v.add("windowNumbers", "item.windowNumber") }
        if Set(windows).count != windows.count { v.add("windowNumbers", "duplicate") }

        guard v.isValid, let type, let tier, let level, let caseType, let legal, let promised, let consult, let supervise,
            let visits, let theme
        else { return .failure(ValidationFailure(v.errors)) }
        return .success(
            ItemGuide(
                code: code, name: name, parentCode: parent.isEmpty ? nil : parent, type: type, tier: tier, handlingKind: handling,
                exerciseLevel: level, caseType: caseType, legalDays: legal, promisedDays: promised,
                fee: free ? .init(free: true) : .init(free: false, standard: standard, basis: feeBasis), basis: basis,
                conditions: conditions, materials: materials, steps: steps, specialProcedures: special, officeHours: hours,
                consultPhone: consult, supervisePhone: supervise, visits: visits, onlineApplication: onlineApplication ?? false,
                theme: theme, keywords: keywords, windowNumbers: windows.sorted(), result: result.isEmpty ? nil : result))
    }

    private func term<T: CatalogTerm>(_ field: String, _ value: String?, _ type: T.Type, _ v: inout Validator) -> T? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            v.add(field, "required")
            return nil
        }
        guard let t = T.parse(value) else {
            v.add(field, "invalidChoice")
            return nil
        }
        return t
    }

    private func number(_ field: String, _ value: Int?, _ range: ClosedRange<Int>, _ v: inout Validator) -> Int? {
        guard let value else {
            v.add(field, "required")
            return nil
        }
        guard range.contains(value) else {
            v.add(field, "outOfRange")
            return nil
        }
        return value
    }

    private func validMaterials(_ v: inout Validator) -> [ItemGuide.Material] {
        let list = materials ?? []
        if list.count > Self.limits.materials { v.add("materials", "item.tooMany") }
        var out: [ItemGuide.Material] = []
        var seen: Set<String> = []
        for (i, m) in list.enumerated() {
            let f = "materials.\(i + 1)"
            let before = v.errors.count
            let name = v.text("\(f).name", m.name, max: 200)
            let form = term("\(f).form", m.form, MaterialForm.self, &v)
            let copies = number("\(f).copies", m.copies ?? 1, 1...Self.limits.copies, &v)
            let need = term("\(f).need", m.need ?? MaterialNeed.required.rawValue, MaterialNeed.self, &v)
            let condition = v.text("\(f).condition", m.condition, max: 200, required: need == .conditional)
            if !name.isEmpty, !seen.insert(SearchText.normalize(name)).inserted { v.add("\(f).name", "duplicate") }
            if v.errors.count == before, let form, let copies, let need {
                out.append(.init(name: name, form: form, copies: copies, need: need, condition: condition.isEmpty ? nil : condition))
            }
        }
        return out
    }

    private func validSteps(_ v: inout Validator) -> [String] {
        let list = (steps ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        if list.isEmpty { v.add("steps", "required") }
        if list.count > Self.limits.steps { v.add("steps", "item.tooMany") }
        for (i, s) in list.enumerated() { v.text("steps.\(i + 1)", s, max: 200) }
        return list
    }

    private func validSpecial(_ v: inout Validator) -> [ItemGuide.SpecialProcedure] {
        var out: [ItemGuide.SpecialProcedure] = []
        for (i, s) in (specialProcedures ?? []).enumerated() {
            let f = "specialProcedures.\(i + 1)"
            let name = v.text("\(f).name", s.name, max: 100)
            let days = number("\(f).days", s.days, 1...Self.limits.specialDays, &v)
            if let days, !name.isEmpty { out.append(.init(name: name, days: days)) }
        }
        return out
    }

    private func validKeywords(_ v: inout Validator) -> [String] {
        let list = (keywords ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if list.count > 20 { v.add("keywords", "item.tooMany") }
        if list.contains(where: { $0.count > 20 }) { v.add("keywords", "tooLong") }
        var seen: Set<String> = []
        return list.filter { seen.insert($0).inserted }
    }
}

extension ItemInput {
    /// The input that would produce this guide again: for editing a published version and for export.
    public init(_ g: ItemGuide, departmentID: String? = nil) {
        self.init()
        self.departmentID = departmentID
        code = g.code
        name = g.name
        parentCode = g.parentCode
        type = g.type.rawValue
        tier = g.tier.rawValue
        handlingKind = g.handlingKind?.rawValue
        exerciseLevel = g.exerciseLevel.rawValue
        caseType = g.caseType.rawValue
        legalDays = g.legalDays
        promisedDays = g.promisedDays
        feeFree = g.fee.free
        feeStandard = g.fee.standard
        feeBasis = g.fee.basis
        basis = g.basis
        conditions = g.conditions
        materials = g.materials.map {
            .init(name: $0.name, form: $0.form.rawValue, copies: $0.copies, need: $0.need.rawValue, condition: $0.condition)
        }
        steps = g.steps
        specialProcedures = g.specialProcedures.map { .init(name: $0.name, days: $0.days) }
        officeHours = g.officeHours
        consultPhone = g.consultPhone
        supervisePhone = g.supervisePhone
        visits = g.visits
        onlineApplication = g.onlineApplication
        theme = g.theme.rawValue
        keywords = g.keywords
        windowNumbers = g.windowNumbers
        result = g.result
    }
}
