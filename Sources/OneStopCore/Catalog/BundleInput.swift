/// 一件事 — a life-event bundle as submitted.
public struct BundleInput: Codable, Sendable, Equatable {
    public var centerID: String?
    public var name: String?
    public var summary: String?
    public var theme: String?
    public var itemCodes: [String]?

    public init(centerID: String? = nil, name: String? = nil, summary: String? = nil, theme: String? = nil, itemCodes: [String]? = nil) {
        self.centerID = centerID
        self.name = name
        self.summary = summary
        self.theme = theme
        self.itemCodes = itemCodes
    }

    public struct Valid: Sendable, Equatable {
        public var name: String
        public var summary: String
        public var theme: ItemTheme
        public var itemCodes: [String]
    }

    /// A bundle joins at least two items, each once.
    public func validate() -> Result<Valid, ValidationFailure> {
        var v = Validator()
        if (centerID ?? "").isEmpty { v.add("centerID", "required") }
        let name = v.text("name", name, max: 80)
        let summary = v.text("summary", summary, max: 1000, required: false)
        let theme = v.oneOf("theme", theme, as: ItemTheme.self)
        let codes = (itemCodes ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if codes.count < 2 { v.add("itemCodes", "bundle.tooFew") }
        if Set(codes).count != codes.count { v.add("itemCodes", "duplicate") }
        if codes.count > 50 { v.add("itemCodes", "item.tooMany") }
        guard v.isValid, let theme else { return .failure(ValidationFailure(v.errors)) }
        return .success(Valid(name: name, summary: summary, theme: theme, itemCodes: codes))
    }
}
