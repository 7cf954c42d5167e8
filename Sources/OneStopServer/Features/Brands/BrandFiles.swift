import Fluent
import Foundation
import OneStopCore
import Vapor

/// The files a brand's work carries (issue 22): the photos of a weekly report and the attachments
/// of its evidence — PNG, JPEG or PDF by content, at most 2 MB each. Uploaded by the brand's
/// editors; read by whoever may read the brand.
enum BrandFiles {
    static let maxBytes = 2 * 1024 * 1024

    static func path(brand: UUID, file: UUID) -> String {
        "/api/v1/brands/\(brand.uuidString.lowercased())/files/\(file.uuidString.lowercased())"
    }

    static func type(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        return nil
    }

    /// A checked file, not yet stored: the caller creates it inside its own write.
    static func make(_ brandID: UUID, name raw: String?, bytes: [UInt8], field: String = "file", req: Request) throws -> BrandFileModel {
        guard !bytes.isEmpty else { throw ValidationFailure([FieldError(field, "required")]) }
        guard bytes.count <= maxBytes else { throw ValidationFailure([FieldError(field, "brand.fileTooLarge")]) }
        guard let type = type(of: bytes) else { throw ValidationFailure([FieldError(field, "brand.fileType")]) }
        let f = BrandFileModel()
        f.id = UUID.timeOrdered()
        f.brandID = brandID
        f.name = String((raw ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        f.contentType = type
        f.data = Data(bytes)
        f.uploadedBy = try req.requirePrincipal().displayName
        f.uploadedAt = HallClock.millis(req.now)
        return f
    }

    static func upload(_ brandID: UUID, name raw: String?, bytes: [UInt8], req: Request) async throws -> BrandFileModel {
        let b = try await BrandService.find(brandID, on: req.db)
        guard try await BrandService.mayEdit(b, req: req) else { throw Abort(.forbidden) }
        let f = try make(brandID, name: raw, bytes: bytes, req: req)
        return try await req.audited { db -> (BrandFileModel, [AuditEvent]) in
            try await f.storeNew(on: db)
            return (
                f,
                [
                    AuditEvent(
                        "brand.file", "brand", id: brandID, center: b.centerID,
                        detail: ["type": f.contentType, "size": String(f.data.count)])
                ]
            )
        }
    }

    struct DTO: Content {
        var id: UUID
        var name: String
        var contentType: String
        var path: String
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brands", ":id", "files", access: .staff,
            operation: .init(
                id: "uploadBrandFile",
                summary: "Uploads a photo for a weekly report or an attachment for evidence: PNG, JPEG or PDF, at most 2 MB",
                tag: "Brands", request: "BrandLogoFile", response: "BrandFile",
                query: [.init(name: "name", type: "string", description: "the file's name as shown")], successStatus: 201),
            body: .collect(maxSize: "2100kb")
        ) { req in
            let bytes = req.body.data.map { Array($0.readableBytesView) } ?? []
            let f = try await upload(try req.uuid("id"), name: req.query[String.self, at: "name"], bytes: bytes, req: req)
            return try await OrgAPIController.created(
                DTO(id: f.id!, name: f.name, contentType: f.contentType, path: path(brand: f.brandID, file: f.id!)), req)
        }
        api.endpoint(
            .GET, "brands", ":id", "files", ":file", access: .public,
            operation: .init(id: "getBrandFile", summary: "A photo or attachment of a brand's work", tag: "Brands")
        ) { req -> Response in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            guard try await BrandService.visible(b, req: req), let f = try await BrandFileModel.find(try req.uuid("file"), on: req.db),
                f.brandID == b.id
            else { throw Abort(.notFound) }
            let response = Response(status: .ok, body: .init(data: f.data))
            response.headers.replaceOrAdd(name: .contentType, value: f.contentType)
            response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'")
            return response
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        return ["BrandFile": O.object(["id": O.uuid, "name": O.string, "contentType": O.string, "path": O.string])]
    }()
}
