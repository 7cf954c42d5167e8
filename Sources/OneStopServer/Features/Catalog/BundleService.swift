import Fluent
import Foundation
import OneStopCore
import Vapor

enum BundleService {
    /// Creates or changes a bundle of a center in the caller's scope; every item must exist and
    /// be served at that center.
    static func save(_ input: BundleInput, existing id: UUID?, req: Request) async throws -> BundleModel {
        let scope = try await req.scope()
        let row: BundleModel
        if let id {
            guard let r = try await BundleModel.find(id, on: req.db) else { throw Abort(.notFound) }
            try scope.require(r.centerID)
            row = r
        } else {
            row = BundleModel()
        }
        var errors: [FieldError] = []
        let center = parseUUID(input.centerID, field: "centerID", errors: &errors)
        if let center, !scope.contains(center) { errors.append(FieldError("centerID", "invalidReference")) }
        switch input.validate() {
        case .failure(let f): errors += f.errors
        case .success(let v):
            guard let center, errors.isEmpty else { break }
            let items = try await ServiceItemModel.query(on: req.db).filter(\.$code ~~ v.itemCodes).all()
            let delegated = Set(
                try await ItemDelegationModel.query(on: req.db).filter(\.$centerID == center).all().map(\.itemID))
            let served = Set(items.filter { $0.centerID == center || delegated.contains($0.id!) }.map(\.code))
            if v.itemCodes.contains(where: { !served.contains($0) }) { errors.append(FieldError("itemCodes", "bundle.unknownItem")) }
            row.centerID = center
            row.name = v.name
            row.summary = v.summary
            row.theme = v.theme.rawValue
            row.itemCodes = v.itemCodes.joined(separator: "\n")
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let isNew = row.id == nil
        return try await req.audited { db in
            try await row.store(on: db)
            try await CatalogStore.bump(on: db)
            return (
                row,
                [
                    AuditEvent(
                        isNew ? "bundle.create" : "bundle.update", "bundle", id: row.id, center: row.centerID,
                        detail: ["name": row.name, "items": String(row.codes.count)])
                ]
            )
        }
    }

    /// The bundle as the public sees it: only items in force, and their combined material list.
    static func dto(_ b: BundleModel, snapshot: CatalogSnapshot, withMaterials: Bool) -> BundleDTO {
        let items = b.codes.compactMap { snapshot.item(code: $0) }
        return BundleDTO(
            id: b.id!, centerID: b.centerID, name: b.name, summary: b.summary, theme: b.theme, items: items.map(ItemSummaryDTO.init),
            materials: withMaterials
                ? BundleMaterials.combine(items.map(\.guide)).map {
                    .init(
                        name: $0.material.name, form: $0.material.form.rawValue, copies: $0.material.copies,
                        need: $0.material.need.rawValue,
                        condition: $0.material.condition, items: $0.items, producedBy: $0.producedBy)
                } : nil)
    }
}
