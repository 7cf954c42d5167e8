import Fluent
import Foundation
import OneStopCore
import Vapor

/// `createBrand`, `listBrands`, `getBrand`, `updateBrand`, `approveBrand`, `uploadBrandLogo` and
/// `getBrandLogo` (issue 22).
enum BrandRoutes {
    typealias S = BrandService

    struct DTO: Content {
        var id: UUID
        var centerID: UUID
        var departmentID: UUID?
        var name: String
        var category: String
        var culture: BrandRules.Culture
        var system: BrandRules.ServiceSystem
        var items: [String]
        var windows: [UUID]
        var staff: [UUID]
        var state: String
        var ownerID: UUID?
        var logoPath: String?
        var approvedBy: String
        var approvedAt: Date?
        /// Warnings on the name (too long, already used in the center's tree), as message keys.
        var warnings: [String]
    }

    static func dto(_ b: BrandModel, req: Request) async throws -> DTO {
        let others = try await BrandModel.query(on: req.db).filter(\.$centerID == b.centerID).filter(\.$id != b.requireID())
            .field(\.$id).field(\.$name).all().map(\.name)
        let c = b.coversValue
        return DTO(
            id: b.id!, centerID: b.centerID, departmentID: b.departmentID, name: b.name, category: b.category, culture: b.cultureValue,
            system: b.systemValue, items: c.items, windows: c.windows, staff: c.staff, state: b.state, ownerID: b.ownerID,
            logoPath: b.logoType == nil ? nil : "/api/v1/brands/\(b.id!.uuidString.lowercased())/logo", approvedBy: b.approvedBy,
            approvedAt: b.approvedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) },
            warnings: BrandRules.nameWarnings(b.name, others: others))
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let strings: JSONValue = ["type": "array", "items": O.string]
        let culture = O.object([
            "purpose": O.string, "spirit": O.string, "idea": O.string, "goal": O.string,
            "ideas": ["type": "array", "items": O.object(["name": O.string, "text": O.string], required: ["name", "text"])],
        ])
        let system = O.object(["who": strings, "what": strings, "measures": strings, "commitments": strings, "rules": strings])
        let uuids: JSONValue = ["type": "array", "items": O.uuid]
        return [
            "Brand": O.object([
                "id": O.uuid, "centerID": O.uuid, "departmentID": ["type": ["string", "null"], "format": "uuid"], "name": O.string,
                "category": CaseSchemas.names(BrandRules.Category.self), "culture": culture, "system": system, "items": strings,
                "windows": uuids, "staff": uuids, "state": CaseSchemas.names(BrandRules.State.self),
                "ownerID": ["type": ["string", "null"], "format": "uuid"], "logoPath": O.optionalString, "approvedBy": O.string,
                "approvedAt": O.optionalDateTime, "warnings": strings,
            ]),
            "BrandInput": O.object(
                [
                    "center": O.string, "department": O.uuid, "name": O.string, "category": CaseSchemas.names(BrandRules.Category.self),
                    "culture": culture, "system": system, "items": strings, "windows": uuids, "staff": uuids, "owner": O.uuid,
                ], required: ["name", "category", "culture", "system"]),
            "BrandLogoFile": [
                "type": "string", "contentMediaType": "application/octet-stream",
                "description": "PNG, JPEG or SVG (by content), at most 512 KB; an SVG is rewritten without scripts or outside references",
            ],
        ]
    }()

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brands", access: S.editors,
            operation: .init(
                id: "createBrand",
                summary:
                    "Defines a service brand of a department (its chief representative) or of a center (its administrator): name, category, culture, service system and what it covers; it is cultivated until the campaign office approves it",
                tag: "Brands", request: "BrandInput", response: "Brand", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(
                try await dto(try await S.create(try req.content.decode(S.Input.self), req: req), req: req), req)
        }
        api.endpoint(
            .GET, "brands", access: .public,
            operation: .init(
                id: "listBrands",
                summary: "A center's brands and those of the centers below it: the public ones, and all of them for its staff",
                tag: "Brands", response: "Brand", responseIsList: true,
                query: [.init(name: "center", type: "string", required: true, description: "code or id")])
        ) { req in
            let center = try await WorkOrderService.center(req.query[String.self, at: "center"], req: req)
            let tree = try await req.application.centerTrees.tree(on: req.db)
            var out: [DTO] = []
            for b in try await BrandModel.query(on: req.db).filter(\.$centerID ~~ Array(tree.subtree(center.requireID())))
                .sort(\.$name).limit(2000).all()
            where try await S.visible(b, req: req) {
                out.append(try await dto(b, req: req))
            }
            return out
        }
        api.endpoint(
            .GET, "brands", ":id", access: .public,
            operation: .init(id: "getBrand", summary: "A brand: public once approved", tag: "Brands", response: "Brand")
        ) { req in
            let b = try await S.find(try req.uuid("id"), on: req.db)
            guard try await S.visible(b, req: req) else { throw Abort(.notFound) }
            return try await dto(b, req: req)
        }
        api.endpoint(
            .PUT, "brands", ":id", access: .staff,
            operation: .init(
                id: "updateBrand",
                summary: "Changes a brand's definition: by its department's chief representative, its owner or the center's administrator",
                tag: "Brands", request: "BrandInput", response: "Brand")
        ) { req in try await dto(try await S.update(try req.uuid("id"), try req.content.decode(S.Input.self), req: req), req: req) }
        api.endpoint(
            .POST, "brands", ":id", "approve", access: S.approvers,
            operation: .init(
                id: "approveBrand", summary: "The campaign office approves a brand's definition: its practice starts and it is public",
                tag: "Brands", response: "Brand")
        ) { req in try await dto(try await S.approve(try req.uuid("id"), req: req), req: req) }
        api.endpoint(
            .POST, "brands", ":id", "logo", access: .staff,
            operation: .init(
                id: "uploadBrandLogo", summary: "Sets a brand's logo: PNG, JPEG or SVG (sanitised), at most 512 KB", tag: "Brands",
                request: "BrandLogoFile", response: "Brand"),
            body: .collect(maxSize: "600kb")
        ) { req in
            let bytes = req.body.data.map { Array($0.readableBytesView) } ?? []
            return try await dto(try await S.logo(try req.uuid("id"), bytes: bytes, req: req), req: req)
        }
        api.endpoint(
            .GET, "brands", ":id", "logo", access: .public,
            operation: .init(id: "getBrandLogo", summary: "A brand's logo image", tag: "Brands")
        ) { req -> Response in
            let b = try await S.find(try req.uuid("id"), on: req.db)
            guard try await S.visible(b, req: req), let logo = try await BrandLogoModel.find(b.requireID(), on: req.db) else {
                throw Abort(.notFound)
            }
            let response = Response(status: .ok, body: .init(data: logo.data))
            response.headers.replaceOrAdd(name: .contentType, value: logo.contentType)
            response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
            // Even a sanitised SVG is never allowed to run or fetch anything when opened on its own.
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'")
            return response
        }
    }
}
