import Fluent
import Foundation
import OneStopCore
import Vapor

/// The campaign office's notices (通报, 公示, 命名): of an inspection, of the selection, of a naming
/// and of a revocation. Each is numbered in its center, kind and year, never changed once
/// published, printable at `/brands/notices/{id}`, and public or internal as the office chose.
enum BrandNotices {
    enum Kind: String, CaseIterable {
        case inspection, selection, naming, revocation

        /// The number's prefix: 品督〔2026〕3号.
        var prefix: String {
            switch self {
            case .inspection: return "品督"
            case .selection: return "品选"
            case .naming: return "品命"
            case .revocation: return "品撤"
            }
        }
    }

    /// What a notice says: an opening paragraph, then sections of lines or a table.
    struct Body: Codable, Sendable, Equatable {
        var opening: String
        var sections: [Section]
        var closing: String
        var issuer: String
        var day: String
    }

    struct Section: Codable, Sendable, Equatable {
        var heading: String
        var lines: [String]
        var table: [[String]]
    }

    /// Publishes a notice inside the caller's transaction; its number is the next of its kind in
    /// the center's year.
    static func publish(
        _ kind: Kind, center: UUID, brand: UUID?, campaign: UUID?, title: String, body: Body, visibility: String,
        by: String, at millis: Int64, on db: any Database
    ) async throws -> BrandNoticeModel {
        let year = String(body.day.prefix(4))
        let prefix = "\(kind.prefix)〔\(year)〕"
        let used = try await BrandNoticeModel.query(on: db).filter(\.$centerID == center).filter(\.$kind == kind.rawValue)
            .filter(\.$number, .custom("LIKE"), prefix + "%").count()
        let n = BrandNoticeModel()
        n.id = UUID.timeOrdered()
        n.centerID = center
        n.brandID = brand
        n.campaignID = campaign
        n.kind = kind.rawValue
        n.number = "\(prefix)\(used + 1)号"
        n.title = title
        n.body = BrandModel.json(body)
        n.visibility = visibility
        n.publishedBy = by
        n.publishedAt = millis
        try await n.create(on: db)
        return n
    }

    /// Whether the viewer may read the notice: a public one anyone; an internal one the staff of
    /// its center's tree.
    static func visible(_ n: BrandNoticeModel, req: Request) async throws -> Bool {
        if n.visibility == "public" { return true }
        guard let p = req.principal, p.isStaff else { return false }
        return try await req.scope().contains(n.centerID)
    }

    static func path(_ id: UUID) -> String { "/brands/notices/\(id.uuidString.lowercased())" }

    struct DTO: Content {
        var id: UUID
        var centerID: UUID
        var brandID: UUID?
        var kind: String
        var number: String
        var title: String
        var body: Body
        var visibility: String
        var publishedBy: String
        var publishedAt: Date
        var path: String
    }

    static func dto(_ n: BrandNoticeModel) -> DTO {
        DTO(
            id: n.id!, centerID: n.centerID, brandID: n.brandID, kind: n.kind, number: n.number, title: n.title,
            body: (try? JSONDecoder().decode(Body.self, from: Data(n.body.utf8)))
                ?? Body(opening: "", sections: [], closing: "", issuer: "", day: ""),
            visibility: n.visibility, publishedBy: n.publishedBy,
            publishedAt: Date(timeIntervalSince1970: Double(n.publishedAt) / 1000), path: path(n.id!))
    }

    struct PageView: Encodable {
        var number: String
        var title: String
        var body: Body
        var isInternal: Bool
    }

    struct ListRow: Encodable {
        var href: String
        var number: String
        var title: String
        var kind: String
        var day: String
        var isInternal: Bool
    }

    struct ListView: Encodable {
        var center: String
        var rows: [ListRow]
    }

    static func register(api: any RoutesBuilder, pages: any RoutesBuilder) {
        api.endpoint(
            .GET, "brand-notices", access: .public,
            operation: .init(
                id: "listBrandNotices",
                summary: "The campaign office's notices of a center's tree: the public ones, and the internal ones for its staff",
                tag: "Brands", response: "BrandNotice", responseIsList: true,
                query: [.init(name: "center", type: "string", required: true, description: "code or id")])
        ) { req in try await list(req).map(dto) }
        api.endpoint(
            .GET, "brand-notices", ":id", access: .public,
            operation: .init(id: "getBrandNotice", summary: "A notice of the campaign office", tag: "Brands", response: "BrandNotice")
        ) { req in
            guard let n = try await BrandNoticeModel.find(try req.uuid("id"), on: req.db), try await visible(n, req: req) else {
                throw Abort(.notFound)
            }
            return dto(n)
        }
        pages.endpoint(.GET, "brands", "notices", access: .public) { req -> Response in
            let center = try await WorkOrderService.center(req.query[String.self, at: "center"], req: req)
            let rows = try await list(req).map { n in
                ListRow(
                    href: path(n.id!), number: n.number, title: n.title, kind: req.t("brand.notice.\(n.kind)"),
                    day: HallClock.day(Date(timeIntervalSince1970: Double(n.publishedAt) / 1000)).description,
                    isInternal: n.visibility != "public")
            }
            return try await req.page("brands/notices", title: req.t("brand.notices"), ListView(center: center.name, rows: rows))
        }
        pages.endpoint(.GET, "brands", "notices", ":id", access: .public) { req -> Response in
            guard let n = try await BrandNoticeModel.find(try req.uuid("id"), on: req.db), try await visible(n, req: req) else {
                throw Abort(.notFound)
            }
            let d = dto(n)
            let view = try await req.view.render(
                "brands/notice", PageView(number: d.number, title: d.title, body: d.body, isInternal: d.visibility != "public"))
            // A sheet of its own, like the case notices: its own styles, the print button's script, nothing else.
            let res = Response(status: .ok, body: .init(buffer: view.data))
            res.headers.contentType = .html
            res.headers.replaceOrAdd(
                name: "Content-Security-Policy",
                value:
                    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
            )
            return res
        }
    }

    static func list(_ req: Request) async throws -> [BrandNoticeModel] {
        let center = try await WorkOrderService.center(req.query[String.self, at: "center"], req: req)
        let tree = try await req.application.centerTrees.tree(on: req.db)
        var out: [BrandNoticeModel] = []
        for n in try await BrandNoticeModel.query(on: req.db).filter(\.$centerID ~~ Array(tree.subtree(center.requireID())))
            .sort(\.$publishedAt, .descending).limit(200).all()
        where try await visible(n, req: req) {
            out.append(n)
        }
        return out
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let strings: JSONValue = ["type": "array", "items": O.string]
        let section = O.object(["heading": O.string, "lines": strings, "table": ["type": "array", "items": strings]])
        return [
            "BrandNotice": O.object([
                "id": O.uuid, "centerID": O.uuid, "brandID": ["type": ["string", "null"], "format": "uuid"],
                "kind": ["type": "string", "enum": .array(Kind.allCases.map { .string($0.rawValue) })], "number": O.string,
                "title": O.string,
                "body": O.object([
                    "opening": O.string, "sections": ["type": "array", "items": section], "closing": O.string, "issuer": O.string,
                    "day": O.string,
                ]),
                "visibility": ["type": "string", "enum": ["public", "internal"]], "publishedBy": O.string, "publishedAt": O.dateTime,
                "path": O.string,
            ])
        ]
    }()
}
