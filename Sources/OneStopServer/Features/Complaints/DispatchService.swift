import Fluent
import Foundation
import OneStopCore
import Vapor

/// The dispatch directory (派单目录, issue 20): which department answers for what, per center, and
/// the departments OneStop suggests for a new order — ranked from the directory's rules and the
/// catalog's items that match the order's words. The rules of a center are read once per change
/// and kept (`DispatchDirectoryCache`), so a suggestion over 10,000 rules reads nothing.
enum DispatchService {
    struct RuleInput: Content {
        var center: String?
        var departmentID: UUID?
        var duty: String?
        var keywords: [String]?
        var itemKinds: [String]?
        var itemCodes: [String]?
        var serviceCode: String?
    }

    struct RuleDTO: Content {
        var id: UUID
        var centerID: UUID
        var departmentID: UUID
        var duty: String
        var keywords: [String]
        var itemKinds: [String]
        var itemCodes: [String]
        var serviceCode: String

        init(_ m: DispatchRuleModel) {
            id = m.id!
            centerID = m.centerID
            departmentID = m.departmentID
            duty = m.duty
            keywords = Self.list(m.keywords)
            itemKinds = Self.list(m.itemKinds)
            itemCodes = Self.list(m.itemCodes)
            serviceCode = m.serviceCode
        }

        static func list(_ s: String) -> [String] { s.split(separator: ",").map(String.init) }
    }

    struct SuggestionDTO: Content {
        var departmentID: UUID
        var department: String
        var score: Double
        var because: [String]
    }

    /// A list field: each entry trimmed, without commas, none empty, at most `max` of them.
    static func list(_ field: String, _ values: [String]?, max: Int, v: inout OneStopCore.Validator) -> String {
        let cleaned = (values ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if cleaned.count > max { v.add(field, "tooLong") }
        if cleaned.contains(where: { $0.contains(",") || $0.count > 40 }) { v.add(field, "workOrder.listEntry") }
        var seen: [String] = []
        for c in cleaned where !seen.contains(c) { seen.append(c) }
        return seen.joined(separator: ",")
    }

    static func create(_ input: RuleInput, req: Request) async throws -> DispatchRuleModel {
        let p = try req.requirePrincipal()
        guard p.role == .centerAdmin else { throw Abort(.forbidden) }
        let center = try await WorkOrderService.center(input.center, req: req)
        var v = Validator()
        let duty = v.text("duty", input.duty, max: 200)
        let keywords = list("keywords", input.keywords, max: 50, v: &v)
        let kinds = list("itemKinds", input.itemKinds, max: 20, v: &v)
        let codes = list("itemCodes", input.itemCodes, max: 200, v: &v)
        let serviceCode = v.code("serviceCode", input.serviceCode, max: 40, required: false)
        var department: DepartmentModel?
        if let d = input.departmentID {
            department = try await DepartmentModel.find(d, on: req.db)
            if let dep = department, !(try await req.scope().contains(dep.centerID)) { department = nil }
            if department == nil { v.add("departmentID", "invalidReference") }
        } else {
            v.add("departmentID", "required")
        }
        if keywords.isEmpty, kinds.isEmpty, codes.isEmpty, serviceCode.isEmpty { v.add("keywords", "workOrder.ruleEmpty") }
        guard v.isValid, let department else { throw ValidationFailure(v.errors) }
        let m = DispatchRuleModel()
        m.id = UUID.timeOrdered()
        m.centerID = try center.requireID()
        m.departmentID = try department.requireID()
        m.duty = duty
        m.keywords = keywords
        m.itemKinds = kinds
        m.itemCodes = codes
        m.serviceCode = serviceCode
        let app = req.application
        let made = try await req.audited { db -> (DispatchRuleModel, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                m,
                [
                    AuditEvent(
                        "dispatchRule.create", "dispatch_rule", id: m.id, center: m.centerID,
                        detail: ["department": m.departmentID.uuidString, "duty": duty])
                ]
            )
        }
        app.dispatchDirectory.clear()
        return made
    }

    static func delete(_ id: UUID, req: Request) async throws {
        let p = try req.requirePrincipal()
        guard p.role == .centerAdmin, let m = try await DispatchRuleModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(m.centerID)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await DispatchRuleModel.query(on: db).filter(\.$id == id).delete()
            return ((), [AuditEvent("dispatchRule.delete", "dispatch_rule", id: id, center: m.centerID, detail: ["duty": m.duty])])
        }
        req.application.dispatchDirectory.clear()
    }

    /// The rules that apply at a center — its own and those of the centers above it — compiled
    /// for ranking, and kept as long as the directory is.
    static func index(for center: UUID, req: Request) async throws -> DispatchDirectory.Index {
        let app = req.application
        let db = req.db
        return try await app.dispatchDirectory.index(center) {
            let tree = try await app.centerTrees.tree(on: db)
            let all = try await app.dispatchDirectory.rules(on: db)
            let line = Set(tree.ancestry(center).map(\.uuidString))
            // Each rule applies at its own center and below it.
            return DispatchDirectory.Index(rules: all.filter { $0.centers.allSatisfy(line.contains) })
        }
    }

    /// Departments for an order's words at a center (and the item it names), best first.
    static func suggest(text: String, center: UUID, itemID: UUID?, req: Request) async throws -> [SuggestionDTO] {
        let snapshot = try await req.catalog()
        let index = try await index(for: center, req: req)
        let item = itemID.flatMap { snapshot.items[$0] }
        let catalog = catalogItems(text, center: center, in: snapshot).map {
            (code: $0.guide.code, departmentID: $0.departmentID.uuidString)
        }
        let ranked = index.rank(text: text, item: item.map { ($0.guide.code, $0.guide.type.rawValue) }, catalog: catalog)
        let ids = ranked.compactMap { UUID(uuidString: $0.departmentID) }
        let names = try await DepartmentModel.query(on: req.db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: names.compactMap { d in d.id.map { ($0, d.name) } })
        return ranked.compactMap { s in
            guard let id = UUID(uuidString: s.departmentID), let name = byID[id] else { return nil }
            return SuggestionDTO(departmentID: id, department: name, score: s.score, because: s.because)
        }
    }
}

extension DispatchService {
    /// The catalog's items an order's words name: a whole sentence matches no item, so each of its
    /// phrases (between spaces and punctuation, the first eight) is searched and the hits kept in
    /// order, at most `limit`.
    static func catalogItems(_ text: String, center: UUID, in snapshot: CatalogSnapshot, limit: Int = 5) -> [CatalogSnapshot.Item] {
        let phrases = text.split { $0.isWhitespace || $0.isPunctuation || $0.isSymbol }.map { String($0.prefix(20)) }
            .filter { $0.count >= 2 }.prefix(8)
        var seen: Set<String> = []
        var out: [CatalogSnapshot.Item] = []
        for p in phrases {
            for h in snapshot.index.search(p, center: center.uuidString, limit: 3).hits where !seen.contains(h.id) {
                seen.insert(h.id)
                if let i = UUID(uuidString: h.id).flatMap({ snapshot.items[$0] }) { out.append(i) }
            }
            if out.count >= limit { break }
        }
        return Array(out.prefix(limit))
    }
}

/// Every dispatch rule, read once, and each center's compiled index of the rules that apply
/// there, kept until a rule is added or removed on this instance (or 30 s pass, for another
/// instance's change).
final class DispatchDirectoryCache: Sendable {
    private let cache = TimedCache<Int, [DispatchDirectory.Rule]>(ttl: 30_000_000_000)
    private let indexes = TimedCache<UUID, DispatchDirectory.Index>(ttl: 30_000_000_000)

    func rules(on db: any Database) async throws -> [DispatchDirectory.Rule] {
        try await cache.value(0) { try await DispatchRuleModel.query(on: db).all().map(\.rule) }
    }

    func index(
        _ center: UUID, build: @escaping @Sendable () async throws -> DispatchDirectory.Index
    ) async throws
        -> DispatchDirectory.Index
    {
        try await indexes.value(center, load: build)
    }

    func clear() {
        cache.removeAll()
        indexes.removeAll()
    }
}

extension Application {
    private struct DispatchKey: StorageKey { typealias Value = DispatchDirectoryCache }

    var dispatchDirectory: DispatchDirectoryCache {
        if let c = storage[DispatchKey.self] { return c }
        let c = DispatchDirectoryCache()
        storage[DispatchKey.self] = c
        return c
    }
}
