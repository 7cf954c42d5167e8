import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/api/v1/items` and `/api/v1/bundles`.
enum CatalogAPIController {
    static func register(_ api: any RoutesBuilder) {
        let listQuery: [APIOperation.QueryParameter] = [
            .init(name: "center", type: "string", description: "center id or code: items served there"),
            .init(name: "department", type: "string", description: "department id"),
            .init(name: "theme", type: "string", description: "personal or business"),
            .init(name: "status", type: "string", description: "draft, published, withdrawn or all: the caller's working list (editors)"),
            .init(name: "limit", type: "integer"), .init(name: "offset", type: "integer"),
        ]
        api.endpoint(
            .GET, "items", access: .public,
            operation: .init(
                id: "listItems", summary: "Published items (or, with status, the editor's working list)", tag: "Catalog",
                response: "ItemSummary", responseIsList: true, query: listQuery)
        ) { req in try await list(req) }
        api.endpoint(
            .GET, "items", "search", access: .public,
            operation: .init(
                id: "searchItems", summary: "Search published items by name, code, keyword, department and material", tag: "Catalog",
                response: "ItemSearch",
                query: [
                    .init(name: "q", type: "string", required: true),
                    .init(name: "center", type: "string", description: "center id or code"),
                    .init(name: "limit", type: "integer"), .init(name: "offset", type: "integer"),
                ])
        ) { req in try await search(req) }
        api.endpoint(
            .GET, "items", "export", access: CatalogAccess.editors,
            operation: .init(
                id: "exportItems", summary: "A department's items as CSV or JSON, ready to edit and import", tag: "Catalog",
                response: "ItemFile",
                query: [
                    .init(name: "department", type: "string", required: true),
                    .init(name: "format", type: "string", description: "csv or json"),
                ])
        ) { req in
            guard let d = req.query[String.self, at: "department"].flatMap(UUID.init(uuidString:)) else {
                throw ValidationFailure([FieldError("department", "required")])
            }
            return try await CatalogImportService.export(departmentID: d, format: format(req), req: req)
        }
        api.endpoint(
            .POST, "items", "import", access: CatalogAccess.editors,
            operation: .init(
                id: "importItems", summary: "Import a department's items from CSV or JSON; dryRun checks every row and writes nothing",
                tag: "Catalog", request: "ItemFile", response: "ImportReport",
                query: [
                    .init(name: "department", type: "string", description: "department id (a chief representative's own by default)"),
                    .init(name: "format", type: "string", description: "csv or json"), .init(name: "dryRun", type: "boolean"),
                    .init(name: "publish", type: "boolean", description: "publish every row at once (center administrators)"),
                ]), body: .collect(maxSize: "20mb")
        ) { req -> Response in
            let body = req.body.string ?? ""
            let report = try await CatalogImportService.run(
                body, format: format(req), departmentID: req.query[String.self, at: "department"].flatMap(UUID.init(uuidString:)),
                dryRun: req.query[Bool.self, at: "dryRun"] ?? false, publish: req.query[Bool.self, at: "publish"] ?? false, req: req)
            let response = try await report.encodeResponse(for: req)
            response.status = report.errors.isEmpty ? .ok : .unprocessableEntity
            return response
        }
        api.endpoint(
            .POST, "items", access: CatalogAccess.editors,
            operation: .init(
                id: "createItem", summary: "Create an item as a draft", tag: "Catalog", request: "ItemInput", response: "Item",
                successStatus: 201)
        ) { req in
            let row = try await CatalogService.save(req.content.decode(ItemInput.self), existing: nil, req: req)
            return try await OrgAPIController.created(try await detail(row, req: req), req)
        }
        api.endpoint(
            .GET, "items", ":id", access: .public,
            operation: .init(
                id: "getItem", summary: "An item: its guide in force, and for editors its draft and versions", tag: "Catalog",
                response: "Item")
        ) { req in
            guard let row = try await ServiceItemModel.find(try req.uuid("id"), on: req.db) else { throw Abort(.notFound) }
            return try await detail(row, req: req)
        }
        api.endpoint(
            .GET, "items", ":id", "versions", ":version", access: .public,
            operation: .init(
                id: "getItemVersion", summary: "A published version exactly as it was published", tag: "Catalog", response: "ItemGuide")
        ) { req -> ItemGuide in
            guard let n = req.parameters.get("version", as: Int.self),
                let v = try await CatalogService.version(try req.uuid("id"), n, on: req.db)
            else { throw Abort(.notFound) }
            return try CatalogService.guide(v.content)
        }
        api.endpoint(
            .PUT, "items", ":id", access: CatalogAccess.editors,
            operation: .init(
                id: "updateItem", summary: "Save a new draft (the version in force stays until published)", tag: "Catalog",
                request: "ItemInput", response: "Item")
        ) { req in
            let row = try await CatalogService.save(req.content.decode(ItemInput.self), existing: req.uuid("id"), req: req)
            return try await detail(row, req: req)
        }
        api.endpoint(
            .POST, "items", ":id", "publish", access: .admins,
            operation: .init(
                id: "publishItem", summary: "Freeze the draft as the next version and put it in force", tag: "Catalog", response: "Item")
        ) { req in try await detail(CatalogService.publish(req.uuid("id"), req: req), req: req) }
        api.endpoint(
            .POST, "items", ":id", "withdraw", access: .admins,
            operation: .init(id: "withdrawItem", summary: "Take an item out of the public catalog", tag: "Catalog", response: "Item")
        ) { req in try await detail(CatalogService.withdraw(req.uuid("id"), req: req), req: req) }
        api.endpoint(
            .PUT, "items", ":id", "delegations", access: CatalogAccess.editors,
            operation: .init(
                id: "delegateItem", summary: "Delegate (下放) an item to a sub-center with its windows and phone", tag: "Catalog",
                request: "DelegationInput", response: "Item")
        ) { req in
            let id = try req.uuid("id")
            try await ItemExtrasService.delegate(id, req.content.decode(DelegationInput.self), req: req)
            return try await detail(try await CatalogAccess.editable(id, req: req), req: req)
        }
        api.endpoint(
            .DELETE, "items", ":id", "delegations", ":center", access: CatalogAccess.editors,
            operation: .init(id: "undelegateItem", summary: "End a delegation", tag: "Catalog", successStatus: 204)
        ) { req -> HTTPStatus in
            guard let center = req.parameters.get("center").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            try await ItemExtrasService.undelegate(req.uuid("id"), center: center, req: req)
            return .noContent
        }

        api.endpoint(
            .GET, "items", ":id", "files", access: .public,
            operation: .init(
                id: "listItemFiles", summary: "Template and example files of an item's materials (download at /files/{id})",
                tag: "Catalog", response: "ItemFileInfo", responseIsList: true)
        ) { req in try await ItemExtrasService.visibleFiles(of: req.uuid("id"), req: req) }
        api.endpoint(
            .POST, "items", ":id", "files", access: CatalogAccess.editors,
            operation: .init(
                id: "uploadItemFile",
                summary:
                    "Attach a template or filled-in example to one of the item's materials (PDF, Word, Excel, JPEG, PNG; at most 5 MB)",
                tag: "Catalog", request: "TemplateFile", response: "ItemFileInfo",
                query: [
                    .init(name: "material", type: "string", required: true, description: "the material's name, as in the item"),
                    .init(name: "kind", type: "string", required: true, description: "template or example"),
                    .init(
                        name: "filename", type: "string", required: true,
                        description:
                            "the file's name: the type is read from the content (PDF, JPEG, PNG, Word, Excel), and the stored name keeps only its last path component with the extension of that type"
                    ),
                ], successStatus: 201), body: .collect(maxSize: "6mb")
        ) { req in
            let row = try await ItemExtrasService.addFile(
                req.uuid("id"), material: req.query[String.self, at: "material"], kind: req.query[String.self, at: "kind"],
                filename: req.query[String.self, at: "filename"] ?? "", bytes: req.body.data.map { Array($0.readableBytesView) } ?? [],
                req: req)
            return try await OrgAPIController.created(ItemFileDTO(row), req)
        }
        api.endpoint(
            .DELETE, "items", ":id", "files", ":file", access: CatalogAccess.editors,
            operation: .init(id: "deleteItemFile", summary: "Remove a template or example file", tag: "Catalog", successStatus: 204)
        ) { req -> HTTPStatus in
            guard let file = req.parameters.get("file").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            try await ItemExtrasService.removeFile(req.uuid("id"), file: file, req: req)
            return .noContent
        }

        api.endpoint(
            .GET, "bundles", access: .public,
            operation: .init(
                id: "listBundles", summary: "Life-event bundles (一件事)", tag: "Catalog", response: "Bundle", responseIsList: true,
                query: [.init(name: "center", type: "string", description: "center id or code")])
        ) { req -> [BundleDTO] in
            let snapshot = try await req.catalog()
            var q = BundleModel.query(on: req.db).sort(\.$name)
            if let center = try PublicCenter.optional(req, in: snapshot) { q = q.filter(\.$centerID == center.id) }
            return try await q.all().map { BundleService.dto($0, snapshot: snapshot, withMaterials: false) }
        }
        api.endpoint(
            .GET, "bundles", ":id", access: .public,
            operation: .init(
                id: "getBundle", summary: "A bundle with its items and combined, de-duplicated material list", tag: "Catalog",
                response: "Bundle")
        ) { req -> BundleDTO in
            guard let b = try await BundleModel.find(try req.uuid("id"), on: req.db) else { throw Abort(.notFound) }
            return BundleService.dto(b, snapshot: try await req.catalog(), withMaterials: true)
        }
        api.endpoint(
            .POST, "bundles", access: .admins,
            operation: .init(
                id: "createBundle", summary: "Create a bundle", tag: "Catalog", request: "BundleInput", response: "Bundle",
                successStatus: 201)
        ) { req in
            let b = try await BundleService.save(req.content.decode(BundleInput.self), existing: nil, req: req)
            return try await OrgAPIController.created(BundleService.dto(b, snapshot: try await req.catalog(), withMaterials: true), req)
        }
        api.endpoint(
            .PUT, "bundles", ":id", access: .admins,
            operation: .init(id: "updateBundle", summary: "Change a bundle", tag: "Catalog", request: "BundleInput", response: "Bundle")
        ) { req -> BundleDTO in
            let b = try await BundleService.save(req.content.decode(BundleInput.self), existing: req.uuid("id"), req: req)
            return BundleService.dto(b, snapshot: try await req.catalog(), withMaterials: true)
        }
    }

    static func format(_ req: Request) throws -> CatalogImportService.Format {
        let raw = req.query[String.self, at: "format"] ?? "csv"
        guard let f = CatalogImportService.Format(rawValue: raw) else { throw ValidationFailure([FieldError("format", "invalidChoice")]) }
        return f
    }

    static func list(_ req: Request) async throws -> Response {
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 100, 1), 1000)
        let offset = max(req.query[Int.self, at: "offset"] ?? 0, 0)
        let department = req.query[String.self, at: "department"].flatMap(UUID.init(uuidString:))
        var out: [ItemSummaryDTO]
        if let status = req.query[String.self, at: "status"] {
            guard req.principal != nil else { throw Abort(.unauthorized) }
            let scope = try await req.scope()
            guard [.centerAdmin, .chiefRepresentative].contains(scope.principal.role) else { throw OutsideScope() }
            var q = ServiceItemModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).sort(\.$code)
            if status != "all" {
                guard ItemStatus(rawValue: status) != nil else { throw ValidationFailure([FieldError("status", "invalidChoice")]) }
                q = q.filter(\.$status == status)
            }
            if scope.principal.role == .chiefRepresentative { q = q.filter(\.$departmentID == (scope.principal.departmentID ?? UUID())) }
            if let department { q = q.filter(\.$departmentID == department) }
            let rows = try await q.all()
            out = rows.map { ItemSummaryDTO($0) }
        } else {
            let snapshot = try await req.catalog()
            var items = Array(snapshot.items.values)
            if let center = try PublicCenter.optional(req, in: snapshot) { items = items.filter { $0.centers.contains(center.id) } }
            if let department { items = items.filter { $0.departmentID == department } }
            if let theme = req.query[String.self, at: "theme"].flatMap(ItemTheme.init(rawValue:)) {
                items = items.filter { $0.guide.theme.includes(theme) }
            }
            out = items.sorted { $0.guide.code < $1.guide.code }.map(ItemSummaryDTO.init)
        }
        let total = out.count
        let response = try await Array(out.dropFirst(offset).prefix(limit)).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: "X-Total-Count", value: String(total))
        return response
    }

    static func search(_ req: Request) async throws -> ItemSearchDTO {
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { throw ValidationFailure([FieldError("q", "required")]) }
        guard q.count <= 100 else { throw ValidationFailure([FieldError("q", "tooLong")]) }
        let snapshot = try await req.catalog()
        let center = try PublicCenter.optional(req, in: snapshot)
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 20, 1), 100)
        let result = snapshot.index.search(
            q, center: center?.id.uuidString, limit: limit, offset: max(req.query[Int.self, at: "offset"] ?? 0, 0))
        return ItemSearchDTO(
            query: q, total: result.total, suggestion: result.isSuggestion,
            items: result.hits.compactMap { hit -> ItemSummaryDTO? in
                guard let item = UUID(uuidString: hit.id).flatMap({ snapshot.items[$0] }) else { return nil }
                var dto = ItemSummaryDTO(item)
                dto.related = hit.related
                dto.children = hit.children.compactMap { UUID(uuidString: $0).flatMap { snapshot.items[$0] } }.map(ItemSummaryDTO.init)
                return dto
            })
    }

    /// The item's DTO; drafts, history and delegations only for those who may edit it. An item
    /// not in force is invisible to everyone else.
    static func detail(_ row: ServiceItemModel, req: Request) async throws -> ItemDTO {
        var editor = false
        if req.principal?.kind == .user {
            editor = CatalogAccess.canEdit(try await req.scope(), center: row.centerID, department: row.departmentID)
        }
        let inForce = row.status == ItemStatus.published.rawValue ? row.versionInForce : nil
        if !editor, inForce == nil { throw Abort(.notFound) }
        var guide: String? = nil
        if let v = editor ? row.versionInForce : inForce { guide = try await CatalogService.version(row.id!, v, on: req.db)?.content }
        var versions: [ItemDTO.Version]? = nil
        if editor {
            versions = try await ItemVersionModel.query(on: req.db).filter(\.$itemID == row.id!).sort(\.$version)
                .field(\.$version).field(\.$publishedAt).field(\.$publishedBy).all()
                .map { .init(version: $0.version, publishedAt: $0.publishedAt, publishedBy: $0.publishedBy) }
        }
        let delegations = try await ItemDelegationModel.query(on: req.db).filter(\.$itemID == row.id!).all()
        return ItemDTO(
            id: row.id!, code: row.code, status: row.status, centerID: row.centerID, departmentID: row.departmentID,
            versionInForce: row.versionInForce, guide: try guide.map(CatalogService.guide),
            draft: editor ? try row.draft.map(CatalogService.guide) : nil, versions: versions,
            delegations: delegations.map {
                .init(centerID: $0.centerID, windowNumbers: ItemText.windows($0.windowNumbers), consultPhone: $0.consultPhone)
            })
    }
}
