import Fluent
import Foundation
import OneStopCore
import Vapor

/// Evidence of a brand's social benefit (issue 22): media coverage, delegations that came to learn
/// from it, honours from higher authorities — each dated, with an optional attachment; recorded
/// by the brand's editors, shown with its declaration and on its public page.
enum BrandEvidenceService {
    enum Kind: String, CaseIterable { case media, delegation, honour }

    struct Input: Content {
        var kind: String?
        var headline: String?
        var day: String?
        var detail: String?
        /// A file uploaded with `uploadBrandFile`.
        var file: UUID?
    }

    struct DTO: Content {
        var id: UUID
        var kind: String
        var headline: String
        var day: String
        var detail: String
        var filePath: String?
        var recordedBy: String
    }

    static func dto(_ e: BrandEvidenceModel) -> DTO {
        DTO(
            id: e.id!, kind: e.kind, headline: e.title, day: e.day, detail: e.detail,
            filePath: e.fileID.map { BrandFiles.path(brand: e.brandID, file: $0) }, recordedBy: e.recordedBy)
    }

    /// Records the evidence; `upload` (an attachment sent with a form) is stored in the same write.
    static func record(_ brandID: UUID, _ input: Input, upload: BrandFileModel? = nil, req: Request) async throws -> BrandEvidenceModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(brandID, on: req.db)
        guard try await BrandService.mayEdit(b, req: req) else { throw Abort(.forbidden) }
        var v = Validator()
        let kind = v.oneOf("kind", input.kind, as: Kind.self)
        let title = v.text("headline", input.headline, max: 200)
        let detail = v.text("detail", input.detail, max: 2000, required: false)
        let day = input.day.flatMap { $0.isEmpty ? nil : CivilDate($0) }
        if day == nil { v.add("day", (input.day ?? "").isEmpty ? "required" : "date") }
        if let day, day > HallClock.day(req.now) { v.add("day", "brand.inFuture") }
        if let f = input.file, try await BrandFileModel.find(f, on: req.db)?.brandID != brandID { v.add("file", "invalidReference") }
        guard v.isValid, let kind, let day else { throw ValidationFailure(v.errors) }
        let e = BrandEvidenceModel()
        e.id = UUID.timeOrdered()
        e.brandID = brandID
        e.kind = kind.rawValue
        e.title = title
        e.day = day.description
        e.detail = detail
        e.fileID = upload?.id ?? input.file
        e.recordedBy = p.displayName
        e.recordedAt = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandEvidenceModel, [AuditEvent]) in
            if let upload { try await upload.storeNew(on: db) }
            try await e.storeNew(on: db)
            return (e, [AuditEvent("brand.evidence", "brand", id: brandID, center: b.centerID, detail: ["kind": e.kind, "title": title])])
        }
    }

    static func list(_ brandID: UUID, on db: any Database) async throws -> [BrandEvidenceModel] {
        try await BrandEvidenceModel.query(on: db).filter(\.$brandID == brandID).sort(\.$day, .descending).limit(200).all()
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brands", ":id", "evidence", access: .staff,
            operation: .init(
                id: "recordBrandEvidence",
                summary:
                    "Records evidence of a brand's social benefit: media coverage, a delegation that came to learn from it, or an honour from a higher authority, dated, with an optional attachment",
                tag: "Brands", request: "BrandEvidenceInput", response: "BrandEvidence", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(dto(try await record(try req.uuid("id"), try req.content.decode(Input.self), req: req)), req)
        }
        api.endpoint(
            .GET, "brands", ":id", "evidence", access: .public,
            operation: .init(
                id: "listBrandEvidence", summary: "A brand's evidence of social benefit, the latest first", tag: "Brands",
                response: "BrandEvidence", responseIsList: true)
        ) { req in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            guard try await BrandService.visible(b, req: req) else { throw Abort(.notFound) }
            return try await list(b.requireID(), on: req.db).map(dto)
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let kind: JSONValue = ["type": "string", "enum": .array(Kind.allCases.map { .string($0.rawValue) })]
        return [
            "BrandEvidenceInput": O.object(
                ["kind": kind, "headline": O.string, "day": O.string, "detail": O.string, "file": O.uuid],
                required: ["kind", "headline", "day"]),
            "BrandEvidence": O.object([
                "id": O.uuid, "kind": kind, "headline": O.string, "day": O.string, "detail": O.string, "filePath": O.optionalString,
                "recordedBy": O.string,
            ]),
        ]
    }()
}
