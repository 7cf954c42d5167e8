import Fluent
import Foundation
import OneStopCore
import Vapor

/// Delegation of an item to sub-centers, and the template files of its materials.
enum ItemExtrasService {
    /// 下放: the sub-center (below the owning center, in the caller's scope) serves the item at
    /// its own windows with its own phone. Saving again for the same center replaces the entry.
    static func delegate(_ itemID: UUID, _ input: DelegationInput, req: Request) async throws {
        let item = try await CatalogAccess.editable(itemID, req: req)
        let scope = try await req.scope()
        var errors: [FieldError] = []
        let center = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if center == nil, errors.isEmpty { errors.append(FieldError("centerID", "required")) }
        if let center, center == item.centerID || !scope.tree.subtree(item.centerID).contains(center) || !scope.contains(center) {
            errors.append(FieldError("centerID", "item.delegateBelow"))
        }
        let windows = input.windowNumbers ?? []
        if windows.isEmpty { errors.append(FieldError("windowNumbers", "required")) }
        if let center, errors.isEmpty {
            let known = Set(try await WindowModel.query(on: req.db).filter(\.$centerID == center).all().map(\.number))
            if windows.contains(where: { !known.contains($0) }) { errors.append(FieldError("windowNumbers", "item.noSuchWindow")) }
        }
        var v = Validator()
        let phone = v.phone("consultPhone", input.consultPhone)
        errors += v.errors
        guard errors.isEmpty, let center else { throw ValidationFailure(errors) }
        let row =
            try await ItemDelegationModel.query(on: req.db).filter(\.$itemID == itemID).filter(\.$centerID == center).first()
            ?? ItemDelegationModel()
        row.itemID = itemID
        row.centerID = center
        row.windowNumbers = windows.sorted().map(String.init).joined(separator: ",")
        row.consultPhone = phone
        try await req.audited { db in
            try await row.store(on: db)
            try await CatalogStore.bump(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "item.delegate", "item", id: itemID, center: item.centerID,
                        detail: ["code": item.code, "to": center.uuidString.lowercased(), "windows": row.windowNumbers])
                ]
            )
        }
    }

    static func undelegate(_ itemID: UUID, center: UUID, req: Request) async throws {
        let item = try await CatalogAccess.editable(itemID, req: req)
        guard let row = try await ItemDelegationModel.query(on: req.db).filter(\.$itemID == itemID).filter(\.$centerID == center).first()
        else { throw Abort(.notFound) }
        try await req.audited { db in
            try await row.delete(on: db)
            try await CatalogStore.bump(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "item.undelegate", "item", id: itemID, center: item.centerID,
                        detail: ["code": item.code, "from": center.uuidString.lowercased()])
                ]
            )
        }
    }

    /// Stores a material's template or example; the material must be one the item asks for.
    static func addFile(
        _ itemID: UUID, material: String?, kind: String?, filename: String, bytes: [UInt8], req: Request
    ) async throws -> ItemFileModel {
        let item = try await CatalogAccess.editable(itemID, req: req)
        var errors: [FieldError] = []
        let names = try await CatalogService.workingGuide(item, on: req.db)?.materials.map(\.name) ?? []
        let material = (material ?? "").trimmingCharacters(in: .whitespaces)
        if material.isEmpty {
            errors.append(FieldError("material", "required"))
        } else if !names.contains(material) {
            errors.append(FieldError("material", "invalidReference"))
        }
        let kind = TemplateFile.Kind(rawValue: kind ?? "")
        if kind == nil { errors.append(FieldError("kind", "invalidChoice")) }
        var type = ""
        switch TemplateFile.contentType(bytes, filename: filename) {
        case .success(let t): type = t
        case .failure(let e): errors.append(e)
        }
        guard errors.isEmpty, let kind else { throw ValidationFailure(errors) }
        let row = ItemFileModel()
        row.itemID = itemID
        row.material = material
        row.kind = kind.rawValue
        row.filename = TemplateFile.storedName(filename, contentType: type)
        row.contentType = type
        row.size = bytes.count
        row.data = Data(bytes)
        return try await req.audited { db in
            try await row.storeNew(on: db)
            try await CatalogStore.bump(on: db)
            return (
                row,
                [
                    AuditEvent(
                        "item.file.add", "item", id: itemID, center: item.centerID,
                        detail: [
                            "file": row.id!.uuidString.lowercased(), "material": material, "kind": kind.rawValue,
                            "bytes": String(bytes.count),
                        ])
                ]
            )
        }
    }

    static func removeFile(_ itemID: UUID, file: UUID, req: Request) async throws {
        let item = try await CatalogAccess.editable(itemID, req: req)
        guard let row = try await ItemFileModel.find(file, on: req.db), row.itemID == itemID else { throw Abort(.notFound) }
        try await req.audited { db in
            try await row.delete(on: db)
            try await CatalogStore.bump(on: db)
            return (
                (),
                [AuditEvent("item.file.remove", "item", id: itemID, center: item.centerID, detail: ["file": file.uuidString.lowercased()])]
            )
        }
    }

    /// Files without their bytes, for listing.
    static func files(
        of itemID: UUID, on db: any Database
    ) async throws -> [(id: UUID, material: String, kind: String, filename: String, size: Int)] {
        try await ItemFileModel.query(on: db).filter(\.$itemID == itemID)
            .field(\.$id).field(\.$material).field(\.$kind).field(\.$filename).field(\.$size).all()
            .map { ($0.id!, $0.material, $0.kind, $0.filename, $0.size) }
    }

    /// A download: anyone may fetch the files of a published item, editors those of any item.
    /// Files of a published item are public; of a draft or withdrawn one, only its editors see them.
    static func requireVisible(_ item: ServiceItemModel?, req: Request) async throws {
        guard let item else { throw Abort(.notFound) }
        if item.status != ItemStatus.published.rawValue {
            guard req.principal != nil, CatalogAccess.canEdit(try await req.scope(), center: item.centerID, department: item.departmentID)
            else { throw Abort(.notFound) }
        }
    }

    static func visibleFiles(of itemID: UUID, req: Request) async throws -> [ItemFileDTO] {
        try await requireVisible(try await ServiceItemModel.find(itemID, on: req.db), req: req)
        return try await files(of: itemID, on: req.db).map(ItemFileDTO.init)
    }

    static func download(_ id: UUID, req: Request) async throws -> Response {
        guard let f = try await ItemFileModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await requireVisible(try await ServiceItemModel.find(f.itemID, on: req.db), req: req)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: f.contentType)
        let encoded = f.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"download\"; filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: f.data))
    }
}
