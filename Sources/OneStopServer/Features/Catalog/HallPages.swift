import Fluent
import Foundation
import OneStopCore
import Vapor

/// The public online hall: no sign-in. A center's home, browsing by department, theme and life
/// event, search, the guide, its printable checklist, bundles and template downloads.
enum HallPages {
    static let hotWords = ["身份证", "营业执照", "食品", "社保", "不动产", "婚姻", "个体工商户", "医师"]

    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "hall", ":code", access: .public) { req in try await cached(req) { try await home(req) } }
        r.endpoint(.GET, "hall", ":code", "departments", ":id", access: .public) { req in
            try await cached(req) {
                let snapshot = try await req.catalog()
                let center = try PublicCenter.find(req.parameters.get("code") ?? "", in: snapshot)
                guard let d = snapshot.directory.departments[try req.uuid("id")] else { throw Abort(.notFound) }
                let items = snapshot.served(at: center.id).filter { $0.departmentID == d.id }
                return try await list(req, center: center, heading: d.name, items: items, commitment: d.commitment)
            }
        }
        r.endpoint(.GET, "hall", ":code", "themes", ":theme", access: .public) { req in
            try await cached(req) {
                let snapshot = try await req.catalog()
                let center = try PublicCenter.find(req.parameters.get("code") ?? "", in: snapshot)
                guard let theme = ItemTheme(rawValue: req.parameters.get("theme") ?? ""), theme != .both else {
                    throw Abort(.notFound)
                }
                let items = snapshot.served(at: center.id).filter { $0.guide.theme.includes(theme) }
                return try await list(req, center: center, heading: theme.label(req), items: items, commitment: nil)
            }
        }
        r.endpoint(.GET, "search", access: .public) { req in try await cached(req) { try await search(req) } }
        r.endpoint(.GET, "guide", ":code", access: .public) { req in try await cached(req) { try await guide(req, checklist: false) } }
        r.endpoint(.GET, "guide", ":code", "checklist", access: .public) { req in
            try await cached(req) { try await guide(req, checklist: true) }
        }
        r.endpoint(.GET, "bundles", ":id", access: .public) { req in try await cached(req) { try await bundle(req) } }
        r.endpoint(.GET, "files", ":id", access: .public) { req in try await ItemExtrasService.download(req.uuid("id"), req: req) }
        DisplayModes.register(r)
    }

    /// Anonymous visitors get the rendered page from the public page cache.
    static func cached(_ req: Request, _ render: () async throws -> Response) async throws -> Response {
        try await req.application.publicPages.respond(req, render)
    }

    /// The center a page is about: `?center=`, else the kiosk's own, else the default hall.
    static func center(_ req: Request, in snapshot: CatalogSnapshot) throws -> PublicDirectory.Center {
        if let c = try PublicCenter.optional(req, in: snapshot) { return c }
        if let code = req.cookies[DisplayModes.kioskCookie]?.string.split(separator: ":").first {
            return try PublicCenter.find(String(code), in: snapshot)
        }
        guard let c = snapshot.directory.defaultCenter else { throw Abort(.notFound) }
        return c
    }

    static func searchHref(_ center: PublicDirectory.Center, _ q: String) -> String {
        "/search?center=\(center.code)&q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)"
    }

    static func home(_ req: Request) async throws -> Response {
        let snapshot = try await req.catalog()
        let c = try PublicCenter.find(req.parameters.get("code") ?? "", in: snapshot)
        let served = snapshot.served(at: c.id)
        var perDept: [UUID: Int] = [:]
        for i in served { perDept[i.departmentID, default: 0] += 1 }
        let departments = perDept.keys.compactMap { snapshot.directory.departments[$0] }.sorted { $0.code < $1.code }
        let view = HallHomeView(
            center: c.hall,
            departments: departments.map {
                .init(
                    href: "/hall/\(c.code)/departments/\($0.id)", label: $0.name,
                    note: req.t("hall.itemCount", "count", String(perDept[$0.id] ?? 0)))
            },
            themes: [ItemTheme.personal, .business].map {
                .init(
                    href: "/hall/\(c.code)/themes/\($0.rawValue)", label: $0.label(req),
                    note: String(served.filter { [theme = $0] i in i.guide.theme.includes(theme) }.count))
            },
            bundles: (snapshot.directory.bundlesAt[c.id] ?? []).map { .init(href: "/bundles/\($0.id)", label: $0.name, note: $0.summary) },
            windows: (snapshot.directory.windows[c.id] ?? []).map {
                .init(
                    href: "", label: req.t("hall.window", "number", String($0.number)) + " " + $0.name,
                    note: $0.isOpen ? nil : req.t("hall.windowClosed"))
            },
            popular: hotWords.map { .init(href: searchHref(c, $0), label: $0) },
            total: served.count)
        return try await req.page("hall/home", title: c.hall.name, view)
    }

    static func entry(_ req: Request, _ i: CatalogSnapshot.Item, center: PublicDirectory.Center) -> HallListView.Entry {
        .init(
            href: "/guide/\(i.guide.code)?center=\(center.code)", name: i.guide.name, code: i.guide.code, department: i.departmentName,
            caseType: i.guide.caseType.label(req),
            promised: i.guide.caseType == .immediate ? req.t("guide.onTheSpot") : req.t("guide.days", "days", String(i.guide.promisedDays)),
            online: i.guide.onlineApplication)
    }

    static func list(
        _ req: Request, center: PublicDirectory.Center, heading: String, items: [CatalogSnapshot.Item], commitment: String?
    ) async throws -> Response {
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let size = 50
        let shown = items.dropFirst((page - 1) * size).prefix(size)
        let base = req.url.path + "?center=\(center.code)&page="
        let view = HallListView(
            center: center.hall, heading: heading, query: nil, total: items.count, suggestion: false,
            entries: shown.map { entry(req, $0, center: center) }, hints: commitment.map { [HallLink(href: "", label: $0)] } ?? [],
            previousHref: page > 1 ? base + String(page - 1) : nil, nextHref: page * size < items.count ? base + String(page + 1) : nil)
        return try await req.page("hall/list", title: heading, view)
    }

    /// A sub-item's name as shown under its parent: what it adds in brackets to the parent's name
    /// (个体工商户设立登记（新办） under 个体工商户设立登记 is 新办), else its whole name.
    static func childLabel(_ name: String, under parent: String) -> String {
        guard name.hasPrefix(parent), let next = name.dropFirst(parent.count).first, "（(".contains(next) else { return name }
        let rest = name.dropFirst(parent.count).trimmingCharacters(in: CharacterSet(charactersIn: "（）() "))
        return rest.isEmpty ? name : rest
    }

    /// The items folded under a search hit, each under the one it belongs to: a sub-item with its
    /// handling items as 新办, 变更…; one whose parent was not found, on its own by its full name.
    static func children(
        _ items: [CatalogSnapshot.Item], of top: CatalogSnapshot.Item, center: PublicDirectory.Center
    ) -> [HallListView.Child] {
        func link(_ i: CatalogSnapshot.Item, under parent: String?) -> HallLink {
            HallLink(
                href: "/guide/\(i.guide.code)?center=\(center.code)",
                label: parent.map { childLabel(i.guide.name, under: $0) } ?? i.guide.name)
        }
        let byCode = Dictionary(items.map { ($0.guide.code, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [HallListView.Child] = []
        var at: [String: Int] = [:]
        for i in items where i.guide.parentCode == top.guide.code || byCode[i.guide.parentCode ?? ""] == nil {
            at[i.guide.code] = out.count
            out.append(.init(link: link(i, under: i.guide.parentCode == top.guide.code ? top.guide.name : nil)))
        }
        for i in items where at[i.guide.code] == nil {
            guard let parent = i.guide.parentCode, let n = at[parent], let p = byCode[parent] else { continue }
            out[n].handling.append(link(i, under: p.guide.name))
        }
        return out
    }

    static func search(_ req: Request) async throws -> Response {
        let snapshot = try await req.catalog()
        let c = try center(req, in: snapshot)
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let size = 20
        let result =
            q.isEmpty || q.count > 100
            ? CatalogSearchIndex.Result(hits: [], total: 0, isSuggestion: false)
            : snapshot.index.search(q, center: c.id.uuidString, limit: size, offset: (page - 1) * size)
        var entries: [HallListView.Entry] = []
        for hit in result.hits {
            guard let item = UUID(uuidString: hit.id).flatMap({ snapshot.items[$0] }) else { continue }
            var e = entry(req, item, center: c)
            e.related = hit.related
            e.firstRelated = hit.related && !(entries.last?.related ?? (page > 1))
            e.children = children(hit.children.compactMap { UUID(uuidString: $0).flatMap { snapshot.items[$0] } }, of: item, center: c)
            entries.append(e)
        }
        var hints: [HallLink] = []
        if result.total == 0 {
            // Nothing near either: offer the popular searches and browsing by department.
            hints = hotWords.map { .init(href: searchHref(c, $0), label: $0) }
            hints.append(.init(href: "/hall/\(c.code)", label: req.t("hall.browseAll")))
        }
        let base = searchHref(c, q) + "&page="
        let view = HallListView(
            center: c.hall, heading: q.isEmpty ? req.t("hall.search") : req.t("hall.resultsFor", "q", q), query: q,
            total: result.total, suggestion: result.isSuggestion, entries: entries, hints: hints,
            previousHref: page > 1 ? base + String(page - 1) : nil, nextHref: page * size < result.total ? base + String(page + 1) : nil)
        return try await req.page("hall/list", title: view.heading, view)
    }

    static func guide(_ req: Request, checklist: Bool) async throws -> Response {
        let snapshot = try await req.catalog()
        let directory = snapshot.directory
        guard let item = snapshot.item(code: req.parameters.get("code") ?? "") else { throw Abort(.notFound) }
        var c = try center(req, in: snapshot)
        if !item.centers.contains(c.id), let owner = directory.centers[item.centerID] { c = owner }
        let g = item.guide
        let delegation = item.delegations.first { $0.centerID == c.id }
        let windowNumbers = Set(delegation?.windowNumbers ?? g.windowNumbers)
        let windows = (directory.windows[c.id] ?? []).filter { windowNumbers.contains($0.number) }
        let files = directory.files[item.id] ?? []
        var view = GuideView(
            center: c.hall, code: g.code, name: g.name, type: g.type.label(req), tier: g.tier.label(req),
            handling: g.handlingKind?.label(req), level: g.exerciseLevel.label(req), caseType: g.caseType.label(req),
            immediate: g.caseType == .immediate, legalDays: g.legalDays, promisedDays: g.promisedDays, daysSaved: g.daysSaved,
            feeFree: g.fee.free, feeStandard: g.fee.standard, feeBasis: g.fee.basis, result: g.result, basis: g.basis,
            conditions: g.conditions,
            materials: g.materials.enumerated().map { n, m in
                var row = HallMaterial(n + 1, m, req: req)
                row.files = files.filter { $0.material == m.name }.map {
                    .init(href: "/files/\($0.id)", label: req.t("file.\($0.kind)"), note: $0.filename)
                }
                return row
            },
            steps: g.steps, special: g.specialProcedures.map { .init(name: $0.name, days: $0.days) }, officeHours: g.officeHours,
            consultPhone: delegation?.consultPhone ?? g.consultPhone, supervisePhone: g.supervisePhone, visits: g.visits,
            online: g.onlineApplication,
            windows: windows.map { req.t("hall.window", "number", String($0.number)) + " " + $0.name }, department: item.departmentName,
            departmentCommitment: directory.departments[item.departmentID]?.commitment ?? "",
            staff: delegation == nil
                ? (directory.committedStaff[item.departmentID] ?? []).map {
                    .init(href: "/staff/\($0.id)", name: $0.name, post: $0.post, commitment: $0.commitment)
                } : [],
            version: item.version,
            parent: g.parentCode.flatMap { snapshot.item(code: $0) }.map {
                .init(href: "/guide/\($0.guide.code)?center=\(c.code)", label: $0.guide.name)
            },
            children: (snapshot.children[g.code] ?? []).map {
                .init(href: "/guide/\($0.guide.code)?center=\(c.code)", label: $0.guide.name)
            },
            otherCenters: item.centers.filter { $0 != c.id }.compactMap { directory.centers[$0] }.sorted { $0.code < $1.code }.map {
                .init(href: "/guide/\(g.code)?center=\($0.code)", label: $0.hall.name)
            },
            bundles: (directory.bundlesAt[c.id] ?? []).filter { $0.codes.contains(g.code) }.map {
                .init(href: "/bundles/\($0.id)", label: $0.name)
            },
            checklistHref: "/guide/\(g.code)/checklist?center=\(c.code)", printedOn: CivilDate.of(req.now).description)
        view.pledges = try await CommitmentService.shown(
            ["center:" + c.id.uuidString, "department:" + item.departmentID.uuidString], today: HallClock.day(req.now), req: req)
        return try await req.page(checklist ? "hall/checklist" : "hall/guide", title: g.name, view)
    }

    static func bundle(_ req: Request) async throws -> Response {
        let snapshot = try await req.catalog()
        guard let b = snapshot.directory.bundles[try req.uuid("id")], let c = snapshot.directory.centers[b.centerID] else {
            throw Abort(.notFound)
        }
        let items = b.codes.compactMap { snapshot.item(code: $0) }
        let combined = BundleMaterials.combine(items.map(\.guide))
        let codes = Dictionary(items.map { ($0.guide.name, $0.guide.code) }, uniquingKeysWith: { a, _ in a })
        let view = BundleView(
            center: c.hall, name: b.name, summary: b.summary,
            items: items.map { .init(href: "/guide/\($0.guide.code)?center=\(c.code)", label: $0.guide.name, note: $0.departmentName) },
            materials: combined.filter { $0.producedBy == nil }.enumerated().map { n, e in
                var row = HallMaterial(n + 1, e.material, req: req)
                row.items = e.items.joined(separator: "、")
                return row
            }, totalAsked: items.reduce(0) { $0 + $1.guide.materials.count },
            produced: combined.compactMap { e in
                e.producedBy.map {
                    HallLink(
                        href: "/guide/\(codes[$0] ?? "")?center=\(c.code)", label: e.material.name,
                        note: req.t("bundle.producedBy", "item", $0))
                }
            })
        return try await req.page("hall/bundle", title: b.name, view)
    }
}
