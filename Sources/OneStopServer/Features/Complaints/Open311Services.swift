import Fluent
import Foundation
import OneStopCore
import Vapor

/// What an Open311 service code names (issue 20): a complaint category of the dispatch directory
/// (a rule with a service code; its duty is the service's name) or an item of the catalog. The
/// categories are listed in `services.json` beside the items. Data access: Fluent, low rate.
enum Open311Services {
    struct Service {
        var code: String
        var name: String
        var defaultKind: WorkOrderKind
        var itemID: UUID?
    }

    /// A directory category in the service list.
    struct Category {
        var code: String
        var name: String
        var keywords: [String]
        var department: String
    }

    /// The group the categories are listed under in `services.json`.
    static let categoryGroup = "投诉建议"

    /// The categories that apply at a center (its own rules and those above it), or everywhere.
    static func categories(center: UUID?, req: Request) async throws -> [Category] {
        var q = DispatchRuleModel.query(on: req.db).filter(\.$serviceCode != "")
        if let center {
            let tree = try await req.application.centerTrees.tree(on: req.db)
            q = q.filter(\.$centerID ~~ tree.ancestry(center))
        }
        let rules = try await q.sort(\.$serviceCode).sort(\.$id).all()
        let departments = try await WorkOrderPages.departmentNames(rules.map(\.departmentID), on: req.db)
        var seen = Set<String>()
        return rules.compactMap { r in
            guard seen.insert(r.serviceCode).inserted else { return nil }
            return Category(
                code: r.serviceCode, name: r.duty, keywords: r.keywords.split(separator: ",").map(String.init),
                department: departments[r.departmentID] ?? "")
        }
    }

    /// The service a code names at a center: a category first, then an item served there.
    static func find(_ code: String, center: UUID, req: Request) async throws -> Service? {
        if let c = try await categories(center: center, req: req).first(where: { $0.code == code }) {
            return Service(code: code, name: c.name, defaultKind: .complaint, itemID: nil)
        }
        if let item = try await req.catalog().item(code: code), item.centers.contains(center) {
            return Service(code: code, name: item.guide.name, defaultKind: .consultation, itemID: item.id)
        }
        return nil
    }

    /// The names of service codes, for listing requests.
    static func names(_ codes: Set<String>, req: Request) async throws -> [String: String] {
        var out: [String: String] = [:]
        let snapshot = try await req.catalog()
        for c in codes { if let item = snapshot.item(code: c) { out[c] = item.guide.name } }
        for c in try await categories(center: nil, req: req) where codes.contains(c.code) { out[c.code] = c.name }
        return out
    }
}
