import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The public side of the brands (issue 22): `/brands`, the showcase of a center's tree by
/// category, searchable; `/brands/{id}`, a brand's page with its logo, culture, service system,
/// the windows and people it covers, and this month's live figures of its department.
enum BrandPages {
    struct Card: Encodable {
        var href: String
        var name: String
        var department: String
        var state: String
        var logo: String
        /// This month's satisfaction of its department, "" without ratings.
        var satisfaction: String
        var surveyHref: String
        var featured: Bool
    }

    struct Group: Encodable {
        var label: String
        var cards: [Card]
    }

    struct ShowcaseView: Encodable {
        var center: String
        var centerCode: String
        var query: String
        var groups: [Group]
        var total: Int
        var prevHref: String
        var nextHref: String
        var pageLine: String
    }

    /// The showcase puts named brands first, then the typical ones and the candidates, then the
    /// others; a page holds this many.
    static let showcaseOrder: [BrandRules.State: Int] = [.named: 0, .typical: 1, .candidate: 2, .underReview: 3, .practising: 4]
    static let showcasePage = 60

    struct Figure: Encodable {
        var label: String
        var text: String
        var formula: String
    }

    struct PageView: Encodable {
        var name: String
        var department: String
        var category: String
        var state: String
        var logo: String
        var culture: [FormView.Option]
        var system: [SystemList]
        var windows: [String]
        var people: [HallLink]
        var month: String
        var figures: [Figure]
        var commitments: [Commitment]
        var missed: Int
        var surveyHref: String
        var hotlineHref: String
        var evidence: [String]
        var notices: [HallLink]
    }

    struct Commitment: Encodable {
        var text: String
        var verdict: String
        var verdictKey: String
        var detail: String
    }

    struct SystemList: Encodable {
        var label: String
        var lines: [String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "brands", access: .public) { req in try await showcase(req) }
        app.endpoint(.GET, "brands", ":id", access: .public) { req in try await page(req) }
    }

    static func logoPath(_ b: BrandModel) -> String {
        b.logoType == nil ? "" : logoPath(b.id!)
    }

    static func logoPath(_ id: UUID) -> String { "/api/v1/brands/\(id.uuidString.lowercased())/logo" }

    /// A showcase card's columns (not the culture and service system a card does not show).
    struct CardRow: Decodable, Sendable {
        var id: UUID
        var name: String
        var state: String
        var category: String
        var centerID: UUID
        var departmentID: UUID?
        var logoType: String?

        var stateValue: BrandRules.State { BrandRules.State(rawValue: state) ?? .cultivating }

        enum CodingKeys: String, CodingKey {
            case id, name, state, category, centerID = "center_id", departmentID = "department_id", logoType = "logo_type"
        }
    }

    /// One page of the public brands of `centers` whose name contains `query`, named and typical
    /// first, and how many there are: sorted, counted and paged by the database, reading only the
    /// columns a card shows.
    static func showcaseRows(
        centers: [UUID], query: String, page asked: Int, on db: any Database
    ) async throws -> (rows: [CardRow], total: Int, pages: Int, page: Int) {
        let sql = try SQLRows.sql(db)
        let states = BrandRules.State.allCases.filter(\.isPublic).map(\.rawValue)
        var filter = SQLQueryString("center_id IN (\(binds: centers)) AND state IN (\(binds: states))")
        if !query.isEmpty {
            let escaped = query.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            filter.appendInterpolation(unsafeRaw: " AND LOWER(name) LIKE ")
            filter.appendInterpolation(bind: "%" + escaped + "%")
            filter.appendInterpolation(unsafeRaw: " ESCAPE '\\'")
        }
        struct Count: Decodable { var n: Int }
        var counting = SQLQueryString("SELECT COUNT(*) AS n FROM brands WHERE ")
        counting.appendInterpolation(filter)
        let total = try await sql.raw(counting).first(decoding: Count.self)?.n ?? 0
        let pages = max(1, (total + showcasePage - 1) / showcasePage)
        let page = min(max(1, asked), pages)
        let order = showcaseOrder.sorted { $0.value < $1.value }.map { "WHEN '\($0.key.rawValue)' THEN \($0.value)" }.joined(separator: " ")
        var select = SQLQueryString("SELECT id, name, state, category, center_id, department_id, logo_type FROM brands WHERE ")
        select.appendInterpolation(filter)
        select.appendInterpolation(
            unsafeRaw: " ORDER BY CASE state \(order) ELSE 9 END, name, id LIMIT \(showcasePage) OFFSET \((page - 1) * showcasePage)")
        return (try await sql.raw(select).all(decoding: CardRow.self), total, pages, page)
    }

    static func showcase(_ req: Request) async throws -> Response {
        // `?center=`, else the hall's default center (the one the public pages open on).
        var code = req.query[String.self, at: "center"] ?? ""
        if code.isEmpty, let c = try await req.catalog().directory.defaultCenter { code = c.code }
        let center = try await WorkOrderService.center(code, req: req)
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let (shown, total, pages, page) = try await showcaseRows(
            centers: Array(tree.subtree(center.requireID())), query: q, page: req.query[Int.self, at: "page"] ?? 1, on: req.db)
        let names = try await WorkOrderPages.departmentNames(Array(Set(shown.compactMap(\.departmentID))), on: req.db)
        // Each card's live figure: this month's satisfaction of its department, read at once.
        try await IndicatorStore.catchUp(app: req.application, now: req.now)
        let month = EvaluationPeriod(.month, containing: HallClock.day(req.now))
        let counts = try await IndicatorStore.read(
            centers: Set(shown.map(\.centerID)), kind: "department", period: month, on: req.db)
        let today = HallClock.day(req.now)
        var surveys: [UUID: String] = [:]
        for s in try await BrandSurveyModel.query(on: req.db).filter(\.$brandID ~~ shown.map(\.id)).filter(\.$state == "open").all()
        where BrandSurveyService.accepting(s, today: today) {
            surveys[s.brandID] = BrandSurveyService.path(s.id!) + "?via=link"
        }
        let groups = BrandRules.Category.allCases.compactMap { c -> Group? in
            let cards = shown.filter { $0.category == c.rawValue }.map { b in
                let figure = b.departmentID.flatMap { counts["department:" + $0.uuidString.lowercased()] }
                    .map { Indicator.satisfaction.figure($0) }
                return Card(
                    href: "/brands/\(b.id.uuidString.lowercased())", name: b.name, department: b.departmentID.flatMap { names[$0] } ?? "",
                    state: req.t("brand.state.\(b.state)"), logo: b.logoType == nil ? "" : logoPath(b.id),
                    satisfaction: figure.flatMap { $0.value == nil ? nil : req.t("brand.cardSatisfaction", ["rate": $0.text]) } ?? "",
                    surveyHref: surveys[b.id] ?? "", featured: (showcaseOrder[b.stateValue] ?? 9) <= 1)
            }
            return cards.isEmpty ? nil : Group(label: req.t("brand.category.\(c.rawValue)"), cards: cards)
        }
        func href(_ n: Int) -> String {
            var query = ["center=\(center.code)", "page=\(n)"]
            if !q.isEmpty { query.append("q=" + (q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")) }
            return "/brands?" + query.joined(separator: "&")
        }
        return try await req.page(
            "public/brands", title: req.t("brand.showcase"),
            ShowcaseView(
                center: center.name, centerCode: center.code, query: q, groups: groups, total: total,
                prevHref: page > 1 ? href(page - 1) : "", nextHref: page < pages ? href(page + 1) : "",
                pageLine: pages > 1 ? req.t("brand.pageOf", ["page": String(page), "pages": String(pages)]) : ""))
    }

    static func page(_ req: Request) async throws -> Response {
        let b = try await BrandService.find(try req.uuid("id"), on: req.db)
        guard try await BrandService.visible(b, req: req) else { throw Abort(.notFound) }
        var department: DepartmentModel?
        if let d = b.departmentID { department = try await DepartmentModel.find(d, on: req.db) }
        let culture = b.cultureValue
        var lines: [FormView.Option] = [
            ("purpose", culture.purpose), ("spirit", culture.spirit), ("idea", culture.idea), ("goal", culture.goal),
        ].filter { !$0.1.isEmpty }.map { .init(value: $0.1, label: req.t("brand.culture.\($0.0)"), selected: false) }
        lines += culture.ideas.map { .init(value: $0.text, label: $0.name, selected: false) }
        let s = b.systemValue
        let system = [("who", s.who), ("what", s.what), ("measures", s.measures), ("commitments", s.commitments), ("rules", s.rules)]
            .filter { !$0.1.isEmpty }.map { SystemList(label: req.t("brand.system.\($0.0)"), lines: $0.1) }
        let covers = b.coversValue
        let windows = try await WindowModel.query(on: req.db).filter(\.$id ~~ covers.windows).sort(\.$number).all()
        let staff = try await StaffModel.query(on: req.db).filter(\.$id ~~ covers.staff).sort(\.$name).all()
        // This month's figures of what the brand stands for: its department's, else its center's.
        try await IndicatorStore.catchUp(app: req.application, now: req.now)
        let month = EvaluationPeriod(.month, containing: HallClock.day(req.now))
        let scope = b.departmentID.map { "department:" + $0.uuidString.lowercased() } ?? "center:" + b.centerID.uuidString.lowercased()
        let counts =
            try await IndicatorStore.read(
                centers: [b.centerID], kind: b.departmentID == nil ? "center" : "department", period: month, on: req.db)[scope]
            ?? IndicatorCounts()
        let figures = [Indicator.satisfaction, .onTime, .rectificationOnTime, .validComplaints].map { i in
            Figure(label: req.t("indicator.\(i.rawValue)"), text: i.figure(counts).text, formula: req.t("indicator.\(i.rawValue).formula"))
        }
        let checks = try await BrandFigures.checks(b, now: req.now, on: req.db, app: req.application)
        let commitments = checks.map { c in
            Commitment(
                text: c.text, verdict: req.t("brand.verdict.\(c.verdict.rawValue)"), verdictKey: c.verdict.rawValue,
                detail: c.rate.map { req.t("brand.verdictRate", ["rate": String(format: "%.1f%%", $0 * 100)]) }
                    ?? (c.total > 0 && c.verdict != .notChecked
                        ? (BrandCommitments.promise(c.text) == .noValidComplaint
                            ? req.t("brand.verdictComplaints", ["n": String(c.total)])
                            : req.t("brand.verdictKept", ["kept": String(c.kept), "total": String(c.total)])) : ""))
        }
        let today = HallClock.day(req.now)
        let survey = try await BrandSurveyModel.query(on: req.db).filter(\.$brandID == b.requireID()).sort(\.$openedAt, .descending)
            .first().flatMap { BrandSurveyService.accepting($0, today: today) ? BrandSurveyService.path($0.id!) + "?via=link" : nil }
        let code = try await CenterModel.find(b.centerID, on: req.db)?.code ?? ""
        let evidence = try await BrandEvidenceService.list(b.requireID(), on: req.db).prefix(20).map {
            "\($0.day) \(req.t("brand.evidence.\($0.kind)"))：\($0.title)"
        }
        let notices = try await BrandNoticeModel.query(on: req.db).filter(\.$brandID == b.requireID())
            .filter(\.$visibility == "public").sort(\.$publishedAt, .descending).limit(10).all()
            .map { HallLink(href: BrandNotices.path($0.id!), label: $0.title, note: $0.number) }
        let view = PageView(
            name: b.name, department: department?.name ?? "", category: req.t("brand.category.\(b.category)"),
            state: req.t("brand.state.\(b.state)"), logo: logoPath(b), culture: lines, system: system,
            windows: windows.map { req.t("hall.window", "number", String($0.number)) + " " + $0.name },
            people: staff.map { HallLink(href: "/staff/\($0.id!.uuidString.lowercased())", label: $0.name) }, month: month.label,
            figures: figures, commitments: commitments, missed: checks.filter { $0.verdict == .missed }.count, surveyHref: survey ?? "",
            hotlineHref: code.isEmpty ? "" : "/hall/\(code)/complaints?brand=\(b.id!.uuidString.lowercased())", evidence: Array(evidence),
            notices: notices)
        return try await req.page("public/brand", title: b.name, view)
    }
}
