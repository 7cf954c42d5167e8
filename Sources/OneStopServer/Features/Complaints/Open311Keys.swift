import Fluent
import Foundation
import OneStopCore
import Vapor

/// Open311 API keys (issue 20): a center's administrator issues one per client (a city app, a
/// civic-tech group); the key is shown once and kept as its SHA-256, and can be revoked. A key
/// sends requests to its center and the centers below it. API: `listOpen311Keys`,
/// `createOpen311Key`, `revokeOpen311Key`; page: `/admin/open311`.
enum Open311Keys {
    static let prefix = "o311_"

    struct Input: Content {
        var center: String?
        var name: String?
    }

    struct KeyDTO: Content {
        var id: UUID
        var centerID: UUID
        var name: String
        /// The key's first characters, to tell keys apart.
        var prefix: String
        var createdBy: String
        var createdAt: Date
        var revokedAt: Date?
        /// Only in the answer to `createOpen311Key`: the key, shown once and never stored.
        var key: String?

        init(_ m: Open311KeyModel, key: String? = nil) {
            (id, centerID, name, prefix, createdBy) = (m.id!, m.centerID, m.name, m.prefix, m.createdBy)
            createdAt = Date(timeIntervalSince1970: Double(m.createdAt) / 1000)
            revokedAt = m.revokedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }
            self.key = key
        }
    }

    /// A key in force.
    static func find(_ key: String, on db: any Database) async throws -> Open311KeyModel? {
        try await Open311KeyModel.query(on: db).filter(\.$keyHash == Digest.sha256Hex(key)).filter(\.$revokedAt == nil).first()
    }

    static func create(_ input: Input, req: Request) async throws -> (Open311KeyModel, String) {
        let p = try req.requirePrincipal()
        let center = try await WorkOrderService.center(input.center, req: req)
        var v = Validator()
        let name = v.text("name", input.name, max: 80)
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let key = prefix + Digest.randomToken(bytes: 24)
        let m = Open311KeyModel()
        m.id = UUID.timeOrdered()
        m.centerID = try center.requireID()
        m.name = name
        m.keyHash = Digest.sha256Hex(key)
        m.prefix = String(key.prefix(prefix.count + 6))
        m.createdBy = p.displayName
        m.createdAt = HallClock.millis(req.now)
        let saved = try await req.audited { db -> (Open311KeyModel, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                m,
                [AuditEvent("open311Key.create", "open311_key", id: m.id, center: m.centerID, detail: ["name": name, "prefix": m.prefix])]
            )
        }
        return (saved, key)
    }

    static func revoke(_ id: UUID, req: Request) async throws -> Open311KeyModel {
        guard let m = try await Open311KeyModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(m.centerID)
        guard m.revokedAt == nil else { return m }
        m.revokedAt = HallClock.millis(req.now)
        return try await req.audited { db in
            try await m.update(on: db)
            return (m, [AuditEvent("open311Key.revoke", "open311_key", id: m.id, center: m.centerID, detail: ["name": m.name])])
        }
    }

    static func list(center: UUID, on db: any Database) async throws -> [Open311KeyModel] {
        try await Open311KeyModel.query(on: db).filter(\.$centerID == center).sort(\.$createdAt, .descending).all()
    }

    static let schemas: [String: JSONValue] = {
        typealias S = OpenAPISchemas
        return [
            "Open311Key": S.object([
                "id": S.uuid, "centerID": S.uuid, "name": S.string, "prefix": S.string, "createdBy": S.string, "createdAt": S.dateTime,
                "revokedAt": S.optionalDateTime, "key": S.optionalString,
            ]),
            "Open311KeyInput": S.object(["center": S.string, "name": S.string], required: ["name"]),
        ]
    }()

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "open311-keys", access: .admins,
            operation: .init(
                id: "listOpen311Keys", summary: "The Open311 API keys of a center (the keys themselves are never shown again)",
                tag: "Work orders", response: "Open311Key", responseIsList: true,
                query: [.init(name: "center", type: "string", description: "code or id (default the caller's)")])
        ) { req in
            let center = try await WorkOrderService.center(req.query[String.self, at: "center"], req: req)
            return try await list(center: center.requireID(), on: req.db).map { KeyDTO($0) }
        }
        api.endpoint(
            .POST, "open311-keys", access: .admins,
            operation: .init(
                id: "createOpen311Key",
                summary:
                    "Issue an Open311 API key for a client; the answer holds the key, shown once. Requests made with it go to the center and the centers below it",
                tag: "Work orders", request: "Open311KeyInput", response: "Open311Key", successStatus: 201)
        ) { req in
            let (m, key) = try await create(req.content.decode(Input.self), req: req)
            return try await OrgAPIController.created(KeyDTO(m, key: key), req)
        }
        api.endpoint(
            .POST, "open311-keys", ":id", "revoke", access: .admins,
            operation: .init(id: "revokeOpen311Key", summary: "Revoke an Open311 API key", tag: "Work orders", response: "Open311Key")
        ) { req in
            KeyDTO(try await revoke(req.uuid("id"), req: req))
        }
    }

    // MARK: - The page

    struct PageView: Encodable {
        struct Row: Encodable {
            var id: String
            var name: String
            var prefix: String
            var createdBy: String
            var createdAt: String
            var revoked: String
        }
        var centerOptions: [FormView.Option]
        var center: String
        var rows: [Row]
        var name: String
        var errors: [String]
        /// The key just issued, shown once.
        var issued: String
        var issuedName: String
        var endpoint: String
    }

    static func register(pages r: any RoutesBuilder) {
        r.endpoint(.GET, "admin", "open311", access: .admins) { req in
            try await page(req, center: req.query[String.self, at: "center"])
        }
        r.endpoint(.POST, "admin", "open311", access: .admins) { req -> Response in
            let f = try req.content.decode(Input.self)
            do {
                let (m, key) = try await create(f, req: req)
                let res = try await page(req, center: m.centerID.uuidString, issued: (key, m.name))
                res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
                return res
            } catch let v as ValidationFailure {
                return try await page(
                    req, center: f.center, name: f.name ?? "",
                    errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
        r.endpoint(.POST, "admin", "open311", ":id", "revoke", access: .admins) { req -> Response in
            let m = try await revoke(req.uuid("id"), req: req)
            req.flash(req.t("open311.revoked", "name", m.name))
            return req.redirect(to: "/admin/open311?center=\(m.centerID)")
        }
    }

    static func text(_ millis: Int64) -> String { HallClock.minuteText(Date(timeIntervalSince1970: Double(millis) / 1000)) }

    static func page(
        _ req: Request, center raw: String?, name: String = "", errors: [String] = [], issued: (key: String, name: String)? = nil,
        status: HTTPStatus = .ok
    ) async throws -> Response {
        let scope = try await req.scope()
        let center = try await WorkOrderService.center(raw, req: req).requireID()
        let rows = try await list(center: center, on: req.db).map { m in
            PageView.Row(
                id: m.id!.uuidString, name: m.name, prefix: m.prefix + "…", createdBy: m.createdBy, createdAt: text(m.createdAt),
                revoked: m.revokedAt.map(text) ?? "")
        }
        let host = req.headers.first(name: .host) ?? "127.0.0.1"
        let view = PageView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), center: center.uuidString, rows: rows, name: name,
            errors: errors, issued: issued?.key ?? "", issuedName: issued?.name ?? "", endpoint: "http://\(host)/open311/v2/requests.json")
        return try await req.page("admin/open311", title: req.t("open311.title"), view, status: status)
    }
}
