import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// What the departments' items became since they moved in (issue 23): each item's published
/// versions, and 压缩时限 and 精简材料 per department and for the center.
extension AdmissionService {
    /// The day a department's (latest approved) admission was decided.
    static func admittedOn(_ departments: [UUID], on db: any Database) async throws -> [UUID: CivilDate] {
        guard !departments.isEmpty else { return [:] }
        var out: [UUID: CivilDate] = [:]
        for m in try await AdmissionModel.query(on: db).filter(\.$departmentID ~~ departments)
            .filter(\.$state == AdmissionRules.State.approved.rawValue).all()
        {
            guard let d = m.decidedOn.flatMap(CivilDate.init) else { continue }
            if out[m.departmentID].map({ d > $0 }) ?? true { out[m.departmentID] = d }
        }
        return out
    }

    /// The published versions of items, by item, in order.
    static func versions(_ items: [UUID], on db: any Database) async throws -> [UUID: [AdmissionRules.Version]] {
        guard !items.isEmpty else { return [:] }
        var out: [UUID: [AdmissionRules.Version]] = [:]
        for v in try await ItemVersionModel.query(on: db).filter(\.$itemID ~~ items).sort(\.$version).all() {
            guard let g = try? CatalogService.guide(v.content) else { continue }
            out[v.itemID, default: []].append(
                .init(
                    version: v.version, day: HallClock.day(v.publishedAt), legalDays: g.legalDays, promisedDays: g.promisedDays,
                    materials: g.materials.map(\.name)))
        }
        return out
    }

    static func history(_ itemID: UUID, req: Request) async throws -> History {
        guard let item = try await ServiceItemModel.find(itemID, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(item.centerID)
        let since = try await admittedOn([item.departmentID], on: req.db)[item.departmentID]
        let versions = try await versions([itemID], on: req.db)[itemID] ?? []
        let change = AdmissionRules.change(versions, since: since)
        return History(
            itemID: itemID, code: item.code, name: item.name, admittedOn: since?.description,
            versions: versions.map {
                VersionDTO(
                    version: $0.version, day: $0.day.description, legalDays: $0.legalDays, promisedDays: $0.promisedDays,
                    materials: $0.materials)
            }, daysCut: change?.daysCut, materialsDropped: change?.materialsDropped ?? [], materialsAdded: change?.materialsAdded ?? [])
    }

    /// 压缩时限 and 精简材料 per department and for the center, since each department's admission.
    static func streamlining(_ center: UUID, req: Request) async throws -> Streamlining {
        try await req.scope().require(center)
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID == center).sort(\.$name).all()
        let ids = departments.compactMap(\.id)
        let items = ids.isEmpty ? [] : try await ServiceItemModel.query(on: req.db).filter(\.$departmentID ~~ ids).all()
        let versions = try await versions(items.compactMap(\.id), on: req.db)
        let since = try await admittedOn(ids, on: req.db)
        var total = AdmissionRules.Tally()
        var rows: [UnitFigures] = []
        for d in departments {
            var t = AdmissionRules.Tally()
            for item in items where item.departmentID == d.id {
                if let c = AdmissionRules.change(versions[item.id!] ?? [], since: since[d.id!]) { t.add(c) }
            }
            total.items += t.items
            total.itemsCut += t.itemsCut
            total.daysCut += t.daysCut
            total.materialsDropped += t.materialsDropped
            rows.append(
                UnitFigures(
                    departmentID: d.id!, department: d.name, admittedOn: since[d.id!]?.description, items: t.items, itemsCut: t.itemsCut,
                    daysCut: t.daysCut, materialsDropped: t.materialsDropped))
        }
        return Streamlining(
            centerID: center,
            total: UnitFigures(
                departmentID: center, department: "", admittedOn: nil, items: total.items, itemsCut: total.itemsCut, daysCut: total.daysCut,
                materialsDropped: total.materialsDropped), departments: rows)
    }
}
